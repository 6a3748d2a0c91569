"""ConText for duplex reports: medspaCy's ConText rules, matcher, modifiers and graph,
run sentence by sentence on the sentences that hold a target.

medspaCy's ConText component compares every modifier with every target of the whole
document; its scopes never cross a sentence, so building one medspaCy ``ConTextGraph`` per
sentence gives the same edges at a fraction of the cost. Rules come from
``context_rules.json`` (medspaCy's format) and are matched as literal phrases, or as a token
pattern where a rule has one ("in <year>"): looked up by first word (``token_patterns.py``), or
with spaCy's Matcher when a rule uses a pattern feature that lookup does not read. Modifiers that overlap a target are dropped, so
"no" inside the cue "no flow" never negates anything.
Side words, and the phrases that only outmatch a side word or cue ("DVT prophylaxis"), are not
ConText targets. The edges are kept in ``doc._.context_graph`` and, as plain
``[target start, target end, category, start, end, change]`` lists (``change``: the interval
change a rule's metadata states, else None), in ``doc._.dvt_modifiers``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
from medspacy.common.medspacy_matcher import MedspacyMatcher
from medspacy.context import ConTextGraph, ConTextModifier, ConTextRule
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from .extensions import CONTEXT_ATTRIBUTE, MODIFIERS_ATTRIBUTE, register_extensions
from .phrases import phrase_matcher
from .pruning import Match, prune_longest
from .token_patterns import TokenPatterns, compile_patterns
from ..rules import RuleSet
from .targets import SPAN_GROUP

NOT_TARGETS = ("SIDE", "NOT_SIDE", "NOT_CUE")  # side words, and phrases that only outmatch a side word or a cue


def first_token_alternatives(pattern: list[dict]) -> list[list[dict]]:
    """A token pattern whose first token is ``{ATTR: {"IN": [...]}}`` as one pattern per value.

    spaCy's Matcher tries the first token of every pattern at every token of the document; an
    ``IN`` set there is a Python call per token, a plain value is compared in C. Only the first
    token is split: later tokens are tried only where the first one matched. The values of one
    set are distinct, so the split patterns match exactly the spans the original matched."""
    first = pattern[0]
    if len(first) != 1 or "OP" in first:
        return [pattern]
    (attr, spec), = first.items()
    if not isinstance(spec, dict) or list(spec) != ["IN"]:
        return [pattern]
    return [[{attr: value}, *pattern[1:]] for value in dict.fromkeys(spec["IN"])]


def context_rules(rules: RuleSet) -> list[ConTextRule]:
    """ConTextRule objects from the validated JSON entries; a token pattern whose first token
    is a set of words becomes one rule per word (``first_token_alternatives``), in place."""
    built: list[ConTextRule] = []
    for entry in rules.context_rules:
        pattern = entry.get("pattern")
        variants = first_token_alternatives(pattern) if isinstance(pattern, list) else [pattern]
        built.extend(ConTextRule.from_dict({**entry, "pattern": variant}) if isinstance(pattern, list) else ConTextRule.from_dict(dict(entry)) for variant in variants)
    return built


def _scope(rule: ConTextRule, start: int, end: int, sent_start: int, sent_end: int) -> tuple[int, int]:
    """The scope ``ConTextModifier`` gives a modifier in the sentence [sent_start, sent_end)
    (its private ``__set_scope`` without ``max_scope`` on the modifier), passed in so that
    medspaCy does not look the sentence up through ``Token.sent`` for every modifier."""
    direction, limit = rule.direction.lower(), rule.max_scope
    if direction == "forward":
        return end, sent_end if limit is None or sent_end - end <= limit else end + limit
    if direction == "backward":
        return sent_start if limit is None or start - sent_start <= limit else start - limit, start
    if limit is None:
        return sent_start, sent_end
    return (sent_start if start - sent_start <= limit else start - limit), (sent_end if sent_end - end <= limit else end + limit)


class DuplexContext:
    """Attaches ConText modifiers to the vein and cue targets of each sentence."""

    def __init__(self, nlp: Language, rules: RuleSet, name: str = "dvt_context") -> None:
        register_extensions()
        self.name = name
        built = context_rules(rules)
        strings = nlp.vocab.strings
        token_rules = [(strings.add(f"{rule.category}_pattern_{n}"), rule) for n, rule in enumerate(r for r in built if isinstance(r.pattern, list))]
        lookup = compile_patterns([(key, rule.pattern) for key, rule in token_rules], strings)
        self.token_patterns: TokenPatterns | None  # None: no token patterns, or medspaCy's matcher has them
        self.matcher: Callable[[Doc], list[Match]]
        self.rule_of: dict[int, Any]  # match id -> ConTextRule
        if lookup is not None and not any(isinstance(r.pattern, str) for r in built):  # phrases on a PhraseMatcher, token patterns by first word
            self.token_patterns = lookup if token_rules else None
            self.matcher, self.rule_of = phrase_matcher(nlp, [r for r in built if r.pattern is None])
            self.rule_of.update(token_rules)
        else:  # a regex rule, or a pattern feature the lookup does not read: medspaCy's matcher for all (pruned below, faster)
            self.token_patterns = None
            medspacy = MedspacyMatcher(nlp, name=name, phrase_matcher_attr="LOWER", prune=False)
            medspacy.add(built)
            self.matcher = medspacy
            self.rule_of = {strings.add(rule_id): rule for rule_id, rule in medspacy.rule_map.items()}
        self.not_targets = frozenset(nlp.vocab.strings.add(label) for label in NOT_TARGETS)
        self.side = nlp.vocab.strings.add("SIDE")

    def _modifier_matches(self, doc: Doc) -> list[Match]:
        """Matches with overlaps pruned (the longest wins), plus any termination that a longer
        modifier swallowed at its own start: "showed no" still ends the scope of "anxious re"
        in "anxious re DVT, US showed no clot"."""
        matches = self.matcher(doc) if self.token_patterns is None else self.token_patterns(doc) + self.matcher(doc)
        kept = prune_longest(matches)
        if len(kept) == len(matches):
            return kept
        kept_set = set(kept)
        starts = {start for _, start, _ in kept}
        swallowed = [m for m in matches if m[1] in starts and m not in kept_set and self.rule_of[m[0]].direction.upper() == "TERMINATE"]
        return sorted(kept + swallowed, key=lambda m: (m[1], m[2])) if swallowed else kept

    def __call__(self, doc: Doc) -> Doc:
        targets: list[Span] = []
        side_before: dict[int, int] = {}  # "R neg": a side word opens the clause of the modifier right after it
        for span in doc.spans.get(SPAN_GROUP, []):
            label = span.label
            if label not in self.not_targets:
                targets.append(span)
            elif label == self.side:
                side_before[span.end] = span.start
        edges: list = []
        if targets:
            is_start = doc.to_array([SENT_START]).astype("int64") == 1
            is_start[0] = True  # Span.sent stops at the first token
            sentence_of = numpy.cumsum(is_start).tolist()
            bounds = [*numpy.flatnonzero(is_start).tolist(), len(doc)]  # sentence k is [bounds[k - 1], bounds[k])
            by_sentence: dict[int, tuple[list, list]] = {}
            for span in targets:
                by_sentence.setdefault(sentence_of[span.start], ([], []))[0].append(span)
            for match_id, start, end in self._modifier_matches(doc):
                k = sentence_of[start]
                group = by_sentence.get(k)
                if group is not None:
                    rule = self.rule_of[match_id]
                    scope = _scope(rule, start, end, bounds[k - 1], bounds[k])
                    if start in side_before and scope[0] < start:  # "L CFV thrombus, R neg": not back past its side word
                        scope = (max(scope[0], side_before[start]), scope[1])
                    group[1].append(ConTextModifier(rule, start, end, doc, *scope))
            for sentence_targets, modifiers in by_sentence.values():
                if not modifiers:
                    continue
                graph = ConTextGraph(targets=sentence_targets, modifiers=modifiers, prune_on_modifier_overlap=True)
                graph.update_scopes()
                graph.apply_modifiers()
                edges.extend(graph.edges)
        setattr(doc._, CONTEXT_ATTRIBUTE, ConTextGraph(targets=targets, edges=edges))
        plain = [[t.start, t.end, m.category, *m.modifier_span, (m.rule.metadata or {}).get("change")] for t, m in edges]
        setattr(doc._, MODIFIERS_ATTRIBUTE, plain)
        return doc
