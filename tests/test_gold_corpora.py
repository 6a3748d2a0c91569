"""Every gold corpus (synthetic, hand-written and blind sets) is well formed and agrees with
itself under LABELS.md section 3. The checks look at the gold only, never at the pipeline.

Each check is a function returning the problems of one record; the last test shows that every
check catches a deliberately broken record.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from pipeline.core.model import LABELS, SIDES
from pipeline.rules import segment_groups

from .conftest import ROOT

CORPORA = sorted(p for p in (ROOT / "corpora").glob("**/*.jsonl") if ".leg_" not in p.name)  # not the series' gold course tables
GROUP = {s: g for s, g in segment_groups().items() if g != "upper"}  # the anatomy lexicon's leg veins
KEYS = {"id": str, "text": str, "label": str, "side_labels": dict, "positive_segments": list, "chronic_segments": list, "svt": bool}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def schema(r: dict) -> list[str]:
    out = [f"{k} missing or not {t.__name__}" for k, t in KEYS.items() if not isinstance(r.get(k), t)]
    if not out and not r["text"].strip():
        out.append("empty text")
    return out


def labels_valid(r: dict) -> list[str]:
    values = [r["label"], *(v for v in r["side_labels"].values() if v is not None)]
    bad = [v for v in values if v not in LABELS]
    return [f"unknown label {v!r}" for v in bad] + ([] if set(r["side_labels"]) == set(SIDES) else ["side_labels keys"])


def segments_valid(r: dict) -> list[str]:
    out = []
    for key in ("positive_segments", "chronic_segments"):
        for item in r[key]:
            side, _, segment = item.partition(":")
            if side not in SIDES or segment not in GROUP:
                out.append(f"{key}: {item!r}")
    return out


def report_label_is_most_severe(r: dict) -> list[str]:
    sides = [v for v in r["side_labels"].values() if v is not None]
    expected = min(sides, key=LABELS.index) if sides else "NEGATIVE"
    return [] if r["label"] == expected else [f"label {r['label']} but most severe side label {expected}"]


def side_labels_match_segments(r: dict) -> list[str]:
    """PROXIMAL/IDDVT/ICMVT on a side exactly as its positive deep segments say."""
    out = []
    for side, label in r["side_labels"].items():
        groups = {GROUP[s.partition(":")[2]] for s in r["positive_segments"] if s.startswith(side + ":")}
        if label is None:
            if groups - {"superficial"}:
                out.append(f"deep positives on unexamined side {side}")
            continue
        if ("proximal" in groups) != (label == "PROXIMAL"):
            out.append(f"{side}: PROXIMAL iff a proximal positive")
        if label == "ICMVT" and groups - {"distal_muscular", "superficial"}:
            out.append(f"{side}: ICMVT with non-muscular positives")
        if label in ("NEGATIVE", "INDETERMINATE", "DVT_UNSPECIFIED") and groups - {"superficial"}:
            out.append(f"{side}: {label} with deep positives")
    return out


def svt_matches_superficial(r: dict) -> list[str]:
    superficial = any(GROUP[s.partition(":")[2]] == "superficial" for s in r["positive_segments"])
    out = [] if r["svt"] == superficial else ["svt disagrees with superficial positives"]
    if r.get("svt_near_junction") and not r["svt"]:
        out.append("near junction without svt")
    return out


CHECKS = (schema, labels_valid, segments_valid, report_label_is_most_severe, side_labels_match_segments, svt_matches_superficial)


@pytest.mark.parametrize("path", CORPORA, ids=[p.parent.name + "/" + p.name for p in CORPORA])
def test_corpus_is_consistent(path):
    records = load(path)
    assert records, f"{path} is empty"
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "duplicate ids"
    problems = {r["id"]: p for r in records if (p := [msg for check in CHECKS for msg in check(r)])}
    assert problems == {}


def test_every_label_occurs_in_the_corpora():
    seen = {r["label"] for path in CORPORA for r in load(path)}
    assert seen == set(LABELS)


GOOD = {"id": "x", "text": "Occlusive thrombus in the left popliteal vein.", "label": "PROXIMAL",
        "side_labels": {"left": "PROXIMAL", "right": None, "unspecified": None},
        "positive_segments": ["left:popliteal"], "chronic_segments": [], "svt": False, "svt_near_junction": False}
BREAKS = [
    (schema, lambda r: r.update(svt="no")),
    (labels_valid, lambda r: r.update(label="DVT")),
    (segments_valid, lambda r: r["positive_segments"].append("left:saphena")),
    (report_label_is_most_severe, lambda r: r["side_labels"].update(right="NEGATIVE", left="NEGATIVE")),
    (side_labels_match_segments, lambda r: r["side_labels"].update(left="IDDVT")),
    (svt_matches_superficial, lambda r: r.update(svt=True)),
]


@pytest.mark.parametrize("check, breaks", BREAKS, ids=[c.__name__ for c, _ in BREAKS])
def test_each_check_catches_a_broken_record(check, breaks):
    assert check(GOOD) == []
    broken = copy.deepcopy(GOOD)
    breaks(broken)
    assert check(broken)
