"""Run the pipeline on Apache Spark: the ``reports`` and ``findings`` tables as Spark DataFrames.

The rows are the local engine's (``pipeline.outputs.tables.report_row`` / ``finding_rows``), built on
the executors by ``mapInArrow`` with the same pyarrow schemas: Arrow batches carry Python ints and
nulls as they are, where pandas would turn a nullable int column into floats. Each Python worker
builds the pipeline once, on first use (``pipeline.api.default_extractor``, cached per process);
no spaCy object crosses from the driver.

``row_number`` / ``report_row`` is the row's position in the input DataFrame, counted over its
partitions in order (for a file read: the file order, as the local engine counts). It costs one
counting job, and holds only when the input's partitioning is deterministic (a file read, a
``createDataFrame``; not the output of a shuffle that may be recomputed differently).
"""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pyarrow as pa

from ..outputs.tables import FINDINGS_SCHEMA, finding_rows, report_row, reports_schema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

INSTALL_HINT = "install it with: pip install 'dvt-duplex[spark]' (Spark also needs Java 17 or later)"
# One pass of the pipeline gives both tables: a report row plus its finding rows as a nested list.
def combined_schema(carried: tuple[str, ...] = ()) -> pa.Schema:
    """The reports table (with any carried columns) plus a nested ``findings`` column."""
    return pa.schema(list(reports_schema(carried)) + [pa.field("findings", pa.list_(pa.struct(list(FINDINGS_SCHEMA))), nullable=False)])


COMBINED_SCHEMA = combined_schema()


def require_pyspark() -> None:
    """Raise a RuntimeError that says how to install pyspark (and Java) when it cannot be imported."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise RuntimeError(f"the Spark engine needs pyspark, which is not installed; {INSTALL_HINT}") from exc


def spark_session(master: str | None = None, app_name: str = "dvt", conf: dict[str, str] | None = None) -> SparkSession:
    """The active Spark session, or a new one (``master`` e.g. ``local[*]``; None: Spark's default; ``conf``: settings)."""
    require_pyspark()
    from pyspark.sql import SparkSession

    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise RuntimeError("the Spark engine needs Java 17 or later: install it, or set JAVA_HOME")
    # A Spark started here runs locally (no master: local[*]; under spark-submit the gateway is set):
    # its workers run this interpreter (a venv's), not PATH's python3.
    local = master.startswith("local") if master else "PYSPARK_GATEWAY_PORT" not in os.environ
    if local:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    return (builder.master(master) if master else builder).getOrCreate()


def spark_schema(schema: pa.Schema):
    """The Spark StructType of a pyarrow schema (names, types, nullability): one source of truth."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def _partition_offsets(df: DataFrame) -> dict[int, int]:
    """The row number of each non-empty partition's first row: one counting job over the input."""
    from pyspark.sql import functions as F

    offsets, total = {}, 0
    for part, count in sorted(df.groupBy(F.spark_partition_id()).count().collect()):
        offsets[part] = total
        total += count
    return offsets


def _extract_partition(offsets: dict[int, int], id_col: str, text_col: str, count_chronic: bool, debug: bool, carry=None) -> Callable:
    """The function mapInArrow runs on the executors (it holds plain values only)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        from ..api import default_extractor
        from .workers import redact_error

        extractor = default_extractor(count_chronic)  # built once per Python worker
        task = TaskContext.get()
        assert task is not None, "run inside a Spark task"
        number = offsets.get(task.partitionId(), 0)  # absent: an empty partition
        columns = carry.columns if carry else ()
        carried = carry.fields if carry else ()
        schema = combined_schema(carried)
        for batch in batches:
            rows = []
            extras = {c: batch.column(f"_carry{i}").to_pylist() for i, c in enumerate(columns)}
            for at, (report_id, text) in enumerate(zip(batch.column(id_col).to_pylist(), batch.column(text_col).to_pylist())):
                record = extractor.extract(text, report_id)
                error = record["error"]
                if error and not debug:
                    record["error"] = redact_error(error)
                if carry:
                    record.update(carry.values({c: values[at] for c, values in extras.items()}))
                rows.append({**report_row(record, number, carried), "findings": finding_rows(record, number)})
                number += 1
            yield pa.RecordBatch.from_pylist(rows, schema=schema)

    return run


def extract_combined(df: DataFrame, id_col: str = "id", text_col: str = "text", count_chronic: bool = False, debug: bool = False, carry=None) -> DataFrame:
    """The reports table with a nested ``findings`` column: one pipeline pass gives both tables.

    ``carry`` (pipeline.io.carry.Carry) copies the patient, exam date and kept columns into each row.
    """
    from pyspark.sql import functions as F

    columns = carry.columns if carry else ()
    for col in (id_col, text_col, *columns):
        if col not in df.columns:
            raise ValueError(f"input has no column {col!r} (columns: {', '.join(df.columns)})")
    source = df.select(F.col(id_col).alias("id"), F.col(text_col).cast("string").alias("text"),
                       *(F.col(c).alias(f"_carry{i}") for i, c in enumerate(columns)))
    run = _extract_partition(_partition_offsets(source), "id", "text", count_chronic, debug, carry)
    return source.mapInArrow(run, spark_schema(combined_schema(carry.fields if carry else ())))


def reports_of(combined: DataFrame) -> DataFrame:
    return combined.select(*[c for c in combined.columns if c != "findings"])


def findings_of(combined: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    return combined.select(F.inline("findings"))


def extract_spark(df: DataFrame, id_col: str = "id", text_col: str = "text", count_chronic: bool = False, table: str = "reports", debug: bool = False) -> DataFrame:
    """The ``reports`` (or, with ``table="findings"``, the ``findings``) table of docs/schema.md for ``df``.

    Error messages that could quote report text keep the exception type only unless ``debug``,
    as in ``dvt extract``. Each call runs the pipeline; for both tables from one pass use
    ``extract_combined`` with ``reports_of`` / ``findings_of`` (and persist it).
    """
    if table not in ("reports", "findings"):
        raise ValueError(f"table must be 'reports' or 'findings', not {table!r}")
    combined = extract_combined(df, id_col, text_col, count_chronic, debug)
    return reports_of(combined) if table == "reports" else findings_of(combined)


def extract_spark_findings(df: DataFrame, id_col: str = "id", text_col: str = "text", count_chronic: bool = False, debug: bool = False) -> DataFrame:
    """The ``findings`` table for ``df`` (see ``extract_spark``)."""
    return extract_spark(df, id_col, text_col, count_chronic, table="findings", debug=debug)


def read_input(spark: SparkSession, path: str) -> DataFrame:
    """A Parquet, CSV (with a header) or JSON Lines input, by extension (.gz ok for CSV and JSONL)."""
    name = path.lower().rstrip("/")
    name = name[:-3] if name.endswith(".gz") else name
    if name.endswith(".parquet") or os.path.isdir(path):
        return spark.read.parquet(path)
    if name.endswith(".csv"):
        return spark.read.csv(path, header=True, multiLine=True, escape='"')
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return spark.read.json(path)
    raise ValueError(f"cannot tell the format of {path}: use .parquet (or a folder of Parquet), .csv or .jsonl")


def run_spark_extract(input_path: str, output_dir: str, master: str | None = None, id_col: str = "id", text_col: str = "text", count_chronic: bool = False, debug: bool = False, carry=None) -> dict:
    """Read ``input_path`` with Spark, write ``output_dir/reports/`` and ``output_dir/findings/`` as Parquet.

    The pipeline runs once (the combined rows are persisted while both tables are written).
    Returns the counts of rows, rows with errors and finding rows, and the two paths.
    """
    spark = spark_session(master)
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    combined = extract_combined(read_input(spark, input_path), id_col, text_col, count_chronic, debug, carry)
    combined.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        paths = {"reports": os.path.join(output_dir, "reports"), "findings": os.path.join(output_dir, "findings")}
        reports_of(combined).write.mode("overwrite").parquet(paths["reports"])
        findings_of(combined).write.mode("overwrite").parquet(paths["findings"])
        counts = combined.agg(
            F.count(F.lit(1)).alias("rows"), F.count("error").alias("errors"), F.sum(F.size("findings")).alias("findings"),
        ).first()
    finally:
        combined.unpersist()
    assert counts is not None  # an aggregate has one row
    return {"rows": counts["rows"], "errors": counts["errors"], "findings": counts["findings"] or 0, "files": paths}
