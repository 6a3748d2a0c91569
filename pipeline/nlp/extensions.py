"""Custom attributes, registered once and idempotently (never with force=True)."""
from __future__ import annotations

from spacy.tokens import Doc

DOC_ATTRIBUTE = "dvt"
CONTEXT_ATTRIBUTE = "context_graph"  # the name medspaCy's ConText uses, so its tools read ours
TARGETS_ATTRIBUTE = "dvt_targets"  # [[start token, end token, term index], ...]
MODIFIERS_ATTRIBUTE = "dvt_modifiers"  # [[target start, target end, category, start, end, change], ...]
SECTIONS_ATTRIBUTE = "sections"  # medspaCy's name: a list of medspaCy Section objects


def register_extensions() -> None:
    """``Doc._.dvt``: the plain-dict result of the findings component (None before it runs);
    ``Doc._.dvt_targets`` / ``Doc._.dvt_modifiers``: matches and ConText edges as plain lists;
    ``Doc._.context_graph`` and ``Doc._.sections``: the ConText graph and the section list, under
    the names medspaCy registers when it is imported."""
    for name in (DOC_ATTRIBUTE, CONTEXT_ATTRIBUTE, TARGETS_ATTRIBUTE, MODIFIERS_ATTRIBUTE):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Doc.has_extension(SECTIONS_ATTRIBUTE):  # medspaCy registers it on import, as a list
        Doc.set_extension(SECTIONS_ATTRIBUTE, default=None)
