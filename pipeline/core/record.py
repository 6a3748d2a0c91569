"""The output record of LABELS.md section 6, built from findings and their classification."""
from __future__ import annotations

from typing import Any

from .._version import __version__
from .classify import CURRENT_STATUSES, classify
from .comparison import Comparison
from .model import Finding


def build_record(report_id: object, findings: list[Finding], examined: set[str], rules_hash: str, count_chronic: bool = False,
                 comparison: Comparison | None = None) -> dict[str, Any]:
    """A plain, JSON-ready record; key order is fixed so output is byte-stable.

    ``findings`` are the findings that decide the labels (one per segment, side and status)
    plus the historical/hypothetical/indication mentions; ``superseded_findings`` are the
    other mentions (repeated, or overridden by the impression or an addendum).
    """
    outcome = classify(findings, examined, count_chronic=count_chronic)
    decisive = {id(f) for f in outcome.findings}
    shown, superseded, seen = [], [], set()
    for f in findings:
        key = (f.segment, f.side, f.status, f.group)
        if id(f) in decisive or (f.status not in CURRENT_STATUSES and key not in seen):
            shown.append(f)
            seen.add(key)
        else:
            superseded.append(f)
    return {
        "id": report_id,
        "label": outcome.label,
        "distal": outcome.distal,
        "svt": outcome.svt,
        "svt_near_junction": outcome.svt_near_junction,
        "side_labels": outcome.side_labels,
        "scope": outcome.scope,
        "comparison": comparison.as_dict() if comparison else None,
        "findings": [f.as_dict() for f in shown],
        "superseded_findings": [f.as_dict() for f in superseded],
        "error": None,
        "pipeline_version": __version__,
        "rules_hash": rules_hash,
    }


def error_record(report_id: object, message: str, rules_hash: str) -> dict[str, Any]:
    """The row kept for a report that could not be processed: label null, error saying why."""
    return {
        "id": report_id,
        "label": None,
        "distal": None,
        "svt": None,
        "svt_near_junction": None,
        "side_labels": {"left": None, "right": None, "unspecified": None},
        "scope": {"left": None, "right": None, "unspecified": None},
        "comparison": None,
        "findings": [],
        "superseded_findings": [],
        "error": message,
        "pipeline_version": __version__,
        "rules_hash": rules_hash,
    }
