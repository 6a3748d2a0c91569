"""The token patterns of the section rules, matched only where they can match.

spaCy's token Matcher tries every pattern at every token; with some 65 header patterns that cost
more than the rest of the section component. A header pattern is literal words and punctuation
with a whitespace token (the line break) at most at either end, so a match never crosses a
whitespace token. It needs each of its required tokens (a spec without ``OP``), and two required
specs in a row need two such tokens in a row ("RIGHT" right after a line break). The stretches
between whitespace tokens (both included) that hold all the needs of some pattern go to the
Matcher; the rest cannot match. Same matches, in the same order. A pattern of another shape
turns the prefilter off: the whole doc is scanned.
"""
from __future__ import annotations

from collections.abc import Iterable

from spacy.attrs import IS_SPACE, LOWER, ORTH
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

Match = tuple[int, int, int]  # (match_id, start token, end token)
Test = tuple[str, frozenset[str]]  # ("LOWER" or "TEXT", words) or ("IS_SPACE", {})
SPACE_TEST: Test = ("IS_SPACE", frozenset())
_WORD_ATTRS = ("LOWER", "TEXT")
_SPACE_SPEC = {"IS_SPACE": True}


def _words(value: object) -> frozenset[str] | None:
    """The literal words a LOWER/TEXT value accepts, or None if it is not a plain word or word list."""
    words = (value,) if isinstance(value, str) else tuple(value["IN"]) if isinstance(value, dict) and set(value) == {"IN"} else None
    if words is None or not all(isinstance(w, str) and w and w == w.strip() for w in words):
        return None
    return frozenset(words)


def _test(spec: dict, first: bool, last: bool) -> Test | None | bool:
    """The test a required spec puts on its token; None for an optional one; False for a spec
    outside the header shape."""
    if spec == _SPACE_SPEC:
        return SPACE_TEST if first or last else False
    if spec.get("OP") == "!":
        return False  # "anything but": that may be a line break
    if spec.get("IS_PUNCT") is True and set(spec) <= {"IS_PUNCT", "OP"}:
        return None  # punctuation (never whitespace) is not tested
    attrs = [a for a in spec if a not in ("OP", "SPACY")]
    words = _words(spec[attrs[0]]) if len(attrs) == 1 and attrs[0] in _WORD_ATTRS else None
    if words is None:
        return False
    return None if "OP" in spec else (attrs[0], words)


def needs(pattern: list[dict]) -> list[tuple[Test, ...]] | None:
    """What a pattern needs of the tokens: one test, or two tests on adjacent tokens; None when
    the pattern is not a header shape or needs nothing."""
    tests = [_test(spec, i == 0, i == len(pattern) - 1) for i, spec in enumerate(pattern)]
    if any(t is False for t in tests):
        return None
    pairs = [(a, b) for a, b in zip(tests, tests[1:]) if a and b]
    paired = {i + j for i in range(len(tests) - 1) if tests[i] and tests[i + 1] for j in (0, 1)}
    alone = [(t,) for i, t in enumerate(tests) if t and t != SPACE_TEST and i not in paired]  # every stretch has its line break
    return (pairs + alone) or None


class HeaderPatterns:
    """A spaCy Matcher run only on the stretches of a doc where some header pattern can match."""

    def __init__(self, nlp: Language, patterns: Iterable[tuple[str, list[dict]]]) -> None:
        self.matcher = Matcher(nlp.vocab)
        self.patterns: list[frozenset[int]] | None = []  # per pattern: the ids of its needs
        self.needed_by: dict[int, list[frozenset[int]]] = {}  # need id -> the patterns that have it
        test_ids: dict[Test, int] = {SPACE_TEST: 0}
        need_ids: dict[tuple[Test, ...], int] = {}
        for key, pattern in patterns:
            self.matcher.add(key, [pattern])
            found = needs(pattern)
            if found is None or self.patterns is None:
                self.patterns = None
                continue
            for need in found:
                need_ids.setdefault(need, len(need_ids))
                for test in need:
                    test_ids.setdefault(test, len(test_ids))
            self.patterns.append(frozenset(need_ids[need] for need in found))
            for need in found:
                self.needed_by.setdefault(need_ids[need], []).append(self.patterns[-1])
        strings = nlp.vocab.strings
        self.by_attr: dict[int, dict[int, list[int]]] = {ORTH: {}, LOWER: {}}  # attr -> word hash -> test ids
        for (attr, words), test_id in test_ids.items():
            for word in words:
                self.by_attr[ORTH if attr == "TEXT" else LOWER].setdefault(strings.add(word), []).append(test_id)
        self.alone: dict[int, list[int]] = {}  # test id -> needs it meets alone
        self.after: dict[int, list[tuple[int, int]]] = {}  # test id -> (test of the token before, need)
        for need, need_id in need_ids.items():
            if len(need) == 1:
                self.alone.setdefault(test_ids[need[0]], []).append(need_id)
            else:
                self.after.setdefault(test_ids[need[1]], []).append((test_ids[need[0]], need_id))

    def windows(self, doc: Doc) -> list[tuple[int, int]]:
        """Token ranges [start, end) that hold every match: the stretches between whitespace
        tokens (both ends included) that meet all the needs of some pattern."""
        if self.patterns is None:
            return [(0, len(doc))]
        out: list[tuple[int, int]] = []

        def close(start: int, end: int, met: set[int]) -> None:
            if met and any(pattern <= met for need in met for pattern in self.needed_by[need]):
                if out and out[-1][1] > start:
                    out[-1] = (out[-1][0], end)
                else:
                    out.append((start, end))

        by_orth, by_lower, alone, after = self.by_attr[ORTH], self.by_attr[LOWER], self.alone, self.after
        table = doc.to_array([ORTH, LOWER, IS_SPACE]).tolist()
        start, met, before, previous = 0, set(), (), -1
        for i in [i for i, (orth, lower, space) in enumerate(table) if space or orth in by_orth or lower in by_lower]:
            orth, lower, space = table[i]
            tests = [*by_orth.get(orth, ()), *by_lower.get(lower, ()), *((0,) if space else ())]
            if previous != i - 1:
                before = ()
            for test in tests:
                met.update(alone.get(test, ()))
                if before and test in after:
                    met.update(need for first, need in after[test] if first in before)
            if space:  # the whitespace token ends one stretch and starts the next
                close(start, i + 1, met)
                start, met = i, {need for test in tests for need in alone.get(test, ())}
            before, previous = tests, i
        close(start, len(doc), met)
        return out

    def __call__(self, doc: Doc) -> list[Match]:
        """The Matcher's matches on the whole doc, found in its windows."""
        matches: list[Match] = []
        for start, end in self.windows(doc):
            matches.extend((match_id, start + a, start + b) for match_id, a, b in self.matcher(doc[start:end]))
        return matches
