"""Fast sentence boundaries for duplex reports: punctuation, line breaks, list items, FIELD: lines.

A line break ends a sentence unless it only wraps prose (the line ends in a lower-case word
or a comma and the next starts in lower case, or an all-capitals line of 50+ characters stops
mid-phrase and the next is no "FIELD:" line). A period ends a sentence unless it closes an
abbreviation ("Lt.", "approx."). Orders of magnitude faster than PyRuSH.
"""
from __future__ import annotations

import numpy
from spacy.attrs import ORTH, SENT_START, SPACY
from spacy.language import Language
from spacy.tokens import Doc

ABBREVIATIONS = frozenset({"lt", "rt", "approx", "pt", "pts", "dr", "vs", "e.g", "i.e", "bilat", "mr", "mrs", "ms", "fig"})
# "femoral v. Interval resolution ...": these end a sentence when a capital follows
ABBREVIATIONS_BEFORE_LOWER = frozenset({"v", "vv", "ext", "int", "post", "ant", "prox", "dist", "mid", "sig", "no", "st", "pop", "sapheno", "approx", "com", "fem", "sup", "inf", "gastroc", "saph", "tib", "per", "med", "lat"})
_ENDERS = frozenset({".", "!", "?"})
WRAP_WIDTH = 50  # a line this long that stops mid-phrase was wrapped by the report system
_LAST_CHARS = frozenset(".!?")  # a token that ends otherwise never ends a sentence


class DuplexSentencizer:
    """Sets ``is_sent_start`` on every token."""

    def __init__(self, nlp: Language, name: str = "dvt_sentences") -> None:
        self.name = name

    @staticmethod
    def _wrapped(prev_word: str, next_word: str, capital_line: int, after_next: str = "") -> bool:
        """A line break inside a sentence: prose wrapped in lower case, or an all-capitals line of
        ``capital_line`` characters (0: not all capitals) wrapped at a fixed width mid-phrase
        ("... NO EVIDENCE OF LEFT LOWER EXTREMITY DEEP VEIN\nTHROMBOSIS."), not before "FIELD:"."""
        if prev_word and (prev_word[-1].islower() or prev_word[-1] == ",") and next_word[:1].islower():
            return True
        return capital_line >= WRAP_WIDTH and prev_word.isalpha() and next_word.isalpha() and next_word.isupper() and after_next != ":"

    @staticmethod
    def _ends_sentence(text: str, nxt: str, prev_word: str, glued: bool = False) -> bool:
        """Whether a non-space token closes its sentence, given the next word and the previous one."""
        if text == "?" and glued:
            return False  # "?DVT": a query mark on the next word
        capital_next = nxt[:1].isupper()
        if text.endswith(".") and len(text) > 1:  # an abbreviation token ("v.", "Lt.") or an initial ("C.")
            return text.lower().rstrip(".") not in ABBREVIATIONS and capital_next
        if text not in _ENDERS:
            return False
        before = prev_word.lower().rstrip(".")
        if before in ABBREVIATIONS:
            return False
        if before in ABBREVIATIONS_BEFORE_LOWER:
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
        line_chars, lower_case = 0, False  # the current line so far: its length, and whether it has a lower-case letter
        for i, text in enumerate(texts):
            if spaces[i]:
                if "\n" in text:
                    following = texts[i + 1: i + 3] + ["", ""]
                    if text.count("\n") > 1 or not self._wrapped(prev_word, following[0], 0 if lower_case else line_chars, following[1]):
                        pending = True
                    line_chars, lower_case = len(text) - text.rindex("\n") - 1, False
                else:
                    line_chars += len(text)
                continue
            line_chars += len(text) + table[i][1]
            lower_case = lower_case or text.upper() != text
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
