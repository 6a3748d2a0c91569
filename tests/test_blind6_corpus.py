"""Schema and internal-consistency checks for the blind6 evaluation corpus.

These tests check only that the gold annotations are well formed and agree
with themselves and with the label rules of LABELS.md. They never run the
pipeline: blind6 is a once-only generalisation check (see corpora/blind6/README.md).
Every validator is also exercised on a deliberately corrupted record so that
each check is shown to be able to fail.
"""
import copy
import json
import re
from collections import Counter
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "blind6" / "blind6.jsonl"

LABELS = ["PROXIMAL", "IDDVT", "ICMVT", "DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE"]
SEVERITY = {lab: i for i, lab in enumerate(reversed(LABELS))}  # NEGATIVE=0 ... PROXIMAL=5
SIDES = ("left", "right", "unspecified")
GROUPS = {
    "proximal": {"ivc", "common_iliac", "external_iliac", "internal_iliac", "common_femoral",
                 "femoral", "deep_femoral", "popliteal"},
    "distal_axial": {"tibioperoneal_trunk", "posterior_tibial", "peroneal", "anterior_tibial"},
    "distal_muscular": {"soleal", "gastrocnemius", "muscular_calf"},
    "distal_unspecified": {"calf_unspecified"},
    "superficial": {"great_saphenous", "small_saphenous", "superficial_other"},
}
SEGMENTS = set().union(*GROUPS.values())
DEEP = SEGMENTS - GROUPS["superficial"]
KEYS = {"id", "text", "label", "side_labels", "positive_segments", "chronic_segments",
        "svt", "svt_near_junction", "note"}


def load():
    with CORPUS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def split(seg):
    side, _, name = seg.partition(":")
    return side, name


# ---------------------------------------------------------------- validators
def check_schema(rec):
    errs = []
    if set(rec) != KEYS:
        errs.append(f"keys {sorted(set(rec) ^ KEYS)}")
        return errs
    if not re.fullmatch(r"b6-\d{3}", str(rec["id"])):
        errs.append("bad id")
    if not isinstance(rec["text"], str) or not rec["text"].strip():
        errs.append("empty text")
    if not isinstance(rec["note"], str) or not rec["note"].strip():
        errs.append("empty note")
    if rec["label"] not in LABELS:
        errs.append("bad label")
    sl = rec["side_labels"]
    if not isinstance(sl, dict) or set(sl) != set(SIDES):
        errs.append("bad side_labels keys")
    else:
        for s in SIDES:
            if sl[s] is not None and sl[s] not in LABELS:
                errs.append(f"bad side label {s}")
        if all(sl[s] is None for s in SIDES):
            errs.append("no side examined")
    for field in ("svt", "svt_near_junction"):
        if not isinstance(rec[field], bool):
            errs.append(f"{field} not bool")
    for field in ("positive_segments", "chronic_segments"):
        segs = rec[field]
        if not isinstance(segs, list):
            errs.append(f"{field} not list")
            continue
        if segs != sorted(segs) or len(set(segs)) != len(segs):
            errs.append(f"{field} not sorted/unique")
        for seg in segs:
            side, name = split(seg)
            if side not in SIDES or name not in SEGMENTS:
                errs.append(f"bad segment {seg}")
    return errs


def check_label_is_most_severe(rec):
    present = [v for v in rec["side_labels"].values() if v in SEVERITY]
    if not present:
        return ["no side label"]
    worst = max(present, key=SEVERITY.get)
    return [] if rec["label"] == worst else [f"label {rec['label']} != most severe {worst}"]


def check_segments_on_examined_sides(rec):
    errs = []
    for seg in rec["positive_segments"] + rec["chronic_segments"]:
        side, _ = split(seg)
        if rec["side_labels"].get(side) is None:
            errs.append(f"{seg} on a null side")
    overlap = set(rec["positive_segments"]) & set(rec["chronic_segments"])
    if overlap:
        errs.append(f"positive and chronic: {sorted(overlap)}")
    return errs


def check_side_label_matches_segments(rec):
    """Each side label follows from that side's positive deep segments."""
    errs = []
    for side in SIDES:
        lab = rec["side_labels"].get(side)
        if lab is None:
            continue
        names = {split(s)[1] for s in rec["positive_segments"] if split(s)[0] == side}
        prox = bool(names & GROUPS["proximal"])
        axial = bool(names & (GROUPS["distal_axial"] | GROUPS["distal_unspecified"]))
        musc = bool(names & GROUPS["distal_muscular"])
        if prox:
            expected = "PROXIMAL"
        elif axial:
            expected = "IDDVT"
        elif musc:
            expected = "ICMVT"
        else:
            expected = None  # DVT_UNSPECIFIED / INDETERMINATE / NEGATIVE
        if expected is None:
            if lab in ("PROXIMAL", "IDDVT", "ICMVT"):
                errs.append(f"{side}: {lab} without a supporting deep segment")
        elif lab != expected:
            errs.append(f"{side}: {lab} but segments imply {expected}")
    return errs


def check_proximal_iff(rec):
    has_prox = any(split(s)[1] in GROUPS["proximal"]
                   and rec["side_labels"].get(split(s)[0]) is not None
                   for s in rec["positive_segments"])
    if (rec["label"] == "PROXIMAL") != has_prox:
        return [f"label {rec['label']} vs proximal positive {has_prox}"]
    return []


def check_svt(rec):
    errs = []
    sup = [s for s in rec["positive_segments"] if split(s)[1] in GROUPS["superficial"]]
    if rec["svt"] != bool(sup):
        errs.append(f"svt {rec['svt']} vs superficial positives {sup}")
    if rec["svt_near_junction"]:
        if not rec["svt"]:
            errs.append("near junction without svt")
        if not any(split(s)[1] in ("great_saphenous", "small_saphenous") for s in sup):
            errs.append("near junction without a saphenous positive")
    return errs


CHECKS = [check_schema, check_label_is_most_severe, check_segments_on_examined_sides,
          check_side_label_matches_segments, check_proximal_iff, check_svt]


# -------------------------------------------------------------------- tests
@pytest.fixture(scope="module")
def records():
    return load()


def test_size_and_unique_ids(records):
    assert len(records) >= 130
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    texts = [r["text"] for r in records]
    assert len(texts) == len(set(texts)), "duplicate report texts"


def test_label_mix(records):
    counts = Counter(r["label"] for r in records)
    assert set(counts) == set(LABELS), counts
    share = counts["NEGATIVE"] / len(records)
    assert 0.30 <= share <= 0.50, share


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_corpus_passes(records, check):
    bad = {r["id"]: errs for r in records if (errs := check(r))}
    assert not bad, bad


def _base():
    return {"id": "b6-999", "text": "Left popliteal DVT.", "label": "PROXIMAL",
            "side_labels": {"left": "PROXIMAL", "right": None, "unspecified": None},
            "positive_segments": ["left:popliteal"], "chronic_segments": [],
            "svt": False, "svt_near_junction": False, "note": "x"}


def _mut(**changes):
    rec = copy.deepcopy(_base())
    rec.update(changes)
    return rec


MUTANTS = [
    (check_schema, _mut(id="x1")),
    (check_schema, _mut(label="DVT")),
    (check_schema, _mut(positive_segments=["left:calf"])),
    (check_schema, _mut(positive_segments=["left:popliteal", "left:femoral"])),
    (check_schema, _mut(side_labels={"left": None, "right": None, "unspecified": None})),
    (check_schema, _mut(svt="no")),
    (check_label_is_most_severe, _mut(label="IDDVT")),
    (check_segments_on_examined_sides, _mut(positive_segments=["right:popliteal"],
                                            side_labels={"left": "PROXIMAL", "right": None, "unspecified": None})),
    (check_segments_on_examined_sides, _mut(chronic_segments=["left:popliteal"])),
    (check_side_label_matches_segments, _mut(positive_segments=["left:soleal"])),
    (check_side_label_matches_segments, _mut(label="NEGATIVE",
                                             side_labels={"left": "NEGATIVE", "right": None, "unspecified": None})),
    (check_proximal_iff, _mut(positive_segments=["left:peroneal"])),
    (check_proximal_iff, _mut(label="ICMVT")),
    (check_svt, _mut(svt=True)),
    (check_svt, _mut(positive_segments=["left:great_saphenous", "left:popliteal"])),
    (check_svt, _mut(svt_near_junction=True)),
]


@pytest.mark.parametrize("check,rec", MUTANTS, ids=lambda x: getattr(x, "__name__", ""))
def test_each_check_can_fail(check, rec):
    assert check(_base()) == []
    assert check(rec), f"{check.__name__} accepted a corrupted record"
