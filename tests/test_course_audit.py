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


def test_review_app_lists_the_patients_other_exams(tmp_path):
    from pipeline.review import open_review
    from pipeline.review.app import ReviewApp

    records = [record("a1", "P1", "2024-01-08", "ICMVT", [clot("soleal")]), record("b1", "P2", "2024-01-01", "NEGATIVE", []),
               record("a0", "P1", "2024-01-01", "ICMVT", [clot("soleal")])]
    (tmp_path / "out.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (tmp_path / "in.jsonl").write_text("".join(json.dumps({"id": r["id"], "text": "x left soleal thrombus"}) + "\n" for r in records), encoding="utf-8")
    app = ReviewApp(open_review(tmp_path / "review.sqlite", str(tmp_path / "out.jsonl"), str(tmp_path / "in.jsonl")), "tester")
    token = app.handle("POST", "/api/session", {}, json.dumps({"reviewer": "alice"}).encode(), None).body["token"]
    report = app.handle("GET", "/api/reports/0", {}, b"", token).body
    assert [(e["row"], e["exam_date"], e["label"]) for e in report["patient_exams"]] == [(2, "2024-01-01", "ICMVT"), (0, "2024-01-08", "ICMVT")]
    assert [e["row"] for e in app.handle("GET", "/api/reports/1", {}, b"", token).body["patient_exams"]] == [1]
