"""`dvt course` end to end on a tiny extract output, and the patient/date columns `dvt extract` carries."""
from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.io.carry import Carry, parse_date

runner = CliRunner()


def finding(segment, status="present", side="left", acuity="acute", **kw):
    return {"segment": segment, "side": side, "status": status, "acuity": acuity, **kw}


def record(rid, patient, when, left=None, right=None, findings=(), error=None):
    return {"id": rid, "patient_id": patient, "exam_date": when, "exam_date_note": None, "label": left or right,
            "side_labels": {"left": left, "right": right, "unspecified": None}, "findings": list(findings), "error": error}


RECORDS = [
    record("r1", "P1", "2024-01-01", "ICMVT", findings=[finding("soleal"), finding("femoral", "absent")]),
    {**record("r2", "P1", "2024-01-08", "IDDVT", findings=[finding("soleal"), finding("peroneal"), finding("femoral", "absent")]),
     "comparison": {"date": "1/1/24", "source": "prior", "evidence": None}},
    record("r3", "P2", "2024-02-01", "IDDVT", "NEGATIVE", findings=[finding("peroneal"), finding("popliteal", "absent")]),
    record("r4", "P2", "2024-02-01T18:00:00", "IDDVT", None, findings=[finding("peroneal"), finding("posterior_tibial")]),  # final read
    record("r5", None, "2024-02-03", "NEGATIVE"),
    record("r6", "P3", None, "NEGATIVE"),
    record("r7", "P3", "2031-01-01", "NEGATIVE"),
    record("r1", "P1", "2024-01-09", "NEGATIVE"),
    record("r8", "P4", "2024-03-01", None, None, error="empty report: text is blank"),
]


@pytest.fixture()
def extract_output(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return path


def course(source, out, *extra):
    result = runner.invoke(app, ["course", str(source), "-o", str(out), "--as-of", "2025-01-01", *extra])
    assert result.exit_code == 0, result.output
    return result


def jsonl_rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_course_tables_from_a_tiny_extract_output(extract_output, tmp_path):
    course(extract_output, tmp_path / "c.jsonl")
    events = jsonl_rows(tmp_path / "c.leg_events.jsonl")
    assert [(e["patient_id"], e["event"], e["subtype"], e["report_id"], e["prev_report_id"]) for e in events] == [
        ("P1", "INDEX", "ICMVT", "r1", None),
        ("P1", "DISTAL_EXTENSION", "MUSCULAR_TO_AXIAL", "r2", "r1"),
        ("P2", "INDEX", "IDDVT", "r4", None),  # the final read of the same day represents the exam
    ]
    episodes = jsonl_rows(tmp_path / "c.leg_episodes.jsonl")
    assert [(e["episode_id"], e["surveillance_status"], e["first_followup_day"], e["censoring"]) for e in episodes] == [
        ("P1:left:1", "DISTAL_EXTENSION_ONLY", 7, "last_exam"), ("P2:left:1", "NO_FOLLOWUP", None, "last_exam")]
    reasons = {(x["report_id"], x["leg"]): x["excluded_reason"] for x in jsonl_rows(tmp_path / "c.leg_exams.jsonl") if x["excluded_reason"]}
    assert reasons == {
        ("r1", "left"): "duplicate report id (an earlier row has it)",
        ("r3", "left"): "merged into report r4 (same exam within 1 day)",
        ("r5", "left"): "no patient id",
        ("r6", "left"): "no exam date",
        ("r7", "left"): "exam date after 2025-01-01 (in the future)",
        ("r8", None): "extraction error (see the extract output)",
    }
    assert json.loads(episodes[0]["params"])["window_days"] == 14
    exams = {(x["report_id"], x["leg"]): x for x in jsonl_rows(tmp_path / "c.leg_exams.jsonl")}
    assert (exams[("r2", "left")]["comparison"], exams[("r2", "left")]["events"]) == ("prior", "DISTAL_EXTENSION")


def test_parameters_are_flags_and_recorded(extract_output, tmp_path):
    course(extract_output, tmp_path / "c.jsonl", "--window-days", "3", "--grace-days", "0")
    episode = jsonl_rows(tmp_path / "c.leg_episodes.jsonl")[0]
    assert episode["surveillance_status"] == "NO_FOLLOWUP"  # day 7 is outside a 3-day window
    assert json.loads(episode["params"])["window_days"] == 3


def test_two_runs_are_byte_identical_in_every_format(extract_output, tmp_path):
    for ext in ("jsonl", "csv", "parquet"):
        course(extract_output, tmp_path / f"a.{ext}")
        course(extract_output, tmp_path / f"b.{ext}")
        for table in ("leg_exams", "leg_events", "leg_episodes"):
            assert (tmp_path / f"a.{table}.{ext}").read_bytes() == (tmp_path / f"b.{table}.{ext}").read_bytes()


def test_every_format_holds_the_same_rows(extract_output, tmp_path):
    import duckdb

    course(extract_output, tmp_path / "c.jsonl")
    course(extract_output, tmp_path / "c.parquet")
    course(extract_output, tmp_path / "c.csv")
    course(extract_output, tmp_path / "c.duckdb")
    con = duckdb.connect(str(tmp_path / "c.duckdb"), read_only=True)
    for table in ("leg_exams", "leg_events", "leg_episodes"):
        expected = jsonl_rows(tmp_path / f"c.{table}.jsonl")
        assert pq.read_table(tmp_path / f"c.{table}.parquet").to_pylist() == expected
        cur = con.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cur.description]
        assert [dict(zip(names, row)) for row in cur.fetchall()] == expected
        with open(tmp_path / f"c.{table}.csv", encoding="utf-8", newline="") as handle:
            assert [row["report_id" if table != "leg_episodes" else "episode_id"] for row in csv.DictReader(handle)] == \
                [row["report_id" if table != "leg_episodes" else "episode_id"] for row in expected]


def test_bad_input_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["course", str(tmp_path / "missing.parquet"), "-o", str(tmp_path / "c.jsonl")])
    assert result.exit_code == 1 and "no such file" in result.output
    (tmp_path / "plain.jsonl").write_text(json.dumps({"id": "a", "label": "NEGATIVE", "side_labels": {}, "findings": []}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["course", str(tmp_path / "plain.jsonl"), "-o", str(tmp_path / "c.jsonl")])
    assert result.exit_code == 1 and "--patient-col" in result.output


@pytest.mark.parametrize("value, expected", [
    ("2024-03-05", ("2024-03-05", None)),
    ("2024-03-05 14:30:00", ("2024-03-05T14:30:00", None)),
    ("03/05/2024", ("2024-03-05", None)),
    ("3/5/24 2:30 PM", ("2024-03-05T14:30:00", None)),
    ("20240305", ("2024-03-05", None)),
    ("last Tuesday", ("last Tuesday", "exam date not understood: kept as written")),
    ("02/30/2024", ("02/30/2024", "exam date not understood: kept as written")),
    ("", (None, None)),
])
def test_exam_dates_are_read_or_kept_as_written(value, expected):
    assert parse_date(value) == expected


def test_a_kept_column_may_not_overwrite_a_record_field():
    with pytest.raises(ValueError, match="label"):
        Carry(keep_cols=("label",))


def test_extract_carries_patient_date_and_kept_columns(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,mrn,when,site,text\n"
                      "a,P1,03/05/2024,north,Left leg venous duplex: occlusive thrombus in the left peroneal veins.\n"
                      "b,P1,soon,,Left leg venous duplex: no deep vein thrombosis.\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(source), "-o", str(tmp_path / "out.jsonl"), "-w", "1", "-q",
                                 "--patient-col", "mrn", "--date-col", "when", "--keep-cols", "site"])
    assert result.exit_code == 0, result.output
    rows = jsonl_rows(tmp_path / "out.jsonl")
    assert [(r["patient_id"], r["exam_date"], r["exam_date_note"], r["site"]) for r in rows] == [
        ("P1", "2024-03-05", None, "north"), ("P1", "soon", "exam date not understood: kept as written", "")]
    assert list(rows[0])[:5] == ["id", "patient_id", "exam_date", "exam_date_note", "site"]
    result = runner.invoke(app, ["extract", str(source), "-o", str(tmp_path / "out.parquet"), "-w", "1", "-q",
                                 "--patient-col", "mrn", "--date-col", "when"])
    assert result.exit_code == 0, result.output
    table = pq.read_table(tmp_path / "out.reports.parquet").to_pylist()
    assert [(r["patient_id"], r["exam_date"]) for r in table] == [("P1", "2024-03-05"), ("P1", "soon")]
    missing = runner.invoke(app, ["extract", str(source), "-o", str(tmp_path / "x.jsonl"), "-w", "1", "-q", "--patient-col", "nope"])
    assert missing.exit_code == 1 and "'nope' missing" in missing.output


def test_chunks_workers_and_input_format_do_not_change_the_bytes(tmp_path, monkeypatch):
    from pipeline.course import io
    from pipeline.course.rules import Params
    from pipeline.synth.course_input import write_extract_tables

    write_extract_tables(3000, 600, 3, str(tmp_path / "in.duckdb"), fmt="duckdb")
    params = Params(as_of="2030-01-01")
    io.run_course(str(tmp_path / "in.reports.parquet"), str(tmp_path / "a.parquet"), params, workers=1)
    monkeypatch.setattr(io, "CHUNK_ROWS", 250)
    io.run_course(str(tmp_path / "in.reports.parquet"), str(tmp_path / "b.parquet"), params, workers=2)
    io.run_course(str(tmp_path / "in.duckdb"), str(tmp_path / "c.parquet"), params, workers=2)
    for table in ("leg_exams", "leg_events", "leg_episodes"):
        first = (tmp_path / f"a.{table}.parquet").read_bytes()
        assert first == (tmp_path / f"b.{table}.parquet").read_bytes() == (tmp_path / f"c.{table}.parquet").read_bytes()


def test_resume_keeps_the_carried_columns(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": f"r{i}", "mrn": f"P{i % 2}", "when": f"2024-01-0{i + 1}",
                                          "text": "Left leg venous duplex: no deep vein thrombosis."}) + "\n" for i in range(4)), encoding="utf-8")
    flags = ["-w", "1", "-q", "--patient-col", "mrn", "--date-col", "when"]
    assert runner.invoke(app, ["extract", str(source), "-o", str(tmp_path / "full.jsonl"), *flags]).exit_code == 0
    full = (tmp_path / "full.jsonl").read_bytes()
    (tmp_path / "part.jsonl").write_bytes(full[: full.index(b"\n", len(full) // 2) + 20])  # whole records, then a torn one
    (tmp_path / "part.jsonl.fingerprints").write_bytes((tmp_path / "full.jsonl.fingerprints").read_bytes())  # written before the records
    assert runner.invoke(app, ["extract", str(source), "-o", str(tmp_path / "part.jsonl"), "--resume", *flags]).exit_code == 0
    assert (tmp_path / "part.jsonl").read_bytes() == full
