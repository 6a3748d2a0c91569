"""Section headers of a report, found by the pipeline's own section component, for display.

The extract record names each finding's section but not where the headers stand; the review
app marks them in the text, so it runs the shared pipeline's tokenizer, sentence splitter and
section component (not targets, ConText or findings) on a report when it is first shown.
"""
from __future__ import annotations

import threading

from ..api import clean_text, default_extractor
from ..nlp.extensions import SECTIONS_ATTRIBUTE

SECTION_PIPES = ("dvt_sentences", "dvt_sections")
_LOCK = threading.Lock()  # the server answers from threads; one spaCy pipeline is not shared across them


def section_headers(text: str) -> list[dict]:
    """[{name, start, end}] for every section header of ``text``, in order (character offsets)."""
    if not text or not text.strip():
        return []
    nlp = default_extractor().nlp
    with _LOCK:
        doc = nlp.make_doc(clean_text(text))
        for name in SECTION_PIPES:
            doc = nlp.get_pipe(name)(doc)
    headers = []
    for section in getattr(doc._, SECTIONS_ATTRIBUTE) or ():
        if section.category is None or section.title_end <= section.title_start:
            continue
        span = doc[section.title_start:section.title_end]
        headers.append({"name": section.category, "start": span.start_char, "end": span.end_char})
    return headers
