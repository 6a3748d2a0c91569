"""Batch extraction: stream reports through a process pool, write records in input order, resumably.

How a run goes (``dvt extract``, or :func:`run_extract` from Python):

1. The input is read lazily (:mod:`pipeline.io.readers`) and cut into chunks of ``chunk_size``
   rows (fewer when the texts are long). Whole-input problems surface before any worker starts
   and before an existing output is touched.
2. ``workers > 1``: a :class:`~concurrent.futures.ProcessPoolExecutor` ('fork' where available,
   'spawn' works too) whose initializer builds the pipeline once per worker; workers return plain
   dicts. (medspaCy pipelines cannot go through ``nlp.pipe(n_process>1)``.) ``workers == 1``, or an
   input of a single chunk, runs in this process without a pool.
3. At most ``max_in_flight`` chunks are submitted at a time and results are written strictly in
   submission order, so memory stays flat and the output is in input order whatever the number
   of workers. Each chunk is written as one buffer, flushed and fsynced: a kill leaves whole
   records plus at most one torn last line.
4. ``resume=True`` continues an interrupted run into the same output: the torn last line is cut
   off, the ids already written are matched against the input (occurrence by occurrence, so
   duplicate ids resume correctly) and skipped, and the rest is appended. The result equals an
   uninterrupted run byte for byte.
5. A worker rebuilds its pipeline once its memory grew ``REFRESH_MB`` (or every ``REFRESH_EVERY``
   reports): spaCy's string store grows with every new token, and a rebuild gives that memory
   back (output does not depend on it).

Report text is patient data: nothing here logs it. Error rows that carry an exception message
(``processing failed: ...``) are cut to the exception type unless ``debug`` is set.
"""
from __future__ import annotations

import gc
import hashlib
import itertools
import json
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .io import InputError, JsonlWriter, Row, count_rows, read_reports, truncate_torn_tail
from .progress import BatchProgress
from .record import error_record

DEFAULT_CHUNK_SIZE = 64
MAX_CHUNK_CHARS = 1_000_000  # a chunk closes early once its texts hold this many characters
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


def id_key(report_id: object) -> str:
    """A comparable key for an id as written to the output (5 and "5" differ)."""
    return json.dumps(report_id, ensure_ascii=False, sort_keys=True)


# --------------------------------------------------------------------------- the unit of work


def _redact(message: str) -> str:
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
    """

    def __init__(self, count_chronic: bool, debug: bool, refresh_every: int) -> None:
        self.count_chronic, self.debug, self.refresh_every = count_chronic, debug, refresh_every
        started = time.perf_counter()
        self.extractor = self._build()
        self.build_seconds = time.perf_counter() - started
        self.since_build = 0
        self.rebuilds = 0
        self.baseline_mb = current_rss_mb()

    def _build(self):
        from .api import default_extractor  # a forked worker reuses a pipeline its parent already built

        return default_extractor(self.count_chronic)

    def _rebuild(self) -> None:
        from .api import default_extractor

        self.extractor = None
        default_extractor.cache_clear()
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

    def record(self, row: Row) -> dict:
        try:
            if row.error is not None:
                record = error_record(row.id, row.error, self.rules_hash)
            else:
                record = self.extractor.extract(row.text, row.id)
        except Exception as exc:  # noqa: BLE001 - Extractor never raises for bad input; be safe anyway
            record = error_record(row.id, f"processing failed: {type(exc).__name__}: {exc}", self.rules_hash)
        if record.get("error") and not self.debug:
            record["error"] = _redact(record["error"])
        if row.note:
            record["input_note"] = row.note
        return record

    def run(self, rows: list[Row]) -> list[dict]:
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
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent(parent_pid)
    _WORKER = _Worker(count_chronic, debug, refresh_every)
    ready.put((os.getpid(), _WORKER.rules_hash, _WORKER.build_seconds))


def _work(rows: list[Row]) -> tuple[list[dict], int, float, int]:
    return _WORKER.run(rows), os.getpid(), peak_rss_mb(), _WORKER.rebuilds


def _noop() -> None:
    return None


class _InProcess:
    """``--workers 1``: the same work, in this process, no pool."""

    workers = 1

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


class _Pool:
    """A process pool whose workers are all built and ready before the clock starts."""

    def __init__(self, workers: int, start_method: str, count_chronic: bool, debug: bool, refresh_every: int) -> None:
        started = time.perf_counter()
        context = mp.get_context(start_method)
        self.workers = workers
        self._ready = context.Queue()
        self.executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(count_chronic, debug, refresh_every, os.getpid(), self._ready),
        )
        warm = [self.executor.submit(_noop) for _ in range(workers)]  # launches every worker
        hashes = set()
        while len(hashes) < workers:
            try:
                pid, rules_hash, _ = self._ready.get(timeout=0.2)
                hashes.add((pid, rules_hash))
            except queue.Empty:
                for future in warm:
                    if future.done() and future.exception() is not None:
                        self.close(cancel=True)
                        raise BatchError(f"a worker failed to start ({type(future.exception()).__name__}); run with --workers 1 to see why")
        self.rules_hash = next(iter(hashes))[1]
        self.startup_seconds = time.perf_counter() - started

    def submit(self, rows: list[Row]) -> Future:
        return self.executor.submit(_work, rows)

    def close(self, cancel: bool = False) -> None:
        self.executor.shutdown(wait=True, cancel_futures=cancel)


# --------------------------------------------------------------------------- ids: duplicates and resume


class DuplicateCounter:
    """Tells whether an id was seen before, in 8 bytes per distinct id (64-bit hashes).

    Recent ids sit in a set; every ``merge_every`` they move to a sorted numpy array. The count is
    exact unless two different ids share a 64-bit hash (odds about n^2 / 3.7e19).
    """

    def __init__(self, merge_every: int = 1 << 16) -> None:
        import numpy as np

        self._np = np
        self._recent: set[int] = set()
        self._old = np.empty(0, dtype=np.uint64)
        self._merge_every = merge_every

    def seen(self, key: str) -> bool:
        np = self._np
        h = int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
        if h in self._recent:
            return True
        if self._old.size:
            value = np.uint64(h)
            at = int(np.searchsorted(self._old, value))
            if at < self._old.size and self._old[at] == value:
                return True
        self._recent.add(h)
        if len(self._recent) >= self._merge_every:
            fresh = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
            self._old = np.union1d(self._old, fresh)
            self._recent.clear()
        return False


class ResumeState:
    """What an interrupted output already holds, matched against the input as it streams.

    The output of a run is a prefix of the full output, in input order, so the ids written are
    matched one by one against the input's ids: memory stays flat and duplicate ids match
    occurrence by occurrence. If the input order differs from the output (say, files were added
    to a folder), the rest of the output's ids are counted and each input row whose id still has
    an unmatched occurrence is skipped; the new rows are appended at the end.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.kept_bytes, self.dropped_bytes = truncate_torn_tail(path)
        self.rows = 0  # records in the (truncated) output
        self.errors = 0
        self.notes = 0
        self.versions: set[tuple] = set()
        self._lines = self._read()
        self._pending: Counter | None = None  # set once the input stops following the output
        self._exhausted = False
        self.diverged_at: int | None = None
        self.skipped = 0

    def _read(self) -> Iterator[str]:
        with open(self.path, "rb") as handle:
            consumed = 0
            for number, raw in enumerate(handle, start=1):
                consumed += len(raw)
                if consumed > self.kept_bytes:  # never read what this run appends
                    return
                try:
                    record = json.loads(raw)
                    key = id_key(record["id"])
                except (ValueError, KeyError, TypeError):
                    raise BatchError(f"cannot resume: {self.path} line {number} is not an output record; rerun without --resume") from None
                self.rows += 1
                self.errors += record.get("error") is not None
                self.notes += "input_note" in record
                self.versions.add((record.get("rules_hash"), record.get("pipeline_version")))
                yield key

    def skip(self, key: str, row_number: int) -> bool:
        """Whether the input row with this id is already in the output."""
        if self._exhausted:
            return False
        if self._pending is None:
            written = next(self._lines, None)
            if written is None:
                self._exhausted = True
                return False
            if written == key:
                self.skipped += 1
                return True
            self.diverged_at = row_number
            self._pending = Counter([written])
            self._pending.update(self._lines)
        if self._pending.get(key, 0) > 0:
            self._pending[key] -= 1
            if not self._pending[key]:
                del self._pending[key]
            self.skipped += 1
            return True
        return False

    def read_all(self) -> None:
        """Read whatever is left of the output (its ids become unmatched-so-far)."""
        if not self._exhausted and self._pending is None:
            self._pending = Counter(self._lines)
            if not self._pending:
                self._exhausted = True

    @property
    def unmatched(self) -> int:
        """Output records whose id the input did not (or not that often) contain."""
        return sum(self._pending.values()) if self._pending else 0

    def check_versions(self, rules_hash: str) -> None:
        from ._version import __version__

        for written_hash, written_version in self.versions:
            if (written_hash, written_version) != (rules_hash, __version__):
                raise BatchError(
                    f"cannot resume: {self.path} was written by dvt {written_version} with rules {written_hash}, "
                    f"this is dvt {__version__} with rules {rules_hash}; rerun without --resume"
                )


# --------------------------------------------------------------------------- the run


@dataclass
class BatchSummary:
    rows: int = 0  # records in the output at the end (resumed ones included)
    errors: int = 0  # of which carry an error
    input_notes: int = 0  # of which carry an input_note (bytes that were not UTF-8, lone surrogates)
    duplicate_ids: int = 0  # input rows whose id appeared before
    new_rows: int = 0  # records written by this run
    resumed_rows: int = 0  # records already in the output (--resume)
    dropped_torn_bytes: int = 0  # a torn last line cut off by --resume
    unmatched_output_rows: int = 0  # --resume: output records the input does not contain
    resume_diverged_at_row: int | None = None  # --resume: where the input stopped following the output
    workers: int = 1
    start_method: str | None = None
    startup_seconds: float = 0.0  # building the pipeline(s), not in ``seconds``
    seconds: float = 0.0  # extraction, from pipelines ready to the last record written
    total_seconds: float = 0.0
    rows_per_second: float = 0.0  # new rows / seconds
    main_peak_rss_mb: float = 0.0
    worker_peak_rss_mb: dict = field(default_factory=dict)  # pid -> MB (pool runs)
    pipeline_rebuilds: int = 0  # to give back the memory spaCy's string store gathered

    def to_dict(self) -> dict:
        return asdict(self)


def _chunks(rows: Iterable[Row], size: int, max_chars: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    chars = 0
    for row in rows:
        chunk.append(row)
        chars += len(row.text) if isinstance(row.text, str) else 0
        if len(chunk) >= size or chars >= max_chars:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def _same_file(a: str, b: str) -> bool:
    try:
        return a != "-" and b != "-" and Path(b).exists() and os.path.samefile(a, b)
    except OSError:
        return False


def run_extract(
    input_path: str,
    output_path: str,
    id_col: str = "id",
    text_col: str = "text",
    count_chronic: bool = False,
    *,
    workers: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    resume: bool = False,
    debug: bool = False,
    progress: BatchProgress | None = None,
    start_method: str | None = None,
    refresh_every: int = REFRESH_EVERY,
    max_in_flight: int | None = None,
    on_error_row=None,
) -> dict:
    """Extract every report of ``input_path`` into ``output_path`` (JSONL, ``-`` for stdout).

    Returns :class:`BatchSummary` as a dict. Raises :class:`~pipeline.io.InputError` when the
    input cannot be read and :class:`BatchError` when the run cannot go on; the output then
    holds whole records only, and ``resume=True`` continues it.
    """
    begun = time.perf_counter()
    progress = progress or BatchProgress(enabled=False)
    summary = BatchSummary()
    if _same_file(input_path, output_path):
        raise InputError(f"{output_path}: the output would overwrite the input")
    if resume and output_path == "-":
        raise InputError("--resume needs an output file, not stdout")

    state = ResumeState(output_path) if resume and Path(output_path).exists() else None
    duplicates = DuplicateCounter()

    def tracked(rows: Iterable[Row]) -> Iterator[Row]:
        for number, row in enumerate(rows, start=1):
            key = id_key(row.id)
            summary.duplicate_ids += duplicates.seen(key)
            if state is not None and state.skip(key, number):
                continue
            yield row

    chunks = _chunks(tracked(read_reports(input_path, id_col, text_col, debug)), chunk_size, MAX_CHUNK_CHARS)
    workers = max(1, workers)
    head = list(itertools.islice(chunks, max(2, workers)))  # input problems surface here, before anything is written
    if state is not None:
        if len(head) < max(2, workers):  # the input ended: whatever is left of the output is unmatched
            state.read_all()
        summary.resumed_rows, summary.dropped_torn_bytes = state.rows, state.dropped_bytes
    if len(head) < 2:
        workers = 1
    elif len(head) < workers:
        workers = len(head)

    start_method = start_method or default_start_method()
    engine = _InProcess(count_chronic, debug, refresh_every) if workers == 1 else _Pool(workers, start_method, count_chronic, debug, refresh_every)
    summary.workers, summary.start_method = workers, (None if workers == 1 else start_method)
    summary.startup_seconds = round(engine.startup_seconds, 3)
    writer = None
    pending: deque[Future] = deque()
    rebuilt: dict[int, int] = {}
    try:
        if state is not None:
            state.check_versions(engine.rules_hash)
        writer = JsonlWriter(output_path, append=state is not None)
        progress.start()
        if progress.enabled and input_path != "-":  # the total (for the ETA) is counted on the side
            threading.Thread(target=lambda: progress.set_total(count_rows(input_path, text_col)), name="dvt-count", daemon=True).start()
        if state is not None and state.rows:
            progress.resumed_past(state.rows, state.errors)
        clock = time.perf_counter()
        in_flight = max_in_flight or 4 * workers
        todo = deque(head)
        head = []

        def write_next() -> None:
            future = pending.popleft()
            try:
                records, pid, rss, rebuilds = future.result()
            except BrokenProcessPool:
                raise BatchError(
                    f"a worker process died (out of memory? killed?) after {summary.new_rows} new rows were written to "
                    f"{output_path}; rerun with --resume to continue"
                ) from None
            writer.write_records(records)
            errors = 0
            for record in records:
                if record.get("error") is not None:
                    errors += 1
                    if on_error_row is not None:
                        on_error_row(record)
            summary.input_notes += sum("input_note" in record for record in records)
            summary.new_rows += len(records)
            summary.errors += errors
            rebuilt[pid] = rebuilds
            if pid != os.getpid():
                summary.worker_peak_rss_mb[pid] = max(rss, summary.worker_peak_rss_mb.get(pid, 0.0))
            progress.advance(len(records), errors)

        for chunk in itertools.chain(_drain(todo), chunks):
            pending.append(engine.submit(chunk))
            while len(pending) >= in_flight:
                write_next()
        while pending:
            write_next()
        summary.seconds = round(time.perf_counter() - clock, 3)
    except BaseException:
        for future in pending:
            future.cancel()
        engine.close(cancel=True)
        raise
    finally:
        progress.stop()
        if writer is not None:
            writer.close()
    engine.close()
    if state is not None:
        state.read_all()
        summary.unmatched_output_rows = state.unmatched
        summary.resume_diverged_at_row = state.diverged_at
        summary.errors += state.errors
        summary.input_notes += state.notes
    summary.rows = summary.resumed_rows + summary.new_rows
    summary.pipeline_rebuilds = sum(rebuilt.values())
    summary.total_seconds = round(time.perf_counter() - begun, 3)
    summary.rows_per_second = round(summary.new_rows / summary.seconds, 1) if summary.seconds else 0.0
    summary.main_peak_rss_mb = peak_rss_mb()
    return summary.to_dict()


def _drain(items: deque) -> Iterator:
    """Yield and forget the items of a deque (so submitted chunks are not kept alive)."""
    while items:
        yield items.popleft()


def run_extract_to(input_path: str, output_path: str, output_format: str | None = None, nlp_date=None, *, resume: bool = False, **kwargs) -> dict:
    """:func:`run_extract` into any output format (``pipeline.outputs``; docs/schema.md).

    JSONL is written directly. Other formats are extracted into a staging JSONL next to the
    output (``OUTPUT.partial.jsonl``), which is converted when the run completes and then
    removed; after an interruption it stays, and ``resume=True`` continues it.
    """
    from .outputs import convert, detect_format, output_files, staging_path

    fmt = detect_format(output_path, output_format)
    if fmt == "jsonl":
        summary = run_extract(input_path, output_path, resume=resume, **kwargs)
        summary.update(format=fmt, files={"jsonl": output_path})
        return summary
    if output_path == "-":
        raise InputError(f"--format {fmt} needs an output file, not stdout")
    if fmt in ("omop-csv", "omop-parquet", "duckdb"):
        from .outputs.omop import resolve_nlp_datetime

        resolve_nlp_datetime(nlp_date)  # a bad --nlp-date fails before hours of extraction
    stage = staging_path(output_path)
    summary = run_extract(input_path, stage, resume=resume, **kwargs)
    summary["tables"] = convert(stage, output_path, fmt, nlp_date)
    os.remove(stage)
    summary.update(format=fmt, files=output_files(output_path, fmt))
    return summary
