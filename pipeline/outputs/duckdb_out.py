"""One DuckDB database file with the ``reports``, ``findings`` and ``note_nlp`` tables.

Same columns and types as the Parquet tables (docs/schema.md), declared explicitly (SQL types
below), filled batch by batch from Arrow tables, written to ``OUT.tmp`` and renamed at the end.
"""
from __future__ import annotations

import os

import pyarrow as pa

from .omop import NOTE_NLP_SCHEMA, note_nlp_rows, resolve_nlp_datetime
from .tables import FINDINGS_SCHEMA, REPORTS_SCHEMA, batches, finding_rows, read_records, report_row

_SQL_TYPES = {pa.int32(): "INTEGER", pa.int64(): "BIGINT", pa.string(): "VARCHAR", pa.bool_(): "BOOLEAN", pa.date32(): "DATE", pa.timestamp("us"): "TIMESTAMP"}


def create_table_sql(name: str, schema: pa.Schema) -> str:
    columns = ",\n  ".join(f'"{f.name}" {_SQL_TYPES[f.type]}{"" if f.nullable else " NOT NULL"}' for f in schema)
    return f"CREATE TABLE {name} (\n  {columns}\n)"


def write_duckdb(jsonl_path: str, path: str, nlp_date=None) -> dict[str, int]:
    import duckdb

    when = resolve_nlp_datetime(nlp_date)
    tmp = path + ".tmp"
    for leftover in (tmp, tmp + ".wal"):
        if os.path.exists(leftover):
            os.remove(leftover)
    counts = {"reports": 0, "findings": 0, "note_nlp": 0}
    tables = (("reports", REPORTS_SCHEMA), ("findings", FINDINGS_SCHEMA), ("note_nlp", NOTE_NLP_SCHEMA))
    con = duckdb.connect(tmp)
    try:
        con.execute("SET threads TO 1")  # one writer thread: the same layout every run
        for name, schema in tables:
            con.execute(create_table_sql(name, schema))
        for first, batch in batches(read_records(jsonl_path)):
            rows = {
                "reports": [report_row(r, first + i) for i, r in enumerate(batch)],
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
    except BaseException:
        con.close()
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.remove(leftover)
        raise
    os.replace(tmp, path)
    return counts
