"""Which side a mention is on: side words that qualify a finding or name the exam, the exam's
side from its title, and the side carried from one sentence to the next. Pure Python; the words
come from the :class:`~pipeline.core.lexicon.Lexicon`."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, cast

from .lexicon import Lexicon
from .linking import previous_words
from .model import Mention, Sentence, Side

class SentenceView(Protocol):
    """What the side tracker reads of the resolver's per-sentence view."""

    @property
    def anchor_sides(self) -> Mapping[int, Mention | None]: ...




def _names_purpose(sentence: Sentence, mention: Mention, following_word: str, study_nouns: frozenset[str]) -> bool:
    """A disease word that names what the exam looks for: "POCUS for DVT attempted", "US DVT (EM):";
    not "duplex for DVT of the left CFV" nor "Doppler DVT left popliteal" (a vein or side follows)."""
    before = previous_words(sentence, mention.tok_start, 2)
    if not before:
        return False
    if any(m.kind in ("segment", "generic_deep", "side") and 0 <= m.tok_start - mention.tok_end <= 2 for m in sentence.mentions):
        return False
    if before[0] == "for":
        return len(before) > 1 and before[1] in study_nouns
    return before[0] in study_nouns and following_word in ("", "(", ":", ",")


def names_exam(sentence: Sentence, mention: Mention, lexicon: Lexicon) -> bool:
    """A word that qualifies the exam, not a finding: "BILATERAL LE venous duplex:",
    "DVT study (bilat):", "DVT protocol"."""
    off = sentence.tok_start
    exam_nouns, study_nouns = lexicon.study_or_exam_nouns, lexicon.study_nouns
    window = sentence.tokens[mention.tok_end - off: mention.tok_end - off + 6]
    if mention.kind != "side":  # the first word after it
        following_word = next((t for t in window if not t.isspace()), "")
        return following_word in exam_nouns or (mention.disease and _names_purpose(sentence, mention, following_word, study_nouns))
    following = [t for t in window if not t.isspace()][:4]
    preceding = previous_words(sentence, mention.tok_start, 3)
    if preceding[:1] and preceding[0] in lexicon.result_words and any(m.kind in ("segment", "generic_deep") and 0 <= m.tok_start - mention.tok_end <= 1 for m in sentence.mentions):
        return False  # "Negative right leg venous duplex": the result of that leg
    for token in following:  # "left lower extremity venous duplex", not "left arm pain; an ultrasound"
        if token in exam_nouns:
            return True
        if token not in lexicon.exam_phrase_words:
            break
    if preceding[:1] and preceding[0] in study_nouns:
        return True  # "venous duplex bilat LE"
    vein_follows = any(m.kind == "segment" and 0 <= m.tok_start - mention.tok_end <= 1 for m in sentence.mentions)
    if preceding[:2] and preceding[0] == "," and preceding[1] in study_nouns and not vein_follows:
        return True  # "Venous doppler, bilateral - thrombus in ...", not "on duplex, left CFV ..."
    if "of" in preceding[:2] and any(t in study_nouns for t in preceding) and not vein_follows:
        return True  # "venous duplex of the lower extremities", not "duplex of the left calf veins"
    before = preceding[:2]  # previous_words(..., 2)
    return "(" in before and bool(following) and following[0] == ")" and any(t in exam_nouns for t in sentence.tokens[max(mention.tok_start - off - 4, 0): mention.tok_start - off])


def _qualifies_vein(sentence: Sentence, side: Mention) -> bool:
    """'contralateral' names a side only before a vein or limb ("contralateral CFV"), not in
    "the contralateral pair"; 'both' is not bilateral before the paired calf veins ("both
    paired anterior tibial veins"), before a bare "veins" ("PTV: thrombus (both veins)") or in
    "both of which"."""
    following = [m for m in sentence.mentions if m.kind in ("segment", "generic_deep") and 0 <= m.tok_start - side.tok_end <= 3]
    if side.value == "contralateral":
        return bool(following)
    if side.text.lower() == "both":
        off = sentence.tok_start
        after = [t for t in sentence.tokens[side.tok_end - off: side.tok_end - off + 2] if not t.isspace()]
        paired = any(m.group == "distal_axial" for m in following[:1])
        # "both common iliac veins" is bilateral; "thrombus in both" (the pair just named) is not
        return bool(following) and not (paired or after[:1] in (["paired"], ["of"], ["veins"], ["vessels"]))
    return True


def finding_sides(sentence: Sentence, lexicon: Lexicon) -> tuple[Mention, ...]:
    """The side words of a sentence that can qualify a finding."""
    return tuple(m for m in sentence.mentions if m.kind == "side" and not names_exam(sentence, m, lexicon) and _qualifies_vein(sentence, m))


def _names_arm(sentence: Sentence, side: Mention, lexicon: Lexicon) -> bool:
    """"left upper extremity", "right internal jugular vein": the side of an arm or neck vein."""
    off = sentence.tok_start
    following = [t for t in sentence.tokens[side.tok_end - off: side.tok_end - off + 3] if not t.isspace()]
    if bool(following) and following[0] in lexicon.arm_words:
        return True
    return any(m.group == "upper" and 0 <= m.tok_start - side.tok_end <= 1 for m in sentence.mentions)


def _side_only(sentence: Sentence) -> bool:
    """An exam line that is just a side word ("PROCEDURE: 93971 duplex scan. RIGHT.")."""
    if len(sentence.mentions) != 1 or sentence.mentions[0].kind != "side":
        return False
    side = sentence.mentions[0]
    rest = sentence.tokens[:side.tok_start - sentence.tok_start] + sentence.tokens[side.tok_end - sentence.tok_start:]
    return not any(t.isalnum() for t in rest)


def title_side(sentences: list[Sentence], lexicon: Lexicon) -> str | None:
    """left, right or bilateral as the exam title, EXAM section or an exam phrase says; else None.
    A side of an arm in a combined title ("RIGHT UPPER EXTREMITY AND LEFT LOWER EXTREMITY") is not a leg's,
    and an "Exam:" line of a clinical note that names no study ("Exam: L thigh larger than R") is no title."""
    exam_nouns = lexicon.study_or_exam_nouns
    titles = [s for s in sentences if s.section == "exam" and (any(t in exam_nouns or t in lexicon.title_words for t in s.tokens) or _side_only(s))]
    sides = {m.value for s in titles for m in s.mentions if m.kind == "side" and not _names_arm(s, m, lexicon)}
    if not sides:
        sides = {m.value for s in sentences if s.section not in ("indication", "comparison") for m in s.mentions if m.kind == "side" and names_exam(s, m, lexicon)}
    if "bilateral" in sides or {"left", "right"} <= sides:
        return "bilateral"
    if len(sides) == 1 and sides <= {"left", "right"}:
        return next(iter(sides))
    return None


def exam_side(sentences: list[Sentence], lexicon: Lexicon) -> str | None:
    """The exam's side from its title; else the only side the report names outside its history."""
    return title_side(sentences, lexicon) or named_side(sentences, lexicon)


def _about_an_arm(sentence: Sentence) -> bool:
    """"thrombus of the right internal jugular vein": its side word is no leg's."""
    veins = [m.group for m in sentence.mentions if m.kind == "segment"]
    return bool(veins) and all(g == "upper" for g in veins)


def named_side(sentences: list[Sentence], lexicon: Lexicon, sections: tuple[str, ...] = ("indication", "comparison")) -> str | None:
    """The only side the report names outside ``sections`` (its history), if there is one."""
    named = {m.value for s in sentences if s.section not in sections and not _about_an_arm(s) for m in s.mentions if m.kind == "side" and not _names_arm(s, m, lexicon)}
    named &= {"left", "right", "bilateral"}
    return next(iter(named)) if len(named) == 1 else None


LEGS: dict[str, Side] = {"left": "left", "right": "right"}  # a side word that names one leg
_OTHER_LEG: dict[str | None, Side] = {"left": "right", "right": "left"}


def expand_side(side: str, exam: str | None) -> list[Side]:
    """The legs a side word names: both for "bilateral", the one opposite ``exam`` for "contralateral"
    (else unspecified); any other value is a :data:`Side` (the rules allow no other side word)."""
    if side == "bilateral":
        return ["left", "right"]
    if side == "contralateral":
        return [_OTHER_LEG[exam]] if exam in _OTHER_LEG else ["unspecified"]
    return [cast(Side, side)]


class SideTracker:
    """Carries a side from one sentence to the next inside a paragraph of one section.

    Only a side that qualified a vein is carried ("In the right leg, the CFV is compressible.
    There is thrombus in the popliteal vein."), not one of a lymph node or a cyst.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.list_marker = lexicon.list_marker
        self.key: tuple[int, int] | None = None
        self.side: str | None = None

    def update(self, sentence: Sentence, view: SentenceView) -> str | None:
        key = (sentence.paragraph, sentence.section_index)
        if key != self.key or self.list_marker.match(next((t for t in sentence.tokens if not t.isspace()), "")):
            self.key, self.side = key, None  # numbered impression items stand alone
        carried = self.side
        arm = {id(m) for m in sentence.mentions if m.group == "upper"}  # "clot in the right internal jugular vein ... lower limbs: no DVT": an arm or neck side stays there
        values = {m.value for k, m in view.anchor_sides.items() if m is not None and k not in arm}
        if values:
            self.side = next(iter(values)) if len(values) == 1 and values <= {"left", "right"} else None
        return carried
