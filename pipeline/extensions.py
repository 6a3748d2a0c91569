"""Custom attributes, registered once and idempotently (never with force=True)."""
from __future__ import annotations

from spacy.tokens import Doc

DOC_ATTRIBUTE = "dvt"


def register_extensions() -> None:
    """``Doc._.dvt``: the plain-dict result of the findings component (None before it runs)."""
    if not Doc.has_extension(DOC_ATTRIBUTE):
        Doc.set_extension(DOC_ATTRIBUTE, default=None)
