"""Registry outputs (issue 5): flat tables, OMOP NOTE_NLP, DuckDB, ICD-10-CM suggestions.

Each format is written from JSONL records, read back with pandas / pyarrow / duckdb and
compared with the records; two conversions of the same records are byte-identical.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from itertools import islice
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.engines.batch import run_extract_to
from pipeline.cli import app
from pipeline.io import write_jsonl
from pipeline.outputs import FORMATS, OutputFormatError, convert, detect_format, output_files, staging_path
from pipeline.outputs.icd10 import load_table, suggest
from pipeline.outputs.omop import NOTE_NLP_DDL, STATUS_MAP, note_id_for, resolve_nlp_datetime
from pipeline.outputs.tables import FINDINGS_SCHEMA, REPORTS_SCHEMA, SCHEMA_VERSION, id_text
from pipeline.core.record import error_record

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

EXAMPLES = [
    ("icd-pop", "Acute occlusive thrombus in the left popliteal vein. Right CFV compressible."),
    ("icd-fem", "Thrombus in the bilateral femoral veins."),
    ("icd-per", "Chronic thrombus in the right peroneal veins."),
    ("icd-gsv", "Thrombus in the right great saphenous vein. The deep veins are patent."),
    ("icd-ivc", "Thrombus in the IVC."),
    ("icd-generic", "Acute left leg DVT."),
    ("icd-none", "No DVT in either leg. The CFV, FV and popliteal veins are compressible bilaterally."),
    ("icd-soleal", "Nonocclusive thrombus in a left soleal vein; possible thrombus in the left peroneal vein."),
    ("followup-new", "COMPARISON: 3/2/2026.\nNew thrombus in the right peroneal veins. The right popliteal vein thrombus is unchanged."),
    ("followup-resolved", "Compared with the outside duplex of 5/1, the left soleal vein thrombus has resolved."),
]


@pytest.fixture(scope="module")
def records(extractor):
    """Synthetic test reports plus the examples, an int id, a numeric-string id and an error row."""
    rows = []
    with open(ROOT / "corpora" / "synthetic" / "test.jsonl", encoding="utf-8") as handle:
        for line in islice(handle, 40):
            item = json.loads(line)
            rows.append((item["id"], item["text"]))
    rows += EXAMPLES
    rows += [(12345, "Thrombus in the left posterior tibial veins."), ("0042", "History of right popliteal DVT; rule out DVT. No DVT today.")]
    out = [extractor.extract(text, rid) for rid, text in rows]
    out.append(error_record("bad;id=1", "empty report", out[0]["rules_hash"]))
    return out


@pytest.fixture(scope="module")
def jsonl(records, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("jsonl") / "records.jsonl"
    write_jsonl(records, str(path))
    return str(path)


@pytest.fixture(scope="module")
def written(jsonl, tmp_path_factory) -> dict[str, Path]:
    """Every format, converted twice (runs a and b) from the same JSONL."""
    base = tmp_path_factory.mktemp("out")
    for run in ("a", "b"):
        (base / run).mkdir()
        convert(jsonl, str(base / run / "t.csv"), "csv")
        convert(jsonl, str(base / run / "t.parquet"), "parquet")
        convert(jsonl, str(base / run / "n.csv"), "omop-csv", nlp_date="2025-03-01")
        convert(jsonl, str(base / run / "n.parquet"), "omop-parquet", nlp_date="2025-03-01")
        convert(jsonl, str(base / run / "t.duckdb"), "duckdb", nlp_date="2025-03-01")
    return {"a": base / "a", "b": base / "b"}


# --------------------------------------------------------------------------- round trips


def _none(value):
    if value is None:
        return None
    if isinstance(value, float) and pd.isna(value):
        return None
    return value


def _finding_from_row(row: dict) -> dict:
    """Rebuild the JSONL finding from a findings-table row."""
    cue = None if _none(row["cue_start"]) is None else {"start": int(row["cue_start"]), "end": int(row["cue_end"]), "text": row["cue_text"]}
    return {
        "segment": _none(row["segment"]), "group": row["group"], "side": row["side"], "status": row["status"],
        "acuity": _none(row["acuity"]), "occlusion": _none(row["occlusion"]), "section": _none(row["section"]),
        "evidence": {
            "start": int(row["mention_start"]), "end": int(row["mention_end"]), "text": row["mention_text"], "cue": cue,
            "sentence": {"start": int(row["sentence_start"]), "end": int(row["sentence_end"])},
            "modifiers": json.loads(row["modifiers"]),
            "change_cue": None if _none(row["change_cue_start"]) is None else {"start": int(row["change_cue_start"]), "end": int(row["change_cue_end"]), "text": row["change_cue_text"]},
        },
        "change": _none(row["change"]),
    }


def _check_round_trip(records: list[dict], reports: list[dict], findings: list[dict]) -> None:
    assert len(reports) == len(records)
    by_report: dict[int, dict[bool, list]] = {}
    for row in findings:
        by_report.setdefault(int(row["report_row"]), {True: [], False: []})[bool(row["decisive"])].append(row)
    for number, (record, row) in enumerate(zip(records, reports)):
        assert int(row["schema_version"]) == SCHEMA_VERSION and int(row["row_number"]) == number
        assert row["id"] == id_text(record["id"])
        assert _none(row["label"]) == record["label"]
        for side in ("left", "right", "unspecified"):
            assert _none(row[f"side_label_{side}"]) == record["side_labels"][side]
        for key in ("distal", "svt", "svt_near_junction", "error"):
            assert _none(row[key]) == record[key], key
        for side in ("left", "right", "unspecified"):
            assert _none(row[f"scope_{side}"]) == record["scope"][side]
        comparison = {k: _none(row[f"comparison_{k}"]) for k in ("date", "source", "start", "end", "text")}
        comparison = None if comparison["source"] is None else {**comparison, "start": int(comparison["start"]), "end": int(comparison["end"])}
        assert comparison == record["comparison"]
        assert (row["pipeline_version"], row["rules_hash"]) == (record["pipeline_version"], record["rules_hash"])
        for decisive, key in ((True, "findings"), (False, "superseded_findings")):
            rows = sorted(by_report.get(number, {}).get(decisive, []), key=lambda r: int(r["finding_index"]))
            assert [int(r["finding_index"]) for r in rows] == list(range(len(record[key])))
            assert [r["report_id"] for r in rows] == [id_text(record["id"])] * len(rows)
            assert [_finding_from_row(r) for r in rows] == record[key]


def test_parquet_tables_round_trip_with_their_schemas(records, written):
    reports = pq.read_table(written["a"] / "t.reports.parquet")
    findings = pq.read_table(written["a"] / "t.findings.parquet")
    assert reports.schema.equals(REPORTS_SCHEMA, check_metadata=False)
    assert findings.schema.equals(FINDINGS_SCHEMA, check_metadata=False)
    assert reports.schema.metadata[b"dvt.schema_version"] == str(SCHEMA_VERSION).encode()
    assert findings.num_rows == sum(len(r["findings"]) + len(r["superseded_findings"]) for r in records) > 100
    _check_round_trip(records, reports.to_pylist(), findings.to_pylist())


def test_csv_tables_round_trip_with_pandas(records, written):
    assert sorted(p.name for p in written["a"].glob("t.*.csv")) == ["t.findings.csv", "t.reports.csv"]
    reports = pd.read_csv(written["a"] / "t.reports.csv", dtype=str, keep_default_na=False, na_values=[""])
    findings = pd.read_csv(written["a"] / "t.findings.csv", dtype=str, keep_default_na=False, na_values=[""])
    assert list(reports.columns) == REPORTS_SCHEMA.names and list(findings.columns) == FINDINGS_SCHEMA.names

    def typed(row: dict) -> dict:
        return {k: ({"true": True, "false": False}.get(v, v) if isinstance(v, str) else v) for k, v in row.items()}

    _check_round_trip(records, [typed(r) for r in reports.to_dict("records")], [typed(r) for r in findings.to_dict("records")])


def test_duckdb_holds_the_three_tables_equal_to_parquet(written):
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect(str(written["a"] / "t.duckdb"), read_only=True)
    try:
        names = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert names == {"reports", "findings", "note_nlp"}
        for table, parquet in (("reports", "t.reports.parquet"), ("findings", "t.findings.parquet"), ("note_nlp", "n.parquet")):
            cursor = con.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            got = [dict(zip(columns, row)) for row in cursor.fetchall()]
            want = pq.read_table(written["a"] / parquet)
            assert columns == want.column_names
            assert got == want.to_pylist(), table
        types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'note_nlp'").fetchall())
        assert types["note_nlp_id"] == "BIGINT" and types["nlp_date"] == "DATE" and types["nlp_datetime"] == "TIMESTAMP"
        # analysts can query straight away
        n = con.execute("SELECT count(*) FROM reports r JOIN findings f ON f.report_row = r.row_number WHERE f.status = 'present'").fetchone()[0]
        assert n > 0
    finally:
        con.close()


# --------------------------------------------------------------------------- OMOP NOTE_NLP


_ARROW_FOR_DDL = {"integer": (pa.int64(), pa.int32()), "date": (pa.date32(),), "TIMESTAMP": (pa.timestamp("us"),)}


def test_note_nlp_columns_and_types_match_the_v54_ddl(written):
    table = pq.read_table(written["a"] / "n.parquet")
    assert table.column_names == [name for name, _, _ in NOTE_NLP_DDL]
    for (name, kind, not_null), field in zip(NOTE_NLP_DDL, table.schema):
        allowed = (pa.string(),) if kind.startswith("varchar") else _ARROW_FOR_DDL[kind]
        assert field.type in allowed, (name, field.type)
        assert field.nullable is (not not_null), name
        if kind.startswith("varchar"):
            limit = int(kind[8:-1])
            assert all(len(v) <= limit for v in table.column(name).to_pylist() if v is not None), name
    for name in ("note_nlp_id", "note_id"):
        assert table.schema.field(name).type == pa.int64()
    csv_table = pd.read_csv(written["a"] / "n.csv", dtype=str, keep_default_na=False)
    assert list(csv_table.columns) == table.column_names


def test_records_with_a_change_reach_every_table(records, written):
    assert {f["change"] for r in records for f in r["findings"]} >= {"new", "unchanged", "resolved"}
    findings = pq.read_table(written["a"] / "t.findings.parquet").to_pylist()
    assert {f["change"] for f in findings} >= {"new", "unchanged", "resolved"}
    reports = pq.read_table(written["a"] / "t.reports.parquet").to_pylist()
    assert {(r["comparison_source"], r["comparison_date"]) for r in reports} >= {("prior", "3/2/2026"), ("outside", "5/1")}
    notes = pq.read_table(written["a"] / "n.parquet").to_pylist()
    assert any("change=resolved" in n["term_modifiers"] for n in notes)


def test_note_nlp_rows_map_statuses_ids_and_dates(records, written):
    rows = pq.read_table(written["a"] / "n.parquet").to_pylist()
    expected = sum(len(r["findings"]) + len(r["superseded_findings"]) for r in records if r["error"] is None)
    assert len(rows) == expected
    assert len({r["note_nlp_id"] for r in rows}) == len(rows)  # unique
    assert all(0 < r["note_nlp_id"] < 2**63 and 0 < r["note_id"] < 2**63 for r in rows)
    assert {r["nlp_date"] for r in rows} == {dt.date(2025, 3, 1)} and {r["nlp_datetime"] for r in rows} == {dt.datetime(2025, 3, 1)}
    assert all(r["nlp_system"].startswith("dvt-duplex ") and records[0]["rules_hash"] in r["nlp_system"] for r in rows)
    assert {r["section_concept_id"] for r in rows} == {0} and {r["note_nlp_concept_id"] for r in rows} == {0}
    for row in rows:
        mods = dict(pair.split("=", 1) for pair in row["term_modifiers"].split(";"))
        exists, temporal, certainty = STATUS_MAP[mods["status"]]
        assert (row["term_exists"], row["term_temporal"], mods["certainty"]) == (exists, temporal, certainty)
        assert row["offset"].isdigit()
    seen = {dict(p.split("=", 1) for p in r["term_modifiers"].split(";"))["report_id"] for r in rows}
    assert {"12345", "0042", "icd-pop"} <= seen
    statuses = {dict(p.split("=", 1) for p in r["term_modifiers"].split(";"))["status"] for r in rows}
    assert {"present", "absent", "possible", "historical"} <= statuses
    assert STATUS_MAP["present"][0] == "Y" and STATUS_MAP["absent"][0] == "N" and STATUS_MAP["historical"][1] == "past"


def test_note_id_mapping_is_stable():
    assert note_id_for(12345) == 12345 and note_id_for("12345") == 12345
    assert note_id_for("0042") != 42 and note_id_for("0042") == note_id_for("0042")  # not canonical: hashed
    assert 0 < note_id_for("r1") < 2**63 and note_id_for("r1") != note_id_for("r2")
    assert note_id_for(-5) != -5 and note_id_for(2**64) < 2**63


def test_nlp_date_is_explicit_or_fixed(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert resolve_nlp_datetime(None) == dt.datetime(1970, 1, 1)
    assert resolve_nlp_datetime("2025-03-01") == dt.datetime(2025, 3, 1)
    assert resolve_nlp_datetime("2025-03-01T10:30:00+01:00") == dt.datetime(2025, 3, 1, 9, 30)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert resolve_nlp_datetime(None) == dt.datetime(1970, 1, 2)
    with pytest.raises(ValueError):
        resolve_nlp_datetime("March 1st")


# --------------------------------------------------------------------------- determinism


def test_two_conversions_are_byte_identical(written):
    names = sorted(p.name for p in written["a"].iterdir())
    assert names == sorted(p.name for p in written["b"].iterdir())
    assert {"t.reports.csv", "t.findings.csv", "t.reports.parquet", "t.findings.parquet", "n.csv", "n.parquet", "t.duckdb"} == set(names)
    for name in names:  # the DuckDB file too: its random database identifier is pinned
        assert (written["a"] / name).read_bytes() == (written["b"] / name).read_bytes(), name


def test_pin_identifier_leaves_files_it_does_not_know_alone(tmp_path):
    from pipeline.outputs.duckdb_out import pin_identifier

    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database" * 400)
    assert pin_identifier(str(junk)) is False and junk.read_bytes() == b"not a database" * 400


def test_pinned_duckdb_file_still_opens_for_writing(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    from pipeline.outputs.duckdb_out import pin_identifier

    path = str(tmp_path / "x.duckdb")
    con = duckdb.connect(path)
    con.execute("CREATE TABLE reports AS SELECT 1 AS n")
    con.close()
    assert pin_identifier(path) is True
    con = duckdb.connect(path)
    con.execute("INSERT INTO reports VALUES (2)")
    assert con.execute("SELECT sum(n) FROM reports").fetchone() == (3,)
    con.close()


def test_cli_formats_resume_and_reruns(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": rid, "text": text}) + "\n" for rid, text in EXAMPLES), encoding="utf-8")
    for run in ("one", "two"):
        result = runner.invoke(app, ["extract", str(source), "-o", str(tmp_path / run / "out.csv"), "-w", "1", "-q"])
        assert result.exit_code == 0, result.output
    for name in ("out.reports.csv", "out.findings.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert not list(tmp_path.glob("*/*.partial.jsonl"))  # the staging JSONL is removed
    # --resume continues the staging JSONL a killed run left behind
    out = tmp_path / "three" / "out.parquet"
    out.parent.mkdir()
    full = tmp_path / "full.jsonl"
    run_extract_to(str(source), str(full))
    Path(staging_path(str(out))).write_bytes(b"".join(full.read_bytes().splitlines(keepends=True)[:3]) + b'{"id": "icd-')
    Path(staging_path(str(out)) + ".fingerprints").write_bytes(Path(str(full) + ".fingerprints").read_bytes())  # the killed run's
    summary = run_extract_to(str(source), str(out), resume=True)
    assert summary["resumed_rows"] == 3 and summary["format"] == "parquet" and summary["tables"]["reports"] == len(EXAMPLES)
    convert(str(full), str(tmp_path / "ref.parquet"), "parquet")
    assert (tmp_path / "ref.reports.parquet").read_bytes() == (tmp_path / "three" / "out.reports.parquet").read_bytes()
    # usage errors
    assert runner.invoke(app, ["extract", str(source), "-o", str(tmp_path / "x.jsonl"), "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["extract", str(source), "-o", "-", "--format", "csv"]).exit_code == 2
    assert runner.invoke(app, ["extract", str(source), "-o", str(tmp_path / "n.csv"), "-f", "omop-csv", "--nlp-date", "soon"]).exit_code == 2


def test_format_from_extension_and_file_names():
    assert [detect_format(p) for p in ("a.jsonl", "-", "a.csv", "a.parquet", "a.duckdb")] == ["jsonl", "jsonl", "csv", "parquet", "duckdb"]
    assert detect_format("a.csv", "omop-csv") == "omop-csv" and set(FORMATS) >= {"omop-parquet"}
    assert detect_format("labels.out") == "jsonl"  # any other extension: JSONL, as before --format
    with pytest.raises(OutputFormatError):
        detect_format("a.csv", "xlsx")
    assert output_files("out/x.csv", "csv") == {"reports": "out/x.reports.csv", "findings": "out/x.findings.csv"}
    assert output_files("x.parquet", "parquet") == {"reports": "x.reports.parquet", "findings": "x.findings.parquet"}
    assert output_files("n.csv", "omop-csv") == {"note_nlp": "n.csv"}


# --------------------------------------------------------------------------- ICD-10-CM


def test_icd10_suggestions_on_example_reports(records, written):
    by_id = {r["id"]: suggest(r) for r in records}
    assert by_id["icd-pop"] == {"left": ["I82.432"], "right": [], "bilateral": [], "unspecified": []}
    assert by_id["icd-fem"]["bilateral"] == ["I82.413"] and by_id["icd-fem"]["left"] == by_id["icd-fem"]["right"] == []
    assert by_id["icd-per"]["right"] == ["I82.551"]
    assert by_id["icd-gsv"]["right"] == ["I82.811"]
    assert by_id["icd-ivc"]["unspecified"] == ["I82.220"]
    assert by_id["icd-generic"]["left"] == ["I82.402"]
    assert by_id["icd-soleal"]["left"] == ["I82.462"]  # the possible peroneal thrombus gives no code
    assert by_id["icd-none"] == {"left": [], "right": [], "bilateral": [], "unspecified": []}
    assert by_id[12345]["left"] == ["I82.442"]
    reports = {r["id"]: r for r in pq.read_table(written["a"] / "t.reports.parquet").to_pylist()}
    assert reports["icd-fem"]["icd10cm_bilateral"] == "I82.413" and reports["icd-pop"]["icd10cm_right"] is None
    assert reports["bad;id=1"]["icd10cm_left"] is None


def _finding(segment, side, acuity="acute", status="present", group="proximal"):
    return {"segment": segment, "group": group, "side": side, "status": status, "acuity": acuity}


def test_icd10_rules_on_hand_made_findings():
    def codes(*findings):
        return suggest({"findings": list(findings), "error": None})

    # a named vein makes the no-vein and calf-unspecified codes of that side and acuity redundant
    got = codes(_finding(None, "left", group="deep_unspecified"), _finding("popliteal", "left"), _finding("calf_unspecified", "left", group="distal_unspecified"), _finding("peroneal", "left", group="distal_axial"))
    assert got["left"] == ["I82.432", "I82.452"]
    # a region-only proximal DVT is I82.4Y-/I82.5Y-, and gives way to a named proximal vein of its side and acuity
    got = codes(_finding("proximal_unspecified", "left"), _finding("proximal_unspecified", "right", acuity="chronic"))
    assert got == {"left": ["I82.4Y2"], "right": ["I82.5Y1"], "bilateral": [], "unspecified": []}
    assert codes(_finding("proximal_unspecified", "unspecified"))["unspecified"] == ["I82.4Y9"]
    assert codes(_finding("proximal_unspecified", "left"), _finding("popliteal", "left"))["left"] == ["I82.432"]
    # CFV and FV are one femoral code; chronic and acute stay apart; acute_on_chronic is acute
    got = codes(_finding("common_femoral", "right"), _finding("femoral", "right"), _finding("popliteal", "right", acuity="chronic"), _finding("posterior_tibial", "right", acuity="acute_on_chronic"))
    assert got["right"] == ["I82.411", "I82.441", "I82.531"]
    # unspecified acuity is coded acute; a sideless finding of a vein coded on a side is dropped
    got = codes(_finding("soleal", "unspecified", acuity="unspecified"), _finding("gastrocnemius", "left", acuity=None), _finding("femoral", "unspecified"))
    assert got == {"left": ["I82.462"], "right": [], "bilateral": [], "unspecified": ["I82.419"]}
    # bilateral chronic superficial and upper-extremity findings
    got = codes(_finding("great_saphenous", "left", "chronic", group="superficial"), _finding("small_saphenous", "right", group="superficial"), _finding("upper_extremity", "left", group="upper"))
    assert got["bilateral"] == ["I82.813"] and got["left"] == got["right"] == []
    # superseded findings and non-present statuses never add a code
    assert suggest({"findings": [_finding("popliteal", "left", status="possible")], "superseded_findings": [_finding("popliteal", "left")], "error": None})["left"] == []


def test_icd10_code_table_is_complete_and_well_formed():
    table = load_table()
    assert "ICD-10-CM" in table["source"] and table["fiscal_year"].startswith("FY")
    codes = table["codes"]
    pattern = re.compile(r"I82\.(4[0-69YZ][1239]|5[0-69YZ][1239]|81[1239]|22[01])")
    assert all(pattern.fullmatch(code) for code in codes), [c for c in codes if not pattern.fullmatch(c)]
    assert len(codes) == 2 * 40 + 4 + 2
    for code, title in codes.items():
        if code.startswith(("I82.4", "I82.5")):
            assert title.startswith("Acute " if code[4] == "4" else "Chronic "), code
            assert {"1": "right ", "2": "left ", "3": ", bilateral", "9": "unspecified "}[code[-1]] in title, code
    assert codes["I82.4Z1"] == "Acute embolism and thrombosis of unspecified deep veins of right distal lower extremity"
    assert codes["I82.5Y3"] == "Chronic embolism and thrombosis of unspecified deep veins of proximal lower extremity, bilateral"
    assert codes["I82.463"] == "Acute embolism and thrombosis of calf muscular vein, bilateral"
    assert codes["I82.811"] == "Embolism and thrombosis of superficial veins of right lower extremity"
    anatomy = json.loads((ROOT / "patterns" / "anatomy.json").read_text(encoding="utf-8"))
    assert {s["segment"] for s in anatomy["segments"]} == set(table["segments"])
