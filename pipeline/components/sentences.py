"""Fast sentence boundaries for duplex reports: punctuation, line breaks, list items, FIELD: lines.

A line break ends a sentence unless it only wraps prose (the line ends in a lower-case word
or a comma and the next starts in lower case). A period ends a sentence unless it closes an
abbreviation ("Lt.", "approx."). Orders of magnitude faster than PyRuSH.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

ABBREVIATIONS = frozenset({"lt", "rt", "approx", "pt", "pts", "dr", "vs", "e.g", "i.e", "bilat", "mr", "mrs", "ms", "fig"})
# "femoral v. Interval resolution ...": these end a sentence when a capital follows
ABBREVIATIONS_BEFORE_LOWER = frozenset({"v", "vv", "ext", "int", "post", "ant", "prox", "dist", "mid", "sig", "no", "st", "pop", "sapheno", "approx", "com", "fem", "sup", "inf", "gastroc", "saph", "tib", "per", "med", "lat"})
_ENDERS = frozenset({".", "!", "?"})


class DuplexSentencizer:
    """Sets ``is_sent_start`` on every token."""

    def __init__(self, nlp: Language, name: str = "dvt_sentences") -> None:
        self.name = name

    @staticmethod
    def _wrapped(prev_word: str, next_word: str) -> bool:
        return bool(prev_word) and (prev_word[-1].islower() or prev_word[-1] == ",") and next_word[:1].islower()

    @staticmethod
    def _next_word(doc: Doc, i: int) -> str:
        for token in doc[i + 1: i + 4]:
            if not token.is_space:
                return token.text
        return ""

    def _ends_sentence(self, doc: Doc, i: int, prev_word: str) -> bool:
        """Whether the non-space token ``i`` closes its sentence."""
        token = doc[i]
        text, nxt = token.text, self._next_word(doc, i)
        capital_next = nxt[:1].isupper()
        if "\n" in token.whitespace_:
            return True
        if text.endswith(".") and len(text) > 1:  # an abbreviation token such as "v." or "Lt."
            return text.lower().rstrip(".") in ABBREVIATIONS_BEFORE_LOWER and capital_next
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
        if not len(doc):
            return doc
        starts = [False] * len(doc)
        starts[0] = True
        prev_word = ""
        pending = False  # the next non-space token starts a sentence
        for i, token in enumerate(doc):
            if token.is_space:
                if "\n" in token.text:
                    nxt = doc[i + 1].text if i + 1 < len(doc) else ""
                    if token.text.count("\n") > 1 or not self._wrapped(prev_word, nxt):
                        pending = True
                continue
            if pending:
                starts[i] = True
            pending = self._ends_sentence(doc, i, prev_word)
            prev_word = token.text
        for token, start in zip(doc, starts):
            token.is_sent_start = start
        return doc
