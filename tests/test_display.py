"""pipeline.show: a report's labels and highlighted evidence as self-contained HTML (Jupyter) or text."""
from __future__ import annotations

import doctest
import re

import pytest
import spacy

import pipeline.display
from pipeline import add_dvt_pipes, extract, show
from pipeline.review.audit import example_html

TEXT = "FINDINGS: Occlusive thrombus in the left popliteal vein. The right CFV is compressible.\nIMPRESSION: Left popliteal DVT."


def test_html_is_the_audit_example_with_the_stylesheet_inlined():
    page = show(TEXT, id="r1")._repr_html_()
    assert "<script" not in page and "<style" not in page and "<link" not in page  # nothing that runs or loads
    assert not re.search(r"(src|href)=|url\(|https?:|@import", page)  # no outside resource
    plain = re.sub(r' style="[^"]*"', "", page)  # without the inline styles: the audit page's block
    assert example_html(extract(TEXT, "r1"), TEXT) in plain
    assert '<span class="mention g-proximal st-present"' in plain and '<span class="cue cue-normal"' in plain
    assert "Report r1 — PROXIMAL" in page and "(left PROXIMAL, right NEGATIVE; no comparison)" in page


def test_each_mark_carries_its_look_from_the_review_stylesheet():
    page = show(TEXT)._repr_html_()
    proximal = re.search(r'<span class="mention g-proximal st-present" style="([^"]*)"', page)[1]
    assert "background: #f4a3a3" in proximal and "font-weight: 700" in proximal  # --proximal; .mention.st-present
    normal_cue = re.search(r'<span class="cue cue-normal" style="([^"]*)"', page)[1]
    assert normal_cue == "border-bottom: 2px solid; border-bottom-color: #1e7a3c"  # .cue then .cue-normal
    assert 'class="legend" style="display: flex;' in page


def test_report_text_is_escaped():
    page = show("<b>x</b> FINDINGS: Thrombus in the right peroneal vein.")._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page


def test_plain_text_has_the_labels_the_text_and_the_findings():
    text = str(show(TEXT, id="r1"))
    lines = text.splitlines()
    assert lines[0] == "Report r1 — PROXIMAL (left PROXIMAL, right NEGATIVE)"
    assert lines[2:4] == TEXT.splitlines()  # the report text between two rules
    assert "popliteal · left · present · unspecified · occlusive (section: impression): “popliteal”" in lines[-1]
    assert "<" not in text and "\x1b[" not in text and repr(show(TEXT, id="r1")) == text  # no markup, no terminal escapes


def test_a_record_needs_its_text():
    record = extract(TEXT, "r2")
    assert show(record, text=TEXT).record is record
    assert show({**record, "text": TEXT}).text == TEXT  # records that carry their text (the synthetic corpus)
    with pytest.raises(ValueError, match="holds no report text"):
        show(record)


def test_evidence_that_does_not_quote_the_text_is_flagged():
    view = show(extract(TEXT, "r3"), text=TEXT.replace("Occlusive", "Occlusivε").upper())
    assert view.problems and "evidence offsets do not match the report text" in view._repr_html_()
    assert str(view).splitlines()[1].startswith("warning: findings[0]: evidence offsets do not match")


def test_error_records_show_their_error():
    assert "empty report: text is blank" in show("   ")._repr_html_()
    assert "empty report: text is blank" in str(show("   "))


def test_a_spacy_doc_from_the_dvt_components_shows_its_record():
    nlp = add_dvt_pipes(spacy.blank("en"))
    assert show(nlp(TEXT), id="r4").record == extract(TEXT, "r4")
    with pytest.raises(ValueError, match="holds no dvt record"):
        show(spacy.blank("en")(TEXT))
    with pytest.raises(TypeError, match="not int"):
        show(42)


def test_the_docstring_examples_run():
    results = doctest.testmod(pipeline.display, optionflags=doctest.ELLIPSIS)
    assert results.attempted > 0 and results.failed == 0
