"""Load and validate the rule files of ``patterns/``; fail loudly, naming the file and entry.

One source of truth per kind of rule:
    anatomy.json        segments, groups, aliases, compound names, row labels, generic deep / whole deep / non-venous / side words
    cues.json           thrombus and normal cues
    context_rules.json  ConText modifiers (medspaCy ConTextRule JSON)
    section_rules.json  section headers (medspaCy SectionRule JSON)
    tables.json         worksheet-table column titles and cell words
    comparison.json     how a report names the study it compares with
    lexicon.json        the words and patterns the resolver and the spaCy components read text by
                        (contrast words, study nouns, abbreviations, ...): one named list per concept
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from .core.change import CHANGES, NO_CHANGE
from .core.comparison import ComparisonVocab, compile_vocab
from .core.lexicon import Lexicon, build_lexicon, list_kinds
from .core.model import WHOLE_DEEP, WHOLE_DEEP_SEGMENTS

RULE_FILES = ("anatomy.json", "cues.json", "context_rules.json", "section_rules.json", "tables.json", "comparison.json", "lexicon.json")
TABLE_COLUMNS = ("vein", "compressibility", "thrombus", "flow", "acuity", "comment", "right", "left", "side")
TABLE_CELLS = ("affirmative", "negative", "normal", "thrombus", "partial", "possible", "not_evaluated", "acute", "subacute", "chronic", "acute_on_chronic")
CUE_POLARITIES = ("thrombus", "normal", "unassessable", "assessable", "explanation")
SEGMENT_GROUPS = ("proximal", "distal_axial", "distal_muscular", "distal_unspecified", "superficial", "upper")
SIDE_VALUES = ("left", "right", "bilateral", "contralateral")
CONTEXT_CATEGORIES = ("NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "HISTORICAL", "HYPOTHETICAL", "NOT_EVALUATED", "PERSISTENT", "RESOLVED", "NEW", "EXTENDED", "IMPROVED", "CHRONIC", "ACUTE", "SUBACUTE", "ACUTE_ON_CHRONIC", "AGE_INDETERMINATE", "OCCLUSIVE", "NONOCCLUSIVE", "CONFIRMED", "TERMINATE", "PSEUDO")
SECTION_CATEGORIES = ("exam", "indication", "comparison", "technique", "preliminary", "findings", "impression", "addendum", "plan", "side_right", "side_left")
_CONTEXT_KEYS = {"literal", "category", "direction", "pattern", "max_scope", "max_targets", "allowed_types", "excluded_types", "metadata"}
_SECTION_KEYS = {"literal", "category", "pattern", "max_scope", "parents", "parent_required", "metadata"}


class RuleError(ValueError):
    """A rule file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Term:
    """One surface form and what it stands for."""

    text: str
    kind: str  # segment, generic_deep, nonvenous, not_side, not_cue, side, thrombus, normal, ...
    value: str
    group: str | None = None
    acuity: str | None = None
    occlusion: str | None = None
    junction: bool = False
    implies: str | None = None  # a cue: the segment it stands for when no vein claims it; a saphenous vein: the deep vein at its junction
    covers: tuple[tuple[str, str], ...] = ()  # (segment, group) of each vein a compound name covers ("iliofemoral")
    change: str | None = None  # an interval change the cue states ("now compressible": resolved)


@dataclass(frozen=True)
class RuleSet:
    """Every validated rule, plus a hash that identifies the rule version in outputs."""

    terms: tuple[Term, ...]
    context_rules: tuple[dict, ...]
    section_rules: tuple[dict, ...]
    rules_hash: str
    directory: str
    lexicon: Lexicon = field(hash=False, compare=False)  # the words and patterns of lexicon.json
    history_cues: frozenset[str] = frozenset()
    table_vocab: dict = field(default_factory=dict, hash=False, compare=False)
    whole_before: frozenset[str] = frozenset()  # "entire", "throughout": before a leg noun, the whole leg's deep veins
    later_exam: tuple[frozenset[str], ...] = (frozenset(),) * 6  # qualifiers, study nouns, result words, confirming verbs, means, past words
    comparison: ComparisonVocab | None = field(default=None, hash=False, compare=False)

    @cached_property
    def aliases(self) -> dict[str, Term]:
        """Lower-cased surface form -> term."""
        return {_norm(t.text): t for t in self.terms}


def segment_groups(directory: str | None = None) -> dict[str, str]:
    """Canonical segment -> its group, from the anatomy lexicon (``anatomy.json``)."""
    return {t.value: t.group for t in load_rules(directory).terms if t.kind == "segment" and t.group is not None}


def default_directory() -> Path:
    """The bundled ``patterns/`` directory (installed as ``pipeline.patterns``)."""
    local = Path(__file__).resolve().parent.parent / "patterns"
    if (local / "anatomy.json").is_file():
        return local
    return Path(str(resources.files("pipeline.patterns")))


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RuleError(f"{path}: rule file missing") from exc
    except json.JSONDecodeError as exc:
        raise RuleError(f"{path}: invalid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise RuleError(f"{path}: top level must be an object")
    return data


def _check_keys(path: Path, where: str, entry: dict, allowed: set[str], required: set[str]) -> None:
    if not isinstance(entry, dict):
        raise RuleError(f"{path}: {where}: entry must be an object, got {entry!r}")
    unknown = set(entry) - allowed
    if unknown:
        raise RuleError(f"{path}: {where}: unknown key(s) {sorted(unknown)}")
    missing = required - set(entry)
    if missing:
        raise RuleError(f"{path}: {where}: missing key(s) {sorted(missing)}")


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


_AMERICAN_Z = re.compile(r"\b([a-z]{4,})iz(e|ed|es|ing|ation|ations)\b")
_AMERICAN_COLOR = re.compile(r"\bcolor")


_AGE_CATEGORIES = ("CHRONIC", "ACUTE", "SUBACUTE", "ACUTE_ON_CHRONIC", "AGE_INDETERMINATE")  # "recanalised": each corpus reads its age its own way


def british(text: str) -> str:
    """The British spelling of a phrase's -ize words ("visualized" -> "visualised") and of
    "color" ("no color flow" -> "no colour flow")."""
    return _AMERICAN_COLOR.sub("colour", _AMERICAN_Z.sub(r"\1is\2", text.lower()))


def _british_rules(rules: tuple[dict, ...]) -> tuple[dict, ...]:
    """A copy of each literal rule with an -ize word, spelt -ise, unless the file has it already."""
    have = {_norm(r["literal"]) for r in rules if r.get("pattern") is None}
    extra = []
    for rule in rules:
        spelt = british(rule["literal"])
        if rule.get("pattern") is None and rule["category"] not in _AGE_CATEGORIES and _norm(spelt) not in have:
            have.add(_norm(spelt))
            extra.append({**rule, "literal": spelt})
    return rules + tuple(extra)


def _add_term(path: Path, seen: dict[str, Term], term: Term, where: str) -> None:
    key = _norm(term.text)
    if not key:
        raise RuleError(f"{path}: {where}: empty alias")
    if key in seen:
        other = seen[key]
        if (other.kind, other.value) != (term.kind, term.value):
            raise RuleError(f"{path}: {where}: alias {term.text!r} maps to {term.kind}:{term.value} and to {other.kind}:{other.value}")
        raise RuleError(f"{path}: {where}: duplicate alias {term.text!r}")
    seen[key] = term


def _anatomy_terms(path: Path, seen: dict[str, Term]) -> frozenset[str]:
    """Add the anatomy terms; return the words that make a generic deep mention the whole leg's ("entire")."""
    data = _read(path)
    _check_keys(path, "top level", data, {"description", "groups", "segments", "compounds", "generic_deep", "junction_deep", "whole_deep", "whole_deep_before", "nonvenous", "not_side", "sides", "row_labels"}, {"segments", "groups"})
    if tuple(data["groups"]) != SEGMENT_GROUPS:
        raise RuleError(f"{path}: groups must be {list(SEGMENT_GROUPS)}")
    names: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for i, seg in enumerate(data["segments"]):
        where = f"segments[{i}]"
        _check_keys(path, where, seg, {"segment", "group", "aliases", "junction_aliases"}, {"segment", "group", "aliases"})
        if seg["group"] not in SEGMENT_GROUPS:
            raise RuleError(f"{path}: {where} ({seg['segment']}): unknown group {seg['group']!r}")
        if seg["segment"] in names:
            raise RuleError(f"{path}: {where}: duplicate segment {seg['segment']!r}")
        names.add(seg["segment"])
        pairs.add((seg["segment"], seg["group"]))
        junction = {_norm(a) for a in seg.get("junction_aliases", [])}
        if not junction <= {_norm(a) for a in seg["aliases"]}:
            raise RuleError(f"{path}: {where} ({seg['segment']}): junction_aliases must also be aliases")
        for alias in seg["aliases"]:
            _add_term(path, seen, Term(alias, "segment", seg["segment"], seg["group"], junction=_norm(alias) in junction), f"{where} ({seg['segment']})")
    deep_at = data.get("junction_deep", {})
    groups = dict(pairs)
    for vein, deep in deep_at.items():
        if groups.get(vein) != "superficial" or groups.get(deep) not in ("proximal", "distal_axial"):
            raise RuleError(f"{path}: junction_deep: {vein!r} -> {deep!r} must map a superficial segment to a deep one")
    for key, term in list(seen.items()):
        if term.kind == "segment" and term.value in deep_at:
            seen[key] = replace(term, implies=deep_at[term.value])  # the deep vein at its junction
    for i, entry in enumerate(data.get("compounds", [])):
        where = f"compounds[{i}]"
        _check_keys(path, where, entry, {"segment", "covers", "aliases"}, {"segment", "covers", "aliases"})
        unknown = [s for s in [entry["segment"], *entry["covers"]] if s not in groups]
        if unknown or entry["segment"] not in entry["covers"]:
            raise RuleError(f"{path}: {where}: segment and covers must be known segments, the segment one of those covered ({unknown or entry['segment']})")
        covers = tuple((s, groups[s]) for s in entry["covers"])
        for alias in entry["aliases"]:
            _add_term(path, seen, Term(alias, "segment", entry["segment"], groups[entry["segment"]], covers=covers), where)
    for kind in ("generic_deep", "nonvenous", "not_side"):
        for alias in data.get(kind, []):
            _add_term(path, seen, Term(alias, kind, kind), kind)
    if data.get("whole_deep") and not set(WHOLE_DEEP_SEGMENTS.items()) <= pairs:
        raise RuleError(f"{path}: whole_deep needs the segments (and groups) {WHOLE_DEEP_SEGMENTS}")
    for alias in data.get("whole_deep", []):  # "all the deep veins": a generic mention that spans both regions
        _add_term(path, seen, Term(alias, "generic_deep", WHOLE_DEEP), "whole_deep")
    for side, aliases in data.get("sides", {}).items():
        if side not in SIDE_VALUES:
            raise RuleError(f"{path}: sides: unknown side {side!r}")
        for alias in aliases:
            _add_term(path, seen, Term(alias, "side", side), f"sides.{side}")
    before = data.get("whole_deep_before", [])
    if any(not isinstance(w, str) or w != _norm(w) or " " in w or not w for w in before):
        raise RuleError(f"{path}: whole_deep_before: one lower-case word each, got {before!r}")
    return frozenset(before)


def _cue_terms(path: Path, seen: dict[str, Term]) -> frozenset[str]:
    """Add the cue terms; return the cue phrases that also occur in histories."""
    segments = {t.value: t.group for t in seen.values() if t.kind == "segment"}
    data = _read(path)
    _check_keys(path, "top level", data, {"description", "cues", "history_cues", "not_cues", "later_exam"}, {"cues"})
    for i, entry in enumerate(data["cues"]):
        where = f"cues[{i}]"
        _check_keys(path, where, entry, {"polarity", "phrases", "acuity", "occlusion", "segment", "at_junction", "change"}, {"polarity", "phrases"})
        implied = entry.get("segment")
        if implied is not None and implied not in segments:
            raise RuleError(f"{path}: {where}: unknown segment {implied!r}")
        at_junction = entry.get("at_junction", False)
        if at_junction not in (True, False) or (at_junction and implied is None):
            raise RuleError(f"{path}: {where}: at_junction must be true or false, and needs a segment")
        if entry["polarity"] not in CUE_POLARITIES:
            raise RuleError(f"{path}: {where}: polarity must be one of {list(CUE_POLARITIES)}")
        if entry.get("acuity") not in (None, "chronic", "acute", "subacute"):
            raise RuleError(f"{path}: {where}: unknown acuity {entry.get('acuity')!r}")
        if entry.get("occlusion") not in (None, "occlusive", "nonocclusive"):
            raise RuleError(f"{path}: {where}: unknown occlusion {entry.get('occlusion')!r}")
        if entry.get("change") not in (None, *CHANGES):
            raise RuleError(f"{path}: {where}: unknown change {entry.get('change')!r}")
        for phrase in entry["phrases"]:
            _add_term(path, seen, Term(phrase, entry["polarity"], _norm(phrase), acuity=entry.get("acuity"), occlusion=entry.get("occlusion"), group=segments.get(implied), implies=implied, junction=at_junction, change=entry.get("change")), where)
        for phrase in entry["phrases"] if entry.get("acuity") is None else ():  # "could be visualised": the same cue
            spelt = british(phrase)
            seen.setdefault(_norm(spelt), replace(seen[_norm(phrase)], text=spelt))
    for phrase in data.get("not_cues", []):  # "DVT prophylaxis", "DVT screen": they outmatch the cue and are dropped
        _add_term(path, seen, Term(phrase, "not_cue", "not_cue"), "not_cues")
    history = frozenset(_norm(p) for p in data.get("history_cues", []))
    cues = {t.value for t in seen.values() if t.kind in CUE_POLARITIES}
    unknown = sorted(history - cues)
    if unknown:
        raise RuleError(f"{path}: history_cues: not cue phrases: {unknown}")
    return history


_LATER_EXAM_KEYS = ("qualifiers", "studies", "results", "confirming", "means", "past")


def _later_exam(path: Path) -> tuple[frozenset[str], ...]:
    """The words that introduce a narrated later exam ("a repeat duplex", "formal ultrasound"):
    one-token qualifiers, study nouns, the result words that follow a told (not planned) exam, and
    the verbs by which it confirms the earlier one; and the words that name an exam as the means of
    a diagnosis ("diagnosed with DVT on duplex"); and the words that date an exam before ("ago")."""
    entry = _read(path).get("later_exam", dict.fromkeys(_LATER_EXAM_KEYS, []))
    _check_keys(path, "later_exam", entry, set(_LATER_EXAM_KEYS), set(_LATER_EXAM_KEYS))
    words = []
    for key in _LATER_EXAM_KEYS:
        if not isinstance(entry[key], list) or any(not isinstance(w, str) or len(w.split()) != 1 for w in entry[key]):
            raise RuleError(f"{path}: later_exam.{key}: must be a list of single words")
        words.append(frozenset(_norm(w) for w in entry[key]))
    return tuple(words)


def _rule_list(path: Path, key: str, allowed: set[str], categories: tuple[str, ...]) -> tuple[dict, ...]:
    data = _read(path)
    _check_keys(path, "top level", data, {"description", key}, {key})
    seen: dict[str, str] = {}
    for i, rule in enumerate(data[key]):
        where = f"{key}[{i}]"
        _check_keys(path, where, rule, allowed, {"literal", "category"})
        if rule["category"] not in categories:
            raise RuleError(f"{path}: {where} ({rule['literal']!r}): unknown category {rule['category']!r}")
        change = (rule.get("metadata") or {}).get("change")
        if change is not None and change not in (*CHANGES, NO_CHANGE):
            raise RuleError(f"{path}: {where} ({rule['literal']!r}): unknown change {change!r} in metadata")
        ident = _norm(rule["literal"]) + json.dumps(rule.get("pattern"), sort_keys=True)
        if ident in seen:
            raise RuleError(f"{path}: {where}: duplicate rule {rule['literal']!r} ({seen[ident]} and {rule['category']})")
        seen[ident] = rule["category"]
    return tuple(data[key])


def _section_metadata(path: Path, rules: tuple[dict, ...]) -> None:
    """A section rule's metadata may only say what its header means once findings were read or
    when its sentence asserts a thrombus ("after_findings": a teaching file's closing "Diagnosis:",
    "Diagnosis: acute DVT of the left PTV" are impressions), or that the
    header opens one sentence, not a section ("one_sentence": "Comparison is made to ...")."""
    for i, rule in enumerate(rules):
        meta = rule.get("metadata") or {}
        if (not isinstance(meta, dict) or set(meta) - {"after_findings", "one_sentence"}
                or meta.get("after_findings", "findings") not in SECTION_CATEGORIES or meta.get("one_sentence", True) is not True):
            raise RuleError(f"{path}: section_rules[{i}] ({rule['literal']!r}): metadata may only hold after_findings: <section category> and one_sentence: true")


def _table_vocab(path: Path) -> dict:
    data = _read(path)
    _check_keys(path, "top level", data, {"description", "columns", "cells"}, {"columns", "cells"})
    vocab: dict = {"columns": {}, "cells": {}}
    for part, allowed in (("columns", TABLE_COLUMNS), ("cells", TABLE_CELLS)):
        entries = data[part]
        _check_keys(path, part, entries, set(allowed), set(allowed))
        owner: dict[str, str] = {}
        for kind, words in entries.items():
            normalised = []
            for word in words:
                key = _norm(word)
                if part == "columns" and key in owner:
                    raise RuleError(f"{path}: columns.{kind}: title {word!r} already names column {owner[key]!r}")
                if key in normalised:
                    raise RuleError(f"{path}: {part}.{kind}: duplicate {word!r}")
                owner[key] = kind
                normalised.append(key)
            vocab[part][kind] = normalised
    return vocab


_COMPARISON_LISTS = ("lead", "prior", "outside", "studies", "none", "dates", "date_leads")


def _comparison_vocab(path: Path) -> ComparisonVocab:
    data = _read(path)
    _check_keys(path, "top level", data, {"description", "date_reach", *_COMPARISON_LISTS}, {"date_reach", *_COMPARISON_LISTS})
    for key in _COMPARISON_LISTS:
        if not data[key] or not all(isinstance(w, str) and w.strip() for w in data[key]):
            raise RuleError(f"{path}: {key}: must be a non-empty list of non-empty strings")
    if not isinstance(data["date_reach"], int) or data["date_reach"] < 0:
        raise RuleError(f"{path}: date_reach: must be a non-negative integer")
    try:
        return compile_vocab(data)
    except re.error as exc:
        raise RuleError(f"{path}: invalid regular expression ({exc})") from exc


def _row_labels(path: Path) -> dict[str, tuple[str, ...]]:
    """The groups of the veins each general row label heads ("Calf veins: thrombus in the medial
    gastrocnemius veins": the calf label names no vein of its own)."""
    data = _read(path)
    labels = data.get("row_labels", {})
    if not isinstance(labels, dict):
        raise RuleError(f"{path}: row_labels: must map segments to lists of groups")
    segments = {seg["segment"] for seg in data["segments"]}
    for segment, heads in labels.items():
        if segment not in segments or not isinstance(heads, list) or not heads or any(g not in SEGMENT_GROUPS for g in heads):
            raise RuleError(f"{path}: row_labels.{segment}: must map a known segment to a non-empty list of groups {list(SEGMENT_GROUPS)}")
    return {segment: tuple(heads) for segment, heads in labels.items()}


def _lexicon(path: Path, row_labels: dict[str, tuple[str, ...]]) -> Lexicon:
    """Every list of ``lexicon.json``, checked: each one the code reads and no other, its words
    non-empty lower-case strings (as the code compares them), its regular expression valid."""
    data = _read(path)
    kinds = list_kinds()
    missing = sorted(set(kinds) - set(data))
    if missing:
        raise RuleError(f"{path}: missing list(s) {missing}")
    unknown = sorted(set(data) - set(kinds) - {"description"})
    if unknown:
        raise RuleError(f"{path}: unknown list(s) {unknown}")
    for name, kind in kinds.items():
        body = "regex" if kind == "regex" else "words"
        _check_keys(path, name, data[name], {"description", body}, {"description", body})
        value = data[name][body]
        if kind == "regex":
            if not isinstance(value, str) or not value:
                raise RuleError(f"{path}: {name}: regex must be a non-empty string")
            try:
                re.compile(value)
            except re.error as exc:
                raise RuleError(f"{path}: {name}: invalid regular expression ({exc})") from exc
            continue
        if not isinstance(value, list) or not value:
            raise RuleError(f"{path}: {name}: words must be a non-empty list")
        for word in value:
            if not isinstance(word, str) or not word or word != word.lower() or word != word.strip():
                raise RuleError(f"{path}: {name}: each word must be a non-empty lower-case string without outer spaces, got {word!r}")
        if len(set(value)) != len(value):
            raise RuleError(f"{path}: {name}: duplicate word(s) {sorted({w for w in value if value.count(w) > 1})}")
    return build_lexicon(data, row_labels)


@lru_cache(maxsize=8)
def load_rules(directory: str | None = None) -> RuleSet:
    """Read and validate every rule file of a directory (default: the bundled rules)."""
    folder = Path(directory) if directory else default_directory()
    seen: dict[str, Term] = {}
    whole_before = _anatomy_terms(folder / "anatomy.json", seen)
    history_cues = _cue_terms(folder / "cues.json", seen)
    context = _british_rules(_rule_list(folder / "context_rules.json", "context_rules", _CONTEXT_KEYS, CONTEXT_CATEGORIES))
    sections = _rule_list(folder / "section_rules.json", "section_rules", _SECTION_KEYS, SECTION_CATEGORIES)
    _section_metadata(folder / "section_rules.json", sections)
    digest = hashlib.sha256()
    for name in RULE_FILES:
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    tables = _table_vocab(folder / "tables.json")
    comparison = _comparison_vocab(folder / "comparison.json")
    lexicon = _lexicon(folder / "lexicon.json", _row_labels(folder / "anatomy.json"))
    return RuleSet(tuple(seen.values()), context, sections, digest.hexdigest()[:12], str(folder), lexicon, history_cues=history_cues, table_vocab=tables,
                   whole_before=whole_before, later_exam=_later_exam(folder / "cues.json"), comparison=comparison)
