"""Batch extraction: stream reports through a process pool, write records in input order, resumably.

How a run goes (``dvt extract``, or :func:`run_extract` from Python; the worker processes live in
:mod:`pipeline.engines.workers`, duplicate counting and resume matching in :mod:`pipeline.engines.resume`):

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
   off, the rows already written are checked against the input, row by row, by id and by the
   fingerprint of their text (``OUTPUT.fingerprints``, written beside the output) and skipped, and
   the rest is appended. The result equals an uninterrupted run byte for byte; an input that is not
   the one the output was written from is refused before anything is written. The output is
   locked (``flock``) for the run: a second run onto it is refused.
5. A worker rebuilds its pipeline once its memory grew ``REFRESH_MB`` (or every ``REFRESH_EVERY``
   reports): spaCy's string store grows with every new token, and a rebuild gives that memory
   back (output does not depend on it).

Report text is patient data: nothing here logs it. Error rows that carry an exception message
(``processing failed: ...``) are cut to the exception type unless ``debug`` is set.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from typing import Any

from ..core.record import Record
from ..io import InputError, JsonlWriter, Row, count_rows, read_reports
from ..io.carry import Carry
from ..io.guard import FingerprintFile, OutputLock, check_outputs, fingerprint_path, row_fingerprint
from .progress import BatchProgress
from .resume import DuplicateCounter, ResumeState, id_key
from .workers import REFRESH_EVERY, BatchError, InProcess, WorkerPool, default_start_method, default_workers, peak_rss_mb

DEFAULT_CHUNK_SIZE = 64
MAX_CHUNK_CHARS = 1_000_000  # a chunk closes early once its texts hold this many characters

__all__ = ["BatchError", "BatchSummary", "DuplicateCounter", "ResumeState", "default_workers", "extract_records", "id_key", "run_extract", "run_extract_to"]


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


def _regular(path: str) -> bool:
    """Whether ``path`` is (or will be) a regular file: not stdout, not a device such as /dev/null."""
    return path != "-" and (not os.path.exists(path) or os.path.isfile(path))


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
    on_error_row: Callable[[Record], object] | None = None,
    lock: bool = True,
    carry: Carry | None = None,
) -> dict:
    """Extract every report of ``input_path`` into ``output_path`` (JSONL, ``-`` for stdout).

    Returns :class:`BatchSummary` as a dict. Raises :class:`~pipeline.io.InputError` when the
    input cannot be read, :class:`~pipeline.io.guard.OutputError` when the output cannot be
    written (or is the input, or another run's), and :class:`BatchError` when the run cannot go
    on; the output then holds whole records only, and ``resume=True`` continues it. The output
    is locked for the run (``lock=False``: the caller holds the lock).
    """
    if resume and output_path == "-":
        raise InputError("--resume needs an output file, not stdout")
    regular = _regular(output_path)
    check_outputs(input_path, [output_path, fingerprint_path(output_path)] if regular else [output_path])
    with OutputLock(output_path) if lock and regular else contextlib.nullcontext():
        return _run_extract(input_path, output_path, id_col, text_col, count_chronic, workers=workers, chunk_size=chunk_size,
                            resume=resume and regular, debug=debug, progress=progress, start_method=start_method, refresh_every=refresh_every,
                            max_in_flight=max_in_flight, on_error_row=on_error_row, fingerprints=regular, carry=carry)


def _run_extract(input_path: str, output_path: str, id_col: str, text_col: str, count_chronic: bool, *, workers: int, chunk_size: int,
                 resume: bool, debug: bool, progress: BatchProgress | None, start_method: str | None, refresh_every: int,
                 max_in_flight: int | None, on_error_row: Callable[[Record], object] | None, fingerprints: bool, carry: Carry | None = None) -> dict:
    begun = time.perf_counter()
    progress = progress or BatchProgress(enabled=False)
    summary = BatchSummary()
    state = ResumeState(output_path, input_path) if resume and os.path.getsize(output_path) > 0 else None
    duplicates = DuplicateCounter()

    def tracked(rows: Iterable[Row]) -> Iterator[Row]:
        for number, row in enumerate(rows, start=1):
            key = id_key(row.id)
            summary.duplicate_ids += duplicates.seen(key)
            if state is not None and state.skip(key, row_fingerprint(row.id, row.text, row.error), number):
                continue
            yield row._replace(extra=carry.values(row.extra)) if carry else row
        if state is not None:
            state.finish()

    chunks = _chunks(tracked(read_reports(input_path, id_col, text_col, debug, carry.columns if carry else ())), chunk_size, MAX_CHUNK_CHARS)
    workers = max(1, workers)
    head = list(itertools.islice(chunks, max(2, workers)))  # input problems surface here, before anything is written
    if state is not None:
        summary.resumed_rows, summary.dropped_torn_bytes = state.rows, state.dropped_bytes
    engine = _start_engine(len(head), workers, count_chronic, debug, refresh_every, start_method)
    summary.workers, summary.start_method = engine.workers, engine.start_method
    summary.startup_seconds = round(engine.startup_seconds, 3)
    writer = fp_file = None
    rebuilt: dict[int, int] = {}
    try:
        if state is not None:
            state.check_versions(engine.rules_hash)
        writer = JsonlWriter(output_path, append=state is not None)
        fp_file = FingerprintFile(output_path, append=state is not None) if fingerprints else None
        progress.start()
        if progress.enabled and input_path != "-":  # the total (for the ETA) is counted on the side
            threading.Thread(target=lambda: progress.set_total(count_rows(input_path, text_col)), name="dvt-count", daemon=True).start()
        if state is not None and state.rows:
            progress.resumed_past(state.rows, state.errors)
        clock = time.perf_counter()
        def chunk_fingerprints(chunk: list[Row]) -> bytes:
            return b"".join(row_fingerprint(r.id, r.text, r.error) for r in chunk) if fp_file else b""

        results = _in_order(engine, itertools.chain(_drain(deque(head)), chunks), max_in_flight or 4 * engine.workers, chunk_fingerprints)
        head = []
        try:
            for (records, pid, rss, rebuilds), row_fingerprints in results:
                if fp_file is not None:
                    fp_file.write(row_fingerprints)  # before the records: after a kill, never fewer fingerprints than records
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
        except BrokenProcessPool:
            raise BatchError(
                f"a worker process died (out of memory? killed?) after {summary.new_rows} new rows were written to "
                f"{output_path}; rerun with --resume to continue"
            ) from None
        finally:
            results.close()
        summary.seconds = round(time.perf_counter() - clock, 3)
    except BaseException:
        engine.close(cancel=True)
        raise
    finally:
        progress.stop()
        if writer is not None:
            writer.close()
        if fp_file is not None:
            fp_file.close()
    engine.close()
    if state is not None:
        summary.errors += state.errors
        summary.input_notes += state.notes
    summary.rows = summary.resumed_rows + summary.new_rows
    summary.pipeline_rebuilds = sum(rebuilt.values())
    summary.total_seconds = round(time.perf_counter() - begun, 3)
    summary.rows_per_second = round(summary.new_rows / summary.seconds, 1) if summary.seconds else 0.0
    summary.main_peak_rss_mb = peak_rss_mb()
    return summary.to_dict()


def _start_engine(read_ahead: int, workers: int, count_chronic: bool, debug: bool, refresh_every: int, start_method: str | None):
    """In this process for ``workers == 1`` or an input of one chunk (``read_ahead`` chunks were read
    before starting), else a pool of at most one worker per chunk read ahead."""
    workers = 1 if read_ahead < 2 else min(max(1, workers), read_ahead)
    if workers == 1:
        return InProcess(count_chronic, debug, refresh_every)
    return WorkerPool(workers, start_method or default_start_method(), count_chronic, debug, refresh_every)


def _in_order(engine, chunks: Iterable[list[Row]], in_flight: int, tag: Callable[[list[Row]], object] | None = None) -> Generator[tuple[Any, Any], None, None]:
    """Submit ``chunks`` to ``engine``, at most ``in_flight`` at a time, and yield each one's result
    (records, pid, peak RSS, rebuilds) with ``tag(chunk)`` (taken at submission), in submission
    order; closing the generator cancels the rest. A worker that died raises BrokenProcessPool here."""
    pending: deque[tuple[Future, object]] = deque()
    try:
        for chunk in chunks:
            pending.append((engine.submit(chunk), tag(chunk) if tag else None))
            while len(pending) >= in_flight:
                future, label = pending.popleft()
                yield future.result(), label
        while pending:
            future, label = pending.popleft()
            yield future.result(), label
    finally:
        for future, _ in pending:
            future.cancel()


def extract_records(rows: Iterable[Row], *, workers: int = 1, count_chronic: bool = False, debug: bool = False,
                    chunk_size: int = DEFAULT_CHUNK_SIZE, start_method: str | None = None) -> Iterator[Record]:
    """The records of ``rows``, in order, computed as :func:`run_extract` computes them (the same
    chunks, worker pool and error rows), for callers that hold the rows in memory rather than in a file."""
    chunks = _chunks(rows, chunk_size, MAX_CHUNK_CHARS)
    head = deque(itertools.islice(chunks, max(2, workers)))
    engine = _start_engine(len(head), workers, count_chronic, debug, REFRESH_EVERY, start_method)
    results = _in_order(engine, itertools.chain(_drain(head), chunks), 4 * engine.workers)
    try:
        for (records, *_), _ in results:
            yield from records
    except BrokenProcessPool:
        raise BatchError("a worker process died (out of memory? killed?); run with one worker to see why") from None
    finally:
        results.close()
        engine.close(cancel=True)


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
    from ..outputs import convert, detect_format, output_files, staging_path

    fmt = detect_format(output_path, output_format)
    if fmt == "jsonl":
        summary = run_extract(input_path, output_path, resume=resume, **kwargs)
        summary.update(format=fmt, files={"jsonl": output_path})
        return summary
    if output_path == "-":
        raise InputError(f"--format {fmt} needs an output file, not stdout")
    if fmt in ("omop-csv", "omop-parquet", "duckdb"):
        from ..outputs.omop import resolve_nlp_datetime

        resolve_nlp_datetime(nlp_date)  # a bad --nlp-date fails before hours of extraction
    stage = staging_path(output_path)
    tables = list(output_files(output_path, fmt).values())
    check_outputs(input_path, [*tables, *(f"{t}.tmp" for t in tables), *(f"{t}.tmp.wal" for t in tables if fmt == "duckdb"),
                               stage, fingerprint_path(stage)])
    carry = kwargs.get("carry")
    with OutputLock(stage):  # held through the conversion: one run per output at a time
        summary = run_extract(input_path, stage, resume=resume, lock=False, **kwargs)
        summary["tables"] = convert(stage, output_path, fmt, nlp_date, carried=carry.fields if carry else ())
        os.remove(stage)
        os.remove(fingerprint_path(stage))
    summary.update(format=fmt, files=output_files(output_path, fmt))
    return summary
