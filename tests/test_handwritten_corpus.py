"""Consistency checks for the hand-written gold corpus (corpora/synthetic/handwritten.jsonl).

The corpus is gold written by hand against docs/spec LABELS.md; these tests do not
run the pipeline. Each check is a function returning a list of problems, so that
every check can be shown to fail on a deliberately broken copy of the corpus
(see the ``test_check_can_fail`` cases at the bottom).
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "synthetic" / "handwritten.jsonl"

KEYS = [
    "id", "text", "label", "side_labels", "positive_segments",
    "chronic_segments", "svt", "svt_near_junction", "note",
]
SIDES = ("left", "right", "unspecified")
SEVERITY = ["NEGATIVE", "INDETERMINATE", "DVT_UNSPECIFIED", "ICMVT", "IDDVT", "PROXIMAL"]
LABELS = set(SEVERITY)

# LABELS.md section 1. upper_extremity is deliberately absent: by corpus
# convention (HANDWRITTEN.md) upper-extremity findings are not listed.
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
DEEP_GROUPS = {"proximal", "distal_axial", "distal_muscular", "distal_unspecified"}

# Loose surface cues: a gold segment must be mentioned somehow in the text.
SURFACE = {
    "ivc": ("ivc", "vena cava"),
    "common_iliac": ("common iliac", "civ", "iliac"),
    "external_iliac": ("external iliac", "eiv", "iliac"),
    "internal_iliac": ("internal iliac", "iiv", "hypogastric"),
    "common_femoral": ("common femoral", "cfv"),
    "femoral": ("femoral", "sfv", "fv"),
    "deep_femoral": ("deep femoral", "profunda", "pfv", "dfv"),
    "popliteal": ("popliteal", "poplietal", "pop"),
    "tibioperoneal_trunk": ("tibioperoneal", "tibial-peroneal", "tpt"),
    "posterior_tibial": ("posterior tibial", "ptv"),
    "peroneal": ("peroneal", "perroneal", "fibular", "pero"),
    "anterior_tibial": ("anterior tibial", "atv"),
    "soleal": ("soleal", "soleus"),
    "gastrocnemius": ("gastrocnemius", "gastroc"),
    "muscular_calf": ("muscular", "muscle vein", "sural"),
    "calf_unspecified": ("calf", "infrapopliteal", "below-knee", "below knee"),
    "great_saphenous": ("great saphenous", "greater saphenous", "long saphenous", "gsv", "sfj", "saphenofemoral"),
    "small_saphenous": ("small saphenous", "lesser saphenous", "short saphenous", "ssv", "spj", "saphenopopliteal"),
    "superficial_other": ("superficial", "varicos", "varicose", "perforator", "tributar"),
}
SIDE_WORDS = {
    "left": re.compile(r"\b(left|lt|lle|l)\b", re.I),
    "right": re.compile(r"\b(right|rt|rle|r)\b", re.I),
}


# --------------------------------------------------------------------------- loading

def read_lines() -> list[str]:
    return CORPUS.read_text(encoding="utf-8").splitlines()


def parse(lines: list[str]) -> tuple[list[dict], list[str]]:
    records, errors = [], []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            errors.append(f"line {n}: blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {n}: {exc}")
            continue
        if not isinstance(obj, dict):
            errors.append(f"line {n}: not a JSON object")
            continue
        records.append(obj)
    return records, errors


@pytest.fixture(scope="module")
def records() -> list[dict]:
    recs, errors = parse(read_lines())
    assert not errors, errors
    return recs


def split(seg: str) -> tuple[str, str]:
    side, _, name = seg.partition(":")
    return side, name


def rank(label: str) -> int:
    return SEVERITY.index(label)


# --------------------------------------------------------------------------- checks

def check_ids(recs: list[dict]) -> list[str]:
    errors = []
    ids = [r.get("id") for r in recs]
    for i, c in Counter(ids).items():
        if c > 1:
            errors.append(f"duplicate id {i!r}")
    for i in ids:
        if not isinstance(i, str) or not re.fullmatch(r"hw-\d{3}", i):
            errors.append(f"bad id {i!r}")
    return errors


def check_size(recs: list[dict]) -> list[str]:
    return [] if len(recs) >= 60 else [f"only {len(recs)} records, need >= 60"]


def check_keys_and_types(recs: list[dict]) -> list[str]:
    errors = []
    for r in recs:
        rid = r.get("id")
        if list(r.keys()) != KEYS:
            errors.append(f"{rid}: keys {list(r.keys())} != {KEYS}")
            continue
        for k in ("id", "text", "label", "note"):
            if not isinstance(r[k], str) or not r[k].strip():
                errors.append(f"{rid}: {k} must be a non-empty string")
        sl = r["side_labels"]
        if not isinstance(sl, dict) or list(sl.keys()) != list(SIDES):
            errors.append(f"{rid}: side_labels keys must be {SIDES}")
        else:
            for s, v in sl.items():
                if v is not None and not isinstance(v, str):
                    errors.append(f"{rid}: side_labels[{s}] must be str or null")
        for k in ("positive_segments", "chronic_segments"):
            if not isinstance(r[k], list) or not all(isinstance(x, str) for x in r[k]):
                errors.append(f"{rid}: {k} must be a list of strings")
        for k in ("svt", "svt_near_junction"):
            if not isinstance(r[k], bool):
                errors.append(f"{rid}: {k} must be a bool")
    return errors


def check_labels_valid(recs: list[dict]) -> list[str]:
    errors = []
    for r in recs:
        if r["label"] not in LABELS:
            errors.append(f"{r['id']}: label {r['label']!r}")
        for s, v in r["side_labels"].items():
            if v is not None and v not in LABELS:
                errors.append(f"{r['id']}: side_labels[{s}] = {v!r}")
    return errors


def check_segment_strings(recs: list[dict]) -> list[str]:
    errors = []
    for r in recs:
        for k in ("positive_segments", "chronic_segments"):
            segs = r[k]
            if segs != sorted(segs):
                errors.append(f"{r['id']}: {k} not sorted")
            if len(set(segs)) != len(segs):
                errors.append(f"{r['id']}: {k} has duplicates")
            for seg in segs:
                side, name = split(seg)
                if side not in SIDES:
                    errors.append(f"{r['id']}: bad side in {seg!r}")
                if name not in GROUP:
                    errors.append(f"{r['id']}: bad segment name in {seg!r}")
        both = set(r["positive_segments"]) & set(r["chronic_segments"])
        if both:
            errors.append(f"{r['id']}: segments both positive and chronic-only: {sorted(both)}")
    return errors


def check_report_label_is_max(recs: list[dict]) -> list[str]:
    errors = []
    for r in recs:
        present = [v for v in r["side_labels"].values() if v is not None]
        # Corpus convention: a report with no examined side is NEGATIVE.
        expected = max(present, key=rank) if present else "NEGATIVE"
        if r["label"] != expected:
            errors.append(f"{r['id']}: label {r['label']} but most severe side label is {expected}")
    return errors


def check_segment_sides_examined(recs: list[dict]) -> list[str]:
    """Every side carrying a deep segment is examined; 'unspecified' is only used for
    an unresolved deep/DVT finding, so it is never NEGATIVE without an unresolved deep
    segment, and left/right must be non-null for any segment on them."""
    errors = []
    for r in recs:
        sl = r["side_labels"]
        for seg in r["positive_segments"] + r["chronic_segments"]:
            side, name = split(seg)
            if name in GROUP and GROUP[name] == "superficial" and side == "unspecified":
                continue
            if side in sl and sl[side] is None:
                errors.append(f"{r['id']}: {seg} on a side whose label is null")
        if sl.get("unspecified") == "NEGATIVE":
            has_unspec_deep = any(
                split(s)[0] == "unspecified" and GROUP.get(split(s)[1]) in DEEP_GROUPS
                for s in r["chronic_segments"]
            )
            if not has_unspec_deep:
                errors.append(f"{r['id']}: unspecified side is NEGATIVE without an unresolved deep finding")
    return errors


def expected_from_segments(groups: set[str]) -> str | None:
    if "proximal" in groups:
        return "PROXIMAL"
    if groups & {"distal_axial", "distal_unspecified"}:
        return "IDDVT"
    if "distal_muscular" in groups:
        return "ICMVT"
    return None


def check_deep_segments_match_side_labels(recs: list[dict]) -> list[str]:
    errors = []
    for r in recs:
        for side, label in r["side_labels"].items():
            if label is None:
                continue
            groups = {
                GROUP[split(s)[1]] for s in r["positive_segments"]
                if split(s)[0] == side and split(s)[1] in GROUP
            } & DEEP_GROUPS
            expected = expected_from_segments(groups)
            if expected is None:
                if label not in {"DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE"}:
                    errors.append(f"{r['id']}: {side} is {label} but has no positive deep segment")
            elif label != expected:
                errors.append(f"{r['id']}: {side} is {label} but its positive deep segments imply {expected}")
    return errors


def check_svt(recs: list[dict]) -> list[str]:
    errors = []
    for r in recs:
        sup = [s for s in r["positive_segments"] if GROUP.get(split(s)[1]) == "superficial"]
        if r["svt"] != bool(sup):
            errors.append(f"{r['id']}: svt={r['svt']} but superficial positives {sup}")
        if r["svt_near_junction"]:
            if not r["svt"]:
                errors.append(f"{r['id']}: svt_near_junction without svt")
            if not any(split(s)[1] in {"great_saphenous", "small_saphenous"} for s in sup):
                errors.append(f"{r['id']}: svt_near_junction without a positive GSV/SSV")
    return errors


def check_no_upper_extremity(recs: list[dict]) -> list[str]:
    return [
        f"{r['id']}: {s} listed (upper-extremity findings are excluded by convention)"
        for r in recs for s in r["positive_segments"] + r["chronic_segments"]
        if split(s)[1] == "upper_extremity"
    ]


def check_segments_mentioned(recs: list[dict]) -> list[str]:
    """Guard against gold typos: each gold segment and side has a surface cue in the text."""
    errors = []
    for r in recs:
        text = r["text"].lower()
        for seg in r["positive_segments"] + r["chronic_segments"]:
            side, name = split(seg)
            if name in SURFACE and not any(cue in text for cue in SURFACE[name]):
                errors.append(f"{r['id']}: {seg} has no surface form in the text")
            if side in SIDE_WORDS and not SIDE_WORDS[side].search(r["text"]):
                errors.append(f"{r['id']}: {seg} but the text never names the {side} side")
    return errors


def check_every_label_occurs(recs: list[dict]) -> list[str]:
    seen = {r["label"] for r in recs}
    return [f"label {lab} never occurs" for lab in SEVERITY if lab not in seen]


def check_negative_share(recs: list[dict]) -> list[str]:
    share = sum(r["label"] == "NEGATIVE" for r in recs) / max(len(recs), 1)
    return [] if 0.25 <= share <= 0.45 else [f"NEGATIVE share {share:.2f} outside 0.25-0.45"]


CHECKS = [
    check_ids, check_size, check_keys_and_types, check_labels_valid,
    check_segment_strings, check_report_label_is_max, check_segment_sides_examined,
    check_deep_segments_match_side_labels, check_svt, check_no_upper_extremity,
    check_segments_mentioned, check_every_label_occurs, check_negative_share,
]


# --------------------------------------------------------------------------- tests on the corpus

def test_file_parses():
    _, errors = parse(read_lines())
    assert not errors, errors


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_corpus(check, records):
    errors = check(records)
    assert not errors, "\n".join(errors)


# --------------------------------------------------------------------------- each check can fail

def _first(recs, pred):
    return next(r for r in recs if pred(r))


def _mut_dup_id(recs):
    recs[1]["id"] = recs[0]["id"]


def _mut_shrink(recs):
    del recs[10:]


def _mut_drop_key(recs):
    del recs[0]["note"]


def _mut_bad_type(recs):
    recs[0]["svt"] = "false"


def _mut_bad_label(recs):
    recs[0]["label"] = "DISTAL"


def _mut_bad_segment_name(recs):
    r = _first(recs, lambda r: r["positive_segments"])
    r["positive_segments"] = sorted(r["positive_segments"] + ["left:sfv"])


def _mut_overlap(recs):
    r = _first(recs, lambda r: r["positive_segments"])
    r["chronic_segments"] = sorted(set(r["chronic_segments"]) | {r["positive_segments"][0]})


def _mut_wrong_report_label(recs):
    r = _first(recs, lambda r: r["label"] == "PROXIMAL")
    r["label"] = "IDDVT"


def _mut_segment_on_null_side(recs):
    r = _first(recs, lambda r: r["side_labels"]["right"] is None and r["positive_segments"])
    r["positive_segments"] = sorted(r["positive_segments"] + ["right:peroneal"])


def _mut_icmvt_with_axial(recs):
    r = _first(recs, lambda r: r["label"] == "ICMVT" and r["side_labels"]["left"] == "ICMVT")
    r["positive_segments"] = sorted(set(r["positive_segments"]) | {"left:peroneal"})


def _mut_proximal_without_segment(recs):
    r = _first(recs, lambda r: r["label"] == "NEGATIVE" and r["side_labels"]["left"] == "NEGATIVE")
    r["side_labels"]["left"] = "PROXIMAL"
    r["label"] = "PROXIMAL"


def _mut_svt_flag(recs):
    r = _first(recs, lambda r: r["svt"])
    r["svt"] = False
    r["svt_near_junction"] = False


def _mut_near_without_saphenous(recs):
    r = _first(recs, lambda r: not r["svt"])
    r["svt_near_junction"] = True


def _mut_upper(recs):
    r = _first(recs, lambda r: r["side_labels"]["right"] is not None and not r["positive_segments"])
    r["positive_segments"] = ["right:upper_extremity"]


def _mut_unmentioned_segment(recs):
    r = _first(recs, lambda r: r["positive_segments"] == ["left:femoral"])
    r["positive_segments"] = ["left:ivc"]


def _mut_remove_label(recs):
    recs[:] = [r for r in recs if r["label"] != "DVT_UNSPECIFIED"]


def _mut_all_negative(recs):
    for r in recs:
        r["label"] = "NEGATIVE"


def _mut_unspecified_negative(recs):
    r = _first(recs, lambda r: r["label"] == "NEGATIVE" and r["side_labels"]["unspecified"] is None)
    r["side_labels"]["unspecified"] = "NEGATIVE"


MUTATIONS = [
    (check_ids, _mut_dup_id),
    (check_size, _mut_shrink),
    (check_keys_and_types, _mut_drop_key),
    (check_keys_and_types, _mut_bad_type),
    (check_labels_valid, _mut_bad_label),
    (check_segment_strings, _mut_bad_segment_name),
    (check_segment_strings, _mut_overlap),
    (check_report_label_is_max, _mut_wrong_report_label),
    (check_segment_sides_examined, _mut_segment_on_null_side),
    (check_segment_sides_examined, _mut_unspecified_negative),
    (check_deep_segments_match_side_labels, _mut_icmvt_with_axial),
    (check_deep_segments_match_side_labels, _mut_proximal_without_segment),
    (check_svt, _mut_svt_flag),
    (check_svt, _mut_near_without_saphenous),
    (check_no_upper_extremity, _mut_upper),
    (check_segments_mentioned, _mut_unmentioned_segment),
    (check_every_label_occurs, _mut_remove_label),
    (check_negative_share, _mut_all_negative),
]


@pytest.mark.parametrize(
    "check,mutate", MUTATIONS, ids=[f"{c.__name__}-{m.__name__}" for c, m in MUTATIONS]
)
def test_check_can_fail(check, mutate, records):
    broken = copy.deepcopy(records)
    mutate(broken)
    assert check(broken), f"{check.__name__} did not flag {mutate.__name__}"


def test_parse_can_fail():
    _, errors = parse(['{"id": "hw-001"', "", "[1, 2]"])
    assert len(errors) == 3
