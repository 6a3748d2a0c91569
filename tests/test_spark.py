"""The Spark engine (pipeline.engines.spark) on a local Spark session: the same rows as the local engine."""
from __future__ import annotations

import builtins
import csv
import json
import shutil

import pyarrow.parquet as pq
import pytest

from pipeline.outputs.tables import FINDINGS_SCHEMA, REPORTS_SCHEMA, finding_rows, report_row

from .conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17+ and this machine has no java on PATH")
TEST_SPLIT = ROOT / "corpora" / "synthetic" / "test.jsonl"


@pytest.fixture(scope="session")
def spark():
    from pipeline.engines.spark import spark_session

    conf = {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2"}
    session = spark_session("local[2]", app_name="dvt-tests", conf=conf)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def test_split() -> list[dict]:
    return [json.loads(line) for line in TEST_SPLIT.read_text(encoding="utf-8").splitlines()]


def _local_tables(extractor, items: list[dict]) -> tuple[list[dict], list[dict]]:
    records = [extractor.extract(item["text"], item["id"]) for item in items]
    reports = [report_row(r, n) for n, r in enumerate(records)]
    return reports, [row for n, r in enumerate(records) for row in finding_rows(r, n)]


def _key(row: dict) -> tuple:
    return (row.get("id") or row["report_id"], row.get("decisive"), row.get("finding_index"))


def _rows(df) -> list[dict]:
    return sorted((row.asDict() for row in df.collect()), key=_key)


@pytest.fixture(scope="session")
def spark_tables(spark, test_split):
    """Both tables of the test split through Spark (one pipeline pass, two partitions)."""
    from pipeline.engines.spark import extract_combined, findings_of, reports_of

    df = spark.createDataFrame([(item["id"], item["text"]) for item in test_split], "id string, text string")
    assert df.rdd.getNumPartitions() == 2
    combined = extract_combined(df).cache()
    yield _rows(reports_of(combined)), _rows(findings_of(combined))
    combined.unpersist()


def test_same_rows_as_the_local_engine(extractor, test_split, spark_tables):
    reports, findings = _local_tables(extractor, test_split)
    spark_reports, spark_findings = spark_tables
    assert len(spark_reports) == 600 and len(spark_findings) > 1000
    assert spark_reports == sorted(reports, key=_key)  # row numbers included: the input order over partitions
    assert spark_findings == sorted(findings, key=_key)
    assert {r["label"] for r in spark_reports} >= {"PROXIMAL", "IDDVT", "ICMVT", "NEGATIVE"}


def test_row_numbers_follow_the_input_order(extractor, spark, tmp_path, test_split):
    """Read from a file, Spark numbers rows as the local engine does (the file's order)."""
    from pipeline.engines.spark import extract_spark

    items = test_split[:40] + [{"id": "null-text", "text": None}, {"id": "blank", "text": "  "}] + test_split[40:60]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "16384")  # split the file: numbers cross partitions
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    try:
        df = spark.read.json(str(path))
        assert df.rdd.getNumPartitions() > 2
        got = [row.asDict() for row in extract_spark(df).orderBy("row_number").collect()]
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
        spark.conf.unset("spark.sql.files.openCostInBytes")
    reports, _ = _local_tables(extractor, items)
    assert got == reports
    errors = {row["id"]: row["error"] for row in got if row["error"]}
    assert errors == {"null-text": "empty report: text is null", "blank": "empty report: text is blank"}
    assert got[-1]["label"] is not None and got[-1]["error"] is None  # the run went on past the bad rows


def test_schemas_come_from_the_pyarrow_tables():
    from pipeline.engines.spark import spark_schema

    reports = spark_schema(REPORTS_SCHEMA)
    assert reports.fieldNames() == REPORTS_SCHEMA.names
    assert [f.nullable for f in reports.fields] == [f.nullable for f in REPORTS_SCHEMA]
    assert reports["n_findings"].dataType.simpleString() == "int" and reports["distal"].dataType.simpleString() == "boolean"
    assert spark_schema(FINDINGS_SCHEMA).fieldNames() == FINDINGS_SCHEMA.names


def test_cli_engine_spark_writes_parquet_folders(spark, tmp_path, test_split):
    from typer.testing import CliRunner

    from pipeline.cli import app

    source = tmp_path / "in.csv"
    with open(source, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows([(item["id"], item["text"]) for item in test_split[:30]])
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", str(source), "-o", str(out), "--engine", "spark", "--master", "local[2]"])
    assert result.exit_code == 0, result.output
    reports = pq.read_table(out / "reports")
    findings = pq.read_table(out / "findings")
    assert reports.num_rows == 30 and reports.column_names == REPORTS_SCHEMA.names
    assert findings.column_names == FINDINGS_SCHEMA.names and findings.num_rows > 30
    assert sorted(reports.column("id").to_pylist()) == sorted(item["id"] for item in test_split[:30])


def test_missing_pyspark_says_how_to_install(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.engines.spark import require_pyspark

    real_import = builtins.__import__

    def no_pyspark(name, *args, **kwargs):
        if name == "pyspark" or name.startswith("pyspark."):
            raise ImportError("No module named 'pyspark'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyspark)
    with pytest.raises(RuntimeError, match=r"pip install 'dvt-duplex\[spark\]'.*Java 17"):
        require_pyspark()
    result = CliRunner().invoke(app, ["extract", "x.jsonl", "-o", str(tmp_path / "out"), "--engine", "spark"])
    assert result.exit_code == 1 and "dvt-duplex[spark]" in result.output
