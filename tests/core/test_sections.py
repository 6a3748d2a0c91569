"""Which report section each sentence stands in (pipeline.core.sections): titles, one-line headers,
indications that drift into findings, comparisons that speak of today, closing diagnoses.

Each row: the text, and the section it gives."""
from __future__ import annotations

import pytest

from pipeline.core.sections import Part, SectionTracker, asserts, drifts_to_findings, is_title, lines_after_header, speaks_of_today

from .builders import LEXICON, clot, examples, hedge, line, mod, normal, report, sentence, side, vein


def first_is_title(*lines):
    sentences, text = report(*lines, sep="\n")
    return is_title(sentences[0], text, LEXICON)


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
    assert not is_title(sentences[0], text, LEXICON)


HISTORY_CUES = frozenset({"dvt", "thrombus"})


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Leg swelling, rule out DVT.", [clot("DVT")], False),
    ("The CFV is compressible.", [normal("compressible")], True),  # describes the exam
    ("BLE dopplers ordered to r/o DVT: no evidence of DVT.", [clot("DVT"), clot("DVT")], True),  # reports its result
    ("Noncompressible popliteal vein on a prior study.", [clot("Noncompressible", mod("HISTORICAL", "prior study"))], False),  # another study
))
def test_an_indication_that_describes_the_exam_drifts_into_findings(text, parts, expected):
    assert drifts_to_findings(sentence(text, *parts, section="indication"), HISTORY_CUES, LEXICON) is expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Acute DVT of the left PTV.", [clot("DVT")], True),
    ("Possible DVT.", [clot("DVT", hedge("Possible"))], False),  # hedged
    ("h/o DVT.", [clot("DVT", mod("HISTORICAL", "h/o"))], False),  # a history
    ("Left leg swelling.", [side("Left")], False),  # no thrombus cue
))
def test_a_sentence_that_asserts_a_thrombus(text, parts, expected):
    assert asserts(sentence(text, *parts)) is expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Today there is thrombus in the CFV.", [clot("thrombus")], True),  # a time word
    ("The CFV is now compressible.", [normal("compressible", change="resolved")], True),  # a stated change
    ("The CFV is compressible.", [normal("compressible")], False),
))
def test_a_comparison_sentence_that_speaks_of_today(text, parts, expected):
    assert speaks_of_today(sentence(text, *parts, section="comparison"), LEXICON) is expected


@pytest.mark.parametrize("text, word, expected", examples(
    ("INDICATION: leg swelling.", "leg", 0),
    ("INDICATION:\nleg swelling.", "leg", 0),  # a bare header lends its content line
    ("INDICATION:\nleg swelling.\nThe CFV is compressible.", "The", 1),
    ("INDICATION: leg swelling.\nThe CFV is compressible.", "The", 1),
))
def test_lines_after_a_header(text, word, expected):
    assert lines_after_header(text, 0, text.index(word)) == expected


def part(section, late=None, one_sentence=False, offset=0):
    return Part(0, offset, section, None, late, one_sentence)


def layout(text, word, section, **kw):
    """The section of the sentence starting at ``word`` in a report of one header at its start."""
    tracker = SectionTracker(text, [part(section, **kw)], LEXICON, HISTORY_CUES)
    first = text.index(word)
    return tracker.by_layout(0, first, first)[2]


@pytest.mark.parametrize("text, word, section, expected", examples(
    ("EXAM: left leg duplex.", "left", "exam", "exam"),
    ("EXAM: left leg duplex.\nThrombus in the CFV.", "Thrombus", "exam", "findings"),  # an exam names one line
    ("INDICATION:\nleg swelling.", "leg", "indication", "indication"),  # the line after a bare header
    ("INDICATION: swelling.\nleg pain.\nThe CFV is compressible.", "The", "indication", "findings"),
    ("INDICATION: leg swelling,\nrule out DVT.", "rule", "indication", "indication"),  # one line on
    ("PLAN: follow up.\n\nThrombus in the CFV.", "Thrombus", "plan", "findings"),  # a blank line ends a preamble
    ("PLAN: follow up.\nCall the clinic.", "Call", "plan", "plan"),
    ("ADDENDUM: the side is left.\n\nThrombus in the CFV.", "Thrombus", "addendum", "findings"),  # on top of the report
    ("ADDENDUM: the side is left.\nThrombus in the CFV.", "Thrombus", "addendum", "addendum"),
))
def test_the_layout_ends_a_section(text, word, section, expected):
    assert layout(text, word, section) == expected


def test_a_one_sentence_header_holds_two_sentences():
    text = "Comparison is made to the May study. It was normal. Thrombus is seen in the CFV."
    tracker = SectionTracker(text, [part("comparison", one_sentence=True)], LEXICON, HISTORY_CUES)
    assert [tracker.by_layout(0, 0, 0)[2] for _ in range(3)] == ["comparison", "comparison", "findings"]


def test_a_closing_header_means_its_late_section_once_findings_were_read():
    lines = [line("Thrombus in the popliteal vein.", clot("Thrombus"), vein("popliteal vein", "popliteal")),
             line("Diagnosis: possible DVT.", clot("DVT", hedge("possible")), section="indication")]
    sentences, text = report(*lines, sep="\n\n")
    parts = [part("findings"), Part(sentences[1].tok_start, sentences[1].start, "indication", None, "impression", False)]
    tracker = SectionTracker(text, parts, LEXICON, HISTORY_CUES)
    diagnosis = (sentences[1].tok_start, sentences[1].start, sentences[1].start)
    assert tracker.by_layout(*diagnosis)[2] == "indication"  # no findings read yet
    tracker.by_content(sentences[0])
    assert tracker.by_layout(*diagnosis)[2] == "impression"


def read(lines, parts, sep="\n"):
    """The sections the tracker settles on for a report's sentences (each in its line's section)."""
    sentences, text = report(*lines, sep=sep)
    tracker = SectionTracker(text, parts, LEXICON, HISTORY_CUES)
    return [tracker.by_content(s).section for s in sentences]


COMPARISON = [part("comparison")]
INDICATION = [part("indication")]
DIAGNOSIS = [part("indication", late="impression")]


@pytest.mark.parametrize("text, lines, parts, expected", examples(
    ("Comparison: outside duplex. Today there is thrombus in the CFV.",
     [line("Comparison: outside duplex.", section="comparison"), line("Today there is thrombus in the CFV.", clot("thrombus"), section="comparison")],
     COMPARISON, ["comparison", "findings"]),
    ("Comparison: outside duplex. Thrombus in the CFV.",  # no word of today
     [line("Comparison: outside duplex.", section="comparison"), line("Thrombus in the CFV.", clot("Thrombus"), section="comparison")],
     COMPARISON, ["comparison", "comparison"]),
    ("Indication: swelling. The CFV is compressible. Swelling again.",  # a drifted indication stays findings
     [line("Indication: swelling.", section="indication"), line("The CFV is compressible.", normal("compressible"), section="indication"),
      line("Swelling again.", section="indication")],
     INDICATION, ["indication", "findings", "findings"]),
    ("Diagnosis: acute DVT of the left PTV.", [line("Diagnosis: acute DVT of the left PTV.", clot("DVT"), section="indication")],
     DIAGNOSIS, ["impression"]),
    ("Diagnosis: possible DVT.", [line("Diagnosis: possible DVT.", clot("DVT", hedge("possible")), section="indication")], DIAGNOSIS, ["indication"]),
    ("RT LE DVT STUDY / Thrombus in the popliteal vein.",
     [line("RT LE DVT STUDY", side("RT"), clot("DVT")), POP_CLOT], [part("findings")], ["exam", "findings"]),
))
def test_what_a_sentence_says_moves_its_section(text, lines, parts, expected):
    assert read(lines, parts) == expected
