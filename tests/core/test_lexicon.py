"""The lexicon (patterns/lexicon.json): every list it holds is read by the code, and it builds typed."""
from __future__ import annotations

import inspect
import re
from dataclasses import fields
from pathlib import Path

from pipeline.core.lexicon import Lexicon, list_kinds

from .builders import LEXICON

PIPELINE = Path(__file__).resolve().parents[2] / "pipeline"


def _read_in(source: str, name: str) -> bool:
    return re.search(rf"\.{name}\b", source) is not None


def test_every_list_of_the_lexicon_is_read_by_the_code():
    """Each list is read outside the lexicon module, or by a derived set that is (strong_boundaries: crossing_costs)."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in PIPELINE.rglob("*.py") if p.name != "lexicon.py")
    derived = [f.name for f in fields(Lexicon) if not f.init]
    deriving = inspect.getsource(Lexicon.__post_init__)
    assert [name for name in derived if not _read_in(code, name)] == []
    assert [name for name in [*list_kinds(), "row_labels"] if not (_read_in(code, name) or _read_in(deriving, name))] == []


def test_each_list_has_its_type():
    assert isinstance(LEXICON, Lexicon)
    assert isinstance(LEXICON.forward_links, frozenset)  # membership only
    assert isinstance(LEXICON.not_imaged, tuple)  # a prefix test takes a tuple
    assert isinstance(LEXICON.far_from_junction, re.Pattern)


def test_derived_sets_are_built_with_the_lexicon():
    assert LEXICON.crossing_costs[","] == 3 and LEXICON.crossing_costs["but"] == 100  # "no DVT on the right, but ..."
    assert "connecting" in LEXICON.landmark_words  # "a perforator connecting to the PTV"
    assert LEXICON.definite_anaphors == LEXICON.singular_anaphors | LEXICON.plural_anaphors  # "the vessel", "the veins"
