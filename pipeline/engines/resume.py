"""Ids of a batch run: counting duplicates in little memory, and matching an interrupted output
against the input so ``--resume`` skips what is already written."""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator

from ..io import truncate_torn_tail
from .workers import BatchError


def id_key(report_id: object) -> str:
    """A comparable key for an id as written to the output (5 and "5" differ)."""
    return json.dumps(report_id, ensure_ascii=False, sort_keys=True)


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
        from .._version import __version__

        for written_hash, written_version in self.versions:
            if (written_hash, written_version) != (rules_hash, __version__):
                raise BatchError(
                    f"cannot resume: {self.path} was written by dvt {written_version} with rules {written_hash}, "
                    f"this is dvt {__version__} with rules {rules_hash}; rerun without --resume"
                )
