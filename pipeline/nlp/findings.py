"""The findings component: reads the doc, resolves and classifies (pure), writes ``Doc._.dvt``.

The span group ``dvt_evidence`` holds the segment mention and cue of every finding of the record,
labelled ``<side>:<segment>:<status>``, for displaCy or review tools.
"""
from __future__ import annotations

from spacy.attrs import ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc

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
        doc.spans[EVIDENCE_GROUP] = [span for start, end, label in parts if (span := doc.char_span(start, end, label=label)) is not None]
        return doc
