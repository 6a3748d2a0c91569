"""The pure follow-up logic (no spaCy): change, comparison and scope on hand-made inputs.

A sentence is written with its words split by spaces; mentions and modifiers name word positions.
"""
from __future__ import annotations

import pytest

from pipeline.core.assertion import decide_status
from pipeline.core.change import contrast_changes, decide_change, without_follow_up
from pipeline.core.classify import side_scope
from pipeline.core.comparison import find_comparison
from pipeline.core.model import Finding, Mention, Modifier, Sentence, TextSpan
from pipeline.rules import load_rules


def words(text: str) -> tuple[list[str], list[int]]:
    tokens = text.split(" ")
    starts, position = [], 0
    for token in tokens:
        starts.append(position)
        position += len(token) + 1
    return tokens, starts


def span(text: str, a: int, b: int) -> tuple[int, int, str]:
    tokens, starts = words(text)
    start, end = starts[a], starts[b - 1] + len(tokens[b - 1])
    return start, end, text[start:end]


def mention(text: str, kind: str, a: int, b: int, mods=(), change=None) -> Mention:
    start, end, surface = span(text, a, b)
    return Mention(kind, surface.lower(), start, end, surface, a, b, group="proximal", change=change,
                   modifiers=tuple(modifier(text, *m) for m in mods))


def modifier(text: str, category: str, a: int, b: int, change=None) -> Modifier:
    start, end, surface = span(text, a, b)
    return Modifier(category, start, end, surface, a, b, change)


def sentence(text: str, section: str = "findings", mentions=()) -> Sentence:
    tokens, _ = words(text)
    return Sentence(0, len(text), 0, len(tokens), section, None, 0, 0, tuple(t.lower() for t in tokens), tuple(mentions))


# (sentence, vein words, cue words, status, modifiers (category, from word, to word[, change]), expected change)
CHANGE_CASES = [
    ("new thrombus in the peroneal vein", (4, 6), (1, 2), "present", [("NEW", 0, 1)], "new"),
    ("stable thrombus in the popliteal vein", (4, 6), (1, 2), "present", [("PERSISTENT", 0, 1)], "unchanged"),
    ("thrombus in the femoral vein is smaller", (3, 5), (0, 1), "present", [("IMPROVED", 6, 7)], "improved"),
    ("thrombus in the femoral vein is now nonocclusive", (3, 5), (0, 1), "present", [("NONOCCLUSIVE", 6, 8, "improved")], "improved"),
    ("thrombus in the soleal vein has resolved", (3, 5), (0, 1), "absent", [("RESOLVED", 5, 7)], "resolved"),
    ("the soleal thrombus now extends into the peroneal veins", (7, 9), (2, 3), "present", [("EXTENDED", 3, 5)], "extended"),
    ("the soleal thrombus now extends into the peroneal veins", (1, 2), (2, 3), "present", [("EXTENDED", 3, 5)], None),
    ("interval propagation of the PTV thrombus into the popliteal vein", (4, 5), (5, 6), "present", [("EXTENDED", 0, 2)], None),
    ("interval propagation of the PTV thrombus into the popliteal vein", (8, 10), (5, 6), "present", [("EXTENDED", 0, 2)], "extended"),
    ("TPT thrombus , new extension from the PTV", (7, 8), (1, 2), "present", [("EXTENDED", 3, 5)], None),
    ("thrombus in the peroneal veins is more extensive", (3, 5), (0, 1), "present", [("EXTENDED", 6, 8)], "extended"),
    ("stable femoral thrombus and new popliteal thrombus", (5, 6), (6, 7), "present", [("PERSISTENT", 0, 1), ("NEW", 4, 5)], "new"),
    ("stable femoral thrombus and new popliteal thrombus", (1, 2), (2, 3), "present", [("PERSISTENT", 0, 1), ("NEW", 4, 5)], "unchanged"),
    ("the popliteal thrombus has resolved", (1, 2), (2, 3), "present", [("RESOLVED", 3, 5)], None),
    ("no new thrombus in the popliteal vein", (5, 7), (2, 3), "absent", [("NEW", 1, 2)], None),
    ("history of stable popliteal thrombus", (3, 4), (4, 5), "historical", [("PERSISTENT", 2, 3)], None),
    ("the popliteal thrombus is retracted", (1, 2), (2, 3), "absent", [("RESOLVED", 3, 5, "none")], None),
]


@pytest.mark.parametrize("text,vein,cue,status,mods,expected", CHANGE_CASES)
def test_decide_change(text, vein, cue, status, mods, expected):
    modifiers = tuple(modifier(text, *m) for m in mods)
    change, evidence = decide_change(mention(text, "segment", *vein), mention(text, "thrombus", *cue), status, modifiers, sentence=sentence(text))
    assert change == expected
    if expected:
        assert evidence is not None and text[evidence.start:evidence.end] == evidence.text


def test_a_cue_can_state_the_change_itself():
    text = "the peroneal veins are now compressible"
    cue = mention(text, "normal", 4, 6, change="resolved")  # "now compressible" (patterns/cues.json)
    assert decide_change(mention(text, "segment", 1, 3), cue, "absent", ())[0] == "resolved"
    assert decide_change(mention(text, "segment", 1, 3), cue, "present", ())[0] is None


# (sentence, modifiers on the cue, expected status): a change stated for this exam keeps a finding current
STATUS_CASES = [
    ("the known soleal thrombus now extends", [("HISTORICAL", 1, 2), ("EXTENDED", 4, 6)], "present"),
    ("the known soleal thrombus is unchanged", [("HISTORICAL", 1, 2), ("PERSISTENT", 5, 6)], "present"),
    ("the soleal thrombus , occlusive on the prior study , is now nonocclusive", [("HISTORICAL", 5, 9), ("NONOCCLUSIVE", 11, 13, "improved")], "present"),
    ("patient was found to have a new soleal thrombus", [("HISTORICAL", 1, 4), ("NEW", 6, 7)], "historical"),
    ("the known soleal thrombus", [("HISTORICAL", 1, 2)], "historical"),
]


@pytest.mark.parametrize("text,mods,expected", STATUS_CASES)
def test_status_with_a_stated_change(text, mods, expected):
    tokens, _ = words(text)
    cue_at = tokens.index("thrombus")
    cue = mention(text, "thrombus", cue_at, cue_at + 1, mods)
    assert decide_status(mention(text, "segment", cue_at - 1, cue_at), cue, "findings")[0] == expected


VOCAB = load_rules().comparison


def finding_with_change(cue: tuple[int, int, str], sentence_span: tuple[int, int]) -> Finding:
    return Finding("popliteal", "proximal", "left", "present", "acute", None, "findings", TextSpan(0, 1, "x"), None, sentence_span,
                   change="new", change_cue=TextSpan(*cue))


# (report, its sentences as (start, end, section)), expected (source, date, evidence text)
COMPARISON_CASES = [
    ("COMPARISON: 03/02/2026.", [(0, 23, "comparison")], ("prior", "03/02/2026", "COMPARISON: 03/02/2026.")),
    ("Comparison: None.", [(0, 17, "comparison")], ("none", None, "Comparison: None.")),
    ("Compared with the outside duplex of 5/3/2026, the thrombus is stable.", [(0, 69, "findings")], ("outside", "5/3/2026", "Compared with the outside duplex of 5/3/2026")),
    ("No prior studies are available for comparison.", [(0, 46, "findings")], ("none", None, "prior studies")),
    ("Thrombus in the peroneal veins, new since the exam of 6/12/2026.", [(0, 64, "findings")], ("prior", "6/12/2026", "since the exam of 6/12/2026")),
    ("R TPT: thrombus, new extension from the PTV (prior 7/7).", [(0, 56, "findings")], ("prior", "7/7", "(prior 7/7")),
    ("Thrombus was seen in the left PTV on Tuesday's duplex.", [(0, 54, "findings")], ("prior", "Tuesday", "Tuesday's duplex")),
    ("The study from 9/9 showed left soleal vein thrombosis.", [(0, 54, "findings")], ("prior", "9/9", "study from 9/9")),
    ("L CFV still non-compressible, same as yesterday.", [(0, 48, "findings")], ("prior", "yesterday", "same as yesterday")),
]


@pytest.mark.parametrize("text,parts,expected", COMPARISON_CASES)
def test_find_comparison(text, parts, expected):
    sentences = [Sentence(a, b, 0, 1, section, None, 0, 0, (), ()) for a, b, section in parts]
    found = find_comparison(sentences, text, VOCAB)
    assert (found.source, found.date, found.text) == expected
    assert text[found.start:found.end] == found.text


def test_the_exam_title_date_is_no_comparison():
    text = "Venous duplex of 3/4/2026"
    assert find_comparison([Sentence(0, len(text), 0, 1, "exam", None, 0, 0, (), ())], text, VOCAB) is None


def test_a_comparison_in_the_indication_is_no_comparison():
    text = "INDICATION: DVT seen on the prior study."
    assert find_comparison([Sentence(0, len(text), 0, 1, "indication", None, 0, 0, (), ())], text, VOCAB) is None


def test_a_stated_change_compares_with_a_prior_study_dated_after_on():
    text = "L POP: newly non-compressible (compressible on 4/3)."
    found = find_comparison([Sentence(0, len(text), 0, 1, "findings", None, 0, 0, (), ())], text, VOCAB, [finding_with_change((7, 12, "newly"), (0, len(text)))])
    assert (found.source, found.date, found.text) == ("prior", "4/3", "newly non-compressible (compressible on 4/3")


def test_the_date_of_this_exam_does_not_date_the_comparison():
    text = "Duplex 6/18: the soleal thrombus now extends into the peroneal veins."
    found = find_comparison([Sentence(0, len(text), 0, 1, "findings", None, 0, 0, (), ())], text, VOCAB, [finding_with_change((33, 44, "now extends"), (0, len(text)))])
    assert (found.source, found.date, found.text) == ("prior", None, "now extends")


GROUPS = {"common_femoral": "proximal", "popliteal": "proximal", "peroneal": "distal_axial", "soleal": "distal_muscular", "calf_unspecified": "distal_unspecified", None: "deep_unspecified", "great_saphenous": "superficial"}


def f(segment, status="absent"):
    return Finding(segment, GROUPS[segment], "left", status, None, None, "findings", TextSpan(0, 1, "x"), None, (0, 1))


# (the side's decisive findings, expected scope)
SCOPE_CASES = [
    ([f("common_femoral")], "proximal_only"),                                          # "The left CFV is compressible."
    ([f("common_femoral"), f("popliteal"), f("peroneal")], "complete"),                # "CFV, popliteal and peroneal veins compressible."
    ([f("peroneal"), f("soleal", "present")], "calf_only"),                            # "Peroneal veins compressible; soleal thrombus."
    ([f("popliteal"), f("calf_unspecified", "not_evaluated")], "limited"),             # "Popliteal compressible; calf veins not adequately seen."
    ([f(None)], "complete"),                                                           # "No DVT in the left leg."
    ([f("great_saphenous", "present")], "limited"),                                    # "Left GSV thrombus." (no deep vein assessed)
]


@pytest.mark.parametrize("findings,expected", SCOPE_CASES)
def test_side_scope(findings, expected):
    assert side_scope(findings) == expected


def vein(segment, status, order, prior=None, side="left", change=None):
    return Finding(segment, GROUPS[segment], side, status, None, None, "findings", TextSpan(order, order + 1, "x"), TextSpan(order, order + 1, "c"),
                   (0, 1), order=order, prior=prior, change=change)


# (findings in text order, expected changes): what another exam showed against what today shows
CONTRAST_CASES = [
    ([vein("peroneal", "historical", 0, "present"), vein("peroneal", "absent", 5)], [None, "resolved"]),  # "prior showed peroneal DVT. Today compressible."
    ([vein(None, "historical", 0, "absent"), vein("soleal", "present", 5)], [None, "new"]),                 # "No thrombus on yesterday's study; today soleal DVT."
    ([vein("popliteal", "historical", 0, "present"), vein("popliteal", "present", 5)], [None, None]),       # the same state: no change by contrast
    ([vein("popliteal", "historical", 0, "present"), vein("popliteal", "absent", 5, change="resolved")], [None, "resolved"]),  # a stated change stays
    ([vein("popliteal", "historical", 0, "present", side="right"), vein("popliteal", "absent", 5)], [None, None]),  # the other leg
    ([vein("popliteal", "absent", 0), vein("popliteal", "historical", 5, "present")], [None, None]),        # today's statement before the quote
    ([vein(None, "historical", 0, "present"), vein("popliteal", "absent", 5)], [None, None]),               # "Prior: 5/13 (thrombus). Popliteal compressible."
]


@pytest.mark.parametrize("findings,expected", CONTRAST_CASES)
def test_contrast_changes(findings, expected):
    assert [f.change for f in contrast_changes(findings)] == expected


def test_an_improved_old_clot_in_a_report_without_prior_exam_has_no_change():
    old_clot = vein("popliteal", "present", 0, change="improved")  # after "Comparison: none."
    old_clot.acuity = "chronic"  # "partially recanalized with chronic wall-adherent thrombus"
    acute = vein("peroneal", "present", 5, change="improved")  # "smaller"
    assert [f.change for f in without_follow_up([old_clot, acute])] == [None, "improved"]
