"""Schema and internal-consistency checks for the blind5 evaluation corpus.

These tests check only that the gold annotations are well formed and agree with
themselves and with the label rules of LABELS.md (section 3, /work/shared/spec/LABELS.md). They never
run the pipeline: blind5 is a once-only generalisation check and must not be
used to tune rules.

Every check is a function returning a list of problems; each has a companion
test that feeds it a deliberately broken record to prove it can fail.
"""
import copy
import json
import re
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "blind5" / "blind5.jsonl"

ORDER = ["PROXIMAL", "IDDVT", "ICMVT", "DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE"]
SIDES = ("left", "right", "unspecified")
GROUPS = {
    "proximal": {"ivc", "common_iliac", "external_iliac", "internal_iliac",
                 "common_femoral", "femoral", "deep_femoral", "popliteal"},
    "distal_axial": {"tibioperoneal_trunk", "posterior_tibial", "peroneal", "anterior_tibial"},
    "distal_muscular": {"soleal", "gastrocnemius", "muscular_calf"},
    "distal_unspecified": {"calf_unspecified"},
    "superficial": {"great_saphenous", "small_saphenous", "superficial_other"},
}
SEGMENTS = set().union(*GROUPS.values())
KEYS = {"id", "text", "label", "side_labels", "positive_segments", "chronic_segments",
        "svt", "svt_near_junction", "note"}
SEG_RE = re.compile(r"^(left|right|unspecified):([a-z_]+)$")


def load():
    with CORPUS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _segs(rec, key):
    out = []
    for item in rec.get(key, []):
        m = SEG_RE.match(item) if isinstance(item, str) else None
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def check_schema(rec):
    p = []
    if set(rec) != KEYS:
        p.append(f"keys {sorted(set(rec) ^ KEYS)}")
        return p
    if not re.fullmatch(r"b5-\d{3}", str(rec["id"])):
        p.append("bad id")
    if not isinstance(rec["text"], str) or not rec["text"].strip():
        p.append("empty text")
    if not isinstance(rec["note"], str) or not rec["note"].strip():
        p.append("empty note")
    if not isinstance(rec["svt"], bool) or not isinstance(rec["svt_near_junction"], bool):
        p.append("svt flags not bool")
    sl = rec["side_labels"]
    if not isinstance(sl, dict) or set(sl) != set(SIDES):
        p.append("side_labels keys")
    return p


def check_labels_valid(rec):
    p = []
    if rec["label"] not in ORDER:
        p.append(f"label {rec['label']!r}")
    for side in SIDES:
        v = rec["side_labels"][side]
        if v is not None and v not in ORDER:
            p.append(f"side label {side}={v!r}")
    if all(rec["side_labels"][s] is None for s in SIDES):
        p.append("no side examined")
    # unspecified is only used for an unsided present/possible deep finding
    if rec["side_labels"]["unspecified"] == "NEGATIVE":
        p.append("unspecified side must be null rather than NEGATIVE")
    return p


def check_segments_valid(rec):
    p = []
    for key in ("positive_segments", "chronic_segments"):
        vals = rec[key]
        if not isinstance(vals, list):
            p.append(f"{key} not a list")
            continue
        if vals != sorted(vals) or len(vals) != len(set(vals)):
            p.append(f"{key} not sorted/unique")
        for item in vals:
            m = SEG_RE.match(item) if isinstance(item, str) else None
            if not m or m.group(2) not in SEGMENTS:
                p.append(f"{key}: invalid segment {item!r}")
    if set(rec["positive_segments"]) & set(rec["chronic_segments"]):
        p.append("segment both positive and chronic-only")
    for side, _ in _segs(rec, "positive_segments") + _segs(rec, "chronic_segments"):
        if rec["side_labels"][side] is None:
            p.append(f"segment on unexamined side {side}")
    return p


def check_report_label(rec):
    present = [v for v in rec["side_labels"].values() if v in ORDER]
    if not present:
        return ["no side label"]
    worst = min(present, key=ORDER.index)
    return [] if rec["label"] == worst else [f"label {rec['label']} != most severe {worst}"]


def expected_floor(segments):
    groups = {g for seg in segments for g, members in GROUPS.items() if seg in members}
    if "proximal" in groups:
        return "PROXIMAL"
    if groups & {"distal_axial", "distal_unspecified"}:
        return "IDDVT"
    if "distal_muscular" in groups:
        return "ICMVT"
    return None


def check_side_labels_vs_segments(rec):
    """PROXIMAL iff a proximal positive segment on that side, and likewise for
    IDDVT/ICMVT; sides without deep positives carry a non-segment label."""
    p = []
    pos = _segs(rec, "positive_segments")
    for side in SIDES:
        lab = rec["side_labels"][side]
        if lab is None:
            continue
        exp = expected_floor([seg for s, seg in pos if s == side])
        if exp is not None and lab != exp:
            p.append(f"{side}: label {lab}, segments imply {exp}")
        if exp is None and lab in ("PROXIMAL", "IDDVT", "ICMVT"):
            p.append(f"{side}: label {lab} without a supporting positive segment")
    return p


def check_svt(rec):
    p = []
    sup = any(seg in GROUPS["superficial"] for _, seg in _segs(rec, "positive_segments"))
    if rec["svt"] != sup:
        p.append(f"svt={rec['svt']} but superficial positive={sup}")
    if rec["svt_near_junction"] and not rec["svt"]:
        p.append("svt_near_junction without svt")
    return p


CHECKS = [check_schema, check_labels_valid, check_segments_valid, check_report_label,
          check_side_labels_vs_segments, check_svt]


@pytest.fixture(scope="module")
def records():
    return load()


def test_size_and_unique_ids(records):
    assert len(records) >= 130
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    texts = [r["text"] for r in records]
    assert len(texts) == len(set(texts)), "duplicate report text"


def test_label_mix(records):
    labels = [r["label"] for r in records]
    for lab in ORDER:
        assert lab in labels, f"no {lab} example"
    neg = labels.count("NEGATIVE") / len(labels)
    assert 0.30 <= neg <= 0.55


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_corpus_passes(records, check):
    problems = {r["id"]: check(r) for r in records if not check_schema(r) or check is check_schema}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, problems


GOOD = {"id": "b5-999", "text": "Left popliteal vein thrombus.", "label": "PROXIMAL",
        "side_labels": {"left": "PROXIMAL", "right": None, "unspecified": None},
        "positive_segments": ["left:popliteal"], "chronic_segments": [],
        "svt": False, "svt_near_junction": False, "note": "x"}


def _mut(**changes):
    rec = copy.deepcopy(GOOD)
    for k, v in changes.items():
        if k.startswith("sl_"):
            rec["side_labels"][k[3:]] = v
        else:
            rec[k] = v
    return rec


def test_good_record_passes_all_checks():
    for check in CHECKS:
        assert check(GOOD) == [], check.__name__


@pytest.mark.parametrize("check,bad", [
    (check_schema, _mut(id="x-1")),
    (check_schema, _mut(svt="no")),
    (check_labels_valid, _mut(label="DVT")),
    (check_labels_valid, _mut(sl_unspecified="NEGATIVE")),
    (check_labels_valid, _mut(sl_left=None)),
    (check_segments_valid, _mut(positive_segments=["left:subclavian"])),
    (check_segments_valid, _mut(positive_segments=["left:popliteal", "left:femoral"])),
    (check_segments_valid, _mut(positive_segments=["right:popliteal"])),
    (check_segments_valid, _mut(chronic_segments=["left:popliteal"])),
    (check_report_label, _mut(label="IDDVT")),
    (check_side_labels_vs_segments, _mut(positive_segments=["left:peroneal"])),
    (check_side_labels_vs_segments, _mut(positive_segments=[], label="PROXIMAL")),
    (check_side_labels_vs_segments, _mut(sl_left="IDDVT", label="IDDVT")),
    (check_svt, _mut(positive_segments=["left:great_saphenous", "left:popliteal"])),
    (check_svt, _mut(svt_near_junction=True)),
])
def test_checks_can_fail(check, bad):
    assert check(bad), f"{check.__name__} accepted a broken record"
