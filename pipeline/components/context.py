"""medspaCy ConText configured for duplex reports: our rules only, over the target span group.

Literal-only rules from ``context_rules.json`` are turned into token patterns with the
pipeline's tokenizer (medspaCy would otherwise run the whole pipeline on every literal).
Modifiers that overlap a target are dropped, so "no" inside the cue "no flow" never
negates anything. Side words are not ConText targets.
"""
from __future__ import annotations

from medspacy.context import ConText, ConTextRule
from spacy.language import Language

from ..rules import RuleSet
from .targets import SPAN_GROUP, token_pattern


def context_rules(nlp: Language, rules: RuleSet) -> list[ConTextRule]:
    """ConTextRule objects from the validated JSON entries."""
    built = []
    for entry in rules.context_rules:
        entry = dict(entry)
        entry.setdefault("pattern", token_pattern(nlp, entry["literal"]))
        built.append(ConTextRule.from_dict(entry))
    return built


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
    context.add(context_rules(nlp, rules))
    return context
