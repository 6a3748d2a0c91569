"""Fast sentence boundaries for duplex reports: punctuation, line breaks, list items, FIELD: lines.

A line break ends a sentence unless it only wraps prose (the line ends in a lower-case word
or a comma and the next starts in lower case, or an all-capitals line of 50+ characters stops
mid-phrase; either way the next line is no "field:" line). A period ends a sentence unless it closes an
abbreviation ("Lt.", "approx."; ``abbreviations`` and ``abbreviations_before_lower`` of
``patterns/lexicon.json``). Orders of magnitude faster than PyRuSH.
"""
from __future__ import annotations

import numpy
from spacy.attrs import ORTH, SENT_START, SPACY
from spacy.language import Language
from spacy.tokens import Doc

from ..core.lexicon import Lexicon

_ENDERS = frozenset({".", "!", "?"})
WRAP_WIDTH = 50  # a line this long that stops mid-phrase was wrapped by the report system
_LAST_CHARS = frozenset(".!?")  # a token that ends otherwise never ends a sentence


class DuplexSentencizer:
    """Sets ``is_sent_start`` on every token."""

    def __init__(self, nlp: Language, lexicon: Lexicon, name: str = "dvt_sentences") -> None:
        self.name = name
        self.abbreviations = lexicon.abbreviations
        self.abbreviations_before_lower = lexicon.abbreviations_before_lower  # "femoral v. Interval resolution ...": they end a sentence before a capital

    @staticmethod
    def _wrapped(prev_word: str, next_word: str) -> bool:
        """Prose wrapped in lower case: the line ends in a lower-case word or a comma."""
        return bool(prev_word) and (prev_word[-1].islower() or prev_word[-1] == ",") and next_word[:1].islower()

    @staticmethod
    def _wrapped_capitals(prev_word: str, texts: list[str], table: list[list[int]], line_start: int, newline: int) -> bool:
        """An all-capitals line of WRAP_WIDTH+ characters wrapped mid-phrase ("... NO EVIDENCE OF
        LEFT LOWER EXTREMITY DEEP VEIN\nTHROMBOSIS."), not before a "FIELD:" line."""
        if not (prev_word.isalpha() and prev_word.isupper()):
            return False
        next_word, after_next = (texts[newline + 1: newline + 3] + ["", ""])[:2]
        if not (next_word.isalpha() and next_word.isupper()) or after_next == ":":
            return False
        line = "".join(t + " " * table[j][1] for j, t in enumerate(texts[line_start:newline], line_start))  # table: [orth, trailing space]
        return len(line) >= WRAP_WIDTH and line.upper() == line

    def _ends_sentence(self, text: str, nxt: str, prev_word: str, glued: bool = False) -> bool:
        """Whether a non-space token closes its sentence, given the next word and the previous one."""
        if text == "?" and glued:
            return False  # "?DVT": a query mark on the next word
        capital_next = nxt[:1].isupper()
        if text.endswith(".") and len(text) > 1:  # an abbreviation token ("v.", "Lt.") or an initial ("C.")
            return text.lower().rstrip(".") not in self.abbreviations and capital_next
        if text not in _ENDERS:
            return False
        before = prev_word.lower().rstrip(".")
        if before in self.abbreviations:
            return False
        if before in self.abbreviations_before_lower:
            return capital_next
        # "PERO: ? thrombus": a question mark before a lower-case word is a query, not an end
        return text != "?" or not nxt[:1].islower()

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        strings = doc.vocab.strings  # one array, no Token objects: doc[i] makes a new one every time
        table = doc.to_array([ORTH, SPACY]).tolist()
        texts = [strings[orth] for orth, _ in table]
        spaces = [t.isspace() for t in texts]
        starts = numpy.full((n, 1), -1, dtype="int32")
        starts[0, 0] = 1
        prev_word = ""
        pending = False  # the next non-space token starts a sentence
        line_start = 0  # first token of the current line
        for i, text in enumerate(texts):
            if spaces[i]:
                if "\n" in text:
                    field_next = i + 2 < n and texts[i + 2] == ":"  # "gastroc: NC" starts a line of its own
                    if text.count("\n") > 1 or not ((self._wrapped(prev_word, texts[i + 1] if i + 1 < n else "") and not field_next) or self._wrapped_capitals(prev_word, texts, table, line_start, i)):
                        pending = True
                    line_start = i + 1
                continue
            if pending:
                starts[i, 0] = 1
            if text[-1] in _LAST_CHARS:  # the next non-space word decides
                following = next((texts[j] for j in range(i + 1, n) if not spaces[j]), "")
                pending = self._ends_sentence(text, following, prev_word, not table[i][1])
            else:
                pending = False
            prev_word = text
        doc.from_array([SENT_START], starts.astype("uint64"))  # spaCy stores -1 wrapped in uint64
        return doc
