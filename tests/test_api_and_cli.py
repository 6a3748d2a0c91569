"""Library API and the `dvt` command: formats, bad input, determinism, exit codes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.api import clean_text
from pipeline.cli import app

from .conftest import REAL_CORPUS

runner = CliRunner()
REPORTS = [("r1", "Occlusive thrombus in the left popliteal vein."), ("r2", "No DVT in the right leg."), ("r3", "Thrombus in a left soleal vein.")]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_extract_returns_the_output_contract():
    record = pipeline.extract("Thrombus in a left soleal vein.", id="r1")
    assert {"id", "label", "distal", "svt", "side_labels", "findings", "error"} <= set(record)
    assert (record["id"], record["label"], record["distal"], record["error"]) == ("r1", "ICMVT", True, None)
    assert set(record["side_labels"]) == {"left", "right", "unspecified"}
    json.dumps(record)  # plain values only


def test_extract_many_keeps_order():
    assert [r["id"] for r in pipeline.extract_many(REPORTS)] == ["r1", "r2", "r3"]


BAD_TEXTS = [
    ("none", None, "null"),
    ("blank", "   \n ", "blank"),
    ("number", 12, "string"),
    ("huge", "No DVT. " * 200_000, "too long"),
]


@pytest.mark.parametrize("case_id, text, words", BAD_TEXTS, ids=[c[0] for c in BAD_TEXTS])
def test_bad_report_gives_error_row_not_negative(case_id, text, words):
    record = pipeline.extract(text, id="bad")
    assert record["label"] is None and words in record["error"] and record["id"] == "bad"


def test_nul_bytes_and_odd_unicode_are_processed():
    record = pipeline.extract("Left popliteal\x00 vein thrombus \u202e\U0001f600.")
    assert record["error"] is None and record["label"] == "PROXIMAL"


@pytest.mark.parametrize("text, cleaned", [
    ("Left CFV\nthrombus.", "Left CFV\nthrombus."),          # newline, tab and CR stay
    ("a\tb\r\nc", "a\tb\r\nc"),
    ("CFV\x00\x07thrombus\n", "CFV  thrombus\n"),           # other controls become spaces, offsets kept
    ("line\u2028sep\x7f", "line sep "),
])
def test_clean_text_keeps_offsets(text, cleaned):
    assert clean_text(text) == cleaned and len(clean_text(text)) == len(text)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "folder", "jsonl.gz"])
def test_cli_extract_reads_every_format(tmp_path, fmt):
    frame = pd.DataFrame(REPORTS, columns=["id", "text"])
    if fmt == "folder":
        source = tmp_path / "reports"
        source.mkdir()
        for rid, text in REPORTS:
            (source / f"{rid}.txt").write_text(text)
    else:
        source = tmp_path / f"in.{fmt}"
        if fmt.startswith("jsonl"):
            frame.to_json(source, orient="records", lines=True, compression="gzip" if fmt.endswith("gz") else None)
        elif fmt == "csv":
            frame.to_csv(source, index=False)
        else:
            frame.to_parquet(source)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = read_jsonl(out)
    expected_ids = [f"{r}.txt" for r, _ in REPORTS] if fmt == "folder" else [r for r, _ in REPORTS]
    assert [r["id"] for r in records] == expected_ids
    assert [r["label"] for r in records] == ["PROXIMAL", "NEGATIVE", "ICMVT"]


def test_cli_custom_columns_and_missing_column(tmp_path):
    source = tmp_path / "in.csv"
    pd.DataFrame({"note_id": ["a"], "note_text": ["Left calf DVT."]}).to_csv(source, index=False)
    out = tmp_path / "out.jsonl"
    assert runner.invoke(app, ["extract", str(source), "-o", str(out), "--id-col", "note_id", "--text-col", "note_text"]).exit_code == 0
    assert read_jsonl(out)[0]["label"] == "IDDVT"
    result = runner.invoke(app, ["extract", str(source), "-o", str(out)])
    assert result.exit_code == 1 and "text column 'text' missing" in result.output and "in.csv" in result.output


def test_cli_missing_file_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1 and "no such file" in result.output


def test_cli_rows_with_errors_are_kept_and_exit_3(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "Left calf DVT."}\n{"id": "b", "text": ""}\nnot json\n{"id": "a", "text": null}\n')
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(source), "-o", str(out)])
    assert result.exit_code == 3
    records = read_jsonl(out)
    assert [(r["id"], r["label"]) for r in records] == [("a", "IDDVT"), ("b", None), ("line-3", None), ("a", None)]
    assert "1 duplicate ids" in result.output


def test_latin1_csv_is_decoded(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes("id,text\nx,Caf\xe9 patient: thrombus in the left popliteal vein.\n".encode("latin-1"))
    out = tmp_path / "out.jsonl"
    assert runner.invoke(app, ["extract", str(source), "-o", str(out)]).exit_code == 0
    assert read_jsonl(out)[0]["label"] == "PROXIMAL"


def test_output_is_byte_identical_across_runs(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": r, "text": t}) + "\n" for r, t in REPORTS))
    outs = []
    for name in ("a.jsonl", "b.jsonl"):
        runner.invoke(app, ["extract", str(source), "-o", str(tmp_path / name)])
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]


def test_explain_prints_labels_and_evidence():
    result = runner.invoke(app, ["explain", "Acute occlusive thrombus in the left popliteal vein. Right CFV compressible."])
    assert result.exit_code == 0
    for words in ("PROXIMAL", "popliteal vein", "Acute", "occlusive thrombus", "left=PROXIMAL", "right=NEGATIVE"):
        assert words in result.output


def test_explain_shows_the_change_comparison_and_scope():
    text = "COMPARISON: 3/2/2026.\nThe known left soleal thrombus now extends into the peroneal veins."
    result = runner.invoke(app, ["explain", text], env={"COLUMNS": "220"})
    assert result.exit_code == 0
    for words in ("Comparison: prior of 3/2/2026", "Scope: left=calf_only", "extended ('now extends' [53:64])"):
        assert words in result.output


def test_explain_json_and_file(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("IMPRESSION: Left soleal vein thrombosis.")
    result = runner.invoke(app, ["explain", str(report), "--json"])
    assert json.loads(result.output)["label"] == "ICMVT"


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and pipeline.__version__ in result.output


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "dvt" in result.stdout


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="shared/ real corpus not beside the checkout")
def test_real_mtsamples_reports_are_negative(tmp_path):
    """The four real MTSamples duplex reports are negative (001 has a laterality slip)."""
    for path in sorted(REAL_CORPUS.glob("*.txt")):
        record = pipeline.extract(path.read_text(), id=path.name)
        assert record["error"] is None and record["label"] == "NEGATIVE", path.name


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="shared/ real corpus not beside the checkout")
def test_real_mtsamples_sentences_have_three_positives():
    lines = [json.loads(line) for line in (REAL_CORPUS / "sentences.jsonl").read_text().splitlines()]
    labels = {r["id"]: pipeline.extract(r["text"], r["id"])["label"] for r in lines}
    assert {k for k, v in labels.items() if v in ("PROXIMAL", "IDDVT", "ICMVT", "DVT_UNSPECIFIED")} == {"E01", "E02", "E03"}
    assert (labels["E01"], labels["E02"]) == ("PROXIMAL", "PROXIMAL")


def test_installed_package_finds_its_rules(tmp_path):
    """Outside the checkout, `pipeline` comes from site-packages and its rules from pipeline.patterns."""
    code = "import pipeline, pipeline.rules as r; print(r.load_rules().rules_hash, pipeline.extract('Left popliteal DVT.')['label'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-500:]
    from pipeline.rules import load_rules

    assert result.stdout.split() == [load_rules().rules_hash, "PROXIMAL"]


def test_cli_synth_and_evaluate_round_trip(tmp_path):
    """`dvt synth` writes gold, `dvt extract` labels it, `dvt evaluate` scores it (table and JSON)."""
    gold = tmp_path / "gold.jsonl"
    assert runner.invoke(app, ["synth", "-n", "40", "--seed", "5", "--split", "test", "-o", str(gold)]).exit_code == 0
    again = tmp_path / "again.jsonl"
    runner.invoke(app, ["synth", "-n", "40", "--seed", "5", "--split", "test", "-o", str(again)])
    assert gold.read_bytes() == again.read_bytes()  # reproducible from the seed
    pred = tmp_path / "pred.jsonl"
    assert runner.invoke(app, ["extract", str(gold), "-o", str(pred), "--workers", "1", "--quiet"]).exit_code == 0
    table = runner.invoke(app, ["evaluate", str(pred), str(gold), "--bootstrap", "50"])
    assert table.exit_code == 0 and "Report-label accuracy" in table.output and "Confusion" in table.output
    metrics = json.loads(runner.invoke(app, ["evaluate", str(pred), str(gold), "--json", "--bootstrap", "0"]).output)
    assert metrics["n_reports"] == 40 and metrics["label"]["accuracy"] >= 0.9


def test_cli_evaluate_reports_bad_gold(tmp_path):
    pred = tmp_path / "pred.jsonl"
    pred.write_text('{"id": "a", "label": "NEGATIVE", "findings": [], "error": null}\n')
    gold = tmp_path / "gold.csv"
    gold.write_text("id,label\na,NEGATIVE\na,PROXIMAL\n")
    result = runner.invoke(app, ["evaluate", str(pred), str(gold)])
    assert result.exit_code == 1 and "duplicate id" in result.output
