"""Every spaCy factory of the package, registered in one place (also exposed as entry points)."""

from typing import Optional

from spacy.language import Language

from .context import DuplexContext
from .findings import DuplexFindings
from .sections import DuplexSections
from .sentences import DuplexSentencizer
from .targets import DuplexTargets
from ..rules import load_rules
from .tokenizer import customize_tokenizer as add_shorthand_rules


@Language.factory("dvt_sentences", default_config={"customize_tokenizer": True, "rules_dir": None})
def make_sentences(nlp: Language, name: str, customize_tokenizer: bool, rules_dir: Optional[str]) -> DuplexSentencizer:
    """The first dvt component; by default it also adds the report-shorthand rules to ``nlp.tokenizer``
    (:func:`pipeline.nlp.tokenizer.customize_tokenizer`), which the later components were written for."""
    lexicon = load_rules(rules_dir).lexicon
    if customize_tokenizer:
        add_shorthand_rules(nlp, lexicon)
    return DuplexSentencizer(nlp, lexicon, name)


@Language.factory("dvt_sections", default_config={"rules_dir": None})
def make_sections(nlp: Language, name: str, rules_dir: Optional[str]) -> DuplexSections:
    return DuplexSections(nlp, load_rules(rules_dir), name)


@Language.factory("dvt_targets", default_config={"rules_dir": None})
def make_targets(nlp: Language, name: str, rules_dir: Optional[str]) -> DuplexTargets:
    return DuplexTargets(nlp, load_rules(rules_dir), name)


@Language.factory("dvt_context", default_config={"rules_dir": None})
def make_dvt_context(nlp: Language, name: str, rules_dir: Optional[str]) -> DuplexContext:
    return DuplexContext(nlp, load_rules(rules_dir), name)


@Language.factory("dvt_findings", default_config={"rules_dir": None, "count_chronic": False})
def make_findings(nlp: Language, name: str, rules_dir: Optional[str], count_chronic: bool) -> DuplexFindings:
    return DuplexFindings(nlp, load_rules(rules_dir), name, count_chronic)
