"""The surveillance section of dvt audit --course: outcomes, the work list, timelines, escaping."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def record(rid, patient, when, left, findings):
    return {"id": rid, "patient_id": patient, "exam_date": when, "label": left, "distal": left in ("IDDVT", "ICMVT"), "svt": False,
            "svt_near_junction": False, "side_labels": {"left": left, "right": None, "unspecified": None}, "findings": findings,
            "superseded_findings": [], "error": None, "pipeline_version": "t", "rules_hash": "t"}


def clot(segment):
    return {"segment": segment, "group": "distal_muscular", "side": "left", "status": "present", "acuity": "acute", "occlusion": None,
            "section": "findings", "evidence": {"start": 0, "end": 1, "text": "x", "cue": None, "sentence": {"start": 0, "end": 1}, "modifiers": []}}


def test_audit_gains_a_surveillance_section(tmp_path):
    records = [record("a1", "P<b>1", "2024-01-01", "ICMVT", [clot("soleal")]),  # no follow-up: on the work list
               record("b1", "P2", "2024-02-01", "ICMVT", [clot("soleal")]),
               record("b2", "P2", "2024-02-08", "ICMVT", [clot("soleal")])]
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert runner.invoke(app, ["course", str(labels), "-o", str(tmp_path / "c.jsonl"), "--as-of", "2025-01-01"]).exit_code == 0
    result = runner.invoke(app, ["audit", str(labels), "-o", str(tmp_path / "audit.html"), "--course", str(tmp_path / "c.jsonl")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "audit.html").read_text(encoding="utf-8")
    section = page[page.index("<h2>Surveillance"):]
    assert "<td>NO_FOLLOWUP</td><td>P&lt;b&gt;1</td>" in section  # the work list, escaped
    assert "<td>COMPLETED_NO_EXTENSION</td><td>1</td>" in section
    assert section.count("<svg") == 2 and "STABLE" in section and "<script" not in page
    again = runner.invoke(app, ["audit", str(labels), "-o", str(tmp_path / "again.html"), "--course", str(tmp_path / "c.jsonl")])
    assert again.exit_code == 0 and (tmp_path / "again.html").read_bytes() == (tmp_path / "audit.html").read_bytes()
