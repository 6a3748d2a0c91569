"""Interval change of a finding (pipeline.core.change) and the status a stated change keeps, on
hand-built sentences. Each row: the sentence, its mentions with the ConText modifiers that reach
them, the finding's status, and the change decided for the sentence's first vein."""
from __future__ import annotations

import pytest

from pipeline.core.assertion import decide_status
from pipeline.core.change import contrast_changes, decide_change, without_follow_up
from pipeline.core.model import Finding, TextSpan

from .builders import LEXICON, GROUPS, clot, examples, mod, neg, normal, sentence, vein

CUES = ("thrombus", "normal")


def change(text, parts, status):
    s = sentence(text, *parts)
    anchor = next(m for m in s.mentions if m.kind == "segment")
    cue = next((m for m in s.mentions if m.kind in CUES), None)
    mods = tuple(sorted({x for m in s.mentions for x in m.modifiers}, key=lambda x: x.start))
    found, evidence = decide_change(anchor, cue, status, mods, LEXICON, sentence=s)
    if found is not None:
        assert text[evidence.start:evidence.end] == evidence.text
    return found


@pytest.mark.parametrize("text, parts, status, expected", examples(
    ("New thrombus in the peroneal vein.", [clot("thrombus", mod("NEW", "New")), vein("peroneal vein", "peroneal")], "present", "new"),
    ("Stable thrombus in the popliteal vein.", [clot("thrombus", mod("PERSISTENT", "Stable")), vein("popliteal vein", "popliteal")], "present", "unchanged"),
    ("The femoral vein thrombus is smaller.", [vein("femoral vein", "femoral", mod("IMPROVED", "smaller")), clot("thrombus")], "present", "improved"),
    ("The femoral vein thrombus is now nonocclusive.", [vein("femoral vein", "femoral"), clot("thrombus", mod("NONOCCLUSIVE", "now nonocclusive", change="improved"))], "present", "improved"),
    ("The soleal vein thrombus has resolved.", [vein("soleal vein", "soleal"), clot("thrombus", mod("RESOLVED", "has resolved"))], "absent", "resolved"),
    ("The soleal vein thrombus has resolved.", [vein("soleal vein", "soleal"), clot("thrombus", mod("RESOLVED", "has resolved"))], "present", None),  # does not fit
    ("The soleal vein thrombus is retracted.", [vein("soleal vein", "soleal"), clot("thrombus", mod("RESOLVED", "is retracted", change="none"))], "absent", None),
    ("No new thrombus in the popliteal vein.", [clot("thrombus", neg("No"), mod("NEW", "new")), vein("popliteal vein", "popliteal")], "absent", None),
    ("History of stable popliteal thrombus.", [vein("popliteal", "popliteal"), clot("thrombus", mod("PERSISTENT", "stable"))], "historical", None),
    ("The soleal thrombus now extends into the peroneal veins.", [vein("peroneal veins", "peroneal", mod("EXTENDED", "now extends")), clot("thrombus")], "present", "extended"),
    ("The soleal thrombus now extends into the peroneal veins.", [vein("soleal", "soleal", mod("EXTENDED", "now extends")), clot("thrombus")], "present", None),  # where it came from
    ("Interval propagation of the PTV thrombus into the popliteal vein.", [vein("PTV", "posterior_tibial", mod("EXTENDED", "Interval propagation")), clot("thrombus")], "present", None),
    ("Interval propagation of the PTV thrombus into the popliteal vein.", [vein("popliteal vein", "popliteal", mod("EXTENDED", "Interval propagation")), clot("thrombus")], "present", "extended"),
    ("TPT thrombus, new extension from the PTV.", [vein("PTV", "posterior_tibial", mod("EXTENDED", "new extension")), clot("thrombus")], "present", None),
    ("Thrombus in the peroneal veins is more extensive.", [clot("Thrombus"), vein("peroneal veins", "peroneal", mod("EXTENDED", "more extensive"))], "present", "extended"),
    ("Stable femoral thrombus and new popliteal thrombus.", [vein("popliteal", "popliteal", mod("PERSISTENT", "Stable"), mod("NEW", "new")), clot("thrombus", nth=2)], "present", "new"),
    ("Stable femoral thrombus and new popliteal thrombus.", [vein("femoral", "femoral", mod("PERSISTENT", "Stable"), mod("NEW", "new")), clot("thrombus")], "present", "unchanged"),
    ("The peroneal veins are now compressible.", [vein("peroneal veins", "peroneal"), normal("now compressible", change="resolved")], "absent", "resolved"),  # a cue's own change
    ("Partially recanalized femoral thrombus, unchanged.",  # a change word outranks a state that implies one
     [clot("Partially recanalized", acuity="chronic", change="improved"), vein("femoral", "femoral", mod("PERSISTENT", "unchanged"))], "present", "unchanged"),
    ("Partially recanalized femoral thrombus.", [clot("Partially recanalized", acuity="chronic", change="improved"), vein("femoral", "femoral")], "present", "improved"),
))
def test_decide_change(text, parts, status, expected):
    assert change(text, parts, status) == expected


def first_status(text, parts):
    s = sentence(text, *parts)
    anchor = next(m for m in s.mentions if m.kind == "segment")
    return decide_status(anchor, next(m for m in s.mentions if m.kind in CUES), "findings", LEXICON)[0]


@pytest.mark.parametrize("text, parts, expected", examples(  # a change stated for this exam keeps a finding current
    ("The known soleal thrombus now extends.", [vein("soleal", "soleal"), clot("thrombus", mod("HISTORICAL", "known"), mod("EXTENDED", "now extends"))], "present"),
    ("The known soleal thrombus is unchanged.", [vein("soleal", "soleal"), clot("thrombus", mod("HISTORICAL", "known"), mod("PERSISTENT", "unchanged"))], "present"),
    ("The soleal thrombus, occlusive on the prior study, is now nonocclusive.",
     [vein("soleal", "soleal"), clot("thrombus", mod("HISTORICAL", "on the prior study"), mod("NONOCCLUSIVE", "now nonocclusive", change="improved"))], "present"),
    ("He was found to have a new soleal thrombus.", [vein("soleal", "soleal"), clot("thrombus", mod("HISTORICAL", "was found to have"), mod("NEW", "new"))], "historical"),
    ("The known soleal thrombus.", [vein("soleal", "soleal"), clot("thrombus", mod("HISTORICAL", "known"))], "historical"),
))
def test_status_with_a_stated_change(text, parts, expected):
    assert first_status(text, parts) == expected


def finding(segment, status, order, prior=None, side="left", change=None, acuity=None):
    group = GROUPS[segment] if segment else "deep_unspecified"
    return Finding(segment, group, side, status, acuity, None, "findings", TextSpan(order, order + 1, "x"), TextSpan(order, order + 1, "c"),
                   (0, 1), order=order, prior=prior, change=change)


@pytest.mark.parametrize("report, findings, expected", examples(  # what another exam showed against what today shows
    ("The prior exam showed peroneal thrombosis. Today the peroneal veins are compressible.",
     [finding("peroneal", "historical", 0, "present"), finding("peroneal", "absent", 5)], [None, "resolved"]),
    ("No thrombus was seen on yesterday's study; today a soleal vein holds thrombus.",
     [finding(None, "historical", 0, "absent"), finding("soleal", "present", 5)], [None, "new"]),
    ("The prior exam showed popliteal thrombus; it is still seen today.",
     [finding("popliteal", "historical", 0, "present"), finding("popliteal", "present", 5)], [None, None]),
    ("The prior exam showed popliteal thrombus, which has resolved.",
     [finding("popliteal", "historical", 0, "present"), finding("popliteal", "absent", 5, change="resolved")], [None, "resolved"]),
    ("The prior exam showed right popliteal thrombus. The left popliteal vein is compressible.",
     [finding("popliteal", "historical", 0, "present", side="right"), finding("popliteal", "absent", 5)], [None, None]),
    ("The popliteal vein is compressible; the prior exam showed thrombus in it.",
     [finding("popliteal", "absent", 0), finding("popliteal", "historical", 5, "present")], [None, None]),
    ("Prior: 5/13 (thrombus). The popliteal vein is compressible.",  # a vein-less prior clot names no vein
     [finding(None, "historical", 0, "present"), finding("popliteal", "absent", 5)], [None, None]),
))
def test_contrast_changes(report, findings, expected):
    assert [f.change for f in contrast_changes(findings)] == expected


def test_an_improved_old_clot_in_a_report_without_prior_exam_has_no_change():
    old_clot = finding("popliteal", "present", 0, change="improved", acuity="chronic")  # "Comparison: none. ... partially recanalized"
    smaller = finding("peroneal", "present", 5, change="improved", acuity="acute")  # "smaller"
    assert [f.change for f in without_follow_up([old_clot, smaller])] == [None, "improved"]
