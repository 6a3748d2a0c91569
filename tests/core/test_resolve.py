"""From sentences to findings (pipeline.core.resolve), on hand-built reports.

Each row: the report's sentences (their text names the case) and the findings as (segment, side, status),
in report order; segment None is a DVT asserted or denied with no vein."""
from __future__ import annotations

import pytest

from pipeline.core.resolve import resolve
from pipeline.core.worksheets import Cell, Reading, Row, Table

from .builders import LEXICON, Line, clot, cue, deep, hedge, line, mod, neg, normal, report, side, unseen, vein

POP, CFV, PTV = vein("popliteal vein", "popliteal"), vein("CFV", "common_femoral"), vein("PTV", "posterior_tibial")
GSV, IVC = vein("GSV", "great_saphenous"), vein("IVC", "ivc")
LEFT_EXAM = line("Left lower extremity venous duplex.", side("Left"), section="exam")
BOTH_EXAM = line("Bilateral lower extremity venous duplex.", side("Bilateral"), section="exam")
POP_CLOT = line("Thrombus in the popliteal vein.", clot("Thrombus"), POP)
NO_DVT = line("No DVT.", clot("DVT", neg("No")))


def cases(*rows):
    """One pytest case per row of (sentences, expected); the report's text names the case."""
    out = []
    for lines, expected in rows:
        lines = [lines] if isinstance(lines, Line) else lines
        out.append(pytest.param(lines, expected, id=" ".join(x.text for x in lines)))
    return out


def run(lines, **kw):
    sentences, text = report(*lines)
    return resolve(sentences, text, LEXICON, **kw)


def found(lines, **kw):
    return [(f.segment, f.side, f.status) for f in run(lines, **kw)[0]]


def examined(lines):
    return run(lines)[1]


@pytest.mark.parametrize("lines, expected", cases(
    (line("Occlusive thrombus in the left popliteal vein.", clot("Occlusive thrombus"), side("left"), POP), [("popliteal", "left", "present")]),
    (line("Thrombus in the popliteal vein.", clot("Thrombus"), POP, heading_side="left"), [("popliteal", "left", "present")]),  # under "LEFT LEG:"
    (line("Thrombus in the right popliteal vein.", clot("Thrombus"), side("right"), POP, heading_side="left"), [("popliteal", "right", "present")]),
    ([LEFT_EXAM, POP_CLOT], [("popliteal", "left", "present")]),  # the exam's side
    ([BOTH_EXAM, POP_CLOT], [("popliteal", "unspecified", "present")]),
    (POP_CLOT, [("popliteal", "unspecified", "present")]),
))
def test_a_vein_takes_its_side_word_then_its_heading_then_the_exam_side(lines, expected):
    assert found(lines) == expected


IN_RIGHT = line("In the right leg, the CFV is compressible.", side("right"), deep("leg"), CFV, normal("compressible"), section_index=1)


@pytest.mark.parametrize("lines, expected", cases(
    ([BOTH_EXAM, IN_RIGHT, line("There is thrombus in the popliteal vein.", clot("thrombus"), POP, section_index=1)],
     [("common_femoral", "right", "absent"), ("popliteal", "right", "present")]),
    ([BOTH_EXAM, IN_RIGHT, line("There is thrombus in the popliteal vein.", clot("thrombus"), POP, section_index=1, paragraph=1)],
     [("common_femoral", "right", "absent"), ("popliteal", "unspecified", "present")]),  # a new paragraph
    ([BOTH_EXAM, line("In the left leg, the CFV is compressible but there is thrombus in the PTV.", side("left"), deep("leg"), CFV, normal("compressible"), clot("thrombus"), PTV)],
     [("common_femoral", "left", "absent"), ("posterior_tibial", "left", "present")]),  # the clause before
))
def test_a_side_carries_forward_inside_a_paragraph(lines, expected):
    assert found(lines) == expected


def test_a_side_heading_comes_before_the_side_carried_from_the_sentence_before():
    # under "LEFT LEG:", a right-sided aside does not carry to the next sentence
    assert found([line("The right CFV is compressible.", side("right"), CFV, normal("compressible"), heading_side="left"),
                  line("Thrombus in the popliteal vein.", clot("Thrombus"), POP, heading_side="left")]) == [
        ("common_femoral", "right", "absent"), ("popliteal", "left", "present")]


@pytest.mark.parametrize("lines, expected", cases(
    ([LEFT_EXAM, line("Thrombus extends into the right IVC.", clot("Thrombus"), side("right"), IVC)], [("ivc", "left", "present")]),
    ([BOTH_EXAM, line("Thrombus extends into the right IVC.", clot("Thrombus"), side("right"), IVC)], [("ivc", "unspecified", "present")]),
))
def test_the_ivc_has_no_side_of_its_own(lines, expected):
    assert found(lines) == expected


LEFT_POP = line("Thrombus in the left popliteal vein.", clot("Thrombus"), side("left"), POP, section_index=1)
CONTRALATERAL = line("The contralateral CFV is compressible.", side("contralateral"), CFV, normal("compressible"), section_index=1)


@pytest.mark.parametrize("lines, expected", cases(
    ([LEFT_POP, CONTRALATERAL], [("popliteal", "left", "present"), ("common_femoral", "right", "absent")]),  # a one-leg exam
    ([BOTH_EXAM, LEFT_POP, CONTRALATERAL], [("popliteal", "left", "present"), ("common_femoral", "right", "absent")]),  # the leg just described
))
def test_contralateral_is_the_other_leg(lines, expected):
    assert found(lines) == expected


@pytest.mark.parametrize("lines, expected", cases(
    (NO_DVT, [(None, "unspecified", "absent")]),
    ([BOTH_EXAM, NO_DVT], [(None, "left", "absent"), (None, "right", "absent")]),  # a bilateral exam's "No DVT."
    ([BOTH_EXAM, line("DVT cannot be excluded.", clot("DVT", hedge("cannot be excluded")))], [(None, "left", "possible"), (None, "right", "possible")]),
    ([BOTH_EXAM, line("Acute DVT.", clot("DVT", mod("ACUTE", "Acute")))], [(None, "unspecified", "present")]),  # a claim has no both legs
    (line("Acute left leg DVT.", clot("DVT", mod("ACUTE", "Acute")), side("left"), deep("leg")), [(None, "left", "present")]),
    (line("No augmentation.", normal("augmentation", neg("No"))), []),  # a denied normal sign alone asserts nothing
    (line("Partial compressibility.", clot("Partial compressibility")), []),  # a sign alone describes a vein named elsewhere
    (line("Possible partial compressibility.", clot("Partial compressibility", hedge("Possible"))), [(None, "unspecified", "possible")]),
))
def test_a_cue_no_vein_claims_speaks_for_the_deep_veins(lines, expected):
    assert found(lines) == expected


@pytest.mark.parametrize("lines, expected", cases(
    (line("Thrombus in the GSV; no DVT.", clot("Thrombus"), GSV, clot("DVT", neg("no"))), [("great_saphenous", "unspecified", "present")]),
    (line("Thrombus in the bypass graft.", clot("Thrombus"), cue("nonvenous", "bypass graft")), []),
    (line("Thrombus noted, graft patent.", clot("Thrombus"), cue("nonvenous", "graft"), normal("patent")), []),  # about the graft
    (line("No DVT, graft patent.", clot("DVT", neg("No")), cue("nonvenous", "graft"), normal("patent")), [(None, "unspecified", "absent")]),
    (line("Thrombus in the popliteal vein; the thrombus is occlusive.", clot("Thrombus"), POP, clot("thrombus")), [("popliteal", "unspecified", "present")]),  # the same clot again
))
def test_a_cue_about_a_superficial_vein_a_graft_or_a_clot_named_before_is_no_deep_finding(lines, expected):
    assert found(lines) == expected


@pytest.mark.parametrize("lines, expected", cases(
    (line("Left calf DVT.", side("Left"), vein("calf", "calf_unspecified"), clot("DVT")), [("calf_unspecified", "left", "present")]),
    (line("Left calf pain.", side("Left"), vein("calf", "calf_unspecified")), []),
    (line("Thrombus in the peroneal vein in the mid calf.", clot("Thrombus"), vein("peroneal vein", "peroneal"), vein("calf", "calf_unspecified")), [("peroneal", "unspecified", "present")]),
    (line("Calf DVT in the peroneal veins.", vein("Calf", "calf_unspecified"), clot("DVT"), vein("peroneal veins", "peroneal")), [("peroneal", "unspecified", "present")]),
    (line("Thrombus in the deep veins including the popliteal vein.", clot("Thrombus"), deep("deep veins"), POP), [("popliteal", "unspecified", "present")]),
))
def test_a_calf_or_generic_vein_sharing_a_named_veins_cue_is_only_a_place(lines, expected):
    assert found(lines) == expected


def test_a_range_of_axial_veins_fills_the_veins_between():
    assert sorted(found([line("Occlusive thrombus from the CFV through the popliteal vein.", clot("Occlusive thrombus"), CFV, POP)])) == [
        ("common_femoral", "unspecified", "present"), ("femoral", "unspecified", "present"), ("popliteal", "unspecified", "present")]


@pytest.mark.parametrize("lines, expected", cases(
    (line("Nondiagnostic for DVT.", cue("unassessable", "Nondiagnostic"), clot("DVT")), [(None, "unspecified", "not_evaluated")] * 2),
    (line("Possible thrombus in the PTV; thrombus in the popliteal vein.", clot("thrombus", hedge("Possible")), PTV, clot("thrombus"), POP),
     [("posterior_tibial", "unspecified", "possible"), ("popliteal", "unspecified", "present")]),  # another clot's hedge
    (line("Intraluminal echoes in the popliteal vein which may represent thrombus.", clot("Intraluminal echoes", disease=False), POP, clot("thrombus", hedge("may represent"))), [("popliteal", "unspecified", "possible")]),
    (line("Intraluminal echoes in the popliteal vein consistent with slow flow.", clot("Intraluminal echoes", disease=False), POP, cue("explanation", "slow flow")), [("popliteal", "unspecified", "absent")]),
    (line("Intraluminal echoes in the popliteal vein likely due to slow flow.", clot("Intraluminal echoes", disease=False), POP, cue("explanation", "slow flow", hedge("likely"))), [("popliteal", "unspecified", "absent")]),  # "likely" is no hedge
    (line("Intraluminal echoes in the popliteal vein may represent slow flow.", clot("Intraluminal echoes", disease=False), POP, cue("explanation", "slow flow", hedge("may represent"))), [("popliteal", "unspecified", "possible")]),
    (line("No thrombus; intraluminal echoes in the popliteal vein consistent with slow flow.", clot("thrombus", neg("No")), clot("intraluminal echoes", disease=False), POP, cue("explanation", "slow flow")),
     [(None, "unspecified", "absent"), ("popliteal", "unspecified", "absent")]),  # the explanation names the echoes only
    (line("The apparent thrombus represents slow flow in the popliteal vein.", clot("thrombus"), cue("explanation", "slow flow"), POP), [("popliteal", "unspecified", "absent")]),
    (line("Monophasic flow in the CFV suggests more central obstruction.", CFV, clot("obstruction", disease=False)), []),
    (line("The femoral vein below the thrombus is compressible.", vein("femoral vein", "femoral"), clot("thrombus"), normal("compressible")), [("femoral", "unspecified", "absent")]),
    (line("The popliteal vein was well visualized and is noncompressible.", POP, cue("assessable", "visualized"), clot("noncompressible")), [("popliteal", "unspecified", "present")]),
))
def test_the_cue_a_vein_takes_and_what_explains_it_away(lines, expected):
    assert found(lines) == expected


def detail(lines):
    return [(f.segment, f.status, f.acuity, f.occlusion, f.junction) for f in run(lines)[0]]


@pytest.mark.parametrize("lines, expected", cases(
    (line("Acute occlusive thrombus in the popliteal vein.", clot("thrombus", mod("ACUTE", "Acute"), mod("OCCLUSIVE", "occlusive")), POP), [("popliteal", "present", "acute", "occlusive", False)]),
    (line("No acute thrombus in the popliteal vein.", clot("thrombus", neg("No"), mod("ACUTE", "acute")), POP), [("popliteal", "absent", None, None, False)]),
    (line("Thrombus in the GSV extending into the SFJ.", clot("Thrombus"), GSV, vein("SFJ", "great_saphenous", junction=True)), [("great_saphenous", "present", "unspecified", None, True)] * 2),
    (line("GSV thrombus 5 cm from the junction.", GSV, clot("thrombus")), [("great_saphenous", "present", "unspecified", None, False)]),
    (line("Popliteal vein thrombus at the junction.", vein("Popliteal vein", "popliteal"), clot("thrombus")), [("popliteal", "present", "unspecified", None, False)]),  # deep: no junction flag
))
def test_acuity_occlusion_and_junction_of_a_finding(lines, expected):
    assert detail(lines) == expected


HISTORY = line("Left leg swelling.", side("Left"), deep("leg"), section="indication")


@pytest.mark.parametrize("lines, expected", cases(
    ([HISTORY, line("DVT in the popliteal vein.", clot("DVT"), POP, section_index=1)],
     [(None, "left", "indication"), ("popliteal", "left", "present")]),
    ([HISTORY, line("No DVT.", clot("DVT", neg("No")), section_index=1)],
     [(None, "left", "indication"), (None, "unspecified", "absent")]),  # a denial takes no side from the history
    ([HISTORY, line("The CFV is compressible.", CFV, normal("compressible"), section_index=1), line("DVT in the popliteal vein.", clot("DVT"), POP, section_index=1)],
     [(None, "left", "indication"), ("common_femoral", "unspecified", "absent"), ("popliteal", "left", "present")]),  # nor does a normal vein
    ([HISTORY, line("Thrombus in the IVC.", clot("Thrombus"), IVC, section_index=1)],
     [(None, "left", "indication"), ("ivc", "unspecified", "present")]),  # nor the midline IVC
))
def test_with_no_side_elsewhere_a_sideless_thrombus_takes_the_historys_side(lines, expected):
    assert found(lines) == expected


@pytest.mark.parametrize("lines, expected", cases(
    ([LEFT_EXAM, line("The CFV is compressible.", CFV, normal("compressible"))], {"left"}),
    (line("The left CFV is compressible.", side("left"), CFV, normal("compressible")), {"left"}),
    ([BOTH_EXAM, line("Not examined.", heading_side="right")], {"left"}),  # "Right leg: not examined."
    ([line("Right lower extremity venous duplex.", side("Right"), section="exam"), line("neg.", heading_side="left")], {"left", "right"}),  # "LLE: neg."
    ([BOTH_EXAM, line("The left leg was not examined.", side("left"), deep("leg", unseen("not examined")))], {"right"}),
    ([line("Right lower extremity venous duplex.", side("Right"), section="exam"), line("Left CFV not assessed.", side("Left"), vein("CFV", "common_femoral", unseen("not assessed")))], {"right"}),
    (line("Left calf pain.", side("Left"), vein("calf", "calf_unspecified")), set()),  # a place, not an examined leg
    (line("Thrombus in the left subclavian vein.", clot("Thrombus"), side("left"), vein("subclavian vein", "upper_extremity")), set()),  # an arm
    (line("Pending.", heading_side="left"), set()),  # "LLE: pending." is no result
))
def test_the_examined_legs(lines, expected):
    assert examined(lines) == expected


def test_a_leg_said_not_examined_has_no_finding():
    assert found([BOTH_EXAM, line("The left leg was not examined.", side("left"), deep("leg", unseen("not examined")))]) == []


def test_a_vein_said_not_examined_is_not_evaluated():
    assert found([line("The left CFV was not examined.", side("left"), vein("CFV", "common_femoral", unseen("not examined")))]) == [
        ("common_femoral", "left", "not_evaluated")]


def test_an_addendum_that_corrects_the_exam_side_moves_its_findings():
    lines = [line("Right lower extremity venous duplex.", side("Right"), section="exam"), POP_CLOT,
             line("The prior report erroneously stated 'right'.", side("right"), section="addendum"),
             line("The examination was of the LEFT lower extremity.", side("LEFT"), deep("lower extremity"), section="addendum")]
    assert (found(lines), examined(lines)) == ([("popliteal", "left", "present")], {"left"})


def table_findings(vein_cell="CFV", reading_side=None, after=(), **options):
    """The findings of a worksheet row "<vein cell>   Noncompressible" read as thrombus, acute, and of the prose after it."""
    row_text = f"{vein_cell}   Noncompressible"
    words = vein_cell.split()
    sentences, text = report(line(row_text, CFV, *[side(w) for w in words[:-1]], **options), *after)
    cell = Cell(row_text.index("Noncompressible"), len(row_text), "Noncompressible", "compressibility")
    row = Row(0, len(row_text), Cell(0, len(vein_cell), vein_cell, "vein"), (cell,))
    rows = [(Table(0, len(row_text), (row,)), row, [Reading("thrombus", "acute", None, cell, reading_side)])]
    return [(f.segment, f.group, f.side, f.status, f.acuity) for f in resolve(sentences, text, LEXICON, rows)[0]]


ROW = ("common_femoral", "proximal")


@pytest.mark.parametrize("vein_cell, reading_side, options, expected", [
    ("CFV", None, {}, [(*ROW, "unspecified", "present", "acute")]),
    ("CFV", None, {"heading_side": "left"}, [(*ROW, "left", "present", "acute")]),
    ("CFV", "right", {"heading_side": "left"}, [(*ROW, "right", "present", "acute")]),  # the side column
    ("Left CFV", "right", {}, [(*ROW, "left", "present", "acute")]),  # a side word in the vein cell
    ("CFV", "bilateral", {}, [(*ROW, "left", "present", "acute"), (*ROW, "right", "present", "acute")]),
    ("CFV", None, {"section": "indication"}, []),
], ids=["no side", "side heading", "side column before heading", "side word in the vein cell", "bilateral side column", "indication"])
def test_a_worksheet_row_is_read_by_its_cells(vein_cell, reading_side, options, expected):
    assert table_findings(vein_cell, reading_side, **options) == expected


def test_prose_after_a_worksheet_is_read_as_prose():
    assert table_findings(after=[POP_CLOT])[1:] == [("popliteal", "proximal", "unspecified", "present", "unspecified")]


def test_a_skipped_span_holds_only_its_own_sentences():
    sentences, text = report(line("C = compressible, NC = noncompressible."), POP_CLOT)
    assert [f.segment for f in resolve(sentences, text, LEXICON, skip=[(0, sentences[0].end)])[0]] == ["popliteal"]
