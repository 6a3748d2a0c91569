"""Batch extraction: stream reports from an input, write one record per report, keep every row."""
from __future__ import annotations

from collections.abc import Iterator

from .api import Extractor
from .io import read_reports
from .io.writers import write_jsonl
from .record import error_record


def _records(extractor: Extractor, rows, summary: dict) -> Iterator[dict]:
    seen: set = set()
    for report_id, text, problem in rows:
        key = str(report_id)
        if key in seen:
            summary["duplicate_ids"] += 1
        seen.add(key)
        if problem and text is None:
            record = error_record(report_id, problem, extractor.rules.rules_hash)
        else:
            record = extractor.extract(text, report_id)
        summary["rows"] += 1
        summary["errors"] += record["error"] is not None
        yield record


def run_extract(input_path: str, output_path: str, id_col: str = "id", text_col: str = "text", count_chronic: bool = False) -> dict:
    """Extract every report of ``input_path`` into ``output_path``; returns counts."""
    rows = read_reports(input_path, id_col, text_col)
    first = next(rows, None)
    extractor = Extractor(count_chronic=count_chronic)
    summary = {"rows": 0, "errors": 0, "duplicate_ids": 0}

    def all_rows():
        if first is not None:
            yield first
        yield from rows

    write_jsonl(_records(extractor, all_rows(), summary), output_path)
    return summary
