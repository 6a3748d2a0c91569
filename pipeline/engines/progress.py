"""Progress of a batch run on stderr: rows done, rows/s, errors so far, ETA when the total is known.

On a terminal it is a live rich line; otherwise (a log file, a CI job) a plain line every
``interval`` seconds. It shows counts, rates and ids only, never report text.
"""
from __future__ import annotations

import sys
import time
from collections import deque

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class BatchProgress:
    """Counts fed by the batch engine; ``enabled=False`` (``--quiet``) makes every call a no-op."""

    def __init__(self, enabled: bool = True, console: Console | None = None, interval: float = 30.0, window: float = 30.0) -> None:
        self.enabled = enabled
        self.console = console or Console(stderr=True)
        self.interval = interval
        self.window = window
        self.total: int | None = None
        self.done = 0
        self.errors = 0
        self.resumed = 0
        self._samples: deque[tuple[float, int]] = deque()
        self._started = time.perf_counter()
        self._last_line = self._started
        self._live: Progress | None = None
        self._task: TaskID | None = None

    # ------------------------------------------------------------------ feeding

    def start(self) -> None:
        self._started = time.perf_counter()
        self._last_line = self._started
        self._samples.clear()
        self._samples.append((self._started, self.done))
        if not self.enabled or not self.console.is_terminal:
            return
        self._live = Progress(SpinnerColumn(), BarColumn(), TextColumn("{task.description}"), console=self.console, transient=True, refresh_per_second=4)
        self._task = self._live.add_task(self.status(), total=self.total)
        self._live.start()

    def set_total(self, total: int | None) -> None:
        self.total = total
        if self._live is not None and self._task is not None and total is not None:
            self._live.update(self._task, total=total)

    def resumed_past(self, rows: int, errors: int) -> None:
        """Rows already in the output before this run: counted as done, left out of the rate."""
        self.resumed, self.done, self.errors = rows, self.done + rows, self.errors + errors
        self._samples.clear()
        self._samples.append((time.perf_counter(), self.done))
        self._refresh()

    def advance(self, rows: int, errors: int = 0) -> None:
        self.done += rows
        self.errors += errors
        now = time.perf_counter()
        self._samples.append((now, self.done))
        while len(self._samples) > 2 and now - self._samples[1][0] > self.window:
            self._samples.popleft()
        self._refresh()
        if self.enabled and self._live is None and now - self._last_line >= self.interval:
            self._last_line = now
            print(f"dvt extract: {self.status()}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    # ------------------------------------------------------------------ reading

    def rate(self) -> float:
        if len(self._samples) < 2:
            return 0.0
        (t0, n0), (t1, n1) = self._samples[0], self._samples[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0

    def status(self) -> str:
        done = f"{self.done:,}/{self.total:,}" if self.total is not None else f"{self.done:,}"
        parts = [f"{done} rows", f"{self.rate():,.0f} rows/s", f"{self.errors:,} errors"]
        rate = self.rate()
        if self.total is not None and rate > 0 and self.total >= self.done:
            parts.append(f"ETA {_duration((self.total - self.done) / rate)}")
        parts.append(f"elapsed {_duration(time.perf_counter() - self._started)}")
        return " · ".join(parts)

    def _refresh(self) -> None:
        if self._live is not None and self._task is not None:
            self._live.update(self._task, completed=self.done, description=self.status())
