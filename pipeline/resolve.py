"""From the mentions of each sentence to findings with evidence: pure, no spaCy.

For every vein mention the resolver picks its cue (:mod:`pipeline.linking`), its status,
acuity and occlusion (:mod:`pipeline.assertion`) and its side: the side word of its clause,
else the side heading ("LEFT LEG:"), else the side of the paragraph's previous sentence,
else the exam's side when the exam is unilateral, else ``unspecified``.
Cues that no vein claims become segment-less findings ("No DVT.", "Acute left leg DVT.").
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from .assertion import decide_acuity, decide_occlusion, decide_status
from .linking import best_cue, best_side, cue_score
from .model import GENERIC_DEEP_GROUP, Finding, Mention, Sentence

ANCHOR_KINDS = ("segment", "generic_deep")
CUE_KINDS = ("thrombus", "normal")
_FAR_FROM_JUNCTION = re.compile(r"(\d+(?:\.\d+)?)\s*(cm|centimeters?)\s+(from|below|distal to|caudal to|away from|inferior to)")
NEAR_JUNCTION_CM = 3.0


def exam_side(sentences: list[Sentence]) -> str | None:
    """left, right or bilateral from the exam title/section; else the only side the report names."""
    title = [s for s in sentences if s.section == "exam"] or sentences[:1]
    sides = {m.value for s in title for m in s.mentions if m.kind == "side"}
    if "bilateral" in sides or {"left", "right"} <= sides:
        return "bilateral"
    if len(sides) == 1 and sides <= {"left", "right"}:
        return next(iter(sides))
    named = {m.value for s in sentences if s.section not in ("indication", "comparison") for m in s.mentions if m.kind == "side"}
    named &= {"left", "right", "bilateral"}
    return next(iter(named)) if len(named) == 1 and named != {"bilateral"} else None


def _expand(side: str, exam: str | None) -> list[str]:
    if side == "bilateral":
        return ["left", "right"]
    if side == "contralateral":
        return [{"left": "right", "right": "left"}[exam]] if exam in ("left", "right") else ["unspecified"]
    return [side]


def near_junction(sentence: Sentence, text: str, anchor: Mention) -> bool:
    """A superficial thrombus at or into the SFJ/SPJ (not 'N cm from' it, N > 3)."""
    body = text[sentence.start:sentence.end].lower()
    junction_named = anchor.junction or "junction" in body or any(m.junction for m in sentence.mentions)
    if not junction_named:
        return False
    far = [float(m.group(1)) for m in _FAR_FROM_JUNCTION.finditer(body)]
    return not any(cm > NEAR_JUNCTION_CM for cm in far)


class _SideTracker:
    """Carries a side from one sentence to the next inside a paragraph of one section."""

    def __init__(self) -> None:
        self.key: tuple[int, str] | None = None
        self.side: str | None = None

    def update(self, sentence: Sentence) -> str | None:
        key = (sentence.paragraph, sentence.section)
        if key != self.key:
            self.key, self.side = key, None
        carried = self.side
        named = {m.value for m in sentence.mentions if m.kind == "side"}
        if named:
            self.side = next(iter(named)) if len(named) == 1 and named <= {"left", "right"} else None
        return carried


def _sentence_findings(sentence: Sentence, text: str, exam: str | None, carried: str | None) -> list[Finding]:
    mentions = sentence.mentions
    cues = tuple(m for m in mentions if m.kind in CUE_KINDS)
    sides = tuple(m for m in mentions if m.kind == "side")
    anchors = [m for m in mentions if m.kind in ANCHOR_KINDS]
    nonvenous = [m for m in mentions if m.kind == "nonvenous"]
    pairs: list[tuple[Mention, Mention | None]] = [(a, best_cue(sentence, a, cues)) for a in anchors]
    claimed = {id(c) for _, c in pairs if c is not None}
    named_distal = {id(c) for a, c in pairs if c is not None and a.group in ("distal_axial", "distal_muscular")}
    pairs = [(a, c) for a, c in pairs if not (a.value == "calf_unspecified" and c is not None and id(c) in named_distal)]
    if not anchors:
        for cue in cues:
            owner = min((cue_score(sentence, n, cue, cues) for n in nonvenous), default=999)
            if id(cue) not in claimed and owner >= 50:
                pairs.append((cue, cue))
    findings = []
    for anchor, cue in pairs:
        implied = anchor.implies if anchor.kind in CUE_KINDS else None
        is_generic = not implied and (anchor.kind in CUE_KINDS or anchor.kind == "generic_deep")
        status, mods = decide_status(None if anchor.kind in CUE_KINDS else anchor, cue, sentence.section)
        if status is None:
            continue
        side_word = best_side(sentence, anchor, sides)
        side = side_word.value if side_word else sentence.heading_side or carried or (exam if exam in ("left", "right") else "unspecified")
        group = GENERIC_DEEP_GROUP if is_generic else anchor.group or ""
        segment = None if is_generic else implied or anchor.value
        for one_side in _expand(side, exam):
            findings.append(Finding(
                segment=segment,
                group=group,
                side=one_side,
                status=status,
                acuity=decide_acuity(anchor, cue, mods) if status in ("present", "possible") else None,
                occlusion=decide_occlusion(cue, mods) if status in ("present", "possible") else None,
                section=sentence.section,
                anchor=anchor.span,
                cue=cue.span if cue is not None else None,
                sentence=(sentence.start, sentence.end),
                modifiers=mods,
                junction=group == "superficial" and near_junction(sentence, text, anchor),
                order=anchor.start,
            ))
    return findings


def resolve(sentences: Iterable[Sentence], text: str) -> tuple[list[Finding], set[str]]:
    """All findings of a report and the sides it examines."""
    sentences = list(sentences)
    exam = exam_side(sentences)
    tracker = _SideTracker()
    findings: list[Finding] = []
    for sentence in sentences:
        carried = tracker.update(sentence)
        findings.extend(_sentence_findings(sentence, text, exam, carried))
    examined = {f.side for f in findings if f.status in ("present", "absent", "possible", "not_evaluated") and f.group != "upper"}
    examined.update(_expand(exam, exam) if exam else ())
    for sentence in sentences:
        if sentence.section in ("indication", "comparison"):
            continue
        for m in sentence.mentions:
            if m.kind == "segment" and m.group not in ("upper",):
                side_word = best_side(sentence, m, tuple(x for x in sentence.mentions if x.kind == "side"))
                if side_word and side_word.value in ("left", "right", "bilateral"):
                    examined.update(_expand(side_word.value, exam))
    findings.sort(key=lambda f: (f.order, f.side))
    return findings, examined
