"""Which side a mention is on (pipeline.core.sides), on hand-built sentences.

Each row: the sentence, its mentions, and what the decision gives."""
from __future__ import annotations

from typing import NamedTuple

import pytest

from pipeline.core.sides import SideTracker, exam_side, expand_side, finding_sides, named_side, names_exam, title_side

from .builders import LEXICON, clot, deep, examples, line, report, sentence, side, vein

CFV, POP = vein("CFV", "common_femoral"), vein("popliteal vein", "popliteal")


def first_side_names_exam(text, parts):
    s = sentence(text, *parts)
    return names_exam(s, next(m for m in s.mentions if m.kind == "side"), LEXICON)


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Left lower extremity venous duplex.", [side("Left")], True),
    ("Venous duplex bilat LE.", [side("bilat")], True),  # after the study noun
    ("Venous doppler, bilateral - thrombus in the CFV.", [side("bilateral"), clot("thrombus"), CFV], True),
    ("Venous duplex of the lower extremities.", [side("lower extremities", value="bilateral")], True),
    ("Duplex of the left calf veins.", [side("left"), vein("calf veins", "calf_unspecified")], False),  # a vein follows
    ("DVT study (bilat):", [clot("DVT"), side("bilat")], True),
    ("Thrombus in the left popliteal vein.", [clot("Thrombus"), side("left"), POP], False),
    ("On duplex, left CFV is noncompressible.", [side("left"), CFV, clot("noncompressible")], False),  # a vein follows
    ("Negative right leg venous duplex.", [side("right"), deep("leg")], False),  # the result of that leg
    ("Left arm pain; an ultrasound was done.", [side("Left")], False),
    ("Thrombus in the CFV (left).", [clot("Thrombus"), CFV, side("left")], False),  # a bracket without an exam noun
))
def test_a_side_word_that_qualifies_the_exam(text, parts, expected):
    assert first_side_names_exam(text, parts) is expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("DVT study of the left leg.", [clot("DVT"), side("left"), deep("leg")], True),        # before an exam noun
    ("POCUS for DVT attempted, no adequate images.", [clot("DVT")], True),                  # what the exam looks for
    ("US DVT (EM): pop v compressible.", [clot("DVT"), vein("pop v", "popliteal")], True),  # the study's name
    ("Duplex for DVT of the left CFV: occlusive.", [clot("DVT"), side("left"), CFV], False),  # a vein follows
    ("Doppler DVT left popliteal vein.", [clot("DVT"), side("left"), POP], False),              # a side follows
    ("Duplex showed DVT.", [clot("DVT")], False),                                          # a result
))
def test_a_disease_word_that_names_the_exam(text, parts, expected):
    s = sentence(text, *parts)
    assert names_exam(s, s.mentions[0], LEXICON) is expected


def sides(text, parts):
    return [m.value for m in finding_sides(sentence(text, *parts), LEXICON)]


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus in the left CFV.", [clot("Thrombus"), side("left"), CFV], ["left"]),
    ("Compressible contralateral CFV.", [side("contralateral"), CFV], ["contralateral"]),
    ("Compare with the contralateral pair.", [side("contralateral")], []),
    ("Thrombus in the CFV; compare with the contralateral side.", [clot("Thrombus"), CFV, side("contralateral")], []),  # no vein after it
    ("Thrombus in both common iliac veins.", [clot("Thrombus"), side("both"), vein("common iliac veins", "common_iliac")], ["bilateral"]),
    ("Thrombus in both paired anterior tibial veins.", [clot("Thrombus"), side("both"), vein("anterior tibial veins", "anterior_tibial")], []),
    ("PTV: thrombus (both veins).", [vein("PTV", "posterior_tibial"), clot("thrombus"), side("both"), deep("veins")], []),
    ("Left lower extremity venous duplex.", [side("Left")], []),  # names the exam
))
def test_side_words_that_can_qualify_a_finding(text, parts, expected):
    assert sides(text, parts) == expected


def titled(*lines):
    return title_side(report(*lines)[0], LEXICON)


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Left lower extremity venous duplex.", [side("Left")], "left"),
    ("Bilateral lower extremity venous duplex.", [side("Bilateral")], "bilateral"),
    ("Right and left leg venous duplex.", [side("Right"), side("left")], "bilateral"),
    ("RIGHT UPPER EXTREMITY AND LEFT LOWER EXTREMITY VENOUS DUPLEX.", [side("RIGHT"), side("LEFT")], "left"),  # an arm's side
    ("RIGHT.", [side("RIGHT")], "right"),  # an exam line that is just a side
    ("L thigh larger than R.", [side("L"), side("R")], None),  # a clinical note's "Exam:" names no study
))
def test_the_exam_section_gives_the_title_side(text, parts, expected):
    assert titled(line(text, *parts, section="exam")) == expected


def test_without_a_title_an_exam_phrase_elsewhere_gives_the_title_side():
    assert titled(line("Left lower extremity venous duplex was performed.", side("Left"))) == "left"


def test_an_exam_phrase_in_the_history_gives_no_title_side():
    assert titled(line("Prior left lower extremity venous duplex.", side("left"), section="comparison")) is None


def test_the_exam_side_is_the_title_side_first():
    sentences, _ = report(line("Right leg venous duplex.", side("Right"), section="exam"),
                          line("Thrombus in the left CFV.", clot("Thrombus"), side("left"), CFV))
    assert exam_side(sentences, LEXICON) == "right"


@pytest.mark.parametrize("text, parts, section, expected", examples(
    ("Thrombus in the left CFV.", [clot("Thrombus"), side("left"), CFV], "findings", "left"),
    ("Thrombus in the left and right CFV.", [clot("Thrombus"), side("left"), side("right"), CFV], "findings", None),
    ("Left leg swelling.", [side("Left"), deep("leg")], "indication", None),  # history only
    ("The CFV is compressible.", [CFV], "findings", None),
))
def test_without_a_title_the_only_side_named_outside_the_history_is_the_exam_side(text, parts, section, expected):
    assert exam_side(report(line(text, *parts, section=section))[0], LEXICON) == expected


def test_named_side_can_read_the_indication_when_asked():
    sentences, _ = report(line("Left leg swelling.", side("Left"), deep("leg"), section="indication"))
    assert named_side(sentences, LEXICON, ("comparison",)) == "left"


@pytest.mark.parametrize("text, exam, expected", examples(
    ("bilateral", None, ["left", "right"]),
    ("contralateral", "left", ["right"]),
    ("contralateral", "right", ["left"]),
    ("contralateral", None, ["unspecified"]),
    ("left", "right", ["left"]),
))
def test_expand_side(text, exam, expected):
    assert expand_side(text, exam) == expected


class View(NamedTuple):
    anchor_sides: dict


def track(*lines):
    """The side carried into each sentence: a side word qualifying the sentence's first vein feeds the tracker."""
    sentences, _ = report(*lines)
    tracker = SideTracker(LEXICON)
    carried = []
    for s in sentences:
        word = next((m for m in s.mentions if m.kind == "side"), None)
        carried.append(tracker.update(s, View({0: word} if word else {})))
    return carried


IN_RIGHT = line("In the right leg, the CFV is compressible.", side("right"), deep("leg"), CFV)
THEN_POP = ("There is thrombus in the popliteal vein.", clot("thrombus"), POP)


def test_a_side_carries_to_the_next_sentence_of_its_paragraph():
    assert track(IN_RIGHT, line(*THEN_POP)) == [None, "right"]


def test_a_side_does_not_carry_into_another_paragraph_or_section():
    assert track(IN_RIGHT, line(*THEN_POP, paragraph=1)) == [None, None]
    assert track(IN_RIGHT, line(*THEN_POP, section_index=1)) == [None, None]


def test_a_numbered_item_stands_alone():
    assert track(IN_RIGHT, line("2. Thrombus in the popliteal vein.", clot("Thrombus"), POP)) == [None, None]


def test_two_sides_carry_nothing():
    both = line("The right and left CFV are compressible.", side("right"), side("left"), CFV)
    tracker = SideTracker(LEXICON)
    sentences, _ = report(both, line(*THEN_POP))
    tracker.update(sentences[0], View({0: sentences[0].mentions[0], 1: sentences[0].mentions[1]}))
    assert tracker.update(sentences[1], View({})) is None
