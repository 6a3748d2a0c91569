"""Accuracy floors on every tuned corpus, set just under the measured figures
(scripts/accuracy.py prints them): a regression in the rules makes these fail.

The synthetic splits and the handwritten set get label accuracy, deep-segment F1, DVT sensitivity
and PPV floors; each blind set 01-24 gets label and side-label accuracy floors (blind/25, the newest,
is untouched and has none); the real clinician passages, when present beside the repository,
get floors on their clear cases (the ones marked ``ambiguous`` are not scored)."""
from __future__ import annotations

import json

import pytest

from pipeline.evaluation import evaluate_files

from .conftest import REAL_PASSAGES, ROOT

SYNTHETIC = ROOT / "corpora" / "synthetic"
BLIND = ROOT / "corpora" / "blind"

# blind set: (label accuracy, side-label accuracy), measured 2026-12-07 with scripts/accuracy.py
BLIND_FLOORS = {
    "01": (0.996, 0.996),
    "02": (0.996, 0.989),
    "03": (0.996, 0.996),
    "04": (0.996, 0.996),
    "05": (0.989, 0.989),
    "06": (0.996, 0.996),
    "07": (0.989, 0.992),
    "08": (0.990, 0.980),
    "09": (0.996, 0.996),
    "10": (0.990, 0.983),
    "11": (0.989, 0.986),
    "12": (0.996, 0.993),
    "13": (0.989, 0.983),
    "14": (0.983, 0.983),
    "15": (0.977, 0.980),
    "16": (0.978, 0.951),
    "17": (0.930, 0.940),
    "18": (0.989, 0.976),
    "19": (0.990, 0.993),
    "20": (0.976, 0.986),
    "21": (0.976, 0.986),
    "22": (0.989, 0.993),
    "23": (0.96, 0.973),  # measured again 2026-12-07 (0.967, sides 0.980), errors not yet read
    "24": (0.94, 0.955),  # first look 0.840; 0.887 before its errors were read, 0.947 (sides 0.960) after (2026-12-07)
}


def scores(extractor, records, tmp_path):
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in records))
    pred.write_text("".join(json.dumps(r) + "\n" for r in extractor.extract_many((g["id"], g["text"]) for g in records)))
    d = evaluate_files(pred, gold, bootstrap=0).to_dict()
    assert d["n_pred_errors"] == 0
    return d


def read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name, floors", [
    ("dev", {"accuracy": 0.993, "segment_f1": 0.986, "sensitivity": 0.994, "ppv": 0.996}),
    ("test", {"accuracy": 0.98, "segment_f1": 0.98, "sensitivity": 0.99, "ppv": 0.98}),
    ("handwritten", {"accuracy": 0.97, "segment_f1": 0.97, "sensitivity": 0.97, "ppv": 0.97}),
])
def test_accuracy_floor(extractor, tmp_path, name, floors):
    d = scores(extractor, read(SYNTHETIC / f"{name}.jsonl"), tmp_path)
    assert d["label"]["accuracy"] >= floors["accuracy"]
    assert d["deep_segments"]["f1"] >= floors["segment_f1"]
    assert d["dvt"]["sensitivity"] >= floors["sensitivity"]
    assert d["dvt"]["ppv"] >= floors["ppv"]


@pytest.mark.parametrize("number", sorted(BLIND_FLOORS))
def test_blind_set_floor(extractor, tmp_path, number):
    accuracy, side_accuracy = BLIND_FLOORS[number]
    d = scores(extractor, read(BLIND / number / f"blind{number}.jsonl"), tmp_path)
    assert d["label"]["accuracy"] >= accuracy
    assert d["side_labels"]["accuracy"] >= side_accuracy


UNTOUCHED = ("25",)  # the newest blind set: nobody tunes on it until a blind/26 exists


def test_every_tuned_blind_set_has_a_floor():
    assert sorted(p.name for p in BLIND.iterdir() if p.is_dir() and p.name not in UNTOUCHED) == sorted(BLIND_FLOORS)


@pytest.mark.skipif(not REAL_PASSAGES.is_file(), reason=f"real passages not found at {REAL_PASSAGES} (set DVT_SHARED to the shared folder)")
def test_real_passages_floor(extractor, tmp_path):
    d = scores(extractor, [r for r in read(REAL_PASSAGES) if not r.get("ambiguous")], tmp_path)
    assert d["label"]["accuracy"] >= 0.97  # measured 0.974 (75/77) on 2026-12-07
    assert d["dvt"]["sensitivity"] >= 0.99  # 1.000
    assert d["dvt"]["ppv"] >= 0.975  # 0.981
    assert d["deep_segments"]["f1"] >= 0.955  # 0.961
    assert d["side_labels"]["accuracy"] >= 0.97  # 0.974
