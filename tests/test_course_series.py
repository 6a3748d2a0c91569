"""Synthetic exam series (dvt synth --series) and the course scoring of dvt evaluate --course."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.evaluation.course import evaluate_course
from pipeline.synth.series import gold_course, generate_series

from .conftest import ROOT

runner = CliRunner()
SERIES = ROOT / "corpora" / "series"


@pytest.fixture(scope="module")
def series():
    reports = generate_series(120, 5, "dev")
    return reports, gold_course(reports)


# The event each scenario is built to show, in the gold of every patient that follows it.
EXPECTED = {
    "distal_resolves": "RESOLUTION", "muscular_to_axial": "DISTAL_EXTENSION", "new_calf_segment": "DISTAL_EXTENSION",
    "distal_to_proximal": "PROXIMAL_PROPAGATION", "distal_improves": "IMPROVED", "distal_stable": "STABLE",
    "thigh_only_followup": "UNEVALUABLE", "proximal_extends": "PROXIMAL_EXTENSION", "proximal_chronic": "IMPROVED",
    "recurrence": "RECURRENCE", "prevalent_chronic": "PREVALENT_CHRONIC", "contralateral": "CONTRALATERAL",
}


def test_each_scenario_shows_its_event_in_the_gold(series):
    reports, tables = series
    scenario = {r["patient_id"]: r["scenario"] for r in reports}
    seen = defaultdict(set)
    for e in tables["leg_events"]:
        seen[e["patient_id"]].add(e["event"])
    for patient, name in scenario.items():
        if name in EXPECTED:
            assert EXPECTED[name] in seen[patient], (patient, name, seen[patient])
    assert len(set(scenario.values())) >= 12


def test_series_have_one_to_six_exams_with_dates(series):
    reports, _ = series
    per_patient = defaultdict(set)
    for r in reports:
        per_patient[r["patient_id"]].add(r["id"].rstrip("pf"))
        assert r["exam_date"] and r["text"]
    assert {len(v) for v in per_patient.values()} <= set(range(1, 7))


def test_committed_series_are_reproducible(tmp_path):
    for split, seed in (("dev", 11), ("test", 12)):
        out = tmp_path / f"{split}.jsonl"
        result = runner.invoke(app, ["synth", "--series", "-n", "300", "--seed", str(seed), "--split", split, "-o", str(out)])
        assert result.exit_code == 0, result.output
        for suffix in ("jsonl", "leg_exams.jsonl", "leg_events.jsonl", "leg_episodes.jsonl"):
            name = f"{split}.{suffix}"
            assert (tmp_path / name).read_bytes() == (SERIES / name).read_bytes(), name


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_course_scoring_counts_matches_misses_and_outcomes(series, tmp_path):
    _, tables = series
    for name, rows in tables.items():
        _write(tmp_path / f"gold.{name}.jsonl", rows)
    perfect = evaluate_course(tmp_path / "gold.jsonl", tmp_path / "gold.jsonl")
    assert perfect["events"]["ALL"]["f1"] == 1.0 and perfect["outcomes"]["surveillance_status"]["accuracy"] == 1.0
    events = [e for e in tables["leg_events"] if e["event"] != "PROXIMAL_PROPAGATION"]
    distal = [e for e in tables["leg_episodes"] if e["surveillance_status"]]
    episodes = [{**e, "surveillance_status": "NO_FOLLOWUP"} if e is distal[0] else e for e in tables["leg_episodes"]]
    _write(tmp_path / "pred.leg_events.jsonl", events)
    _write(tmp_path / "pred.leg_episodes.jsonl", episodes)
    scored = evaluate_course(tmp_path / "pred.jsonl", tmp_path / "gold.jsonl")
    assert scored["events"]["PROXIMAL_PROPAGATION"]["recall"] == 0.0
    assert scored["events"]["INDEX"]["f1"] == 1.0
    wrong = 0 if distal[0]["surveillance_status"] == "NO_FOLLOWUP" else 1
    assert scored["outcomes"]["surveillance_status"]["accuracy"] == round(1 - wrong / len(distal), 4)
