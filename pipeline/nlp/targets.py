"""Vein segments, side words and thrombus/normal cues, matched with medspaCy target rules.

The rules are generated from the lexicon (``anatomy.json``, ``cues.json``): one medspaCy
``TargetRule`` per surface form, matched as a literal phrase on LOWER by medspaCy's matcher
(tokenised with the pipeline's tokenizer, so "non-compressible" in the lexicon and in a report
split the same way); overlapping matches keep the longest. A phrase split by a run of spaces
inside a line ("comp  PART" in a fixed-width worksheet) still matches, over the space token.
Results are written twice: as the span group ``dvt_targets`` (label = kind, ``kb_id_`` = index
of the :class:`~pipeline.rules.Term`) for ConText and for people, and as plain
``[start, end, term index]`` lists in ``Doc._.dvt_targets`` for the resolver.
"""
from __future__ import annotations

import numpy
from medspacy.target_matcher import TargetRule
from spacy.attrs import IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc, Span

from .extensions import TARGETS_ATTRIBUTE, register_extensions
from .phrases import phrase_matcher
from .pruning import prune_longest
from ..rules import RuleSet, Term

SPAN_GROUP = "dvt_targets"


def target_rules(terms: tuple[Term, ...]) -> list[TargetRule]:
    """One TargetRule per surface form; the category is the term kind (SEGMENT, THROMBUS, ...)."""
    return [TargetRule(literal=term.text, category=term.kind.upper(), metadata={"term": index}) for index, term in enumerate(terms)]


class DuplexTargets:
    """Matches the lexicon and writes ``doc.spans["dvt_targets"]`` and ``doc._.dvt_targets``."""

    def __init__(self, nlp: Language, rules: RuleSet, name: str = "dvt_targets") -> None:
        register_extensions()
        self.name = name
        self.matcher, by_key = phrase_matcher(nlp, target_rules(rules.terms))  # pruned below, faster than medspaCy's
        strings = nlp.vocab.strings
        # match id -> (term index, label hash, knowledge-base id hash): no string store look-ups per match
        self.rule_of = {key: (rule.metadata["term"], strings.add(rule.category), strings.add(str(rule.metadata["term"])))
                        for key, rule in by_key.items()}

    def _across_spaces(self, doc: Doc, runs: list[int]) -> list[tuple[int, int, int]]:
        """Matches that a run of spaces inside a line splits ("POP  comp  PART" in a fixed-width
        worksheet): matched again on the doc without those space tokens, mapped back."""
        skip = set(runs)
        kept = [i for i in range(len(doc)) if i not in skip]
        compact = Doc(doc.vocab, words=[doc[i].text for i in kept])
        return [(match_id, kept[start], kept[end - 1] + 1) for match_id, start, end in self.matcher(compact)
                if kept[end - 1] - kept[start] != end - 1 - start]

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc)
        runs = [i for i in numpy.flatnonzero(doc.to_array(IS_SPACE)).tolist() if "\n" not in doc[i].text]
        if runs:
            matches += self._across_spaces(doc, runs)
        found = sorted((start, end, *self.rule_of[match_id]) for match_id, start, end in prune_longest(matches))
        doc.spans[SPAN_GROUP] = [Span(doc, start, end, label=label, kb_id=kb_id) for start, end, _, label, kb_id in found]
        setattr(doc._, TARGETS_ATTRIBUTE, [[start, end, term] for start, end, term, _, _ in found])
        return doc
