"""Tokenizer tweaks for report shorthand, on top of spaCy's English rules.

spaCy already splits "CFV/FV", "R)" and "2-pt"; this keeps clinical slash and dotted
abbreviations whole ("w/o", "s/p", "r/o", "Lt.") so that matching and sentence
boundaries see them as one word, and splits a colon glued between words ("CFV:patent")
or after a bracket ("(bilat):"), and splits at every pipe ("OBX|2|TX|IMP||No DVT").
The abbreviations are ``slash_abbreviations`` and ``dotted_abbreviations`` of ``patterns/lexicon.json``.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.symbols import ORTH
from spacy.util import compile_infix_regex

from ..core.lexicon import Lexicon
from ..rules import load_rules



def _case_variants(text: str) -> set[str]:
    return {text, text.upper(), text.capitalize()}


def customize_tokenizer(nlp: Language, lexicon: Lexicon | None = None) -> None:
    """Add the special cases and infixes to ``nlp.tokenizer`` in place (the abbreviations of
    ``lexicon``, by default the bundled rules')."""
    lexicon = lexicon or load_rules().lexicon
    # spaCy keeps emoticons such as "):" whole, which glues "(bilat):" and "(R):" together
    nlp.tokenizer.rules = {k: v for k, v in nlp.tokenizer.rules.items() if not (set(k) & set("()[]") and set(k) & set(":;="))}
    for abbreviation in lexicon.slash_abbreviations + lexicon.dotted_abbreviations:
        for variant in _case_variants(abbreviation):
            nlp.tokenizer.add_special_case(variant, [{ORTH: variant}])
    infixes = list(nlp.Defaults.infixes) + [r"(?<=[A-Za-z]):(?=[A-Za-z])", r"(?<=[A-Za-z])\+(?=[A-Za-z])", r"(?<=[)\]])(?=[:;,])", r"\|"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
