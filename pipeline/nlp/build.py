"""Assemble the duplex pipeline on ``spacy.blank("en")``: no model download, no network."""
from __future__ import annotations

import logging
import warnings

import spacy
from spacy.language import Language

from . import factories  # noqa: F401  (registers the factories)
from .tokenizer import customize_tokenizer

PIPE_NAMES = ("dvt_sentences", "dvt_sections", "dvt_targets", "dvt_context", "dvt_findings")


def _quiet_medspacy() -> None:
    """medspaCy's PyRuSH logs at DEBUG through loguru; keep it off our hot path."""
    try:
        from loguru import logger

        logger.disable("PyRuSH")
        logger.disable("medspacy")
    except ImportError:  # pragma: no cover - loguru comes with medspaCy
        logging.getLogger(__name__).debug("loguru not installed")


def build_nlp(rules_dir: str | None = None, count_chronic: bool = False) -> Language:
    """A blank English pipeline with the duplex components, built from the rules in ``rules_dir``."""
    _quiet_medspacy()
    # medspaCy's matcher keeps an empty token Matcher beside its PhraseMatcher; spaCy warns (W036)
    # about it on every document.
    warnings.filterwarnings("ignore", message=r"\[W036\]", category=UserWarning)
    nlp = spacy.blank("en")
    customize_tokenizer(nlp)
    nlp.add_pipe("dvt_sentences")
    nlp.add_pipe("dvt_sections", config={"rules_dir": rules_dir})
    nlp.add_pipe("dvt_targets", config={"rules_dir": rules_dir})
    nlp.add_pipe("dvt_context", config={"rules_dir": rules_dir})
    nlp.add_pipe("dvt_findings", config={"rules_dir": rules_dir, "count_chronic": count_chronic})
    return nlp
