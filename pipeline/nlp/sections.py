"""Report sections with medspaCy's section rules (``section_rules.json``, SectionRule format).

Literal headers are found with medspaCy's matcher, token patterns with :class:`HeaderPatterns`
(only where they can match), and assembled into medspaCy ``Section`` objects in
``doc._.sections``: each section runs from its header to the next one. A header starts a
sentence and so does the text after it. Unlike medspaCy's Sectionizer, no per-token
attribute is written (``token._.section`` for every token costs more than the matching);
the resolver reads the section list.
"""
from __future__ import annotations

import re

from medspacy.common.medspacy_matcher import MedspacyMatcher
from medspacy.section_detection import Section, SectionRule
from spacy.language import Language
from spacy.tokens import Doc

from .extensions import SECTIONS_ATTRIBUTE, register_extensions
from .header_patterns import HeaderPatterns
from .pruning import prune_longest
from ..rules import RuleSet

_DATE = re.compile(r"^\d{1,4}(?:[/.-]\d{1,4})*$")


class DuplexSections:
    """Sets ``doc._.sections`` to a list of medspaCy ``Section`` objects, in order."""

    def __init__(self, nlp: Language, rules: RuleSet, name: str = "dvt_sections") -> None:
        register_extensions()
        self.name = name
        section_rules = [SectionRule.from_dict(dict(entry)) for entry in rules.section_rules]
        self.matcher = MedspacyMatcher(nlp, name=name, phrase_matcher_attr="LOWER", prune=False)  # pruned below, faster
        self.matcher.add([rule for rule in section_rules if rule.pattern is None])
        self.rule_map = dict(self.matcher.rule_map)
        patterns = {f"{rule.category}_pattern_{i}": rule for i, rule in enumerate(section_rules) if rule.pattern is not None}
        self.rule_map.update(patterns)
        self.patterns = HeaderPatterns(nlp, ((key, rule.pattern) for key, rule in patterns.items()))
        self.strings = nlp.vocab.strings

    def _without_dated_headers(self, doc: Doc, matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """A header right after a date in a comparison ("COMPARISON: 11/02/2026 impression: ...")
        names a part of the earlier report: it stays in the comparison."""
        kept = []
        for match in matches:
            start = match[1]
            if (kept and self.rule_map[self.strings[kept[-1][0]]].category == "comparison"
                    and start > 0 and _DATE.match(doc[start - 1].text) and "\n" not in doc[kept[-1][2]:start].text):
                continue
            kept.append(match)
        return kept

    def _side_dash_mid_phrase(self, doc: Doc, match: tuple[int, int, int]) -> bool:
        """"... thrombosis of left lower extremity - RESOLVED 2024": a side and a dash right
        after a word run on from it; a side heading follows a line break or punctuation."""
        _, start, end = match
        rule = self.rule_map[self.strings[match[0]]]
        return (rule.category in ("side_left", "side_right") and doc[end - 1].text == "-"
                and start > 0 and doc[start - 1].is_alpha)

    def __call__(self, doc: Doc) -> Doc:
        matches = prune_longest(self.patterns(doc) + self.matcher(doc))  # sorted by position; token matches first, as medspaCy's matcher has them
        matches = self._without_dated_headers(doc, matches)
        matches = [m for m in matches if not self._side_dash_mid_phrase(doc, m)]
        sections = []
        if not matches or matches[0][1] > 0:
            sections.append(Section(None, 0, 0, 0, matches[0][1] if matches else len(doc)))
        for i, (match_id, start, end) in enumerate(matches):
            while start < end - 1 and doc[start].is_space:  # a line-start pattern anchors on the newline
                start += 1
            rule = self.rule_map[self.strings[match_id]]
            next_start = matches[i + 1][1] if i + 1 < len(matches) else len(doc)
            sections.append(Section(rule.category, start, end, end, next_start, None, rule))
            doc[start].is_sent_start = True
            if end < len(doc):
                doc[end].is_sent_start = True
        setattr(doc._, SECTIONS_ATTRIBUTE, sections)
        return doc
