"""Interval change of a finding against the comparison study (SURVEILLANCE.md part A): pure, typed.

A change comes from a ConText modifier (its category, or a ``change`` in the rule's metadata)
or from a cue phrase that states it (``change`` in ``patterns/cues.json``). A change word
nearest the vein wins, then a cue whose state implies a change ("partially recanalized, unchanged"
is unchanged); a change must fit the finding's current status::

    change     from                                         fits            example
    new        NEW; "new", "newly" (ACUTE)                   present/possible "New thrombus in the PTV, not present on the prior study."
    extended   EXTENDED, to the veins it reaches             present/possible "The soleal thrombus now extends into the peroneal veins."
    unchanged  PERSISTENT                                   present/possible "Stable popliteal vein thrombus."
    improved   IMPROVED; "now nonocclusive", "partially recanalized"  present/possible "Decreased clot burden in the peroneal veins."
    resolved   RESOLVED; "now compressible" (a cue)          absent           "Interval resolution of the soleal vein thrombus."

An extension names the vein it reached after a reach word ("into", "to"): the veins before
that word are where the clot came from (present, no change of their own): "interval
propagation of the PTV thrombus into the popliteal vein" extends the popliteal vein only.
With no reach word ("more extensive than before") the veins it speaks of are extended.

In a report that names its comparison, a vein whose earlier state is quoted and whose state today
differs changed by contrast: "The prior exam showed peroneal thrombosis. Today the peroneal veins
are compressible." is ``resolved``; "no thrombus on yesterday's study; today thrombus in a soleal
vein" is ``new`` (``contrast_changes``; the quoted earlier state is the evidence).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal, cast, get_args

from .lexicon import Lexicon
from .model import Finding, Mention, Modifier, Sentence, Status, TextSpan

Change = Literal["new", "extended", "unchanged", "improved", "resolved"]
CHANGES: tuple[str, ...] = get_args(Change)
NO_CHANGE = "none"  # a rule's metadata: its category states no interval change ("is retracted" withdraws a finding)
CATEGORY_CHANGE: dict[str, Change] = {"NEW": "new", "EXTENDED": "extended", "PERSISTENT": "unchanged", "IMPROVED": "improved", "RESOLVED": "resolved"}
_CLOT_CHANGES = frozenset({"new", "extended", "unchanged", "improved"})
FITS: dict[str, frozenset[str]] = {"present": _CLOT_CHANGES, "possible": _CLOT_CHANGES, "absent": frozenset({"resolved"})}


def _as_change(value: str | None) -> Change | None:
    return cast(Change, value) if value in CHANGES else None


def change_of(modifier: Modifier) -> Change | None:
    """The change a modifier states: its rule's ``change``, else its category's."""
    if modifier.change == NO_CHANGE:
        return None
    return _as_change(modifier.change) or CATEGORY_CHANGE.get(modifier.category)


def _distance(part: Modifier | Mention, target: Mention) -> int:
    """Tokens between a cue or modifier and the vein (or cue) it may describe."""
    return min(abs(part.tok_start - target.tok_end), abs(target.tok_start - part.tok_end))


def _origin(anchor: Mention | None, modifier: Modifier, sentence: Sentence | None, lexicon: Lexicon) -> bool:
    """Whether the vein is where an extension started, not the vein it reached: a vein after
    "from", or one that a reach word after the extension cue still lies ahead of."""
    if anchor is None or sentence is None:
        return False
    off, tokens = sentence.tok_start, sentence.tokens
    reach_words, origin_words = lexicon.reach_words, lexicon.origin_words
    last = None  # the direction word nearest before the vein, from the cue on
    for i in range(modifier.tok_start, anchor.tok_start):
        if tokens[i - off] in reach_words or tokens[i - off] in origin_words:
            last = tokens[i - off]
    if last is not None:
        return last in origin_words
    return any(tokens[i - off] in reach_words for i in range(max(modifier.tok_start, anchor.tok_end), sentence.tok_end))


def decide_change(anchor: Mention | None, cue: Mention | None, status: str, modifiers: tuple[Modifier, ...], lexicon: Lexicon,
                  related: tuple[Mention, ...] = (), sentence: Sentence | None = None) -> tuple[Change | None, TextSpan | None]:
    """The change of a finding and the cue that states it, or (None, None).

    ``related`` are the other cues of the same clot; a change they state by themselves counts too.
    """
    fits = FITS.get(status)
    target = anchor or cue
    if not fits or target is None:
        return None, None
    best: tuple[int, int, int, Change, TextSpan] | None = None
    for m in modifiers:
        change = change_of(m)
        if change in fits and not (change == "extended" and _origin(anchor, m, sentence, lexicon)):
            key = (0, _distance(m, target), m.start, change, TextSpan(m.start, m.end, m.text))
            best = key if best is None or key[:3] < best[:3] else best
    for c in (cue, *related):  # a state that implies a change ranks after a change word: "partially recanalized, unchanged"
        stated = _as_change(c.change) if c is not None else None
        if c is not None and stated is not None and stated in fits:
            key = (1, _distance(c, target), c.start, stated, c.span)
            best = key if best is None or key[:3] < best[:3] else best
    return (best[3], best[4]) if best else (None, None)


def prior_state(cue: Mention | None, modifiers: tuple[Modifier, ...]) -> Status | None:
    """What another exam showed, for a historical finding: present (a thrombus cue), absent (a
    normal cue, or a denied thrombus: "no thrombus was seen on yesterday's study"), or None."""
    if cue is None or cue.kind not in ("thrombus", "normal"):
        return None
    if cue.kind == "normal":
        return "absent"
    return "absent" if any(m.category == "NEGATED_EXISTENCE" for m in modifiers) else "present"


_CONTRAST: dict[tuple[str, str], Change] = {("present", "absent"): "resolved", ("absent", "present"): "new"}


def contrast_changes(findings: Sequence[Finding]) -> list[Finding]:
    """Findings with the change a contrast states: a current deep finding with no change of its own,
    after a historical mention of the same vein whose earlier state differs (or a vein-less denial
    of its side: "no thrombus on yesterday's study"; a vein-less prior clot names no vein).
    Only for reports that name their comparison (``comparison.follow_up`` checks)."""
    earlier = [f for f in findings if f.status == "historical" and f.prior is not None and f.is_deep]
    if not earlier:
        return list(findings)
    out = []
    for f in findings:
        if f.change is None and f.segment is not None and f.is_deep and f.status in ("present", "absent"):
            before = [h for h in earlier if h.order <= f.order and h.side in (f.side, "unspecified")
                      and (h.segment == f.segment or (h.segment is None and h.prior == "absent"))]  # a vein-less prior clot names no vein
            change = _CONTRAST.get((before[-1].prior or "", f.status)) if before else None
            if change is not None:
                h = before[-1]
                f = replace(f, change=change, change_cue=h.cue or h.anchor)
        out.append(f)
    return out


def without_follow_up(findings: Sequence[Finding]) -> list[Finding]:
    """Findings of a report that says it has no prior exam ("Comparison: none."): a chronic
    thrombus described as improved ("partially recanalized with chronic wall-adherent thrombus") is
    an old clot described, not a change; its ``improved`` is dropped."""
    return [replace(f, change=None, change_cue=None) if f.change == "improved" and f.acuity == "chronic" else f for f in findings]
