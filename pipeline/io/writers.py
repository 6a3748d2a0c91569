"""Write records as JSONL: one object per line, fixed key order, UTF-8, flushed per record."""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path


def dumps(record: dict) -> str:
    """One JSONL line (deterministic: key order as built, no ASCII escaping)."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n"


def write_jsonl(records: Iterable[dict], path: str) -> int:
    """Write records to ``path`` (``-`` for stdout); returns how many were written."""
    import sys

    count = 0
    if path != "-":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    handle = sys.stdout if path == "-" else open(path, "w", encoding="utf-8", newline="\n")
    try:
        for record in records:
            handle.write(dumps(record))
            count += 1
    finally:
        if handle is not sys.stdout:
            handle.close()
    return count
