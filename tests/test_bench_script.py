"""scripts/bench.py: the per-stage configurations run and name their stage (the figures are timings, not asserted)."""
from __future__ import annotations

import importlib.util
import json

import pytest

from .conftest import ROOT


def _bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "reports.jsonl"
    texts = ["Right CFV: no thrombus.", "LEFT LEG: occlusive thrombus in the popliteal vein.", "No DVT."]
    path.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    return str(path)


def test_stage_runs_the_pipeline_up_to_that_component(source):
    result = _bench().child("stage:dvt_context", source, 1)  # sentences, sections, targets, ConText
    assert result["reports"] == 3 and result["seconds"] > 0


def test_unknown_stage_is_refused(source):
    with pytest.raises(SystemExit, match="unknown stage"):
        _bench().child("stage:dvt_nothing", source, 1)
