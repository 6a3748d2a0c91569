"""Read a processed Doc into plain :class:`~pipeline.core.model.Sentence` values for the pure resolver.

This adapter only extracts what needs the Doc: the token table, medspaCy's ``doc._.sections``
(a side heading such as "LEFT LEG:" keeps the report section it stands in), the targets and the
ConText modifiers, read from the plain ``doc._.dvt_modifiers`` edges keyed by each target's token
offsets, never from ``Span._`` (which spaCy shares between spans on the same offsets). The
decisions on them are pure: which section a sentence stands in (:mod:`pipeline.core.sections`),
which targets to keep and how to amend them (:mod:`pipeline.core.reading`).
"""
from __future__ import annotations

from dataclasses import replace

from spacy.attrs import IDX, IS_SPACE, LENGTH, LOWER, SENT_START
from spacy.tokens import Doc

from ..core.model import Mention, Modifier, Sentence
from ..core.reading import (CHECKABLE, Tokens, answered_no, diagnosed_now, ellipses, hedged_answer, later_exam, names_means,
                            quoted_spans, unchecked, whole_leg)
from ..core.sections import Part, SectionTracker
from ..rules import RuleSet, Term
from .extensions import MODIFIERS_ATTRIBUTE, TARGETS_ATTRIBUTE

_HEADING_SIDES = {"side_right": "right", "side_left": "left"}
_SIDED_SECTIONS = ("preliminary", "findings", "impression", "addendum")


def _section_map(doc: Doc, offsets: list[int]) -> list[Part]:
    """The sections of the doc, in order."""
    out: list[Part] = []
    current, side = "findings", None
    for section in getattr(doc._, "sections", None) or []:
        category = section.category or "findings"
        meta = {}
        if category in _HEADING_SIDES:
            side = _HEADING_SIDES[category]
            if current not in _SIDED_SECTIONS:
                current = "findings"
        else:
            current, side = category, None
            meta = (section.rule.metadata if section.rule else None) or {}
        start = section.section_span[0]
        offset = offsets[start] if start < len(offsets) else 0
        out.append(Part(start, offset, current, side, meta.get("after_findings"), bool(meta.get("one_sentence"))))
    return out or [Part(0, 0, "findings", None, None, False)]


def _tokens(doc: Doc, text: str) -> Tokens:
    """Token texts, offsets and sentence starts, read in one pass over the doc (each ``doc[i]``
    makes a new Python object, so the hot path reads plain lists)."""
    table = doc.to_array([IDX, LENGTH, IS_SPACE, SENT_START]).astype("int64")
    strings = doc.vocab.strings
    return Tokens(
        text=text,
        offsets=table[:, 0].tolist(),
        ends=(table[:, 0] + table[:, 1]).tolist(),
        spaces=table[:, 2].astype(bool).tolist(),
        starts=[i for i, start in enumerate(table[:, 3].tolist()) if start == 1],
        lowers=[strings[h] for h in doc.to_array([LOWER]).tolist()],
    )


def _modifiers(doc: Doc, tokens: Tokens) -> dict[tuple[int, int], list[Modifier]]:
    found: dict[tuple[int, int], list[Modifier]] = {}
    for target_start, target_end, category, start, end, change in getattr(doc._, MODIFIERS_ATTRIBUTE, None) or ():
        begin, finish, text = tokens.chars(start, end)
        found.setdefault((target_start, target_end), []).append(Modifier(category, begin, finish, text, start, end, change))
    return found


def _mention(start: int, end: int, term: Term, modifiers: list[Modifier], tokens: Tokens, disease: frozenset[str]) -> Mention:
    begin, finish = tokens.offsets[start], tokens.ends[end - 1]  # tokens.chars, inlined: ~23 per report
    return Mention(
        kind=term.kind, value=term.value, start=begin, end=finish, text=tokens.text[begin:finish],
        tok_start=start, tok_end=end, group=term.group, acuity=term.acuity,
        occlusion=term.occlusion, junction=term.junction, implies=term.implies, covers=term.covers, change=term.change,
        disease=term.kind == "thrombus" and term.value in disease,
        modifiers=tuple(sorted(modifiers, key=lambda m: (m.start, m.category)) if len(modifiers) > 1 else modifiers),
    )




def read_sentences(doc: Doc, rules: RuleSet, text: str | None = None) -> list[Sentence]:
    """The doc's sentences with their section, heading side, paragraph and mentions.

    ``text`` is ``doc.text`` when the caller has it already (spaCy rebuilds it on every access).
    """
    text = doc.text if text is None else text
    terms = rules.terms
    targets = getattr(doc._, TARGETS_ATTRIBUTE, None) or []
    tokens = _tokens(doc, text)
    lowers, offsets, spaces, starts = tokens.lowers, tokens.offsets, tokens.spaces, tokens.starts
    parts = _section_map(doc, offsets)
    lexicon = rules.lexicon
    tracker = SectionTracker(text, parts, lexicon, rules.history_cues)
    mods = _modifiers(doc, tokens)
    quoted = quoted_spans(text, lexicon)
    boxes = "[" in text or any(c in text for c in lexicon.boxes)  # else no check box to read
    aliases, history, whole_before = rules.aliases, rules.history_cues, rules.whole_before
    qualifiers, studies, results, confirming, means, past = rules.later_exam
    sentences: list[Sentence] = []
    cursor = 0
    for sent_start, sent_end in zip(starts, starts[1:] + [len(doc)]):
        first = sent_start if not spaces[sent_start] else next((i for i in range(sent_start, sent_end) if not spaces[i]), None)
        if first is None:
            continue
        index, paragraph, section = tracker.by_layout(first, offsets[first], offsets[sent_start])
        while cursor < len(targets) and targets[cursor][0] < sent_start:
            cursor += 1
        inside = []
        j = cursor
        while j < len(targets) and targets[j][0] < sent_end:
            start, end, term = targets[j]
            j += 1
            if quoted and any(a <= offsets[start] < b for a, b in quoted):
                continue  # a quotation of another report
            found = terms[term]
            if found.kind in ("not_side", "not_cue"):
                continue  # "right at the SFJ", "DVT prophylaxis": they only outmatch the side word or cue
            if boxes and found.kind in CHECKABLE and unchecked(lowers, start, lexicon):
                continue  # "[ ] Right  [x] Left", "CFV [x] compressible [ ] thrombus": a box left empty on a worksheet
            mention = _mention(start, end, found, mods.get((start, end), []), tokens, history)
            if boxes and found.kind in ("thrombus", "normal") and answered_no(tokens, end, lexicon):  # "DVT present: [ ] Yes [X] No"
                mention = replace(mention, kind="normal" if found.kind == "thrombus" else "thrombus", disease=False)
            elif found.kind == "thrombus" and (hedge := hedged_answer(tokens, end, lexicon)) is not None:
                mention = replace(mention, modifiers=mention.modifiers + (hedge,))  # "Thrombus: Possible"
            inside.append(mention)
        if whole_before and inside:
            inside = whole_leg(inside, tokens, whole_before, lexicon.determiners)
        extra = ellipses(inside, tokens, aliases) if inside else None
        if extra:  # the targets come sorted by position
            inside += extra
            inside.sort(key=lambda m: (m.tok_start, m.tok_end))
        words = tuple(lowers[sent_start:sent_end])
        later = None
        if not qualifiers.isdisjoint(words):
            dated = not past.isdisjoint(words) or any(lexicon.year.match(w) for w in words)  # "a repeat duplex 2 years ago": an earlier exam
            later = None if dated else later_exam(tokens, sent_start, sent_end, qualifiers, studies, results)
        if inside and "diagnosed" in words and names_means(words, means, studies):
            inside = [diagnosed_now(m) for m in inside]  # "diagnosed with a popliteal DVT on duplex": this exam's
        sentences.append(tracker.by_content(Sentence(
            start=offsets[first], end=tokens.ends[sent_end - 1], tok_start=sent_start, tok_end=sent_end,
            section=section, heading_side=parts[index].side, paragraph=paragraph, section_index=index,
            tokens=words, mentions=tuple(inside), later_exam=later, confirms=later is not None and not confirming.isdisjoint(words), names_study=not studies.isdisjoint(words),
        )))
    return sentences
