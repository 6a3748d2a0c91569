"""Report text as HTML with its evidence marked: one renderer for the review app and the audit page.

Every finding of a record contributes marks: its vein mention (colored by segment group, and
styled by status), its thrombus/normal cue, the ConText modifiers that set its status and the
cue of its interval change; section headers and the report's comparison are marked too.
Overlapping marks are flattened into consecutive pieces, each
one ``<span>`` whose classes are the union of the marks covering it and whose ``data-f`` lists
the findings it belongs to (``f3`` = ``findings[3]``, ``s0`` = ``superseded_findings[0]``), so
the page can light up a finding's evidence together. Text is HTML-escaped; nothing here reads
anything but the record, the text and the section list. Every attribute is escaped (a tampered
record cannot add markup), and bidirectional control characters are shown as ``⟨U+202E⟩``.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..core.record import ComparisonRecord, FindingRecord, Record

THROMBUS_STATUSES = ("present", "possible", "historical", "hypothetical", "indication")
Styler = Callable[[tuple[str, ...]], str]  # CSS classes -> inline CSS declarations
LEGEND = (  # (classes, caption): what the marks look like
    (("mention", "g-proximal"), "proximal"), (("mention", "g-distal_axial"), "tibial/peroneal"),
    (("mention", "g-distal_muscular"), "calf muscle"), (("mention", "g-deep_unspecified"), "DVT, no vein"),
    (("mention", "g-superficial"), "superficial"), (("cue", "cue-thrombus"), "thrombus cue"),
    (("cue", "cue-normal"), "normal cue"), (("modifier",), "ConText modifier"), (("change",), "change cue"),
    (("comparison",), "comparison"), (("section",), "section"),
)
# Bidirectional controls reorder what the reader sees (a "Trojan Source" id or text): shown as escapes.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with each bidirectional control character shown as ``⟨U+202E⟩`` instead of obeyed."""
    return _BIDI.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def escape(value: object) -> str:
    """HTML-escaped (quotes too, so it is safe in an attribute) and bidi-visible text of ``value``."""
    return html.escape(visible(str(value)))


@dataclass(frozen=True)
class Mark:
    """A highlighted character range: CSS classes, the finding it belongs to, a hover text."""

    start: int
    end: int
    classes: tuple[str, ...]
    ref: str | None
    title: str


def finding_title(finding: FindingRecord) -> str:
    """segment · side · status · acuity · occlusion · change · section, for hovering."""
    parts = [finding.get("segment") or "DVT, no segment", finding["side"], finding["status"]]
    parts += [value for value in (finding.get("acuity"), finding.get("occlusion")) if value]
    parts += [f"change: {finding['change']}"] if finding.get("change") else []
    return " · ".join(parts) + f" (section: {finding.get('section') or 'none'})"


def _finding_marks(finding: FindingRecord, ref: str, superseded: bool) -> list[Mark]:
    evidence = finding["evidence"]
    title = finding_title(finding) + (" — superseded" if superseded else "")
    mention = ("mention", f"g-{finding['group']}", f"st-{finding['status']}") + (("superseded",) if superseded else ())
    marks = [Mark(evidence["start"], evidence["end"], mention, ref, title)]
    cue = evidence.get("cue")
    if cue and (cue["start"], cue["end"]) != (evidence["start"], evidence["end"]):
        kind = "cue-thrombus" if finding["status"] in THROMBUS_STATUSES else "cue-normal" if finding["status"] == "absent" else "cue-other"
        marks.append(Mark(cue["start"], cue["end"], ("cue", kind), ref, f"cue for {finding.get('segment') or 'DVT'}: {finding['status']}"))
    for modifier in evidence.get("modifiers") or ():
        category = modifier["category"]
        marks.append(Mark(modifier["start"], modifier["end"], ("modifier", f"mod-{category.lower()}"), ref, f"ConText {category}"))
    change_cue = evidence.get("change_cue")
    if change_cue and finding.get("change"):
        marks.append(Mark(change_cue["start"], change_cue["end"], ("change", f"change-{finding['change']}"), ref, f"change: {finding['change']}"))
    return marks


def comparison_title(comparison: ComparisonRecord) -> str:
    """"comparison: prior study of 3/1" for hovering and headings."""
    source = {"prior": "prior study", "outside": "outside study", "none": "none"}.get(comparison.get("source"), str(comparison.get("source")))
    return f"comparison: {source}" + (f" of {comparison['date']}" if comparison.get("date") else "")


def record_marks(record: Record, sections: list[dict] | None = None) -> list[Mark]:
    """Marks for section headers, decisive findings and superseded findings, in that order."""
    marks = [Mark(s["start"], s["end"], ("section",), None, f"section: {s['name']}") for s in sections or ()]
    c = record.get("comparison")
    if c:
        marks.append(Mark(c["start"], c["end"], ("comparison",), None, comparison_title(c)))
    for i, finding in enumerate(record.get("findings") or ()):
        marks += _finding_marks(finding, f"f{i}", superseded=False)
    for i, finding in enumerate(record.get("superseded_findings") or ()):
        marks += _finding_marks(finding, f"s{i}", superseded=True)
    return marks


def offset_problems(text: str, record: Record) -> list[str]:
    """Evidence whose offsets do not quote this text (a text that is not the one extracted)."""
    problems = []
    for key, findings in (("findings", record.get("findings")), ("superseded_findings", record.get("superseded_findings"))):
        for i, finding in enumerate(findings or ()):
            ev = finding["evidence"]
            spans = [ev, *([ev["cue"]] if ev.get("cue") else []), *(ev.get("modifiers") or ()), *([ev["change_cue"]] if ev.get("change_cue") else [])]
            if any(text[s["start"]:s["end"]] != s["text"] for s in spans):
                problems.append(f"{key}[{i}]: evidence offsets do not match the report text")
    c = record.get("comparison")
    if c and text[c["start"]:c["end"]] != c["text"]:
        problems.append("comparison: offsets do not match the report text")
    return problems


def class_attrs(classes: tuple[str, ...], style: Styler | None = None) -> str:
    """``class="..."``, plus the inline ``style="..."`` that ``style`` gives those classes."""
    inline = f' style="{escape(style(classes))}"' if style else ""
    return f'class="{escape(" ".join(classes))}"{inline}'


def legend_html(style: Styler | None = None) -> str:
    """The :data:`LEGEND` as a ``<div class="legend">`` of sample marks."""
    items = " ".join(f"<span {class_attrs(classes, style)}>{escape(caption)}</span>" for classes, caption in LEGEND)
    return f'<div {class_attrs(("legend",), style)}>{items}</div>'


def render_html(text: str, marks: list[Mark], style: Styler | None = None) -> str:
    """The text as escaped HTML, each marked piece in a ``<span>``; marks outside the text are dropped.

    ``style`` (classes -> CSS declarations) adds each piece's look as an inline ``style``, for
    pages without the stylesheet (:mod:`pipeline.display`)."""
    kept = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    cuts = sorted({0, len(text), *(m.start for m in kept), *(m.end for m in kept)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = html.escape(visible(text[a:b]), quote=False)
        covering = [m for m in kept if m.start <= a and b <= m.end]
        if not covering:
            out.append(piece)
            continue
        classes = _piece_classes(covering)
        refs = " ".join(dict.fromkeys(m.ref for m in covering if m.ref))
        title = "\n".join(dict.fromkeys(m.title for m in covering))
        ref_attr = f' data-f="{escape(refs)}"' if refs else ""
        out.append(f'<span {class_attrs(tuple(classes), style)}{ref_attr} title="{escape(title)}">{piece}</span>')
    return "".join(out)


def _piece_classes(covering: list[Mark]) -> list[str]:
    """Union of the covering marks' classes; of several mentions, the first (decisive before superseded) sets the look."""
    classes: dict[str, None] = {}
    mention_seen = False
    for mark in covering:
        if "mention" in mark.classes:
            if mention_seen:
                continue
            mention_seen = True
        classes.update(dict.fromkeys(mark.classes))
    return list(classes)
