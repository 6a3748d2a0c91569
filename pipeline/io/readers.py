"""Stream (id, text) pairs from JSONL, CSV, Parquet, a folder of .txt files, or stdin.

Everything is read lazily, so memory stays flat. A whole-input problem (missing file,
missing column, unknown format) raises :class:`InputError` with a one-line message naming
the file and column; a problem with one row (bad JSON, undecodable bytes) yields that row
with an error string instead of text, so it keeps its place in the output.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

Row = tuple[object, object, str | None]  # (id, text, row error)
FORMATS = ("jsonl", "csv", "parquet", "txt-folder")


class InputError(ValueError):
    """The input as a whole cannot be read."""


def detect_format(path: str) -> str:
    """jsonl, csv, parquet or txt-folder, from the path (``.gz`` allowed for JSONL/CSV)."""
    if path == "-":
        return "jsonl"
    p = Path(path)
    if p.is_dir():
        return "txt-folder"
    name = p.name.lower().removesuffix(".gz")
    for suffix, fmt in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"), (".csv", "csv"), (".parquet", "parquet"), (".pq", "parquet")):
        if name.endswith(suffix):
            return fmt
    raise InputError(f"{path}: unknown input format (use .jsonl, .csv, .parquet, optionally .gz, or a folder of .txt)")


def _open_binary(path: str):
    if path == "-":
        return sys.stdin.buffer
    if not Path(path).exists():
        raise InputError(f"{path}: no such file")
    return gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")


def _decode(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "decoded as latin-1 (not valid UTF-8)"


def _jsonl(path: str, id_col: str, text_col: str) -> Iterator[Row]:
    with _open_binary(path) as handle:
        for number, raw in enumerate(handle, start=1):
            line, _ = _decode(raw)
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield f"line-{number}", None, f"line {number}: invalid JSON ({exc.msg})"
                continue
            if not isinstance(obj, dict):
                yield f"line-{number}", None, f"line {number}: not a JSON object"
                continue
            if text_col not in obj:
                if number == 1:
                    raise InputError(f"{path}: text column {text_col!r} missing (found: {', '.join(map(str, obj))})")
                yield obj.get(id_col, f"line-{number}"), None, f"line {number}: text column {text_col!r} missing"
                continue
            yield obj.get(id_col, f"line-{number}"), obj[text_col], None


def _csv(path: str, id_col: str, text_col: str) -> Iterator[Row]:
    with _open_binary(path) as handle:
        raw = handle.read()
    text, _ = _decode(raw)
    csv.field_size_limit(sys.maxsize)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = reader.fieldnames or []
    if text_col not in columns:
        raise InputError(f"{path}: text column {text_col!r} missing (found: {', '.join(columns) or 'no header'})")
    for number, row in enumerate(reader, start=2):
        yield row.get(id_col) or f"row-{number}", row[text_col], None


def _parquet(path: str, id_col: str, text_col: str) -> Iterator[Row]:
    import pyarrow.parquet as pq

    if not Path(path).exists():
        raise InputError(f"{path}: no such file")
    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    if text_col not in names:
        raise InputError(f"{path}: text column {text_col!r} missing (found: {', '.join(names)})")
    columns = [c for c in (id_col, text_col) if c in names]
    offset = 0
    for batch in parquet.iter_batches(columns=columns, batch_size=1024):
        data = batch.to_pydict()
        texts = data[text_col]
        ids = data.get(id_col) or [f"row-{offset + i + 1}" for i in range(len(texts))]
        for report_id, text in zip(ids, texts):
            yield report_id, text, None
        offset += len(texts)


def _folder(path: str) -> Iterator[Row]:
    root = Path(path)
    for file in sorted(p for p in root.rglob("*.txt") if p.is_file()):
        text, problem = _decode(file.read_bytes())
        yield file.relative_to(root).as_posix(), text, problem if problem and "\ufffd" in text else None


def read_reports(path: str, id_col: str = "id", text_col: str = "text") -> Iterator[Row]:
    """Yield (id, text, row_error) for every report of the input, in order."""
    fmt = detect_format(path)
    if fmt == "txt-folder":
        return _folder(path)
    if fmt == "parquet":
        return _parquet(path, id_col, text_col)
    if fmt == "csv":
        return _csv(path, id_col, text_col)
    return _jsonl(path, id_col, text_col)
