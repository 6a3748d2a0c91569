"""Read a processed Doc into plain :class:`~pipeline.core.model.Sentence` values for the pure resolver.

Sections come from medspaCy's ``doc._.sections``; a side heading ("LEFT LEG:") keeps the
report section it stands in. Text before the first header is findings, but for a first line
that names the exam (the title). An indication that goes on to describe the exam
("indication: leg swelling. the CFV is compressible") has drifted into findings. ConText modifiers are
read from the plain ``doc._.dvt_modifiers`` edges, keyed by each target's token offsets,
never from ``Span._`` (which spaCy shares between spans on the same offsets).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import replace
from typing import NamedTuple

from spacy.attrs import IDX, IS_SPACE, LENGTH, LOWER, SENT_START
from spacy.tokens import Doc

from ..core.change import change_of
from ..core.lexicon import Lexicon
from ..core.model import WHOLE_DEEP, Mention, Modifier, Sentence
from ..rules import RuleSet, Term
from .extensions import MODIFIERS_ATTRIBUTE, TARGETS_ATTRIBUTE

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_HEADING_SIDES = {"side_right": "right", "side_left": "left"}
_SIDED_SECTIONS = ("preliminary", "findings", "impression", "addendum")
_PREAMBLE_SECTIONS = ("exam", "indication", "comparison", "plan")
_ONE_LINE_SECTIONS = ("exam", "comparison")


class _Part(NamedTuple):
    """A section of the doc as the reader needs it."""

    start: int  # token where its header starts
    section: str  # the report section
    side: str | None  # the side of a side heading
    late: str | None  # the section its header means once findings were read ("Diagnosis:")
    one_sentence: bool  # the header opens a sentence, not a section ("Comparison is made to ...")


def _section_map(doc: Doc) -> list[_Part]:
    """The sections of the doc, in order."""
    out: list[_Part] = []
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
        out.append(_Part(section.section_span[0], current, side, meta.get("after_findings"), bool(meta.get("one_sentence"))))
    return out or [_Part(0, "findings", None, None, False)]


def _lines_after_header(text: str, header_offset: int, position: int) -> int:
    """How many lines below the header's line a position is; a bare header line
    ("INDICATION:" alone) lends its content line to the header."""
    between = text[header_offset:position]
    lines = between.count("\n")
    first_line = text[header_offset: text.find("\n", header_offset) if "\n" in text[header_offset:] else len(text)]
    bare = first_line.rstrip().endswith(":") and len(first_line.split()) <= 4
    return max(lines - (1 if bare and lines else 0), 0)


def _is_title(sentence: Sentence, text: str, lexicon: Lexicon) -> bool:
    """The first line of a report that names the exam ("RT LE DVT STUDY", "Right leg venous duplex.")."""
    line = text[sentence.start:sentence.end]
    followed = text[sentence.end:].strip() != ""
    if not followed or len(sentence.tokens) > 24:
        return False
    has_cue = any(m.kind in ("thrombus", "normal", "unassessable", "assessable") for m in sentence.mentions)
    letters = [c for c in line if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8
    newline = text.find("\n", sentence.start)
    ends_line = newline != -1 and newline <= sentence.end + 1
    return ends_line and (not has_cue or shouting or bool(lexicon.exam_words.search(line)))


def _drifts_to_findings(sentence: Sentence, history_cues: frozenset[str], lexicon: Lexicon) -> bool:
    """An indication sentence that describes the exam ("the CFV is compressible") or reports its
    result ("BLE dopplers ordered to r/o DVT: no evidence of DVT") ends the indication."""
    cues = [m for m in sentence.mentions if m.kind in ("thrombus", "normal", "unassessable", "assessable")
            and not m.not_current]
    if any(m.value not in history_cues for m in cues):
        return True
    return bool(cues) and any(t in lexicon.study_nouns for t in sentence.tokens)


def _names_means(words: tuple[str, ...], means: frozenset[str], studies: frozenset[str]) -> bool:
    """"on duplex", "by ultrasound", "on a bedside ultrasound": the exam named as the means."""
    words = tuple(w for w in words if not w.isspace())
    return any(w in means and not studies.isdisjoint(words[i + 1:i + 4]) for i, w in enumerate(words))


def _diagnosed_now(m: Mention) -> Mention:
    """A mention without the history that "diagnosed with" gave it."""
    kept = tuple(x for x in m.modifiers if not (x.category == "HISTORICAL" and "diagnosed" in x.text.lower()))
    return m if len(kept) == len(m.modifiers) else replace(m, modifiers=kept)


_UNASSERTED = frozenset({"POSSIBLE_EXISTENCE", "HYPOTHETICAL", "HISTORICAL", "NEGATED_EXISTENCE"})


def _asserts(sentence: Sentence) -> bool:
    """A sentence that asserts a thrombus: a thrombus cue that no hedge, request, history or
    negation reaches ("acute DVT of the left PTV", not "?DVT", "r/o DVT", "h/o DVT")."""
    return any(m.kind == "thrombus" and _UNASSERTED.isdisjoint(x.category for x in m.modifiers) for m in sentence.mentions)




def _speaks_of_today(sentence: Sentence, lexicon: Lexicon) -> bool:
    """A later sentence on a COMPARISON line that reports this exam: "Comparison: outside duplex of
    9/2. Today there is new thrombus in the CFV." (a time word, or a stated change)."""
    return any(t in lexicon.today_words for t in sentence.tokens) or any(m.change or any(change_of(x) for x in m.modifiers) for m in sentence.mentions)


class _Tokens:
    """Token texts, offsets and sentence starts, read in one pass over the doc (each ``doc[i]``
    makes a new Python object, so the hot path reads plain lists)."""

    def __init__(self, doc: Doc, text: str) -> None:
        self.text = text
        table = doc.to_array([IDX, LENGTH, IS_SPACE, SENT_START]).astype("int64")
        self.offsets: list[int] = table[:, 0].tolist()
        self.ends: list[int] = (table[:, 0] + table[:, 1]).tolist()
        self.spaces: list[bool] = table[:, 2].astype(bool).tolist()
        self.starts: list[int] = [i for i, start in enumerate(table[:, 3].tolist()) if start == 1]
        strings = doc.vocab.strings
        self.lowers: list[str] = [strings[h] for h in doc.to_array([LOWER]).tolist()]

    def chars(self, start: int, end: int) -> tuple[int, int, str]:
        """Character span and text of tokens [start, end)."""
        begin, finish = self.offsets[start], self.ends[end - 1]
        return begin, finish, self.text[begin:finish]


_CHECKABLE = frozenset({"side", "thrombus", "normal", "unassessable", "assessable"})
_BOX_REACH = 6  # words from a box to the end of its item ("[ ] Positive for DVT")


def _box_at(tokens: _Tokens, end: int, lexicon: Lexicon) -> bool | None:
    """The check box that ends right before token ``end``: ticked (True), empty (False) or none."""
    lowers = tokens.lowers
    if end >= 1 and lowers[end - 1] in lexicon.boxes:
        return lowers[end - 1] not in lexicon.empty_boxes
    if end >= 2 and lowers[end - 1] == "]":
        inner = lowers[end - 2]
        if inner == "[" or (inner.isspace() and end >= 3 and lowers[end - 3] == "["):
            return False
        return True if inner in lexicon.ticks and end >= 3 and lowers[end - 3] == "[" else None
    return None


def _unchecked(tokens: _Tokens, start: int, lexicon: Lexicon) -> bool:
    """Whether a token stands in the item of an empty check box on its line ("[ ] Right",
    "☐ Right", "[ ] Positive for DVT"); the nearest box before it decides."""
    for i in range(start, max(start - _BOX_REACH, 1) - 1, -1):
        if "\n" in tokens.lowers[i - 1]:
            return False  # an item ends at its line
        box = _box_at(tokens, i, lexicon)
        if box is not None:
            return not box
    return False


def _answered_no(tokens: _Tokens, end: int, lexicon: Lexicon) -> bool | None:
    """A question answered by boxes after it on its line ("DVT present: [ ] Yes [X] No"):
    True when the ticked box says no, None when no box follows, False otherwise."""
    boxes = []
    for i in range(end, min(end + 12, len(tokens.lowers))):
        if "\n" in tokens.lowers[i]:
            break
        box = _box_at(tokens, i, lexicon)
        if box is not None:
            boxes.append((box, tokens.lowers[i] if not tokens.spaces[i] else ""))
        elif not boxes and i - end > 4:
            return None  # the boxes must follow the question ("Thrombus seen: [ ] ...")
    if not boxes:
        return None
    return any(ticked and word in lexicon.no_answers for ticked, word in boxes)




def _hedged_answer(tokens: _Tokens, end: int, lexicon: Lexicon) -> Modifier | None:
    """A thrombus cell answered with a hedge ("Thrombus: Possible | Flow: ..."): that answer
    makes the cue possible, as "possible thrombus" would."""
    i = end + (end < len(tokens.lowers) and tokens.spaces[end])
    if i + 1 >= len(tokens.lowers) or tokens.lowers[i] != ":":
        return None
    j = i + 1 + (tokens.spaces[i + 1] and "\n" not in tokens.lowers[i + 1])
    if j >= len(tokens.lowers) or tokens.lowers[j] not in lexicon.hedged_answers:
        return None
    begin, finish, text = tokens.chars(j, j + 1)
    return Modifier("POSSIBLE_EXISTENCE", begin, finish, text, j, j + 1)


def _modifiers(doc: Doc, tokens: _Tokens) -> dict[tuple[int, int], list[Modifier]]:
    found: dict[tuple[int, int], list[Modifier]] = {}
    for target_start, target_end, category, start, end, change in getattr(doc._, MODIFIERS_ATTRIBUTE, None) or ():
        begin, finish, text = tokens.chars(start, end)
        found.setdefault((target_start, target_end), []).append(Modifier(category, begin, finish, text, start, end, change))
    return found


def _mention(start: int, end: int, term: Term, modifiers: list[Modifier], tokens: _Tokens, disease: frozenset[str]) -> Mention:
    begin, finish = tokens.offsets[start], tokens.ends[end - 1]  # tokens.chars, inlined: ~23 per report
    return Mention(
        kind=term.kind, value=term.value, start=begin, end=finish, text=tokens.text[begin:finish],
        tok_start=start, tok_end=end, group=term.group, acuity=term.acuity,
        occlusion=term.occlusion, junction=term.junction, implies=term.implies, covers=term.covers, change=term.change,
        disease=term.kind == "thrombus" and term.value in disease,
        modifiers=tuple(sorted(modifiers, key=lambda m: (m.start, m.category)) if len(modifiers) > 1 else modifiers),
    )




def _quoted_spans(text: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    """A report quoting an earlier one ('the original report described "thrombus in ..."') or a
    patient's words (pt states 'they found a clot'): the quotation holds no finding. A note
    quoting a whole result is read as usual; single quotes count only for a patient's words."""
    if '"' not in text and "“" not in text and "'" not in text and "‘" not in text:
        return []
    spans = []
    for m in lexicon.quoted.finditer(text):
        before = text[max(m.start() - 40, 0):m.start()]
        if lexicon.hearsay.search(before) or (m.group()[0] in '"“' and lexicon.quoting.search(before)):
            spans.append((m.start(), m.end()))
    return spans


def _ellipses(mentions: list[Mention], tokens: "_Tokens", aliases: dict[str, Term]) -> list[Mention]:
    """"common and external iliac veins", "anterior and posterior tibial veins": the first
    adjective names a vein too; with the last head noun alone when the whole head makes no vein
    ("sural and common femoral veins": the sural veins)."""
    extra = []
    covered = None
    for m in mentions:
        if m.kind != "segment" or m.tok_start < 2 or tokens.lowers[m.tok_start - 1] not in ("and", "&", "/", ","):
            continue
        if covered is None:
            covered = {i for m in mentions for i in range(m.tok_start, m.tok_end)}
        if m.tok_start - 2 in covered:
            continue  # "external iliac and gastroc veins": the word before belongs to another vein
        adjective = tokens.lowers[m.tok_start - 2]
        heads = (tokens.lowers[k: m.tok_end] for k in range(m.tok_start + 1, m.tok_end))  # "muscular and superficial femoral veins": "muscular veins"
        term = next((t for head in heads if (t := aliases.get(" ".join([adjective, *head]))) is not None and t.kind == "segment"), None)
        if term is not None and term.kind == "segment" and term.value != m.value:
            begin, finish, text = tokens.chars(m.tok_start - 2, m.tok_start - 1)
            extra.append(replace(m, value=term.value, group=term.group, start=begin, end=finish, text=text, tok_start=m.tok_start - 2, tok_end=m.tok_start - 1))
    return extra




def _whole_leg(mentions: list[Mention], lowers: list[str], spaces: list[bool], words: frozenset[str], determiners: frozenset[str]) -> list[Mention]:
    """"DVT of the entire left leg", "thrombus throughout the left lower limb": a generic deep
    mention right after a whole-leg word (determiners and side words aside) names all its deep veins."""
    if not any(m.kind == "generic_deep" for m in mentions):
        return mentions
    sides = {i for m in mentions if m.kind == "side" for i in range(m.tok_start, m.tok_end)}
    out = []
    for m in mentions:
        if m.kind == "generic_deep" and m.value != WHOLE_DEEP:
            i = m.tok_start - 1
            while i >= 0 and (spaces[i] or i in sides or lowers[i] in determiners):
                i -= 1
            if i >= 0 and lowers[i] in words:
                m = replace(m, value=WHOLE_DEEP)
        out.append(m)
    return out


def _later_exam(tokens: "_Tokens", start: int, end: int, qualifiers: frozenset[str], studies: frozenset[str], results: frozenset[str]) -> int | None:
    """Where a told later exam starts in tokens [start, end), as a character offset: "a repeat duplex
    showed", "a formal duplex of the leg was negative", "two days later, ultrasound revealed":
    a qualifier up to 4 words before a study noun, and a result word after it ("repeat US in 1 week
    is recommended" is a plan)."""
    words = [i for i in range(start, end) if not tokens.spaces[i]]
    lowers = tokens.lowers
    for n, i in enumerate(words):
        if lowers[i] in qualifiers:
            study = next((m for m in range(n + 1, min(n + 5, len(words))) if lowers[words[m]] in studies), None)
            if study is not None and any(lowers[k] in results for k in words[study + 1:]):
                return tokens.offsets[i]
    return None


def read_sentences(doc: Doc, rules: RuleSet, text: str | None = None) -> list[Sentence]:
    """The doc's sentences with their section, heading side, paragraph and mentions.

    ``text`` is ``doc.text`` when the caller has it already (spaCy rebuilds it on every access).
    """
    text = doc.text if text is None else text
    terms = rules.terms
    targets = getattr(doc._, TARGETS_ATTRIBUTE, None) or []
    sections = _section_map(doc)
    section_starts = [s.start for s in sections]
    blank_lines = [m.start() for m in _BLANK_LINE.finditer(text)]
    tokens = _Tokens(doc, text)
    mods = _modifiers(doc, tokens)
    lowers, offsets, spaces, starts = tokens.lowers, tokens.offsets, tokens.spaces, tokens.starts
    lexicon = rules.lexicon
    quoted = _quoted_spans(text, lexicon)
    boxes = "[" in text or any(c in text for c in lexicon.boxes)  # else no check box to read
    aliases, history, whole_before = rules.aliases, rules.history_cues, rules.whole_before
    qualifiers, studies, results, confirming, means, past = rules.later_exam
    sentences: list[Sentence] = []
    cursor = 0
    drifted: set[int] = set()
    findings_read = False  # a sentence of findings with a mention came before
    opened: dict[int, int] = {}  # sentences read so far in each one-sentence section
    compared: set[int] = set()  # comparison sections whose first sentence has been read
    for sent_start, sent_end in zip(starts, starts[1:] + [len(doc)]):
        first = sent_start if not spaces[sent_start] else next((i for i in range(sent_start, sent_end) if not spaces[i]), None)
        if first is None:
            continue
        index = max(bisect.bisect_right(section_starts, first) - 1, 0)
        header_start, section, side, late, one_sentence = sections[index]
        if late and findings_read:
            section = late  # a teaching file's closing "Diagnosis:" states its finding, unlike a requisition's
        if one_sentence:
            opened[index] = opened.get(index, 0) + 1
            if opened[index] > 2:
                section = "findings"  # "Comparison with the May study was made. Thrombus is seen ...": the header and its sentence
        paragraph = bisect.bisect_right(blank_lines, offsets[sent_start])
        header_offset = offsets[header_start] if header_start < len(offsets) else 0
        if section in _PREAMBLE_SECTIONS and paragraph > bisect.bisect_right(blank_lines, header_offset):
            section = "findings"  # a history or title paragraph ends at a blank line
        elif section == "addendum" and not text[:header_offset].strip() and paragraph > bisect.bisect_right(blank_lines, header_offset):
            section = "findings"  # an addendum put on top of the report ends at a blank line; the original report follows
        elif section in _ONE_LINE_SECTIONS and _lines_after_header(text, header_offset, offsets[first]) > 0:
            section = "findings"  # "EXAM: ...", "Comparison: 03/2021." name one line; what follows is read
        elif section == "indication" and _lines_after_header(text, header_offset, offsets[first]) > 1:
            section = "findings"  # an indication is its header's line (or the line after a bare header)
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
            if boxes and found.kind in _CHECKABLE and _unchecked(tokens, start, lexicon):
                continue  # "[ ] Right  [x] Left", "CFV [x] compressible [ ] thrombus": a box left empty on a worksheet
            mention = _mention(start, end, found, mods.get((start, end), []), tokens, history)
            if boxes and found.kind in ("thrombus", "normal") and _answered_no(tokens, end, lexicon):  # "DVT present: [ ] Yes [X] No"
                mention = replace(mention, kind="normal" if found.kind == "thrombus" else "thrombus", disease=False)
            elif found.kind == "thrombus" and (hedge := _hedged_answer(tokens, end, lexicon)) is not None:
                mention = replace(mention, modifiers=mention.modifiers + (hedge,))  # "Thrombus: Possible"
            inside.append(mention)
        if whole_before and inside:
            inside = _whole_leg(inside, lowers, spaces, whole_before, lexicon.determiners)
        extra = _ellipses(inside, tokens, aliases) if inside else None
        if extra:  # the targets come sorted by position
            inside += extra
            inside.sort(key=lambda m: (m.tok_start, m.tok_end))
        words = tuple(lowers[sent_start:sent_end])
        dated = not past.isdisjoint(words) or any(lexicon.year.match(w) for w in words)  # "a repeat duplex 2 years ago": an earlier exam
        later = _later_exam(tokens, sent_start, sent_end, qualifiers, studies, results) if not qualifiers.isdisjoint(words) and not dated else None
        if inside and "diagnosed" in words and _names_means(words, means, studies):
            inside = [_diagnosed_now(m) for m in inside]  # "diagnosed with a popliteal DVT on duplex": this exam's
        sentence = Sentence(
            start=offsets[first], end=tokens.ends[sent_end - 1], tok_start=sent_start, tok_end=sent_end,
            section=section, heading_side=side, paragraph=paragraph, section_index=index,
            tokens=words, mentions=tuple(inside), later_exam=later, confirms=later is not None and not confirming.isdisjoint(words), names_study=not studies.isdisjoint(words),
        )
        if section == "comparison":
            if index in compared and _speaks_of_today(sentence, lexicon):
                sentence = replace(sentence, section="findings")
            compared.add(index)
        if late and section != late and _asserts(sentence):
            sentence = replace(sentence, section=late)  # "Diagnosis: acute DVT of the left PTV." states a finding, unlike "Diagnosis: ?DVT"
        elif section == "indication" and (index in drifted or _drifts_to_findings(sentence, rules.history_cues, lexicon)):
            drifted.add(index)
            sentence = replace(sentence, section="findings")
        if not sentences and section == "findings" and _is_title(sentence, text, lexicon):
            sentence = replace(sentence, section="exam")
        sentences.append(sentence)
        findings_read = findings_read or (sentence.section == "findings" and bool(sentence.mentions))
    return sentences
