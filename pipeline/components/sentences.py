"""Fast sentence boundaries for duplex reports: punctuation, line breaks, list items, FIELD: lines.

A line break ends a sentence unless it only wraps prose (the line ends in a lower-case word
or a comma and the next starts in lower case). A period ends a sentence unless it closes an
abbreviation ("Lt.", "approx."). Orders of magnitude faster than PyRuSH.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

ABBREVIATIONS = frozenset({"lt", "rt", "approx", "pt", "pts", "dr", "vs", "v", "e.g", "i.e", "ext", "int", "post", "ant", "prox", "dist", "bilat", "mid", "sig", "no", "st", "mr", "mrs", "ms", "fig", "pop"})
_ENDERS = frozenset({".", "!", "?"})


class DuplexSentencizer:
    """Sets ``is_sent_start`` on every token."""

    def __init__(self, nlp: Language, name: str = "dvt_sentences") -> None:
        self.name = name

    @staticmethod
    def _wrapped(prev_word: str, next_word: str) -> bool:
        return bool(prev_word) and (prev_word[-1].islower() or prev_word[-1] == ",") and next_word[:1].islower()

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        starts = [False] * len(doc)
        starts[0] = True
        prev_word = ""
        pending = False  # the next non-space token starts a sentence
        for i, token in enumerate(doc):
            text = token.text
            if token.is_space:
                if "\n" in text:
                    nxt = doc[i + 1].text if i + 1 < len(doc) else ""
                    if text.count("\n") > 1 or not self._wrapped(prev_word, nxt):
                        pending = True
                continue
            if pending:
                starts[i] = True
                pending = False
            if text in _ENDERS and prev_word.lower().rstrip(".") not in ABBREVIATIONS:
                following = doc[i + 1] if i + 1 < len(doc) else None
                # "PERO: ? thrombus": a question mark before a lower-case word is a query, not an end
                pending = text != "?" or following is None or "\n" in token.whitespace_ or not following.text[:1].islower()
            elif "\n" in token.whitespace_:
                pending = True
            prev_word = text
        for token, start in zip(doc, starts):
            token.is_sent_start = start
        return doc
