"""Course chunks on several processes, results in submission order (memory: a few chunks in flight)."""
from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa

from .rules import Params


def map_chunks(chunks: Iterable[pa.Table], params: Params, workers: int) -> Iterator[dict[str, pa.Table]]:
    """``tables_of_chunk`` of each chunk on ``workers`` processes, yielded in order."""
    from .io import tables_of_chunk

    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(workers, mp_context=mp.get_context(method)) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.submit(tables_of_chunk, chunk, params))
            while len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
