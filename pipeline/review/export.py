"""Adjudicated labels out of a review database: a CSV `dvt evaluate` reads as gold, or Label Studio tasks.

Which decision counts for a report: with ``reviewer``, that reviewer's last one; without, the last
decision any reviewer made on it (a later reviewer adjudicates an earlier one). Only decided
reports are exported, in report order. The same database gives byte-identical files. In the CSV,
a note or reviewer name starting with ``= + - @``, a tab or a carriage return gets a leading ``'``
(OWASP's advice against formula injection); ids and labels are written as they are.
"""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from .._version import __version__
from ..evaluation.labelstudio import LABEL_CONFIG, evidence_results, label_results
from ..evaluation.types import SIDES
from ..io.guard import cannot_write, check_outputs
from ..io.writers import open_private
from .store import ReviewError, ReviewStore

CSV_COLUMNS = ("id", "label", "side_label_left", "side_label_right", "side_label_unspecified", "reviewer", "action",
               "decided_at", "note", "model_label", "row")
FORMATS = ("csv", "labelstudio")


def export_format(path: str, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in FORMATS:
            raise ReviewError(f"--format must be one of {', '.join(FORMATS)}")
        return fmt
    return "labelstudio" if path.lower().endswith(".json") else "csv"


def adjudicated(store: ReviewStore, reviewer: str | None = None) -> list[dict]:
    """The counting decision per decided report, with the model's label beside it."""
    sql = ("SELECT d.*, r.id AS report_id, r.label AS model_label, r.record, r.text FROM decisions d JOIN reports r ON r.row = d.row"
           " WHERE d.decision_id IN (SELECT MAX(decision_id) FROM current_decisions {where} GROUP BY row) ORDER BY d.row")
    with store.connect() as db:
        if reviewer is not None and not db.execute("SELECT 1 FROM decisions WHERE reviewer = ?", (reviewer,)).fetchone():
            raise ReviewError(f"no decisions by reviewer {reviewer!r} (reviewers: {', '.join(store.reviewers()) or 'none'})")
        rows = db.execute(sql.format(where="WHERE reviewer = ?" if reviewer else ""), (reviewer,) if reviewer else ()).fetchall()
    return [dict(r) for r in rows]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as a formula (OWASP, CSV injection)


def neutralise(text: str | None) -> str | None:
    """Free text typed by a reviewer, made inert for spreadsheets: a leading ``'`` before a formula start."""
    return f"'{text}" if text and text.startswith(FORMULA_START) else text


def _csv_row(d: dict) -> list:
    return [json.loads(d["report_id"]), d["label"], d["side_left"], d["side_right"], d["side_unspecified"], neutralise(d["reviewer"]),
            d["action"], d["decided_at"], neutralise(d["note"]), d["model_label"], d["row"]]


def write_csv(rows: list[dict], path: Path) -> None:
    with open_private(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows([["" if v is None else v for v in _csv_row(d)] for d in rows])


def labelstudio_tasks(rows: list[dict]) -> list[dict]:
    """One Label Studio task per decided report: text, the decision as an annotation, the model as a prediction."""
    tasks = []
    for d in rows:
        record = json.loads(d["record"])
        sides: dict[str, str | None] = {side: d[f"side_{side}"] for side in SIDES}
        tasks.append({
            "id": d["row"] + 1,
            "data": {"text": d["text"] or "", "report_id": json.loads(d["report_id"]), "dvt_row": d["row"]},
            "annotations": [{"completed_by": d["reviewer"], "created_at": d["decided_at"], "was_cancelled": False,
                             "result": label_results(d["label"], sides, d["note"])}],
            "predictions": [{"model_version": f"dvt-duplex {record.get('pipeline_version', __version__)} rules {record.get('rules_hash', '')}",
                             "result": label_results(record["label"], record["side_labels"]) + evidence_results(record["findings"])
                             if record.get("label") else []}],
        })
    return tasks


def export_review(store: ReviewStore, output: str, fmt: str | None = None, reviewer: str | None = None) -> dict:
    """Write the adjudicated labels to ``output`` (atomically); Label Studio also gets OUTPUT's labeling config beside it."""
    fmt = export_format(output, fmt)
    path = Path(output)
    tmp = path.with_name(path.name + ".tmp")
    for database in (store.path, f"{store.path}-wal", f"{store.path}-shm"):
        check_outputs(str(database), [str(path), str(tmp), str(path.with_suffix(".config.xml"))])  # never over the review itself
    rows = adjudicated(store, reviewer)
    files = [str(path)]
    try:
        _write(fmt, rows, path, tmp, files)
    except OSError as exc:
        raise cannot_write(str(path), exc) from None
    return {"reports": len(rows), "format": fmt, "files": files}


def _write(fmt: str, rows: list[dict], path: Path, tmp: Path, files: list[str]) -> None:
    if fmt == "csv":
        write_csv(rows, tmp)
    else:
        with open_private(tmp) as handle:  # the tasks hold report text: 0600
            handle.write(json.dumps(labelstudio_tasks(rows), ensure_ascii=False, indent=1) + "\n")
        config = path.with_suffix(".config.xml")
        config.write_text(LABEL_CONFIG, encoding="utf-8")
        files.append(str(config))
    os.replace(tmp, path)
