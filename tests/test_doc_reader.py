"""The reading decisions of pipeline.nlp.doc_reader (titles, drifting indications, quotations, check boxes,
hedged answers, elided vein names), on hand-built sentences and spaCy's tokenizer alone (no pipeline).

Each row: the text, and what the decision gives."""
from __future__ import annotations

import pytest
import spacy

from pipeline.nlp.doc_reader import _answered_no, _drifts_to_findings, _ellipses, _hedged_answer, _is_title, _quoted_spans, _Tokens, _unchecked
from pipeline.nlp.tokenizer import customize_tokenizer
from pipeline.rules import Term

from .core.builders import LEXICON, clot, examples, line, mod, normal, report, sentence, side, vein


@pytest.fixture(scope="module")
def tokens():
    """text -> the doc reader's token table of it, tokenized as the pipeline tokenizes."""
    nlp = spacy.blank("en")
    customize_tokenizer(nlp)
    return lambda text: _Tokens(nlp(text), text)


def first_is_title(*lines):
    sentences, text = report(*lines, sep="\n")
    return _is_title(sentences[0], text, LEXICON)


POP_CLOT = line("Thrombus in the popliteal vein.", clot("Thrombus"), vein("popliteal vein", "popliteal"))


@pytest.mark.parametrize("text, lines, expected", examples(
    ("RT LE DVT STUDY", [line("RT LE DVT STUDY", side("RT"), clot("DVT")), POP_CLOT], True),  # shouting
    ("Right leg venous duplex.", [line("Right leg venous duplex.", side("Right")), POP_CLOT], True),  # no cue
    ("Occlusive thrombus, venous duplex.", [line("Occlusive thrombus, venous duplex.", clot("Occlusive thrombus")), POP_CLOT], True),  # an exam word
    ("Thrombus in the popliteal vein.", [POP_CLOT, line("The CFV is compressible.", normal("compressible"))], False),
    ("Right leg venous duplex. (alone)", [line("Right leg venous duplex.", side("Right"))], False),  # nothing follows
))
def test_a_first_line_that_names_the_exam_is_its_title(text, lines, expected):
    assert first_is_title(*lines) is expected


def test_a_title_must_end_its_line():
    sentences, text = report(line("Right leg venous duplex.", side("Right")), POP_CLOT, sep=" ")
    assert not _is_title(sentences[0], text, LEXICON)


HISTORY_CUES = frozenset({"dvt", "thrombus"})


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Leg swelling, rule out DVT.", [clot("DVT")], False),
    ("The CFV is compressible.", [normal("compressible")], True),  # describes the exam
    ("BLE dopplers ordered to r/o DVT: no evidence of DVT.", [clot("DVT"), clot("DVT")], True),  # reports its result
    ("Noncompressible popliteal vein on a prior study.", [clot("Noncompressible", mod("HISTORICAL", "prior study"))], False),  # another study
))
def test_an_indication_that_describes_the_exam_drifts_into_findings(text, parts, expected):
    assert _drifts_to_findings(sentence(text, *parts, section="indication"), HISTORY_CUES, LEXICON) is expected


def quoted(text):
    return [text[a:b] for a, b in _quoted_spans(text, LEXICON)]


@pytest.mark.parametrize("text, expected", examples(
    ('The original report described "thrombus in the left peroneal vein" in error.', ['"thrombus in the left peroneal vein"']),
    ("Pt states 'they found a clot in my leg' last week.", ["'they found a clot in my leg'"]),  # a patient's words
    ('Discharge note: "Acute thrombus in the left peroneal veins." Started on heparin.', []),  # a quoted result is read
    ("The 'left' leg was scanned.", []),
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
def test_a_word_in_the_item_of_an_empty_check_box_is_unsaid(tokens, text, word, expected):
    table = tokens(text)
    assert _unchecked(table, table.lowers.index(word), LEXICON) is expected


@pytest.mark.parametrize("text, expected", examples(
    ("DVT present: [ ] Yes [X] No", True),
    ("DVT present: [X] Yes [ ] No", False),
    ("DVT in the popliteal vein.", None),  # no box follows
))
def test_a_question_answered_no_by_its_ticked_box(tokens, text, expected):
    assert _answered_no(tokens(text), 1, LEXICON) is expected


@pytest.mark.parametrize("text, expected", examples(
    ("Thrombus: Possible | Flow: normal", ("POSSIBLE_EXISTENCE", "Possible")),
    ("Thrombus: absent | Flow: normal", None),
    ("Thrombus possible in the CFV.", None),  # not an answer
))
def test_a_thrombus_cell_answered_with_a_hedge(tokens, text, expected):
    found = _hedged_answer(tokens(text), 1, LEXICON)
    assert (found and (found.category, found.text)) == expected


ALIASES = {"common iliac veins": Term("common iliac veins", "segment", "common_iliac", "proximal"),
           "iliac veins": Term("iliac veins", "segment", "common_iliac", "proximal"),
           "anterior tibial veins": Term("anterior tibial veins", "segment", "anterior_tibial", "distal_axial")}


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus in the common and external iliac veins.", [vein("external iliac veins", "external_iliac")], [("common_iliac", "common")]),
    ("Thrombus in the anterior and posterior tibial veins.", [vein("posterior tibial veins", "posterior_tibial")], [("anterior_tibial", "anterior")]),
    ("Thrombus in the external iliac and gastrocnemius veins.", [vein("external iliac", "external_iliac"), vein("gastrocnemius veins", "gastrocnemius")], []),
    ("Thrombus in the popliteal and posterior tibial veins.", [vein("popliteal", "popliteal"), vein("posterior tibial veins", "posterior_tibial")], []),
))
def test_the_first_adjective_of_an_elided_pair_names_a_vein_too(tokens, text, parts, expected):
    mentions = list(sentence(text, *parts).mentions)
    assert [(m.value, m.text) for m in _ellipses(mentions, tokens(text), ALIASES)] == expected
