"""Overlap pruning of matcher output, the same result as medspaCy's ``prune_overlapping_matches``.

medspaCy's version pops from the front of a list and re-sorts through a lambda on every pass;
on our pipeline it cost more than the matching it follows. This one walks the sorted list by
index and keeps medspaCy's exact rule (pairwise, longer wins, the earlier on a tie; repeat until
nothing changes), which ``tests/test_text_processing.py`` checks against medspaCy on random input.
"""
from __future__ import annotations

from operator import itemgetter

Match = tuple[int, int, int]  # (match_id, start token, end token)
_BY_POSITION = itemgetter(1, 2)


def _one_pass(matches: list[Match]) -> list[Match]:
    kept: list[Match] = []
    n = len(matches)
    current, i = matches[0], 1
    while i < n:
        following = matches[i]
        i += 1
        _, start, end = current
        if start <= following[1] < end or start < following[2] <= end:  # they overlap
            kept.append(following if following[2] - following[1] > current[2] - current[1] else current)
            if i == n:
                return kept
            current = matches[i]
            i += 1
        else:
            kept.append(current)
            current = following
    kept.append(current)
    return kept


def prune_longest(matches: list[Match]) -> list[Match]:
    """Drop overlapping matches, keeping the longer of each overlapping pair, until none overlap."""
    while matches:
        pruned = _one_pass(sorted(matches, key=_BY_POSITION))
        if len(pruned) == len(matches):
            return pruned
        matches = pruned
    return matches
