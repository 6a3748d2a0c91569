"""Pure metric computation for `dvt evaluate` (no I/O, no spaCy).

Scoring conventions (see LABELS.md sections 1, 3 and 6):

* A gold report with no usable prediction (id missing from the predictions, or a
  record whose ``label`` is null) is an *error*. Errors are scored as wrong in
  every view: a wrong label, a false negative when gold is positive and a false
  positive when gold is negative in the binary views, mismatched side labels and
  svt flags, and no predicted segments.
* Predicted positive segments are findings with ``status == "present"`` and
  ``acuity != "chronic"`` on a deep segment, as ``"side:segment"``; superficial
  and upper-extremity segments never enter segment metrics.
* Undefined ratios (0/0) are ``None``. Macro-F1 averages the labels that occur
  in gold or predictions (scikit-learn's default label set).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

from .types import (
    DEEP_SEGMENTS,
    DISTAL_LABELS,
    DVT_LABELS,
    HEADLINE_STATS,
    LABELS,
    NO_PREDICTION,
    SCORED_SIDES,
    AccuracyMetric,
    BinaryMetrics,
    BootstrapResult,
    ConfidenceInterval,
    Disagreement,
    EvaluationResult,
    EvidenceItem,
    Finding,
    GoldRecord,
    LabelMetrics,
    LabelStats,
    PredRecord,
    Predictions,
    SegmentMetrics,
    SideMismatch,
)

_ERROR = object()  # side/svt value of a report without a usable prediction


# -------------------------------------------------------------------------- helpers


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key putting 'r2' before 'r10'; ties broken by the raw string."""
    parts = re.split(r"([0-9]+)", text)
    return tuple(int(p) if i % 2 else p.lower() for i, p in enumerate(parts)) + (text,)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _f1(tp: int, fp: int, fn: int) -> float | None:
    return _ratio(2 * tp, 2 * tp + fp + fn)


def _is_deep_positive(f: Finding) -> bool:
    return f.segment in DEEP_SEGMENTS and f.status == "present" and f.acuity != "chronic"


def _is_deep_chronic(f: Finding) -> bool:
    return f.segment in DEEP_SEGMENTS and f.status == "present" and f.acuity == "chronic"


def _segment_key(f: Finding) -> str:
    return f"{f.side}:{f.segment}"


def predicted_positive_segments(findings: Iterable[Finding]) -> frozenset[str]:
    """Deep 'side:segment' keys with a present, non-chronic finding (deduplicated)."""
    return frozenset(_segment_key(f) for f in findings if _is_deep_positive(f))


def predicted_chronic_segments(findings: Iterable[Finding]) -> frozenset[str]:
    """Deep 'side:segment' keys with a present, chronic finding."""
    return frozenset(_segment_key(f) for f in findings if _is_deep_chronic(f))


def deep_only(segments: Iterable[str]) -> frozenset[str]:
    """Keep 'side:segment' keys whose segment is deep."""
    return frozenset(s for s in segments if s.partition(":")[2] in DEEP_SEGMENTS)


# ------------------------------------------------------------------ per-report units


class _Sig(NamedTuple):
    """What the headline statistics need from one report (hashable, for resampling)."""

    gold: str
    pred: str | None
    seg: tuple[int, int, int] | None  # deep-segment (tp, fp, fn) when scored


Weighted = Mapping[_Sig, int]  # a multiset of reports, as signature -> count


@dataclass(frozen=True)
class _Unit:
    """One gold report joined with its prediction."""

    gold: GoldRecord
    pred: PredRecord | None  # None: missing or errored
    raw_pred: PredRecord | None  # the record as read, errored or not
    seg: tuple[int, int, int] | None  # deep-segment (tp, fp, fn) when scored
    score_sides: bool = True  # False when predictions carry no side labels

    @property
    def pred_label(self) -> str | None:
        return self.pred.label if self.pred else None

    @property
    def sig(self) -> _Sig:
        return _Sig(self.gold.label, self.pred_label, self.seg)


def _seg_counts(gold: frozenset[str] | None, pred: frozenset[str]) -> tuple[int, int, int] | None:
    if gold is None:
        return None
    return len(gold & pred), len(pred - gold), len(gold - pred)


def _pred_segments(pred: PredRecord | None, chronic: bool = False) -> frozenset[str]:
    if pred is None:
        return frozenset()
    fn = predicted_chronic_segments if chronic else predicted_positive_segments
    return fn(pred.findings)


def _make_units(gold: Sequence[GoldRecord], preds: Predictions) -> list[_Unit]:
    units = []
    for g in sorted(gold, key=lambda r: natural_key(r.id)):
        raw = preds.records.get(g.id)
        usable = raw if raw is not None and raw.label is not None else None
        seg = None
        if preds.has_findings and g.positive_segments is not None:
            seg = _seg_counts(deep_only(g.positive_segments), _pred_segments(usable))
        units.append(_Unit(g, usable, raw, seg, preds.has_side_labels))
    return units


def _weigh(units: Iterable[_Unit]) -> Counter[_Sig]:
    return Counter(u.sig for u in units)


# ------------------------------------------------------------------------- metrics


def _label_counts(w: Weighted) -> dict[str, list[int]]:
    """Per-label [tp, fp, fn]; an error is a false negative of its gold label only."""
    counts: dict[str, list[int]] = {label: [0, 0, 0] for label in LABELS}
    for s, k in w.items():
        if s.gold == s.pred:
            counts[s.gold][0] += k
            continue
        counts[s.gold][2] += k
        if s.pred is not None:
            counts[s.pred][1] += k
    return counts


def _macro_f1(counts: Mapping[str, Sequence[int]]) -> float | None:
    scores = [f for tp, fp, fn in counts.values() if (f := _f1(tp, fp, fn)) is not None]
    return sum(scores) / len(scores) if scores else None


def _correct(w: Weighted) -> int:
    return sum(k for s, k in w.items() if s.gold == s.pred)


def label_metrics(units: Sequence[_Unit]) -> LabelMetrics:
    """Accuracy, per-label P/R/F1, macro-F1 and the confusion matrix."""
    w = _weigh(units)
    counts = _label_counts(w)
    per_label = tuple(
        LabelStats(label, _ratio(tp, tp + fp), _ratio(tp, tp + fn), _f1(tp, fp, fn), tp + fn, tp + fp)
        for label, (tp, fp, fn) in counts.items()
    )
    columns = LABELS + (NO_PREDICTION,)
    confusion: dict[str, dict[str, int]] = {g: {p: 0 for p in columns} for g in LABELS}
    for s, k in w.items():
        confusion[s.gold][s.pred or NO_PREDICTION] += k
    correct = _correct(w)
    return LabelMetrics(correct / len(units), correct, len(units), _macro_f1(counts), per_label, confusion)


def _binary_counts(w: Weighted, positive: frozenset[str]) -> Counter[str]:
    """tp/fp/fn/tn of 'label in positive'; an error is always on the wrong side."""
    out: Counter[str] = Counter(tp=0, fp=0, fn=0, tn=0)
    for s, k in w.items():
        gold_pos = s.gold in positive
        if s.pred is None:
            out["fn" if gold_pos else "fp"] += k
            continue
        pred_pos = s.pred in positive
        out[("t" if gold_pos == pred_pos else "f") + ("p" if pred_pos else "n")] += k
    return out


def binary_metrics(units: Sequence[_Unit], positive: frozenset[str]) -> BinaryMetrics:
    """Sensitivity, specificity, PPV and NPV for 'label in positive'."""
    c = _binary_counts(_weigh(units), positive)
    tp, fp, fn, tn = c["tp"], c["fp"], c["fn"], c["tn"]
    return BinaryMetrics(
        tuple(label for label in LABELS if label in positive), tp, fp, fn, tn,
        _ratio(tp, tp + fn), _ratio(tn, tn + fp), _ratio(tp, tp + fp), _ratio(tn, tn + fn),
    )


def _seg_totals(w: Mapping[tuple[int, int, int] | None, int]) -> tuple[int, int, int, int]:
    """(reports scored, tp, fp, fn) over weighted per-report segment counts."""
    n = tp = fp = fn = 0
    for c, k in w.items():
        if c is not None:
            n, tp, fp, fn = n + k, tp + c[0] * k, fp + c[1] * k, fn + c[2] * k
    return n, tp, fp, fn


def segment_metrics(counts: Iterable[tuple[int, int, int] | None]) -> SegmentMetrics | None:
    """Micro P/R/F1 over the reports that have segment gold; None if there are none."""
    n, tp, fp, fn = _seg_totals(Counter(counts))
    if n == 0:
        return None
    return SegmentMetrics(n, tp, fp, fn, _ratio(tp, tp + fp), _ratio(tp, tp + fn), _f1(tp, fp, fn))


def _side_value(u: _Unit, side: str) -> object:
    return u.pred.side_labels.get(side) if u.pred else _ERROR


def _side_pairs(u: _Unit) -> list[tuple[str, str | None, object]]:
    gold = u.gold.side_labels
    if gold is None or not u.score_sides:
        return []
    return [(s, gold[s], _side_value(u, s)) for s in SCORED_SIDES if s in gold]


def side_label_accuracy(units: Sequence[_Unit]) -> AccuracyMetric | None:
    """Accuracy over (report, side) pairs with gold; null must match null."""
    pairs = [(g, p) for u in units for _, g, p in _side_pairs(u)]
    if not pairs:
        return None
    correct = sum(g == p for g, p in pairs)
    return AccuracyMetric(correct, len(pairs), correct / len(pairs))


def flag_accuracy(units: Sequence[_Unit], name: str) -> AccuracyMetric | None:
    """Accuracy of a boolean flag ('svt', 'svt_near_junction') where gold has it."""
    pairs = [
        (getattr(u.gold, name), getattr(u.pred, name) if u.pred else _ERROR)
        for u in units
        if getattr(u.gold, name) is not None
    ]
    if not pairs:
        return None
    correct = sum(g == p for g, p in pairs)
    return AccuracyMetric(correct, len(pairs), correct / len(pairs))


# ------------------------------------------------------------------------ bootstrap


def headline_stats(w: Weighted) -> dict[str, float | None]:
    """The statistics that get bootstrap intervals, on one (weighted) sample."""
    dvt = _binary_counts(w, DVT_LABELS)
    seg: Counter[tuple[int, int, int] | None] = Counter()
    for s, k in w.items():
        seg[s.seg] += k
    n_seg, tp, fp, fn = _seg_totals(seg)
    return {
        "accuracy": _ratio(_correct(w), sum(w.values())),
        "macro_f1": _macro_f1(_label_counts(w)),
        "dvt_sensitivity": _ratio(dvt["tp"], dvt["tp"] + dvt["fn"]),
        "dvt_ppv": _ratio(dvt["tp"], dvt["tp"] + dvt["fp"]),
        "deep_segment_f1": _f1(tp, fp, fn) if n_seg else None,
    }


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default) of sorted values."""
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def bootstrap_intervals(
    units: Sequence[_Unit], n_resamples: int, seed: int, level: float = 0.95
) -> BootstrapResult:
    """Percentile intervals from resampling reports with replacement.

    Each replicate draws len(units) report indices with random.Random(seed);
    statistics undefined in a replicate (0/0) are left out of its interval.
    """
    if n_resamples < 0:
        raise ValueError(f"bootstrap must be >= 0, got {n_resamples}")
    samples: dict[str, list[float]] = {name: [] for name in HEADLINE_STATS}
    if units and n_resamples:
        rng = random.Random(seed)
        distinct = list(dict.fromkeys(u.sig for u in units))
        index = {s: i for i, s in enumerate(distinct)}
        sig_ids = [index[u.sig] for u in units]
        population = range(len(units))
        for _ in range(n_resamples):
            drawn = Counter(map(sig_ids.__getitem__, rng.choices(population, k=len(units))))
            for name, value in headline_stats({distinct[i]: k for i, k in drawn.items()}).items():
                if value is not None:
                    samples[name].append(value)
    alpha = (1 - level) / 2
    intervals = {
        name: ConfidenceInterval(_percentile(v, alpha), _percentile(v, 1 - alpha)) if v else None
        for name, values in samples.items()
        for v in [sorted(values)]
    }
    return BootstrapResult(n_resamples, seed, level, intervals)


# ---------------------------------------------------------------------- disagreements


def _evidence(findings: Iterable[Finding], relevant: frozenset[str]) -> tuple[EvidenceItem, ...]:
    """Findings that explain a prediction: every non-'absent' one, plus any on `relevant` keys."""
    return tuple(
        EvidenceItem(f.segment, f.side, f.status, f.acuity, f.text, f.cue, f.sentence_start, f.sentence_end)
        for f in findings
        if f.status != "absent" or _segment_key(f) in relevant
    )


def _error_text(u: _Unit) -> str | None:
    if u.raw_pred is None:
        return "missing from predictions"
    if u.pred is None:
        return u.raw_pred.error or "prediction label is null"
    return None


def _disagreement(u: _Unit) -> Disagreement | None:
    label_differs = u.gold.label != u.pred_label
    sides = tuple(
        SideMismatch(s, g, NO_PREDICTION if p is _ERROR else p)  # type: ignore[arg-type]
        for s, g, p in _side_pairs(u)
        if g != p
    )
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    if u.seg is not None and u.gold.positive_segments is not None:  # seg implies gold segments
        gold_segs, pred_segs = deep_only(u.gold.positive_segments), _pred_segments(u.pred)
        missing = tuple(sorted(gold_segs - pred_segs, key=natural_key))
        extra = tuple(sorted(pred_segs - gold_segs, key=natural_key))
    if not (label_differs or sides or missing or extra):
        return None
    findings = u.raw_pred.findings if u.raw_pred else ()
    return Disagreement(
        u.gold.id, u.gold.label, u.pred_label, _error_text(u), label_differs, sides,
        missing, extra, _evidence(findings, frozenset(missing + extra)),
    )


def disagreements(units: Sequence[_Unit]) -> tuple[Disagreement, ...]:
    """Reports whose label, side labels or deep segments differ; label errors first."""
    found = [d for u in units if (d := _disagreement(u)) is not None]
    return tuple(sorted(found, key=lambda d: (not d.label_differs, natural_key(d.id))))


# ------------------------------------------------------------------------ top level


def _check_unique(gold: Sequence[GoldRecord]) -> None:
    seen: set[str] = set()
    for g in gold:
        if g.id in seen:
            raise ValueError(f"gold: duplicate id {g.id!r}")
        seen.add(g.id)


def _notes(units: Sequence[_Unit], preds: Predictions, extra: Sequence[str]) -> list[str]:
    notes = []
    if not units:
        notes.append("No gold reports to evaluate: all metrics are empty.")
        return notes
    if not preds.has_findings:
        notes.append("Predictions carry no findings (reports table): segment metrics skipped.")
    elif all(u.gold.positive_segments is None for u in units):
        notes.append("Gold has no positive_segments: segment metrics skipped.")
    if all(u.gold.side_labels is None for u in units):
        notes.append("Gold has no side labels: side-label accuracy skipped.")
    elif not preds.has_side_labels:
        notes.append("Predictions carry no side labels: side-label accuracy skipped.")
    for flag in ("svt", "svt_near_junction"):
        if all(getattr(u.gold, flag) is None for u in units):
            notes.append(f"Gold has no {flag}: {flag} accuracy skipped.")
        elif not getattr(preds, f"has_{flag}"):
            notes.append(f"Predictions carry no {flag}: {flag} accuracy skipped.")
    if extra:
        notes.append(f"{len(extra)} predicted id(s) not in gold were ignored.")
    return notes


def evaluate(
    gold: Sequence[GoldRecord],
    preds: Predictions,
    *,
    bootstrap: int = 1000,
    seed: int = 0,
    pred_path: str = "",
    gold_path: str = "",
) -> EvaluationResult:
    """Score predictions against gold (joined on id)."""
    _check_unique(gold)
    units = _make_units(gold, preds)
    gold_ids = {g.id for g in gold}
    missing = tuple(u.gold.id for u in units if u.raw_pred is None)
    extra = tuple(sorted((i for i in preds.records if i not in gold_ids), key=natural_key))
    n_pred_errors = sum(u.raw_pred is not None and u.pred is None for u in units)
    have = bool(units)
    return EvaluationResult(
        pred_path=pred_path,
        gold_path=gold_path,
        n_reports=len(units),
        n_pred_records=len(preds.records),
        n_errors=n_pred_errors + len(missing),
        n_pred_errors=n_pred_errors,
        missing_pred_ids=missing,
        extra_pred_ids=extra,
        label=label_metrics(units) if have else None,
        dvt=binary_metrics(units, DVT_LABELS) if have else None,
        distal=binary_metrics(units, DISTAL_LABELS) if have else None,
        deep_segments=segment_metrics(u.seg for u in units),
        chronic_segments=_chronic_metrics(units, preds),
        side_labels=side_label_accuracy(units),
        svt=flag_accuracy(units, "svt") if preds.has_svt else None,
        svt_near_junction=flag_accuracy(units, "svt_near_junction") if preds.has_svt_near_junction else None,
        bootstrap=bootstrap_intervals(units, bootstrap, seed),
        disagreements=disagreements(units),
        notes=tuple(_notes(units, preds, extra)),
    )


def _chronic_metrics(units: Sequence[_Unit], preds: Predictions) -> SegmentMetrics | None:
    """Micro P/R/F1 of chronic deep segments, where gold lists chronic_segments."""
    if not preds.has_findings:
        return None
    return segment_metrics(
        _seg_counts(
            deep_only(u.gold.chronic_segments) if u.gold.chronic_segments is not None else None,
            _pred_segments(u.pred, chronic=True),
        )
        for u in units
    )
