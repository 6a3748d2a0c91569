"""``dvt course --engine spark``: the same three tables, with patients grouped by Spark (``applyInArrow``).

The reports and findings tables of ``dvt extract`` (the Parquet folders of ``--engine spark``, or
the Parquet files of the local engine) are joined on the executors, each report's decisive
findings gathered into a list; each patient's reports then go through exactly the local code
(``rules.gather`` -> ``io.tables_of_chunk``), so the rows are the local engine's. The grouped map is
``applyInArrow`` (applyInPandas' Arrow form): values cross as Arrow, with no pandas conversion of
nulls or strings on the way. The three tables
come back as one DataFrame (a ``_table`` column, the union of their columns, ``_seq`` the row's
place within its patient) and are written, in the local engine's order, as Parquet folders
``OUTPUT/leg_exams/``, ``OUTPUT/leg_events/``, ``OUTPUT/leg_episodes/``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from .io import COLUMNS, INPUT_SCHEMA, CourseInputError, _key, _table_paths, tables_of_chunk
from .rules import LEGS, Params, gather
from .tables import SCHEMAS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def union_schema() -> pa.Schema:
    """Every column of the three tables once (all nullable), plus ``_table`` and ``_seq``."""
    fields: dict[str, pa.Field] = {}
    for schema in SCHEMAS.values():
        for f in schema:
            fields.setdefault(f.name, pa.field(f.name, f.type))
    return pa.schema([pa.field("_table", pa.string()), pa.field("_seq", pa.int64()), *fields.values()])


def _patient_tables(params: Params):
    """The function applyInArrow runs for one patient's reports (plain values only)."""
    schema = union_schema()

    def run(group: pa.Table) -> pa.Table:
        rows = []
        for r in sorted(group.to_pylist(), key=lambda r: r["row_number"]):
            record = {"side_labels": {"left": r["side_label_left"], "right": r["side_label_right"]}, "findings": r["findings"] or [],
                      "error": r["error"], "scope": None}
            keys = [None if (parts := gather(record, leg)) is None else _key(parts) for leg in LEGS]
            rows.append((r["row_number"], r["id"], r["patient_id"], r["exam_date"], r["exam_date_note"], r["error"], *keys, r["comparison"]))
        chunk = pa.Table.from_arrays([pa.array([row[i] for row in rows], type=f.type) for i, f in enumerate(INPUT_SCHEMA)], schema=INPUT_SCHEMA)
        pieces = []
        for name, table in tables_of_chunk(chunk, params).items():
            extra = {"_table": pa.array([name] * table.num_rows, pa.string()), "_seq": pa.array(range(table.num_rows), pa.int64())}
            columns = {f.name: (extra[f.name] if f.name in extra else table.column(f.name) if f.name in table.schema.names
                                else pa.nulls(table.num_rows, f.type)) for f in schema}
            pieces.append(pa.table(columns, schema=schema))
        return pa.concat_tables(pieces)

    return run


def course_frame(reports: DataFrame, findings: DataFrame, params: Params) -> DataFrame:
    """The union DataFrame of the three tables for a reports and a findings DataFrame."""
    from pyspark.sql import functions as F

    from ..engines.spark import spark_schema

    for col in ("patient_id", "exam_date"):
        if col not in reports.columns:
            raise CourseInputError(f"the reports table has no {col} column (run dvt extract with --patient-col and --date-col)")
    change = F.col("change") if "change" in findings.columns else F.lit(None).cast("string")
    note = F.col("exam_date_note") if "exam_date_note" in reports.columns else F.lit(None).cast("string")
    compared = F.col("comparison_source").cast("string") if "comparison_source" in reports.columns else F.lit(None).cast("string")
    gathered = (findings.where(F.col("decisive"))
                .select("report_row", "finding_index", F.struct("segment", "side", "status", "acuity", "occlusion", change.alias("change")).alias("f"))
                .groupBy("report_row").agg(F.sort_array(F.collect_list(F.struct("finding_index", "f"))).alias("fs"))
                .select("report_row", F.col("fs.f").alias("findings")))
    source = (reports.select("row_number", F.col("id").cast("string").alias("id"), F.col("patient_id").cast("string").alias("patient_id"),
                             F.col("exam_date").cast("string").alias("exam_date"), note.alias("exam_date_note"), "error",
                             "side_label_left", "side_label_right", compared.alias("comparison"))
              .join(gathered, reports.row_number == gathered.report_row, "left").drop("report_row"))
    return source.groupBy("patient_id").applyInArrow(_patient_tables(params), spark_schema(union_schema()))


def table_of(frame: DataFrame, name: str) -> DataFrame:
    """One table from the union frame, in the local engine's order (patients, nulls first; rows within each)."""
    from pyspark.sql import functions as F

    return frame.where(F.col("_table") == name).orderBy(F.col("patient_id").asc_nulls_first(), "_seq").select(*SCHEMAS[name].names)


def read_tables(spark: SparkSession, path: str) -> tuple[DataFrame, DataFrame]:
    """The reports and findings of a dvt extract output: a folder with reports/ and findings/, or the Parquet files."""
    if os.path.isdir(path) and os.path.isdir(os.path.join(path, "reports")):
        return spark.read.parquet(os.path.join(path, "reports")), spark.read.parquet(os.path.join(path, "findings"))
    if not path.lower().endswith(".parquet"):
        raise CourseInputError(f"{path}: --engine spark reads Parquet (the output folder of dvt extract --engine spark, or OUT.reports.parquet)")
    reports, findings = _table_paths(path)
    return spark.read.parquet(reports), spark.read.parquet(findings)


def run_course_spark(input_path: str, output: str, params: Params, master: str | None = None) -> dict:
    """Write OUTPUT/leg_exams/, OUTPUT/leg_events/, OUTPUT/leg_episodes/ (Parquet); returns the counts and paths."""
    from pyspark import StorageLevel

    from ..engines.spark import spark_session

    spark = spark_session(master)
    frame = course_frame(*read_tables(spark, input_path), params)
    frame.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        files, counts = {}, {}
        for name in SCHEMAS:
            files[name] = str(Path(output) / name)
            table = table_of(frame, name)
            table.write.mode("overwrite").parquet(files[name])
            counts[name] = table.count()
    finally:
        frame.unpersist()
    return {"tables": counts, "files": files, "format": "parquet"}


__all__ = ["COLUMNS", "course_frame", "read_tables", "run_course_spark", "table_of", "union_schema"]
