"""From the mentions of each sentence to findings with evidence: pure, no spaCy.

For every vein mention the resolver picks its cue (:mod:`pipeline.core.linking`), its status,
acuity and occlusion (:mod:`pipeline.core.assertion`) and its side: the side word of its clause,
else the side heading ("LEFT LEG:"), else the side of the paragraph's previous sentence,
else the exam's side when the exam is unilateral, else ``unspecified``.
Cues that no vein claims become segment-less findings ("No DVT.", "Acute left leg DVT.").
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import product
from typing import NamedTuple

from .anchors import ANCHOR_KINDS, REGION_SEGMENTS, bare_calf_ok, is_bare_calf, near_junction, range_fill, vein_anchors
from .assertion import decide_acuity, decide_occlusion, decide_status
from .change import decide_change, prior_state
from .linking import LINK_LIMIT, best_cue, best_side, cue_score, previous_words
from .model import GENERIC_DEEP_GROUP, WHOLE_DEEP, WHOLE_DEEP_SEGMENTS, Finding, Group, Mention, Modifier, Sentence, Side, Status, TextSpan
from .lexicon import Lexicon
from .sides import LEGS, SideTracker, expand_side, finding_sides, named_side, names_exam, title_side
from .corrections import apply_side_correction
from .worksheets import Reading, Row, Table

CUE_KINDS = ("thrombus", "normal", "unassessable", "assessable")
MIDLINE_SEGMENTS = ("ivc",)
RELATED_CUE_LIMIT = 20
Pair = tuple[Mention, Mention | None]  # an anchor (a vein, or a cue standing for one) and its cue




def _only_veins_not_assessed(findings: list[Finding]) -> bool:
    """'Left CFV not assessed' on a right-leg exam: named veins of the other leg that were not
    looked at do not make it part of the exam ('the left leg could not be imaged' does)."""
    return bool(findings) and all(f.status == "not_evaluated" and f.segment is not None for f in findings)


def _says_not_imaged(sentence: Sentence, lexicon: Lexicon) -> bool:
    """A sentence that only says a leg was not imaged ("not examined.", "not scanned - pt to theatre")."""
    first = next((t for t in sentence.tokens if not t.isspace()), "")
    return first in lexicon.not_imaged_first and " ".join(t for t in sentence.tokens if not t.isspace()).startswith(lexicon.not_imaged)


def _says_negative(sentence: Sentence, lexicon: Lexicon, skip: frozenset[int] = frozenset()) -> bool:
    """A sentence that is only a negative result word ("neg.", "Negative"): under a side heading
    ("RLE: neg.") it reports that leg's study; so does one with only side words besides
    ("Left negative.", "Duplex negative bilaterally."; ``skip`` holds their token positions)."""
    off = sentence.tok_start
    words = [t for i, t in enumerate(sentence.tokens, off) if not t.isspace() and t not in (".", ",", ";") and i not in skip]
    if skip:
        words = [w for w in words if w not in lexicon.study_nouns]
    return len(words) == 1 and words[0] in lexicon.bare_results


def _side_then_negative(sentence: Sentence, side: Mention, lexicon: Lexicon) -> bool:
    """A side word whose clause is only a negative result word: "L CFV ... thrombus, R neg."."""
    off = sentence.tok_start
    words = [t for t in sentence.tokens[side.tok_end - off: side.tok_end - off + 4] if not t.isspace()]
    return bool(words) and words[0] in lexicon.bare_results and (len(words) == 1 or words[1] in (".", ",", ";"))


def not_imaged(anchor: Mention, lexicon: Lexicon) -> bool:
    """'the left leg was not examined': that leg is not part of the exam (a null side label),
    unlike 'bandages preclude evaluation of the right leg veins' (examined, not assessable)."""
    return anchor.kind == "generic_deep" and any(m.category == "NOT_EVALUATED" and m.text.lower().startswith(lexicon.not_imaged) for m in anchor.modifiers)


class _View(NamedTuple):
    """What the resolver needs of a sentence, computed once."""

    anchors: list[Mention]
    sides: tuple[Mention, ...]
    cues: tuple[Mention, ...]
    anchor_sides: dict[int, Mention | None]  # id(anchor) -> its side word




def _is_explained_as(sentence: Sentence, cue: Mention, explanations: list[Mention], lexicon: Lexicon) -> bool:
    """"the apparent thrombus represents sluggish flow": the thrombus word itself is explained away."""
    off = sentence.tok_start
    explained_as = lexicon.explained_as
    for e in explanations:
        words = [t for t in sentence.tokens[cue.tok_end - off: e.tok_start - off] if not t.isspace()]
        if e.tok_start >= cue.tok_end and 0 < len(words) <= 4 and words[0] in explained_as and all(w in explained_as for w in words):
            return True
    return False


def _explained(sentence: Sentence, cues: tuple[Mention, ...], lexicon: Lexicon) -> tuple[Mention, ...]:
    """Echoes "consistent with slow flow", artifact or a cyst's compression are not thrombus: in a
    sentence with an explanation, echo, material, defect and compressibility cues count as
    normal, and so does a thrombus word that the explanation names ("the apparent thrombus
    represents sluggish flow"); when the explanation is itself hedged ("may represent
    artifact"), they are possible ("likely due to" is not a hedge)."""
    explanations = [c for c in cues if c.kind == "explanation"]
    if not explanations:
        return cues
    hedges = tuple(m for e in explanations for m in e.modifiers if m.category == "POSSIBLE_EXISTENCE" and "likely" not in m.text.lower())

    def explain(c: Mention) -> Mention:
        if c.kind != "thrombus" or not (any(w in c.value for w in ("echo", "material", "defect", "compress")) or _is_explained_as(sentence, c, explanations, lexicon)):
            return c
        return replace(c, modifiers=c.modifiers + hedges) if hedges else replace(c, kind="normal")

    return tuple(explain(c) for c in cues if c.kind != "explanation")


class _Carried(NamedTuple):
    """The side words the side tracker may carry on: not an arm vein's, nor a history's."""

    anchor_sides: dict[int, Mention | None]


_EMPTY_VIEW = _View([], (), (), {})
_VIEW_CUE_KINDS = (*CUE_KINDS, "explanation")


def _flow_of_nonvenous(sentence: Sentence) -> set[int]:
    """Token starts of flow cues that follow a non-venous word: "without distal arterial flow",
    "graft flow" describe the artery or graft, not the veins of the sentence."""
    after = {m.tok_end for m in sentence.mentions if m.kind == "nonvenous"}
    return {m.tok_start for m in sentence.mentions if m.tok_start in after and m.kind in ("thrombus", "normal") and "flow" in m.value}


def _view(sentence: Sentence, lexicon: Lexicon) -> _View:
    if not sentence.mentions:
        return _EMPTY_VIEW
    anchors = vein_anchors(sentence, lexicon)
    sides = finding_sides(sentence, lexicon)
    not_venous = _flow_of_nonvenous(sentence) if any(m.kind == "nonvenous" for m in sentence.mentions) else set()
    cues = _explained(sentence, tuple(m for m in sentence.mentions if m.kind in _VIEW_CUE_KINDS and not names_exam(sentence, m, lexicon) and m.tok_start not in not_venous), lexicon)
    return _View(anchors, sides, cues, {id(a): best_side(sentence, a, sides, lexicon) if sides else None for a in anchors})


def _central_obstruction(sentence: Sentence, cue: Mention) -> bool:
    """"waveforms ... may indicate more central (iliac/IVC) obstruction": a cause inferred upstream,
    not thrombus seen in the veins named; but "waveforms suggest left iliac vein obstruction" names
    the obstructed vein (right before the cue), a possible finding of that vein."""
    if "obstruct" not in cue.value:
        return False
    off = sentence.tok_start
    before = sentence.tokens[max(cue.tok_start - off - 8, 0): cue.tok_start - off]
    if "central" in before or "inflow" in before:
        return True
    names_its_vein = any(m.kind == "segment" and m.tok_end == cue.tok_start for m in sentence.mentions)
    return not names_its_vein and ("waveform" in before or "waveforms" in before)


def _locates(sentence: Sentence, cue: Mention) -> bool:
    """A thrombus named as a place: "below the thrombus", "distal to the clot"."""
    before = previous_words(sentence, cue.tok_start, 2)
    return before[:1] in (["below"], ["above"], ["beyond"]) or before == ["to", "distal"] or before == ["to", "proximal"]


def _characterises(sentence: Sentence, cue: Mention) -> bool:
    """"..., consistent with chronic thrombus": a closing verdict on the clot its sentence describes."""
    words = previous_words(sentence, cue.tok_start, 3)
    return any(words[i] == "with" and words[i + 1] in ("consistent", "compatible") for i in range(len(words) - 1))


def _related_cues(sentence: Sentence, anchor: Mention, cue: Mention | None, cues: tuple[Mention, ...], lexicon: Lexicon) -> tuple[Mention, ...]:
    """Other thrombus cues that describe the same clot as the anchor's cue: near it, or a verdict after it."""
    if cue is None or cue.kind != "thrombus":
        return ()
    return tuple(c for c in cues if c.kind == "thrombus" and c is not cue and (cue_score(sentence, anchor, c, cues, lexicon) <= RELATED_CUE_LIMIT or (c.tok_start > cue.tok_start and _characterises(sentence, c))))


def _denies_apart(cue: Mention, nonvenous_cues: set[int]) -> bool:
    """"no DVT L leg, graft patent": a denial that no cyst, graft or aneurysm of its sentence claims."""
    return id(cue) not in nonvenous_cues and any(m.category == "NEGATED_EXISTENCE" for m in cue.modifiers)


def _alternative_to(cue: Mention, nonvenous: list[Mention]) -> bool:
    """"impression: DVT or possibly a haematoma", "DVT versus haematoma": a thrombus offered as one
    of two diagnoses, its hedge between it and the non-venous one, is a possible finding of its own."""
    return any(m.category == "POSSIBLE_EXISTENCE" and cue.tok_end <= m.tok_start and any(0 <= n.tok_start - m.tok_end <= 3 for n in nonvenous) for m in cue.modifiers)


def _describing_cue(sentence: Sentence, anchor: Mention, cues: tuple[Mention, ...], lexicon: Lexicon) -> Mention | None:
    """The anchor's best cue; "was well visualized" (an assessable cue that nothing negates) says
    the vein was seen, so a thrombus or normal cue of the same vein describes it instead:
    "The popliteal vein was well visualized and is noncompressible"."""
    cue = best_cue(sentence, anchor, cues, lexicon)
    if cue is None or cue.kind != "assessable" or any(m.category in ("NEGATED_EXISTENCE", "NOT_EVALUATED") for m in (*cue.modifiers, *anchor.modifiers)):
        return cue
    return best_cue(sentence, anchor, tuple(c for c in cues if c.kind != "assessable"), lexicon) or cue


def _of_another_exam(cue: Mention) -> bool:
    return any(m.category == "HISTORICAL" for m in cue.modifiers)


def _described_again(pairs: list[Pair], cues: tuple[Mention, ...]) -> list[Pair]:
    """"The left popliteal vein, thrombosed on 2/2, is now fully compressible": a vein whose cue
    speaks of another exam is described again by a later cue of this exam that nothing claims."""
    claimed = {id(c) for _, c in pairs if c is not None}
    free = [c for c in cues if id(c) not in claimed and c.kind in ("thrombus", "normal") and not _of_another_exam(c)]
    extra: list[Pair] = []
    for anchor, cue in pairs if free else ():
        if cue is not None and cue is not anchor and _of_another_exam(cue):
            later = next((c for c in free if c.tok_start > cue.tok_end), None)
            if later is not None:  # the history that reached the vein through the old description stays there
                extra.append((replace(anchor, modifiers=tuple(m for m in anchor.modifiers if m not in cue.modifiers)), later))
    return extra


def _with_extension(pairs: list[Pair], anchor: Mention, cue: Mention | None) -> Mention | None:
    """The cue with the extension that another vein of its clot states: "known popliteal DVT with
    interval extension into the femoral vein" speaks of the popliteal clot today too."""
    if cue is None:
        return None
    shared = tuple(m for a, c in pairs if c is cue and a is not anchor for m in a.modifiers if m.category == "EXTENDED")
    return replace(cue, modifiers=cue.modifiers + shared) if shared else cue


def _naming_cues(sentence: Sentence, cues: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """The cues that may name a thrombus of the veins here: not an obstruction inferred upstream, nor
    a clot named as a place ("the femoral vein below the thrombus")."""
    return tuple(c for c in cues if not (_central_obstruction(sentence, c) or (c.kind == "thrombus" and _locates(sentence, c))))


def _anchor_cues(sentence: Sentence, anchors: list[Mention], cues: tuple[Mention, ...], lexicon: Lexicon) -> list[Pair]:
    """Each vein with the cue that describes it; an obstruction right after a vein is that vein's
    only ("CFV waveforms suggest iliac vein obstruction": the iliac vein's)."""
    pairs: list[Pair] = [(a, _describing_cue(sentence, a, cues, lexicon)) for a in anchors]
    owned = {id(c): a.tok_end for a, c in pairs if c is not None and "obstruct" in c.value and a.tok_end == c.tok_start}
    if owned:
        pairs = [(a, None if c is not None and owned.get(id(c), a.tok_end) != a.tok_end else c) for a, c in pairs]
    return pairs


def _places(sentence: Sentence, pairs: list[Pair], anchors: list[Mention], lexicon: Lexicon) -> set[int]:
    """The bare calves and thighs that name a place, not a vein ("right calf tenderness")."""
    return {id(a) for a, c in pairs if not bare_calf_ok(sentence, a, c, anchors, lexicon)}


def _regions_named_apart(pairs: list[Pair], anchors: list[Mention], calf: bool) -> list[Pair]:
    """Without the region or generic vein whose cue a named vein took: "calf muscular vein DVT,
    proximal veins negative" (the calf is the muscular vein), "DVT in the PTV in the lower leg" (a place)."""
    if calf:
        named_distal = {id(c) for a, c in pairs if c is not None and a.group in ("distal_axial", "distal_muscular")}
        pairs = [(a, c) for a, c in pairs if not (a.value == "calf_unspecified" and c is not None and id(c) in named_distal)]
        named_vein = {id(c) for a, c in pairs if c is not None and a.kind == "segment" and a.value not in REGION_SEGMENTS}
        pairs = [(a, c) for a, c in pairs if not (a.value == "proximal_unspecified" and c is not None and id(c) in named_vein)]
    if any(a.kind == "generic_deep" for a in anchors):
        named = {id(c) for a, c in pairs if c is not None and (a.kind == "segment" or a.value == WHOLE_DEEP)}
        pairs = [(a, c) for a, c in pairs if not (a.kind == "generic_deep" and a.value != WHOLE_DEEP and c is not None and id(c) in named)]
    return pairs


def _veinless_cues(sentence: Sentence, anchors: list[Mention], cues: tuple[Mention, ...], claimed: set[int], places: set[int], lexicon: Lexicon) -> list[Pair]:
    """The cues no vein took that stand for a finding of their own, each as its own anchor: a bare cue
    stands for the leg's deep veins ("No DVT."), a cue naming its region needs no vein ("thigh DVT,
    calf veins clear"). Not when the sentence names a cyst, graft or aneurysm (but for a denial the
    graft does not claim), or speaks of an arm or superficial vein only; a vein named only as a
    landmark counts."""
    if not cues:
        return []
    mentions = sentence.mentions
    nonvenous = [m for m in mentions if m.kind == "nonvenous"]
    veins = [m for m in mentions if m.kind in ANCHOR_KINDS and id(m) not in places and (m.text.lower() != "per" or m in anchors)]
    not_venous = {id(best_cue(sentence, m, cues, lexicon)) for m in nonvenous} if nonvenous else set()  # "graft patent"
    out: list[Pair] = []
    for cue in cues:
        if id(cue) in claimed or (nonvenous and not _denies_apart(cue, not_venous) and not _alternative_to(cue, nonvenous)) or (veins and all(v.group in ("upper", "superficial") for v in veins) and not (cue.junction and cue.group == "proximal")):
            continue  # a sentence about a cyst or graft, an arm or a superficial vein speaks of that
        hedged_sign = any(m.category in ("POSSIBLE_EXISTENCE", "NEGATED_EXISTENCE") for m in cue.modifiers)
        if cue.kind == "thrombus" and not cue.disease and not cue.implies and not hedged_sign:
            continue  # "Partial compressibility." alone describes a vein named elsewhere; "cannot exclude nonocclusive thrombus", "no non-compressible segment in either leg" do not
        if cue.kind == "thrombus" and claimed and cue.tok_start > sentence.tok_start and sentence.tokens[cue.tok_start - sentence.tok_start - 1] in ("the", "this"):
            continue  # "thrombus in the SSV ...; the thrombus tip sits at the junction": the same clot again
        if cue.implies or all(cue_score(sentence, v, cue, cues, lexicon) >= LINK_LIMIT for v in veins):
            out.append((cue, cue))
    return out


def _anchor_status(sentence: Sentence, anchor: Mention, vein: Mention | None, cue: Mention | None, pairs: list[Pair] | None,
                   cues: tuple[Mention, ...], lexicon: Lexicon) -> tuple[Status | None, tuple[Modifier, ...]]:
    """The status its cue and modifiers give an anchor (:func:`~pipeline.core.assertion.decide_status`),
    with the extension another vein of the clot states (``pairs``, when one does); none for a leg
    said not to be imaged; a vein-less thrombus next to an unassessable cue is not evaluated
    ("distal DVT not assessed by the POCUS protocol", "Nondiagnostic for DVT.")."""
    status, mods = decide_status(vein, _with_extension(pairs, anchor, cue) if pairs is not None else cue, sentence.section, lexicon)
    if status is None or (status == "not_evaluated" and not_imaged(anchor, lexicon)):
        return None, mods
    if status == "present" and vein is None and any(c.kind == "unassessable" and max(c.tok_start - anchor.tok_end, anchor.tok_start - c.tok_end) <= 1 for c in cues):
        return "not_evaluated", mods
    return status, mods


def _hedged_by(status: Status, mods: tuple[Modifier, ...], around: tuple[Mention, ...]) -> tuple[Status, tuple[Modifier, ...]]:
    """A present thrombus that another cue of its clot hedges is possible, unless confirmed
    ("echoes ... which may represent thrombus")."""
    hedged = [m for c in around for m in c.modifiers if m.category == "POSSIBLE_EXISTENCE"]
    if status == "present" and hedged and not any(m.category == "CONFIRMED" for m in mods):
        return "possible", mods + tuple(hedged)
    return status, mods


def _segment_and_group(anchor: Mention, cue: Mention | None, implied: str | None, is_generic: bool, mentions: tuple[Mention, ...]) -> tuple[str | None, Group]:
    """The vein a finding names and its group: the anchor's, the vein a cue implies ("proximal DVT of
    the left leg"), none for a generic one; a superficial finding at a junction names the deep vein
    there ("GSV ablation: EHIT class 2", "EHIT class 2 at the SPJ")."""
    group = GENERIC_DEEP_GROUP if is_generic else (cue.group if anchor.kind == "generic_deep" and cue is not None else anchor.group) or GENERIC_DEEP_GROUP
    segment = None if is_generic else implied or anchor.value
    if cue is not None and cue.junction and cue.group not in (None, "superficial"):
        saphenous = anchor if anchor.kind == "segment" and anchor.implies else next((m for m in mentions if m.kind == "segment" and m.implies), None)
        if saphenous is not None:
            segment, group = saphenous.implies, cue.group or group
    return segment, group


def _finding_side(side_word: Mention | None, previous_side: str | None, sentence: Sentence, carried: str | None, exam: str | None,
                  both_here: bool, status: Status, segment: str | None, is_generic: bool) -> str:
    """The side word of the anchor's clause, else that of the clause before, the side heading, the side
    carried from the sentence before, the exam's one leg, else unspecified. Both legs for a denial
    in a sentence naming a two-leg exam, and for a generic one on a bilateral exam ("No DVT."); the
    IVC has no side of its own (a one-leg exam lends its side)."""
    side = side_word.value if side_word else previous_side or sentence.heading_side or carried or (exam if exam in ("left", "right") else "unspecified")
    if both_here and side == "unspecified" and status in ("absent", "not_evaluated"):
        side = "bilateral"  # "bilateral lower extremity duplex revealed the popliteal veins were normal": both legs
    if segment in MIDLINE_SEGMENTS:
        side = exam if exam in ("left", "right") else "unspecified"
    if side == "unspecified" and exam == "bilateral" and is_generic and status in ("absent", "not_evaluated", "possible"):
        side = "bilateral"  # "No DVT.", "Nondiagnostic study.", "DVT cannot be excluded." on a bilateral exam speak for both legs
    return side


def _pair_findings(sentence: Sentence, view: _View, pairs: list[Pair], cues: tuple[Mention, ...], claimed: set[int], text: str,
                   exam: str | None, carried: str | None, lexicon: Lexicon) -> list[Finding]:
    """The findings of each (anchor, cue) pair, in text order so that a side carries forward: its
    status, vein and side, then one finding per leg and region it names."""
    mentions = sentence.mentions
    both_here = any(m.kind == "side" and m.value == "bilateral" and names_exam(sentence, m, lexicon) for m in mentions)  # "a bilateral lower extremity Doppler showed ..."
    if both_here:
        carried = None  # the sentence names a two-leg exam: a side carried from before does not reach its veins
    previous_side: str | None = None  # "In the left leg, the CFV ... but there is thrombus in the PTV"
    unclaimed = tuple(c for c in cues if c.kind == "thrombus" and id(c) not in claimed)  # "...; findings are equivocal for thrombus"
    extending = pairs if any(m.category == "EXTENDED" for a, _ in pairs for m in a.modifiers) else None
    loose = tuple(m for c in unclaimed for m in c.modifiers)  # "noncompressible with thrombus that was not seen before"
    findings = []
    for anchor, cue in sorted(pairs, key=lambda pair: pair[0].tok_start):
        side_word = view.anchor_sides[id(anchor)] if id(anchor) in view.anchor_sides else best_side(sentence, anchor, view.sides, lexicon)
        if side_word is not None and side_word.value in ("left", "right") and (anchor.kind != "generic_deep" or previous_side is None):
            previous_side = side_word.value  # even a vein with no cue of its own sides the clause after it
        vein = None if anchor.kind in CUE_KINDS else anchor
        stated, mods = _anchor_status(sentence, anchor, vein, cue, extending, cues, lexicon)
        if stated is None:
            continue
        related = _related_cues(sentence, anchor, cue, cues, lexicon)
        around = related + unclaimed
        status, mods = _hedged_by(stated, mods, around)
        if anchor.kind == "normal" and status == "present":
            continue  # "could not tolerate full compression": a denied normal cue alone asserts nothing
        implied = anchor.implies if anchor.kind in CUE_KINDS else cue.implies if anchor.kind == "generic_deep" and cue is not None else None  # "proximal DVT of the left leg"
        is_generic = not implied and (anchor.kind in CUE_KINDS or anchor.kind == "generic_deep")
        segment, group = _segment_and_group(anchor, cue, implied, is_generic, mentions)
        side = _finding_side(side_word, previous_side, sentence, carried, exam, both_here, status, segment, is_generic)
        regions = tuple(WHOLE_DEEP_SEGMENTS) if is_generic and anchor.value == WHOLE_DEEP and status in ("present", "possible") else (segment,)  # "DVT in all the deep veins of the leg"
        change, change_cue = decide_change(vein, cue, status, mods + loose if loose else mods, lexicon, around, sentence)
        for one_side, segment in product(expand_side(side, previous_side or (exam if exam in ("left", "right") else carried or sentence.heading_side)), regions):  # "contralateral": opposite the leg just described
            findings.append(Finding(
                segment=segment,
                group=WHOLE_DEEP_SEGMENTS.get(segment or "", group),
                side=one_side,
                status=status,
                acuity=decide_acuity(vein, cue, mods, related) if status in ("present", "possible") else None,
                occlusion=decide_occlusion(cue, mods) if status in ("present", "possible") else None,
                section=sentence.section,
                anchor=anchor.span,
                cue=cue.span if cue is not None else None,
                sentence=(sentence.start, sentence.end),
                modifiers=mods,
                junction=group == "superficial" and near_junction(sentence, text, anchor, lexicon),
                order=anchor.start,
                change=change,
                change_cue=change_cue,
                prior=prior_state(cue, mods) if status == "historical" else None,
            ))
    return findings


def _sentence_findings(sentence: Sentence, view: _View, text: str, exam: str | None, carried: str | None, lexicon: Lexicon) -> list[Finding]:
    """The findings of one sentence: each vein with its cue, then the cues no vein took."""
    if not view.cues and not view.anchors:
        return []
    anchors = view.anchors
    cues = _naming_cues(sentence, view.cues)
    pairs = _anchor_cues(sentence, anchors, cues, lexicon)
    calf = any(a.value in REGION_SEGMENTS for a in anchors)  # only a bare calf or thigh names a place
    places = _places(sentence, pairs, anchors, lexicon) if calf else set()
    if places:
        pairs = [(a, c) for a, c in pairs if id(a) not in places]
    claimed = {id(c) for _, c in pairs if c is not None}
    pairs = range_fill(sentence, _regions_named_apart(pairs, anchors, calf), lexicon)
    pairs += _veinless_cues(sentence, anchors, cues, claimed, places, lexicon)
    if any(c is not None and c is not a and _of_another_exam(c) for a, c in pairs):
        pairs += _described_again(pairs, cues)
    return _pair_findings(sentence, view, pairs, cues, claimed, text, exam, carried, lexicon)


_TABLE_STATUS: dict[str, Status] = {"normal": "absent", "thrombus": "present", "possible": "possible", "not_evaluated": "not_evaluated"}


def _row_findings(sentence: Sentence, row: Row, readings: list[Reading], exam: str | None) -> list[Finding]:
    """Findings of one worksheet row: its vein from the first cell, its status from the cells."""
    vein = next((m for m in sentence.mentions if m.kind in ANCHOR_KINDS and row.vein.start <= m.start < row.vein.end), None)
    if vein is None or sentence.section in ("indication", "comparison", "technique", "exam"):
        return []
    side_word = next((m.value for m in sentence.mentions if m.kind == "side" and row.vein.start <= m.start < row.vein.end), None)
    out = []
    for reading in readings:
        side = side_word or reading.side or sentence.heading_side or (exam if exam in ("left", "right") else "unspecified")
        is_generic = vein.kind == "generic_deep"
        for one_side in expand_side("unspecified" if vein.value in MIDLINE_SEGMENTS else side, exam):
            status = _TABLE_STATUS[reading.status]
            out.append(Finding(
                segment=None if is_generic else vein.value, group=GENERIC_DEEP_GROUP if is_generic else vein.group or GENERIC_DEEP_GROUP,
                side=one_side, status=status, acuity=(reading.acuity or "unspecified") if status in ("present", "possible") else None,
                occlusion=reading.occlusion, section=sentence.section, anchor=vein.span,
                cue=TextSpan(reading.cell.start, reading.cell.end, reading.cell.text), sentence=(sentence.start, sentence.end),
                order=vein.start,
            ))
    return out


def _side_from_history(sentences: list[Sentence], findings: list[Finding], lexicon: Lexicon) -> list[Finding]:
    """"Hx: swollen L leg ... Duplex: DVT": with no side outside the history, a sideless present
    thrombus takes the one side the history names (a denial or a midline vein does not)."""
    if not any(f.side == "unspecified" and f.status == "present" for f in findings):
        return findings
    side = LEGS.get(named_side(sentences, lexicon, ("comparison",)) or "")
    if side is None:
        return findings
    return [replace(f, side=side) if f.side == "unspecified" and f.status == "present" and f.segment not in MIDLINE_SEGMENTS else f for f in findings]


class _Antecedents(NamedTuple):
    """The deep veins a sentence named, for "the vessel" / "veins throughout" in the next one."""

    key: tuple[int, int]  # (paragraph, section index)
    veins: list[Mention]  # with the veins a "from ... to" range fills
    uncued: bool  # none of them got a cue of its own ("compression from the EIV to the popliteal vein.")
    sides: frozenset[str]  # the side words of those veins


def _antecedents(sentence: Sentence, view: _View, found: list[Finding], lexicon: Lexicon) -> _Antecedents | None:
    veins = [a for a in view.anchors if a.kind == "segment" and a.group not in ("superficial", "upper")]
    if not veins:
        return None
    cued = {(f.anchor.start, f.anchor.end) for f in found if f.cue is not None}
    filled = [a for a, _ in range_fill(sentence, [(a, veins[0]) for a in veins], lexicon)]  # one shared stand-in cue
    sides = frozenset(side.value for a in veins if (side := view.anchor_sides.get(id(a))) is not None)
    return _Antecedents((sentence.paragraph, sentence.section_index), filled, not any((a.start, a.end) in cued for a in veins), sides)


def _resolve_anaphora(sentence: Sentence, view: _View, found: list[Finding], before: _Antecedents | None, lexicon: Lexicon) -> list[Finding]:
    """"Scans were taken of the right femoral vein. Absent compressibility of this vessel was
    consistent with clot.": "the vessel" (or "the vein(s)") in a sentence that names no vein is the
    vein just named; a bare "veins" ("noncompressible veins throughout") is the veins of the
    sentence before when those had no cue of their own."""
    if before is None or before.key != (sentence.paragraph, sentence.section_index) or any(a.kind == "segment" for a in view.anchors):
        return found
    if any(m.value in ("left", "right") and m.value not in before.sides for m in view.sides):
        return found  # "... in the left CFV. The veins of the right leg are compressible.": another leg's veins
    out: list[Finding] = []
    for f in found:
        word = f.anchor.text.lower()
        refs: list[Mention] = []
        if f.segment is None and f.group == GENERIC_DEEP_GROUP and (word in lexicon.definite_anaphors or (word == "veins" and before.uncued)):
            refs = before.veins[-1:] if word in lexicon.singular_anaphors else before.veins
        if refs:
            out.extend(replace(f, segment=a.value, group=a.group or GENERIC_DEEP_GROUP) for a in refs)
        else:
            out.append(f)
    return out


_RESULTS = ("present", "possible", "absent", "not_evaluated")


def _narrated_earlier_exams(sentences: list[Sentence], findings: list[Finding]) -> list[Finding]:
    """"An initial duplex showed peroneal DVT. A repeat duplex on day 5 was negative.": the last
    exam whose result is told decides; the results told before it (of its legs, when it names them)
    are history, unless it confirms them ("a formal duplex two days later confirmed the DVT")."""
    later = [(s.later_exam, s) for s in sentences if s.later_exam is not None and s.section in ("findings", "impression")]
    if not later or later[-1][1].confirms:
        return findings
    start = later[-1][0]
    legs = {f.side for f in findings if f.anchor.start >= start and f.status in _RESULTS} - {"unspecified"}  # the later exam's legs, if it names them

    def superseded(f: Finding) -> bool:
        return f.anchor.end <= start and f.status in _RESULTS and (not legs or f.side in legs)

    return [replace(f, status="historical") if superseded(f) else f for f in findings]


def _clinical_suspicions(sentences: list[Sentence], findings: list[Finding], lexicon: Lexicon) -> list[Finding]:
    """"an aching left thigh, concerning for a clot. The left leg scan was normal.": a vein-less
    possible DVT in a sentence that names no study, no vein and no other cue, told before any
    study is named and before a study's definite result on that side, is the clinical suspicion
    that led to the exam (hypothetical)."""
    told = [f for f in findings if f.status in ("present", "absent")]
    if not any(f.status == "possible" and f.segment is None for f in findings) or not told:
        return findings
    bare = {(s.start, s.end) for s in sentences if s.section == "findings" and not s.names_study and sum((m.kind in ANCHOR_KINDS and not is_bare_calf(m, lexicon)) or m.kind in CUE_KINDS for m in s.mentions) <= 2
            and not any(m.kind == "segment" and not is_bare_calf(m, lexicon) for m in s.mentions)}  # "thigh pain" names no vein
    studied = {(s.start, s.end) for s in sentences if s.names_study}
    first_study = min((start for start, _ in studied), default=0)  # a report titled "LEFT LEG DUPLEX" tells no suspicion before it

    def suspicion(f: Finding) -> bool:
        return f.status == "possible" and f.segment is None and f.sentence in bare and f.sentence[1] <= first_study and any(
            t.sentence in studied and t.sentence[0] > f.sentence[1] and t.side in (f.side, "unspecified") for t in told)

    return [replace(f, status="hypothetical") if suspicion(f) else f for f in findings]


def _compounds_named_apart(sentences: list[Sentence], findings: list[Finding]) -> list[Finding]:
    """"Imp: R iliofemoral DVT" after "thrombus R EIV to FV": a compound name summarises the veins of
    its run that the report names on that side with the same status (it adds none); only alone does
    it cover the run."""
    covers = {(m.start, m.end): m.covers for s in sentences for m in s.mentions if m.covers}
    if not covers:
        return findings
    named = {(f.side, f.segment, f.status) for f in findings if (f.anchor.start, f.anchor.end) not in covers}

    def summary(f: Finding) -> bool:
        run = covers.get((f.anchor.start, f.anchor.end))
        return run is not None and any((f.side, segment, f.status) in named for segment, _ in run)

    return [f for f in findings if not summary(f)]


def resolve(sentences: Iterable[Sentence], text: str, lexicon: Lexicon, table_rows: Sequence[tuple[Table, Row, list[Reading]]] = (), skip: Sequence[tuple[int, int]] = ()) -> tuple[list[Finding], set[Side]]:
    """All findings of a report and the sides it examines.

    Worksheet table rows are read by column; ``skip`` spans (legend lines) hold no findings.
    """
    sentences = list(sentences)
    titled = title_side(sentences, lexicon)
    exam = titled or named_side(sentences, lexicon)  # exam_side, with the title computed once
    tracker = SideTracker(lexicon)
    findings: list[Finding] = []
    table_spans = sorted({(table.start, table.end) for table, _, _ in table_rows})
    rows_by_start = {row.start: (row, readings) for _, row, readings in table_rows}
    views = [_view(sentence, lexicon) for sentence in sentences]
    before: _Antecedents | None = None
    for sentence, view in zip(sentences, views):
        carried = tracker.update(sentence, _Carried({id(a): view.anchor_sides[id(a)] for a in view.anchors if a.group != "upper" and not a.not_current}))
        if skip and any(start <= sentence.start < end for start, end in skip):
            continue
        if table_spans and any(start <= sentence.start < end for start, end in table_spans):
            for row_start, (row, readings) in rows_by_start.items():
                if sentence.start <= row_start < sentence.end:
                    findings.extend(_row_findings(sentence, row, readings, exam))
            continue
        found = _resolve_anaphora(sentence, view, _sentence_findings(sentence, view, text, exam, carried, lexicon), before, lexicon)
        findings.extend(found)
        before = _antecedents(sentence, view, found, lexicon) if view.anchors else None
    if exam is None:
        findings = _side_from_history(sentences, findings, lexicon)
    findings = _clinical_suspicions(sentences, _narrated_earlier_exams(sentences, _compounds_named_apart(sentences, findings)), lexicon)
    examined = {f.side for f in findings if f.status in ("present", "absent", "possible", "not_evaluated") and f.group != "upper"}
    examined.update(expand_side(titled, titled) if titled else ())
    unimaged: set[str] = set()  # legs said not to have been imaged ("the left leg was not examined")
    for sentence, view in zip(sentences, views):
        if sentence.heading_side in ("left", "right"):
            if _says_not_imaged(sentence, lexicon):
                unimaged.add(sentence.heading_side)  # "Right leg: not examined.", "Left: Not examined - below knee amputation"
            elif not sentence.mentions and _says_negative(sentence, lexicon):
                examined.add(sentence.heading_side)  # "RLE: neg."
        if sentence.mentions and sentence.section not in ("indication", "comparison"):
            if all(m.kind == "side" for m in sentence.mentions) and _says_negative(sentence, lexicon, skip=sentence.side_tokens):
                examined.update(s for m in sentence.mentions for s in expand_side(m.value, exam))  # "Left negative.", "Duplex negative bilaterally."
            else:
                examined.update(s for m in sentence.mentions if m.kind == "side" and _side_then_negative(sentence, m, lexicon) for s in expand_side(m.value, exam))  # "..., R neg"
        for m in view.anchors:
            side_word = view.anchor_sides[id(m)]
            if side_word is None:
                continue
            if not_imaged(m, lexicon):
                unimaged.update(expand_side(side_word.value, exam))
            elif sentence.section not in ("indication", "comparison") and m.group != "upper" and not m.not_current and not (is_bare_calf(m, lexicon) and not view.cues) and side_word.value in ("left", "right", "bilateral"):
                examined.update(expand_side(side_word.value, exam))
    examined -= unimaged - {f.side for f in findings if f.group != "upper"}  # "Bilateral venous US ... Left leg not examined (amputation)."
    other_leg = {"left": "right", "right": "left"}.get(titled or "")
    if other_leg and _only_veins_not_assessed([f for f in findings if f.side == other_leg and f.group != "upper"]):
        examined.discard(other_leg)
    apply_side_correction(findings, examined, sentences, lexicon)
    findings.sort(key=lambda f: (f.order, f.side))
    return findings, examined
