"""Render an EvaluationResult: rich tables for the terminal, or JSON."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .types import (
    LABELS,
    NO_PREDICTION,
    BinaryMetrics,
    ConfidenceInterval,
    Disagreement,
    EvaluationResult,
    EvidenceItem,
    SegmentMetrics,
)

SHORT = {
    "PROXIMAL": "PROX",
    "IDDVT": "IDDVT",
    "ICMVT": "ICMVT",
    "DVT_UNSPECIFIED": "DVT_U",
    "INDETERMINATE": "INDET",
    "NEGATIVE": "NEG",
    NO_PREDICTION: "ERR",
}
MAX_EVIDENCE_LINES = 6


def to_json(result: EvaluationResult, indent: int | None = 2) -> str:
    """The result as a JSON document (stable key order)."""
    return json.dumps(result.to_dict(), indent=indent, ensure_ascii=False)


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _ci(ci: ConfidenceInterval | None) -> str:
    return "—" if ci is None else f"{ci.low:.3f}–{ci.high:.3f}"


def _frac(num: int, den: int) -> str:
    return f"{num}/{den}"


# -------------------------------------------------------------------------- sections


def _headline(result: EvaluationResult) -> Table:
    boot = result.bootstrap
    ci_title = f"{boot.level:.0%} CI" if boot.n_resamples else "CI (no bootstrap)"
    table = Table(title="Headline", title_justify="left")
    for name, justify in (("metric", "left"), ("value", "right"), (ci_title, "right"), ("n", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    ci = boot.intervals.get
    label, dvt, seg = result.label, result.dvt, result.deep_segments
    rows: list[tuple[str, float | None, str, str]] = []
    if label:
        rows.append(("Report-label accuracy", label.accuracy, _ci(ci("accuracy")), _frac(label.correct, label.total)))
        rows.append(("Macro-F1 (6 labels)", label.macro_f1, _ci(ci("macro_f1")), ""))
    if dvt:
        rows.append(("DVT sensitivity", dvt.sensitivity, _ci(ci("dvt_sensitivity")), _frac(dvt.tp, dvt.tp + dvt.fn)))
        rows.append(("DVT PPV", dvt.ppv, _ci(ci("dvt_ppv")), _frac(dvt.tp, dvt.tp + dvt.fp)))
    if seg:
        rows.append(("Deep-segment F1", seg.f1, _ci(ci("deep_segment_f1")), f"{seg.n_reports} reports"))
    for title, acc in (
        ("Side-label accuracy", result.side_labels),
        ("SVT accuracy", result.svt),
        ("SVT near junction accuracy", result.svt_near_junction),
    ):
        if acc:
            rows.append((title, acc.accuracy, "", _frac(acc.correct, acc.total)))
    for name, value, interval, n in rows:
        table.add_row(name, _num(value), interval, n)
    table.add_row("Errors (null label or missing)", str(result.n_errors), "", _errors_detail(result))
    return table


def _errors_detail(result: EvaluationResult) -> str:
    return f"{result.n_pred_errors} null, {len(result.missing_pred_ids)} missing"


def _per_label(result: EvaluationResult) -> Table:
    table = Table(title="Per label", title_justify="left")
    table.add_column("label")
    for name in ("precision", "recall", "F1", "support", "predicted"):
        table.add_column(name, justify="right")
    assert result.label is not None
    for s in result.label.per_label:
        table.add_row(s.label, _num(s.precision), _num(s.recall), _num(s.f1), str(s.support), str(s.predicted))
    return table


def _confusion(result: EvaluationResult) -> Table:
    assert result.label is not None
    matrix = result.label.confusion
    columns = list(LABELS) + [NO_PREDICTION]
    table = Table(title="Confusion (rows gold, columns predicted)", title_justify="left")
    table.add_column("gold \\ pred")
    for col in columns:
        table.add_column(SHORT[col], justify="right")
    for gold in LABELS:
        cells = [_cell(matrix[gold][pred], gold == pred) for pred in columns]
        table.add_row(gold, *cells)
    return table


def _cell(count: int, diagonal: bool) -> Text:
    style = "bold green" if diagonal and count else ("dim" if count == 0 else "red" if not diagonal else "")
    return Text(str(count), style=style)


def _binary(result: EvaluationResult) -> Table:
    table = Table(title="Binary views (errors count as wrong)", title_justify="left")
    table.add_column("view")
    for name in ("TP", "FP", "FN", "TN", "sens", "spec", "PPV", "NPV"):
        table.add_column(name, justify="right")
    views: list[tuple[str, BinaryMetrics | None]] = [
        ("DVT present (PROX/IDDVT/ICMVT/DVT_U)", result.dvt),
        ("Distal (IDDVT ∪ ICMVT)", result.distal),
    ]
    for name, m in views:
        if m is not None:
            table.add_row(
                name, str(m.tp), str(m.fp), str(m.fn), str(m.tn),
                _num(m.sensitivity), _num(m.specificity), _num(m.ppv), _num(m.npv),
            )
    return table


def _segments(result: EvaluationResult) -> Table | None:
    views: list[tuple[str, SegmentMetrics | None]] = [
        ("deep, present non-chronic", result.deep_segments),
        ("deep, chronic", result.chronic_segments),
    ]
    views = [(n, m) for n, m in views if m is not None]
    if not views:
        return None
    table = Table(title="Segments (side:segment, micro-averaged)", title_justify="left")
    table.add_column("view")
    for name in ("precision", "recall", "F1", "TP", "FP", "FN", "reports"):
        table.add_column(name, justify="right")
    for name, m in views:
        assert m is not None
        table.add_row(
            name, _num(m.precision), _num(m.recall), _num(m.f1),
            str(m.tp), str(m.fp), str(m.fn), str(m.n_reports),
        )
    return table


# -------------------------------------------------------------------- disagreements


def _evidence_line(e: EvidenceItem) -> str:
    status = e.status or "?"
    if e.acuity and e.status == "present":
        status += f"/{e.acuity}"
    line = f"{e.side}:{e.segment or '?'} {status}"
    if e.text:
        line += f' "{e.text}"'
    if e.cue:
        line += f' cue "{e.cue}"'
    if e.sentence_start is not None:
        line += f" @{e.sentence_start}-{e.sentence_end}"
    return line


def _evidence_text(d: Disagreement) -> Text:
    if d.error:
        return Text(d.error, style="red")
    lines = [_evidence_line(e) for e in d.evidence[:MAX_EVIDENCE_LINES]]
    if len(d.evidence) > MAX_EVIDENCE_LINES:
        lines.append(f"… +{len(d.evidence) - MAX_EVIDENCE_LINES} more")
    return Text("\n".join(lines) or "(no findings)")


def _label_change(d: Disagreement) -> Text:
    pred = d.pred_label or NO_PREDICTION
    text = Text(f"{d.gold_label} → {pred}")
    if d.label_differs:
        text.stylize("bold")
    for m in d.side_mismatches:
        text.append(f"\n{m.side}: {m.gold or 'null'} → {m.pred or 'null'}", style="yellow")
    return text


def _disagreements(result: EvaluationResult, limit: int) -> Table:
    shown = result.disagreements[: max(limit, 0)]
    title = f"Disagreements ({len(shown)} of {len(result.disagreements)})"
    table = Table(title=title, title_justify="left", show_lines=True)
    for name in ("id", "gold → pred", "missing", "extra", "pred evidence"):
        table.add_column(name)
    for d in shown:
        table.add_row(
            Text(d.id),
            _label_change(d),
            Text("\n".join(d.missing_segments), style="red"),
            Text("\n".join(d.extra_segments), style="magenta"),
            _evidence_text(d),
        )
    return table


# ---------------------------------------------------------------------------- main


def _summary_line(result: EvaluationResult) -> Text:
    text = Text(f"{result.n_reports} gold reports, {result.n_pred_records} predicted records")
    if result.extra_pred_ids:
        text.append(f"; {len(result.extra_pred_ids)} predicted ids not in gold: ")
        text.append(", ".join(result.extra_pred_ids[:10]) + (" …" if len(result.extra_pred_ids) > 10 else ""))
    if result.missing_pred_ids:
        text.append("\nmissing from predictions: ", style="red")
        text.append(", ".join(result.missing_pred_ids[:10]) + (" …" if len(result.missing_pred_ids) > 10 else ""))
    return text


def render(result: EvaluationResult, console: Console, max_disagreements: int = 50) -> None:
    """Print a compact evaluation report to a rich Console."""
    console.rule(Text(f"dvt evaluate: {result.pred_path or 'pred'} vs {result.gold_path or 'gold'}"))
    console.print(_summary_line(result))
    if result.n_reports == 0 or result.label is None:
        console.print(Text("No gold reports to evaluate; no metrics computed.", style="bold yellow"))
        _print_notes(result, console)
        return
    sections: list[Any] = [_headline(result), _per_label(result), _confusion(result), _binary(result)]
    seg = _segments(result)
    if seg is not None:
        sections.append(seg)
    for section in sections:
        console.print(section)
    _print_notes(result, console)
    if result.disagreements and max_disagreements > 0:
        console.print(_disagreements(result, max_disagreements))
    elif not result.disagreements:
        console.print(Text("No disagreements.", style="green"))


def _print_notes(result: EvaluationResult, console: Console) -> None:
    for note in result.notes:
        console.print(Text(f"note: {note}", style="dim"))
