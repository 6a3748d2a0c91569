"""Schema and internal-consistency checks for the blind evaluation set 3.

These tests check only that the gold annotations are well formed and agree
with themselves (LABELS.md rules that can be checked without reading the
text). They never run the pipeline: corpora/blind3 is a once-only blind set.

Every check is a function returning a list of problems; the corpus must give
none, and the ``test_check_can_fail`` cases feed each check a deliberately
broken record to prove that it is able to fail.
"""

import copy
import json
import re
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "blind3" / "blind3.jsonl"

SEVERITY = ["PROXIMAL", "IDDVT", "ICMVT", "DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE"]
LABELS = set(SEVERITY)
SIDES = ("left", "right", "unspecified")
GROUP = {
    "ivc": "proximal", "common_iliac": "proximal", "external_iliac": "proximal",
    "internal_iliac": "proximal", "common_femoral": "proximal", "femoral": "proximal",
    "deep_femoral": "proximal", "popliteal": "proximal",
    "tibioperoneal_trunk": "distal_axial", "posterior_tibial": "distal_axial",
    "peroneal": "distal_axial", "anterior_tibial": "distal_axial",
    "soleal": "distal_muscular", "gastrocnemius": "distal_muscular",
    "muscular_calf": "distal_muscular",
    "calf_unspecified": "distal_unspecified",
    "great_saphenous": "superficial", "small_saphenous": "superficial",
    "superficial_other": "superficial",
}
KEYS = {"id", "text", "label", "side_labels", "positive_segments", "chronic_segments",
        "svt", "svt_near_junction", "note"}
ID_RE = re.compile(r"^b3-\d{3}$")


def load():
    with open(CORPUS, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def split(seg):
    side, _, name = seg.partition(":")
    return side, name


def most_severe(side_labels):
    present = [v for v in side_labels.values() if v is not None]
    if not present:
        return "NEGATIVE"
    return min(present, key=SEVERITY.index)


# ---------------------------------------------------------------- record checks

def check_schema(r):
    errs = []
    if set(r) != KEYS:
        errs.append(f"keys {sorted(set(r) ^ KEYS)} differ")
        return errs
    if not isinstance(r["id"], str) or not ID_RE.match(r["id"]):
        errs.append(f"bad id {r['id']!r}")
    for k in ("text", "note"):
        if not isinstance(r[k], str) or not r[k].strip():
            errs.append(f"{k} empty")
    if r["label"] not in LABELS:
        errs.append(f"bad label {r['label']!r}")
    sl = r["side_labels"]
    if not isinstance(sl, dict) or set(sl) != set(SIDES):
        errs.append("side_labels must have exactly left/right/unspecified")
    else:
        for s, v in sl.items():
            if v is not None and v not in LABELS:
                errs.append(f"bad side label {s}={v!r}")
    for k in ("svt", "svt_near_junction"):
        if not isinstance(r[k], bool):
            errs.append(f"{k} not bool")
    return errs


def check_segments(r):
    errs = []
    for k in ("positive_segments", "chronic_segments"):
        segs = r[k]
        if not isinstance(segs, list):
            errs.append(f"{k} not a list")
            continue
        for seg in segs:
            side, name = split(seg) if isinstance(seg, str) else (None, None)
            if side not in SIDES or name not in GROUP:
                errs.append(f"{k}: invalid segment {seg!r}")
        if segs != sorted(set(segs)):
            errs.append(f"{k} not sorted/unique")
    both = set(r["positive_segments"]) & set(r["chronic_segments"])
    if both:
        errs.append(f"segments both positive and chronic: {sorted(both)}")
    return errs


def check_report_label(r):
    want = most_severe(r["side_labels"])
    return [] if r["label"] == want else [f"label {r['label']} != most severe side label {want}"]


def check_side_consistency(r):
    """Each side label agrees with that side's positive deep segments."""
    errs = []
    sl = r["side_labels"]
    if sl["unspecified"] == "NEGATIVE":
        errs.append("unspecified side may not be NEGATIVE (only set for a present/possible deep finding)")
    for seg in r["positive_segments"] + r["chronic_segments"]:
        side, _ = split(seg)
        if side in ("left", "right") and sl[side] is None:
            errs.append(f"{seg} on a side whose label is null (side was examined)")
    for side in SIDES:
        groups = {GROUP[split(s)[1]] for s in r["positive_segments"] if split(s)[0] == side}
        if "proximal" in groups:
            want = "PROXIMAL"
        elif groups & {"distal_axial", "distal_unspecified"}:
            want = "IDDVT"
        elif "distal_muscular" in groups:
            want = "ICMVT"
        else:
            want = None
        got = sl[side]
        if want is not None and got != want:
            errs.append(f"{side}: label {got} but positive segments imply {want}")
        if want is None and got in ("PROXIMAL", "IDDVT", "ICMVT"):
            errs.append(f"{side}: label {got} without a supporting positive deep segment")
    return errs


def check_proximal_iff(r):
    has = any(GROUP[split(s)[1]] == "proximal" and r["side_labels"][split(s)[0]] is not None
              for s in r["positive_segments"])
    if has != (r["label"] == "PROXIMAL"):
        return [f"PROXIMAL iff proximal positive on a non-null side violated (label {r['label']}, has={has})"]
    return []


def check_svt(r):
    errs = []
    sup = any(GROUP[split(s)[1]] == "superficial" for s in r["positive_segments"])
    if r["svt"] != sup:
        errs.append(f"svt={r['svt']} but superficial positive={sup}")
    if r["svt_near_junction"] and not r["svt"]:
        errs.append("svt_near_junction without svt")
    return errs


RECORD_CHECKS = [check_schema, check_segments, check_report_label, check_side_consistency,
                 check_proximal_iff, check_svt]


def record_errors(r):
    errs = check_schema(r)
    if errs:
        return errs
    errs = check_segments(r)
    if errs:
        return errs
    for chk in RECORD_CHECKS[2:]:
        errs += chk(r)
    return errs


# ---------------------------------------------------------------- corpus checks

def check_ids_unique(records):
    ids = [r["id"] for r in records]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    return [f"duplicate ids {dup}"] if dup else []


def check_size_and_mix(records):
    errs = []
    if len(records) < 120:
        errs.append(f"only {len(records)} reports (< 120)")
    labels = [r["label"] for r in records]
    if records:
        neg = labels.count("NEGATIVE") / len(records)
        if not 0.30 <= neg <= 0.50:
            errs.append(f"NEGATIVE share {neg:.2f} outside 0.30-0.50")
    missing = LABELS - set(labels)
    if missing:
        errs.append(f"labels never used: {sorted(missing)}")
    return errs


# ---------------------------------------------------------------- tests

RECORDS = load()


def test_corpus_ids_unique():
    assert check_ids_unique(RECORDS) == []


def test_corpus_size_and_mix():
    assert check_size_and_mix(RECORDS) == []


@pytest.mark.parametrize("rec", RECORDS, ids=[r["id"] for r in RECORDS])
def test_record_consistent(rec):
    assert record_errors(rec) == []


GOOD = {
    "id": "b3-999", "text": "Left: thrombus in the popliteal vein and GSV at the SFJ.",
    "label": "PROXIMAL",
    "side_labels": {"left": "PROXIMAL", "right": None, "unspecified": None},
    "positive_segments": ["left:great_saphenous", "left:popliteal"],
    "chronic_segments": [], "svt": True, "svt_near_junction": True, "note": "sample",
}


def mutate(**changes):
    r = copy.deepcopy(GOOD)
    for k, v in changes.items():
        if k == "drop":
            r.pop(v)
        elif k.startswith("side_"):
            r["side_labels"][k[5:]] = v
        else:
            r[k] = v
    return r


BROKEN = {
    "missing key": (check_schema, mutate(drop="note")),
    "bad id": (check_schema, mutate(id="B3_1")),
    "bad label": (check_schema, mutate(label="DISTAL")),
    "bad side label": (check_schema, mutate(side_left="POSITIVE")),
    "svt not bool": (check_schema, mutate(svt="yes")),
    "empty text": (check_schema, mutate(text="  ")),
    "invalid segment": (check_segments, mutate(positive_segments=["left:popliteal", "left:tibial"])),
    "arm segment": (check_segments, mutate(positive_segments=["left:great_saphenous", "left:upper_extremity"])),
    "bad side": (check_segments, mutate(positive_segments=["both:popliteal"])),
    "unsorted": (check_segments, mutate(positive_segments=["left:popliteal", "left:great_saphenous"])),
    "positive and chronic": (check_segments, mutate(chronic_segments=["left:popliteal"])),
    "label not most severe": (check_report_label, mutate(side_right="NEGATIVE", label="NEGATIVE")),
    "side label vs segments": (check_side_consistency, mutate(side_left="IDDVT", label="IDDVT")),
    "positive on null side": (check_side_consistency,
                              mutate(positive_segments=["left:great_saphenous", "left:popliteal", "right:peroneal"])),
    "unspecified NEGATIVE": (check_side_consistency, mutate(side_unspecified="NEGATIVE")),
    "DVT label without segment": (check_side_consistency,
                                  mutate(positive_segments=["left:great_saphenous"], label="PROXIMAL")),
    "PROXIMAL without proximal": (check_proximal_iff, mutate(positive_segments=["left:great_saphenous", "left:peroneal"])),
    "proximal but not PROXIMAL": (check_proximal_iff, mutate(label="IDDVT")),
    "svt without superficial": (check_svt, mutate(positive_segments=["left:popliteal"])),
    "superficial without svt": (check_svt, mutate(svt=False, svt_near_junction=False)),
    "junction without svt": (check_svt, mutate(positive_segments=["left:popliteal"], svt=False)),
}


def test_good_sample_passes():
    assert record_errors(GOOD) == []


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_check_can_fail(name):
    check, rec = BROKEN[name]
    assert check(rec), f"{check.__name__} did not catch: {name}"


def test_corpus_checks_can_fail():
    sample = [copy.deepcopy(GOOD) for _ in range(3)]
    assert check_ids_unique(sample)
    assert check_size_and_mix(sample)
    assert check_size_and_mix([mutate(id=f"b3-{i:03d}", label="NEGATIVE") for i in range(130)])
