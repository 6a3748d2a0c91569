"""What keeps a run's output apart from its input and from other runs (docs/bad-input.md).

* :func:`check_outputs`: no file a run will write (the output, the tables derived from its name,
  the staging JSONL, their ``.tmp`` files) may be the input, by path, symlink or hard link.
* :class:`OutputLock`: an exclusive ``flock`` on the file a run appends to, held for the run's
  lifetime; a second run onto the same output is refused at once.
* :func:`row_fingerprint` / :class:`FingerprintFile`: 8 bytes per record (BLAKE2b of the id and
  the text as read) in ``OUTPUT.fingerprints``, so ``--resume`` can tell that the input is the one
  the output was written from.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, runs are not guarded
    fcntl = None

FP_MAGIC = b"dvt-fingerprints 1\n"
FP_SIZE = 8
_HELD: set[int] = set()  # descriptors of the locks this process holds


class OutputError(OSError):
    """The output cannot be written as asked (the message names the file and the reason)."""


def cannot_write(path: str, exc: OSError) -> OutputError:
    """An OutputError naming the file and the system's reason ("No space left on device")."""
    return OutputError(f"{path}: cannot write ({exc.strerror or type(exc).__name__})")


def _identity(path: str) -> tuple[str, tuple[int, int] | None]:
    """The resolved path, and (device, inode) when the file exists."""
    resolved = os.path.realpath(path)
    try:
        st = os.stat(resolved)
        return resolved, (st.st_dev, st.st_ino)
    except OSError:
        return resolved, None


def check_outputs(input_path: str, outputs: list[str]) -> None:
    """Refuse a run if any file it will write is the input (or, for a folder input, a ``.txt`` inside it)."""
    if input_path == "-":
        return
    source, source_inode = _identity(input_path)
    folder = os.path.isdir(source)
    for output in outputs:
        if output == "-":
            continue
        target, target_inode = _identity(output)
        same = target == source or (source_inode is not None and target_inode == source_inode)
        inside = folder and target.lower().endswith(".txt") and target.startswith(source.rstrip(os.sep) + os.sep)
        if same or inside:
            raise OutputError(f"{output}: the output would overwrite the input {input_path}" if same else
                              f"{output}: the output would be read as a report of the input folder {input_path}")


class OutputLock:
    """An exclusive lock on ``path`` for the ``with`` block; created empty if missing (and removed
    again if the block fails before writing anything)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._created = False

    def __enter__(self) -> OutputLock:
        if self.path == "-":
            return self
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
                self._created = True
            except FileExistsError:
                fd = os.open(self.path, os.O_RDWR)
        except OSError as exc:
            raise cannot_write(self.path, exc) from None
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise OutputError(f"{self.path} is being written by another dvt extract run; wait for it to end (or stop it and use --resume)") from None
        self._fd = fd
        _HELD.add(fd)
        return self

    def __exit__(self, kind, *_: object) -> None:
        if self._fd is None:
            return
        try:
            if kind is not None and self._created and os.fstat(self._fd).st_size == 0:
                os.remove(self.path)
        except OSError:
            pass
        _HELD.discard(self._fd)
        os.close(self._fd)  # releases the lock
        self._fd = None


def release_inherited_locks() -> None:
    """In a forked worker: close the lock descriptors copied from the parent, so the lock ends with the parent."""
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


# --------------------------------------------------------------------------- fingerprints


def fingerprint_path(output: str) -> str:
    return output + ".fingerprints"


def row_fingerprint(report_id: object, text: object, error: str | None) -> bytes:
    """8 bytes that change when the id or the text (or why it could not be read) changes."""
    body = text if isinstance(text, str) else f"\x01{error}" if error is not None else f"\x02{json.dumps(text, default=str)}"
    key = json.dumps(report_id, ensure_ascii=False)
    return hashlib.blake2b(f"{key}\x00{body}".encode("utf-8", "surrogatepass"), digest_size=FP_SIZE).digest()


class FingerprintFile:
    """``OUTPUT.fingerprints``: a header, then one fingerprint per output record, in order.

    Fingerprints are written (and fsynced) before their records, so after a kill the file holds at
    least as many as the output; :meth:`keep` cuts it back to the records kept.
    """

    def __init__(self, output: str, append: bool) -> None:
        self.path = fingerprint_path(output)
        try:
            self._handle = open(self.path, "ab" if append else "wb")  # noqa: SIM115 - closed in close()
            if not append or self._handle.tell() == 0:
                self._handle.write(FP_MAGIC)
        except OSError as exc:
            raise cannot_write(self.path, exc) from None

    @staticmethod
    def read_header(output: str, rows: int) -> None:
        """Check that the file holds a fingerprint for each of ``rows`` records (ValueError if not)."""
        path = fingerprint_path(output)
        if rows == 0:
            return
        try:
            with open(path, "rb") as handle:
                magic, size = handle.read(len(FP_MAGIC)), os.fstat(handle.fileno()).st_size
        except FileNotFoundError:
            raise ValueError(f"{path} (the input fingerprints of {output}) is missing") from None
        if magic != FP_MAGIC or size < len(FP_MAGIC) + rows * FP_SIZE:
            raise ValueError(f"{path} does not hold an input fingerprint for each of the {rows:,} records of {output}")

    @staticmethod
    def keep(output: str, rows: int) -> None:
        """Cut the file to ``rows`` fingerprints (those of the records the output kept)."""
        with open(fingerprint_path(output), "ab") as handle:
            if rows == 0:
                handle.truncate(0)
                handle.write(FP_MAGIC)
            handle.truncate(len(FP_MAGIC) + rows * FP_SIZE)

    def write(self, fingerprints: bytes) -> None:
        try:
            self._handle.write(fingerprints)
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:
            raise cannot_write(self.path, exc) from None

    def close(self) -> None:
        self._handle.close()
