"""dvt course on Spark (pipeline.course.spark) gives exactly the local engine's tables (skips without Java)."""
from __future__ import annotations

import shutil

import pyarrow.parquet as pq
import pytest

from pipeline.course.io import run_course
from pipeline.course.rules import Params
from pipeline.course.tables import SCHEMAS
from pipeline.synth.course_input import write_extract_tables

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17+ and this machine has no java on PATH")
PARAMS = Params(as_of="2030-01-01")


@pytest.fixture(scope="module")
def spark():
    from pipeline.engines.spark import spark_session

    session = spark_session("local[2]", app_name="dvt-course-tests", conf={"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "3"})
    yield session
    session.stop()


def test_spark_course_tables_equal_the_local_ones(spark, tmp_path):
    from pipeline.course.spark import run_course_spark

    source = str(tmp_path / "labels.parquet")
    write_extract_tables(1500, 300, 7, source)
    run_course(str(tmp_path / "labels.reports.parquet"), str(tmp_path / "local.parquet"), PARAMS, workers=1)
    summary = run_course_spark(str(tmp_path / "labels.reports.parquet"), str(tmp_path / "spark"), PARAMS)
    for name in SCHEMAS:
        local = pq.read_table(tmp_path / f"local.{name}.parquet").to_pylist()
        remote = pq.read_table(summary["files"][name], schema=SCHEMAS[name]).to_pylist()
        assert len(local) > 100 and remote == local, name
        assert summary["tables"][name] == len(local)


def test_spark_extract_carries_patient_and_date_like_the_local_engine(spark):
    from pipeline.api import Extractor
    from pipeline.engines.spark import extract_combined, reports_of
    from pipeline.io.carry import Carry
    from pipeline.outputs.tables import report_row

    items = [("a", "P1", "03/05/2024", "Left leg venous duplex: occlusive thrombus in the left peroneal veins."),
             ("b", None, "soon", "Right leg venous duplex: no deep vein thrombosis.")]
    carry = Carry("mrn", "when", ())
    df = spark.createDataFrame(items, "id string, mrn string, when string, text string")
    remote = sorted((row.asDict() for row in reports_of(extract_combined(df, carry=carry)).collect()), key=lambda r: r["row_number"])
    extractor = Extractor()
    local = [report_row({**extractor.extract(text, rid), **carry.values({"mrn": mrn, "when": when})}, n, carry.fields)
             for n, (rid, mrn, when, text) in enumerate(items)]
    assert remote == local
    assert [(r["patient_id"], r["exam_date"], r["exam_date_note"]) for r in remote] == [
        ("P1", "2024-03-05", None), (None, "soon", "exam date not understood: kept as written")]
