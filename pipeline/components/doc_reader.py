"""Read a processed Doc into plain :class:`~pipeline.model.Sentence` values for the pure resolver.

Sections come from medspaCy's ``doc._.sections``; a side heading ("LEFT LEG:") keeps the
report section it stands in. Text before the first header is findings, but for a first line
that names the exam (the title). An indication that goes on to describe the exam
("indication: leg swelling. the CFV is compressible") has drifted into findings. ConText modifiers are
read from the ConText graph's edges, keyed by each target's offsets and label, never from
``Span._`` (which spaCy shares between spans on the same offsets).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import replace

from spacy.tokens import Doc, Span

from ..model import Mention, Modifier, Sentence
from ..rules import RuleSet, Term
from .targets import SPAN_GROUP

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_HEADING_SIDES = {"side_right": "right", "side_left": "left"}
_SIDED_SECTIONS = ("preliminary", "findings", "impression", "addendum")
_PREAMBLE_SECTIONS = ("exam", "indication", "comparison", "plan")
_EXAM_WORDS = re.compile(r"duplex|doppler|ultraso|sonogra|\bstudy\b|\bexam|worksheet|venous|\bUS\b|\bDVT study|pocus|point-of-care|\d-point|bedside|protocol|compression", re.IGNORECASE)


def _section_map(doc: Doc) -> list[tuple[int, str, str | None]]:
    """(start token, report section, heading side) for each section of the doc, in order."""
    out: list[tuple[int, str, str | None]] = []
    current, side = "findings", None
    for section in getattr(doc._, "sections", None) or []:
        category = section.category or "findings"
        if category in _HEADING_SIDES:
            side = _HEADING_SIDES[category]
            if current not in _SIDED_SECTIONS:
                current = "findings"
        else:
            current, side = category, None
        out.append((section.section_span[0], current, side))
    return out or [(0, "findings", None)]


def _is_title(sentence: Sentence, text: str) -> bool:
    """The first line of a report that names the exam ("RT LE DVT STUDY", "Right leg venous duplex.")."""
    line = text[sentence.start:sentence.end]
    followed = text[sentence.end:].strip() != ""
    if not followed or len(sentence.tokens) > 16:
        return False
    has_cue = any(m.kind in ("thrombus", "normal", "unassessable", "assessable") for m in sentence.mentions)
    letters = [c for c in line if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8
    newline = text.find("\n", sentence.start)
    ends_line = newline != -1 and newline <= sentence.end + 1
    return not has_cue or ((shouting or bool(_EXAM_WORDS.search(line))) and ends_line)


def _drifts_to_findings(sentence: Sentence, history_cues: frozenset[str]) -> bool:
    """An indication sentence that describes the exam ("the CFV is compressible") ends the indication."""
    if any(mod.category in ("HYPOTHETICAL", "HISTORICAL") for m in sentence.mentions for mod in m.modifiers):
        return False
    return any(m.kind in ("thrombus", "normal", "unassessable", "assessable") and m.value not in history_cues for m in sentence.mentions)


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


def _token_table(doc: Doc) -> tuple[list[str], list[int], list[bool], list[int]]:
    """Lower-cased text, character offset and is-space of every token, and sentence starts,
    read in one pass (each ``doc[i]`` makes a new Python object, so the hot path avoids it)."""
    lowers, offsets, spaces, starts = [], [], [], []
    for token in doc:
        lowers.append(token.lower_)
        offsets.append(token.idx)
        spaces.append(token.is_space)
        if token.is_sent_start:
            starts.append(token.i)
    return lowers, offsets, spaces, starts


def read_sentences(doc: Doc, rules: RuleSet, text: str | None = None) -> list[Sentence]:
    """The doc's sentences with their section, heading side, paragraph and mentions.

    ``text`` is ``doc.text`` when the caller has it already (spaCy rebuilds it on every access).
    """
    text = doc.text if text is None else text
    terms = rules.terms
    targets = list(doc.spans[SPAN_GROUP]) if SPAN_GROUP in doc.spans else []
    sections = _section_map(doc)
    section_starts = [s[0] for s in sections]
    blank_lines = [m.start() for m in _BLANK_LINE.finditer(text)]
    mods = _modifiers(doc)
    lowers, offsets, spaces, starts = _token_table(doc)
    sentences: list[Sentence] = []
    cursor = 0
    drifted: set[int] = set()
    for sent_start, sent_end in zip(starts, starts[1:] + [len(doc)]):
        first = next((i for i in range(sent_start, sent_end) if not spaces[i]), None)
        if first is None:
            continue
        last = sent_end - 1
        end_char = offsets[last] + len(lowers[last])
        index = max(bisect.bisect_right(section_starts, first) - 1, 0)
        header_start, section, side = sections[index]
        paragraph = bisect.bisect_right(blank_lines, offsets[sent_start])
        if section in _PREAMBLE_SECTIONS and paragraph > bisect.bisect_right(blank_lines, offsets[header_start] if header_start < len(offsets) else 0):
            section = "findings"  # a history or title paragraph ends at a blank line
        while cursor < len(targets) and targets[cursor].start < sent_start:
            cursor += 1
        inside = []
        j = cursor
        while j < len(targets) and targets[j].start < sent_end:
            span = targets[j]
            inside.append(_mention(span, terms[int(span.kb_id_)], mods.get((span.start, span.end, span.label_), [])))
            j += 1
        sentence = Sentence(
            start=offsets[first], end=end_char, tok_start=sent_start, tok_end=sent_end,
            section=section, heading_side=side, paragraph=paragraph, section_index=index,
            tokens=tuple(lowers[sent_start:sent_end]), mentions=tuple(inside),
        )
        if section == "indication" and (index in drifted or _drifts_to_findings(sentence, rules.history_cues)):
            drifted.add(index)
            sentence = replace(sentence, section="findings")
        if not sentences and section == "findings" and _is_title(sentence, text):
            sentence = replace(sentence, section="exam")
        sentences.append(sentence)
    return sentences
