"""The doc reader's token table (pipeline.nlp.doc_reader) is the one the pure reading tests build by hand
(tests/core/builders.py): the same words, offsets and whitespace tokens, from spaCy's tokenizer alone.

Each row: a text the reading tests read."""
from __future__ import annotations

import pytest
import spacy

from pipeline.nlp.doc_reader import _tokens
from pipeline.nlp.tokenizer import customize_tokenizer

from .core.builders import tokens


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    customize_tokenizer(nlp)
    return nlp


@pytest.mark.parametrize("text", [
    "Side: [ ] Right [x] Left",
    "☐ Right ☒ Left",
    "[ ]\nRight leg",
    "DVT present: [ ] Yes [X] No",
    "Thrombus: Possible | Flow: normal",
    "Thrombus in the common and external iliac veins.",
    "DVT of the entire left leg.",
    "A repeat duplex showed thrombus.",
])
def test_the_doc_readers_token_table_is_the_hand_built_one(nlp, text):
    read, built = _tokens(nlp(text), text), tokens(text)
    assert (read.lowers, read.offsets, read.ends, read.spaces) == (built.lowers, built.offsets, built.ends, built.spaces)
