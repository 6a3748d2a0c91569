"""Region-only DVT reports: a thrombus placed by region with no named vein ("extensive proximal
DVT of the left leg", "left thigh DVT", "DVT in all the deep veins of the right leg") and their
gold (LABELS.md section 5: proximal_unspecified, plus calf_unspecified for the whole leg).

Opt-in (``region_only``), apart from the template pool, so that the committed corpora that
``generate`` reproduces stay byte-identical.
"""
from __future__ import annotations

import random

from .gold_model import SIDES, Finding, Truth, compute_gold
from .render import Ctx

REGION_SEGMENTS = {"proximal": ("proximal_unspecified",), "whole": ("proximal_unspecified", "calf_unspecified")}
_LEADS = ("Venous duplex ultrasound showed", "Duplex of the {limb} revealed", "IMPRESSION:", "Compression ultrasound demonstrated")
_OTHER_LEG = ("No DVT in the {limb}.", "The {limb} veins are compressible.")


def region_report(rng: random.Random, split: str, rid: str) -> dict:
    """One report: a region-only thrombus on one leg, the other leg normal or not examined."""
    ctx = Ctx(rng, split)
    side, region = ctx.choice(SIDES), ctx.choice(sorted(REGION_SEGMENTS))
    phrase = ctx.pick("REGION", region).format(limb=ctx.limb(side), side=ctx.side(side))
    lead = ctx.choice(_LEADS).format(limb=ctx.limb(side))
    text = f"{lead} {phrase}."
    findings = [Finding(seg, side, "present") for seg in REGION_SEGMENTS[region]]
    laterality = side
    if ctx.chance(0.5):
        other = "left" if side == "right" else "right"
        text += " " + ctx.choice(_OTHER_LEG).format(limb=ctx.limb(other))
        findings.append(Finding("common_femoral", other, "absent"))
        laterality = "bilateral"
    gold = compute_gold(Truth(laterality, findings))
    return {"id": rid, "text": text[:1].upper() + text[1:], "label": gold["label"], "side_labels": gold["side_labels"],
            "positive_segments": gold["positive_segments"], "chronic_segments": gold["chronic_segments"],
            "svt": gold["svt"], "svt_near_junction": gold["svt_near_junction"], "template": f"region_{region}", "split": split}


def region_only(n: int, seed: int, split: str = "dev") -> list[dict]:
    """`n` region-only reports, deterministic in (n, seed, split)."""
    return [region_report(random.Random(f"{seed}:{split}:region:{i}"), split, f"{split}-region-{i:05d}") for i in range(1, n + 1)]
