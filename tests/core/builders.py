"""Hand-built :class:`~pipeline.core.model.Sentence` values for the pure core's tests (no spaCy).

A test names the words of its sentence and what each one is; the builder finds them in the text
and computes character and token offsets, as ``pipeline.nlp.doc_reader`` would::

    sentence("No thrombus in the left CFV.", clot("thrombus", neg("No")), side("left"), vein("CFV", "common_femoral"))

A mention phrase matches whole words, case-insensitively; a phrase named twice takes its next
occurrence (or ``nth=``). A modifier phrase takes its first occurrence (or ``nth=``), so one
"No" can reach both a cue and a vein, as ConText's modifiers do. Segment groups, side words and
disease words below are small hand-made tables in the shape of the bundled rules, not the rules;
``LEXICON`` is the bundled lexicon, which the functions under test read words by.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from pipeline.core.model import Mention, Modifier, Sentence
from pipeline.core.reading import Tokens
from pipeline.rules import load_rules

LEXICON = load_rules().lexicon  # the bundled words and patterns (patterns/lexicon.json)

GROUPS = {  # segment -> group, as the anatomy rules group them
    "ivc": "proximal", "common_iliac": "proximal", "external_iliac": "proximal", "common_femoral": "proximal",
    "femoral": "proximal", "deep_femoral": "proximal", "popliteal": "proximal",
    "tibioperoneal_trunk": "distal_axial", "posterior_tibial": "distal_axial", "anterior_tibial": "distal_axial",
    "peroneal": "distal_axial", "soleal": "distal_muscular", "gastrocnemius": "distal_muscular",
    "muscular_calf": "distal_muscular", "calf_unspecified": "distal_unspecified", "proximal_unspecified": "proximal",
    "great_saphenous": "superficial", "small_saphenous": "superficial", "superficial_other": "superficial",
    "upper_extremity": "upper",
}
SIDE_WORDS = {"left": "left", "lt": "left", "l": "left", "lle": "left", "right": "right", "rt": "right", "r": "right",
              "rle": "right", "bilateral": "bilateral", "bilat": "bilateral", "both": "bilateral",
              "contralateral": "contralateral"}
DISEASE_WORDS = frozenset({"thrombus", "thrombosis", "clot", "dvt", "deep vein thrombosis"})  # cues that name the disease

_TOKEN = re.compile(r"(?i:can)(?=not\b)|\d+(?:\.\d+)?|\w+|[^\w\s]|\s+")  # "cannot" is "can" "not", as in spaCy


@dataclass(frozen=True)
class Mod:
    """A ConText modifier to find in the text: its category and its words."""

    category: str
    phrase: str
    nth: int = 1
    change: str | None = None  # an interval change the rule's metadata states


@dataclass(frozen=True)
class Part:
    """A target mention to find in the text, with the fields of :class:`Mention`."""

    kind: str
    phrase: str
    value: str
    group: str | None = None
    acuity: str | None = None
    occlusion: str | None = None
    junction: bool = False
    implies: str | None = None
    disease: bool = False
    mods: tuple[Mod, ...] = ()
    nth: int | None = None
    change: str | None = None  # an interval change the cue states by itself ("now compressible")


def mod(category: str, phrase: str, nth: int = 1, change: str | None = None) -> Mod:
    return Mod(category, phrase, nth, change)


def neg(phrase: str, nth: int = 1) -> Mod:
    return Mod("NEGATED_EXISTENCE", phrase, nth)


def hedge(phrase: str, nth: int = 1) -> Mod:
    return Mod("POSSIBLE_EXISTENCE", phrase, nth)


def unseen(phrase: str, nth: int = 1) -> Mod:
    return Mod("NOT_EVALUATED", phrase, nth)


def vein(phrase: str, value: str, *mods: Mod, junction: bool = False, nth: int | None = None) -> Part:
    """A named vein segment ("popliteal vein", "CFV")."""
    return Part("segment", phrase, value, GROUPS[value], junction=junction, mods=mods, nth=nth)


def deep(phrase: str, *mods: Mod, nth: int | None = None) -> Part:
    """A generic deep-vein reference ("deep veins", "the vein")."""
    return Part("generic_deep", phrase, "generic_deep", mods=mods, nth=nth)


def side(phrase: str, *mods: Mod, value: str | None = None, nth: int | None = None) -> Part:
    """A side word; its value from :data:`SIDE_WORDS` unless given."""
    return Part("side", phrase, value or SIDE_WORDS[phrase.lower()], mods=mods, nth=nth)


def clot(phrase: str, *mods: Mod, acuity: str | None = None, occlusion: str | None = None, implies: str | None = None,
         disease: bool | None = None, nth: int | None = None, change: str | None = None) -> Part:
    """A thrombus cue ("thrombus", "noncompressible"); a disease word unless told otherwise."""
    value = phrase.lower()
    return Part("thrombus", phrase, value, GROUPS.get(implies or ""), acuity, occlusion, implies=implies,
                disease=value in DISEASE_WORDS if disease is None else disease, mods=mods, nth=nth, change=change)


def normal(phrase: str, *mods: Mod, nth: int | None = None, change: str | None = None) -> Part:
    """A normal cue ("compressible", "patent")."""
    return Part("normal", phrase, phrase.lower(), mods=mods, nth=nth, change=change)


def cue(kind: str, phrase: str, *mods: Mod, nth: int | None = None) -> Part:
    """Any other target kind: unassessable, assessable, explanation, nonvenous."""
    return Part(kind, phrase, phrase.lower(), mods=mods, nth=nth)


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-cased text) of each token; a single space between words is no token."""
    return [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text) if m.group() != " "]


def tokens(text: str) -> Tokens:
    """The token table of a one-sentence report, as the reader builds it from the Doc."""
    found = _tokens(text)
    return Tokens(text, [s for s, _, _ in found], [e for _, e, _ in found], [t.isspace() for _, _, t in found], [0],
                  [t for _, _, t in found])


def _find(text: str, phrase: str, nth: int) -> tuple[int, int]:
    pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE)
    found = list(pattern.finditer(text))
    if len(found) < nth:
        raise ValueError(f"{phrase!r} (occurrence {nth}) is not in {text!r}")
    return found[nth - 1].span()


def _token_span(tokens: list[tuple[int, int, str]], start: int, end: int, phrase: str) -> tuple[int, int]:
    starts = [i for i, (s, _, _) in enumerate(tokens) if s == start]
    ends = [i + 1 for i, (_, e, _) in enumerate(tokens) if e == end]
    if not starts or not ends:
        raise ValueError(f"{phrase!r} does not start and end on token boundaries")
    return starts[0], ends[0]


def _modifier(text: str, tokens: list[tuple[int, int, str]], spec: Mod) -> Modifier:
    start, end = _find(text, spec.phrase, spec.nth)
    tok_start, tok_end = _token_span(tokens, start, end, spec.phrase)
    return Modifier(spec.category, start, end, text[start:end], tok_start, tok_end, spec.change)


@dataclass(frozen=True)
class Line:
    """A sentence to build: its text, its parts and its placement in the report."""

    text: str
    parts: tuple[Part, ...]
    section: str = "findings"
    heading_side: str | None = None
    paragraph: int = 0
    section_index: int = 0


def line(text: str, *parts: Part, section: str = "findings", heading_side: str | None = None,
         paragraph: int = 0, section_index: int = 0) -> Line:
    """A sentence of a :func:`report`."""
    return Line(text, parts, section, heading_side, paragraph, section_index)


def _build(spec: Line, chars: int, toks: int) -> Sentence:
    """The sentence, its text starting at character ``chars`` and token ``toks`` of the report."""
    text = spec.text
    tokens = _tokens(text)
    used: dict[str, int] = {}
    mentions = []
    for part in spec.parts:
        key = part.phrase.lower()
        nth = part.nth or used.get(key, 0) + 1
        used[key] = nth
        start, end = _find(text, part.phrase, nth)
        tok_start, tok_end = _token_span(tokens, start, end, part.phrase)
        modifiers = sorted((_modifier(text, tokens, m) for m in part.mods), key=lambda m: (m.start, m.category))
        mentions.append(Mention(part.kind, part.value, chars + start, chars + end, text[start:end], toks + tok_start,
                                toks + tok_end, part.group, part.acuity, part.occlusion, part.junction, part.implies,
                                part.disease, tuple(_moved(m, chars, toks) for m in modifiers), change=part.change))
    mentions.sort(key=lambda m: (m.tok_start, m.tok_end))
    return Sentence(chars, chars + len(text), toks, toks + len(tokens), spec.section, spec.heading_side,
                    spec.paragraph, spec.section_index, tuple(t for _, _, t in tokens), tuple(mentions))


def _moved(m: Modifier, chars: int, toks: int) -> Modifier:
    return Modifier(m.category, m.start + chars, m.end + chars, m.text, m.tok_start + toks, m.tok_end + toks, m.change)


def sentence(text: str, *parts: Part, section: str = "findings", heading_side: str | None = None,
             paragraph: int = 0, section_index: int = 0) -> Sentence:
    """A sentence at the start of a report; its mentions sorted by position, as the reader sorts them."""
    return _build(Line(text, parts, section, heading_side, paragraph, section_index), 0, 0)


def report(*lines: Line, sep: str = " ") -> tuple[list[Sentence], str]:
    """The sentences of a report laid end to end (joined by ``sep``) and the report's text."""
    out, chars, toks = [], 0, 0
    for spec in lines:
        built = _build(spec, chars, toks)
        out.append(built)
        chars, toks = built.end + len(sep), built.tok_end
    return out, sep.join(spec.text for spec in lines)


def examples(*rows: tuple) -> list:
    """pytest parameters, one per example row; a row starts with its sentence, which names the case."""
    return [pytest.param(*row, id=row[0]) for row in rows]
