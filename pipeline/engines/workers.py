"""Worker processes for batch extraction: the pipeline of one process, a pool of them, and the
same work in-process for ``--workers 1`` (see :mod:`pipeline.engines.batch` for how a run uses them)."""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import cast

from ..io import Row
from ..core.record import Record, error_record

REFRESH_MB = 32  # rebuild a process's pipeline once its memory grew this much since the last build
REFRESH_EVERY = 50_000  # ... or after this many reports (where current memory cannot be read)


class BatchError(RuntimeError):
    """The run cannot go on (a worker died, the output does not match the input...): one-line message."""


def default_workers() -> int:
    """All the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS/Windows
        return max(1, os.cpu_count() or 1)


def default_start_method() -> str:
    return "fork" if "fork" in mp.get_all_start_methods() else "spawn"


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (ru_maxrss is KB on Linux, bytes on macOS)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)


def current_rss_mb() -> float | None:
    """This process's resident set size now, in MB (Linux; None elsewhere)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def redact_error(message: str) -> str:
    """Exception messages may quote report text: keep the exception type only."""
    prefix = "processing failed: "
    if message.startswith(prefix):
        kind = message[len(prefix):].split(":", 1)[0].strip()
        return f"{prefix}{kind} (details hidden; --debug shows them)"
    return message


class _Worker:
    """One process's pipeline: turns rows into records.

    spaCy's string store (and vocab) grows with every new token; a rebuild gives that memory back.
    The pipeline is rebuilt once the process grew ``REFRESH_MB`` since its last build, or after
    ``refresh_every`` reports. Records do not depend on it.

    With ``freeze`` (a pool worker, a process of our own), the objects alive once the pipeline is
    built are moved out of the garbage collector's reach (``gc.freeze``): each report leaves cyclic
    garbage (a Doc and its ConText graph), and the collections it triggers would otherwise walk the
    pipeline's rules too (about 7% of the time per report). A rebuild unfreezes first, so the old
    pipeline is freed.
    """

    def __init__(self, count_chronic: bool, debug: bool, refresh_every: int, freeze: bool = False) -> None:
        self.count_chronic, self.debug, self.refresh_every, self.freeze = count_chronic, debug, refresh_every, freeze
        started = time.perf_counter()
        self.extractor = self._build()
        self.build_seconds = time.perf_counter() - started
        self.since_build = 0
        self.rebuilds = 0
        self.baseline_mb = current_rss_mb()

    def _build(self):
        from ..api import default_extractor  # a forked worker reuses a pipeline its parent already built

        extractor = default_extractor(self.count_chronic)
        if self.freeze:
            gc.collect()
            gc.freeze()
        return extractor

    def _rebuild(self) -> None:
        from ..api import default_extractor

        self.extractor = None
        default_extractor.cache_clear()
        if self.freeze:
            gc.unfreeze()
        gc.collect()
        self.extractor = self._build()
        self.since_build = 0
        self.rebuilds += 1
        self.baseline_mb = current_rss_mb()

    def _grown(self) -> bool:
        if self.refresh_every and self.since_build >= self.refresh_every:
            return True
        now = current_rss_mb()
        return now is not None and self.baseline_mb is not None and now - self.baseline_mb > REFRESH_MB

    @property
    def rules_hash(self) -> str:
        return self.extractor.rules.rules_hash

    def record(self, row: Row) -> Record:
        try:
            if row.error is not None:
                record = error_record(row.id, row.error, self.rules_hash)
            else:
                record = self.extractor.extract(row.text, row.id)
        except Exception as exc:  # noqa: BLE001 - Extractor never raises for bad input; be safe anyway
            record = error_record(row.id, f"processing failed: {type(exc).__name__}: {exc}", self.rules_hash)
        error = record["error"]
        if error and not self.debug:
            record["error"] = redact_error(error)
        if row.note:
            record["input_note"] = row.note
        if row.extra is not None:  # carried columns (patient, exam date, kept ones) right after the id
            record = cast(Record, {"id": record["id"], **row.extra, **record})  # kept columns are keys of their own
        return record

    def run(self, rows: list[Row]) -> list[Record]:
        if self.since_build and self._grown():
            self._rebuild()
        self.since_build += len(rows)
        return [self.record(row) for row in rows]


_WORKER: _Worker | None = None


def _watch_parent(parent_pid: int) -> None:
    """Exit when the parent dies (killed with SIGKILL it cannot stop us), so no worker is orphaned."""

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="dvt-parent-watch", daemon=True).start()


def _init_worker(count_chronic: bool, debug: bool, refresh_every: int, parent_pid: int, ready) -> None:
    """Pool initializer: build the pipeline once; Ctrl-C is the parent's business."""
    global _WORKER
    from ..io.guard import release_inherited_locks

    release_inherited_locks()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent(parent_pid)
    _WORKER = _Worker(count_chronic, debug, refresh_every, freeze=True)
    ready.put((os.getpid(), _WORKER.rules_hash, _WORKER.build_seconds))


def _work(rows: list[Row]) -> tuple[list[Record], int, float, int]:
    assert _WORKER is not None, "the pool initializer builds it"
    return _WORKER.run(rows), os.getpid(), peak_rss_mb(), _WORKER.rebuilds


def _noop() -> None:
    return None


class InProcess:
    """``--workers 1``: the same work, in this process, no pool."""

    workers = 1
    start_method = None

    def __init__(self, count_chronic: bool, debug: bool, refresh_every: int) -> None:
        self.worker = _Worker(count_chronic, debug, refresh_every)
        self.rules_hash = self.worker.rules_hash
        self.startup_seconds = self.worker.build_seconds

    def submit(self, rows: list[Row]) -> Future:
        future: Future = Future()
        future.set_result((self.worker.run(rows), os.getpid(), peak_rss_mb(), self.worker.rebuilds))
        return future

    def close(self, cancel: bool = False) -> None:
        pass


class WorkerPool:
    """A process pool whose workers are all built and ready before the clock starts."""

    def __init__(self, workers: int, start_method: str, count_chronic: bool, debug: bool, refresh_every: int) -> None:
        started = time.perf_counter()
        context = mp.get_context(start_method)
        self.workers, self.start_method = workers, start_method
        self._ready = context.Queue()
        self.executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(count_chronic, debug, refresh_every, os.getpid(), self._ready),
        )
        warm = [self.executor.submit(_noop) for _ in range(workers)]  # launches every worker
        hashes: set[tuple[int, str]] = set()
        while len(hashes) < workers:
            try:
                pid, rules_hash, _ = self._ready.get(timeout=0.2)
                hashes.add((pid, rules_hash))
            except queue.Empty:
                for future in warm:
                    if future.done() and future.exception() is not None:
                        self.close(cancel=True)
                        raise BatchError(f"a worker failed to start ({type(future.exception()).__name__}); run with --workers 1 to see why") from None
        self.rules_hash = next(iter(hashes))[1]
        self.startup_seconds = time.perf_counter() - started

    def submit(self, rows: list[Row]) -> Future:
        return self.executor.submit(_work, rows)

    def close(self, cancel: bool = False) -> None:
        self.executor.shutdown(wait=True, cancel_futures=cancel)
