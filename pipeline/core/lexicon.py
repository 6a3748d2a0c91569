"""The words and patterns the pipeline reads text by (``patterns/lexicon.json``): pure, typed.

One field per named list of the file: a ``frozenset`` of lower-case words where only membership
counts, a ``tuple`` where order does (a prefix test, the tokenizer's special cases), a compiled
pattern for a regular expression. The rule loader validates the file and builds one
:class:`Lexicon` per rule set; the functions that read words take it as a parameter::

    lexicon.forward_links          "thrombus is seen in the popliteal vein": "in" points ahead
    lexicon.far_from_junction      "4 cm from the SFJ"

``row_labels`` comes from ``anatomy.json``: the groups of the veins a general row label heads
("Calf veins: thrombus in the medial gastrocnemius veins").
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Lexicon:
    """The compiled lists of ``lexicon.json`` (see each list's description there)."""

    strong_boundaries: frozenset[str]
    forward_links: frozenset[str]
    forward_stops: frozenset[str]
    list_glue: frozenset[str]
    predicate_verbs: frozenset[str]
    extension_glue: frozenset[str]
    landmark_nouns: frozenset[str]
    landmark_relations: frozenset[str]
    landmark_measures: frozenset[str]
    calf_location_words: frozenset[str]
    bare_anaphors: frozenset[str]
    singular_anaphors: frozenset[str]
    plural_anaphors: frozenset[str]
    calf_prepositions: frozenset[str]
    far_from_junction: re.Pattern[str]
    remote_from_junction: re.Pattern[str]
    vein_word: re.Pattern[str]
    untold_apart: frozenset[str]
    linked_to: frozenset[str]
    near_words: frozenset[str]
    stop_words: frozenset[str]
    gloss_list_words: frozenset[str]
    bare_regions: frozenset[str]
    range_words: frozenset[str]
    range_ends: frozenset[str]
    peroneal_followers: frozenset[str]
    exam_phrase_words: frozenset[str]
    study_nouns: frozenset[str]
    exam_nouns: frozenset[str]
    result_words: frozenset[str]
    title_words: frozenset[str]
    arm_words: frozenset[str]
    list_marker: re.Pattern[str]
    not_imaged: tuple[str, ...]
    bare_results: frozenset[str]
    explained_as: frozenset[str]
    correction_words: frozenset[str]
    correction_phrases: frozenset[str]
    wrong_markers: frozenset[str]
    visibility: re.Pattern[str]
    reach_words: frozenset[str]
    origin_words: frozenset[str]
    exam_words: re.Pattern[str]
    year: re.Pattern[str]
    today_words: frozenset[str]
    ticks: frozenset[str]
    ticked_boxes: frozenset[str]
    empty_boxes: frozenset[str]
    no_answers: frozenset[str]
    hedged_answers: frozenset[str]
    determiners: frozenset[str]
    quoted: re.Pattern[str]
    quoting: re.Pattern[str]
    hearsay: re.Pattern[str]
    abbreviations: frozenset[str]
    abbreviations_before_lower: frozenset[str]
    slash_abbreviations: tuple[str, ...]
    dotted_abbreviations: tuple[str, ...]
    row_labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)  # from anatomy.json

    # derived once at build time, for the per-sentence tests
    crossing_costs: Mapping[str, int] = field(init=False, repr=False, compare=False)  # "," 3, a strong boundary 100
    study_or_exam_nouns: frozenset[str] = field(init=False, repr=False, compare=False)  # "duplex", "study"
    anaphors: frozenset[str] = field(init=False, repr=False, compare=False)  # "vein", "the vessel", "the veins"
    definite_anaphors: frozenset[str] = field(init=False, repr=False, compare=False)  # "the vessel", "the veins"
    landmark_words: frozenset[str] = field(init=False, repr=False, compare=False)  # a landmark needs one of them
    not_imaged_first: frozenset[str] = field(init=False, repr=False, compare=False)  # "not"
    boxes: frozenset[str] = field(init=False, repr=False, compare=False)  # ticked or empty box characters

    def __post_init__(self) -> None:
        derived = {
            "crossing_costs": {",": 3, **dict.fromkeys(self.strong_boundaries, 100)},
            "study_or_exam_nouns": self.study_nouns | self.exam_nouns,
            "anaphors": self.bare_anaphors | self.singular_anaphors | self.plural_anaphors,
            "definite_anaphors": self.singular_anaphors | self.plural_anaphors,
            "landmark_words": (self.landmark_nouns | self.landmark_relations | self.untold_apart | self.near_words | self.stop_words
                               | {phrase.split()[0] for phrase in self.linked_to}),
            "not_imaged_first": frozenset(p.split()[0] for p in self.not_imaged),
            "boxes": self.ticked_boxes | self.empty_boxes,
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)


def list_kinds() -> dict[str, str]:
    """Each list of ``lexicon.json`` and its kind: ``words`` (a set), ``ordered`` (a tuple) or ``regex``."""
    kinds = {}
    for f in fields(Lexicon):
        if not f.init or f.name == "row_labels":
            continue
        kind = str(f.type)
        kinds[f.name] = "regex" if kind.startswith("re.Pattern") else "ordered" if kind.startswith("tuple") else "words"
    return kinds


def build_lexicon(data: Mapping[str, Any], row_labels: Mapping[str, tuple[str, ...]] | None = None) -> Lexicon:
    """The :class:`Lexicon` of a validated ``lexicon.json`` mapping (name -> {"words": [...]} or {"regex": "..."})."""
    values: dict[str, Any] = {}
    for name, kind in list_kinds().items():
        entry = data[name]
        if kind == "regex":
            values[name] = re.compile(entry["regex"])
        else:
            values[name] = tuple(entry["words"]) if kind == "ordered" else frozenset(entry["words"])
    return Lexicon(**values, row_labels=dict(row_labels or {}))
