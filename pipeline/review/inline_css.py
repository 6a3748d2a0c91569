"""The review stylesheet as inline ``style`` attributes, for HTML shown inside another page.

A notebook output cannot take the review app's stylesheet as it is: a ``<style>`` element would
restyle the whole notebook page, and renderers of saved notebooks drop it. Instead every marked
element gets the declarations that ``review.css`` gives its classes, resolved here: rules whose
selectors are made of classes only (``.mention.st-present``, or ``.audit .example`` with the
ancestors' classes given as ``context``), applied by specificity then file order, ``var(--x)``
replaced by the ``:root`` value. One stylesheet stays the single source of the look.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .highlight import Styler
from .server import static_file

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_COMPOUND = re.compile(r"(?:\.[A-Za-z_][\w-]*)+")
_VAR = re.compile(r"var\((--[\w-]+)\)")

Rule = tuple[tuple[frozenset[str], ...], int, int, tuple[tuple[str, str], ...]]  # compounds, specificity, order, declarations


def _declarations(body: str) -> list[tuple[str, str]]:
    pairs = (part.split(":", 1) for part in body.split(";") if ":" in part)
    return [(name.strip(), value.strip()) for name, value in pairs]


@lru_cache(maxsize=1)
def _stylesheet() -> tuple[dict[str, str], tuple[Rule, ...]]:
    """(``:root`` declarations, class rules) of review.css."""
    css = _COMMENT.sub("", static_file("review.css").decode("utf-8"))
    root: dict[str, str] = {}
    rules: list[Rule] = []
    for order, (selectors, body) in enumerate(_RULE.findall(css)):
        declarations = _declarations(body)
        for selector in (s.strip() for s in selectors.split(",")):
            if selector == ":root":
                root.update(declarations)
            elif all(_COMPOUND.fullmatch(part) for part in selector.split()):
                compounds = tuple(frozenset(part.strip(".").split(".")) for part in selector.split())
                rules.append((compounds, sum(len(c) for c in compounds), order, tuple(declarations)))
    return root, tuple(rules)


def _resolve(value: str) -> str:
    root = _stylesheet()[0]
    return _VAR.sub(lambda m: root.get(m[1], m[0]), value)


def root_style() -> str:
    """The page-wide declarations of ``:root`` (font, text color), for the element that holds the rest."""
    return "; ".join(f"{name}: {_resolve(value)}" for name, value in _stylesheet()[0].items() if not name.startswith("--"))


@lru_cache(maxsize=256)
def _style(classes: frozenset[str], context: frozenset[str]) -> str:
    matching = sorted((specificity, order, declarations) for compounds, specificity, order, declarations in _stylesheet()[1]
                      if compounds[-1] <= classes and all(c <= context for c in compounds[:-1]))
    resolved: dict[str, str] = {}
    for _, _, declarations in matching:
        for name, value in declarations:
            resolved.pop(name, None)  # a later longhand/shorthand must come after what it overrides
            resolved[name] = _resolve(value)
    return "; ".join(f"{name}: {value}" for name, value in resolved.items())


def inline_styler(context: tuple[str, ...] = ()) -> Styler:
    """classes -> the declarations review.css gives an element with those classes inside elements
    with the ``context`` classes (e.g. ``("audit", "example")`` for the audit page's examples)."""
    frozen = frozenset(context)
    return lambda classes: _style(frozenset(classes), frozen)
