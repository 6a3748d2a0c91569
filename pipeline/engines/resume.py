"""Ids of a batch run: counting duplicates in little memory, and checking an interrupted output
against the input so ``--resume`` skips what is already written, and only that."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from ..io import truncate_torn_tail
from ..io.guard import FP_MAGIC, FP_SIZE, FingerprintFile, fingerprint_path
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
    """What an interrupted output already holds, checked against the input as it streams.

    The output of a run is a prefix of the full output, in input order, and ``OUTPUT.fingerprints``
    holds a fingerprint (id and text) of each record's input row. Resuming requires the input to
    start with exactly those rows: the first row whose id or text differs, or an input that ends
    before the output does, stops the run before anything is written (:class:`BatchError`).
    """

    def __init__(self, path: str, input_path: str) -> None:
        self.path, self.input_path = path, input_path
        self.kept_bytes, self.dropped_bytes = truncate_torn_tail(path)
        with open(path, "rb") as handle:
            self.rows = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))  # records kept
        try:
            FingerprintFile.read_header(path, self.rows)
        except ValueError as exc:
            raise BatchError(f"cannot resume: {exc}; rerun without --resume") from None
        FingerprintFile.keep(path, self.rows)  # fingerprints of records a kill did not let through
        self.errors = 0
        self.notes = 0
        self.versions: set[tuple] = set()
        self._lines = self._read()
        self._fingerprints = open(fingerprint_path(path), "rb")  # noqa: SIM115 - closed when matched or finished
        self._fingerprints.seek(len(FP_MAGIC))
        self.matched = 0

    def _read(self) -> Iterator[str]:
        with open(self.path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    record = json.loads(raw)
                    key = id_key(record["id"])
                except (ValueError, KeyError, TypeError):
                    raise BatchError(f"cannot resume: {self.path} line {number} is not an output record; rerun without --resume") from None
                self.errors += record.get("error") is not None
                self.notes += "input_note" in record
                self.versions.add((record.get("rules_hash"), record.get("pipeline_version")))
                yield key

    def skip(self, key: str, fingerprint: bytes, row_number: int) -> bool:
        """Whether the input row is already in the output; raises BatchError if it differs from it."""
        if self.matched >= self.rows:
            return False
        written, written_fp = next(self._lines), self._fingerprints.read(FP_SIZE)
        if key != written or fingerprint != written_fp:
            what = "its text differs from" if key == written else f"its id differs from {written} in"
            raise BatchError(f"cannot resume: row {row_number} of {self.input_path} (id {key}) is not the row {self.path} was written from "
                             f"({what} the record there); resume with the same input, or rerun without --resume")
        self.matched += 1
        if self.matched == self.rows:
            self._fingerprints.close()
        return True

    def finish(self) -> None:
        """At the end of the input: every record of the output must have been matched."""
        self._fingerprints.close()
        if self.matched < self.rows:
            raise BatchError(f"cannot resume: {self.input_path} ends after row {self.matched}, but {self.path} holds {self.rows:,} records "
                             f"(rows vanished from the input); resume with the same input, or rerun without --resume")

    def check_versions(self, rules_hash: str) -> None:
        from .._version import __version__

        for written_hash, written_version in self.versions:
            if (written_hash, written_version) != (rules_hash, __version__):
                raise BatchError(
                    f"cannot resume: {self.path} was written by dvt {written_version} with rules {written_hash}, "
                    f"this is dvt {__version__} with rules {rules_hash}; rerun without --resume"
                )
