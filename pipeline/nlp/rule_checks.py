"""Semantic checks of the rule files: what the loader's structural checks cannot see.

The loader (:mod:`pipeline.rules`) checks each file's structure. These checks run the rules
through the pipeline's own tokenizer and target matcher, because the conflicts they look for
only show once phrases are matched:

| check | what it finds | why it matters |
|---|---|---|
| ``context_has_target`` | a ConText phrase that holds a vein, cue or other target ("no color flow abnormality" holds the cue "flow") | ConText drops a modifier that overlaps a target, so the rule never applies |
| ``two_categories`` | one ConText phrase in two categories, as the matcher sees it ("d-dimer" and "d - dimer" are the same tokens; the loader compares strings) | which category wins depends on rule order |
| ``alias_is_cue`` | a surface form listed as two kinds of term (a vein alias and a cue), e.g. through its British spelling | the second one is silently never matched |
| ``header_is_target`` | a section header whose words are one vein or cue target ("DVT:") | the header's text is also read as a finding |

A ConText rule that holds a target on purpose says so with ``"metadata": {"holds_target": true}``
and a reason in ``"metadata": {"why": ...}``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from spacy.language import Language

from ..rules import RuleSet, _norm as norm, british
from .context import NOT_TARGETS
from .targets import SPAN_GROUP

Check = Literal["context_has_target", "two_categories", "alias_is_cue", "header_is_target"]


@dataclass(frozen=True)
class Problem:
    """One conflict between rules, named by file and entry."""

    check: Check
    file: str
    entry: str
    detail: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.check}: {self.detail}"


def _targets(nlp: Language, text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, matched text) of every non-side target the pipeline finds in ``text``."""
    doc = nlp.get_pipe("dvt_targets")(nlp.make_doc(text))
    return [(s.start, s.end, s.label_, s.text) for s in doc.spans[SPAN_GROUP] if s.label_ not in NOT_TARGETS]


def _context_has_target(nlp: Language, rules: RuleSet) -> list[Problem]:
    out = []
    for rule in rules.context_rules:
        if "pattern" in rule or (rule.get("metadata") or {}).get("holds_target"):
            continue
        found = _targets(nlp, rule["literal"])
        if found:
            held = ", ".join(f"{kind.lower()} {text!r}" for _, _, kind, text in found)
            out.append(Problem("context_has_target", "context_rules.json", f"{rule['literal']!r} ({rule['category']})", f"holds {held}: the modifier never applies"))
    return out


def _two_categories(nlp: Language, rules: RuleSet) -> list[Problem]:
    """Phrases compared as the matcher sees them: their tokens ("d-dimer" and "d - dimer" are one phrase)."""
    first: dict[tuple[str, ...], tuple[str, str]] = {}
    out = []
    for rule in rules.context_rules:
        if "pattern" in rule:
            continue
        key = tuple(token.lower_ for token in nlp.make_doc(rule["literal"]) if not token.is_space)
        literal, category = first.setdefault(key, (rule["literal"], rule["category"]))
        if category != rule["category"]:
            out.append(Problem("two_categories", "context_rules.json", repr(rule["literal"]), f"matches as {literal!r} ({category}) and as {rule['category']}"))
    return out


def _alias_is_cue(rules: RuleSet) -> list[Problem]:
    kinds = {norm(t.text): t for t in rules.terms}
    out = []
    for term in rules.terms:
        spelt = norm(british(term.text))
        other = kinds.get(spelt)
        if spelt != norm(term.text) and other is not None and (other.kind, other.value) != (term.kind, term.value):
            out.append(Problem("alias_is_cue", "anatomy.json/cues.json", repr(term.text), f"its British spelling {spelt!r} is also {other.kind}:{other.value}"))
    return out


def _header_is_target(nlp: Language, rules: RuleSet) -> list[Problem]:
    out = []
    for rule in rules.section_rules:
        if "pattern" in rule:
            continue
        words = rule["literal"].rstrip(": ").strip()
        doc = nlp.make_doc(words)
        found = _targets(nlp, words)
        if any(start == 0 and end == len(doc) for start, end, _, _ in found):
            out.append(Problem("header_is_target", "section_rules.json", repr(rule["literal"]), f"{words!r} is also a {found[0][2].lower()} target"))
    return out


def check_rules(nlp: Language, rules: RuleSet) -> list[Problem]:
    """Every semantic conflict in ``rules``, as matched by ``nlp`` (a pipeline built from them)."""
    return [*_context_has_target(nlp, rules), *_two_categories(nlp, rules), *_alias_is_cue(rules), *_header_is_target(nlp, rules)]
