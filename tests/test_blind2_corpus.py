"""Schema and internal-consistency checks for the blind2 gold corpus.

These tests never run the pipeline: corpora/blind2 is a once-only blind check
of generalisation (see corpora/blind2/README.md). They only check that the gold
records are well formed and agree with the label rules of LABELS.md.

Every validator returns a list of problems; ``test_each_check_can_fail``
feeds each one a deliberately broken record so none of them is vacuous.
"""

import copy
import json
import re
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent / "corpora" / "blind2" / "blind2.jsonl"

SEVERITY = ["NEGATIVE", "INDETERMINATE", "DVT_UNSPECIFIED", "ICMVT", "IDDVT", "PROXIMAL"]
LABELS = set(SEVERITY)
SIDES = ("left", "right", "unspecified")
GROUPS = {
    "proximal": {"ivc", "common_iliac", "external_iliac", "internal_iliac",
                 "common_femoral", "femoral", "deep_femoral", "popliteal"},
    "distal_axial": {"tibioperoneal_trunk", "posterior_tibial", "peroneal", "anterior_tibial"},
    "distal_muscular": {"soleal", "gastrocnemius", "muscular_calf"},
    "distal_unspecified": {"calf_unspecified"},
    "superficial": {"great_saphenous", "small_saphenous", "superficial_other"},
}
SEGMENT_GROUP = {seg: g for g, segs in GROUPS.items() for seg in segs}
DEEP_GROUPS = {"proximal", "distal_axial", "distal_muscular", "distal_unspecified"}
KEYS = {"id", "text", "label", "side_labels", "positive_segments", "chronic_segments",
        "svt", "svt_near_junction", "note"}
ID_RE = re.compile(r"^b2-\d{3}$")


def load_records():
    records = []
    with CORPUS.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            records.append(json.loads(line))
    return records


def _split(item):
    side, _, seg = item.partition(":")
    return side, seg


# ---------------------------------------------------------------- validators

def check_schema(rec):
    errs = []
    if set(rec) != KEYS:
        errs.append(f"keys {sorted(set(rec) ^ KEYS)} missing or extra")
        return errs
    if not isinstance(rec["id"], str) or not ID_RE.match(rec["id"]):
        errs.append(f"bad id {rec['id']!r}")
    if not isinstance(rec["text"], str) or not rec["text"].strip():
        errs.append("empty text")
    if not isinstance(rec["note"], str) or not rec["note"].strip():
        errs.append("empty note")
    if rec["label"] not in LABELS:
        errs.append(f"bad label {rec['label']!r}")
    sl = rec["side_labels"]
    if not isinstance(sl, dict) or set(sl) != set(SIDES):
        errs.append(f"side_labels keys must be {SIDES}")
    else:
        for side, val in sl.items():
            if val is not None and val not in LABELS:
                errs.append(f"bad side label {side}={val!r}")
    for key in ("svt", "svt_near_junction"):
        if not isinstance(rec[key], bool):
            errs.append(f"{key} must be bool")
    for key in ("positive_segments", "chronic_segments"):
        if not isinstance(rec[key], list) or not all(isinstance(x, str) for x in rec[key]):
            errs.append(f"{key} must be a list of strings")
    return errs


def check_segments(rec):
    errs = []
    for key in ("positive_segments", "chronic_segments"):
        items = rec[key]
        for item in items:
            side, seg = _split(item)
            if side not in SIDES:
                errs.append(f"{key}: bad side in {item!r}")
            if seg not in SEGMENT_GROUP:
                errs.append(f"{key}: non-canonical or upper-extremity segment in {item!r}")
        if items != sorted(items):
            errs.append(f"{key} not sorted")
        if len(items) != len(set(items)):
            errs.append(f"{key} has duplicates")
    both = set(rec["positive_segments"]) & set(rec["chronic_segments"])
    if both:
        errs.append(f"segments both positive and chronic-only: {sorted(both)}")
    return errs


def check_report_label(rec):
    present = [v for v in rec["side_labels"].values() if v is not None]
    if not present:
        return ["no side examined: report label undefined"]
    worst = max(present, key=SEVERITY.index)
    if rec["label"] != worst:
        return [f"label {rec['label']} != most severe side label {worst}"]
    return []


def check_unspecified(rec):
    """'unspecified' is non-null only for a present/possible deep finding or DVT."""
    val = rec["side_labels"]["unspecified"]
    if val == "NEGATIVE":
        return ["unspecified side label must be null rather than NEGATIVE"]
    return []


def expected_side_label(rec, side):
    """Label implied by the positive deep segments of one side, or None when
    none is present (then only DVT_UNSPECIFIED/INDETERMINATE/NEGATIVE fit)."""
    groups = {SEGMENT_GROUP.get(_split(x)[1]) for x in rec["positive_segments"]
              if _split(x)[0] == side}
    if "proximal" in groups:
        return "PROXIMAL"
    if groups & {"distal_axial", "distal_unspecified"}:
        return "IDDVT"
    if "distal_muscular" in groups:
        return "ICMVT"
    return None


def check_side_derivation(rec):
    errs = []
    for side in SIDES:
        val = rec["side_labels"][side]
        segs = [x for x in rec["positive_segments"] + rec["chronic_segments"]
                if _split(x)[0] == side]
        deep = [x for x in segs if SEGMENT_GROUP.get(_split(x)[1]) in DEEP_GROUPS]
        if val is None:
            # a side with listed findings was examined; an unspecified
            # superficial-only finding may leave 'unspecified' null
            if side != "unspecified" and segs:
                errs.append(f"{side} is null but has segments {segs}")
            if side == "unspecified" and deep and any(x in rec["positive_segments"] for x in deep):
                errs.append(f"unspecified is null but has positive deep segments {deep}")
            continue
        want = expected_side_label(rec, side)
        if want is not None and val != want:
            errs.append(f"{side}: label {val} but positive segments imply {want}")
        if want is None and val in {"PROXIMAL", "IDDVT", "ICMVT"}:
            errs.append(f"{side}: label {val} without a positive segment of that group")
    return errs


def check_svt(rec):
    errs = []
    sup = [x for x in rec["positive_segments"]
           if SEGMENT_GROUP.get(_split(x)[1]) == "superficial"]
    if rec["svt"] != bool(sup):
        errs.append(f"svt={rec['svt']} but superficial positives {sup}")
    if rec["svt_near_junction"] and not rec["svt"]:
        errs.append("svt_near_junction without svt")
    if rec["svt_near_junction"] and not any(
            _split(x)[1] in {"great_saphenous", "small_saphenous"} for x in sup):
        errs.append("svt_near_junction needs a present GSV or SSV thrombus")
    return errs


VALIDATORS = [check_schema, check_segments, check_report_label, check_unspecified,
              check_side_derivation, check_svt]


# ---------------------------------------------------------------- tests

@pytest.fixture(scope="module")
def records():
    return load_records()


def test_corpus_size_and_ids(records):
    assert len(records) >= 120
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_texts_unique(records):
    texts = [r["text"] for r in records]
    assert len(texts) == len(set(texts)), "duplicate report texts"


def test_label_mix(records):
    counts = {lab: sum(r["label"] == lab for r in records) for lab in LABELS}
    assert all(counts[lab] > 0 for lab in LABELS), counts
    share = counts["NEGATIVE"] / len(records)
    assert 0.30 <= share <= 0.50, f"NEGATIVE share {share:.2f}"


@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda v: v.__name__)
def test_records_valid(records, validator):
    problems = []
    for rec in records:
        if validator is not check_schema and check_schema(rec):
            continue  # reported by check_schema
        problems += [f"{rec.get('id')}: {e}" for e in validator(rec)]
    assert not problems, "\n".join(problems)


def _good():
    return {
        "id": "b2-999", "text": "L pop DVT. GSV thrombus at SFJ.", "label": "PROXIMAL",
        "side_labels": {"left": "PROXIMAL", "right": None, "unspecified": None},
        "positive_segments": ["left:great_saphenous", "left:popliteal"],
        "chronic_segments": [], "svt": True, "svt_near_junction": True, "note": "x",
    }


def _mut(**changes):
    rec = copy.deepcopy(_good())
    for key, val in changes.items():
        if key == "drop":
            del rec[val]
        elif "." in key:
            outer, inner = key.split(".")
            rec[outer][inner] = val
        else:
            rec[key] = val
    return rec


BROKEN = [
    (check_schema, _mut(drop="note")),
    (check_schema, _mut(id="b2-1")),
    (check_schema, _mut(label="DISTAL")),
    (check_schema, _mut(**{"side_labels.right": "POSITIVE"})),
    (check_schema, _mut(svt="yes")),
    (check_segments, _mut(positive_segments=["left:popliteal", "left:great_saphenous"])),
    (check_segments, _mut(positive_segments=["left:axillary"])),
    (check_segments, _mut(positive_segments=["left:great_saphenous", "middle:popliteal"])),
    (check_segments, _mut(chronic_segments=["left:popliteal"])),
    (check_report_label, _mut(label="IDDVT")),
    (check_report_label, _mut(side_labels={"left": None, "right": None, "unspecified": None})),
    (check_unspecified, _mut(**{"side_labels.unspecified": "NEGATIVE"})),
    (check_side_derivation, _mut(positive_segments=["left:great_saphenous", "left:peroneal"])),
    (check_side_derivation, _mut(positive_segments=["left:great_saphenous", "right:popliteal"])),
    (check_side_derivation, _mut(positive_segments=["left:great_saphenous", "unspecified:soleal"])),
    (check_side_derivation, _mut(positive_segments=["left:great_saphenous"])),
    (check_svt, _mut(svt=False, svt_near_junction=False)),
    (check_svt, _mut(positive_segments=["left:popliteal"])),
    (check_svt, _mut(positive_segments=["left:popliteal", "left:superficial_other"])),
]


def test_good_record_passes_every_check():
    for validator in VALIDATORS:
        assert validator(_good()) == [], validator.__name__


@pytest.mark.parametrize("validator,rec", BROKEN,
                         ids=[f"{v.__name__}-{i}" for i, (v, _) in enumerate(BROKEN)])
def test_each_check_can_fail(validator, rec):
    assert validator(rec), f"{validator.__name__} accepted a broken record"


def test_every_validator_has_a_failing_case():
    assert {v for v, _ in BROKEN} == set(VALIDATORS)
