"""medspaCy ConText configured for duplex reports: our rules only, over the target span group.

Literal rules go to medspaCy's PhraseMatcher (fast); medspaCy tokenises each literal once,
with the pipeline built so far, when the component is made. Modifiers that overlap a target are dropped, so "no" inside the cue "no flow" never
negates anything. Side words are not ConText targets.
"""
from __future__ import annotations

from medspacy.context import ConText, ConTextRule
from spacy.language import Language

from ..rules import RuleSet
from .targets import SPAN_GROUP


def context_rules(rules: RuleSet) -> list[ConTextRule]:
    """ConTextRule objects from the validated JSON entries."""
    return [ConTextRule.from_dict(dict(entry)) for entry in rules.context_rules]


def make_context(nlp: Language, rules: RuleSet, name: str = "dvt_context") -> ConText:
    """A ConText component reading ``doc.spans["dvt_targets"]`` with the duplex rules."""
    context = ConText(
        nlp,
        name=name,
        rules=None,
        span_attrs=None,
        input_span_type="group",
        span_group_name=SPAN_GROUP,
        excluded_types={"SIDE"},
        prune_on_target_overlap=True,
    )
    context.add(context_rules(rules))
    return context
