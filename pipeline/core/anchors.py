"""Which vein mentions can hold a finding: not arteries or grafts, not landmarks ("2 cm below
the SFJ"), not a bare "calf" that only places something, not a head noun repeated after a list.
Pure Python; the words come from the :class:`~pipeline.core.lexicon.Lexicon`."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .lexicon import Lexicon
from .linking import between, previous_words
from .model import Mention, Sentence

ANCHOR_KINDS = ("segment", "generic_deep")
AXIAL_CHAIN = ("ivc", "common_iliac", "external_iliac", "common_femoral", "femoral", "popliteal", "tibioperoneal_trunk")
NEAR_JUNCTION_CM = 3.0
_GENERAL_CALF = ("muscular_calf", "calf_unspecified")


def followed_by_nonvenous(sentence: Sentence, anchor: Mention, mentions: tuple[Mention, ...]) -> bool:
    """'popliteal artery', 'fem-pop bypass graft': a vein word that names something else."""
    position = anchor.tok_end
    off = sentence.tok_start
    for m in mentions:
        if m.tok_start < position:
            continue
        if m.tok_start > position:
            gap = sentence.tokens[max(position - off, 0): max(m.tok_start - off, 0)]  # the words in between
            if any(t not in ("-", "/", "and") for t in gap):
                return False
        if m.kind == "nonvenous":
            return True
        if m.kind != "segment":
            return False
        position = m.tok_end
    return False




def is_landmark(sentence: Sentence, anchor: Mention, lexicon: Lexicon) -> bool:
    """A vein named only to locate something else: "1.5 cm below its confluence with the CFV",
    "protrudes to the confluence with the femoral vein", "5 cm from the popliteal vein",
    "a perforator connecting to the posterior tibial veins"."""
    before = previous_words(sentence, anchor.tok_start, 5)
    if not lexicon.untold_apart.isdisjoint(before[:4]):
        return True  # "calf veins show thrombus (unable to distinguish PTV from peroneal)": neither is named as its site
    if before[:1] in (["with"], ["of"]) and any(w in lexicon.landmark_nouns for w in before[1:3]):
        return True  # "below its confluence with the CFV", "below the confluence of the ATV"
    if before[:1] in (["below"], ["above"], ["beyond"]):
        return True  # "thrombus in the calf veins, below the popliteal vein"
    if any(w in lexicon.landmark_relations for w in before[:2]):
        return any(w in lexicon.landmark_measures for w in before)  # "2 cm below", "to just below", "at any level below"
    if len(before) >= 2 and f"{before[1]} {before[0]}" in lexicon.linked_to:
        return True  # "a thrombosed perforator connecting to the posterior tibial veins"
    if before[:1] == ["at"] and before[1:2] and before[1] in lexicon.stop_words:
        return True  # "TPT thrombus which stops at the popliteal vein": its upper limit, not a vein it fills
    return not lexicon.near_words.isdisjoint(before[:2])  # "protruding toward the popliteal v."


def _is_preposition_per(sentence: Sentence, m: Mention, lexicon: Lexicon) -> bool:
    off = sentence.tok_start
    before = previous_words(sentence, m.tok_start, 1)
    after = [t for t in sentence.tokens[m.tok_end - off: m.tok_end - off + 3] if not t.isspace()]
    return before[:1] == ["as"] or not after or after[0] not in lexicon.peroneal_followers


def _restates(previous: Mention, m: Mention, gap: tuple[str, ...]) -> bool:
    """"soleal vein (intramuscular calf vein)", "calf/soleal": the same vein named twice;
    "CFV/FV" names two veins."""
    if gap == ("(",):
        return True
    general = (previous.kind == "generic_deep" or previous.value in _GENERAL_CALF or m.kind == "generic_deep" or m.value in _GENERAL_CALF)
    return gap == ("/",) and general


def _deep_junction(m: Mention, mentions: tuple[Mention, ...]) -> bool:
    """"CFV noncompressible with clot at the SFJ level", "the thrombus extends to the SFJ and into
    the external iliac vein": a junction named beside a deep vein, with no saphenous vein, only
    places the deep thrombus."""
    return m.junction and not any(x.group == "superficial" and not x.junction for x in mentions) and any(
        x.kind == "segment" and x.group not in ("superficial", "upper") for x in mentions)




def _heads_named_veins(sentence: Sentence, m: Mention, row_labels: Mapping[str, tuple[str, ...]]) -> bool:
    """"Calf veins: thrombus in the medial gastrocnemius veins", "Superficial: thrombus in the
    GSV": a general row label followed by a named vein of its kind names no vein of its own."""
    after = [t for t in sentence.tokens[m.tok_end - sentence.tok_start:] if not t.isspace()]
    groups = row_labels[m.value]
    return after[:1] == [":"] and any(x.tok_start > m.tok_end and x.group in groups and x.value != m.value for x in sentence.mentions)




def _glosses(sentence: Sentence, lexicon: Lexicon) -> list[tuple[int, int]]:
    """Token spans of parentheses that define the vein before them: "soleal veins (deep
    veins that drain into the popliteal vein)", "TPT (the short vein formed by the PTV
    and peroneal veins)": a vein noun within its first two words, then more words."""
    off, tokens, spans = sentence.tok_start, sentence.tokens, []
    ends = {m.tok_end for m in sentence.mentions if m.kind == "segment"}
    starts = {m.tok_start: m.tok_end for m in sentence.mentions if m.kind in ANCHOR_KINDS}
    for i, token in enumerate(tokens):
        if token != "(" or off + i not in ends:
            continue
        words = [k for k in range(i + 1, len(tokens)) if not tokens[k].isspace() and tokens[k] not in ("the", "a", "an")][:3]
        first = next((off + k for k in words if off + k in starts), None)
        if first is not None and first - off - i <= 4:
            close = next((k for k in range(i, len(tokens)) if tokens[k] == ")"), len(tokens))
            named = sentence.named_tokens
            if any(not tokens[k].isspace() and tokens[k] not in lexicon.gloss_list_words and off + k not in named for k in range(i + 1, close)):
                spans.append((first, off + close))  # not a bare list of veins ("calf veins (posterior tibial and peroneal)")
    return spans


def _companion_vein(sentence: Sentence, m: Mention) -> bool:
    """"the popliteal vein compresses; no flow in the popliteal artery and vein":
    a bare vein named with an artery is the artery's companion, which the sentence names on its own."""
    if m.text.lower() not in ("vein", "veins") or previous_words(sentence, m.tok_start, 1) not in (["or"], ["and"]):
        return False
    artery = next((x for x in reversed(sentence.mentions) if x.tok_end < m.tok_start), None)
    if artery is None or artery.kind != "nonvenous" or m.tok_start - artery.tok_end > 2:
        return False
    name = artery.text.lower().split()[0]
    return any(x.kind == "segment" and x.text.lower().split()[0] == name for x in sentence.mentions)


def vein_anchors(sentence: Sentence, lexicon: Lexicon) -> list[Mention]:
    """Vein mentions that can hold a finding (not arteries, grafts, landmarks, or the head noun of a list)."""
    mentions = sentence.mentions
    glosses = _glosses(sentence, lexicon) if "(" in sentence.tokens else []
    row_labels = lexicon.row_labels
    anchors: list[Mention] = []
    nonvenous = any(m.kind == "nonvenous" for m in mentions)  # else nothing is followed by one
    landmarks = not lexicon.landmark_words.isdisjoint(sentence.tokens)  # else no vein is a landmark
    for m in mentions:
        if m.kind not in ANCHOR_KINDS or (nonvenous and followed_by_nonvenous(sentence, m, mentions)) or (landmarks and is_landmark(sentence, m, lexicon)):
            continue
        if nonvenous and m.kind == "generic_deep" and _companion_vein(sentence, m):
            continue
        if _deep_junction(m, mentions):
            continue
        if glosses and m.kind == "segment" and any(lo < m.tok_start < hi for lo, hi in glosses):
            continue  # a vein named in a definition of another vein: "(deep veins that drain into the popliteal vein)"
        if m.value in row_labels and _heads_named_veins(sentence, m, row_labels):
            continue
        if m.kind == "generic_deep" and m.tok_start > sentence.tok_start and sentence.tokens[m.tok_start - sentence.tok_start - 1] == ")":
            continue  # "deep femoral (profunda) vein": the head noun after a parenthesis
        if m.value in ("gastrocnemius", "soleal") and not lexicon.vein_word.search(m.text.lower()) and any(x.kind == "nonvenous" for x in mentions):
            continue  # "in the medial gastrocnemius is a haematoma": the muscle, not its veins
        if m.kind == "generic_deep" and m.text.lower() in lexicon.anaphors and anchors and anchors[-1].kind == "segment":
            if anchors[-1].group == "superficial":
                continue  # "thrombus in a varicose tributary, vein partially compressible": that vein again
            if m.text.lower() in lexicon.definite_anaphors:
                m = replace(m, kind="segment", value=anchors[-1].value, group=anchors[-1].group)  # "... in the popliteal vein ...; the vein compresses": the popliteal again
        if m.text.lower() == "per" and _is_preposition_per(sentence, m, lexicon):
            continue  # "as per protocol", "Per OSH records": not the peroneal vein
        if m.kind == "generic_deep" and anchors and anchors[-1].kind == "segment" and m.tok_start == anchors[-1].tok_end:
            continue
        if anchors and _restates(anchors[-1], m, between(sentence, anchors[-1], m)):
            if m.kind == "segment" and (anchors[-1].kind == "generic_deep" or (anchors[-1].value in _GENERAL_CALF and m.value not in _GENERAL_CALF)):
                anchors[-1] = m  # "intramuscular (gastrocnemius) calf vein", "DVT in the right leg (posterior tibial)": the specific name wins
            continue  # "soleal vein (intramuscular calf vein)": the same vein named twice
        anchors.append(m)
    return anchors


REGION_SEGMENTS = ("calf_unspecified", "proximal_unspecified")


def is_bare_calf(anchor: Mention, lexicon: Lexicon) -> bool:
    """"calf", "thigh", "below knee" alone, with no vein word: a place or a symptom ("calf pain",
    "thigh swelling") unless a cue makes it the region's deep veins."""
    return anchor.value in REGION_SEGMENTS and anchor.text.lower() in lexicon.bare_regions


def bare_calf_ok(sentence: Sentence, anchor: Mention, cue: Mention | None, anchors: list[Mention], lexicon: Lexicon) -> bool:
    """'calf' (or 'below knee') alone names the calf veins ("left calf DVT", "calf and soleal
    veins", "below knee DVT"), not a place ("below-knee GSV thrombus").

    It is a place after a location word ("the mid calf") or after a preposition that follows a
    named vein ("peroneal vein in the calf"), and in a sentence about a superficial vein.
    """
    if not is_bare_calf(anchor, lexicon):
        return True
    if cue is None or any(a.group == "superficial" for a in anchors):
        return False
    following = [t for t in sentence.tokens[anchor.tok_end - sentence.tok_start: anchor.tok_end - sentence.tok_start + 2] if not t.isspace()]
    if following[:1] in (["segment"], ["portion"], ["part"]):
        return False  # "popliteal DVT (below-knee segment)": a part of the named vein
    if any(m.kind == "nonvenous" and 0 <= m.tok_start - anchor.tok_end <= 1 for m in sentence.mentions):
        return False  # "thrombosed thigh AV graft", "calf haematoma": the place of something else
    others = {i for a in anchors if a is not anchor for i in range(a.tok_start, a.tok_end)} | {i for m in sentence.mentions if m.kind == "side" for i in range(m.tok_start, m.tok_end)}  # "Lt", "R"
    lo = min(anchor.tok_end, cue.tok_end)
    gap = [t for i, t in enumerate(between(sentence, anchor, cue), start=lo) if not t.isspace() and t not in ("the", "a", "left", "right", "(", ")") and i not in others]
    if len(gap) > 2:
        return False  # "calf tenderness and a Doppler study showed no DVT": the DVT is not the calf's
    before = [w for w in previous_words(sentence, anchor.tok_start) if w != "-"]  # "mid-calf"
    if before and before[0] in lexicon.calf_location_words:
        return False
    named_before = any(a.kind == "segment" and a.value not in REGION_SEGMENTS and a.tok_end <= anchor.tok_start for a in anchors)
    return not (before and before[0] in lexicon.calf_prepositions and named_before)


_CALF_END = AXIAL_CHAIN.index("popliteal") + 0.5  # "clot ran from the CFV to the calf veins": down to the popliteal


def _chain_position(m: Mention) -> float | None:
    """Where a vein stands on the axial chain; a calf vein (not the TPT) just below the popliteal."""
    if m.value in AXIAL_CHAIN:
        return AXIAL_CHAIN.index(m.value)
    return _CALF_END if m.group in ("distal_axial", "distal_unspecified") else None


def _is_range(before: tuple[str, ...], gap: tuple[str, ...], lexicon: Lexicon) -> bool:
    """"from the CFV to the popliteal", "CFV thru popliteal", "the CFV up to the popliteal vein"."""
    if "from" in before and not lexicon.range_ends.isdisjoint(gap):
        return True
    return not lexicon.range_words.isdisjoint(gap) or ("to" in gap and ("up" in gap or "down" in gap))


def range_fill(sentence: Sentence, pairs: list[tuple[Mention, Mention | None]], lexicon: Lexicon) -> list[tuple[Mention, Mention | None]]:
    """'from the CFV through the popliteal vein' also involves the femoral vein between them, and
    'iliofemoral' every vein it covers (``Mention.covers``)."""
    off = sentence.tok_start
    extra = [(replace(a, value=value, group=group, covers=()), c) for a, c in pairs if a.covers and c is not None for value, group in a.covers if value != a.value]
    segs = [(a, c, p) for a, c in pairs if a.kind == "segment" and c is not None and (p := _chain_position(a)) is not None]
    for (a, ca, pa), (b, cb, pb) in zip(segs, segs[1:]):
        if ca is not cb or not _is_range(sentence.tokens[max(a.tok_start - off - 3, 0): a.tok_start - off], between(sentence, a, b), lexicon):
            continue
        lo, hi = sorted((pa, pb))
        for value in AXIAL_CHAIN[int(lo) + 1: int(hi + 0.5)]:
            span_text = f"{a.text}…{b.text}"
            extra.append((Mention("segment", value, a.start, b.end, span_text, a.tok_start, b.tok_end, group="proximal" if value != "tibioperoneal_trunk" else "distal_axial", modifiers=a.modifiers), ca))
    return pairs + extra


def near_junction(sentence: Sentence, text: str, anchor: Mention, lexicon: Lexicon) -> bool:
    """A superficial thrombus at or into the SFJ/SPJ (not 'N cm from' it, N > 3)."""
    body = text[sentence.start:sentence.end].lower()
    junction_named = anchor.junction or "junction" in body or any(m.junction for m in sentence.mentions)
    if not junction_named:
        return False
    far = [float(m.group(1)) for m in lexicon.far_from_junction.finditer(body)]
    return not any(cm > NEAR_JUNCTION_CM for cm in far) and not lexicon.remote_from_junction.search(body)
