"""The output record of LABELS.md section 6, built from findings and their classification.

At run time a record is a plain dict (JSON-ready, key order fixed so output is byte-stable);
its type is ``Record``, a ``TypedDict`` that lists every key and the values it may hold::

    Record                  one report: labels per side, findings with evidence, or an error
      side_labels           SideLabels: left, right, unspecified -> Label or None (side not examined)
      scope                 SideScopes: left, right, unspecified -> Scope or None
      comparison            ComparisonRecord or None: the study a follow-up compares with
      findings              [FindingRecord]: segment, group, side, status, ..., evidence
        evidence            EvidenceRecord: the vein mention's span, its cue, sentence, modifiers

``dvt extract`` may add the input columns it carries (``patient_id``, ``exam_date``,
``exam_date_note``, and each ``--keep-cols`` column under its own name) and ``input_note``.
"""
# No ``from __future__ import annotations`` here: on Python 3.11 a TypedDict sees ``NotRequired``
# only in evaluated annotations (``Record.__optional_keys__``).
from typing import NotRequired, TypedDict

from .._version import __version__
from .change import Change
from .classify import CURRENT_STATUSES, classify
from .comparison import Comparison, Source
from .model import Acuity, Finding, Group, Label, Occlusion, Scope, Section, Side, Status


class SpanRecord(TypedDict):
    """A character span of the report text."""

    start: int
    end: int
    text: str


class ModifierRecord(TypedDict):
    """A ConText modifier that set a finding's status, acuity or change (NEGATED_EXISTENCE, ...)."""

    category: str
    start: int
    end: int
    text: str


class SentenceBounds(TypedDict):
    start: int
    end: int


class EvidenceRecord(SpanRecord):
    """Where a finding was read: the vein mention's span, then its cue, sentence and modifiers."""

    cue: SpanRecord | None
    sentence: SentenceBounds
    modifiers: list[ModifierRecord]
    change_cue: SpanRecord | None


class FindingRecord(TypedDict):
    """One (segment, side) assertion; ``segment`` None: DVT asserted or denied with no resolvable vein."""

    segment: str | None
    group: Group
    side: Side
    status: Status
    acuity: Acuity | None
    occlusion: Occlusion | None
    change: Change | None
    section: Section
    evidence: EvidenceRecord


class ComparisonRecord(TypedDict):
    """The study a follow-up report compares with; ``date`` as written, None for source ``none``."""

    date: str | None
    source: Source
    start: int
    end: int
    text: str


class SideLabels(TypedDict):
    left: Label | None
    right: Label | None
    unspecified: Label | None


class SideScopes(TypedDict):
    left: Scope | None
    right: Scope | None
    unspecified: Scope | None


class Record(TypedDict):
    """One report's record; an error record has ``label``, ``distal``, ``svt``... None and ``error`` set."""

    id: object
    label: Label | None
    distal: bool | None
    svt: bool | None
    svt_near_junction: bool | None
    side_labels: SideLabels
    scope: SideScopes
    comparison: ComparisonRecord | None
    findings: list[FindingRecord]
    superseded_findings: list[FindingRecord]
    error: str | None
    pipeline_version: str
    rules_hash: str
    # Added by ``dvt extract`` (batch runs) only:
    patient_id: NotRequired[str | None]
    exam_date: NotRequired[str | None]
    exam_date_note: NotRequired[str | None]
    input_note: NotRequired[str]


def build_record(report_id: object, findings: list[Finding], examined: set[str], rules_hash: str, count_chronic: bool = False,
                 comparison: Comparison | None = None) -> Record:
    """A plain, JSON-ready record; key order is fixed so output is byte-stable.

    ``findings`` are the findings that decide the labels (one per segment, side and status)
    plus the historical/hypothetical/indication mentions; ``superseded_findings`` are the
    other mentions (repeated, or overridden by the impression or an addendum).
    """
    outcome = classify(findings, examined, count_chronic=count_chronic)
    decisive = {id(f) for f in outcome.findings}
    shown: list[Finding] = []
    superseded: list[Finding] = []
    seen: set[tuple[str | None, Side, Status, Group]] = set()
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


def error_record(report_id: object, message: str, rules_hash: str) -> Record:
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
