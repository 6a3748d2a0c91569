"""Read a processed Doc into plain :class:`~pipeline.model.Sentence` values for the pure resolver.

Sections come from medspaCy's ``doc._.sections``; a side heading ("LEFT LEG:") keeps the
report section it stands in. Text before the first header is the exam title when headers
follow and it holds no cue, otherwise findings (one-line results). ConText modifiers are
read from the ConText graph's edges, keyed by each target's offsets and label, never from
``Span._`` (which spaCy shares between spans on the same offsets).
"""
from __future__ import annotations

import bisect
import re

from spacy.tokens import Doc, Span

from ..model import Mention, Modifier, Sentence
from ..rules import Term
from .targets import SPAN_GROUP

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_HEADING_SIDES = {"side_right": "right", "side_left": "left"}
_SIDED_SECTIONS = ("findings", "impression", "addendum")
_PREAMBLE_SECTIONS = ("exam", "indication", "comparison")


def _section_map(doc: Doc, targets: list[Span], terms: tuple[Term, ...]) -> list[tuple[int, str, str | None]]:
    """(start token, report section, heading side) for each section of the doc, in order."""
    sections = list(getattr(doc._, "sections", None) or [])
    out: list[tuple[int, str, str | None]] = []
    current, side = "findings", None
    for index, section in enumerate(sections):
        start = section.section_span[0]
        category = section.category
        if category is None:
            has_cue = any(terms[int(t.kb_id_)].kind in ("thrombus", "normal") and t.start < section.section_span[1] for t in targets)
            category = "exam" if len(sections) > 1 and not has_cue else "findings"
        if category in _HEADING_SIDES:
            side = _HEADING_SIDES[category]
            if current not in _SIDED_SECTIONS:
                current = "findings"
        else:
            current, side = category, None
        out.append((start, current, side))
    return out or [(0, "findings", None)]


def _modifiers(doc: Doc) -> dict[tuple[int, int, str], list[Modifier]]:
    graph = getattr(doc._, "context_graph", None)
    found: dict[tuple[int, int, str], list[Modifier]] = {}
    for target, modifier in graph.edges if graph else ():
        start, end = modifier.modifier_span
        span = doc[start:end]
        found.setdefault((target.start, target.end, target.label_), []).append(
            Modifier(modifier.category, span.start_char, span.end_char, span.text, start, end)
        )
    return found


def _mention(span: Span, term: Term, modifiers: list[Modifier]) -> Mention:
    return Mention(
        kind=term.kind, value=term.value, start=span.start_char, end=span.end_char, text=span.text,
        tok_start=span.start, tok_end=span.end, group=term.group, acuity=term.acuity,
        occlusion=term.occlusion, junction=term.junction, implies=term.implies,
        modifiers=tuple(sorted(modifiers, key=lambda m: (m.start, m.category))),
    )


def read_sentences(doc: Doc, terms: tuple[Term, ...]) -> list[Sentence]:
    """The doc's sentences with their section, heading side, paragraph and mentions."""
    targets = list(doc.spans[SPAN_GROUP]) if SPAN_GROUP in doc.spans else []
    sections = _section_map(doc, targets, terms)
    section_starts = [s[0] for s in sections]
    blank_lines = [m.start() for m in _BLANK_LINE.finditer(doc.text)]
    mods = _modifiers(doc)
    sentences = []
    cursor = 0
    for sent in doc.sents:
        if sent.text.isspace():
            continue
        first = next((t.i for t in sent if not t.is_space), sent.start)
        header_start, section, side = sections[max(bisect.bisect_right(section_starts, first) - 1, 0)]
        paragraph = bisect.bisect_right(blank_lines, sent.start_char)
        if section in _PREAMBLE_SECTIONS and paragraph > bisect.bisect_right(blank_lines, doc[header_start].idx):
            section = "findings"  # a history or title paragraph ends at a blank line
        while cursor < len(targets) and targets[cursor].start < sent.start:
            cursor += 1
        inside = []
        j = cursor
        while j < len(targets) and targets[j].start < sent.end:
            span = targets[j]
            inside.append(_mention(span, terms[int(span.kb_id_)], mods.get((span.start, span.end, span.label_), [])))
            j += 1
        sentences.append(Sentence(
            start=doc[first].idx, end=sent.end_char, tok_start=sent.start, tok_end=sent.end,
            section=section, heading_side=side,
            paragraph=paragraph,
            tokens=tuple(t.lower_ for t in sent), mentions=tuple(inside),
        ))
    return sentences
