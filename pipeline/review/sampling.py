"""Which reports go into a review: all of them, a random sample, or a sample per label.

Quality review of an archive is done on samples: ``--sample N`` keeps a uniform random sample
of N reports, ``--per-label N`` up to N reports of each label (errors count as the label
``ERROR``), so rare labels are reviewed as well as common ones. Sampling streams (reservoir
sampling, memory holds the sample only), is reproducible from ``--seed``, and keeps each
report's position in the extract output as its row.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..core.record import Record

Item = tuple[int, Record, "str | None"]  # (row in the extract output, record, text)


@dataclass(frozen=True)
class Sampling:
    sample: int | None = None
    per_label: int | None = None
    seed: int = 0

    def describe(self) -> str:
        if self.sample is not None:
            return f"random sample of {self.sample} (seed {self.seed})"
        if self.per_label is not None:
            return f"up to {self.per_label} per label (seed {self.seed})"
        return "all reports"


class _Reservoir:
    """Algorithm R: a uniform sample of ``size`` items from a stream of unknown length."""

    def __init__(self, size: int, rng: random.Random) -> None:
        self.size, self.rng, self.seen = size, rng, 0
        self.items: list[Item] = []

    def offer(self, item: Item) -> None:
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
            return
        slot = self.rng.randrange(self.seen)
        if slot < self.size:
            self.items[slot] = item


def sample_items(items: Iterable[Item], sampling: Sampling) -> Iterator[Item]:
    """The items ``sampling`` keeps, in row order."""
    if sampling.sample is None and sampling.per_label is None:
        yield from items
        return
    if sampling.sample is not None and sampling.per_label is not None:
        raise ValueError("choose --sample or --per-label, not both")
    size = sampling.sample if sampling.sample is not None else sampling.per_label
    if size is None or size < 1:
        raise ValueError("a sample size must be at least 1")
    rng = random.Random(sampling.seed)
    reservoirs: dict[str, _Reservoir] = {}
    for item in items:
        key = "all" if sampling.sample is not None else (item[1].get("label") or "ERROR")
        reservoirs.setdefault(key, _Reservoir(size, rng)).offer(item)
    yield from sorted((i for r in reservoirs.values() for i in r.items), key=lambda item: item[0])
