"""Schema and internal-consistency checks for the blind8 evaluation corpus.

These tests check only the corpus itself (never the pipeline).  Every check is
implemented as a function returning a list of problems, and the mutation tests
at the bottom show that each check fails on a deliberately broken record.
"""
import copy
import json
from collections import Counter
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "blind8" / "blind8.jsonl"
README = CORPUS.parent / "README.md"

ORDER = ["PROXIMAL", "IDDVT", "ICMVT", "DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE"]
SIDES = ("left", "right", "unspecified")
GROUP = {
    "ivc": "proximal", "common_iliac": "proximal", "external_iliac": "proximal",
    "internal_iliac": "proximal", "common_femoral": "proximal", "femoral": "proximal",
    "deep_femoral": "proximal", "popliteal": "proximal",
    "tibioperoneal_trunk": "distal_axial", "posterior_tibial": "distal_axial",
    "peroneal": "distal_axial", "anterior_tibial": "distal_axial",
    "soleal": "distal_muscular", "gastrocnemius": "distal_muscular",
    "muscular_calf": "distal_muscular", "calf_unspecified": "distal_unspecified",
    "great_saphenous": "superficial", "small_saphenous": "superficial",
    "superficial_other": "superficial",
}
KEYS = {"id", "text", "label", "side_labels", "positive_segments", "chronic_segments",
        "svt", "svt_near_junction", "note"}


def load():
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split(seg):
    side, _, name = seg.partition(":")
    return side, name


def check_schema(rec):
    errs = []
    if set(rec) != KEYS:
        errs.append(f"keys {sorted(set(rec) ^ KEYS)}")
        return errs
    if not isinstance(rec["id"], str) or not rec["id"].startswith("b8-"):
        errs.append("bad id")
    if not isinstance(rec["text"], str) or not rec["text"].strip():
        errs.append("empty text")
    if not isinstance(rec["note"], str) or not rec["note"].strip():
        errs.append("empty note")
    if rec["label"] not in ORDER:
        errs.append(f"bad label {rec['label']!r}")
    sl = rec["side_labels"]
    if not isinstance(sl, dict) or set(sl) != set(SIDES):
        errs.append("side_labels keys")
    else:
        for s in SIDES:
            if sl[s] is not None and sl[s] not in ORDER:
                errs.append(f"bad side label {s}={sl[s]!r}")
        if all(v is None for v in sl.values()):
            errs.append("no side examined")
    for b in ("svt", "svt_near_junction"):
        if not isinstance(rec[b], bool):
            errs.append(f"{b} not bool")
    return errs


def check_segments(rec):
    errs = []
    for key in ("positive_segments", "chronic_segments"):
        segs = rec[key]
        if not isinstance(segs, list):
            errs.append(f"{key} not list")
            continue
        if segs != sorted(segs) or len(set(segs)) != len(segs):
            errs.append(f"{key} not sorted/unique")
        for seg in segs:
            side, name = split(seg)
            if side not in SIDES or name not in GROUP:
                errs.append(f"{key} bad segment {seg!r}")
            elif rec["side_labels"].get(side) is None:
                errs.append(f"{key} {seg!r} on a side with null label")
    if set(rec["positive_segments"]) & set(rec["chronic_segments"]):
        errs.append("segment both positive and chronic")
    return errs


def check_report_label(rec):
    vals = [v for v in rec["side_labels"].values() if v is not None]
    if not vals:
        return ["no side labels"]
    best = min(vals, key=ORDER.index)
    return [] if rec["label"] == best else [f"label {rec['label']} != most severe side {best}"]


def side_groups(rec, side):
    return {GROUP[split(s)[1]] for s in rec["positive_segments"]
            if split(s)[0] == side and split(s)[1] in GROUP}


def check_proximal(rec):
    errs = []
    sl = rec["side_labels"]
    any_prox = False
    for side in SIDES:
        if sl.get(side) is None:
            continue
        has = "proximal" in side_groups(rec, side)
        any_prox |= has
        if has != (sl[side] == "PROXIMAL"):
            errs.append(f"{side}: PROXIMAL iff proximal positive violated")
    if any_prox != (rec["label"] == "PROXIMAL"):
        errs.append("report PROXIMAL iff proximal positive violated")
    return errs


def check_distal(rec):
    errs = []
    for side in SIDES:
        lab = rec["side_labels"].get(side)
        if lab is None:
            continue
        g = side_groups(rec, side)
        axial = bool(g & {"distal_axial", "distal_unspecified"})
        if lab == "IDDVT" and not ("proximal" not in g and axial):
            errs.append(f"{side}: IDDVT without axial/unspecified distal segment")
        if lab == "ICMVT" and not ("distal_muscular" in g and not axial and "proximal" not in g):
            errs.append(f"{side}: ICMVT inconsistent with segments")
        if lab in ("DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE") and g - {"superficial"}:
            errs.append(f"{side}: {lab} but deep positive segment")
    return errs


def check_svt(rec):
    errs = []
    sup = any(GROUP.get(split(s)[1]) == "superficial" for s in rec["positive_segments"])
    if rec["svt"] != sup:
        errs.append("svt != superficial positive present")
    if rec["svt_near_junction"] and not rec["svt"]:
        errs.append("svt_near_junction without svt")
    if rec["svt_near_junction"] and not any(
            split(s)[1] in ("great_saphenous", "small_saphenous") for s in rec["positive_segments"]):
        errs.append("svt_near_junction without saphenous positive")
    return errs


CHECKS = [check_schema, check_segments, check_report_label, check_proximal, check_distal, check_svt]
RECORDS = load()


def test_size_and_unique_ids():
    assert len(RECORDS) >= 130
    ids = [r["id"] for r in RECORDS]
    assert len(ids) == len(set(ids))


def test_label_mix():
    c = Counter(r["label"] for r in RECORDS)
    assert set(c) == set(ORDER), c
    assert 0.3 <= c["NEGATIVE"] / len(RECORDS) <= 0.5


@pytest.mark.parametrize("check", CHECKS, ids=lambda f: f.__name__)
def test_corpus_passes(check):
    problems = {r.get("id"): check(r) for r in RECORDS}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, problems


def test_readme_counts_match():
    text = README.read_text(encoding="utf-8")
    c = Counter(r["label"] for r in RECORDS)
    for lab in ORDER:
        assert f"| {lab} | {c[lab]} |" in text, lab
    assert f"| total | {len(RECORDS)} |" in text


# ---- mutation tests: every check must be able to fail ----------------------

def _first(pred):
    return copy.deepcopy(next(r for r in RECORDS if pred(r)))


def test_mutations_are_caught():
    prox = _first(lambda r: r["label"] == "PROXIMAL" and r["side_labels"]["left"] == "PROXIMAL")
    bad = copy.deepcopy(prox); bad["label"] = "BOGUS"
    assert check_schema(bad)
    bad = copy.deepcopy(prox); del bad["note"]
    assert check_schema(bad)
    bad = copy.deepcopy(prox); bad["positive_segments"] = ["left:saphenofemoral"]
    assert check_segments(bad)
    bad = copy.deepcopy(prox); bad["positive_segments"] = list(reversed(bad["positive_segments"])) + ["left:zz"]
    assert check_segments(bad)
    bad = copy.deepcopy(prox); bad["chronic_segments"] = [bad["positive_segments"][0]]
    assert check_segments(bad)
    bad = copy.deepcopy(prox); bad["label"] = "NEGATIVE"
    assert check_report_label(bad)
    bad = copy.deepcopy(prox); bad["positive_segments"] = []
    assert check_proximal(bad)
    neg = _first(lambda r: r["label"] == "NEGATIVE" and r["side_labels"]["left"] == "NEGATIVE"
                 and not r["positive_segments"])
    bad = copy.deepcopy(neg); bad["positive_segments"] = ["left:popliteal"]
    assert check_proximal(bad)
    bad = copy.deepcopy(neg); bad["positive_segments"] = ["left:soleal"]
    assert check_distal(bad)
    bad = copy.deepcopy(neg); bad["side_labels"]["left"] = "IDDVT"; bad["label"] = "IDDVT"
    assert check_distal(bad)
    bad = copy.deepcopy(neg); bad["side_labels"]["left"] = "ICMVT"; bad["label"] = "ICMVT"
    bad["positive_segments"] = ["left:peroneal", "left:soleal"]
    assert check_distal(bad)
    bad = copy.deepcopy(neg); bad["svt"] = True
    assert check_svt(bad)
    bad = copy.deepcopy(neg); bad["svt_near_junction"] = True
    assert check_svt(bad)
    bad = copy.deepcopy(neg); bad["positive_segments"] = ["left:great_saphenous"]
    assert check_svt(bad)
    if neg["side_labels"]["right"] is None:
        bad = copy.deepcopy(neg); bad["positive_segments"] = ["right:peroneal"]
        assert check_segments(bad)
    bad = copy.deepcopy(neg); bad["side_labels"] = {"left": None, "right": None, "unspecified": None}
    assert check_schema(bad) and check_report_label(bad)
