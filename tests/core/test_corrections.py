"""Addenda that correct the side of the exam or of one vein (pipeline.core.corrections), on hand-built reports."""
from __future__ import annotations

import pytest

from pipeline.core.corrections import apply_side_correction, corrected_segments, corrected_side, corrected_veins
from pipeline.core.model import Finding, TextSpan

from .builders import LEXICON, clot, deep, examples, line, report, side, vein

STATED_RIGHT = line("The prior report erroneously stated 'right'.", side("right"), section="addendum")
WAS_LEFT = line("The examination was of the LEFT lower extremity.", side("LEFT"), deep("lower extremity"), section="addendum")
LEFT_NOT_RIGHT = line("Correction: this was a left leg study, not the right.", side("left"), deep("leg"), side("right"), section="addendum")


def addendum(*lines):
    return report(*lines)[0]


@pytest.mark.parametrize("text, lines, expected", examples(
    ("The prior report erroneously stated 'right'. The examination was of the LEFT lower extremity.", [STATED_RIGHT, WAS_LEFT], ("right", "left")),
    ("Correction: this was a left leg study, not the right.", [LEFT_NOT_RIGHT], ("right", "left")),
    ("The examination was of the LEFT lower extremity.", [WAS_LEFT], None),  # no leg named wrong
    ("Correction: the thrombus is in the left popliteal vein, not the right.", [line("Correction: the thrombus is in the left popliteal vein, not the right.", clot("thrombus"), side("left"), vein("popliteal vein", "popliteal"), side("right"), section="addendum")], None),  # a vein re-read
))
def test_the_exam_side_correction(text, lines, expected):
    assert corrected_side(addendum(*lines), LEXICON) == expected


def test_a_bilateral_exam_named_right_is_no_side_swap():
    both = line("Correction: this was a bilateral study, not the right.", side("bilateral"), side("right"), section="addendum")
    assert corrected_side(addendum(both), LEXICON) is None


def test_a_vein_re_read_on_the_other_leg_moves_that_vein():
    re_read = line("Correction: the thrombus described is in the LEFT popliteal vein, not the right.", clot("thrombus"),
                   side("LEFT"), vein("popliteal vein", "popliteal"), side("right"), section="addendum")
    assert corrected_veins(addendum(re_read), LEXICON) == [("popliteal", "right", "left")]


def test_a_vein_re_read_as_another_vein_renames_it():
    renamed = line("Correction: the thrombus is in the posterior tibial veins, not the peroneal veins as dictated.",
                   clot("thrombus"), vein("posterior tibial veins", "posterior_tibial"), vein("peroneal veins", "peroneal"),
                   section="addendum")
    assert [(wrong, right.value) for wrong, right in corrected_segments(addendum(renamed), LEXICON)] == [("peroneal", "posterior_tibial")]


def finding(segment, side, start=0, status="present"):
    group = {"popliteal": "proximal", "peroneal": "distal_axial", "soleal": "distal_muscular", None: "deep_unspecified"}[segment]
    return Finding(segment, group, side, status, "acute", None, "findings", TextSpan(start, start + 1, "x"), None, (start, start + 1))


ORIGINAL = line("Thrombus in the right popliteal vein.", clot("Thrombus"), side("right"), vein("popliteal vein", "popliteal"))


def corrected(*addendum_lines, findings_of=lambda text: [finding("popliteal", "right")], examined=("right",)):
    """(segment, side) of the findings and the examined legs after the addendum's corrections."""
    sentences, text = report(ORIGINAL, *addendum_lines)
    findings, legs = findings_of(text), set(examined)
    apply_side_correction(findings, legs, sentences, LEXICON)
    return [(f.segment, f.side) for f in findings], legs


def test_a_corrected_exam_side_moves_the_original_findings_and_the_examined_leg():
    assert corrected(STATED_RIGHT, WAS_LEFT) == ([("popliteal", "left")], {"left"})


def test_an_addendum_without_a_correction_word_moves_nothing():
    not_corrected = line("The examination was of the LEFT leg, not the right.", side("LEFT"), deep("leg"), side("right"), section="addendum")
    assert corrected(not_corrected) == ([("popliteal", "right")], {"right"})


def test_a_correction_moves_no_finding_of_the_addendum_itself():
    def findings_of(text):
        return [finding("popliteal", "right"), finding(None, "right", start=text.index("right'"), status="absent")]
    assert corrected(STATED_RIGHT, WAS_LEFT, findings_of=findings_of)[0] == [("popliteal", "left"), (None, "right")]


def test_the_wrong_leg_stays_examined_while_a_finding_stays_on_it():
    def findings_of(text):
        return [finding("popliteal", "right"), finding(None, "right", start=text.index("right'"), status="absent")]
    assert corrected(STATED_RIGHT, WAS_LEFT, findings_of=findings_of)[1] == {"left", "right"}


def test_a_re_read_vein_alone_moves_to_the_other_leg():
    re_read = line("Correction: the thrombus described is in the LEFT popliteal vein, not the right.", clot("thrombus"),
                   side("LEFT"), vein("popliteal vein", "popliteal"), side("right"), section="addendum")
    findings_of = lambda text: [finding("popliteal", "right"), finding("peroneal", "right")]  # noqa: E731
    assert corrected(re_read, findings_of=findings_of, examined=("left", "right")) == (
        [("popliteal", "left"), ("peroneal", "right")], {"left", "right"})


def test_a_renamed_vein_moves_the_original_findings_to_the_named_vein():
    # the muscular soleal vein re-read as the axial posterior tibial vein: its group changes too
    renamed = line("Correction: the thrombus is in the posterior tibial veins, not the soleal veins as dictated.",
                   clot("thrombus"), vein("posterior tibial veins", "posterior_tibial"), vein("soleal veins", "soleal"),
                   section="addendum")
    sentences, text = report(ORIGINAL, renamed)
    findings = [finding("soleal", "right"), finding("popliteal", "right")]
    apply_side_correction(findings, {"right"}, sentences, LEXICON)
    assert [(f.segment, f.group) for f in findings] == [("posterior_tibial", "distal_axial"), ("popliteal", "proximal")]
