"""Library API: build the pipeline once, extract one report or many."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from spacy.language import Language

from .io.encoding import INVISIBLE
from .nlp.extensions import DOC_ATTRIBUTE
from .nlp.build import build_nlp
from .core.record import Record, error_record
from .rules import load_rules

MAX_CHARS = 1_000_000


def input_problem(text: object) -> str | None:
    """Why a report cannot be processed, or None when it can."""
    if text is None:
        return "empty report: text is null"
    if not isinstance(text, str):
        return f"report text must be a string, got {type(text).__name__}"
    if not text.strip(INVISIBLE):  # whitespace, NUL, zero-width characters, BOMs: nothing to read
        return "empty report: text is blank"
    if len(text) > MAX_CHARS:
        return f"report too long: {len(text)} characters (limit {MAX_CHARS})"
    return None


def clean_text(text: str) -> str:
    """Replace NUL and other C0 controls (but tab/newline/CR) by spaces; offsets are kept."""
    if text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable():
        return text  # the common case, checked in C; the generator below is per character
    return "".join(ch if ch.isprintable() or ch in "\t\n\r" else " " for ch in text)


class Extractor:
    """A built pipeline and the rules it was built from; reuse one for many reports."""

    def __init__(self, rules_dir: str | None = None, count_chronic: bool = False) -> None:
        self.rules = load_rules(rules_dir)
        self.nlp: Language = build_nlp(rules_dir, count_chronic)

    def extract(self, text: object, id: object = None) -> Record:  # noqa: A002 - matches the spec's API
        """The record of LABELS.md section 6 for one report; errors become an error record."""
        problem = input_problem(text)
        if problem:
            return error_record(id, problem, self.rules.rules_hash)
        assert isinstance(text, str)  # input_problem rejects anything else
        try:
            doc = self.nlp(clean_text(text))
        except Exception as exc:  # one bad report must not stop a batch
            return error_record(id, f"processing failed: {type(exc).__name__}: {exc}", self.rules.rules_hash)
        record: Record = getattr(doc._, DOC_ATTRIBUTE)
        return {**record, "id": id}

    def extract_many(self, items: Iterable[tuple[object, object]]) -> Iterator[Record]:
        """Records for (id, text) pairs, in input order."""
        for report_id, text in items:
            yield self.extract(text, report_id)


@lru_cache(maxsize=2)
def default_extractor(count_chronic: bool = False) -> Extractor:
    """The shared extractor with the bundled rules, built on first use."""
    return Extractor(count_chronic=count_chronic)


def extract(text: object, id: object = None, count_chronic: bool = False) -> Record:  # noqa: A002
    """Extract one report with the bundled rules."""
    return default_extractor(count_chronic).extract(text, id)


def extract_many(items: Iterable[tuple[object, object]], count_chronic: bool = False) -> Iterator[Record]:
    """Extract (id, text) pairs with the bundled rules, in order."""
    return default_extractor(count_chronic).extract_many(items)
