"""Schema and internal-consistency checks for the blind evaluation set.

corpora/blind/blind.jsonl is a once-only generalisation check (see
corpora/blind/README.md). These tests check only that the gold file is
well formed and agrees with itself under LABELS.md; they never run the
pipeline and say nothing about whether the pipeline is right.

Every check is a function returning a list of error strings. The
``test_corpus_*`` tests run it on the real file; the ``test_check_*_can_fail``
tests run it on a deliberately broken copy and require an error, so no check
can pass vacuously.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "blind" / "blind.jsonl"

LABEL_ORDER = ["PROXIMAL", "IDDVT", "ICMVT", "DVT_UNSPECIFIED", "INDETERMINATE", "NEGATIVE"]
SIDES = ("left", "right", "unspecified")
SEGMENT_GROUP = {
    "ivc": "proximal",
    "common_iliac": "proximal",
    "external_iliac": "proximal",
    "internal_iliac": "proximal",
    "common_femoral": "proximal",
    "femoral": "proximal",
    "deep_femoral": "proximal",
    "popliteal": "proximal",
    "tibioperoneal_trunk": "distal_axial",
    "posterior_tibial": "distal_axial",
    "peroneal": "distal_axial",
    "anterior_tibial": "distal_axial",
    "soleal": "distal_muscular",
    "gastrocnemius": "distal_muscular",
    "muscular_calf": "distal_muscular",
    "calf_unspecified": "distal_unspecified",
    "great_saphenous": "superficial",
    "small_saphenous": "superficial",
    "superficial_other": "superficial",
}
FIELDS = {
    "id": str,
    "text": str,
    "label": str,
    "side_labels": dict,
    "positive_segments": list,
    "chronic_segments": list,
    "svt": bool,
    "svt_near_junction": bool,
    "note": str,
}
ID_RE = re.compile(r"^blind-\d{3}$")
SEG_RE = re.compile(r"^(left|right|unspecified):([a-z_]+)$")


def load(path: Path = CORPUS) -> list[dict]:
    records = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                raise AssertionError(f"line {n}: blank line in JSONL")
            records.append(json.loads(line))
    return records


def _segs(rec: dict, key: str) -> list[tuple[str, str]]:
    out = []
    for s in rec.get(key) or []:
        m = SEG_RE.match(s) if isinstance(s, str) else None
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def expected_side_label_from_segments(rec: dict, side: str) -> str | None:
    """Label implied by the side's positive deep segments; None if it has none."""
    groups = {SEGMENT_GROUP.get(seg) for sd, seg in _segs(rec, "positive_segments") if sd == side}
    if "proximal" in groups:
        return "PROXIMAL"
    if groups & {"distal_axial", "distal_unspecified"}:
        return "IDDVT"
    if "distal_muscular" in groups:
        return "ICMVT"
    return None


# ---------------------------------------------------------------- checks


def check_schema(records: list[dict]) -> list[str]:
    errs = []
    for i, r in enumerate(records):
        where = r.get("id", f"#{i}")
        if set(r) != set(FIELDS):
            errs.append(f"{where}: keys {sorted(r)} != {sorted(FIELDS)}")
            continue
        for k, t in FIELDS.items():
            if not isinstance(r[k], t):
                errs.append(f"{where}: {k} is {type(r[k]).__name__}, want {t.__name__}")
        if isinstance(r["side_labels"], dict) and set(r["side_labels"]) != set(SIDES):
            errs.append(f"{where}: side_labels keys {sorted(r['side_labels'])}")
        if isinstance(r["text"], str) and not r["text"].strip():
            errs.append(f"{where}: empty text")
        if isinstance(r["note"], str) and not r["note"].strip():
            errs.append(f"{where}: empty note")
    return errs


def check_ids(records: list[dict]) -> list[str]:
    errs = []
    seen = set()
    for r in records:
        rid = r.get("id")
        if not isinstance(rid, str) or not ID_RE.match(rid):
            errs.append(f"bad id {rid!r}")
        if rid in seen:
            errs.append(f"duplicate id {rid!r}")
        seen.add(rid)
    return errs


def check_label_values(records: list[dict]) -> list[str]:
    errs = []
    for r in records:
        if r.get("label") not in LABEL_ORDER:
            errs.append(f"{r.get('id')}: label {r.get('label')!r} not valid")
        sl = r.get("side_labels") or {}
        for side in SIDES:
            v = sl.get(side)
            if v is not None and v not in LABEL_ORDER:
                errs.append(f"{r.get('id')}: side_labels[{side}] = {v!r} not valid")
        if all(sl.get(s) is None for s in SIDES):
            errs.append(f"{r.get('id')}: no side examined")
        # 'unspecified' is only set for a present or possible deep finding
        if sl.get("unspecified") == "NEGATIVE":
            errs.append(f"{r.get('id')}: unspecified side must be null rather than NEGATIVE")
    return errs


def check_report_label_is_most_severe(records: list[dict]) -> list[str]:
    errs = []
    for r in records:
        sl = r.get("side_labels") or {}
        vals = [v for v in sl.values() if v in LABEL_ORDER]
        if not vals:
            continue
        worst = min(vals, key=LABEL_ORDER.index)
        if r.get("label") != worst:
            errs.append(f"{r.get('id')}: label {r.get('label')} but most severe side label is {worst}")
    return errs


def check_segment_names(records: list[dict]) -> list[str]:
    errs = []
    for r in records:
        for key in ("positive_segments", "chronic_segments"):
            segs = r.get(key) or []
            for s in segs:
                m = SEG_RE.match(s) if isinstance(s, str) else None
                if not m or m.group(2) not in SEGMENT_GROUP:
                    errs.append(f"{r.get('id')}: {key} has invalid segment {s!r}")
            if list(segs) != sorted(set(segs), key=str):
                errs.append(f"{r.get('id')}: {key} not sorted/unique")
        both = set(r.get("positive_segments") or []) & set(r.get("chronic_segments") or [])
        if both:
            errs.append(f"{r.get('id')}: segments both positive and chronic-only: {sorted(both)}")
    return errs


def check_segment_sides_examined(records: list[dict]) -> list[str]:
    errs = []
    for r in records:
        sl = r.get("side_labels") or {}
        for key in ("positive_segments", "chronic_segments"):
            for side, seg in _segs(r, key):
                if sl.get(side) is None:
                    errs.append(f"{r.get('id')}: {key} {side}:{seg} on a side with null label")
    return errs


def check_proximal_iff_proximal_segment(records: list[dict]) -> list[str]:
    errs = []
    for r in records:
        sl = r.get("side_labels") or {}
        has_prox = any(
            SEGMENT_GROUP.get(seg) == "proximal" and sl.get(side) is not None
            for side, seg in _segs(r, "positive_segments")
        )
        if (r.get("label") == "PROXIMAL") != has_prox:
            errs.append(f"{r.get('id')}: label {r.get('label')} vs proximal positive segment {has_prox}")
    return errs


def check_side_labels_match_segments(records: list[dict]) -> list[str]:
    """A side with positive deep segments gets exactly the implied label;
    a side without any cannot be PROXIMAL, IDDVT or ICMVT."""
    errs = []
    for r in records:
        sl = r.get("side_labels") or {}
        for side in SIDES:
            got = sl.get(side)
            if got is None:
                continue
            want = expected_side_label_from_segments(r, side)
            if want is not None and got != want:
                errs.append(f"{r.get('id')}: side {side} is {got}, segments imply {want}")
            if want is None and got in ("PROXIMAL", "IDDVT", "ICMVT"):
                errs.append(f"{r.get('id')}: side {side} is {got} with no positive deep segment")
    return errs


def check_svt(records: list[dict]) -> list[str]:
    errs = []
    for r in records:
        sup = any(SEGMENT_GROUP.get(seg) == "superficial" for _, seg in _segs(r, "positive_segments"))
        if r.get("svt") is not sup:
            errs.append(f"{r.get('id')}: svt {r.get('svt')} but superficial positive segment {sup}")
        if r.get("svt_near_junction") and not r.get("svt"):
            errs.append(f"{r.get('id')}: svt_near_junction without svt")
    return errs


def check_corpus_shape(records: list[dict]) -> list[str]:
    errs = []
    if len(records) < 100:
        errs.append(f"only {len(records)} reports, want >= 100")
    labels = [r.get("label") for r in records]
    for lab in LABEL_ORDER:
        if lab not in labels:
            errs.append(f"no report with label {lab}")
    if records:
        neg = labels.count("NEGATIVE") / len(records)
        if not 0.3 <= neg <= 0.55:
            errs.append(f"NEGATIVE share {neg:.2f} outside 0.30-0.55")
    texts = [r.get("text") for r in records]
    if len(set(texts)) != len(texts):
        errs.append("duplicate report texts")
    return errs


CHECKS = [
    check_schema,
    check_ids,
    check_label_values,
    check_report_label_is_most_severe,
    check_segment_names,
    check_segment_sides_examined,
    check_proximal_iff_proximal_segment,
    check_side_labels_match_segments,
    check_svt,
    check_corpus_shape,
]


@pytest.fixture(scope="module")
def records() -> list[dict]:
    assert CORPUS.exists(), f"missing {CORPUS}"
    return load()


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_corpus_passes(check, records):
    errs = check(records)
    assert not errs, "\n".join(errs[:20])


# ------------------------------------------- each check must be able to fail


def _find(records, pred):
    for r in records:
        if pred(r):
            return r
    raise AssertionError("corpus lacks a record needed for the mutation test")


def _mut_schema(recs):
    del recs[0]["note"]


def _mut_ids(recs):
    recs[1]["id"] = recs[0]["id"]


def _mut_label_values(recs):
    recs[0]["label"] = "DISTAL"


def _mut_most_severe(recs):
    r = _find(recs, lambda r: r["label"] == "NEGATIVE")
    side = next(s for s in SIDES if r["side_labels"][s] is not None)
    r["side_labels"][side] = "INDETERMINATE"


def _mut_segment_names(recs):
    r = _find(recs, lambda r: r["positive_segments"])
    r["positive_segments"] = sorted(r["positive_segments"] + ["left:subclavian"])


def _mut_sides_examined(recs):
    r = _find(recs, lambda r: r["side_labels"]["left"] is None)
    r["chronic_segments"] = sorted(r["chronic_segments"] + ["left:femoral"])


def _mut_proximal_iff(recs):
    r = _find(recs, lambda r: r["label"] == "PROXIMAL")
    r["positive_segments"] = [s for s in r["positive_segments"] if SEGMENT_GROUP[s.split(":")[1]] != "proximal"]


def _mut_side_vs_segments(recs):
    r = _find(recs, lambda r: r["label"] == "IDDVT" and r["side_labels"]["unspecified"] is None)
    side = next(s for s in SIDES if r["side_labels"][s] == "IDDVT")
    r["side_labels"][side] = "ICMVT"


def _mut_svt(recs):
    r = _find(recs, lambda r: r["svt"])
    r["svt"] = False


def _mut_shape(recs):
    del recs[50:]


MUTATIONS = {
    check_schema: _mut_schema,
    check_ids: _mut_ids,
    check_label_values: _mut_label_values,
    check_report_label_is_most_severe: _mut_most_severe,
    check_segment_names: _mut_segment_names,
    check_segment_sides_examined: _mut_sides_examined,
    check_proximal_iff_proximal_segment: _mut_proximal_iff,
    check_side_labels_match_segments: _mut_side_vs_segments,
    check_svt: _mut_svt,
    check_corpus_shape: _mut_shape,
}


def test_every_check_has_a_mutation():
    assert set(MUTATIONS) == set(CHECKS)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_check_can_fail(check, records):
    broken = copy.deepcopy(records)
    MUTATIONS[check](broken)
    assert check(broken), f"{check.__name__} did not detect its mutation"


def test_svt_near_junction_without_svt_is_caught(records):
    broken = copy.deepcopy(records)
    r = _find(broken, lambda r: not r["svt"])
    r["svt_near_junction"] = True
    assert check_svt(broken)


def test_unsorted_segments_are_caught(records):
    broken = copy.deepcopy(records)
    r = _find(broken, lambda r: len(r["positive_segments"]) >= 2)
    r["positive_segments"] = list(reversed(r["positive_segments"]))
    assert check_segment_names(broken)
