"""medspaCy Sectionizer configured with the duplex section headers of ``section_rules.json``."""
from __future__ import annotations

from medspacy.section_detection import SectionRule, Sectionizer
from spacy.language import Language

from ..rules import RuleSet


def make_sectionizer(nlp: Language, rules: RuleSet, name: str = "dvt_sections") -> Sectionizer:
    """A Sectionizer with our headers only; it sets no span attributes, and a header ends a sentence."""
    sectionizer = Sectionizer(nlp, name=name, rules=None, span_attrs=None, input_span_type=None, apply_sentence_boundary=True)
    sectionizer.add([SectionRule.from_dict(dict(entry)) for entry in rules.section_rules])
    return sectionizer
