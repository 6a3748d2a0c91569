"""Agreement between two raters on the same reports: observed agreement and Cohen's kappa.

    >>> round(cohen_kappa([("A", "A"), ("A", "B"), ("B", "B"), ("B", "B")]), 3)
    0.5
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass


def cohen_kappa(pairs: Sequence[tuple[object, object]]) -> float | None:
    """Cohen's kappa, (p_o - p_e) / (1 - p_e); None with no pairs or when chance agreement is 1
    (both raters gave one and the same category to everything: kappa is undefined)."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


@dataclass(frozen=True)
class Agreement:
    """Two raters over the reports both rated: report labels, and left/right side labels pooled."""

    rater_a: str
    rater_b: str
    n_reports: int
    label_agreement: float | None
    label_kappa: float | None
    n_sides: int
    side_agreement: float | None
    side_kappa: float | None

    def to_dict(self) -> dict:
        return asdict(self)


def _observed(pairs: Sequence[tuple[object, object]]) -> float | None:
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else None


def agreement(rater_a: str, labels_a: Mapping[object, tuple[str, Mapping[str, str | None]]],
              rater_b: str, labels_b: Mapping[object, tuple[str, Mapping[str, str | None]]]) -> Agreement:
    """Agreement over the keys both raters labelled. Each value is (label, side_labels); a side
    counts when either rater gave it a label (a side one calls unexamined is category "none")."""
    shared = sorted(set(labels_a) & set(labels_b), key=repr)
    label_pairs = [(labels_a[k][0], labels_b[k][0]) for k in shared]
    side_pairs = []
    for k in shared:
        for side in ("left", "right"):
            a, b = labels_a[k][1].get(side), labels_b[k][1].get(side)
            if a is not None or b is not None:
                side_pairs.append((a or "none", b or "none"))
    return Agreement(rater_a, rater_b, len(shared), _observed(label_pairs), cohen_kappa(label_pairs),
                     len(side_pairs), _observed(side_pairs), cohen_kappa(side_pairs))
