"""Section headers of a report, found by the pipeline's own section component, for display.

The extract record names each finding's section but not where the headers stand; the review
app marks them in the text, so it runs the tokenizer, sentence splitter and section component
(not targets, ConText or findings) on a report when it is first shown.
"""
from __future__ import annotations

import threading
from functools import lru_cache

import spacy
from spacy.language import Language

from .. import factories  # noqa: F401  (registers the factories)
from ..api import clean_text
from ..extensions import SECTIONS_ATTRIBUTE
from ..nlp import quiet_medspacy
from ..tokenizer import customize_tokenizer

_LOCK = threading.Lock()  # the server answers from threads; one spaCy pipeline is not shared across them


@lru_cache(maxsize=1)
def _sections_nlp() -> Language:
    quiet_medspacy()
    nlp = spacy.blank("en")
    customize_tokenizer(nlp)
    nlp.add_pipe("dvt_sentences")
    nlp.add_pipe("dvt_sections")
    return nlp


def section_headers(text: str) -> list[dict]:
    """[{name, start, end}] for every section header of ``text``, in order (character offsets)."""
    if not text or not text.strip():
        return []
    with _LOCK:
        doc = _sections_nlp()(clean_text(text))
    headers = []
    for section in getattr(doc._, SECTIONS_ATTRIBUTE) or ():
        if section.category is None or section.title_end <= section.title_start:
            continue
        span = doc[section.title_start:section.title_end]
        headers.append({"name": section.category, "start": span.start_char, "end": span.end_char})
    return headers
