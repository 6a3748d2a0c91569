"""Tokenizer tweaks for report shorthand, on top of spaCy's English rules.

spaCy already splits "CFV/FV", "R)" and "2-pt"; this keeps clinical slash and dotted
abbreviations whole ("w/o", "s/p", "r/o", "Lt.") so that matching and sentence
boundaries see them as one word, and splits a colon glued between words ("CFV:patent")
or after a bracket ("(bilat):"), and splits at every pipe ("OBX|2|TX|IMP||No DVT").
"""
from __future__ import annotations

from spacy.language import Language
from spacy.symbols import ORTH
from spacy.util import compile_infix_regex

SLASH_ABBREVIATIONS = ("w/o", "w/", "s/p", "r/o", "h/o", "b/l", "c/w", "f/u", "n/v", "y/o", "a/w")
DOTTED_ABBREVIATIONS = ("lt.", "rt.", "approx.", "pt.", "pts.", "dr.", "vs.", "v.", "e.g.", "i.e.", "ext.", "int.", "post.", "ant.", "prox.", "dist.", "bilat.", "mid.", "sig.", "hx.", "no.", "vv.")


def _case_variants(text: str) -> set[str]:
    return {text, text.upper(), text.capitalize()}


def customize_tokenizer(nlp: Language) -> None:
    """Add the special cases and infixes to ``nlp.tokenizer`` in place."""
    # spaCy keeps emoticons such as "):" whole, which glues "(bilat):" and "(R):" together
    nlp.tokenizer.rules = {k: v for k, v in nlp.tokenizer.rules.items() if not (set(k) & set("()[]") and set(k) & set(":;="))}
    for abbreviation in SLASH_ABBREVIATIONS + DOTTED_ABBREVIATIONS:
        for variant in _case_variants(abbreviation):
            nlp.tokenizer.add_special_case(variant, [{ORTH: variant}])
    infixes = list(nlp.Defaults.infixes) + [r"(?<=[A-Za-z]):(?=[A-Za-z])", r"(?<=[A-Za-z])\+(?=[A-Za-z])", r"(?<=[)\]])(?=[:;,])", r"\|"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
