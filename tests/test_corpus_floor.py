"""Accuracy floors on the held-out synthetic test split, set just under the measured figures
(scripts/accuracy.py prints them): a regression in the rules makes these fail."""
from __future__ import annotations

import json

import pytest

from pipeline.evaluation import evaluate_files

from .conftest import ROOT

TEST_SPLIT = ROOT / "corpora" / "synthetic" / "test.jsonl"
HANDWRITTEN = ROOT / "corpora" / "synthetic" / "handwritten.jsonl"


def scores(extractor, gold, tmp_path):
    records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(r) + "\n" for r in extractor.extract_many((g["id"], g["text"]) for g in records)))
    return evaluate_files(pred, gold, bootstrap=0).to_dict()


@pytest.mark.parametrize("gold, floors", [
    (TEST_SPLIT, {"accuracy": 0.98, "segment_f1": 0.98, "sensitivity": 0.99, "ppv": 0.98}),
    (HANDWRITTEN, {"accuracy": 0.97, "segment_f1": 0.97, "sensitivity": 0.97, "ppv": 0.97}),
], ids=["test-split", "handwritten"])
def test_accuracy_floor(extractor, tmp_path, gold, floors):
    d = scores(extractor, gold, tmp_path)
    assert d["n_pred_errors"] == 0
    assert d["label"]["accuracy"] >= floors["accuracy"]
    assert d["deep_segments"]["f1"] >= floors["segment_f1"]
    assert d["dvt"]["sensitivity"] >= floors["sensitivity"]
    assert d["dvt"]["ppv"] >= floors["ppv"]
