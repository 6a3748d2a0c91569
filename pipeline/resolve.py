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
from dataclasses import replace
from typing import NamedTuple

from .assertion import decide_acuity, decide_occlusion, decide_status
from .linking import best_cue, best_side, between, cue_score
from .model import GENERIC_DEEP_GROUP, Finding, Mention, Sentence, TextSpan
from .tables import Reading, Row, Table

ANCHOR_KINDS = ("segment", "generic_deep")
CUE_KINDS = ("thrombus", "normal", "unassessable", "assessable")
AXIAL_CHAIN = ("ivc", "common_iliac", "external_iliac", "common_femoral", "femoral", "popliteal", "tibioperoneal_trunk")
MIDLINE_SEGMENTS = ("ivc",)
RELATED_CUE_LIMIT = 20
LANDMARK_NOUNS = frozenset({"confluence", "junction", "origin", "inflow", "insertion"})
LANDMARK_RELATIONS = frozenset({"below", "above", "from", "distal", "proximal", "beyond", "short"})
LIMB_WORDS = frozenset({"leg", "limb", "lower extremity", "extremity", "lower limb", "calf", "thigh"})
CALF_LOCATION_WORDS = frozenset({"mid", "upper", "lower", "proximal", "distal", "medial", "lateral", "posterior", "anterior", "entire", "whole", "mid-calf", "midcalf", "ankle", "knee"})
CALF_PREPOSITIONS = frozenset({"in", "at", "of", "to", "throughout", "within", "into", "through"})
EXAM_PHRASE_WORDS = frozenset({"lower", "extremity", "extremities", "le", "les", "leg", "legs", "limb", "limbs", "venous", "vein", "veins", "deep", "dvt", "-", "(", ")", "duplex", "doppler"})
STUDY_NOUNS = frozenset({"duplex", "doppler", "dopplers", "ultrasound", "us", "sonogram", "sonography", "scan"})
EXAM_NOUNS = frozenset({"duplex", "doppler", "dopplers", "ultrasound", "us", "sonogram", "sonography", "exam", "examination", "study", "scan", "evaluation", "imaging"})
_FAR_FROM_JUNCTION = re.compile(r"(\d+(?:\.\d+)?)\s*(cm|centimeters?)\s+(from|below|distal to|caudal to|away from|inferior to)")
_REMOTE_FROM_JUNCTION = re.compile(r"\b(remote from|distant from|far from|well below|away from|sparing|spares|not involving|does not involve|without involvement of)\b")
NEAR_JUNCTION_CM = 3.0


def names_exam(sentence: Sentence, mention: Mention) -> bool:
    """A word that qualifies the exam, not a finding: "BILATERAL LE venous duplex:",
    "DVT study (bilat):", "DVT protocol"."""
    off = sentence.tok_start
    following = [t for t in sentence.tokens[mention.tok_end - off: mention.tok_end - off + 6] if not t.isspace()][:4]
    if mention.kind != "side":
        return bool(following) and following[0] in EXAM_NOUNS
    for token in following:  # "left lower extremity venous duplex", not "left arm pain; an ultrasound"
        if token in EXAM_NOUNS:
            return True
        if token not in EXAM_PHRASE_WORDS:
            break
    preceding = _previous_words(sentence, mention.tok_start, 3)
    vein_follows = any(m.kind == "segment" and 0 <= m.tok_start - mention.tok_end <= 1 for m in sentence.mentions)
    if "of" in preceding[:2] and any(t in STUDY_NOUNS for t in preceding) and not vein_follows:
        return True  # "venous duplex of the lower extremities", not "duplex of the left calf veins"
    before = _previous_words(sentence, mention.tok_start, 2)
    return "(" in before and bool(following) and following[0] == ")" and any(t in EXAM_NOUNS for t in sentence.tokens[max(mention.tok_start - off - 4, 0): mention.tok_start - off])


def _qualifies_vein(sentence: Sentence, side: Mention) -> bool:
    """'contralateral' names a side only before a vein or limb ("contralateral CFV"), not in
    "the contralateral pair"; 'both' is not bilateral before the paired calf veins ("both
    paired anterior tibial veins") or in "both of which"."""
    following = [m for m in sentence.mentions if m.kind in ("segment", "generic_deep") and 0 <= m.tok_start - side.tok_end <= 3]
    if side.value == "contralateral":
        return bool(following)
    if side.text.lower() == "both":
        off = sentence.tok_start
        after = [t for t in sentence.tokens[side.tok_end - off: side.tok_end - off + 2] if not t.isspace()]
        paired = any(m.group == "distal_axial" for m in following[:1])
        return not (paired or after[:1] in (["paired"], ["of"]))
    return True


def finding_sides(sentence: Sentence) -> tuple[Mention, ...]:
    """The side words of a sentence that can qualify a finding."""
    return tuple(m for m in sentence.mentions if m.kind == "side" and not names_exam(sentence, m) and _qualifies_vein(sentence, m))


def _names_arm(sentence: Sentence, side: Mention) -> bool:
    off = sentence.tok_start
    following = [t for t in sentence.tokens[side.tok_end - off: side.tok_end - off + 3] if not t.isspace()]
    return bool(following) and following[0] in ("upper", "arm", "arms", "ue", "neck")


def title_side(sentences: list[Sentence]) -> str | None:
    """left, right or bilateral as the exam title, EXAM section or an exam phrase says; else None.
    A side of an arm in a combined title ("RIGHT UPPER EXTREMITY AND LEFT LOWER EXTREMITY") is not a leg's."""
    sides = {m.value for s in sentences if s.section == "exam" for m in s.mentions if m.kind == "side" and not _names_arm(s, m)}
    if not sides:
        sides = {m.value for s in sentences if s.section not in ("indication", "comparison") for m in s.mentions if m.kind == "side" and names_exam(s, m)}
    if "bilateral" in sides or {"left", "right"} <= sides:
        return "bilateral"
    if len(sides) == 1 and sides <= {"left", "right"}:
        return next(iter(sides))
    return None


def exam_side(sentences: list[Sentence]) -> str | None:
    """The exam's side from its title; else the only side the report names outside its history."""
    titled = title_side(sentences)
    if titled:
        return titled
    named = {m.value for s in sentences if s.section not in ("indication", "comparison") for m in s.mentions if m.kind == "side"}
    named &= {"left", "right", "bilateral"}
    return next(iter(named)) if len(named) == 1 else None


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
    return not any(cm > NEAR_JUNCTION_CM for cm in far) and not _REMOTE_FROM_JUNCTION.search(body)


_VEIN_WORD = re.compile(r"vein|sinus|plexus|\bv\b|vv")
_LIST_MARKER = re.compile(r"^(\(?\d{1,2}[.)]?|[-*•])$")


class _SideTracker:
    """Carries a side from one sentence to the next inside a paragraph of one section.

    Only a side that qualified a vein is carried ("In the right leg, the CFV is compressible.
    There is thrombus in the popliteal vein."), not one of a lymph node or a cyst.
    """

    def __init__(self) -> None:
        self.key: tuple[int, int] | None = None
        self.side: str | None = None

    def update(self, sentence: Sentence, view: "_View") -> str | None:
        key = (sentence.paragraph, sentence.section_index)
        first = next((t for t in sentence.tokens if not t.isspace()), "")
        if key != self.key or _LIST_MARKER.match(first):
            self.key, self.side = key, None  # numbered impression items stand alone
        carried = self.side
        values = {m.value for m in view.anchor_sides.values() if m is not None}
        if values:
            self.side = next(iter(values)) if len(values) == 1 and values <= {"left", "right"} else None
        return carried


def _followed_by_nonvenous(sentence: Sentence, anchor: Mention, mentions: tuple[Mention, ...]) -> bool:
    """'popliteal artery', 'fem-pop bypass graft': a vein word that names something else."""
    position = anchor.tok_end
    for m in mentions:
        if m.tok_start < position:
            continue
        if m.tok_start > position:
            gap = between(sentence, Mention("", "", 0, 0, "", position, position), m)
            if any(t not in ("-", "/", "and") for t in gap):
                return False
        if m.kind == "nonvenous":
            return True
        if m.kind != "segment":
            return False
        position = m.tok_end
    return False


def _is_landmark(sentence: Sentence, anchor: Mention) -> bool:
    """A vein named only to locate something else: "1.5 cm below its confluence with the CFV",
    "protrudes to the confluence with the femoral vein", "5 cm from the popliteal vein"."""
    before = _previous_words(sentence, anchor.tok_start, 5)
    if before[:1] in (["with"], ["of"]) and any(w in LANDMARK_NOUNS for w in before[1:3]):
        return True  # "below its confluence with the CFV", "below the confluence of the ATV"
    if any(w in LANDMARK_RELATIONS for w in before[:2]):
        return any(w in ("cm", "mm", "just", "immediately") for w in before)  # "2 cm below", "to just below"
    return False


def _anchors(sentence: Sentence) -> list[Mention]:
    """Vein mentions that can hold a finding (not arteries, grafts, landmarks, or the head noun of a list)."""
    mentions = sentence.mentions
    anchors = []
    for m in mentions:
        if m.kind not in ANCHOR_KINDS or _followed_by_nonvenous(sentence, m, mentions) or _is_landmark(sentence, m):
            continue
        if m.kind == "generic_deep" and m.tok_start > sentence.tok_start and sentence.tokens[m.tok_start - sentence.tok_start - 1] == ")":
            continue  # "deep femoral (profunda) vein": the head noun after a parenthesis
        if m.value in ("gastrocnemius", "soleal") and not _VEIN_WORD.search(m.text.lower()) and any(x.kind == "nonvenous" for x in mentions):
            continue  # "in the medial gastrocnemius is a haematoma": the muscle, not its veins
        if m.kind == "generic_deep" and anchors and anchors[-1].kind == "segment" and m.tok_start == anchors[-1].tok_end:
            continue
        if anchors and between(sentence, anchors[-1], m) in (("(",), ("/",)):
            continue  # "soleal vein (intramuscular calf vein)": the same vein named twice
        anchors.append(m)
    return anchors


def _previous_words(sentence: Sentence, position: int, n: int = 3) -> list[str]:
    """Up to ``n`` words before a token position, skipping spaces, side words and articles."""
    off = sentence.tok_start
    sides = {i for m in sentence.mentions if m.kind == "side" for i in range(m.tok_start, m.tok_end)}
    words = []
    for i in range(position - 1, sentence.tok_start - 1, -1):
        token = sentence.tokens[i - off]
        if token.isspace() or i in sides or token in ("the", "a", "an"):
            continue
        words.append(token)
        if len(words) == n:
            break
    return words


def _bare_calf_ok(sentence: Sentence, anchor: Mention, cue: Mention | None, anchors: list[Mention]) -> bool:
    """'calf' (or 'below knee') alone names the calf veins ("left calf DVT", "calf and soleal
    veins", "below knee DVT"), not a place ("below-knee GSV thrombus").

    It is a place after a location word ("the mid calf") or after a preposition that follows a
    named vein ("peroneal vein in the calf"), and in a sentence about a superficial vein.
    """
    if anchor.value != "calf_unspecified" or anchor.text.lower() not in ("calf", "below knee", "below-knee"):
        return True
    if cue is None or any(a.group == "superficial" for a in anchors):
        return False
    if len([t for t in between(sentence, anchor, cue) if not t.isspace() and t not in ("the", "a", "left", "right")]) > 2:
        return False  # "calf tenderness and a Doppler study showed no DVT": the DVT is not the calf's
    before = _previous_words(sentence, anchor.tok_start)
    if before and before[0] in CALF_LOCATION_WORDS:
        return False
    named_before = any(a.kind == "segment" and a is not anchor and a.tok_end <= anchor.tok_start for a in anchors)
    return not (before and before[0] in CALF_PREPOSITIONS and named_before)


def _range_fill(sentence: Sentence, pairs: list[tuple[Mention, Mention | None]]) -> list[tuple[Mention, Mention | None]]:
    """'from the CFV through the popliteal vein' also involves the femoral vein between them."""
    off = sentence.tok_start
    extra = []
    segs = [(a, c) for a, c in pairs if a.kind == "segment" and a.value in AXIAL_CHAIN and c is not None]
    for (a, ca), (b, cb) in zip(segs, segs[1:]):
        if ca is not cb:
            continue
        before = sentence.tokens[max(a.tok_start - off - 3, 0): a.tok_start - off]
        gap = between(sentence, a, b)
        if "from" not in before or not any(t in ("through", "to", "into", "thru") for t in gap):
            continue
        lo, hi = sorted((AXIAL_CHAIN.index(a.value), AXIAL_CHAIN.index(b.value)))
        for value in AXIAL_CHAIN[lo + 1: hi]:
            span_text = f"{a.text}…{b.text}"
            extra.append((Mention("segment", value, a.start, b.end, span_text, a.tok_start, b.tok_end, group="proximal" if value != "tibioperoneal_trunk" else "distal_axial", modifiers=a.modifiers), ca))
    return pairs + extra


class _View(NamedTuple):
    """What the resolver needs of a sentence, computed once."""

    anchors: list[Mention]
    sides: tuple[Mention, ...]
    cues: tuple[Mention, ...]
    anchor_sides: dict[int, Mention | None]  # id(anchor) -> its side word


def _explained(cues: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Echoes "consistent with slow flow" or artifact are not thrombus: in a sentence with an
    explanation, echo and material cues count as normal."""
    if not any(c.kind == "explanation" for c in cues):
        return cues
    return tuple(replace(c, kind="normal") if c.kind == "thrombus" and ("echo" in c.value or "material" in c.value) else c for c in cues if c.kind != "explanation")


_EMPTY_VIEW = _View([], (), (), {})


def _view(sentence: Sentence) -> _View:
    if not sentence.mentions:
        return _EMPTY_VIEW
    anchors = _anchors(sentence)
    sides = finding_sides(sentence)
    cues = _explained(tuple(m for m in sentence.mentions if m.kind in CUE_KINDS + ("explanation",) and not names_exam(sentence, m)))
    return _View(anchors, sides, cues, {id(a): best_side(sentence, a, sides) if sides else None for a in anchors})


def _sentence_findings(sentence: Sentence, view: _View, text: str, exam: str | None, carried: str | None) -> list[Finding]:
    mentions = sentence.mentions
    if not view.cues and not view.anchors:
        return []
    cues, sides, anchors = view.cues, view.sides, view.anchors
    nonvenous = [m for m in mentions if m.kind == "nonvenous"]
    pairs: list[tuple[Mention, Mention | None]] = [(a, best_cue(sentence, a, cues)) for a in anchors]
    pairs = [(a, c) for a, c in pairs if _bare_calf_ok(sentence, a, c, anchors)]
    claimed = {id(c) for _, c in pairs if c is not None}
    named_distal = {id(c) for a, c in pairs if c is not None and a.group in ("distal_axial", "distal_muscular")}
    pairs = [(a, c) for a, c in pairs if not (a.value == "calf_unspecified" and c is not None and id(c) in named_distal)]
    named = {id(c) for a, c in pairs if c is not None and a.kind == "segment"}
    pairs = [(a, c) for a, c in pairs if not (a.kind == "generic_deep" and c is not None and id(c) in named)]  # "in the lower leg": a place
    pairs = _range_fill(sentence, pairs)
    if not pairs and not nonvenous and not any(m.kind in ANCHOR_KINDS for m in mentions):
        # a bare cue stands for the leg's deep veins ("No DVT."), unless the sentence names a
        # cyst, graft or aneurysm, or a vein only as a landmark ("ends 4 cm below the SFJ")
        for cue in cues:
            if id(cue) not in claimed:
                pairs.append((cue, cue))
    findings = []
    for anchor, cue in pairs:
        implied = anchor.implies if anchor.kind in CUE_KINDS else None
        is_generic = not implied and (anchor.kind in CUE_KINDS or anchor.kind == "generic_deep")
        vein = None if anchor.kind in CUE_KINDS else anchor
        status, mods = decide_status(vein, cue, sentence.section)
        if status is None:
            continue
        related = tuple(c for c in cues if c.kind == "thrombus" and c is not cue and cue_score(sentence, anchor, c, cues) <= RELATED_CUE_LIMIT) if cue is not None and cue.kind == "thrombus" else ()
        side_word = view.anchor_sides[id(anchor)] if id(anchor) in view.anchor_sides else best_side(sentence, anchor, sides)
        side = side_word.value if side_word else sentence.heading_side or carried or (exam if exam in ("left", "right") else "unspecified")
        group = GENERIC_DEEP_GROUP if is_generic else anchor.group or ""
        segment = None if is_generic else implied or anchor.value
        if segment in MIDLINE_SEGMENTS:
            side = "unspecified"
        for one_side in _expand(side, exam):
            findings.append(Finding(
                segment=segment,
                group=group,
                side=one_side,
                status=status,
                acuity=decide_acuity(vein, cue, mods, related) if status in ("present", "possible") else None,
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


_TABLE_STATUS = {"normal": "absent", "thrombus": "present", "possible": "possible", "not_evaluated": "not_evaluated"}


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
        for one_side in _expand("unspecified" if vein.value in MIDLINE_SEGMENTS else side, exam):
            status = _TABLE_STATUS[reading.status]
            out.append(Finding(
                segment=None if is_generic else vein.value, group=GENERIC_DEEP_GROUP if is_generic else vein.group or "",
                side=one_side, status=status, acuity=(reading.acuity or "unspecified") if status in ("present", "possible") else None,
                occlusion=reading.occlusion, section=sentence.section, anchor=vein.span,
                cue=TextSpan(reading.cell.start, reading.cell.end, reading.cell.text), sentence=(sentence.start, sentence.end),
                order=vein.start,
            ))
    return out


def resolve(sentences: Iterable[Sentence], text: str, table_rows: list[tuple[Table, Row, list[Reading]]] = (), skip: list[tuple[int, int]] = ()) -> tuple[list[Finding], set[str]]:
    """All findings of a report and the sides it examines.

    Worksheet table rows are read by column; ``skip`` spans (legend lines) hold no findings.
    """
    sentences = list(sentences)
    exam = exam_side(sentences)
    tracker = _SideTracker()
    findings: list[Finding] = []
    table_spans = sorted({(table.start, table.end) for table, _, _ in table_rows})
    rows_by_start = {row.start: (row, readings) for _, row, readings in table_rows}
    views = [_view(sentence) for sentence in sentences]
    for sentence, view in zip(sentences, views):
        carried = tracker.update(sentence, view)
        if any(start <= sentence.start < end for start, end in skip):
            continue
        if any(start <= sentence.start < end for start, end in table_spans):
            for row_start, (row, readings) in rows_by_start.items():
                if sentence.start <= row_start < sentence.end:
                    findings.extend(_row_findings(sentence, row, readings, exam))
            continue
        findings.extend(_sentence_findings(sentence, view, text, exam, carried))
    examined = {f.side for f in findings if f.status in ("present", "absent", "possible", "not_evaluated") and f.group != "upper"}
    titled = title_side(sentences)
    examined.update(_expand(titled, titled) if titled else ())
    for sentence, view in zip(sentences, views):
        if sentence.section in ("indication", "comparison"):
            continue
        for m in view.anchors:
            if m.group not in ("upper",):
                side_word = view.anchor_sides[id(m)]
                if side_word and side_word.value in ("left", "right", "bilateral"):
                    examined.update(_expand(side_word.value, exam))
    findings.sort(key=lambda f: (f.order, f.side))
    return findings, examined
