"""scripts/accuracy.py: clear cases scored as a row, `ambiguous` ones listed apart, a missing corpus skipped."""
from __future__ import annotations

import importlib.util
import json
import sys

from .conftest import ROOT


def _accuracy():
    spec = importlib.util.spec_from_file_location("accuracy", ROOT / "scripts" / "accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_default_corpora_are_every_tuned_set_and_the_real_passages():
    default = _accuracy().DEFAULT
    assert "corpora/blind/24/blind24.jsonl" in default and not any("/25/" in c for c in default)  # blind/25 is the untouched set
    assert default[-1].endswith("corpora/real/passages/passages.jsonl") and "corpora/synthetic/handwritten.jsonl" in default


def test_ambiguous_records_are_scored_apart(tmp_path, monkeypatch, capsys):
    gold = tmp_path / "mixed.jsonl"
    records = [{"id": "a", "text": "Thrombus in the left popliteal vein.", "label": "PROXIMAL"},
               {"id": "b", "text": "Echoes in the right peroneal vein, perhaps thrombus.", "label": "IDDVT", "ambiguous": True}]
    gold.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["accuracy.py", str(gold), str(tmp_path / "absent.jsonl"), "--json"])
    assert _accuracy().main() == 0
    out = capsys.readouterr()
    (row,) = json.loads(out.out)
    assert (row["corpus"], row["reports"], row["label accuracy"]) == ("mixed (clear)", 1, "1.000")
    assert row["ambiguous"] == [{"id": "b", "gold": "IDDVT", "predicted": "INDETERMINATE"}]
    assert "skipped" in out.err and "absent.jsonl" in out.err
