"""Literal phrase rules on spaCy's PhraseMatcher, added as medspaCy's matcher adds them (the
lower-cased literal, split by the pipeline's tokenizer, matched on LOWER, keyed
``<category>_<n>``), without the token Matcher and RegexMatcher passes it makes on every doc
for rule kinds these rule sets do not hold."""
from __future__ import annotations

from collections.abc import Sequence

from medspacy.common.base_rule import BaseRule
from spacy.language import Language
from spacy.matcher import PhraseMatcher


def phrase_matcher(nlp: Language, rules: Sequence[BaseRule]) -> tuple[PhraseMatcher, dict[int, BaseRule]]:
    """A PhraseMatcher for rules that are literal phrases, and the rule of each match id."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    rule_of: dict[int, BaseRule] = {}
    for n, rule in enumerate(rules):
        if rule.pattern is not None:
            raise ValueError(f"not a literal phrase rule: {rule.category} rule {n}")
        key = f"{rule.category}_{n}"
        matcher.add(key, [nlp.tokenizer(rule.literal.lower())], on_match=rule.on_match)
        rule_of[nlp.vocab.strings.add(key)] = rule
    return matcher, rule_of
