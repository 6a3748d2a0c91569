"""pipeline.extract_frame / course_frame: the tables of a pandas DataFrame, equal to `dvt extract`'s and `dvt course`'s."""
from __future__ import annotations

import doctest
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import pipeline.frames
from pipeline import course_frame, extract_frame
from pipeline.cli import app
from pipeline.course.rules import Params
from pipeline.io import InputError
from pipeline.outputs.tables import FINDINGS_SCHEMA, REPORTS_SCHEMA

ROOT = Path(__file__).resolve().parent.parent
TEST_SPLIT = ROOT / "corpora" / "synthetic" / "test.jsonl"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`dvt extract` of the synthetic test split as Parquet tables, read with pyarrow dtypes."""
    out = tmp_path_factory.mktemp("frames") / "test.parquet"
    result = CliRunner().invoke(app, ["extract", str(TEST_SPLIT), "-o", str(out), "-w", "1", "-q"])
    assert result.exit_code == 0, result.output
    return tuple(pd.read_parquet(out.with_suffix(f".{name}.parquet"), dtype_backend="pyarrow") for name in ("reports", "findings"))


def test_frames_equal_dvt_extract_tables_row_for_row_with_a_worker_pool(extracted):
    reports, findings = extract_frame(pd.read_json(TEST_SPLIT, lines=True), workers=2)
    assert len(reports) == 600 and len(findings) > 600
    pd.testing.assert_frame_equal(reports, extracted[0])
    pd.testing.assert_frame_equal(findings, extracted[1])


def test_columns_and_dtypes_are_the_table_schemas():
    reports, findings = extract_frame(pd.DataFrame({"id": ["a"], "text": ["Thrombus in the left peroneal vein."]}))
    for frame, schema in ((reports, REPORTS_SCHEMA), (findings, FINDINGS_SCHEMA)):
        assert list(frame.columns) == schema.names
        assert [dtype.pyarrow_dtype for dtype in frame.dtypes] == schema.types


def test_an_empty_frame_gives_empty_tables_with_the_schemas():
    reports, findings = extract_frame(pd.DataFrame({"id": [], "text": []}))
    assert (len(reports), len(findings)) == (0, 0)
    assert list(reports.columns) == REPORTS_SCHEMA.names and str(findings.dtypes["decisive"]) == "bool[pyarrow]"


def test_kept_columns_follow_their_report_into_both_tables():
    df = pd.DataFrame({"id": ["r1", "r2"], "exam_date": pd.to_datetime(["2026-01-05", "2026-02-11"]), "ward": ["A", "B"],
                       "text": ["No DVT in either leg.", "Occlusive thrombus in the left popliteal vein."]},
                      index=[10, 20])  # the index is not the row number
    reports, findings = extract_frame(df, keep=["ward", "exam_date"])
    assert list(reports.columns[-2:]) == ["ward", "exam_date"] and reports.dtypes["exam_date"] == df.dtypes["exam_date"]
    assert reports[["id", "ward"]].values.tolist() == [["r1", "A"], ["r2", "B"]]
    present = findings[findings.status == "present"]
    assert present[["report_id", "ward", "exam_date"]].values.tolist() == [["r2", "B", pd.Timestamp("2026-02-11")]]


def test_ids_and_texts_are_read_as_a_parquet_input_reads_them():
    df = pd.DataFrame({"id": ["a", None, ""], "text": ["No DVT in either leg.", "No DVT in either leg.", None]})
    reports, _ = extract_frame(df)
    assert reports["id"].tolist() == ["a", "row-2", "row-3"]  # a null or empty id becomes row-N
    assert reports["error"].tolist()[2] == "empty report: text is null"  # a null text is an error row, in its place
    numbers, _ = extract_frame(pd.DataFrame({"text": ["No DVT in either leg."], "id": [12345]}))
    assert numbers["id"].tolist() == ["12345"]  # a number id is written as its JSON text


def test_bad_arguments_are_refused_before_anything_runs():
    df = pd.DataFrame({"id": ["a"], "report": ["No DVT."]})
    with pytest.raises(InputError, match="text column 'text' missing"):
        extract_frame(df)
    with pytest.raises(ValueError, match="not among the DataFrame's columns"):
        extract_frame(df, text_col="report", keep=["exam_date"])
    with pytest.raises(ValueError, match="would replace columns"):
        extract_frame(df.assign(label="x"), text_col="report", keep=["label"])


def test_the_docstring_examples_run():
    results = doctest.testmod(pipeline.frames)
    assert results.attempted > 0 and results.failed == 0


# ------------------------------------------------------------------------------ course tables

SERIES = ROOT / "corpora" / "series" / "test.jsonl"
AS_OF = "2025-01-01"


def test_course_frames_equal_dvt_course_tables_row_for_row(tmp_path):
    extracted = tmp_path / "series.jsonl"
    flags = ["-w", "1", "-q", "--patient-col", "patient_id", "--date-col", "exam_date"]
    assert CliRunner().invoke(app, ["extract", str(SERIES), "-o", str(extracted), *flags]).exit_code == 0
    result = CliRunner().invoke(app, ["course", str(extracted), "-o", str(tmp_path / "course.parquet"), "--as-of", AS_OF, "-w", "1"])
    assert result.exit_code == 0, result.output
    frames = course_frame(pd.read_json(SERIES, lines=True, dtype={"exam_date": str}), params=Params(as_of=AS_OF), workers=2)
    for name, frame in zip(("leg_exams", "leg_events", "leg_episodes"), frames):
        expected = pd.read_parquet(tmp_path / f"course.{name}.parquet", dtype_backend="pyarrow")
        assert len(frame) > 200
        pd.testing.assert_frame_equal(frame, expected)


def test_course_frame_needs_the_patient_and_date_columns():
    with pytest.raises(InputError, match="column 'mrn' missing"):
        course_frame(pd.DataFrame({"id": ["a"], "text": ["No DVT."], "exam_date": ["2026-01-05"]}), patient_col="mrn")
