"""Fill a review database from `dvt extract` output, the report texts and optional gold labels.

The JSONL output holds no report text (it is patient data, and registries do not need it), so the
texts come from the input given to `dvt extract` (``--input``, read with the same reader and
column options), matched row by row: extract writes one record per input row, in input order,
so row N of the output is row N of the input; the ids must agree row by row. Output records that
carry a ``text`` field (e.g. the synthetic corpus) need no input.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeGuard, cast

from ..core.record import Record
from ..evaluation import load_gold
from ..io import InputError, read_reports
from .sampling import Sampling, sample_items
from .store import ReviewError, ReviewStore


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _span_ok(span: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(span, dict) and all(isinstance(span.get(k), int) and not isinstance(span.get(k), bool) for k in ("start", "end"))


def _finding_ok(finding: object) -> bool:
    if not isinstance(finding, dict) or not all(isinstance(finding.get(k), str) for k in ("group", "status", "side")):
        return False
    evidence = finding.get("evidence")
    return (_span_ok(evidence) and isinstance(evidence.get("text"), str) and (evidence.get("cue") is None or _span_ok(evidence["cue"]))
            and isinstance(evidence.get("modifiers") or [], list)
            and all(_span_ok(m) and isinstance(m.get("category"), str) for m in evidence.get("modifiers") or ()))


def record_problem(record: object) -> str | None:
    """What makes ``record`` no dvt extract record (a tampered or foreign file), or None."""
    if not isinstance(record, dict) or "id" not in record or "label" not in record:
        return "not a dvt extract record (needs id and label)"
    if not all(record.get(k) is None or isinstance(record[k], str) for k in ("label", "error")):
        return "label and error must be text or null"
    sides = record.get("side_labels")
    if sides is not None and not (isinstance(sides, dict) and all(v is None or isinstance(v, str) for v in sides.values())):
        return "side_labels must map sides to labels"
    for key in ("findings", "superseded_findings"):
        if not isinstance(record.get(key) or [], list) or not all(map(_finding_ok, record.get(key) or ())):
            return f"{key} are not dvt extract findings"
    return None


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw, parse_constant=_no_constant)  # NaN / Infinity: not JSON, a browser cannot read them
            except (ValueError, RecursionError) as exc:
                raise ReviewError(f"{path} line {number}: not a JSON record ({type(exc).__name__})") from None
            problem = record_problem(record)
            if problem is not None:
                raise ReviewError(f"{path} line {number}: {problem}")
            yield number, record


def records_with_texts(output: Path, input_path: str | None, id_col: str = "id", text_col: str = "text",
                       require_text: bool = True) -> Iterator[tuple[Record, str | None]]:
    """(record, text) for every record of ``output``, the texts from ``input_path`` or the records."""
    records = _records(output)
    if input_path is None:
        for number, record in records:
            if require_text and not isinstance(record.get("text"), str) and record.get("error") is None:
                raise ReviewError(f"{output} line {number}: the record holds no report text; pass --input "
                                  "(the file given to dvt extract) so the evidence can be shown in its text")
            yield cast(Record, record), record.get("text") if isinstance(record.get("text"), str) else None
        return
    rows = read_reports(input_path, id_col=id_col, text_col=text_col)
    for (number, record), row in _zip_strict(records, rows, output, input_path):
        if json.dumps(row.id) != json.dumps(record["id"]):
            raise ReviewError(f"{output} line {number}: id {json.dumps(record['id'])} but row {number} of {input_path} has id "
                              f"{json.dumps(row.id)}; pass the input this output was extracted from")
        yield cast(Record, record), row.text if isinstance(row.text, str) else None


def _zip_strict(records: Iterator, rows: Iterator, output: Path, input_path: str) -> Iterator[tuple]:
    sentinel = object()
    while True:
        record, row = next(records, sentinel), next(rows, sentinel)
        if record is sentinel and row is sentinel:
            return
        if record is sentinel or row is sentinel:
            shorter = output if record is sentinel else input_path
            raise ReviewError(f"{output} and {input_path} differ in length ({shorter} ends first); pass the input this output was extracted from")
        yield record, row


def file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_review(db: str | Path, output: str | None = None, input_path: str | None = None, gold: str | None = None,
                id_col: str = "id", text_col: str = "text", sampling: Sampling = Sampling()) -> ReviewStore:
    """The review database at ``db``, loaded from ``output`` (and ``input_path``) the first time,
    all reports or the ``sampling`` sample of them.

    Reopening with the same output (or none) resumes it; another output is refused, since the
    decisions belong to those records. ``gold`` (re)attaches gold labels by id.
    """
    store = ReviewStore(db)
    meta = store.meta()
    if "source_digest" not in meta:
        if output is None:
            raise ReviewError(f"{db} holds no review yet: give the dvt extract output (JSONL) to review")
        path = Path(output)
        if not path.is_file():
            raise ReviewError(f"{output}: no such file")
        try:
            pairs = records_with_texts(path, input_path, id_col, text_col)
            items = sample_items(((row, record, text) for row, (record, text) in enumerate(pairs)), sampling)  # row: position in the output
            store.add_reports(items, {"source": path.name, "source_digest": file_digest(path),
                                      "input": Path(input_path).name if input_path else "", "sampling": sampling.describe()})
        except (InputError, ValueError) as exc:
            raise ReviewError(str(exc)) from None
    elif output is not None and file_digest(Path(output)) != meta["source_digest"]:
        raise ReviewError(f"{db} reviews {meta['source']} (another output than {output}); use a new --db for this one")
    if gold is not None:
        try:
            records = load_gold(gold)
        except (ValueError, FileNotFoundError) as exc:
            raise ReviewError(f"gold: {exc}") from None
        store.set_gold({g.id: (g.label, g.side_labels) for g in records}, Path(gold).name)
    return store
