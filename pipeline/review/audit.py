"""`dvt audit`: one self-contained, read-only HTML page summarising an extract output.

Label counts (report and side labels, errors), finding counts by group and status, and the first
few reports of each label with their evidence highlighted (the review app's renderer and
stylesheet, inlined: no script, no CDN, works offline). The page is built in one pass over the
output (memory holds only the counts and the examples) and is byte-identical for the same input.
The examples quote report text: share the page only where the reports may go.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..core.change import CHANGES
from ..core.record import FindingRecord, Record
from ..evaluation.types import LABELS, SIDES
from ..io.guard import check_outputs
from ..io.writers import write_private
from .highlight import Styler, class_attrs, comparison_title, escape, finding_title, legend_html, record_marks, render_html
from .loading import records_with_texts
from .section_spans import section_headers
from .server import static_file

ERROR = "ERROR"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"  # the page runs no script


class AuditSummary:
    """Counts and examples gathered from the records, in order."""

    def __init__(self, examples_per_label: int) -> None:
        self.per_label = examples_per_label
        self.labels: Counter[str] = Counter()
        self.sides: dict[str, Counter[str]] = {side: Counter() for side in SIDES}
        self.findings: Counter[tuple[str, str]] = Counter()
        self.changes: Counter[tuple[str, str]] = Counter()  # (change, status) of decisive findings
        self.comparisons: Counter[str] = Counter()
        self.scopes: dict[str, Counter[str]] = {side: Counter() for side in SIDES}
        self.examples: dict[str, list[tuple[Record, str | None]]] = {}
        self.versions: set[str] = set()
        self.total = 0

    def add(self, record: Record, text: str | None) -> None:
        self.total += 1
        label = record.get("label") or ERROR
        self.labels[label] += 1
        for side in SIDES:
            self.sides[side][(record.get("side_labels") or {}).get(side) or "not examined"] += 1
        for finding in record.get("findings") or ():
            self.findings[(finding["group"], finding["status"])] += 1
            if change := finding.get("change"):
                self.changes[(change, finding["status"])] += 1
        comparison = record.get("comparison")
        self.comparisons[(comparison.get("source") if comparison else None) or "not stated"] += 1
        for side in SIDES:
            self.scopes[side][(record.get("scope") or {}).get(side) or "not examined"] += 1
        self.versions.add(f"dvt-duplex {record.get('pipeline_version')} rules {record.get('rules_hash')}")
        kept = self.examples.setdefault(label, [])
        if len(kept) < self.per_label:
            kept.append((record, text))


def _table(head: list[str], rows: Sequence[Sequence[object]]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="counts"><tr>{cells}</tr>{body}</table>'


def sides_text(record: Record) -> str:
    """``left PROXIMAL, right NEGATIVE``: the side labels of the sides the report examines."""
    return ", ".join(f"{s} {record['side_labels'][s]}" for s in SIDES if (record.get("side_labels") or {}).get(s)) or "no side examined"


def finding_caption(finding: FindingRecord) -> str:
    """A finding and the words it stands on: ``popliteal · left · present (section: findings): “popliteal vein”``."""
    return f"{finding_title(finding)}: “{finding['evidence']['text']}”"


def example_html(record: Record, text: str | None, style: Styler | None = None) -> str:
    """One report as the audit page shows it: id, labels, the text with its evidence marked and the
    decisive findings; ``style`` inlines the look of each class (see :func:`render_html`)."""
    def cls(*classes: str) -> str:
        return class_attrs(classes, style)

    comparison = record.get("comparison")
    compared = comparison_title(comparison) if comparison else "no comparison"
    head = (f"<h4>Report {escape(str(record.get('id')))} — {escape(record.get('label') or ERROR)} "
            f"<span {cls('muted')}>({escape(sides_text(record))}; {escape(compared)})</span></h4>")
    if record.get("error"):
        return f'<div {cls("example")}>{head}<p {cls("error")}>{escape(record["error"])}</p></div>'
    body = (f'<pre {cls("report-text")}>{render_html(text, record_marks(record, section_headers(text)), style)}</pre>' if text is not None
            else f'<p {cls("muted")}>Report text not available (run dvt audit with --input).</p>')
    items = "".join(f"<li>{escape(finding_caption(f))}</li>" for f in record.get("findings") or ())
    return f'<div {cls("example")}>{head}{body}<ol {cls("findings")}>{items or "<li>No findings.</li>"}</ol></div>'


def render_audit(summary: AuditSummary, source: str, extra: str = "") -> str:
    """The page; ``extra`` is more HTML for the end (the surveillance section, already escaped)."""
    label_rows = [[label, summary.labels.get(label, 0), f"{summary.labels.get(label, 0) / summary.total:.1%}" if summary.total else "—"]
                  for label in (*LABELS, ERROR)]
    side_values = ["not examined", *LABELS]
    side_rows = [[side, *(summary.sides[side].get(v, 0) for v in side_values)] for side in SIDES]
    groups = sorted({g for g, _ in summary.findings})
    statuses = sorted({s for _, s in summary.findings})
    finding_rows = [[g, *(summary.findings.get((g, s), 0) for s in statuses)] for g in groups]
    change_rows = [[c, *(summary.changes.get((c, s), 0) for s in ("present", "possible", "absent"))] for c in CHANGES]
    comparison_rows = [[source, summary.comparisons.get(source, 0)] for source in ("prior", "outside", "none", "not stated")]
    scope_values = ["not examined", "complete", "proximal_only", "calf_only", "limited"]
    scope_rows = [[side, *(summary.scopes[side].get(v, 0) for v in scope_values)] for side in SIDES]
    examples = "".join(
        f"<h3>{escape(label)} ({summary.labels.get(label, 0)})</h3>" + "".join(example_html(r, t) for r, t in summary.examples[label])
        for label in (*LABELS, ERROR) if summary.examples.get(label))
    css = static_file("review.css").decode("utf-8")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>dvt audit: {escape(source)}</title>
<style>{css}</style></head>
<body><main class="audit">
<h1>dvt audit: {escape(source)}</h1>
<p class="muted">{summary.total} reports · {escape("; ".join(sorted(summary.versions)))}</p>
<h2>Report labels</h2>{_table(["label", "reports", "share"], label_rows)}
<h2>Side labels</h2>{_table(["side", *side_values], side_rows)}
<h2>Decisive findings by segment group and status</h2>{_table(["group", *statuses], finding_rows)}
<h2>Follow-up</h2>{_table(["change", "present", "possible", "absent"], change_rows)}
{_table(["comparison", "reports"], comparison_rows)}
{_table(["side scope", *scope_values], scope_rows)}
<h2>Examples</h2>
<p class="muted">The first {summary.per_label} reports of each label, in output order. Hover a highlight for its finding.</p>
{legend_html()}
{examples}
{extra}
</main></body></html>
"""


def write_audit(output: str, destination: str, input_path: str | None = None, id_col: str = "id", text_col: str = "text",
                examples_per_label: int = 3, course: str | None = None, course_patients: int = 8) -> dict:
    """Build the audit page for ``output`` (dvt extract JSONL) into ``destination``; ``course``: a dvt course output to summarise too."""
    for source in (output, input_path):
        if source is not None:
            check_outputs(source, [destination, f"{destination}.tmp"])  # never write the page over what it reads
    summary = AuditSummary(examples_per_label)
    for record, text in records_with_texts(Path(output), input_path, id_col, text_col, require_text=False):
        summary.add(record, text)
    extra = ""
    if course:
        from .course_audit import course_section

        extra = course_section(course, course_patients)
    page = render_audit(summary, Path(output).name, extra)
    write_private(destination, page)  # it quotes report text: 0600
    return {"reports": summary.total, "labels": dict(summary.labels)}
