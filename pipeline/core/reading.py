"""What the reader decides about the words of a report, on plain token arrays: pure, no spaCy.

The spaCy adapter (``pipeline.nlp.doc_reader``) reads a Doc into a :class:`Tokens` table and
asks these functions which targets to keep and how to amend them:

    quoted_spans       'the original report described "thrombus in ..."': no finding there
    unchecked          "[ ] Right  [x] Left": "Right" stands in an empty box's item
    answered_no        "DVT present: [ ] Yes [X] No": the question is answered no
    hedged_answer      "Thrombus: Possible": the answer hedges the cue
    whole_leg          "DVT of the entire left leg": all its deep veins
    ellipses           "common and external iliac veins": the common iliac vein too
    later_exam         "a repeat duplex showed ...": a later exam told from here
    diagnosed_now      "diagnosed with a popliteal DVT on duplex": this exam's finding
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from .lexicon import Lexicon
from .model import WHOLE_DEEP, Group, Mention, MentionKind, Modifier


@dataclass
class Tokens:
    """Token texts, offsets and sentence starts of a report, as plain lists."""

    text: str
    offsets: list[int]  # character offset of each token
    ends: list[int]  # character end of each token
    spaces: list[bool]  # a whitespace token ("\\n", "  ")
    starts: list[int]  # the tokens that start a sentence
    lowers: list[str]  # lower-cased token texts

    def chars(self, start: int, end: int) -> tuple[int, int, str]:
        """Character span and text of tokens [start, end)."""
        begin, finish = self.offsets[start], self.ends[end - 1]
        return begin, finish, self.text[begin:finish]


class Alias(Protocol):
    """What an alias of the rules names: a target kind, its value and its segment group."""

    @property
    def kind(self) -> str: ...

    @property
    def value(self) -> str: ...

    @property
    def group(self) -> Group | None: ...


def quoted_spans(text: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    """A report quoting an earlier one ('the original report described "thrombus in ..."') or a
    patient's words (pt states 'they found a clot'): the quotation holds no finding. A note
    quoting a whole result is read as usual; single quotes count only for a patient's words."""
    if '"' not in text and "“" not in text and "'" not in text and "‘" not in text:
        return []
    spans = []
    for m in lexicon.quoted.finditer(text):
        before = text[max(m.start() - 40, 0):m.start()]
        if lexicon.hearsay.search(before) or (m.group()[0] in '"“' and lexicon.quoting.search(before)):
            spans.append((m.start(), m.end()))
    return spans


CHECKABLE: frozenset[MentionKind] = frozenset({"side", "thrombus", "normal", "unassessable", "assessable"})
_BOX_REACH = 6  # words from a box to the end of its item ("[ ] Positive for DVT")


def box_at(lowers: list[str], end: int, lexicon: Lexicon) -> bool | None:
    """The check box that ends right before token ``end``: ticked (True), empty (False) or none."""
    if end >= 1 and lowers[end - 1] in lexicon.boxes:
        return lowers[end - 1] not in lexicon.empty_boxes
    if end >= 2 and lowers[end - 1] == "]":
        inner = lowers[end - 2]
        if inner == "[" or (inner.isspace() and end >= 3 and lowers[end - 3] == "["):
            return False
        return True if inner in lexicon.ticks and end >= 3 and lowers[end - 3] == "[" else None
    return None


def unchecked(lowers: list[str], start: int, lexicon: Lexicon) -> bool:
    """Whether a token stands in the item of an empty check box on its line ("[ ] Right",
    "☐ Right", "[ ] Positive for DVT"); the nearest box before it decides."""
    for i in range(start, max(start - _BOX_REACH, 1) - 1, -1):
        if "\n" in lowers[i - 1]:
            return False  # an item ends at its line
        box = box_at(lowers, i, lexicon)
        if box is not None:
            return not box
    return False


def answered_no(tokens: Tokens, end: int, lexicon: Lexicon) -> bool | None:
    """A question answered by boxes after it on its line ("DVT present: [ ] Yes [X] No"):
    True when the ticked box says no, None when no box follows, False otherwise."""
    lowers = tokens.lowers
    boxes = []
    for i in range(end, min(end + 12, len(lowers))):
        if "\n" in lowers[i]:
            break
        box = box_at(lowers, i, lexicon)
        if box is not None:
            boxes.append((box, lowers[i] if not tokens.spaces[i] else ""))
        elif not boxes and i - end > 4:
            return None  # the boxes must follow the question ("Thrombus seen: [ ] ...")
    if not boxes:
        return None
    return any(ticked and word in lexicon.no_answers for ticked, word in boxes)


def hedged_answer(tokens: Tokens, end: int, lexicon: Lexicon) -> Modifier | None:
    """A thrombus cell answered with a hedge ("Thrombus: Possible | Flow: ..."): that answer
    makes the cue possible, as "possible thrombus" would."""
    lowers, spaces = tokens.lowers, tokens.spaces
    i = end + (end < len(lowers) and spaces[end])
    if i + 1 >= len(lowers) or lowers[i] != ":":
        return None
    j = i + 1 + (spaces[i + 1] and "\n" not in lowers[i + 1])
    if j >= len(lowers) or lowers[j] not in lexicon.hedged_answers:
        return None
    begin, finish, text = tokens.chars(j, j + 1)
    return Modifier("POSSIBLE_EXISTENCE", begin, finish, text, j, j + 1)


def ellipses(mentions: list[Mention], tokens: Tokens, aliases: Mapping[str, Alias]) -> list[Mention]:
    """"common and external iliac veins", "anterior and posterior tibial veins": the first
    adjective names a vein too; with the last head noun alone when the whole head makes no vein
    ("sural and common femoral veins": the sural veins)."""
    lowers = tokens.lowers
    extra = []
    covered = None
    for m in mentions:
        if m.kind != "segment" or m.tok_start < 2 or lowers[m.tok_start - 1] not in ("and", "&", "/", ","):
            continue
        if covered is None:
            covered = {i for m in mentions for i in range(m.tok_start, m.tok_end)}
        if m.tok_start - 2 in covered:
            continue  # "external iliac and gastroc veins": the word before belongs to another vein
        adjective = lowers[m.tok_start - 2]
        heads = (lowers[k: m.tok_end] for k in range(m.tok_start + 1, m.tok_end))  # "muscular and superficial femoral veins": "muscular veins"
        term = next((t for head in heads if (t := aliases.get(" ".join([adjective, *head]))) is not None and t.kind == "segment"), None)
        if term is not None and term.value != m.value:
            begin, finish, text = tokens.chars(m.tok_start - 2, m.tok_start - 1)
            extra.append(replace(m, value=term.value, group=term.group, start=begin, end=finish, text=text, tok_start=m.tok_start - 2, tok_end=m.tok_start - 1))
    return extra


def whole_leg(mentions: list[Mention], tokens: Tokens, words: frozenset[str], determiners: frozenset[str]) -> list[Mention]:
    """"DVT of the entire left leg", "thrombus throughout the left lower limb": a generic deep
    mention right after a whole-leg word (determiners and side words aside) names all its deep veins."""
    if not any(m.kind == "generic_deep" for m in mentions):
        return mentions
    lowers, spaces = tokens.lowers, tokens.spaces
    sides = {i for m in mentions if m.kind == "side" for i in range(m.tok_start, m.tok_end)}
    out = []
    for m in mentions:
        if m.kind == "generic_deep" and m.value != WHOLE_DEEP:
            i = m.tok_start - 1
            while i >= 0 and (spaces[i] or i in sides or lowers[i] in determiners):
                i -= 1
            if i >= 0 and lowers[i] in words:
                m = replace(m, value=WHOLE_DEEP)
        out.append(m)
    return out


def later_exam(tokens: Tokens, start: int, end: int, qualifiers: frozenset[str], studies: frozenset[str], results: frozenset[str]) -> int | None:
    """Where a told later exam starts in tokens [start, end), as a character offset: "a repeat duplex
    showed", "a formal duplex of the leg was negative", "two days later, ultrasound revealed":
    a qualifier up to 4 words before a study noun, and a result word after it ("repeat US in 1 week
    is recommended" is a plan)."""
    words = [i for i in range(start, end) if not tokens.spaces[i]]
    lowers = tokens.lowers
    for n, i in enumerate(words):
        if lowers[i] in qualifiers:
            study = next((m for m in range(n + 1, min(n + 5, len(words))) if lowers[words[m]] in studies), None)
            if study is not None and any(lowers[k] in results for k in words[study + 1:]):
                return tokens.offsets[i]
    return None


def names_means(words: tuple[str, ...], means: frozenset[str], studies: frozenset[str]) -> bool:
    """"on duplex", "by ultrasound", "on a bedside ultrasound": the exam named as the means."""
    words = tuple(w for w in words if not w.isspace())
    return any(w in means and not studies.isdisjoint(words[i + 1:i + 4]) for i, w in enumerate(words))


def diagnosed_now(m: Mention) -> Mention:
    """A mention without the history that "diagnosed with" gave it."""
    kept = tuple(x for x in m.modifiers if not (x.category == "HISTORICAL" and "diagnosed" in x.text.lower()))
    return m if len(kept) == len(m.modifiers) else replace(m, modifiers=kept)
