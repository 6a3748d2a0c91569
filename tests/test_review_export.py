"""Exports of a review (CSV, Label Studio) that `dvt evaluate` reads as gold, agreement, the audit page, highlighting."""
from __future__ import annotations

import csv
import json
import re

import pytest
from typer.testing import CliRunner

from pipeline.cli import app as cli
from pipeline.evaluation import evaluate_files
from pipeline.evaluation.agreement import cohen_kappa
from pipeline.evaluation.labelstudio import LABEL_CONFIG
from pipeline.review import open_review
from pipeline.review.export import export_review
from pipeline.review.audit import AuditSummary, render_audit
from pipeline.review.highlight import Mark, offset_problems, record_marks, render_html

runner = CliRunner()


@pytest.fixture()
def reviewed(tmp_path, review_source):
    """alice decided rows 0-3 (one correction), then bob re-decided row 2."""
    db = tmp_path / "review.sqlite"
    store = open_review(db, str(review_source["output"]), str(review_source["input"]))
    token = store.open_session("alice")
    store.decide(token, 0, "accept")
    store.decide(token, 1, "correct", "IDDVT", {"left": "IDDVT"}, "gastrocnemius misread")
    store.decide(token, 2, "accept")
    store.decide(token, 3, "correct", "NEGATIVE", {"left": "NEGATIVE"})
    store.close_session(token)
    token = store.open_session("bob")
    store.decide(token, 2, "correct", "INDETERMINATE", {"left": "INDETERMINATE", "right": "NEGATIVE"})
    store.close_session(token)
    return store


def test_csv_export_is_the_last_decision_per_report_and_evaluate_reads_it(reviewed, review_source, tmp_path):
    out = tmp_path / "adjudicated.csv"
    assert export_review(reviewed, str(out))["reports"] == 4
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["id"], r["label"], r["reviewer"], r["action"]) for r in rows] == [
        ("r1", "PROXIMAL", "alice", "accept"), ("r2", "IDDVT", "alice", "correct"),
        ("r3", "INDETERMINATE", "bob", "correct"), ("r4", "NEGATIVE", "alice", "correct")]
    assert rows[1]["note"] == "gastrocnemius misread" and rows[1]["model_label"] == "ICMVT"
    result = evaluate_files(review_source["output"], out, bootstrap=0)
    assert result.n_reports == 4 and result.label.accuracy == pytest.approx(1 / 4)  # only r1 agrees with the model


def test_export_of_one_reviewer(reviewed, tmp_path):
    out = tmp_path / "alice.csv"
    export_review(reviewed, str(out), reviewer="alice")
    assert [r["label"] for r in csv.DictReader(out.open(encoding="utf-8"))] == ["PROXIMAL", "IDDVT", "NEGATIVE", "NEGATIVE"]


def test_labelstudio_export_round_trips_through_evaluate(reviewed, review_source, tmp_path):
    out = tmp_path / "tasks.json"
    export_review(reviewed, str(out))
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert tasks[1]["data"]["report_id"] == "r2" and tasks[1]["data"]["text"].startswith("FINDINGS: Thrombus in the left gastrocnemius")
    evidence = [r for r in tasks[1]["predictions"][0]["result"] if r["type"] == "labels"]
    span = evidence[0]["value"]
    assert span["labels"] == ["distal_muscular"] and tasks[1]["data"]["text"][span["start"]:span["end"]] == span["text"] == "gastrocnemius vein"
    assert (tmp_path / "tasks.config.xml").read_text(encoding="utf-8") == LABEL_CONFIG
    csv_out = tmp_path / "adjudicated.csv"
    export_review(reviewed, str(csv_out))
    from_ls, from_csv = evaluate_files(review_source["output"], out, bootstrap=0), evaluate_files(review_source["output"], csv_out, bootstrap=0)
    assert from_ls.n_reports == 4 and from_ls.to_dict()["label"] == from_csv.to_dict()["label"]
    assert from_ls.to_dict()["side_labels"] == from_csv.to_dict()["side_labels"]


def test_exports_are_byte_identical(reviewed, tmp_path):
    for name in ("a.csv", "a.json"):
        export_review(reviewed, str(tmp_path / f"1{name}"))
        export_review(reviewed, str(tmp_path / f"2{name}"))
        assert (tmp_path / f"1{name}").read_bytes() == (tmp_path / f"2{name}").read_bytes()


def test_cli_export_and_agreement(reviewed, tmp_path):
    out = tmp_path / "x.csv"
    done = runner.invoke(cli, ["review", "export", "--db", str(reviewed.path), "-o", str(out)])
    assert done.exit_code == 0 and out.is_file()
    shown = runner.invoke(cli, ["review", "agreement", "--db", str(reviewed.path), "--json"])
    report = json.loads(shown.stdout)
    pair = report["reviewer_agreement"][0]
    assert (pair["rater_a"], pair["rater_b"], pair["n_reports"], pair["label_agreement"]) == ("alice", "bob", 1, 0.0)
    assert runner.invoke(cli, ["review", "export", "--db", str(reviewed.path), "-o", str(out), "--reviewer", "carol"]).exit_code == 1
    typo = reviewed.path.with_name("typo.sqlite")
    missing = runner.invoke(cli, ["review", "export", "--db", str(typo), "-o", str(out)])
    assert missing.exit_code == 1 and "no such review database" in missing.output and not typo.exists()


def test_agreement_across_two_databases(tmp_path, review_source):
    stores = []
    for name, labels in (("a", ["PROXIMAL", "ICMVT", "NEGATIVE"]), ("b", ["PROXIMAL", "IDDVT", "NEGATIVE"])):
        store = open_review(tmp_path / f"{name}.sqlite", str(review_source["output"]), str(review_source["input"]))
        token = store.open_session("reviewer")  # the same name in both files
        for row, label in enumerate(labels):
            store.decide(token, row, "correct", label)
        stores.append(store)
    shown = runner.invoke(cli, ["review", "agreement", "--db", str(stores[0].path), "--db", str(stores[1].path), "--json"])
    pair = json.loads(shown.stdout)["reviewer_agreement"][0]
    assert (pair["rater_a"], pair["rater_b"], pair["n_reports"]) == ("reviewer (a.sqlite)", "reviewer (b.sqlite)", 3)
    assert pair["label_kappa"] == pytest.approx(cohen_kappa([("PROXIMAL", "PROXIMAL"), ("ICMVT", "IDDVT"), ("NEGATIVE", "NEGATIVE")]))


@pytest.mark.parametrize("pairs, kappa", [
    ([("A", "A"), ("B", "B")], 1.0),                        # perfect
    ([("A", "B"), ("B", "A")], -1.0),                       # systematic disagreement
    ([("A", "A"), ("A", "B"), ("B", "B"), ("B", "B")], 0.5),
    ([("A", "A"), ("A", "A")], None),                       # one category only: undefined
    ([], None),
])
def test_cohen_kappa(pairs, kappa):
    assert cohen_kappa(pairs) == (pytest.approx(kappa) if kappa is not None else None)


# ------------------------------------------------------------------------------ highlighting


def test_overlapping_marks_become_flat_pieces():
    text = "no left CFV thrombus"
    html = render_html(text, [Mark(0, 2, ("modifier",), "f0", "neg"), Mark(8, 11, ("mention", "g-proximal"), "f0", "CFV"),
                              Mark(8, 20, ("cue",), "f1", "cue")])
    assert html == ('<span class="modifier" data-f="f0" title="neg">no</span> left '
                    '<span class="mention g-proximal cue" data-f="f0 f1" title="CFV\ncue">CFV</span>'
                    '<span class="cue" data-f="f1" title="cue"> thrombus</span>')


def test_marks_outside_the_text_are_dropped_and_reported():
    assert render_html("a<b", [Mark(1, 9, ("x",), None, "t")]) == "a&lt;b"
    record = {"findings": [{"evidence": {"start": 0, "end": 3, "text": "CFV", "cue": None, "modifiers": []}}]}
    assert offset_problems("CFV ok", record) == [] and offset_problems("SFV ok", record) == ["findings[0]: evidence offsets do not match the report text"]


# ------------------------------------------------------------------------------ audit page


def test_audit_page_is_self_contained_and_byte_identical(tmp_path, review_source):
    pages = []
    for name in ("1.html", "2.html"):
        done = runner.invoke(cli, ["audit", str(review_source["output"]), "--input", str(review_source["input"]), "-o", str(tmp_path / name)])
        assert done.exit_code == 0, done.output
        pages.append((tmp_path / name).read_bytes())
    assert pages[0] == pages[1]
    page = pages[0].decode("utf-8")
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<script" not in page.replace("&lt;script", "")  # no CDN, no script
    assert "<td>ICMVT</td><td>1</td>" in page and "<td>ERROR</td><td>1</td>" in page
    assert 'class="mention g-distal_muscular st-present"' in page and "&lt;script&gt;alert(1)" in page


FOLLOW_UP = "COMPARISON: outside duplex of 3/2.\nThe known left soleal thrombus now extends into the peroneal veins."


def test_change_cue_and_comparison_are_highlighted(extractor):
    record = extractor.extract(FOLLOW_UP)
    page = render_html(FOLLOW_UP, record_marks(record))
    assert '<span class="comparison" title="comparison: outside study of 3/2">COMPARISON: outside duplex of 3/2.</span>' in page
    assert re.search(r'class="[^"]*\bchange change-extended" data-f="f0 f1" title="ConText EXTENDED\nchange: extended">now extends</span>', page)
    assert offset_problems(FOLLOW_UP, record) == []
    assert offset_problems("x" + FOLLOW_UP, record)  # a shifted text is caught, the comparison too


def test_audit_counts_changes_comparisons_and_scopes(extractor):
    summary = AuditSummary(3)
    summary.add(extractor.extract(FOLLOW_UP, "f1"), FOLLOW_UP)
    summary.add(extractor.extract("No DVT in the right leg.", "f2"), None)
    page = render_audit(summary, "out.jsonl")
    assert "<td>extended</td><td>1</td><td>0</td><td>0</td>" in page
    assert "<td>outside</td><td>1</td>" in page and "<td>not stated</td><td>1</td>" in page
    assert "<td>right</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td>" in page  # f1 does not examine it, f2 completely
    assert "comparison: outside study of 3/2" in page


def test_audit_without_text_still_counts(tmp_path, review_source):
    done = runner.invoke(cli, ["audit", str(review_source["output"]), "-o", str(tmp_path / "a.html")])
    assert done.exit_code == 0
    assert "Report text not available" in (tmp_path / "a.html").read_text(encoding="utf-8")


def test_review_command_errors_are_one_line(tmp_path, review_source):
    done = runner.invoke(cli, ["review", str(review_source["output"]), "--db", str(tmp_path / "r.sqlite")])
    assert done.exit_code == 1 and "pass --input" in done.output
    done = runner.invoke(cli, ["review", str(review_source["output"]), "--db", str(tmp_path / "r2.sqlite"), "--input", str(review_source["input"]),
                               "--host", "0.0.0.0"])
    assert done.exit_code == 1 and "needs an access token" in done.output


def test_review_without_output_reopens_and_says_when_there_is_nothing(tmp_path):
    done = runner.invoke(cli, ["review", "--db", str(tmp_path / "new.sqlite")])  # routed to `review serve`
    assert done.exit_code == 1 and "holds no review yet" in done.output
