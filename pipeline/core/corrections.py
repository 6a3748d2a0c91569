"""Addenda that correct the side of the whole exam.

    ADDENDUM: The prior report erroneously stated 'right'. The examination was of the LEFT
    lower extremity. Findings remain negative for DVT.            -> right findings become left
    Correction: this was a left leg study, not the right.          -> the same

An addendum corrects the side when one of its sentences says so (erroneous, incorrect, in
error, should read, corrected, mislabeled, wrong side) and its sentences name exactly one wrong
leg (quoted as stated, or after "not") and one other leg. Findings outside the addendum on the
wrong leg then belong to the other. Re-reads of a single vein ("the thrombus is in the left
popliteal, not the right") are not exam-side corrections: the addendum must name no vein
segment. Such a re-read moves that vein alone ("the thrombus described is in the LEFT popliteal
vein, not the right": the original's right popliteal findings become left ones). A re-read that
renames the vein ("in the posterior tibial veins, not the peroneal veins as dictated") moves the
original's findings of the wrong vein to the named one.
"""
from __future__ import annotations

from typing import TypeVar

from .lexicon import Lexicon
from .model import Finding, Mention, Sentence, Side
from .sides import LEGS

T = TypeVar("T")


def _is_correction(sentence: Sentence, lexicon: Lexicon) -> bool:
    words = sentence.tokens
    joined = " ".join(words)
    return any(w in words for w in lexicon.correction_words) or any(p in joined for p in lexicon.correction_phrases)


def _swap(wrong: set[T], right: set[T]) -> tuple[T, T] | None:
    """(wrong leg, right leg) when exactly one leg is named wrong and the other right."""
    if len(wrong) == 1 and len(right) == 1 and wrong != right:
        return next(iter(wrong)), next(iter(right))
    return None


def _by_marker(sentence: Sentence, mentions: list[Mention], lexicon: Lexicon) -> tuple[set[str], set[str]]:
    """(values named as wrong, values named as right) among mentions of one sentence: one after
    "not", "stated", a quote mark ("not the right", "stated 'right'", "not the peroneal veins") is
    the wrong one."""
    wrong: set[str] = set()
    right: set[str] = set()
    for m in mentions:
        before = [t for t in sentence.tokens[max(m.tok_start - sentence.tok_start - 3, 0):m.tok_start - sentence.tok_start] if not t.isspace()]
        (wrong if any(t in lexicon.wrong_markers for t in before[-2:]) else right).add(m.value)
    return wrong, right


def _sides_by_marker(sentence: Sentence, lexicon: Lexicon) -> tuple[set[Side], set[Side]]:
    """(legs named as wrong, legs named as right) in one sentence."""
    wrong, right = _by_marker(sentence, [m for m in sentence.mentions if m.kind == "side" and m.value in LEGS], lexicon)
    return {LEGS[v] for v in wrong}, {LEGS[v] for v in right}


def corrected_side(addendum: list[Sentence], lexicon: Lexicon) -> tuple[Side, Side] | None:
    """(wrong leg, right leg) when a correcting addendum moves the whole exam; else None."""
    if any(m.kind == "segment" for s in addendum for m in s.mentions):
        return None  # a vein is re-read, not the exam's side
    wrong: set[Side] = set()
    right: set[Side] = set()
    for sentence in addendum:
        sentence_wrong, sentence_right = _sides_by_marker(sentence, lexicon)
        wrong |= sentence_wrong
        right |= sentence_right
    return _swap(wrong, right)


def corrected_veins(addendum: list[Sentence], lexicon: Lexicon) -> list[tuple[str, Side, Side]]:
    """(segment, wrong leg, right leg) for each vein a correcting addendum moves to the other leg:
    "Correction - the thrombus described is in the LEFT popliteal vein, not the right"."""
    moves = []
    for sentence in addendum:
        swap = _swap(*_sides_by_marker(sentence, lexicon))
        if swap:
            moves += [(m.value, *swap) for m in sentence.mentions if m.kind == "segment"]
    return moves


def corrected_segments(addendum: list[Sentence], lexicon: Lexicon) -> list[tuple[str, Mention]]:
    """(wrong segment, the right segment's mention) for each vein an addendum renames:
    "the thrombus is in the posterior tibial veins, not the peroneal veins as dictated"."""
    moves = []
    for sentence in addendum:
        veins = [m for m in sentence.mentions if m.kind == "segment"]
        swap = _swap(*_by_marker(sentence, veins, lexicon)) if len(veins) == 2 else None
        if swap:
            moves.append((swap[0], next(m for m in veins if m.value == swap[1])))
    return moves


def apply_side_correction(findings: list[Finding], examined: set[Side], sentences: list[Sentence], lexicon: Lexicon) -> None:
    """Move findings (and the examined leg) from the wrong leg to the corrected one, in place:
    the whole exam's, or one re-read vein's; findings of a renamed vein move to the right vein."""
    addendum = [s for s in sentences if s.section == "addendum"]
    if not any(_is_correction(s, lexicon) for s in addendum):
        return

    def original(finding: Finding) -> bool:
        return not any(s.start <= finding.anchor.start < s.end for s in addendum)

    for wrong_segment, vein in corrected_segments(addendum, lexicon):
        for finding in findings:
            if finding.segment == wrong_segment and original(finding):
                finding.segment, finding.group = vein.value, vein.group or finding.group
    for segment, wrong_leg, right_leg in corrected_veins(addendum, lexicon):
        for finding in findings:
            if finding.segment == segment and finding.side == wrong_leg and original(finding):
                finding.side = right_leg
                examined.add(right_leg)
    correction = corrected_side(addendum, lexicon)
    if correction is None:
        return
    wrong, right = correction
    for finding in findings:
        if finding.side == wrong and original(finding):
            finding.side = right
    if wrong in examined and not any(f.side == wrong for f in findings):
        examined.discard(wrong)
    examined.add(right)
