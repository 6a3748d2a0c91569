"""Course batches on several processes, results in submission order (memory: a few batches in flight)."""
from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from .rules import Params


def map_batches(batches: Iterable[list], params: Params, workers: int) -> Iterator[dict[str, list[dict]]]:
    """``rows_of_batch`` of each batch on ``workers`` processes, yielded in order."""
    from .io import rows_of_batch

    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(workers, mp_context=mp.get_context(method)) as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.submit(rows_of_batch, batch, params))
            while len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
