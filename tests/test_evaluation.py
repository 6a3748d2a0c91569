"""Tests for pipeline.evaluation (`dvt evaluate`): small hand-checked examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

import pytest
from rich.console import Console

from pipeline.evaluation import EvaluationResult, evaluate_files, predicted_positive_segments, render
from pipeline.evaluation.load import load_predictions

GROUP = {
    "common_femoral": "proximal", "femoral": "proximal", "popliteal": "proximal",
    "peroneal": "distal_axial", "posterior_tibial": "distal_axial",
    "soleal": "distal_muscular", "gastrocnemius": "distal_muscular",
    "great_saphenous": "superficial",
}


def finding(side: str, segment: str, status: str = "present", acuity: str = "acute",
            text: str | None = None, cue: str | None = "thrombus") -> dict[str, Any]:
    text = text or f"{segment.replace('_', ' ')} vein"
    return {
        "segment": segment, "group": GROUP.get(segment), "side": side, "status": status,
        "acuity": acuity, "occlusion": None, "section": "findings",
        "evidence": {
            "start": 10, "end": 10 + len(text), "text": text,
            "cue": {"start": 0, "end": len(cue), "text": cue} if cue else None,
            "sentence": {"start": 0, "end": 60}, "modifiers": [],
        },
    }


def pred(rid: str, label: str | None, findings: Iterable[dict] = (), left: str | None = None,
         right: str | None = None, svt: bool = False, error: str | None = None) -> dict[str, Any]:
    return {
        "id": rid, "label": label, "distal": label in ("IDDVT", "ICMVT"), "svt": svt,
        "svt_near_junction": False,
        "side_labels": {"left": left, "right": right, "unspecified": None},
        "findings": list(findings), "error": error,
    }


def gold(rid: str, label: str, segments: Iterable[str] = (), left: str | None = None,
         right: str | None = None, svt: bool = False, chronic: Iterable[str] = ()) -> dict[str, Any]:
    return {
        "id": rid, "label": label, "side_labels": {"left": left, "right": right},
        "positive_segments": list(segments), "chronic_segments": list(chronic), "svt": svt,
    }


def write_jsonl(path: Path, records: Iterable[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def run(tmp_path: Path, preds: list[dict], golds: list[dict], **kwargs: Any) -> EvaluationResult:
    p = write_jsonl(tmp_path / "pred.jsonl", preds)
    g = write_jsonl(tmp_path / "gold.jsonl", golds)
    kwargs.setdefault("bootstrap", 50)
    return evaluate_files(p, g, **kwargs)


def by_label(result: EvaluationResult) -> dict[str, Any]:
    assert result.label is not None
    return {s.label: s for s in result.label.per_label}


# A small corpus with one report per label, segments, sides and svt.
PERFECT_GOLD = [
    gold("r1", "PROXIMAL", ["left:popliteal"], left="PROXIMAL", right="NEGATIVE"),
    gold("r2", "IDDVT", ["right:peroneal", "right:soleal"], left="NEGATIVE", right="IDDVT"),
    gold("r3", "ICMVT", ["left:gastrocnemius"], left="ICMVT"),
    gold("r4", "DVT_UNSPECIFIED", [], left="DVT_UNSPECIFIED"),
    gold("r5", "INDETERMINATE", [], right="INDETERMINATE"),
    gold("r6", "NEGATIVE", [], left="NEGATIVE", right="NEGATIVE", svt=True),
]
PERFECT_PRED = [
    pred("r1", "PROXIMAL", [finding("left", "popliteal")], left="PROXIMAL", right="NEGATIVE"),
    pred("r2", "IDDVT", [finding("right", "peroneal"), finding("right", "soleal")],
         left="NEGATIVE", right="IDDVT"),
    pred("r3", "ICMVT", [finding("left", "gastrocnemius")], left="ICMVT"),
    pred("r4", "DVT_UNSPECIFIED", [], left="DVT_UNSPECIFIED"),
    pred("r5", "INDETERMINATE", [finding("right", "posterior_tibial", status="possible")],
         right="INDETERMINATE"),
    pred("r6", "NEGATIVE", [finding("left", "great_saphenous"), finding("left", "femoral", "absent")],
         left="NEGATIVE", right="NEGATIVE", svt=True),
]


def test_perfect_prediction_scores_one_everywhere(tmp_path: Path) -> None:
    r = run(tmp_path, PERFECT_PRED, PERFECT_GOLD)
    assert r.label and r.dvt and r.distal and r.deep_segments and r.side_labels and r.svt
    assert (r.label.accuracy, r.label.macro_f1) == (1.0, 1.0)
    assert all(s.f1 == 1.0 for s in r.label.per_label)
    for view in (r.dvt, r.distal):
        assert (view.sensitivity, view.specificity, view.ppv, view.npv) == (1.0, 1.0, 1.0, 1.0)
    seg = r.deep_segments
    assert (seg.precision, seg.recall, seg.f1, seg.tp) == (1.0, 1.0, 1.0, 4)
    assert r.side_labels.accuracy == 1.0 and r.side_labels.total == 12  # 6 reports x (left, right)
    assert r.svt.accuracy == 1.0
    assert r.n_errors == 0 and r.disagreements == ()
    for name in ("accuracy", "macro_f1", "dvt_sensitivity", "dvt_ppv", "deep_segment_f1"):
        ci = r.bootstrap.intervals[name]
        assert ci is not None and (ci.low, ci.high) == (1.0, 1.0)


def test_known_confusion_gives_hand_computed_precision_recall(tmp_path: Path) -> None:
    golds = [gold(f"r{i}", g) for i, g in enumerate(
        ["PROXIMAL", "PROXIMAL", "IDDVT", "NEGATIVE", "NEGATIVE", "NEGATIVE"], start=1)]
    preds = [pred(f"r{i}", p) for i, p in enumerate(
        ["PROXIMAL", "IDDVT", "IDDVT", "NEGATIVE", "NEGATIVE", "ICMVT"], start=1)]
    r = run(tmp_path, preds, golds)
    s = by_label(r)
    assert r.label is not None and r.label.accuracy == pytest.approx(4 / 6)
    assert (s["PROXIMAL"].precision, s["PROXIMAL"].recall) == (1.0, 0.5)
    assert (s["IDDVT"].precision, s["IDDVT"].recall) == (0.5, 1.0)
    assert s["NEGATIVE"].recall == pytest.approx(2 / 3) and s["NEGATIVE"].f1 == pytest.approx(0.8)
    assert (s["ICMVT"].precision, s["ICMVT"].recall, s["ICMVT"].f1) == (0.0, None, 0.0)
    assert s["DVT_UNSPECIFIED"].f1 is None  # neither in gold nor predicted: not averaged
    assert r.label.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 0.8 + 0.0) / 4)
    assert r.label.confusion["PROXIMAL"]["IDDVT"] == 1
    assert r.label.confusion["NEGATIVE"]["ICMVT"] == 1
    assert r.dvt is not None and (r.dvt.tp, r.dvt.fp, r.dvt.fn, r.dvt.tn) == (3, 1, 0, 2)
    assert r.dvt.specificity == pytest.approx(2 / 3) and r.dvt.ppv == 0.75
    assert r.distal is not None and (r.distal.tp, r.distal.fp, r.distal.fn, r.distal.tn) == (1, 2, 0, 3)
    assert [d.id for d in r.disagreements] == ["r2", "r6"]


def test_segment_precision_recall_on_hand_made_example(tmp_path: Path) -> None:
    golds = [
        gold("a", "PROXIMAL", ["left:popliteal", "left:femoral"]),
        gold("b", "NEGATIVE", []),
        gold("c", "ICMVT", ["right:soleal"]),
    ]
    preds = [
        # popliteal twice (deduplicated), femoral missed, right peroneal extra
        pred("a", "PROXIMAL", [finding("left", "popliteal"), finding("left", "popliteal", text="pop v."),
                               finding("left", "femoral", "absent"), finding("right", "peroneal")]),
        pred("b", "NEGATIVE", [finding("left", "popliteal", "absent")]),
        pred("c", "ICMVT", [finding("unspecified", "soleal")]),  # wrong side: one FP and one FN
    ]
    r = run(tmp_path, preds, golds)
    seg = r.deep_segments
    assert seg is not None and (seg.tp, seg.fp, seg.fn) == (1, 2, 2)
    assert seg.precision == pytest.approx(1 / 3) and seg.recall == pytest.approx(1 / 3)
    assert seg.f1 == pytest.approx(1 / 3)
    d = {x.id: x for x in r.disagreements}
    assert set(d) == {"a", "c"}
    assert d["a"].missing_segments == ("left:femoral",) and d["a"].extra_segments == ("right:peroneal",)
    # the 'absent' femoral finding is shown because it explains the missed segment
    assert any(e.segment == "femoral" and e.status == "absent" for e in d["a"].evidence)
    assert d["c"].extra_segments == ("unspecified:soleal",)


def test_chronic_findings_are_not_predicted_positives(tmp_path: Path) -> None:
    findings = [finding("left", "popliteal", acuity="chronic", cue="chronic thrombus"),
                finding("left", "femoral", acuity="acute_on_chronic")]
    assert predicted_positive_segments(load_findings(tmp_path, findings)) == {"left:femoral"}
    golds = [gold("r1", "PROXIMAL", ["left:femoral"], chronic=["left:popliteal"])]
    r = run(tmp_path, [pred("r1", "PROXIMAL", findings)], golds)
    assert r.deep_segments is not None and (r.deep_segments.fp, r.deep_segments.f1) == (0, 1.0)
    assert r.chronic_segments is not None and r.chronic_segments.tp == 1


def load_findings(tmp_path: Path, findings: list[dict]) -> tuple:
    path = write_jsonl(tmp_path / "one.jsonl", [pred("x", "PROXIMAL", findings)])
    return load_predictions(path).records["x"].findings


def test_superficial_segments_are_excluded_from_deep_metrics(tmp_path: Path) -> None:
    golds = [gold("r1", "PROXIMAL", ["left:femoral", "left:great_saphenous"], svt=True)]
    preds = [pred("r1", "PROXIMAL", [finding("left", "femoral"), finding("left", "great_saphenous"),
                                      finding("right", "small_saphenous")], svt=True)]
    r = run(tmp_path, preds, golds)
    assert r.deep_segments is not None
    assert (r.deep_segments.tp, r.deep_segments.fp, r.deep_segments.fn) == (1, 0, 0)
    assert r.disagreements == ()


def test_csv_gold_with_only_id_and_label(tmp_path: Path) -> None:
    (tmp_path / "gold.csv").write_text("id,label\n001,PROXIMAL\n002,negative\n", encoding="utf-8")
    p = write_jsonl(tmp_path / "pred.jsonl", [pred("001", "PROXIMAL", [finding("left", "popliteal")]),
                                              pred("002", "INDETERMINATE")])
    r = evaluate_files(p, tmp_path / "gold.csv", bootstrap=20)
    assert r.label is not None and r.label.accuracy == 0.5
    assert r.deep_segments is None and r.side_labels is None and r.svt is None
    assert any("segment metrics skipped" in n for n in r.notes)
    assert [d.id for d in r.disagreements] == ["002"]


def test_csv_gold_side_labels_and_reports_table_predictions(tmp_path: Path) -> None:
    (tmp_path / "gold.csv").write_text(
        "id,label,side_label_left,side_label_right\n"
        "r1,IDDVT,IDDVT,\n"  # right side not examined: null must match null
        "r2,NEGATIVE,NEGATIVE,NEGATIVE\n", encoding="utf-8")
    (tmp_path / "pred.csv").write_text(
        "id,label,side_label_left,side_label_right\n"
        "r1,IDDVT,IDDVT,\n"
        "r2,NEGATIVE,NEGATIVE,INDETERMINATE\n", encoding="utf-8")
    r = evaluate_files(tmp_path / "pred.csv", tmp_path / "gold.csv", bootstrap=0)
    assert r.side_labels is not None and (r.side_labels.correct, r.side_labels.total) == (3, 4)
    assert r.deep_segments is None
    assert any("no findings" in n for n in r.notes)
    (d,) = r.disagreements
    assert d.id == "r2" and not d.label_differs
    assert [(m.side, m.gold, m.pred) for m in d.side_mismatches] == [("right", "NEGATIVE", "INDETERMINATE")]


def test_missing_and_errored_predictions_count_as_errors(tmp_path: Path) -> None:
    golds = [gold("r1", "PROXIMAL", ["left:popliteal"]), gold("r2", "NEGATIVE"), gold("r3", "NEGATIVE")]
    preds = [pred("r2", None, error="empty text"), pred("r3", "NEGATIVE"), pred("extra", "NEGATIVE")]
    r = run(tmp_path, preds, golds)
    assert (r.n_errors, r.n_pred_errors) == (2, 1)
    assert r.missing_pred_ids == ("r1",) and r.extra_pred_ids == ("extra",)
    assert r.label is not None and r.label.confusion["PROXIMAL"]["(error)"] == 1
    assert r.label.correct == 1
    # errors are wrong in the binary view too: r1 a false negative, r2 a false positive
    assert r.dvt is not None and (r.dvt.tp, r.dvt.fp, r.dvt.fn, r.dvt.tn) == (0, 1, 1, 1)
    assert r.deep_segments is not None and r.deep_segments.fn == 1
    errors = {d.id: d.error for d in r.disagreements}
    assert errors == {"r1": "missing from predictions", "r2": "empty text"}


@pytest.mark.parametrize("which", ["pred", "gold"])
def test_duplicate_ids_raise_naming_file_and_id(tmp_path: Path, which: str) -> None:
    preds = [pred("r1", "NEGATIVE"), pred("r2", "NEGATIVE")]
    golds = [gold("r1", "NEGATIVE"), gold("r2", "NEGATIVE")]
    (preds if which == "pred" else golds).append((pred if which == "pred" else gold)("r1", "NEGATIVE"))
    with pytest.raises(ValueError, match=rf"{which}\.jsonl: duplicate id 'r1' \(line 1 and line 3\)"):
        run(tmp_path, preds, golds)


def test_invalid_label_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown label 'DISTAL'"):
        run(tmp_path, [pred("r1", "DISTAL")], [gold("r1", "NEGATIVE")])


def mixed_corpus(n: int = 40) -> tuple[list[dict], list[dict]]:
    """Deterministic corpus with some label and segment errors."""
    labels = ["PROXIMAL", "IDDVT", "ICMVT", "NEGATIVE", "NEGATIVE"]
    segs = {"PROXIMAL": "popliteal", "IDDVT": "peroneal", "ICMVT": "soleal"}
    golds, preds = [], []
    for i in range(n):
        g = labels[i % 5]
        p = labels[(i + 1) % 5] if i % 7 == 0 else g
        golds.append(gold(f"r{i}", g, [f"left:{segs[g]}"] if g in segs else []))
        preds.append(pred(f"r{i}", p, [finding("left", segs[p])] if p in segs else []))
    return preds, golds


def test_bootstrap_is_deterministic_and_brackets_point_estimate(tmp_path: Path) -> None:
    preds, golds = mixed_corpus()
    a = run(tmp_path, preds, golds, bootstrap=200, seed=7)
    b = run(tmp_path, preds, golds, bootstrap=200, seed=7)
    c = run(tmp_path, preds, golds, bootstrap=200, seed=8)
    assert a.to_dict() == b.to_dict()
    assert a.bootstrap.intervals != c.bootstrap.intervals
    assert a.label and a.dvt and a.deep_segments
    points = {
        "accuracy": a.label.accuracy, "macro_f1": a.label.macro_f1, "dvt_sensitivity": a.dvt.sensitivity,
        "dvt_ppv": a.dvt.ppv, "deep_segment_f1": a.deep_segments.f1,
    }
    assert a.label.accuracy < 1.0
    for name, point in points.items():
        ci = a.bootstrap.intervals[name]
        assert ci is not None and ci.low <= point <= ci.high, name
        assert ci.low < ci.high, name
    no_boot = run(tmp_path, preds, golds, bootstrap=0)
    assert all(ci is None for ci in no_boot.bootstrap.intervals.values())
    assert no_boot.label == a.label  # point estimates do not depend on resampling


def test_to_dict_is_json_serialisable_and_stable(tmp_path: Path) -> None:
    preds, golds = mixed_corpus(10)
    r = run(tmp_path, preds, golds)
    d = r.to_dict()
    text = json.dumps(d)
    assert json.loads(text) == d
    assert list(d)[:3] == ["pred_path", "gold_path", "n_reports"]
    assert d["label"]["confusion"]["PROXIMAL"]["(error)"] == 0
    assert d["disagreements"][0]["evidence"][0]["text"]
    assert json.dumps(run(tmp_path, list(reversed(preds)), golds).to_dict()) == text


def test_render_shows_headline_figures(tmp_path: Path) -> None:
    golds = [gold("r1", "PROXIMAL", ["left:popliteal"]), gold("r2", "NEGATIVE"), gold("r3", "IDDVT")]
    preds = [pred("r1", "PROXIMAL", [finding("left", "popliteal")]),
             pred("r2", "NEGATIVE"),
             pred("r3", "ICMVT", [finding("left", "soleal", text="soleal sinus", cue="[occlusive] clot")])]
    r = run(tmp_path, preds, golds)
    console = Console(record=True, width=160)
    render(r, console, max_disagreements=5)
    out = console.export_text()
    assert "Report-label accuracy" in out and "0.667" in out and "2/3" in out
    assert "DVT sensitivity" in out and "Deep-segment F1" in out
    assert "IDDVT → ICMVT" in out and 'cue "[occlusive] clot"' in out and '"soleal sinus"' in out
    assert "Confusion" in out


def test_empty_inputs_do_not_crash(tmp_path: Path) -> None:
    (tmp_path / "pred.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "gold.jsonl").write_text("\n", encoding="utf-8")
    r = evaluate_files(tmp_path / "pred.jsonl", tmp_path / "gold.jsonl")
    assert r.n_reports == 0 and r.label is None and r.dvt is None and r.deep_segments is None
    assert all(ci is None for ci in r.bootstrap.intervals.values())
    json.dumps(r.to_dict())
    console = Console(record=True, width=120)
    render(r, console)
    assert "No gold reports to evaluate" in console.export_text()


def test_proximal_unspecified_is_a_known_proximal_gold_segment(tmp_path: Path) -> None:
    result = run(tmp_path, [pred("a", "PROXIMAL", [finding("left", "proximal_unspecified")])],
                 [gold("a", "PROXIMAL", ["left:proximal_unspecified"])])
    assert result.deep_segments is not None and result.deep_segments.f1 == 1.0


def test_errors_print_each_disagreement_with_its_sentence_and_findings(tmp_path: Path) -> None:
    from pipeline import Extractor
    from pipeline.evaluation.errors import error_lines

    text = "Findings: the left popliteal vein is probably thrombosed."
    golds = [{"id": "a", "text": text, "label": "PROXIMAL", "positive_segments": ["left:popliteal"]},
             {"id": "b", "text": "No DVT.", "label": "NEGATIVE"}]
    p = write_jsonl(tmp_path / "p.jsonl", [Extractor().extract(g["text"], g["id"]) for g in golds])
    g = write_jsonl(tmp_path / "g.jsonl", golds)
    lines = error_lines(evaluate_files(p, g, bootstrap=0), p, g)
    assert lines[0] == "1 disagreement(s)"
    assert lines[1].startswith("a: PROXIMAL -> INDETERMINATE") and "missing left:popliteal" in lines[1]
    assert lines[2] == "    > the left popliteal vein is probably thrombosed."
    assert 'left:popliteal possible/unspecified mention "popliteal vein" cue "thrombosed" mods POSSIBLE_EXISTENCE "probably" [findings]' in lines[3]
