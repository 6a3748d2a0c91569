"""Status, acuity and occlusion of a finding from its cue, its anchor and their ConText modifiers.

Pure decision logic. Precedence, first match wins::

    section indication/history                      -> indication   "INDICATION: r/o left DVT"
    HYPOTHETICAL, or a plan section                 -> hypothetical "Evaluate for calf DVT."
    RESOLVED (unless PERSISTENT is nearer the vein)  -> absent       "Previously seen popliteal thrombus has resolved."
    HISTORICAL or comparison section, no change stated for this exam (PERSISTENT, NEW, EXTENDED, IMPROVED)
                                                    -> historical  "History of left popliteal DVT."
    POSSIBLE on a cue (not closer-negated, not CONFIRMED)
                                                    -> possible     "Peroneal vein thrombosis cannot be excluded."
    an unassessable cue                             -> not_evaluated "Nondiagnostic examination."
    an assessable cue: negated -> not_evaluated, else no finding  "No deep veins could be imaged."
    not seen/visualized on a thrombus cue           -> absent       "Thrombus is not visualized in the CFV."
    other NOT_EVALUATED on a thrombus cue           -> not_evaluated "DVT cannot be evaluated."
    NOT_EVALUATED on a normal cue, or no cue         -> not_evaluated "The peroneal veins were not visualized."
    thrombus cue (negated -> absent)                -> present      "Noncompressible left popliteal vein."
        (a negation between cue and vein negates:          "thrombus ... without extension into the popliteal vein";
         so does the vein's own denial right after it:     "DVT in the PTV and peroneal veins, popliteal spared")
    normal cue (negated next to it -> present)      -> absent       "The CFV is compressible."
    no cue: OCCLUSIVE/NONOCCLUSIVE -> present; NEGATED -> absent; otherwise no finding.
"""
from __future__ import annotations

from .lexicon import Lexicon
from .model import Acuity, Mention, Modifier, Occlusion, Section, Status

FINDING_SECTIONS_EXCLUDED = ("technique", "exam")
POSTPOSED_NEGATION_REACH = 1  # "popliteal neg", "popliteal vein is spared"
NORMAL_NEGATION_REACH = 0  # "not patent", "no augmentation"; farther ("no thrombus, normal flow") it is about something else
CURRENT_CHANGE_CATEGORIES = frozenset({"PERSISTENT", "EXTENDED", "IMPROVED"})  # "the known thrombus now extends": this exam
_CURRENT_CHANGES = frozenset({"unchanged", "extended", "improved"})  # stated by a rule of another category ("now nonocclusive")
_ACUTE = frozenset({"ACUTE", "NEW"})  # a new thrombus is acute
_ACUITY_CATEGORIES: dict[str, Acuity] = {"ACUTE": "acute", "NEW": "acute", "SUBACUTE": "subacute", "CHRONIC": "chronic", "ACUTE_ON_CHRONIC": "acute_on_chronic", "AGE_INDETERMINATE": "unspecified"}


def _merged(*mentions: Mention | None) -> tuple[Modifier, ...]:
    """The modifiers of several mentions, each once, in text order."""
    if not any(m.modifiers for m in mentions if m):
        return ()
    seen: dict[tuple[str, int], Modifier] = {}
    for m in mentions:
        for mod in m.modifiers if m else ():
            seen.setdefault((mod.category, mod.start), mod)
    return tuple(sorted(seen.values(), key=lambda m: (m.start, m.category)))


def _distance(mod: Modifier, target: Mention) -> int:
    return min(abs(mod.tok_start - target.tok_end), abs(target.tok_start - mod.tok_end))


def _gap(a: Mention, b: Mention) -> int:
    return max(b.tok_start - a.tok_end, a.tok_start - b.tok_end, 0)


def _nearer(mods: tuple[Modifier, ...], first: str, second: str, target: Mention | None) -> bool:
    """Whether a ``first`` modifier stands closer to the target than any ``second`` one
    ("persistent left femoral vein DVT, resolved popliteal DVT": the femoral vein persists)."""
    a = [_distance(m, target) for m in mods if m.category == first] if target else []
    b = [_distance(m, target) for m in mods if m.category == second] if target else []
    return bool(a) and bool(b) and min(a) < min(b)


def _cats(mods: tuple[Modifier, ...]) -> set[str]:
    return {m.category for m in mods}


def decide_status(anchor: Mention | None, cue: Mention | None, section: Section, lexicon: Lexicon) -> tuple[Status | None, tuple[Modifier, ...]]:
    """The status of an (anchor, cue) pair and the modifiers that set it; None: no finding.
    ``lexicon.visibility`` tells a denial about seeing ("not visualized") from one about a thrombus."""
    mods = _merged(anchor, cue)
    cats = _cats(mods)
    primary = cue or anchor
    own = _cats(primary.modifiers) if primary else set()
    if section == "indication":
        return "indication", mods
    if section in FINDING_SECTIONS_EXCLUDED:
        return None, mods
    if "HYPOTHETICAL" in cats or section == "plan":
        return "hypothetical", mods
    if "RESOLVED" in cats and not _nearer(mods, "PERSISTENT", "RESOLVED", anchor or cue):
        return "absent", mods
    if ("HISTORICAL" in cats or section == "comparison") and not (cats & CURRENT_CHANGE_CATEGORIES or any(m.change in _CURRENT_CHANGES for m in mods)):
        return "historical", mods
    negation = [m for m in primary.modifiers if m.category == "NEGATED_EXISTENCE"] if primary else []
    if cue is not None and anchor is not None and cue.kind == "thrombus":  # "thrombus ... without extension into the X"
        lo, hi = sorted((cue.tok_end, anchor.tok_start)) if cue.tok_end <= anchor.tok_start else sorted((anchor.tok_end, cue.tok_start))
        negation += [m for m in anchor.modifiers if m.category == "NEGATED_EXISTENCE" and lo <= m.tok_start and m.tok_end <= hi]
        if cue.tok_end <= anchor.tok_start:  # "DVT in the PTV, popliteal spared": the vein's own denial right after it
            negation += [m for m in anchor.modifiers if m.category == "NEGATED_EXISTENCE" and anchor.tok_end <= m.tok_start <= anchor.tok_end + POSTPOSED_NEGATION_REACH]
    possible = [m for m in mods if m.category == "POSSIBLE_EXISTENCE"]
    if possible and "CONFIRMED" not in cats and cue is not None:
        target = cue
        nearest_possible = min(_distance(m, target) for m in possible)
        if not negation or nearest_possible < min(_distance(m, target) for m in negation):
            return "possible", mods
    if cue is None:
        if "NOT_EVALUATED" in own or any(lexicon.visibility.search(m.text.lower()) for m in negation):
            return "not_evaluated", mods  # "CFV: not seen" is about the vein, not a thrombus
        if own & {"OCCLUSIVE", "NONOCCLUSIVE"}:
            return "present", mods
        if "NEGATED_EXISTENCE" in own:
            return "absent", mods
        return None, mods
    if cue.kind == "unassessable":
        return "not_evaluated", mods
    if cue.kind == "assessable":
        return ("not_evaluated" if negation else None), mods
    unseen = [m for m in anchor.modifiers if m.category == "NOT_EVALUATED"] if anchor is not None else []
    if anchor is not None and unseen and "NOT_EVALUATED" not in own and min(_distance(m, anchor) for m in unseen) < _gap(anchor, cue):
        return "not_evaluated", mods  # "..., the peroneal veins are not visualized": the vein's own predicate
    if "NOT_EVALUATED" in own and primary is not None:
        unseen = [m for m in primary.modifiers if m.category == "NOT_EVALUATED"]
        if cue.kind == "thrombus" and all(lexicon.visibility.search(m.text.lower()) for m in unseen):
            return "absent", mods  # "thrombus is not visualized": none seen
        return "not_evaluated", mods  # "DVT cannot be evaluated"
    thrombus = cue.kind == "thrombus"
    if not thrombus:
        negation = [m for m in negation if _distance(m, cue) <= NORMAL_NEGATION_REACH]
    if negation:
        thrombus = not thrombus
    return ("present" if thrombus else "absent"), mods


def decide_acuity(anchor: Mention | None, cue: Mention | None, mods: tuple[Modifier, ...], related: tuple[Mention, ...] = ()) -> Acuity:
    """acute, subacute, chronic, acute_on_chronic or unspecified, from cue words and modifiers.

    ``related`` are other thrombus cues of the same clause ("partially compressible with synechiae").
    """
    mods = _merged(anchor, cue, *related) if related else mods
    cats = _cats(mods)
    if "ACUTE_ON_CHRONIC" in cats:
        return "acute_on_chronic"
    skip = "NEW" if "ACUTE" in cats else None  # "new acute thrombus": one acute word is enough
    found = [m for m in mods if m.category in _ACUITY_CATEGORIES and m.category != skip]
    cue_acuity = (cue.acuity if cue else None) or next((c.acuity for c in related if c.acuity), None)
    own = _cats(_merged(anchor, cue)) if cue and cue.acuity else cats  # not another clot's "acute": "acute PTV DVT on a background of chronic popliteal change"
    if cue_acuity == "chronic" and own & _ACUTE:
        return "acute_on_chronic"
    target = cue or anchor
    if found and target is not None:  # found modifiers come from the anchor or the cue
        nearest = min(found, key=lambda m: (_distance(m, target), m.start))
        acuity = _ACUITY_CATEGORIES[nearest.category]
        if cats & _ACUTE and "CHRONIC" in cats and acuity in ("acute", "chronic"):
            acute = min(_distance(m, target) for m in found if m.category in _ACUTE)
            chronic = min(_distance(m, target) for m in found if m.category == "CHRONIC")
            return "acute" if acute <= chronic else "chronic"
        return acuity
    return cue_acuity or "unspecified"


def decide_occlusion(cue: Mention | None, mods: tuple[Modifier, ...]) -> Occlusion | None:
    """occlusive, nonocclusive or None (not stated)."""
    cats = _cats(mods)
    if "NONOCCLUSIVE" in cats:
        return "nonocclusive"
    if "OCCLUSIVE" in cats:
        return "occlusive"
    return cue.occlusion if cue else None
