"""The vocabulary of `dvt evaluate`: label and segment constants, the parsed inputs (gold and
predicted records) and the result types the metrics fill in. Plain dataclasses, no logic."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Mapping

from ..core import model
from ..core.model import DISTAL_LABELS as DISTAL_LABELS, DVT_LABELS as DVT_LABELS, LABELS as LABELS, SIDES as SIDES  # the vocabulary, re-exported
from ..rules import segment_groups

NO_PREDICTION = "(error)"
SCORED_SIDES: tuple[str, ...] = ("left", "right")

# Segment groups come from the anatomy lexicon (patterns/anatomy.json), the one place that holds them.
DEEP_GROUPS: dict[str, tuple[str, ...]] = {
    group: tuple(s for s, g in segment_groups().items() if g == group) for group in model.DEEP_GROUPS
}
DEEP_SEGMENTS: frozenset[str] = frozenset(s for segs in DEEP_GROUPS.values() for s in segs)
NON_DEEP_SEGMENTS: frozenset[str] = frozenset(s for s, g in segment_groups().items() if g in ("superficial", "upper"))
KNOWN_SEGMENTS: frozenset[str] = DEEP_SEGMENTS | NON_DEEP_SEGMENTS
HEADLINE_STATS: tuple[str, ...] = (
    "accuracy", "macro_f1", "dvt_sensitivity", "dvt_ppv", "deep_segment_f1",
)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Finding:
    """One predicted finding, flattened to what evaluation needs."""

    segment: str | None
    side: str
    status: str | None
    acuity: str | None
    group: str | None = None
    section: str | None = None
    text: str | None = None
    start: int | None = None
    end: int | None = None
    cue: str | None = None
    sentence_start: int | None = None
    sentence_end: int | None = None


@dataclass(frozen=True)
class PredRecord:
    """One predicted report; ``label is None`` means the pipeline failed on it."""

    id: str
    label: str | None
    side_labels: Mapping[str, str | None]
    findings: tuple[Finding, ...] = ()
    svt: bool | None = None
    svt_near_junction: bool | None = None
    error: str | None = None


@dataclass(frozen=True)
class Predictions:
    """All predicted reports (in file order) and which fields the source carries."""

    records: Mapping[str, PredRecord]
    has_findings: bool = True
    has_side_labels: bool = True
    has_svt: bool = True
    has_svt_near_junction: bool = True


@dataclass(frozen=True)
class GoldRecord:
    """One gold report; ``None`` fields are not annotated and not scored."""

    id: str
    label: str
    side_labels: Mapping[str, str | None] | None = None
    positive_segments: frozenset[str] | None = None
    chronic_segments: frozenset[str] | None = None
    svt: bool | None = None
    svt_near_junction: bool | None = None


# -------------------------------------------------------------------------- results


@dataclass(frozen=True)
class LabelStats:
    label: str
    precision: float | None
    recall: float | None
    f1: float | None
    support: int
    predicted: int


@dataclass(frozen=True)
class LabelMetrics:
    accuracy: float
    correct: int
    total: int
    macro_f1: float | None
    per_label: tuple[LabelStats, ...]
    confusion: dict[str, dict[str, int]]  # gold label -> predicted label (or NO_PREDICTION) -> count


@dataclass(frozen=True)
class BinaryMetrics:
    positive_labels: tuple[str, ...]
    tp: int
    fp: int
    fn: int
    tn: int
    sensitivity: float | None
    specificity: float | None
    ppv: float | None
    npv: float | None


@dataclass(frozen=True)
class SegmentMetrics:
    n_reports: int
    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None


@dataclass(frozen=True)
class AccuracyMetric:
    correct: int
    total: int
    accuracy: float | None


@dataclass(frozen=True)
class ConfidenceInterval:
    low: float
    high: float


@dataclass(frozen=True)
class BootstrapResult:
    n_resamples: int
    seed: int
    level: float
    intervals: dict[str, ConfidenceInterval | None]


@dataclass(frozen=True)
class EvidenceItem:
    segment: str | None
    side: str
    status: str | None
    acuity: str | None
    text: str | None
    cue: str | None
    sentence_start: int | None
    sentence_end: int | None


@dataclass(frozen=True)
class SideMismatch:
    side: str
    gold: str | None
    pred: str | None


@dataclass(frozen=True)
class Disagreement:
    id: str
    gold_label: str
    pred_label: str | None
    error: str | None
    label_differs: bool
    side_mismatches: tuple[SideMismatch, ...]
    missing_segments: tuple[str, ...]
    extra_segments: tuple[str, ...]
    evidence: tuple[EvidenceItem, ...]


@dataclass(frozen=True)
class EvaluationResult:
    """Everything `dvt evaluate` reports; ``None`` metrics were not computable."""

    pred_path: str
    gold_path: str
    n_reports: int
    n_pred_records: int
    n_errors: int
    n_pred_errors: int
    missing_pred_ids: tuple[str, ...]
    extra_pred_ids: tuple[str, ...]
    label: LabelMetrics | None
    dvt: BinaryMetrics | None
    distal: BinaryMetrics | None
    deep_segments: SegmentMetrics | None
    chronic_segments: SegmentMetrics | None
    side_labels: AccuracyMetric | None
    svt: AccuracyMetric | None
    svt_near_junction: AccuracyMetric | None
    bootstrap: BootstrapResult
    disagreements: tuple[Disagreement, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict with a fixed key order."""
        out = _jsonable(self)
        out["n_disagreements"] = len(self.disagreements)
        return out


def _jsonable(value: Any) -> Any:
    """Convert dataclasses, tuples and sets to plain JSON types, keeping order."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (frozenset, set)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
