"""The output record of LABELS.md section 6, built from findings and their classification."""
from __future__ import annotations

from ._version import __version__
from .classify import classify
from .model import Finding


def build_record(report_id: object, findings: list[Finding], examined: set[str], rules_hash: str, count_chronic: bool = False) -> dict:
    """A plain, JSON-ready record; key order is fixed so output is byte-stable."""
    outcome = classify(findings, examined, count_chronic=count_chronic)
    decisive = {id(f) for f in outcome.findings}
    return {
        "id": report_id,
        "label": outcome.label,
        "distal": outcome.distal,
        "svt": outcome.svt,
        "svt_near_junction": outcome.svt_near_junction,
        "side_labels": outcome.side_labels,
        "findings": [{**f.as_dict(), "decisive": id(f) in decisive} for f in findings],
        "error": None,
        "pipeline_version": __version__,
        "rules_hash": rules_hash,
    }


def error_record(report_id: object, message: str, rules_hash: str) -> dict:
    """The row kept for a report that could not be processed: label null, error saying why."""
    return {
        "id": report_id,
        "label": None,
        "distal": None,
        "svt": None,
        "svt_near_junction": None,
        "side_labels": {"left": None, "right": None, "unspecified": None},
        "findings": [],
        "error": message,
        "pipeline_version": __version__,
        "rules_hash": rules_hash,
    }
