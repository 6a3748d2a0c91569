"""The study a report compares with (pipeline.core.comparison), on hand-built sentences.

Each row: the report's sentences (text and section), and the comparison's source, date and evidence.
The comparison words are the bundled ``patterns/comparison.json``, compiled as the loader does."""
from __future__ import annotations

import pytest

from pipeline.core.comparison import find_comparison, follow_up
from pipeline.core.model import Finding, TextSpan
from pipeline.rules import load_rules

from .builders import examples, line, report

VOCAB = load_rules().comparison


def compared(*lines, findings=()):
    sentences, text = report(*lines)
    found = find_comparison(sentences, text, VOCAB, findings)
    if found is None:
        return None
    assert text[found.start:found.end] == found.text
    return found.source, found.date, found.text


@pytest.mark.parametrize("text, section, expected", examples(
    ("COMPARISON: 03/02/2026.", "comparison", ("prior", "03/02/2026", "COMPARISON: 03/02/2026.")),
    ("Comparison: None.", "comparison", ("none", None, "Comparison: None.")),
    ("Compared with the outside duplex of 5/3/2026, the thrombus is stable.", "findings", ("outside", "5/3/2026", "Compared with the outside duplex of 5/3/2026")),
    ("No prior studies are available for comparison.", "findings", ("none", None, "prior studies")),
    ("Thrombus in the peroneal veins, new since the exam of 6/12/2026.", "findings", ("prior", "6/12/2026", "since the exam of 6/12/2026")),
    ("R TPT: thrombus, new extension from the PTV (prior 7/7).", "findings", ("prior", "7/7", "(prior 7/7")),
    ("Thrombus was seen in the left PTV on Tuesday's duplex.", "findings", ("prior", "Tuesday", "Tuesday's duplex")),
    ("The study from 9/9 showed left soleal vein thrombosis.", "findings", ("prior", "9/9", "study from 9/9")),
    ("L CFV still non-compressible, same as yesterday.", "findings", ("prior", "yesterday", "same as yesterday")),
    ("INDICATION: DVT seen on the prior study.", "indication", None),  # an indication compares nothing
    ("Venous duplex of 3/4/2026", "exam", None),  # an exam title's date is this exam's
    ("The left CFV is compressible.", "findings", None),
))
def test_stated_comparison(text, section, expected):
    assert compared(line(text, section=section)) == expected


def changed(cue_start, cue_text, sentence_end):
    return Finding("popliteal", "proximal", "left", "present", "acute", None, "findings", TextSpan(0, 1, "x"), None, (0, sentence_end),
                   change="new", change_cue=TextSpan(cue_start, cue_start + len(cue_text), cue_text))


@pytest.mark.parametrize("text, cue_at, cue_text, expected", examples(  # a stated change with no comparison named
    ("L POP: newly non-compressible (compressible on 4/3).", 7, "newly", ("prior", "4/3", "newly non-compressible (compressible on 4/3")),
    ("Duplex 6/18: the soleal thrombus now extends into the peroneal veins.", 33, "now extends", ("prior", None, "now extends")),  # not this exam's date
))
def test_implied_comparison(text, cue_at, cue_text, expected):
    assert compared(line(text), findings=[changed(cue_at, cue_text, len(text))]) == expected


def test_follow_up_applies_a_contrast_only_with_a_named_comparison():
    prior = Finding("peroneal", "distal_axial", "left", "historical", None, None, "findings", TextSpan(0, 1, "x"), TextSpan(0, 1, "t"), (0, 1),
                    order=0, prior="present")
    today = Finding("peroneal", "distal_axial", "left", "absent", None, None, "findings", TextSpan(5, 6, "x"), None, (0, 1), order=5)
    named, text = report(line("The prior exam showed peroneal thrombosis."))
    assert [f.change for f in follow_up(named, text, VOCAB, [prior, today])[0]] == [None, "resolved"]
    unnamed, text = report(line("History of peroneal thrombosis."))
    assert [f.change for f in follow_up(unnamed, text, VOCAB, [prior, today])[0]] == [None, None]


@pytest.mark.parametrize("text", [
    "COMPARED WITH THE PRIOR DUPLEX OF 3/1, the thrombus is unchanged.",  # capitals: the lower-cased scan
    "Since Tuesday's Duplex the clot has grown.",
    "Compared with the prior study of 3/1 (Ærø clinic), unchanged.",       # not ASCII: the case-blind scan
    "No comparison available; Prior US 2/8.",
])
def test_references_on_lowered_ascii_text_are_those_of_the_case_blind_pattern(text):
    assert [m.span() for m in VOCAB.references(text)] == [m.span() for m in VOCAB.reference.finditer(text)] != []
