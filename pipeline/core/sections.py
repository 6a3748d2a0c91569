"""Which report section each sentence stands in: pure, no spaCy.

The section headers give each sentence its first section; the layout and the words then move it:

    "EXAM: ...", "Comparison: 03/2021."   name one line; what follows is findings
    "INDICATION: leg swelling."           an indication is its header's line ...
    "... the CFV is compressible."        ... until it describes the exam (drift)
    "Comparison: ... Today there is ..."  a later sentence that speaks of this exam
    "Diagnosis: acute DVT of the PTV."    a closing header that asserts a finding
    "RT LE DVT STUDY"                     a first line that names the exam (the title)
    a blank line                          ends a history or title paragraph
"""
from __future__ import annotations

import bisect
import re
from dataclasses import replace
from typing import NamedTuple

from .change import change_of
from .lexicon import Lexicon
from .model import Section, Sentence, Side

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_PREAMBLE_SECTIONS = ("exam", "indication", "comparison", "plan")
_ONE_LINE_SECTIONS = ("exam", "comparison")
_CUE_KINDS = ("thrombus", "normal", "unassessable", "assessable")
_UNASSERTED = frozenset({"POSSIBLE_EXISTENCE", "HYPOTHETICAL", "HISTORICAL", "NEGATED_EXISTENCE"})


class Part(NamedTuple):
    """A section of the report, from its header on."""

    start: int  # token where its header starts
    offset: int  # character where its header starts
    section: Section  # the report section
    side: Side | None  # the side of a side heading ("LEFT LEG:")
    late: Section | None  # the section its header means once findings were read ("Diagnosis:")
    one_sentence: bool  # the header opens a sentence, not a section ("Comparison is made to ...")


def lines_after_header(text: str, header_offset: int, position: int) -> int:
    """How many lines below the header's line a position is; a bare header line
    ("INDICATION:" alone) lends its content line to the header."""
    between = text[header_offset:position]
    lines = between.count("\n")
    first_line = text[header_offset: text.find("\n", header_offset) if "\n" in text[header_offset:] else len(text)]
    bare = first_line.rstrip().endswith(":") and len(first_line.split()) <= 4
    return max(lines - (1 if bare and lines else 0), 0)


def is_title(sentence: Sentence, text: str, lexicon: Lexicon) -> bool:
    """The first line of a report that names the exam ("RT LE DVT STUDY", "Right leg venous duplex.")."""
    line = text[sentence.start:sentence.end]
    followed = text[sentence.end:].strip() != ""
    if not followed or len(sentence.tokens) > 24:
        return False
    has_cue = any(m.kind in _CUE_KINDS for m in sentence.mentions)
    letters = [c for c in line if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8
    newline = text.find("\n", sentence.start)
    ends_line = newline != -1 and newline <= sentence.end + 1
    return ends_line and (not has_cue or shouting or bool(lexicon.exam_words.search(line)))


def drifts_to_findings(sentence: Sentence, history_cues: frozenset[str], lexicon: Lexicon) -> bool:
    """An indication sentence that describes the exam ("the CFV is compressible") or reports its
    result ("BLE dopplers ordered to r/o DVT: no evidence of DVT") ends the indication."""
    cues = [m for m in sentence.mentions if m.kind in _CUE_KINDS and not m.not_current]
    if any(m.value not in history_cues for m in cues):
        return True
    return bool(cues) and any(t in lexicon.study_nouns for t in sentence.tokens)


def asserts(sentence: Sentence) -> bool:
    """A sentence that asserts a thrombus: a thrombus cue that no hedge, request, history or
    negation reaches ("acute DVT of the left PTV", not "?DVT", "r/o DVT", "h/o DVT")."""
    return any(m.kind == "thrombus" and _UNASSERTED.isdisjoint(x.category for x in m.modifiers) for m in sentence.mentions)


def speaks_of_today(sentence: Sentence, lexicon: Lexicon) -> bool:
    """A later sentence on a COMPARISON line that reports this exam: "Comparison: outside duplex of
    9/2. Today there is new thrombus in the CFV." (a time word, or a stated change)."""
    return any(t in lexicon.today_words for t in sentence.tokens) or any(m.change or any(change_of(x) for x in m.modifiers) for m in sentence.mentions)


class SectionTracker:
    """The section of each sentence of one report, read in order: :meth:`by_layout` before its
    mentions are read (it places the sentence), :meth:`by_content` once the sentence is built."""

    def __init__(self, text: str, parts: list[Part], lexicon: Lexicon, history_cues: frozenset[str]) -> None:
        self.text, self.parts, self.lexicon, self.history_cues = text, parts, lexicon, history_cues
        self.starts = [p.start for p in parts]
        self.blank_lines = [m.start() for m in _BLANK_LINE.finditer(text)]
        self.findings_read = False  # a sentence of findings with a mention came before
        self.read = 0  # sentences read so far
        self.opened: dict[int, int] = {}  # sentences read so far in each one-sentence section
        self.compared: set[int] = set()  # comparison sections whose first sentence has been read
        self.drifted: set[int] = set()  # indications that drifted into findings

    def paragraph(self, offset: int) -> int:
        """The blank-line-separated block a character stands in."""
        return bisect.bisect_right(self.blank_lines, offset)

    def by_layout(self, token: int, first: int, start: int) -> tuple[int, int, Section]:
        """(section index, paragraph, section) of a sentence that starts at character ``start``, its
        first word at token ``token``, character ``first``."""
        index = max(bisect.bisect_right(self.starts, token) - 1, 0)
        paragraph = bisect.bisect_right(self.blank_lines, start)
        part = self.parts[index]
        section = part.section
        if part.late and self.findings_read:
            section = part.late  # a teaching file's closing "Diagnosis:" states its finding, unlike a requisition's
        if part.one_sentence:
            self.opened[index] = self.opened.get(index, 0) + 1
            if self.opened[index] > 2:
                section = "findings"  # "Comparison with the May study was made. Thrombus is seen ...": the header and its sentence
        text, header = self.text, part.offset
        if section in _PREAMBLE_SECTIONS and paragraph > self.paragraph(header):
            section = "findings"  # a history or title paragraph ends at a blank line
        elif section == "addendum" and not text[:header].strip() and paragraph > self.paragraph(header):
            section = "findings"  # an addendum put on top of the report ends at a blank line; the original report follows
        elif section in _ONE_LINE_SECTIONS and lines_after_header(text, header, first) > 0:
            section = "findings"  # "EXAM: ...", "Comparison: 03/2021." name one line; what follows is read
        elif section == "indication" and lines_after_header(text, header, first) > 1:
            section = "findings"  # an indication is its header's line (or the line after a bare header)
        return index, paragraph, section

    def by_content(self, sentence: Sentence) -> Sentence:
        """The sentence, its section (from :meth:`by_layout`) moved by what it says."""
        section, index = sentence.section, sentence.section_index
        late = self.parts[index].late
        if section == "comparison":
            if index in self.compared and speaks_of_today(sentence, self.lexicon):
                sentence = replace(sentence, section="findings")
            self.compared.add(index)
        if late and section != late and asserts(sentence):
            sentence = replace(sentence, section=late)  # "Diagnosis: acute DVT of the left PTV." states a finding, unlike "Diagnosis: ?DVT"
        elif section == "indication" and (index in self.drifted or drifts_to_findings(sentence, self.history_cues, self.lexicon)):
            self.drifted.add(index)
            sentence = replace(sentence, section="findings")
        if not self.read and section == "findings" and is_title(sentence, self.text, self.lexicon):
            sentence = replace(sentence, section="exam")
        self.read += 1
        self.findings_read = self.findings_read or (sentence.section == "findings" and bool(sentence.mentions))
        return sentence
