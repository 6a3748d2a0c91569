"""The findings component: reads the doc, resolves and classifies (pure), writes ``Doc._.dvt``.

The span group ``dvt_evidence`` holds the segment mention and cue of every finding of the record,
labelled ``<side>:<segment>:<status>``, for displaCy or review tools.
"""
from __future__ import annotations

from spacy.attrs import IDX, LENGTH, ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc, Span

from .extensions import DOC_ATTRIBUTE, register_extensions
from ..core.comparison import follow_up
from ..core.record import build_record
from ..core.resolve import resolve
from ..rules import RuleSet
from ..core.worksheets import read_tables
from .doc_reader import read_sentences

EVIDENCE_GROUP = "dvt_evidence"


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined from one array instead of a Token object per token."""
    strings = doc.vocab.strings
    return "".join([strings[orth] + " " if space else strings[orth] for orth, space in doc.to_array([ORTH, SPACY]).tolist()])


def char_spans(doc: Doc, parts: list[tuple[int, int, str]]) -> list[Span]:
    """``doc.char_span(start, end, label=...)`` (strict: None unless both ends fall on token
    boundaries) for each part, through two offset tables built once per doc."""
    if not parts:
        return []
    table = doc.to_array([IDX, LENGTH]).tolist()
    first = {idx: i for i, (idx, _) in enumerate(table)}
    after = {idx + length: i + 1 for i, (idx, length) in enumerate(table)}
    return [Span(doc, first[start], after[end], label=label) for start, end, label in parts
            if start in first and end in after and first[start] < after[end]]


class DuplexFindings:
    """Sets ``doc._.dvt`` to the report record (with ``id`` None) and the evidence span group."""

    def __init__(self, nlp: Language, rules: RuleSet, name: str = "dvt_findings", count_chronic: bool = False) -> None:
        register_extensions()
        self.name = name
        self.rules = rules
        self.count_chronic = count_chronic

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        rows, legends = read_tables(text, self.rules.table_vocab)
        sentences = read_sentences(doc, self.rules, text)
        findings, examined = resolve(sentences, text, self.rules.lexicon, rows, legends)
        comparison = None
        if self.rules.comparison is not None:
            findings, comparison = follow_up(sentences, text, self.rules.comparison, findings)
        record = build_record(None, findings, examined, self.rules.rules_hash, self.count_chronic, comparison)
        setattr(doc._, DOC_ATTRIBUTE, record)
        parts = []
        for finding in record["findings"]:
            label = f"{finding['side']}:{finding['segment'] or 'deep'}:{finding['status']}"
            evidence = finding["evidence"]
            parts.extend((part["start"], part["end"], label) for part in (evidence, evidence["cue"]) if part)
        doc.spans[EVIDENCE_GROUP] = char_spans(doc, parts)
        return doc
