"""What the reader decides about the words of a report (pipeline.core.reading): quotations, check
boxes, hedged answers, whole-leg words, elided vein names, later exams, "diagnosed ... on duplex".

Each row: the text, and what the decision gives."""
from __future__ import annotations

import pytest

from pipeline.core.model import WHOLE_DEEP
from pipeline.core.reading import (answered_no, diagnosed_now, ellipses, hedged_answer, later_exam, names_means, quoted_spans,
                                   unchecked, whole_leg)
from pipeline.rules import Term, load_rules

from .builders import LEXICON, clot, deep, examples, mod, sentence, side, tokens, vein

RULES = load_rules()
QUALIFIERS, STUDIES, RESULTS, _, MEANS, _ = RULES.later_exam


def quoted(text):
    return [text[a:b] for a, b in quoted_spans(text, LEXICON)]


@pytest.mark.parametrize("text, expected", examples(
    ('The original report described "thrombus in the left peroneal vein" in error.', ['"thrombus in the left peroneal vein"']),
    ("Pt states 'they found a clot in my leg' last week.", ["'they found a clot in my leg'"]),  # a patient's words
    ('Discharge note: "Acute thrombus in the left peroneal veins." Started on heparin.', []),  # a quoted result is read
    ("The 'left' leg was scanned.", []),
    ("Thrombus in the left peroneal vein.", []),  # no quotation mark
))
def test_a_quotation_of_another_report_or_a_patient_holds_no_finding(text, expected):
    assert quoted(text) == expected


@pytest.mark.parametrize("text, word, expected", examples(
    ("Side: [ ] Right [x] Left", "right", True),
    ("Side: [ ] Right [x] Left", "left", False),
    ("☐ Right ☒ Left", "right", True),
    ("☐ Right ☒ Left", "left", False),
    ("[ ] Positive for DVT", "dvt", True),  # the item of an empty box
    ("[ ]\nRight leg", "right", False),  # an item ends at its line
    ("Right leg", "right", False),
))
def test_a_word_in_the_item_of_an_empty_check_box_is_unsaid(text, word, expected):
    lowers = tokens(text).lowers
    assert unchecked(lowers, lowers.index(word), LEXICON) is expected


@pytest.mark.parametrize("text, expected", examples(
    ("DVT present: [ ] Yes [X] No", True),
    ("DVT present: [X] Yes [ ] No", False),
    ("DVT in the popliteal vein.", None),  # no box follows
))
def test_a_question_answered_no_by_its_ticked_box(text, expected):
    assert answered_no(tokens(text), 1, LEXICON) is expected


@pytest.mark.parametrize("text, expected", examples(
    ("Thrombus: Possible | Flow: normal", ("POSSIBLE_EXISTENCE", "Possible")),
    ("Thrombus: absent | Flow: normal", None),
    ("Thrombus possible in the CFV.", None),  # not an answer
))
def test_a_thrombus_cell_answered_with_a_hedge(text, expected):
    found = hedged_answer(tokens(text), 1, LEXICON)
    assert (found and (found.category, found.text)) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("DVT of the entire left leg.", [clot("DVT"), side("left"), deep("leg")], WHOLE_DEEP),
    ("Thrombus throughout the deep veins.", [clot("Thrombus"), deep("deep veins")], WHOLE_DEEP),
    ("DVT of the left leg.", [clot("DVT"), side("left"), deep("leg")], "generic_deep"),  # no whole-leg word
))
def test_a_whole_leg_word_names_all_its_deep_veins(text, parts, expected):
    mentions = whole_leg(list(sentence(text, *parts).mentions), tokens(text), RULES.whole_before, LEXICON.determiners)
    assert next(m.value for m in mentions if m.kind == "generic_deep") == expected


ALIASES = {"common iliac veins": Term("common iliac veins", "segment", "common_iliac", "proximal"),
           "iliac veins": Term("iliac veins", "segment", "common_iliac", "proximal"),
           "anterior tibial veins": Term("anterior tibial veins", "segment", "anterior_tibial", "distal_axial")}


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus in the common and external iliac veins.", [vein("external iliac veins", "external_iliac")], [("common_iliac", "common")]),
    ("Thrombus in the anterior and posterior tibial veins.", [vein("posterior tibial veins", "posterior_tibial")], [("anterior_tibial", "anterior")]),
    ("Thrombus in the external iliac and gastrocnemius veins.", [vein("external iliac", "external_iliac"), vein("gastrocnemius veins", "gastrocnemius")], []),
    ("Thrombus in the popliteal and posterior tibial veins.", [vein("popliteal", "popliteal"), vein("posterior tibial veins", "posterior_tibial")], []),
))
def test_the_first_adjective_of_an_elided_pair_names_a_vein_too(text, parts, expected):
    mentions = list(sentence(text, *parts).mentions)
    assert [(m.value, m.text) for m in ellipses(mentions, tokens(text), ALIASES)] == expected


def told_later(text):
    table = tokens(text)
    start = later_exam(table, 0, len(table.lowers), QUALIFIERS, STUDIES, RESULTS)
    return None if start is None else text[start:]


@pytest.mark.parametrize("text, expected", examples(
    ("A repeat duplex showed thrombus.", "repeat duplex showed thrombus."),
    ("Two days later, ultrasound revealed a DVT.", "later, ultrasound revealed a DVT."),
    ("Repeat US in 1 week is recommended.", None),  # a plan: no result
    ("The duplex showed thrombus.", None),  # no later exam
))
def test_a_later_exam_is_told_from_its_qualifier(text, expected):
    assert told_later(text) == expected


@pytest.mark.parametrize("text, expected", examples(
    ("Diagnosed with a popliteal DVT on duplex.", True),
    ("Diagnosed with a popliteal DVT by bedside ultrasound.", True),
    ("Diagnosed with a popliteal DVT on admission.", False),  # no exam named as the means
))
def test_an_exam_named_as_the_means(text, expected):
    assert names_means(tuple(tokens(text).lowers), MEANS, STUDIES) is expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Diagnosed with a popliteal DVT on duplex.", [clot("DVT", mod("HISTORICAL", "Diagnosed"))], []),
    ("History of a popliteal DVT.", [clot("DVT", mod("HISTORICAL", "History of"))], ["HISTORICAL"]),  # another history
))
def test_diagnosed_now_drops_the_history_of_diagnosed(text, parts, expected):
    mention = sentence(text, *parts).mentions[0]
    assert [m.category for m in diagnosed_now(mention).modifiers] == expected
