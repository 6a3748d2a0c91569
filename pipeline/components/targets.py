"""Vein segments, side words and thrombus/normal cues, matched with medspaCy's TargetMatcher.

The rules are generated from the lexicon (``anatomy.json``, ``cues.json``) as literal
phrases, which medspaCy tokenises with the pipeline itself, so that "non-compressible" in
the lexicon and in a report split the same way. Each span's ``kb_id_`` indexes its
:class:`~pipeline.rules.Term`; overlapping matches keep the longest.
"""
from __future__ import annotations

from medspacy.target_matcher import TargetMatcher, TargetRule
from spacy.language import Language
from spacy.tokens import Doc

from ..rules import RuleSet, Term

SPAN_GROUP = "dvt_targets"


def token_pattern(nlp: Language, text: str) -> list[dict]:
    """A case-insensitive token pattern for a phrase, split by the pipeline's tokenizer."""
    return [{"LOWER": t.lower_} for t in nlp.tokenizer(text) if not t.is_space]


def target_rules(terms: tuple[Term, ...]) -> list[TargetRule]:
    """One TargetRule per surface form; the category is the term kind (SEGMENT, THROMBUS, ...).

    Literal rules go to medspaCy's PhraseMatcher on LOWER, far faster than token patterns.
    """
    return [TargetRule(literal=term.text, category=term.kind.upper(), metadata={"term": index}) for index, term in enumerate(terms)]


class DuplexTargets:
    """Writes matched targets to ``doc.spans["dvt_targets"]``."""

    def __init__(self, nlp: Language, rules: RuleSet, name: str = "dvt_targets") -> None:
        self.name = name
        self.terms = rules.terms
        self.matcher = TargetMatcher(nlp, name=f"{name}_matcher", result_type=None)
        self.matcher.add(target_rules(rules.terms))

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for span in self.matcher(doc):
            span.kb_id_ = str(span._.target_rule.metadata["term"])
            spans.append(span)
        doc.spans[SPAN_GROUP] = sorted(spans, key=lambda s: (s.start, s.end))
        return doc
