"""Schema and internal-consistency checks for the blind7 evaluation corpus.

These tests never run the pipeline: blind7 is a once-only generalisation check.
Every check is a function returning a list of problems; the mutation tests below
show that each check fails on a deliberately broken record.
"""
import copy
import json
import re
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parent.parent / "corpora" / "blind7" / "blind7.jsonl"
ORDER = ["PROXIMAL", "IDDVT", "ICMVT", "DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE"]
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
SIDES = ("left", "right", "unspecified")
KEYS = {"id", "text", "label", "side_labels", "positive_segments", "chronic_segments",
        "svt", "svt_near_junction", "note"}


def load():
    return [json.loads(line) for line in PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_schema(r):
    p = []
    if set(r) != KEYS:
        p.append("keys")
    if not re.fullmatch(r"b7-\d{3}", str(r.get("id"))):
        p.append("id format")
    if not isinstance(r.get("text"), str) or not r["text"].strip():
        p.append("text")
    if r.get("label") not in ORDER:
        p.append("label")
    sl = r.get("side_labels")
    if not isinstance(sl, dict) or set(sl) != set(SIDES):
        p.append("side_labels keys")
    elif any(v is not None and v not in ORDER for v in sl.values()):
        p.append("side label value")
    for k in ("svt", "svt_near_junction"):
        if not isinstance(r.get(k), bool):
            p.append(k)
    if not isinstance(r.get("note"), str) or not r["note"].strip():
        p.append("note")
    return p


def check_segments(r):
    p = []
    for k in ("positive_segments", "chronic_segments"):
        segs = r[k]
        if not isinstance(segs, list) or segs != sorted(set(segs)):
            p.append(f"{k} not sorted/unique")
        for s in segs:
            side, _, seg = s.partition(":")
            if side not in SIDES or seg not in GROUP:
                p.append(f"bad segment {s}")
    if set(r["positive_segments"]) & set(r["chronic_segments"]):
        p.append("segment both positive and chronic")
    return p


def _pos(r, side):
    return [s.split(":")[1] for s in r["positive_segments"] if s.split(":")[0] == side]


def check_labels(r):
    p = []
    sl = r["side_labels"]
    present = [v for v in sl.values() if v is not None]
    if not present:
        return ["no side examined"]
    if r["label"] != min(present, key=ORDER.index):
        p.append("label != most severe side label")
    if sl["unspecified"] == "NEGATIVE":
        p.append("unspecified side NEGATIVE")
    for s in r["positive_segments"] + r["chronic_segments"]:
        if sl[s.split(":")[0]] is None:
            p.append(f"segment on null side {s}")
    for side in SIDES:
        lab = sl[side]
        if lab is None:
            continue
        groups = {GROUP[g] for g in _pos(r, side)}
        if (lab == "PROXIMAL") != ("proximal" in groups):
            p.append(f"{side}: PROXIMAL iff proximal positive")
        if lab == "IDDVT" and not groups & {"distal_axial", "distal_unspecified"}:
            p.append(f"{side}: IDDVT without axial/calf segment")
        if lab not in ("PROXIMAL", "IDDVT") and groups & {"distal_axial", "distal_unspecified"}:
            p.append(f"{side}: axial positive but label {lab}")
        if lab == "ICMVT" and groups & {"proximal", "distal_axial", "distal_unspecified"} or \
                lab == "ICMVT" and "distal_muscular" not in groups:
            p.append(f"{side}: ICMVT inconsistent")
        if lab in ("DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE") and groups - {"superficial"}:
            p.append(f"{side}: deep positive but label {lab}")
    return p


def check_svt(r):
    p = []
    sup = any(GROUP[s.split(":")[1]] == "superficial" for s in r["positive_segments"])
    if r["svt"] != sup:
        p.append("svt != superficial positive")
    if r["svt_near_junction"] and not r["svt"]:
        p.append("near_junction without svt")
    return p


ALL = [check_schema, check_segments, check_labels, check_svt]
RECORDS = load()


def test_size_and_mix():
    assert len(RECORDS) >= 130
    neg = sum(r["label"] == "NEGATIVE" for r in RECORDS) / len(RECORDS)
    assert 0.3 <= neg <= 0.5
    assert {r["label"] for r in RECORDS} == set(ORDER)


def test_unique_ids_and_texts():
    ids = [r["id"] for r in RECORDS]
    assert len(ids) == len(set(ids))
    texts = [r["text"] for r in RECORDS]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("check", ALL, ids=lambda c: c.__name__)
def test_corpus_passes(check):
    bad = {}
    for r in RECORDS:
        if check is not check_schema and check_schema(r):
            continue
        probs = check(r)
        if probs:
            bad[r["id"]] = probs
    assert not bad, bad


def _first(pred):
    return copy.deepcopy(next(r for r in RECORDS if pred(r)))


def _m_label(r):
    r["label"] = "IDDVT" if r["label"] != "IDDVT" else "ICMVT"
    return r


def _m_bad_segment(r):
    r["positive_segments"] = sorted(r["positive_segments"] + ["left:subclavian"])
    return r


def _m_unsorted(r):
    r["positive_segments"] = ["right:popliteal", "left:popliteal"]
    return r


def _m_drop_proximal(r):
    r["positive_segments"] = [s for s in r["positive_segments"] if GROUP[s.split(":")[1]] != "proximal"]
    return r


def _m_svt(r):
    r["svt"] = not r["svt"]
    return r


def _m_junction(r):
    r["svt"], r["svt_near_junction"] = False, True
    r["positive_segments"] = [s for s in r["positive_segments"] if GROUP[s.split(":")[1]] != "superficial"]
    return r


def _m_null_side(r):
    side = r["positive_segments"][0].split(":")[0]
    r["side_labels"][side] = None
    return r


def _m_bad_label_value(r):
    r["label"] = "DVT"
    return r


def _m_neg_with_deep(r):
    r["positive_segments"] = sorted(r["positive_segments"] + ["right:soleal"])
    return r


MUTATIONS = [
    (_m_label, check_labels, lambda r: True),
    (_m_bad_segment, check_segments, lambda r: True),
    (_m_unsorted, check_segments, lambda r: True),
    (_m_drop_proximal, check_labels, lambda r: r["label"] == "PROXIMAL"),
    (_m_svt, check_svt, lambda r: True),
    (_m_junction, check_svt, lambda r: r["svt_near_junction"]),
    (_m_null_side, check_labels, lambda r: bool(r["positive_segments"])),
    (_m_bad_label_value, check_schema, lambda r: True),
    (_m_neg_with_deep, check_labels, lambda r: r["side_labels"]["right"] == "NEGATIVE"),
]


@pytest.mark.parametrize("mutate,check,pick", MUTATIONS, ids=[m[0].__name__ for m in MUTATIONS])
def test_each_check_can_fail(mutate, check, pick):
    rec = _first(pick)
    assert check(rec) == []
    assert check(mutate(rec)) != []


def test_duplicate_id_detected():
    ids = [r["id"] for r in RECORDS] + [RECORDS[0]["id"]]
    assert len(ids) != len(set(ids))
