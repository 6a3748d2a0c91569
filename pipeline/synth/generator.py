"""Corpus generation: target label -> template -> truth -> gold and text."""
from __future__ import annotations

import json
import random
from pathlib import Path

from . import templates as T
from . import worksheets as W
from .gold_model import LABELS, Template, Truth, compute_gold
from .render import Ctx
from .sampler import sample_truth

NO_DVT_UNSPEC = frozenset(LABELS) - {"DVT_UNSPECIFIED"}
POINT = frozenset({"PROXIMAL", "INDETERMINATE", "NEGATIVE"})

TEMPLATES: list[Template] = [
    # dev
    Template("academic_full", "dev", T.academic_full, unspecified_ok=True, comparison="ok", weight=1.6),
    Template("side_sections", "dev", T.side_sections, comparison="ok", weight=1.2),
    Template("followup_comparison", "dev", T.followup_comparison, labels=NO_DVT_UNSPEC, comparison="required"),
    Template("addendum_reread", "dev", T.addendum_reread, labels=NO_DVT_UNSPEC, addendum=True, nondiag_ok=False),
    Template("one_line", "dev", T.one_line, protocol="none", unspecified_ok=True),
    Template("impression_only", "dev", T.impression_only, protocol="none", unspecified_ok=True, comparison="ok"),
    Template("narrative_runon", "dev", T.narrative_runon),
    Template("all_except", "dev", T.all_except, protocol="none"),
    Template("list_form", "dev", T.list_form, protocol="thigh"),
    Template("worksheet_colon", "dev", W.worksheet_colon, labels=NO_DVT_UNSPEC, weight=1.2),
    Template("worksheet_table", "dev", W.worksheet_table, labels=NO_DVT_UNSPEC),
    Template("ed_two_point", "dev", W.ed_two_point, protocol="two_point", labels=POINT, superficial=False),
    # test
    Template("worksheet_grid", "test", W.worksheet_grid, labels=NO_DVT_UNSPEC),
    Template("pocus_three_point", "test", W.pocus_three_point, protocol="three_point", labels=POINT,
             superficial=False),
    Template("consult_note", "test", T.consult_note, protocol="none", unspecified_ok=True),
    Template("bullet_findings", "test", T.bullet_findings, comparison="ok"),
    Template("prelim_final", "test", T.prelim_final, labels=NO_DVT_UNSPEC, addendum=True, nondiag_ok=False),
    Template("sono_physician", "test", T.sono_physician, comparison="ok"),
    Template("telerad_brief", "test", T.telerad_brief, unspecified_ok=True),
    Template("interval_recheck", "test", T.interval_recheck, labels=NO_DVT_UNSPEC, comparison="required"),
]
LABEL_SHARE = {"PROXIMAL": 0.15, "IDDVT": 0.14, "ICMVT": 0.13, "DVT_UNSPECIFIED": 0.10, "INDETERMINATE": 0.14,
               "NEGATIVE": 0.34}
SPLITS = ("dev", "test")


def schedule(n: int, seed: int, split: str) -> list[str]:
    """Target labels in the shares of LABEL_SHARE, shuffled."""
    counts = {lab: int(n * LABEL_SHARE[lab]) for lab in LABELS}
    counts["NEGATIVE"] += n - sum(counts.values())
    targets = [lab for lab in LABELS for _ in range(counts[lab])]
    random.Random(f"{seed}:{split}:schedule").shuffle(targets)
    return targets


def make_one(rng: random.Random, target: str, split: str, rid: str) -> tuple[dict, dict]:
    """One gold record and its metadata (target, truth, features, bank entries used)."""
    pool = [t for t in TEMPLATES if t.split == split and target in t.labels]
    tpl = rng.choices(pool, [t.weight for t in pool])[0]
    truth: Truth = sample_truth(rng, target, tpl)
    gold = compute_gold(truth)
    ctx = Ctx(rng, split)
    text = tpl.render(truth, ctx)
    record = {"id": rid, "text": text, "label": gold["label"], "side_labels": gold["side_labels"],
              "positive_segments": gold["positive_segments"], "chronic_segments": gold["chronic_segments"],
              "svt": gold["svt"], "svt_near_junction": gold["svt_near_junction"], "template": tpl.name,
              "split": split}
    return record, {"target": target, "truth": truth, "features": truth.features + text_features(ctx), "used": ctx.used}


def text_features(ctx: Ctx) -> list[str]:
    """Features of mentions that never count, read off the bank entries the renderer used."""
    out = []
    for bank, _, text in ctx.used:
        if bank == "B:history" and any(w in text for w in ("subclavian", "basilic", "jugular", "axillary")):
            out.append("upper_extremity")
        elif bank == "B:history" and "DVT" in text or "thrombus" in text and bank == "B:history":
            out.append("history_of_dvt")
        elif bank == "B:indication" and ("DVT" in text or "thrombosis" in text):
            out.append("indication_dvt")
        elif bank == "B:recommend_neg" and "DVT" in text or bank == "B:recommend_pos" and "popliteal" in text:
            out.append("hypothetical_dvt")
    return sorted(set(out))


def generate_detailed(n: int, seed: int, split: str = "dev") -> list[tuple[dict, dict]]:
    """Records with their metadata; deterministic in (n, seed, split)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    out = []
    for i, target in enumerate(schedule(n, seed, split), 1):
        rng = random.Random(f"{seed}:{split}:{i}")
        out.append(make_one(rng, target, split, f"{split}-{i:05d}"))
    return out


def generate(n: int, seed: int, split: str = "dev") -> list[dict]:
    """`n` synthetic reports with gold labels, using only `split`'s templates and phrasings."""
    return [rec for rec, _ in generate_detailed(n, seed, split)]


def write_jsonl(records: list[dict], path: str | Path) -> None:
    """One JSON object per line, UTF-8, '\\n' endings (byte-reproducible)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
