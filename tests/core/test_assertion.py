"""Status, acuity and occlusion of a (vein, cue) pair (pipeline.core.assertion), on hand-built sentences.

Each row: the sentence, its mentions (with the ConText modifiers that reach each), and the decision.
The pair is the sentence's first vein and its first cue (either may be missing)."""
from __future__ import annotations

import pytest

from pipeline.core.assertion import decide_acuity, decide_occlusion, decide_status

from .builders import LEXICON, clot, cue, deep, examples, hedge, mod, neg, normal, sentence, unseen, vein

CUES = ("thrombus", "normal", "unassessable", "assessable")


def pair(text, parts):
    s = sentence(text, *parts)
    anchor = next((m for m in s.mentions if m.kind in ("segment", "generic_deep")), None)
    return anchor, next((m for m in s.mentions if m.kind in CUES), None)


def status(text, parts, section="findings"):
    return decide_status(*pair(text, parts), section, LEXICON)[0]


def POP(*mods):
    return vein("popliteal", "popliteal", *mods)


def CFV(*mods):
    return vein("CFV", "common_femoral", *mods)


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus in the popliteal vein.", [clot("Thrombus"), POP()], "present"),
    ("Noncompressible left popliteal vein.", [clot("Noncompressible"), POP()], "present"),
    ("No thrombus in the popliteal vein.", [clot("thrombus", neg("No")), POP(neg("No"))], "absent"),
    ("The CFV is compressible.", [CFV(), normal("compressible")], "absent"),
    ("The CFV is not patent.", [CFV(), normal("patent", neg("not"))], "present"),  # a normal cue denied next to it
    ("No thrombus; the CFV is compressible.", [CFV(), normal("compressible", neg("No"))], "absent"),  # a denial far off is another's
))
def test_a_thrombus_or_normal_cue_and_its_negation(text, parts, expected):
    assert status(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus in the PTV without extension into the popliteal vein.", [clot("Thrombus"), POP(neg("without"))], "absent"),
    ("DVT in the PTV and the popliteal vein spared.", [clot("DVT"), POP(neg("spared"))], "absent"),  # the vein's own denial after it
    ("No calf pain; thrombus in the popliteal vein.", [clot("thrombus"), POP(neg("No"))], "present"),  # a denial elsewhere
))
def test_a_denial_of_the_vein_between_or_right_after_it(text, parts, expected):
    assert status(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Possible thrombus in the peroneal vein.", [clot("thrombus", hedge("Possible")), vein("peroneal vein", "peroneal")], "possible"),
    ("Possible thrombus in the PTV; no thrombus in the peroneal vein.", [clot("thrombus", hedge("Possible"), neg("no"), nth=2), vein("peroneal vein", "peroneal")], "absent"),  # the nearer denial
    ("No thrombus, possibly thrombus.", [clot("thrombus", neg("No"), hedge("possibly"), nth=2)], "possible"),  # the nearer hedge
    ("Possible thrombus, confirmed in the popliteal vein.", [clot("thrombus", hedge("Possible"), mod("CONFIRMED", "confirmed")), POP()], "present"),
))
def test_a_hedge_makes_a_finding_possible_unless_a_nearer_denial_or_a_confirmation(text, parts, expected):
    assert status(text, parts) == expected


@pytest.mark.parametrize("text, parts, section, expected", examples(
    ("Rule out left popliteal DVT.", [POP(), clot("DVT")], "indication", "indication"),
    ("Thrombus in the popliteal vein.", [clot("Thrombus"), POP()], "technique", None),
    ("Thrombus in the popliteal vein.", [clot("Thrombus"), POP()], "exam", None),
    ("Evaluate for popliteal DVT.", [POP(), clot("DVT", mod("HYPOTHETICAL", "Evaluate for"))], "findings", "hypothetical"),
    ("Repeat scan if popliteal thrombus.", [POP(), clot("thrombus")], "plan", "hypothetical"),
    ("Thrombus in the popliteal vein.", [clot("Thrombus"), POP()], "comparison", "historical"),
))
def test_the_section_or_a_plan_sets_the_status(text, parts, section, expected):
    assert status(text, parts, section) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("History of popliteal DVT.", [POP(), clot("DVT", mod("HISTORICAL", "History of"))], "historical"),
    ("Previously seen popliteal thrombus has resolved.", [POP(), clot("thrombus", mod("HISTORICAL", "Previously seen"), mod("RESOLVED", "resolved"))], "absent"),
    ("Persistent popliteal thrombus, as before.", [POP(), clot("thrombus", mod("PERSISTENT", "Persistent"), mod("HISTORICAL", "as before"))], "present"),
    ("Persistent femoral vein DVT, resolved popliteal DVT.", [vein("femoral vein", "femoral", mod("PERSISTENT", "Persistent"), mod("RESOLVED", "resolved")), clot("DVT")], "present"),  # persistent nearer
))
def test_history_resolution_and_persistence(text, parts, expected):
    assert status(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Nondiagnostic examination of the peroneal veins.", [cue("unassessable", "Nondiagnostic"), vein("peroneal veins", "peroneal")], "not_evaluated"),
    ("The peroneal veins could not be imaged.", [vein("peroneal veins", "peroneal"), cue("assessable", "imaged", neg("not"))], "not_evaluated"),
    ("The peroneal veins were well imaged.", [vein("peroneal veins", "peroneal"), cue("assessable", "imaged")], None),
    ("Thrombus is not visualized in the CFV.", [clot("Thrombus", unseen("not visualized")), CFV()], "absent"),  # none seen
    ("DVT cannot be evaluated in the CFV.", [clot("DVT", unseen("cannot be evaluated")), CFV()], "not_evaluated"),
    ("Compressible CFV, the peroneal veins are not visualized.", [normal("Compressible"), vein("peroneal veins", "peroneal", unseen("not visualized"))], "not_evaluated"),
))
def test_a_vein_not_seen_is_not_evaluated(text, parts, expected):
    assert status(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("The peroneal veins were not visualized.", [vein("peroneal veins", "peroneal", unseen("not visualized"))], "not_evaluated"),
    ("CFV: not seen.", [CFV(neg("not seen"))], "not_evaluated"),
    ("Occluded popliteal vein.", [POP(mod("OCCLUSIVE", "Occluded"))], "present"),
    ("Popliteal vein: negative.", [POP(neg("negative"))], "absent"),
    ("Popliteal vein.", [POP()], None),
))
def test_a_vein_without_a_cue(text, parts, expected):
    assert status(text, parts) == expected


def acuity(text, parts, related=()):
    anchor, the_cue = pair(text, parts)
    _, mods = decide_status(anchor, the_cue, "findings", LEXICON)
    return decide_acuity(anchor, the_cue, mods, related)


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Acute thrombus in the popliteal vein.", [clot("thrombus", mod("ACUTE", "Acute")), POP()], "acute"),
    ("Chronic thrombus in the popliteal vein.", [clot("thrombus", mod("CHRONIC", "Chronic")), POP()], "chronic"),
    ("Synechiae in the popliteal vein.", [clot("Synechiae", acuity="chronic"), POP()], "chronic"),  # the cue's own acuity
    ("Thrombus in the popliteal vein.", [clot("Thrombus"), POP()], "unspecified"),
    ("Thrombus of indeterminate age in the popliteal vein.", [clot("Thrombus", mod("AGE_INDETERMINATE", "indeterminate age")), POP()], "unspecified"),
    ("Acute on chronic thrombus in the popliteal vein.", [clot("thrombus", mod("ACUTE_ON_CHRONIC", "Acute on chronic")), POP()], "acute_on_chronic"),
    ("Acute synechiae in the popliteal vein.", [clot("synechiae", mod("ACUTE", "Acute"), acuity="chronic"), POP()], "acute_on_chronic"),
    ("Chronic wall change, acute thrombus.", [clot("thrombus", mod("CHRONIC", "Chronic"), mod("ACUTE", "acute"))], "acute"),  # the nearer word
    ("Acute swelling, chronic thrombus.", [clot("thrombus", mod("ACUTE", "Acute"), mod("CHRONIC", "chronic"))], "chronic"),
))
def test_acuity(text, parts, expected):
    assert acuity(text, parts) == expected


def test_acuity_from_a_related_cue_of_the_same_clot():
    s = sentence("Partially compressible popliteal vein with synechiae.", clot("Partially compressible"), POP(), clot("synechiae", acuity="chronic"))
    the_cue, anchor, related = s.mentions
    assert decide_acuity(anchor, the_cue, (), (related,)) == "chronic"


def test_an_acute_clot_on_a_related_chronic_cue_is_acute_on_chronic():
    s = sentence("Partially compressible popliteal vein with synechiae, acute.", clot("Partially compressible"), POP(),
                 clot("synechiae", mod("ACUTE", "acute"), acuity="chronic"))
    the_cue, anchor, related = s.mentions
    assert decide_acuity(anchor, the_cue, (), (related,)) == "acute_on_chronic"


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Occlusive thrombus in the popliteal vein.", [clot("thrombus", mod("OCCLUSIVE", "Occlusive")), POP()], "occlusive"),
    ("Nonocclusive thrombus in the popliteal vein.", [clot("thrombus", mod("NONOCCLUSIVE", "Nonocclusive")), POP()], "nonocclusive"),
    ("Partially occlusive thrombus, occlusive in part.", [clot("thrombus", mod("NONOCCLUSIVE", "Partially occlusive"), mod("OCCLUSIVE", "occlusive", nth=2))], "nonocclusive"),
    ("Occluded popliteal vein.", [clot("Occluded", occlusion="occlusive"), POP()], "occlusive"),  # the cue's own occlusion
    ("Thrombus in the popliteal vein.", [clot("Thrombus"), POP()], None),
))
def test_occlusion(text, parts, expected):
    anchor, the_cue = pair(text, parts)
    assert decide_occlusion(the_cue, decide_status(anchor, the_cue, "findings", LEXICON)[1]) == expected


def test_the_modifiers_returned_are_each_once_in_text_order():
    anchor, the_cue = pair("No thrombus in the popliteal vein.", [clot("thrombus", neg("No")), POP(neg("No"))])
    assert [m.text for m in decide_status(anchor, the_cue, "findings", LEXICON)[1]] == ["No"]


def test_a_generic_deep_vein_takes_a_status_like_a_named_one():
    assert status("No thrombus in the deep veins.", [clot("thrombus", neg("No")), deep("deep veins", neg("No"))]) == "absent"
