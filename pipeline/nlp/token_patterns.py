"""ConText's token-pattern rules ("in <year>", "compared with the prior study"), matched only
where a pattern's first word stands.

spaCy's Matcher tries every pattern at every token and builds a Token object per position; the
few token patterns of ``context_rules.json`` can only start at a handful of words, so this
matcher looks them up by first word and walks the pattern from there. It covers the pattern
features those rules use, with the Matcher's meaning: ``LOWER``, ``TEXT`` or ``ORTH`` equal to a
string, ``IN`` a list of strings, or matching a ``REGEX`` (``re.search``); ``LIKE_NUM``; and
``"OP": "?"``. Every match (start, end) of each pattern is found once, as the Matcher finds them
(zero-length ones aside). :func:`compile_patterns` returns None for a rule set that uses anything
else, and the component then keeps spaCy's Matcher.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from spacy.attrs import LIKE_NUM, LOWER, ORTH
from spacy.strings import StringStore
from spacy.tokens import Doc

Row = list[int]  # [LOWER hash, ORTH hash, LIKE_NUM] of a token
# A pattern token as plain data (so the component pickles with the pipeline): what it tests
# ("equals" a hash, "in" a set of hashes, "regex" on the string, "number": LIKE_NUM is True or
# False), the row column it reads, the value, and whether it may be left out ("OP": "?").
Step = tuple[str, int, Any, bool]
_COLUMN = {"LOWER": 0, "TEXT": 1, "ORTH": 1}
NUMBER = -1  # the first-word key of a pattern that starts with a number (``LIKE_NUM``)


def _step(spec: dict[str, Any], strings: StringStore) -> tuple[Step, frozenset[int] | None] | None:
    """A pattern token as a step, with the first-word keys it can start on (None: any); None
    when the token uses a feature this matcher does not read."""
    spec = dict(spec)
    op = spec.pop("OP", None)
    if op not in (None, "?") or len(spec) != 1:
        return None
    (attr, value), = spec.items()
    optional = op == "?"
    if attr == "LIKE_NUM" and isinstance(value, bool):
        return ("number", 2, value, optional), frozenset({NUMBER}) if value else None
    column = _COLUMN.get(attr)
    if column is None:
        return None
    if isinstance(value, str):
        wanted = strings.add(value)
        return ("equals", column, wanted, optional), frozenset({wanted}) if column == 0 else None
    if isinstance(value, dict) and list(value) == ["IN"] and all(isinstance(v, str) for v in value["IN"]):
        hashes = frozenset(strings.add(v) for v in value["IN"])
        return ("in", column, hashes, optional), hashes if column == 0 else None
    if isinstance(value, dict) and list(value) == ["REGEX"] and isinstance(value["REGEX"], str):
        return ("regex", column, re.compile(value["REGEX"]), optional), None
    return None


def _passes(step: Step, row: Row, strings: StringStore) -> bool:
    test, column, value, _ = step
    if test == "equals":
        return row[column] == value
    if test == "in":
        return row[column] in value
    if test == "regex":
        return value.search(strings[row[column]]) is not None
    return bool(row[2]) == value


class TokenPatterns:
    """Token patterns keyed by match id, looked up by their first word."""

    def __init__(self, patterns: list[tuple[int, int, tuple[Step, ...]]], by_first: dict[int, list[int]], anywhere: list[int]) -> None:
        self.patterns = patterns  # (match id, order, steps)
        self.by_first = by_first  # LOWER hash (NUMBER: a number) -> indexes of the patterns that can start there
        self.anywhere = anywhere  # patterns whose first token is not a plain word: tried at every token

    @staticmethod
    def _ends(steps: tuple[Step, ...], rows: list[Row], start: int, strings: StringStore) -> set[int]:
        """Every token position where the pattern, started at ``start``, can end."""
        frontier = {start}
        for step in steps:
            following = {j + 1 for j in frontier if j < len(rows) and _passes(step, rows[j], strings)}
            frontier = following | frontier if step[3] else following
            if not frontier:
                break
        return frontier

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(match id, start, end) of every match, by start, end, then pattern order."""
        rows: list[Row] = doc.to_array([LOWER, ORTH, LIKE_NUM]).tolist()
        strings = doc.vocab.strings
        found: list[tuple[int, int, int, int]] = []
        by_first, anywhere, patterns = self.by_first, self.anywhere, self.patterns
        numbers = by_first.get(NUMBER)
        for i, row in enumerate(rows):
            candidates = by_first.get(row[0])
            if numbers and row[2]:
                candidates = [*(candidates or ()), *numbers]
            if anywhere:
                candidates = [*(candidates or ()), *anywhere]
            for index in candidates or ():
                key, order, steps = patterns[index]
                found.extend((i, end, order, key) for end in self._ends(steps, rows, i, strings) if end > i)
        found.sort()  # by start, end and pattern order: the order the candidates were tried in does not matter
        return [(key, start, end) for start, end, _, key in found]


def compile_patterns(rules: Sequence[tuple[int, list[dict[str, Any]]]], strings: StringStore) -> TokenPatterns | None:
    """The (match id, token pattern) pairs as a :class:`TokenPatterns`, or None when one of them
    uses a feature it does not read."""
    patterns: list[tuple[int, int, tuple[Step, ...]]] = []
    by_first: dict[int, list[int]] = {}
    anywhere: list[int] = []
    for order, (key, pattern) in enumerate(rules):
        compiled = [_step(spec, strings) for spec in pattern]
        if not pattern or any(c is None for c in compiled):
            return None
        steps = tuple(c[0] for c in compiled if c is not None)
        first_words = compiled[0][1] if compiled[0] is not None else None
        if first_words is None or steps[0][3]:  # not a plain word, or optional: it may start anywhere
            anywhere.append(order)
        else:
            for word in first_words:
                by_first.setdefault(word, []).append(order)
        patterns.append((key, order, steps))
    return TokenPatterns(patterns, by_first, anywhere)
