"""Write records as JSONL: one object per line, fixed key order, UTF-8, whole records only.

:class:`JsonlWriter` is what the batch engine uses: it writes a chunk of records as one buffer,
flushes it and (for files) fsyncs it, so a killed run leaves whole lines plus at most one torn
last line, which ``--resume`` drops (:func:`truncate_torn_tail`).
"""
from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

from .guard import cannot_write


def dumps(record: dict) -> str:
    """One JSONL line (deterministic: key order as built, no ASCII escaping)."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n"


def dump_bytes(record: dict) -> bytes:
    """One JSONL line as UTF-8; a lone surrogate (only possible in an id) is written as its JSON escape."""
    return dumps(record).encode("utf-8", "backslashreplace")


class JsonlWriter:
    """Append-only JSONL output; ``-`` is stdout. ``append`` keeps what the file holds (for --resume)."""

    def __init__(self, path: str, append: bool = False, fsync: bool = True) -> None:
        self.path = path
        self.rows = 0
        if path == "-":
            sys.stdout.flush()
            self._handle = sys.stdout.buffer
            self._fsync = False
        else:
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                self._handle = open(path, "ab" if append else "wb")  # noqa: SIM115 - closed in close()
            except OSError as exc:
                raise cannot_write(path, exc) from None
            self._fsync = fsync and stat.S_ISREG(os.fstat(self._handle.fileno()).st_mode)  # /dev/null cannot fsync

    def write_records(self, records: Iterable[dict]) -> int:
        """Write records as one buffer, flushed (and fsynced for files): whole lines or nothing new."""
        lines = [dump_bytes(r) for r in records]
        if lines:
            try:
                self._handle.write(b"".join(lines))
                self._handle.flush()
                if self._fsync:
                    os.fsync(self._handle.fileno())
            except OSError as exc:
                raise cannot_write(self.path, exc) from None
        self.rows += len(lines)
        return len(lines)

    def close(self) -> None:
        try:
            if self._handle is not sys.stdout.buffer:
                self._handle.close()
            else:
                self._handle.flush()
        except OSError as exc:
            raise cannot_write(self.path, exc) from None

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def truncate_torn_tail(path: str, block: int = 1 << 16) -> tuple[int, int]:
    """Cut ``path`` after its last newline; returns (kept size, dropped bytes).

    A run killed mid-write can leave half a record at the end; dropping it makes the file a
    sequence of whole records again, and the dropped record is redone on resume.
    """
    with open(path, "r+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        end = size
        keep = 0
        while end > 0:
            start = max(0, end - block)
            handle.seek(start)
            chunk = handle.read(end - start)
            at = chunk.rfind(b"\n")
            if at >= 0:
                keep = start + at + 1
                break
            end = start
        if keep != size:
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())
    return keep, size - keep


def open_private(path: str | Path):
    """A new text file only its owner may read (0600), for files holding report text; replaces ``path``."""
    Path(path).unlink(missing_ok=True)  # an existing file keeps its mode: start afresh
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8", newline="")


def write_private(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (via ``path.tmp``), readable by its owner only."""
    tmp = f"{path}.tmp"
    with open_private(tmp) as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_jsonl(records: Iterable[dict], path: str) -> int:
    """Write records to ``path`` (``-`` for stdout); returns how many were written."""
    with JsonlWriter(path, fsync=False) as writer:
        for record in records:
            writer.write_records([record])
    return writer.rows
