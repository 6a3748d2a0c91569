"""One DuckDB database file with the ``reports``, ``findings`` and ``note_nlp`` tables.

Same columns and types as the Parquet tables (docs/schema.md), declared explicitly (SQL types
below), filled batch by batch from Arrow tables, written to ``OUT.tmp`` and renamed at the end.

DuckDB puts a random 16-byte database identifier in its file header, so two identical runs would
differ there; :func:`pin_identifier` replaces it with a hash of the data behind the header (and
fixes the header checksum), which makes the file byte-identical across runs.
"""
from __future__ import annotations

import hashlib
import os
import struct

import pyarrow as pa

from .omop import NOTE_NLP_SCHEMA, note_nlp_rows, resolve_nlp_datetime
from .tables import FINDINGS_SCHEMA, batches, finding_rows, read_records, report_row, reports_schema

_SQL_TYPES = {pa.int32(): "INTEGER", pa.int64(): "BIGINT", pa.string(): "VARCHAR", pa.bool_(): "BOOLEAN", pa.date32(): "DATE", pa.timestamp("us"): "TIMESTAMP"}


def create_table_sql(name: str, schema: pa.Schema) -> str:
    columns = ",\n  ".join(f'"{f.name}" {_SQL_TYPES[f.type]}{"" if f.nullable else " NOT NULL"}' for f in schema)
    return f"CREATE TABLE {name} (\n  {columns}\n)"


_HEADER = 4096  # DuckDB's main file header: checksum (8 bytes), "DUCK", versions, ..., identifier
_IDENTIFIER = slice(124, 140)


def _header_checksum(header: bytes) -> bytes:
    """DuckDB's block checksum: 5381 xor-folded with each little-endian word times a constant."""
    value = 5381
    for (word,) in struct.iter_unpack("<Q", header[8:_HEADER]):
        value ^= (word * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    return struct.pack("<Q", value)


def _content_digest(path: str) -> bytes:
    digest = hashlib.blake2b(digest_size=_IDENTIFIER.stop - _IDENTIFIER.start)
    with open(path, "rb") as handle:
        handle.seek(_HEADER)
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.digest()


def pin_identifier(path: str, check_table: str = "reports") -> bool:
    """Replace the random database identifier of a closed DuckDB file by a hash of its content.

    Only a header in the layout we know (magic "DUCK", a valid checksum, a non-zero identifier) is
    changed, and the file must still open and answer a query afterwards, else the original header
    is put back. Returns whether the identifier was pinned.
    """
    import duckdb

    with open(path, "r+b") as handle:
        original = handle.read(_HEADER)
        known = len(original) == _HEADER and original[8:12] == b"DUCK" and _header_checksum(original) == original[:8]
        if not known or not any(original[_IDENTIFIER]):
            return False
        header = bytearray(original)
        header[_IDENTIFIER] = _content_digest(path)
        header[:8] = _header_checksum(bytes(header))
        handle.seek(0)
        handle.write(header)
    try:
        con = duckdb.connect(path, read_only=True)
        con.execute(f"SELECT count(*) FROM {check_table}").fetchone()
        con.close()
        return True
    except duckdb.Error:
        with open(path, "r+b") as handle:
            handle.write(original)
        return False


def write_duckdb(jsonl_path: str, path: str, nlp_date=None, carried: tuple[str, ...] = ()) -> dict[str, int]:
    import duckdb

    when = resolve_nlp_datetime(nlp_date)
    tmp = path + ".tmp"
    for leftover in (tmp, tmp + ".wal"):
        if os.path.exists(leftover):
            os.remove(leftover)
    counts = {"reports": 0, "findings": 0, "note_nlp": 0}
    tables = (("reports", reports_schema(carried)), ("findings", FINDINGS_SCHEMA), ("note_nlp", NOTE_NLP_SCHEMA))
    con = duckdb.connect(tmp)
    try:
        con.execute("SET threads TO 1")  # one writer thread: the same layout every run
        for name, schema in tables:
            con.execute(create_table_sql(name, schema))
        for first, batch in batches(read_records(jsonl_path)):
            rows = {
                "reports": [report_row(r, first + i, carried) for i, r in enumerate(batch)],
                "findings": [row for i, r in enumerate(batch) for row in finding_rows(r, first + i)],
                "note_nlp": [row for i, r in enumerate(batch) for row in note_nlp_rows(r, first + i, when)],
            }
            for name, schema in tables:
                if rows[name]:
                    arrow = pa.Table.from_pylist(rows[name], schema=schema)  # noqa: F841 - read by name below
                    con.execute(f"INSERT INTO {name} SELECT * FROM arrow")
                    counts[name] += len(rows[name])
        con.execute("CHECKPOINT")
        con.close()
        pin_identifier(tmp)
    except BaseException:
        con.close()
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.remove(leftover)
        raise
    os.replace(tmp, path)
    return counts
