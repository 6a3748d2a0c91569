"""Schema and internal-consistency checks for the blind4 evaluation corpus.

These tests look only at corpora/blind4/blind4.jsonl itself: they never run the
pipeline and never compare its output with the gold labels (blind4 is a
once-only generalisation check; see corpora/blind4/README.md).

Every check is a function that returns a list of problems.  The tests run each
check on the real corpus (must return nothing) and on a deliberately broken
record (must return something), so that no check can pass vacuously.
"""
from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "blind4" / "blind4.jsonl"

LABELS = ["PROXIMAL", "IDDVT", "ICMVT", "DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE"]
SEVERITY = {lab: i for i, lab in enumerate(LABELS)}  # lower index = more severe
SIDES = ("left", "right", "unspecified")
GROUPS = {
    "proximal": ["ivc", "common_iliac", "external_iliac", "internal_iliac",
                 "common_femoral", "femoral", "deep_femoral", "popliteal"],
    "distal_axial": ["tibioperoneal_trunk", "posterior_tibial", "peroneal", "anterior_tibial"],
    "distal_muscular": ["soleal", "gastrocnemius", "muscular_calf"],
    "distal_unspecified": ["calf_unspecified"],
    "superficial": ["great_saphenous", "small_saphenous", "superficial_other"],
}
SEGMENT_GROUP = {seg: grp for grp, segs in GROUPS.items() for seg in segs}
KEYS = {"id": str, "text": str, "label": str, "side_labels": dict,
        "positive_segments": list, "chronic_segments": list,
        "svt": bool, "svt_near_junction": bool, "note": str}

# Loose surface forms (LABELS.md section 1) used only to check that a listed
# segment is actually named in the text ("list only veins the text names").
SURFACE = {
    "ivc": r"\bIVC\b|vena cava",
    "common_iliac": r"common iliac|\bCIV\b",
    "external_iliac": r"external iliac|\bEIV\b",
    "internal_iliac": r"internal iliac|\bIIV\b",
    "common_femoral": r"common femoral|\bCFVs?\b",
    "femoral": r"femoral|\bS?FV\b",
    "deep_femoral": r"deep femoral|deep \(profunda\) femoral|profunda|\bPFV\b|\bDFV\b",
    "popliteal": r"poplit|\bpop\b",
    "tibioperoneal_trunk": r"tibioperoneal|tibial-peroneal|\bTPT\b",
    "posterior_tibial": r"posterior tibial|\bPTVs?\b",
    "peroneal": r"peron|fibular|\bPER\b",
    "anterior_tibial": r"anterior tibial|\bATVs?\b",
    "soleal": r"sole(al|us)",
    "gastrocnemius": r"gastroc",
    "muscular_calf": r"muscular calf|intramuscular calf|calf muscle vein|\bsural\b",
    "calf_unspecified": r"calf|infrapopliteal|below[- ]knee",
    "great_saphenous": r"great(er)? saphenous|long saphenous|\bGSV\b|\bSFJ\b|saphenofemoral",
    "small_saphenous": r"small saphenous|lesser saphenous|short saphenous|\bSSV\b|\bSPJ\b|saphenopopliteal",
    "superficial_other": r"superficial|varicos|perforat|tributar",
}
SIDE_WORDS = {
    "left": r"(?i:\bleft\b)|\bL\b|\bLLE\b",
    "right": r"(?i:\bright\b)|\bR\b|\bRLE\b",
}


def load():
    with CORPUS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def split_seg(item):
    side, _, seg = item.partition(":")
    return side, seg


def derived_side_label(segments, side):
    """Label implied by the deep positive segments on one side (None = no deep segment)."""
    groups = {SEGMENT_GROUP.get(seg) for s, seg in map(split_seg, segments) if s == side}
    if "proximal" in groups:
        return "PROXIMAL"
    if groups & {"distal_axial", "distal_unspecified"}:
        return "IDDVT"
    if "distal_muscular" in groups:
        return "ICMVT"
    return None


# ---------------------------------------------------------------- checks ---
# Each check takes the full list of records and returns a list of problems.

def check_schema(recs):
    errs = []
    for r in recs:
        if set(r) != set(KEYS):
            errs.append(f"{r.get('id')}: keys {sorted(r)}")
            continue
        for k, typ in KEYS.items():
            if not isinstance(r[k], typ):
                errs.append(f"{r['id']}: {k} is not {typ.__name__}")
        if isinstance(r["side_labels"], dict) and set(r["side_labels"]) != set(SIDES):
            errs.append(f"{r['id']}: side_labels keys {sorted(r['side_labels'])}")
        if isinstance(r["text"], str) and not r["text"].strip():
            errs.append(f"{r['id']}: empty text")
        if isinstance(r["note"], str) and not r["note"].strip():
            errs.append(f"{r['id']}: empty note")
    return errs


def check_ids(recs):
    errs = []
    ids = [r["id"] for r in recs]
    for i, n in Counter(ids).items():
        if n > 1:
            errs.append(f"duplicate id {i}")
    errs += [f"bad id {i!r}" for i in ids if not re.fullmatch(r"b4-\d{3}", str(i))]
    return errs


def check_label_values(recs):
    errs = []
    for r in recs:
        if r["label"] not in LABELS:
            errs.append(f"{r['id']}: label {r['label']!r}")
        for side, lab in r["side_labels"].items():
            if lab is not None and lab not in LABELS:
                errs.append(f"{r['id']}: side_labels[{side}] = {lab!r}")
        if all(v is None for v in r["side_labels"].values()):
            errs.append(f"{r['id']}: no side examined")
    return errs


def check_report_label_is_most_severe(recs):
    errs = []
    for r in recs:
        present = [v for v in r["side_labels"].values() if v in SEVERITY]
        if present and r["label"] != min(present, key=SEVERITY.get):
            errs.append(f"{r['id']}: label {r['label']} but sides {r['side_labels']}")
    return errs


def check_segment_format(recs):
    errs = []
    for r in recs:
        for field in ("positive_segments", "chronic_segments"):
            items = r[field]
            if items != sorted(set(items)):
                errs.append(f"{r['id']}: {field} not sorted/unique")
            for it in items:
                side, seg = split_seg(it)
                if side not in SIDES or seg not in SEGMENT_GROUP:
                    errs.append(f"{r['id']}: {field} has invalid {it!r}")
        both = set(r["positive_segments"]) & set(r["chronic_segments"])
        if both:
            errs.append(f"{r['id']}: both positive and chronic: {sorted(both)}")
    return errs


def check_segment_sides_examined(recs):
    errs = []
    for r in recs:
        for it in r["positive_segments"] + r["chronic_segments"]:
            side, _ = split_seg(it)
            if side in SIDES and r["side_labels"].get(side) is None:
                errs.append(f"{r['id']}: {it} on a side whose label is null")
    return errs


def check_side_labels_match_segments(recs):
    errs = []
    for r in recs:
        for side in SIDES:
            lab = r["side_labels"].get(side)
            if lab is None:
                continue
            want = derived_side_label(r["positive_segments"], side)
            if want is not None and lab != want:
                errs.append(f"{r['id']}: {side} is {lab}, segments imply {want}")
            if want is None and lab in ("PROXIMAL", "IDDVT", "ICMVT"):
                errs.append(f"{r['id']}: {side} is {lab} with no deep positive segment")
    return errs


def check_proximal_iff_proximal_segment(recs):
    errs = []
    for r in recs:
        has = any(SEGMENT_GROUP.get(seg) == "proximal" and r["side_labels"].get(side) is not None
                  for side, seg in map(split_seg, r["positive_segments"]))
        if has != (r["label"] == "PROXIMAL"):
            errs.append(f"{r['id']}: label {r['label']} vs proximal positive segment {has}")
    return errs


def check_unspecified_side(recs):
    # "unspecified" is non-null only for a present/possible deep finding (or DVT) without a side.
    errs = []
    for r in recs:
        lab = r["side_labels"].get("unspecified")
        if lab == "NEGATIVE":
            errs.append(f"{r['id']}: unspecified side is NEGATIVE (should be null)")
    return errs


def check_svt(recs):
    errs = []
    for r in recs:
        sup = {seg for _, seg in map(split_seg, r["positive_segments"])
               if SEGMENT_GROUP.get(seg) == "superficial"}
        if r["svt"] != bool(sup):
            errs.append(f"{r['id']}: svt={r['svt']} but superficial positives {sorted(sup)}")
        if r["svt_near_junction"] and not (r["svt"] and sup & {"great_saphenous", "small_saphenous"}):
            errs.append(f"{r['id']}: svt_near_junction without a GSV/SSV thrombus")
    return errs


def check_segments_named_in_text(recs):
    errs = []
    for r in recs:
        for it in r["positive_segments"] + r["chronic_segments"]:
            side, seg = split_seg(it)
            if seg in SURFACE and not re.search(SURFACE[seg], r["text"], re.I):
                errs.append(f"{r['id']}: {it} not named in text")
            if side in SIDE_WORDS and not re.search(SIDE_WORDS[side], r["text"]):
                errs.append(f"{r['id']}: {it} but the text never mentions side {side}")
    return errs


def check_distribution(recs):
    errs = []
    if len(recs) < 130:
        errs.append(f"only {len(recs)} reports")
    counts = Counter(r["label"] for r in recs)
    for lab in LABELS:
        if counts[lab] == 0:
            errs.append(f"no {lab} report")
    share = counts["NEGATIVE"] / max(len(recs), 1)
    if not 0.30 <= share <= 0.50:
        errs.append(f"NEGATIVE share {share:.2f} outside 0.30-0.50")
    return errs


CHECKS = [check_schema, check_ids, check_label_values, check_report_label_is_most_severe,
          check_segment_format, check_segment_sides_examined, check_side_labels_match_segments,
          check_proximal_iff_proximal_segment, check_unspecified_side, check_svt,
          check_segments_named_in_text, check_distribution]


@pytest.fixture(scope="module")
def records():
    return load()


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_corpus_passes(check, records):
    assert check(records) == []


# ------------------------------------------------- each check can fail ---

def _first(recs, pred):
    return next(i for i, r in enumerate(recs) if pred(r))


def _break(recs, name):
    """Return a copy of the corpus with one defect that `name` must catch."""
    recs = copy.deepcopy(recs)
    if name == "check_schema":
        del recs[0]["note"]
    elif name == "check_ids":
        recs[1]["id"] = recs[0]["id"]
    elif name == "check_label_values":
        recs[0]["side_labels"]["left"] = "DVT"
    elif name == "check_report_label_is_most_severe":
        i = _first(recs, lambda r: r["label"] == "NEGATIVE")
        recs[i]["label"] = "INDETERMINATE"
    elif name == "check_segment_format":
        i = _first(recs, lambda r: r["positive_segments"])
        recs[i]["positive_segments"].append("left:saphenous_femoral")
    elif name == "check_segment_sides_examined":
        i = _first(recs, lambda r: r["side_labels"]["left"] is None)
        recs[i]["chronic_segments"] = ["left:popliteal"]
    elif name == "check_side_labels_match_segments":
        i = _first(recs, lambda r: r["label"] == "ICMVT" and r["side_labels"]["left"] == "ICMVT")
        recs[i]["positive_segments"] = sorted(recs[i]["positive_segments"] + ["left:peroneal"])
    elif name == "check_proximal_iff_proximal_segment":
        i = _first(recs, lambda r: r["label"] == "PROXIMAL")
        recs[i]["positive_segments"] = [s for s in recs[i]["positive_segments"]
                                        if SEGMENT_GROUP[split_seg(s)[1]] != "proximal"]
    elif name == "check_unspecified_side":
        i = _first(recs, lambda r: r["label"] == "NEGATIVE")
        recs[i]["side_labels"]["unspecified"] = "NEGATIVE"
    elif name == "check_svt":
        i = _first(recs, lambda r: r["svt"])
        recs[i]["svt"] = False
    elif name == "check_segments_named_in_text":
        i = _first(recs, lambda r: r["label"] == "ICMVT" and "gastroc" not in r["text"].lower()
                   and r["side_labels"]["left"] == "ICMVT")
        recs[i]["positive_segments"] = sorted(recs[i]["positive_segments"] + ["left:gastrocnemius"])
    elif name == "check_distribution":
        recs = [r for r in recs if r["label"] != "DVT_UNSPECIFIED"]
    else:  # pragma: no cover
        raise AssertionError(f"no breaker for {name}")
    return recs


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_check_can_fail(check, records):
    assert check(_break(records, check.__name__)), f"{check.__name__} did not flag a broken corpus"


def test_every_check_has_a_breaker():
    names = {c.__name__ for c in CHECKS}
    for name in names:
        _break(load(), name)
