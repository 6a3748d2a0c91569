"""Show one report's labels and evidence inline: HTML in Jupyter, plain text in a terminal.

The HTML is the audit page's example block (:func:`pipeline.review.audit.example_html`, the same
highlighting as the review app) with the review stylesheet inlined element by element
(:mod:`pipeline.review.inline_css`): no script, no ``<style>`` element, no outside resource, so it
looks the same in JupyterLab, VS Code and a saved notebook, and leaves the notebook's own look
alone. The text form has the same parts: the labels, the text, the decisive findings.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .api import default_extractor
from .core.record import Record
from .nlp.extensions import DOC_ATTRIBUTE

if TYPE_CHECKING:
    from spacy.tokens import Doc

TEXT_WIDTH = 72  # width of the rules around the text in the plain-text form


class ReportView:
    """A report and its record, shown by Jupyter as HTML (``_repr_html_``) and by ``print`` as text."""

    def __init__(self, record: Record, text: str | None) -> None:
        from .review.highlight import offset_problems

        self.record, self.text = record, text
        self.problems = offset_problems(text, record) if text is not None else []

    def _repr_html_(self) -> str:
        from .review.audit import example_html
        from .review.highlight import class_attrs, escape, legend_html
        from .review.inline_css import inline_styler, root_style

        styler = inline_styler(("audit", "example"))  # as inside the audit page's example blocks
        warning = "".join(f'<p {class_attrs(("problems",), styler)}>{escape(p)}</p>' for p in self.problems)
        return (f'<div class="dvt-report" style="{escape(root_style())}">{warning}'
                f"{legend_html(styler)}{example_html(self.record, self.text, styler)}</div>")

    def __str__(self) -> str:
        from .review.audit import ERROR, finding_caption, sides_text

        record = self.record
        lines = [f"Report {record.get('id')} — {record.get('label') or ERROR} ({sides_text(record)})"]
        lines += [f"warning: {problem}" for problem in self.problems]
        if record.get("error"):
            return "\n".join([*lines, f"error: {record['error']}", ""])
        rule = "─" * TEXT_WIDTH
        lines += [rule, self.text if self.text is not None else "(report text not available)", rule]
        findings = record.get("findings") or ()
        lines += [f"{number}. {finding_caption(f)}" for number, f in enumerate(findings, start=1)] or ["No findings."]
        return "\n".join([*lines, ""])

    def __repr__(self) -> str:
        return self.__str__()


def show(report: str | dict | Doc, text: str | None = None, id: object = None) -> ReportView:  # noqa: A002 - as extract()
    """The labels of a report and its text with the evidence highlighted, for a notebook or a terminal.

    Args:
        report: the report text (extracted here with the bundled rules), a record of
            :func:`pipeline.extract` (with ``text``, the text it was extracted from), or a spaCy
            ``Doc`` that went through the dvt components (``doc._.dvt``).
        text: the report text, when ``report`` is a record that does not hold it.
        id: the id to show for a text or a ``Doc``.

    Returns:
        A :class:`ReportView`: Jupyter renders it as HTML (the audit page's highlighting: vein
        mentions colored by segment group, thrombus/normal cues underlined, ConText modifiers,
        section headers; hover a mark for its finding); ``print`` writes it as plain text.

    Raises:
        ValueError: a record without text and no ``text``, or a ``Doc`` the dvt components did not process.
        TypeError: anything else.

    Example:
        >>> from pipeline import extract, show
        >>> view = show("FINDINGS: Occlusive thrombus in the left popliteal vein.")
        >>> "<script" in view._repr_html_(), 'class="mention g-proximal st-present"' in view._repr_html_()
        (False, True)
        >>> print(view)  # doctest: +ELLIPSIS
        Report None — PROXIMAL (left PROXIMAL)
        ───...
        FINDINGS: Occlusive thrombus in the left popliteal vein.
        ───...
        1. popliteal · left · present · unspecified · occlusive (section: findings): “popliteal vein”
        <BLANKLINE>
        >>> text = "No DVT in either leg."
        >>> show(extract(text, id="r7"), text=text).record["label"]
        'NEGATIVE'
    """
    if isinstance(report, str):
        return ReportView(default_extractor().extract(report, id), report)
    if isinstance(report, dict):
        text = text if text is not None else report.get("text")
        if text is None and not report.get("error"):
            raise ValueError("the record holds no report text: pass the text it was extracted from, show(record, text=...)")
        return ReportView(cast(Record, report), text)  # a record as extract returns it, maybe with its text
    if hasattr(report, "_") and hasattr(report, "text"):  # a spaCy Doc
        record: Record | None = getattr(report._, DOC_ATTRIBUTE, None)
        if record is None:
            raise ValueError("the Doc holds no dvt record: run it through a pipeline with the dvt components (pipeline.add_dvt_pipes)")
        return ReportView({**record, "id": id}, report.text)
    raise TypeError(f"show() takes a report text, a record or a spaCy Doc, not {type(report).__name__}")
