"""Tests of the synthetic corpus generator (pipeline.synth) and the committed splits."""
from __future__ import annotations

import json
import runpy
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.synth import TEMPLATES, Finding, Truth, compute_gold, generate, generate_detailed, write_jsonl  # noqa: E402
from pipeline.synth import render as R  # noqa: E402
from pipeline.synth.gold_model import GROUP, LABELS, Addendum  # noqa: E402

CORPUS = ROOT / "corpora" / "synthetic"
KEYS = ["id", "text", "label", "side_labels", "positive_segments", "chronic_segments", "svt", "svt_near_junction",
        "template", "split"]
SPLIT_TEMPLATES = {s: {t.name for t in TEMPLATES if t.split == s} for s in ("dev", "test")}
SECTION5 = [
    "contralateral_cfv", "partial_not_visualized", "possible_deep", "nondiagnostic_side", "indeterminate_age",
    "acute_on_chronic", "chronic_only_side", "resolved", "stable", "extension_into", "no_extension",
    "addendum_upgrade", "addendum_downgrade", "addendum_confirm", "distractor_artery", "distractor_hematoma",
    "distractor_baker", "distractor_muscle_tear", "svt", "svt_near_junction", "svt_extends_deep", "unspecified_side",
    "dvt_unspecified", "upper_extremity", "history_of_dvt", "indication_dvt", "hypothetical_dvt",
]


def load(split: str) -> list[dict]:
    with (CORPUS / f"{split}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def corpora() -> dict[str, list[dict]]:
    return {s: load(s) for s in ("dev", "test")}


@pytest.fixture(scope="module")
def detailed() -> dict[str, list[tuple[dict, dict]]]:
    return {"dev": generate_detailed(2000, 1, "dev"), "test": generate_detailed(600, 2, "test")}


def truth(laterality: str, *findings: Finding, **kw) -> Truth:
    return Truth(laterality=laterality, findings=list(findings), **kw)


# -- determinism -------------------------------------------------------------------

def test_generate_is_deterministic_and_seed_dependent():
    a, b = generate(40, 7, "dev"), generate(40, 7, "dev")
    assert a == b
    assert generate(40, 8, "dev") != a
    assert [r["id"] for r in a][:2] == ["dev-00001", "dev-00002"]


def test_make_corpus_reproduces_committed_files(tmp_path):
    runpy.run_path(str(ROOT / "scripts" / "make_corpus.py"), run_name="make_corpus")["main"](str(tmp_path))
    for split in ("dev", "test"):
        assert (tmp_path / f"{split}.jsonl").read_bytes() == (CORPUS / f"{split}.jsonl").read_bytes(), split


def test_write_jsonl_is_utf8_with_newlines(tmp_path):
    path = tmp_path / "x.jsonl"
    write_jsonl([{"id": "a", "text": "résumé\nline"}, {"id": "b", "text": ""}], path)
    raw = path.read_bytes()
    assert raw == '{"id": "a", "text": "résumé\\nline"}\n{"id": "b", "text": ""}\n'.encode("utf-8")


def test_generate_rejects_unknown_split():
    with pytest.raises(ValueError):
        generate(1, 1, "train")


# -- schema and splits -------------------------------------------------------------

def test_schema_of_every_record(corpora):
    for split, n in (("dev", 2000), ("test", 600)):
        recs = corpora[split]
        assert len(recs) == n
        assert [r["id"] for r in recs] == [f"{split}-{i:05d}" for i in range(1, n + 1)]
        for r in recs:
            assert list(r) == KEYS
            assert r["split"] == split and r["template"] in SPLIT_TEMPLATES[split]
            assert isinstance(r["text"], str) and r["text"].strip() and "{" not in r["text"]
            assert r["label"] in LABELS
            assert list(r["side_labels"]) == ["left", "right", "unspecified"]
            assert all(v is None or v in LABELS for v in r["side_labels"].values())
            for key in ("positive_segments", "chronic_segments"):
                assert r[key] == sorted(set(r[key]))
                for item in r[key]:
                    side, seg = item.split(":")
                    assert side in ("left", "right", "unspecified") and seg in GROUP
            assert isinstance(r["svt"], bool) and isinstance(r["svt_near_junction"], bool)


def test_every_label_well_represented_in_both_splits(corpora):
    for split, recs in corpora.items():
        share = {lab: n / len(recs) for lab, n in Counter(r["label"] for r in recs).items()}
        assert set(share) == set(LABELS), split
        assert 0.30 <= share["NEGATIVE"] <= 0.40
        assert all(share[lab] >= 0.08 for lab in LABELS), share


def test_templates_are_many_and_held_out():
    assert len(TEMPLATES) >= 15
    assert not SPLIT_TEMPLATES["dev"] & SPLIT_TEMPLATES["test"]
    assert len(SPLIT_TEMPLATES["test"]) / len(TEMPLATES) >= 0.3


def test_each_split_uses_all_its_templates_and_no_other(corpora):
    for split, recs in corpora.items():
        assert {r["template"] for r in recs} == SPLIT_TEMPLATES[split]


def test_no_phrase_is_tagged_for_both_splits():
    tags: dict[str, set[str]] = {}
    for table in R._TABLES.values():
        for entries in table.values():
            for entry in entries:
                tag, _, text = R.parse(entry)
                tags.setdefault(text.lower(), set()).add(tag)
    assert not [t for t, s in tags.items() if {"d", "t"} <= s]
    n = Counter(tag for s in tags.values() for tag in s)
    assert n["t"] / sum(n.values()) >= 0.3


def test_renderer_uses_only_its_splits_phrases(detailed):
    for split, other in (("dev", "t"), ("test", "d")):
        used = [u for _, meta in detailed[split] for u in meta["used"]]
        assert used and not [u for u in used if u[1] == other]


def test_held_out_phrasings_do_not_leak(corpora):
    dev = "\n".join(r["text"] for r in corpora["dev"]).lower()
    test = "\n".join(r["text"] for r in corpora["test"]).lower()
    for marker in ("perineal", "saphenus", "coaptation", "sonographer findings", "w/o propagation", "fresh"):
        assert marker in test and marker not in dev, marker
    for marker in ("poplitial", "gastrocnemious", "addendum (re-review", "synechiae and wall thickening"):
        assert marker in dev and marker not in test, marker


# -- gold consistency --------------------------------------------------------------

def groups(segs: list[str], side: str | None = None) -> set[str]:
    return {GROUP[s.split(":")[1]] for s in segs if side is None or s.split(":")[0] == side}


def expected_label(gs: set[str]) -> str | None:
    if "proximal" in gs:
        return "PROXIMAL"
    if gs & {"distal_axial", "distal_unspecified"}:
        return "IDDVT"
    if "distal_muscular" in gs:
        return "ICMVT"
    return None


def test_labels_agree_with_positive_segments(corpora):
    for recs in corpora.values():
        for r in recs:
            ranked = [v for v in r["side_labels"].values() if v]
            assert r["label"] == min(ranked, key=LABELS.index)
            want = expected_label(groups(r["positive_segments"]))
            if want:
                assert r["label"] == want, r["id"]
            else:
                assert r["label"] in ("DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE"), r["id"]
            for side, lab in r["side_labels"].items():
                side_want = expected_label(groups(r["positive_segments"], side))
                if side_want:
                    assert lab == side_want, (r["id"], side)
                elif lab is not None:
                    assert lab in ("DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE"), (r["id"], side)
            assert not set(r["positive_segments"]) & set(r["chronic_segments"])
            assert r["svt"] == ("superficial" in groups(r["positive_segments"]))
            assert r["svt"] or not r["svt_near_junction"]
            for item in r["positive_segments"] + r["chronic_segments"]:
                assert r["side_labels"][item.split(":")[0]] is not None, r["id"]


def test_side_labels_null_exactly_for_unexamined_sides(detailed):
    for recs in detailed.values():
        for rec, meta in recs:
            t: Truth = meta["truth"]
            for side in ("left", "right"):
                examined = side in t.exam_sides or any(f.side == side for f in t.findings)
                assert (rec["side_labels"][side] is not None) == examined, rec["id"]
            has_unspec = any(f.side == "unspecified" for f in t.findings) or "unspecified" in t.dvt_unspecified
            assert (rec["side_labels"]["unspecified"] is not None) == has_unspec, rec["id"]
            assert has_unspec <= (t.laterality == "bilateral")


def test_gold_label_is_the_scheduled_target(detailed):
    for recs in detailed.values():
        assert all(rec["label"] == meta["target"] for rec, meta in recs)


def test_every_section5_case_occurs_in_both_splits(detailed):
    for split, recs in detailed.items():
        seen = Counter(f for _, meta in recs for f in meta["features"])
        missing = [f for f in SECTION5 if seen[f] < 3]
        assert not missing, (split, missing)


def test_addendum_body_read_differs_from_final(detailed):
    n = 0
    for recs in detailed.values():
        for rec, meta in recs:
            t: Truth = meta["truth"]
            if t.addendum:
                n += 1
                orig = t.addendum.original
                final = next(f for f in t.findings if (f.side, f.segment) == (orig.side, orig.segment))
                assert final.status != orig.status, rec["id"]
    assert n > 50


# -- hand-checked truth -> gold ----------------------------------------------------

def test_chronic_only_femoral_is_negative():
    g = compute_gold(truth("left", Finding("femoral", "left", "present", "chronic", "nonocclusive"),
                           Finding("popliteal", "left")))
    assert g["label"] == "NEGATIVE"
    assert g["positive_segments"] == [] and g["chronic_segments"] == ["left:femoral"]
    assert g["side_labels"] == {"left": "NEGATIVE", "right": None, "unspecified": None}


def test_acute_on_chronic_counts():
    g = compute_gold(truth("right", Finding("popliteal", "right", "present", "acute_on_chronic")))
    assert g["label"] == "PROXIMAL" and g["positive_segments"] == ["right:popliteal"]


def test_soleal_plus_peroneal_is_iddvt_and_soleal_alone_icmvt():
    g = compute_gold(truth("left", Finding("soleal", "left", "present", "acute"),
                           Finding("peroneal", "left", "present", "acute")))
    assert g["label"] == "IDDVT"
    assert g["positive_segments"] == ["left:peroneal", "left:soleal"]
    assert compute_gold(truth("left", Finding("soleal", "left", "present")))["label"] == "ICMVT"
    assert compute_gold(truth("left", Finding("calf_unspecified", "left", "present")))["label"] == "IDDVT"


def test_gsv_extending_into_cfv_is_proximal_and_svt():
    g = compute_gold(truth("right",
                           Finding("great_saphenous", "right", "present", "acute", near_junction=True,
                                   link=("common_femoral", True)),
                           Finding("common_femoral", "right", "present", "acute")))
    assert g["label"] == "PROXIMAL" and g["svt"] and g["svt_near_junction"]
    assert g["positive_segments"] == ["right:common_femoral", "right:great_saphenous"]


def test_superficial_only_is_negative_and_chronic_superficial_is_not_svt():
    g = compute_gold(truth("left", Finding("great_saphenous", "left", "present", "acute", near_junction=False)))
    assert (g["label"], g["svt"], g["svt_near_junction"]) == ("NEGATIVE", True, False)
    g = compute_gold(truth("left", Finding("great_saphenous", "left", "present", "chronic", near_junction=True)))
    assert (g["svt"], g["svt_near_junction"], g["chronic_segments"]) == (False, False, ["left:great_saphenous"])
    g = compute_gold(truth("left", Finding("small_saphenous", "left", "possible")))
    assert g["label"] == "NEGATIVE"


def test_contralateral_cfv_examines_the_other_side():
    g = compute_gold(truth("left", Finding("popliteal", "left", "present"), Finding("common_femoral", "right")))
    assert g["side_labels"] == {"left": "PROXIMAL", "right": "NEGATIVE", "unspecified": None}
    g = compute_gold(truth("left", Finding("popliteal", "left")))
    assert g["side_labels"]["right"] is None


def test_possible_nondiagnostic_partial_and_side_level_dvt():
    assert compute_gold(truth("left", Finding("peroneal", "left", "possible")))["label"] == "INDETERMINATE"
    g = compute_gold(truth("bilateral", Finding("common_femoral", "left"),
                           Finding("common_femoral", "right", "not_evaluated"), nondiagnostic=["right"]))
    assert g["side_labels"] == {"left": "NEGATIVE", "right": "INDETERMINATE", "unspecified": None}
    g = compute_gold(truth("left", Finding("common_femoral", "left"), Finding("calf_unspecified", "left", "not_evaluated")))
    assert g["label"] == "NEGATIVE"
    g = compute_gold(truth("left", dvt_unspecified=["left"]))
    assert g["label"] == "DVT_UNSPECIFIED" and g["positive_segments"] == []


def test_unspecified_side_finding_on_bilateral_exam():
    g = compute_gold(truth("bilateral", Finding("common_femoral", "left"), Finding("common_femoral", "right"),
                           Finding("peroneal", "unspecified", "present", "acute")))
    assert g["label"] == "IDDVT"
    assert g["side_labels"] == {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": "IDDVT"}


def test_follow_up_resolved_absent_and_stable_present():
    g = compute_gold(truth("right", Finding("femoral", "right", "absent", note="resolved"),
                           Finding("peroneal", "right", "present", note="stable")))
    assert g["label"] == "IDDVT" and g["positive_segments"] == ["right:peroneal"]


def test_addendum_final_read_is_the_gold():
    final = Finding("posterior_tibial", "left", "absent")
    t = truth("left", final, addendum=Addendum("downgrade", Finding("posterior_tibial", "left", "present", "acute")))
    assert compute_gold(t)["label"] == "NEGATIVE"


# -- region-only wording (opt-in, so the committed splits stay as they are) -----------------

def test_region_only_reports_carry_region_gold_and_the_pipeline_reads_them():
    from pipeline import Extractor
    from pipeline.synth.regions import region_only

    records = region_only(60, 3, "dev") + region_only(60, 3, "test")
    assert region_only(5, 3, "dev") == records[:5]  # deterministic
    assert {r["template"] for r in records} == {"region_proximal", "region_whole"}
    for r in records:
        assert r["label"] == "PROXIMAL" and any(s.endswith(":proximal_unspecified") for s in r["positive_segments"])
        assert any(s.endswith(":calf_unspecified") for s in r["positive_segments"]) == (r["template"] == "region_whole")
    extractor = Extractor()
    for r, p in zip(records, extractor.extract_many((r["id"], r["text"]) for r in records)):
        present = sorted(f"{f['side']}:{f['segment']}" for f in p["findings"] if f["status"] == "present")
        assert (p["label"], p["side_labels"], present) == (r["label"], r["side_labels"], r["positive_segments"]), r["text"]
