"""Assemble the duplex pipeline on ``spacy.blank("en")``: no model download, no network."""
from __future__ import annotations

import logging
import warnings

import spacy
from spacy.language import Language

from . import factories  # noqa: F401  (registers the factories)

PIPE_NAMES = ("dvt_sentences", "dvt_sections", "dvt_targets", "dvt_context", "dvt_findings")


def _quiet_medspacy() -> None:
    """medspaCy's PyRuSH logs at DEBUG through loguru; keep it off our hot path."""
    try:
        from loguru import logger

        logger.disable("PyRuSH")
        logger.disable("medspacy")
    except ImportError:  # pragma: no cover - loguru comes with medspaCy
        logging.getLogger(__name__).debug("loguru not installed")


def add_dvt_pipes(nlp: Language, rules_dir: str | None = None, count_chronic: bool = False, tokenizer: bool = True) -> Language:
    """Add the five duplex components to ``nlp`` (in place, at the end) and return it.

    Afterwards ``nlp(text)._.dvt`` holds the record of the report (as :func:`pipeline.extract`
    gives it, without ``id``). The same as ``nlp.add_pipe`` of each name of :data:`PIPE_NAMES`,
    in order (the ``spacy_factories`` entry points make the names known without importing
    ``pipeline``). ``tokenizer=True`` (the ``dvt_sentences`` setting ``customize_tokenizer``) adds
    the report-shorthand special cases and infixes of
    :func:`~pipeline.nlp.tokenizer.customize_tokenizer` to ``nlp.tokenizer``, which should be
    spaCy's rule-based English tokenizer (``spacy.blank("en")``'s or an ``en_*`` pipeline's): the
    rules were written against its tokens. The components set sentence boundaries themselves.

    Args:
        nlp: the pipeline to add to, e.g. ``spacy.blank("en")``.
        rules_dir: a folder of rule files to use instead of the bundled ones.
        count_chronic: as ``dvt extract --count-chronic``.
        tokenizer: add the tokenizer rules (see above).

    Returns:
        ``nlp``, with the components ``dvt_sentences``, ``dvt_sections``, ``dvt_targets``,
        ``dvt_context`` and ``dvt_findings`` at its end.

    Example:
        >>> import spacy
        >>> from pipeline import add_dvt_pipes
        >>> nlp = add_dvt_pipes(spacy.blank("en"))
        >>> nlp.pipe_names
        ['dvt_sentences', 'dvt_sections', 'dvt_targets', 'dvt_context', 'dvt_findings']
        >>> doc = nlp("Occlusive thrombus in the left popliteal vein.")
        >>> doc._.dvt["label"], doc._.dvt["side_labels"]["left"]
        ('PROXIMAL', 'PROXIMAL')
    """
    _quiet_medspacy()
    # medspaCy's matcher keeps an empty token Matcher beside its PhraseMatcher; spaCy warns (W036)
    # about it on every document.
    warnings.filterwarnings("ignore", message=r"\[W036\]", category=UserWarning)
    for name in PIPE_NAMES:
        config: dict[str, object] = {"rules_dir": rules_dir}
        if name == "dvt_sentences":
            config["customize_tokenizer"] = tokenizer
        if name == "dvt_findings":
            config["count_chronic"] = count_chronic
        nlp.add_pipe(name, config=config)
    return nlp


def build_nlp(rules_dir: str | None = None, count_chronic: bool = False) -> Language:
    """A blank English pipeline with the duplex components, built from the rules in ``rules_dir``."""
    return add_dvt_pipes(spacy.blank("en"), rules_dir, count_chronic)
