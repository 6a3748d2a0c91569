"""Stream reports from JSONL, CSV, Parquet, a folder of .txt files, or stdin.

Everything is read lazily, so memory stays flat whatever the input size: JSONL and CSV line by
line (CSV through :mod:`csv` on a per-line decoding wrapper, so quoted multi-line fields work),
Parquet batch by batch, folders file by file. ``.gz`` files (or any input starting with the gzip
magic bytes, stdin included) are decompressed on the fly.

Problems are kept as small as possible:

* a whole-input problem (missing file, missing text column, unknown format, unreadable bytes)
  raises :class:`InputError` with a one-line message naming the file and the column;
* a problem with one row (bad JSON, a row without the text column) yields that row with an
  ``error`` instead of text, so it keeps its place in the output;
* a row whose bytes are not valid UTF-8 is decoded on its own (windows-1252 / latin-1, or UTF-8
  with U+FFFD replacements when the row mixes valid UTF-8 with bad bytes) and carries a ``note``;
  the rest of the file stays UTF-8.

Report text is patient data, so no message built here quotes it: messages name the file, the
line or row number, the column and the id only.
"""
from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import math
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from .encoding import SNIFF_BYTES, WideLines, decode_wide, garbled, sniff_wide

FORMATS = ("jsonl", "csv", "parquet", "txt-folder")
GZIP_MAGIC = b"\x1f\x8b"
MAX_FILE_BYTES = 16_000_000  # a .txt report bigger than this is an error row (the extractor stops at 1M chars)
_SURROGATES = re.compile("[\ud800-\udfff]")
_HIDDEN = re.compile("[\xad\u200b\u200c\u200d\u2060\ufeff]")  # invisible, and able to split a word
_HIDDEN_IN_WORD = re.compile("(?<=\\w)[\xad\u200b\u200c\u200d\u2060\ufeff]+(?=\\w)")


class Row(NamedTuple):
    """One report as read: ``error`` set means the row could not be read (text is None)."""

    id: object
    text: object
    error: str | None = None
    note: str | None = None
    extra: dict | None = None  # the carried columns' raw values (pipeline.io.carry), when asked for


class InputError(ValueError):
    """The input as a whole cannot be read (the message names the file, never report text)."""


# --------------------------------------------------------------------------- helpers


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
    if not p.exists():
        raise InputError(f"{path}: no such file")
    raise InputError(f"{path}: unknown input format (use .jsonl, .csv, .parquet, optionally .gz, or a folder of .txt)")


def _open_binary(path: str) -> BinaryIO:
    """A binary handle on the input, gunzipped when the bytes say so (the ``.gz`` name is not needed)."""
    if path == "-":
        raw = sys.stdin.buffer
        if not hasattr(raw, "peek"):  # a BytesIO standing in for stdin
            raw = io.BufferedReader(raw)
        if raw.peek(2)[:2] == GZIP_MAGIC:
            return gzip.GzipFile(fileobj=raw, mode="rb")
        return raw
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if p.is_dir():
        raise InputError(f"{path}: is a folder (a folder is read as .txt reports only when given as the input path)")
    try:
        handle = open(p, "rb")  # noqa: SIM115 - closed by the caller
        if handle.peek(2)[:2] == GZIP_MAGIC:
            return gzip.GzipFile(fileobj=handle, mode="rb")  # closing it does not close handle: see _closing
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror or type(exc).__name__})") from None
    return handle


@contextlib.contextmanager
def _reading(path: str):
    """Open the input for reading; stdin is left open; read errors become a one-line InputError."""
    handle = _open_binary(path)
    stream = handle
    try:
        wide = sniff_wide(handle.peek(SNIFF_BYTES)[:SNIFF_BYTES]) if hasattr(handle, "peek") else None
        if wide is not None:  # UTF-16/32 (Excel, Windows tools): read as UTF-8 lines
            stream = WideLines(handle, wide[0])
        yield stream
    except EOFError:
        raise InputError(f"{path}: read failed (compressed input ends early: truncated file?)") from None
    except (zlib.error, gzip.BadGzipFile):  # their messages may quote bytes: not shown
        raise InputError(f"{path}: read failed (corrupt gzip data)") from None
    except OSError as exc:  # I/O error mid-file
        raise InputError(f"{path}: read failed ({exc.strerror or type(exc).__name__})") from None
    finally:
        if stream is not handle:
            stream.detach()
        if path != "-":
            inner = getattr(handle, "fileobj", None)  # GzipFile forgets it on close
            handle.close()
            if inner is not None:
                inner.close()


def _has_valid_multibyte(raw: bytes) -> bool:
    """Whether undecodable bytes sit next to valid multi-byte UTF-8 (then U+FFFD beats latin-1)."""
    text = raw.decode("utf-8", "surrogateescape")
    return any(ord(ch) > 0x7F and not 0xDC80 <= ord(ch) <= 0xDCFF for ch in text)


def decode_bytes(raw: bytes) -> tuple[str, str | None]:
    """Decode one row's bytes: UTF-8, else windows-1252/latin-1 (or UTF-8 with replacement), plus a note."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    if _has_valid_multibyte(raw):
        return raw.decode("utf-8", "replace"), "not valid UTF-8: undecodable bytes replaced by U+FFFD"
    try:
        return raw.decode("cp1252"), "not valid UTF-8: decoded as windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "not valid UTF-8: decoded as latin-1"


def _clean_text(text: object) -> tuple[object, str | None]:
    """Replace lone surrogates (from JSON escapes like \\ud800) by U+FFFD, keeping offsets."""
    if isinstance(text, str):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return _SURROGATES.sub("\ufffd", text), "lone surrogate code points replaced by U+FFFD"
    return text, None


def normalize_id(value: object) -> str | None:
    """Ids are strings in every output: text as it is, bytes decoded, a JSON number or boolean as its
    JSON text (17 -> "17", the same text the tables and NOTE_NLP use), anything else as ``str``.

    An id that is no id (empty or blank text, NaN, an infinity) is None, as a missing one.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        value = decode_bytes(value)[0]
    if isinstance(value, str):
        return value if value.strip() else None
    if value is None:
        return None
    if isinstance(value, (int, float, bool)):
        return json.dumps(value)
    return str(value)


def _stand_in(value: object, stand_in: str) -> tuple[object, str | None]:
    """The id to write for ``value``: itself, or ``stand_in`` (line-N, row-N) with a note when it is no id."""
    report_id = normalize_id(value)
    if report_id is not None:
        return report_id, None
    if value is None:
        return stand_in, None
    shown = "empty" if isinstance(value, (str, bytes)) else "not finite"
    return stand_in, f"id {shown}: replaced by {stand_in}"


def _join(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def describe_columns(names: Iterable[object], debug: bool = False, cells: bool = False) -> str:
    """The columns for an error message. ``cells``: the names are a CSV header, which in a headerless
    file is its first row (report text, patient names): then only how many, by position, unless ``debug``."""
    names = [str(name) for name in names]
    if not names:
        return "found no columns"
    if cells and not debug:
        return f"found {len(names)} column{'s' if len(names) > 1 else ''}, 1-{len(names)}; their names are not shown (in a file without a header they are its first row), --debug shows them"
    shown = [name if debug or len(name) <= 40 else f"<{len(name)}-character name>" for name in names]
    if len(shown) > 20 and not debug:
        shown = [*shown[:20], f"... {len(shown) - 20} more"]
    return "found: " + ", ".join(shown)


# --------------------------------------------------------------------------- formats


class _DuplicateKey(ValueError):
    pass


def _object_hook(keys: tuple[str, str]):
    """A JSON object hook refusing an object that names the id or text key twice (which one would count?)."""

    def hook(pairs: list[tuple[str, object]]) -> dict:
        obj = dict(pairs)
        if len(obj) < len(pairs):
            names = [name for name, _ in pairs]
            twice = [key for key in keys if names.count(key) > 1]
            if twice:
                raise _DuplicateKey(twice[0])
        return obj

    return hook


def _jsonl(path: str, id_col: str, text_col: str, debug: bool, carry: tuple[str, ...] = ()) -> Iterator[Row]:
    seen_object = False
    hook = _object_hook((id_col, text_col))
    with _reading(path) as handle:
        for number, raw in enumerate(handle, start=1):
            line, note = decode_bytes(raw)
            if number == 1:
                line = line.removeprefix("\ufeff")
            if not line.strip():
                continue
            note = f"line {number}: {note}" if note else None
            try:
                obj = json.loads(line, object_pairs_hook=hook)
            except json.JSONDecodeError as exc:  # exc.msg never quotes the document
                yield Row(f"line-{number}", None, f"line {number}: invalid JSON ({exc.msg} at column {exc.colno})", note)
                continue
            except _DuplicateKey as exc:
                yield Row(f"line-{number}", None, f"line {number}: the key {str(exc)!r} appears twice in one object", note)
                continue
            except RecursionError:
                yield Row(f"line-{number}", None, f"line {number}: invalid JSON (nested too deeply)", note)
                continue
            if not isinstance(obj, dict):
                yield Row(f"line-{number}", None, f"line {number}: not a JSON object", note)
                continue
            report_id, id_note = _stand_in(obj.get(id_col), f"line-{number}")
            note = _join(note, id_note)
            if text_col not in obj:
                if not seen_object:
                    raise InputError(f"{path}: text column {text_col!r} missing ({describe_columns(obj, debug)})")
                yield Row(report_id, None, f"line {number}: text column {text_col!r} missing", note)
                continue
            seen_object = True
            text, text_note = _clean_text(obj[text_col])
            yield Row(report_id, text, None, _join(note, text_note), {c: obj.get(c) for c in carry} if carry else None)


class _DecodedLines:
    """Feed :func:`csv.reader` one decoded line at a time, remembering which lines needed a fallback."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = iter(handle)
        self.line = 0
        self.notes: list[str] = []

    def __iter__(self) -> _DecodedLines:
        return self

    def __next__(self) -> str:
        raw = next(self._handle)
        self.line += 1
        text, note = decode_bytes(raw)
        if self.line == 1:
            text = text.removeprefix("\ufeff")
        if note:
            self.notes.append(f"line {self.line}: {note}")
        return text

    def take_note(self) -> str | None:
        note = _join(*self.notes)
        self.notes.clear()
        return note


def _set_csv_field_limit() -> None:
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # pragma: no cover - 32-bit C long
            limit //= 2


def _csv(path: str, id_col: str, text_col: str, debug: bool, carry: tuple[str, ...] = ()) -> Iterator[Row]:
    _set_csv_field_limit()
    with _reading(path) as handle:
        lines = _DecodedLines(handle)
        reader = csv.reader(lines, strict=True)  # a closing quote must end its field: an unclosed quote cannot swallow rows silently
        try:
            header = next(reader)
        except StopIteration:
            raise InputError(f"{path}: text column {text_col!r} missing (the file is empty: no header)") from None
        except csv.Error as exc:
            hint = "; lines end with a bare carriage return? save the file with LF or CRLF line ends" if "new-line character" in str(exc) else ""
            raise InputError(f"{path}: unreadable CSV header ({str(exc).split(' - ')[0]}{hint})") from None
        lines.take_note()
        if text_col not in header:
            raise InputError(f"{path}: text column {text_col!r} missing ({describe_columns(header, debug, cells=True)})")
        for name in dict.fromkeys((text_col, id_col)):
            if header.count(name) > 1:
                raise InputError(f"{path}: column {name!r} appears {header.count(name)} times in the header (which one is meant?)")
        text_at = header.index(text_col)
        id_at = header.index(id_col) if id_col in header else None
        carry_at = _carried_columns(path, carry, header, debug)
        number = 1  # the header is record 1
        while True:
            number += 1
            first_line = lines.line + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # one malformed record; the reader goes on with the next line
                yield Row(f"row-{number}", None, _csv_problem(first_line, lines.line, str(exc)), lines.take_note())
                continue
            note = lines.take_note()
            if not fields:  # a blank line
                number -= 1
                continue
            report_id, id_note = _stand_in(fields[id_at] if id_at is not None and id_at < len(fields) else None, f"row-{number}")
            note = _join(note, id_note)
            if text_at >= len(fields):
                yield Row(report_id, None, f"line {first_line}: {len(fields)} fields, text column {text_col!r} missing", note)
                continue
            if len(fields) > len(header) and any(f.strip() for f in fields[len(header):]):  # which part is the text?
                yield Row(report_id, None, f"line {first_line}: {len(fields)} fields but the header has {len(header)} "
                                           "(an unquoted comma in the text?)", note)
                continue
            text, text_note = _clean_text(fields[text_at])
            extra = {c: (fields[i] if i < len(fields) else None) for c, i in carry_at.items()} if carry else None
            yield Row(report_id, text, None, _join(note, text_note), extra)


def _csv_problem(first: int, last: int, reason: str) -> str:
    """The error of a malformed CSV record, naming the lines it took (an unclosed quote takes the rows after it)."""
    if first >= last:
        return f"line {first}: malformed CSV ({reason})"
    if reason == "unexpected end of data":
        return f"lines {first}-{last}: malformed CSV: a quote opened on line {first} is never closed; the lines after it are in this error row"
    return (f"lines {first}-{last}: malformed CSV ({reason}): a quote opened on line {first} ends only on line {last}, "
            "so an unclosed quote may have taken the rows in between; they are in this error row")


def _carried_columns(path: str, carry: tuple[str, ...], names: list[str], debug: bool) -> dict[str, int]:
    """Where each carried column is; a missing one is a whole-input problem."""
    missing = [c for c in carry if c not in names]
    if missing:
        raise InputError(f"{path}: column {missing[0]!r} missing (found: {describe_columns(names, debug)})")
    return {c: names.index(c) for c in carry}


def _parquet(path: str, id_col: str, text_col: str, debug: bool, batch_size: int = 256, carry: tuple[str, ...] = ()) -> Iterator[Row]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not Path(path).exists():
        raise InputError(f"{path}: no such file")
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__})") from None
    names = parquet.schema_arrow.names
    if text_col not in names:
        raise InputError(f"{path}: text column {text_col!r} missing ({describe_columns(names, debug)})")
    _carried_columns(path, carry, names, debug)
    columns = [c for c in dict.fromkeys((id_col, text_col, *carry)) if c in names]
    offset = 0
    try:
        for batch in parquet.iter_batches(columns=columns, batch_size=batch_size):
            data = batch.to_pydict()
            texts = data[text_col]
            ids = data.get(id_col) if id_col in data else [None] * len(texts)
            for i, (report_id, text) in enumerate(zip(ids, texts)):
                yield _column_row(report_id, text, offset + i + 1, {c: data[c][i] for c in carry} if carry else None)
            offset += len(texts)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: Parquet read failed after row {offset} ({type(exc).__name__})") from None


def _column_row(report_id: object, text: object, number: int, extra: dict | None = None) -> Row:
    """Row ``number`` (1-based) of a columnar input: no id becomes ``row-N``, bytes are decoded."""
    report_id, id_note = _stand_in(report_id, f"row-{number}")
    note = None
    if isinstance(text, (bytes, bytearray)):
        text, note = decode_bytes(bytes(text))
        note = f"row {number}: {note}" if note else None
    text, text_note = _clean_text(text)
    return Row(report_id, text, None, _join(id_note, note, text_note), extra)


def _plain(value: object, isna) -> object:
    """A pandas cell as a plain Python value: pandas' missing markers (NaN, NA, NaT) become None,
    numpy numbers Python ones."""
    if value is None or isinstance(value, (str, bytes)):
        return value
    try:
        if isna(value):
            return None
    except (TypeError, ValueError):  # a list or array cell: not a scalar
        return value
    return value.item() if hasattr(value, "item") else value


def read_frame(frame, id_col: str = "id", text_col: str = "text", debug: bool = False, carry: tuple[str, ...] = ()) -> Iterator[Row]:
    """A :class:`Row` for every row of a pandas DataFrame, in order, read as a Parquet file with the
    same columns is read: a missing id (None, NaN, NA) or an empty one becomes ``row-N``, and so do
    all when there is no id column. ``carry`` names columns whose values each row brings in ``extra``.

    Raises :class:`InputError` at once when the text column or a carried column is missing.
    """
    from pandas import isna

    names = list(frame.columns)
    if text_col not in names:
        raise InputError(f"DataFrame: text column {text_col!r} missing ({describe_columns(names, debug)})")
    _carried_columns("DataFrame", carry, names, debug)
    texts = frame[text_col].tolist()
    ids = frame[id_col].tolist() if id_col in names else [None] * len(texts)
    carried = {c: frame[c].tolist() for c in carry}
    return (_column_row(_plain(i, isna), _plain(t, isna), n, {c: _plain(v[n - 1], isna) for c, v in carried.items()} if carry else None)
            for n, (i, t) in enumerate(zip(ids, texts), start=1))


def _txt_files(root: Path) -> list[tuple[str, str | None]]:
    """(id, error) for every ``.txt`` entry under ``root`` (links too, whatever they point to) and every
    sub-folder that cannot be listed (id ``sub/``, with the system's reason), sorted by id.

    Links to folders are not followed (as before); a folder that cannot be listed is an error row,
    never silently nothing. The root itself unreadable is an InputError.
    """
    found: list[tuple[str, str | None]] = []

    def walk(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            if not prefix:
                raise InputError(f"{root}: cannot list folder ({exc.strerror or type(exc).__name__})") from None
            found.append((prefix, f"cannot list folder ({exc.strerror or type(exc).__name__})"))
            return
        for entry in entries:
            name = prefix + entry.name
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                walk(entry.path, name + "/")
            elif entry.name.lower().endswith(".txt"):
                found.append((name, None))

    walk(str(root), "")
    return sorted(found)


def decode_file(raw: bytes) -> tuple[str, str | None]:
    """A .txt report's text and note: UTF-16/32 (by BOM or NUL pattern), else as :func:`decode_bytes`."""
    wide = sniff_wide(raw[:SNIFF_BYTES])
    if wide is None:
        text, note = decode_bytes(raw)
        return text.removeprefix("\ufeff"), note
    codec, how = wide
    text, replaced = decode_wide(raw, codec)
    label = codec.upper().replace("-LE", "LE").replace("-BE", "BE")
    return text.removeprefix("\ufeff"), f"decoded as {label} ({how})" + ("; invalid bytes replaced by U+FFFD" if replaced else "")


def _folder(path: str, debug: bool) -> Iterator[Row]:
    root = Path(path)
    for report_id, problem in _txt_files(root):
        if problem is not None:
            yield Row(report_id, None, problem)
            continue
        file = root / report_id
        try:
            info = file.stat()  # follows links: a dangling or looping one fails here
            if not stat.S_ISREG(info.st_mode):  # a FIFO would block, a device never end
                yield Row(report_id, None, "not a regular file (a folder, device or pipe named .txt)")
                continue
            if info.st_size > MAX_FILE_BYTES:
                yield Row(report_id, None, f"file too large: {info.st_size} bytes (limit {MAX_FILE_BYTES})")
                continue
            raw = file.read_bytes()
        except OSError as exc:
            yield Row(report_id, None, f"cannot read file ({exc.strerror or type(exc).__name__})")
            continue
        text, note = decode_file(raw)
        yield Row(report_id, text, None, note)


def _checked(rows: Iterator[Row]) -> Iterator[Row]:
    """Rows whose text is garbled (binary, control characters) become error rows; soft hyphens and
    zero-width characters inside words are removed (they would split a vein's name), with a note."""
    for row in rows:
        if row.error is None and isinstance(row.text, str):
            problem = garbled(row.text)
            if problem is not None:
                row = row._replace(text=None, error=problem)
            elif _HIDDEN.search(row.text):
                text, count = _HIDDEN_IN_WORD.subn("", row.text)
                if count:
                    note = f"{count} soft hyphen(s) or zero-width character(s) inside words removed; evidence offsets are into the text without them"
                    row = row._replace(text=text, note=_join(row.note, note))
        yield row


def read_reports(path: str, id_col: str = "id", text_col: str = "text", debug: bool = False, carry: tuple[str, ...] = ()) -> Iterator[Row]:
    """Yield a :class:`Row` (id, text, error, note, extra) for every report of the input, in order.

    ``carry`` names columns whose raw values each row brings in ``extra`` (pipeline.io.carry).
    Whole-input problems raise :class:`InputError` on the first ``next()``.
    """
    fmt = detect_format(path)
    if fmt == "txt-folder":
        if carry:
            raise InputError(f"{path}: a folder of .txt files has no column {carry[0]!r} (carrying columns needs CSV, JSONL or Parquet)")
        return _checked(_folder(path, debug))
    if id_col == text_col:
        raise InputError(f"--id-col and --text-col both name {text_col!r}: the report text would become its id")
    reader = {"parquet": _parquet, "csv": _csv}.get(fmt, _jsonl)
    return _checked(reader(path, id_col, text_col, debug, carry=carry))


# --------------------------------------------------------------------------- row counts (for ETA)


def _count_newlines(handle: BinaryIO) -> int:
    count, last = 0, b"\n"
    while block := handle.read(1 << 20):
        count += block.count(b"\n")
        last = block[-1:]
    return count + (last != b"\n")


def _count_csv_records(handle: BinaryIO) -> int:
    """Records, not lines: a line ends a record only when the quotes so far are balanced."""
    records, quotes, content = 0, 0, False
    for raw in handle:
        quotes += raw.count(b'"')
        content = content or bool(raw.strip())
        if quotes % 2 == 0:
            records += content
            quotes, content = 0, False
    return records + content - 1  # minus the header


def count_rows(path: str, text_col: str = "text") -> int | None:
    """How many rows ``path`` holds (an estimate for JSONL with blank lines), or None when unknown.

    Cheap relative to extraction: a byte scan for JSONL/CSV (gunzipping when needed), Parquet
    metadata, a folder listing. Stdin is never counted.
    """
    if path == "-":
        return None
    try:
        fmt = detect_format(path)
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        if fmt == "txt-folder":
            return len(_txt_files(Path(path)))
        with _reading(path) as handle:
            return max(0, _count_csv_records(handle) if fmt == "csv" else _count_newlines(handle))
    except Exception:  # noqa: BLE001 - a count is only for the ETA; reading reports will say what is wrong
        return None
