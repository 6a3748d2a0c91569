"""Which vein mentions hold a finding (pipeline.core.anchors), on hand-built sentences.

Each row: the sentence, its mentions, and what the decision gives."""
from __future__ import annotations

import pytest

from pipeline.core.anchors import bare_calf_ok, near_junction, range_fill, vein_anchors
from pipeline.core.linking import best_cue

from .builders import LEXICON, clot, cue, deep, examples, normal, sentence, side, vein

POP, CFV, FV, GSV = vein("popliteal vein", "popliteal"), vein("CFV", "common_femoral"), vein("FV", "femoral"), vein("GSV", "great_saphenous")
SFJ = vein("SFJ", "great_saphenous", junction=True)
CALF = vein("calf", "calf_unspecified")


def anchors(text, parts):
    """The values of the vein mentions that can hold a finding."""
    return [a.value for a in vein_anchors(sentence(text, *parts), LEXICON)]


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus in the popliteal vein.", [clot("Thrombus"), POP], ["popliteal"]),
    ("Thrombus in the femoral-popliteal bypass graft.", [clot("Thrombus"), vein("femoral", "femoral"), vein("popliteal", "popliteal"), cue("nonvenous", "bypass graft")], []),
    ("Popliteal vein thrombus beside the popliteal artery.", [vein("Popliteal vein", "popliteal"), clot("thrombus"), cue("nonvenous", "popliteal artery")], ["popliteal"]),
    ("Patent popliteal artery beside a thrombosed popliteal vein.", [normal("Patent"), cue("nonvenous", "popliteal artery"), clot("thrombosed"), POP], ["popliteal"]),
    ("In the medial gastrocnemius is a hematoma.", [vein("gastrocnemius", "gastrocnemius"), cue("nonvenous", "hematoma")], []),  # the muscle
    ("Thrombus in the gastrocnemius veins beside a hematoma.", [clot("Thrombus"), vein("gastrocnemius veins", "gastrocnemius"), cue("nonvenous", "hematoma")], ["gastrocnemius"]),
))
def test_arteries_grafts_and_muscles_are_no_veins(text, parts, expected):
    assert anchors(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus 2 cm below its confluence with the CFV.", [clot("Thrombus"), CFV], []),
    ("Thrombus in the calf veins, below the popliteal vein.", [clot("Thrombus"), vein("calf veins", "calf_unspecified"), POP], ["calf_unspecified"]),
    ("Thrombus 5 cm from the popliteal vein.", [clot("Thrombus"), POP], []),
    ("Thrombus extending from the popliteal vein.", [clot("Thrombus"), POP], ["popliteal"]),  # "from" without a distance
    ("Calf thrombus, unable to distinguish PTV from peroneal.", [clot("thrombus"), vein("PTV", "posterior_tibial"), vein("peroneal", "peroneal")], []),
    ("A thrombosed perforator connecting to the posterior tibial veins.", [clot("thrombosed"), vein("posterior tibial veins", "posterior_tibial")], []),
    ("Thrombus which stops at the popliteal vein.", [clot("Thrombus"), POP], []),
    ("Thrombus protruding toward the popliteal vein.", [clot("Thrombus"), POP], []),
))
def test_a_vein_named_to_place_something_else_is_a_landmark(text, parts, expected):
    assert anchors(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("CFV noncompressible with clot at the SFJ.", [CFV, clot("noncompressible"), clot("clot"), SFJ], ["common_femoral"]),
    ("Thrombus in the GSV extending to the SFJ.", [clot("Thrombus"), GSV, SFJ], ["great_saphenous", "great_saphenous"]),
))
def test_a_junction_beside_a_deep_vein_only_places_the_deep_thrombus(text, parts, expected):
    assert anchors(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Calf veins: thrombus in the gastrocnemius veins.", [vein("Calf veins", "calf_unspecified"), clot("thrombus"), vein("gastrocnemius veins", "gastrocnemius")], ["gastrocnemius"]),
    ("Calf veins: thrombus.", [vein("Calf veins", "calf_unspecified"), clot("thrombus")], ["calf_unspecified"]),
))
def test_a_row_label_before_named_veins_names_no_vein(text, parts, expected):
    assert anchors(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Deep femoral (profunda) vein is compressible.", [vein("Deep femoral", "deep_femoral"), deep("vein"), normal("compressible")], ["deep_femoral"]),
    ("Thrombus in the popliteal deep vein.", [clot("Thrombus"), vein("popliteal", "popliteal"), deep("deep vein")], ["popliteal"]),
))
def test_a_head_noun_after_a_vein_is_no_second_vein(text, parts, expected):
    assert anchors(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus in the popliteal vein; the vein is noncompressible.", [clot("Thrombus"), POP, deep("the vein"), clot("noncompressible")], ["popliteal", "popliteal"]),
    ("Thrombus in the GSV, vein partially compressible.", [clot("Thrombus"), GSV, deep("vein"), clot("partially compressible")], ["great_saphenous"]),
))
def test_the_vein_again_is_the_vein_just_named(text, parts, expected):
    assert anchors(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("As per protocol, the CFV is compressible.", [vein("per", "peroneal"), CFV, normal("compressible")], ["common_femoral"]),
    ("Per compressible.", [vein("Per", "peroneal"), normal("compressible")], ["peroneal"]),
))
def test_per_as_a_preposition_is_not_the_peroneal_vein(text, parts, expected):
    assert anchors(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus in the soleal vein (muscular calf vein).", [clot("Thrombus"), vein("soleal vein", "soleal"), vein("muscular calf vein", "muscular_calf")], ["soleal"]),
    ("DVT in the calf veins (posterior tibial).", [clot("DVT"), vein("calf veins", "calf_unspecified"), vein("posterior tibial", "posterior_tibial")], ["posterior_tibial"]),
    ("Thrombus in the calf/soleal veins.", [clot("Thrombus"), CALF, vein("soleal veins", "soleal")], ["soleal"]),
    ("Thrombus in the CFV/FV.", [clot("Thrombus"), CFV, FV], ["common_femoral", "femoral"]),  # two veins
))
def test_a_vein_named_twice_is_one_anchor_and_the_specific_name_wins(text, parts, expected):
    assert anchors(text, parts) == expected


def calf_ok(text, parts):
    """Whether the sentence's first "calf" names the calf veins, given the cue that links to it."""
    s = sentence(text, *parts)
    found = vein_anchors(s, LEXICON)
    calf = next(a for a in found if a.value == "calf_unspecified")
    return bare_calf_ok(s, calf, best_cue(s, calf, tuple(m for m in s.mentions if m.kind in ("thrombus", "normal")), LEXICON), found, LEXICON)


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Left calf DVT.", [side("Left"), CALF, clot("DVT")], True),
    ("Left calf pain.", [side("Left"), CALF], False),  # no cue: a symptom
    ("Thrombus in the calf veins.", [clot("Thrombus"), vein("calf veins", "calf_unspecified")], True),  # not bare
    ("Thrombus in the mid calf veins.", [clot("Thrombus"), vein("calf veins", "calf_unspecified")], True),  # not bare: no place
    ("Thrombus in the calf.", [clot("Thrombus"), CALF], True),  # no named vein before it
    ("DVT in the left calf.", [clot("DVT"), side("left"), CALF], True),  # articles and side words are no gap
    ("Left calf shows extensive DVT.", [side("Left"), CALF, clot("DVT")], True),  # two words from its cue
    ("Thrombus in the mid calf.", [clot("Thrombus"), CALF], False),  # a location word
    ("Thrombus in the peroneal vein in the calf.", [clot("Thrombus"), vein("peroneal vein", "peroneal"), CALF], False),
    ("Thrombus in the GSV in the calf.", [clot("Thrombus"), GSV, CALF], False),  # a superficial vein's place
    ("Calf tenderness and a Doppler study showed no DVT.", [vein("Calf", "calf_unspecified"), clot("DVT")], False),
    ("Popliteal DVT (below-knee segment).", [vein("Popliteal", "popliteal"), clot("DVT"), vein("below-knee", "calf_unspecified")], False),
))
def test_a_bare_calf_names_the_calf_veins_or_a_place(text, parts, expected):
    assert calf_ok(text, parts) is expected


def filled(text, parts):
    """The segments of a sentence after range filling, every vein paired with the sentence's first cue."""
    s = sentence(text, *parts)
    the_cue = next(m for m in s.mentions if m.kind == "thrombus")
    return [a.value for a, _ in range_fill(s, [(a, the_cue) for a in vein_anchors(s, LEXICON)], LEXICON)]


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus from the CFV through the popliteal vein.", [clot("Thrombus"), CFV, POP], ["common_femoral", "popliteal", "femoral"]),
    ("Thrombus in the common femoral thru popliteal.", [clot("Thrombus"), vein("common femoral", "common_femoral"), vein("popliteal", "popliteal")], ["common_femoral", "popliteal", "femoral"]),
    ("Thrombus from the external iliac to the popliteal vein.", [clot("Thrombus"), vein("external iliac", "external_iliac"), POP], ["external_iliac", "popliteal", "common_femoral", "femoral"]),
    ("Thrombus in the CFV and popliteal vein.", [clot("Thrombus"), CFV, POP], ["common_femoral", "popliteal"]),  # a list, no range
    ("Thrombus to the CFV and the popliteal vein.", [clot("Thrombus"), CFV, POP], ["common_femoral", "popliteal"]),  # "to" without "from"
    ("Thrombus in the CFV extending to the popliteal vein.", [clot("Thrombus"), CFV, POP], ["common_femoral", "popliteal"]),
    ("Thrombus from the GSV through the popliteal vein.", [clot("Thrombus"), GSV, POP], ["great_saphenous", "popliteal"]),  # off the axial chain
))
def test_range_fill_adds_the_axial_veins_between_the_ends_of_a_range(text, parts, expected):
    assert filled(text, parts) == expected


def test_range_fill_needs_one_cue_for_both_ends():
    s = sentence("Thrombus from the CFV; thrombus through the popliteal vein.", clot("Thrombus"), CFV, clot("thrombus"), POP)
    first, cfv, second, pop = s.mentions
    assert [a.value for a, _ in range_fill(s, [(cfv, first), (pop, second)], LEXICON)] == ["common_femoral", "popliteal"]


def at_junction(text, parts):
    """Whether the sentence's first superficial vein is at or into the saphenous junction."""
    s = sentence(text, *parts)
    return near_junction(s, text, next(m for m in s.mentions if m.group == "superficial"), LEXICON)


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus in the GSV extending into the SFJ.", [clot("Thrombus"), GSV, SFJ], True),
    ("GSV thrombus 2 cm from the junction.", [GSV, clot("thrombus")], True),
    ("GSV thrombus 3 cm from the junction.", [GSV, clot("thrombus")], True),  # 3 cm is still near
    ("GSV thrombus 5 cm from the junction.", [GSV, clot("thrombus")], False),
    ("GSV thrombus 3.5 cm below the SFJ.", [GSV, clot("thrombus"), SFJ], False),
    ("GSV thrombus remote from the junction.", [GSV, clot("thrombus")], False),
    ("GSV thrombus in the mid thigh.", [GSV, clot("thrombus")], False),  # no junction named
))
def test_a_superficial_thrombus_near_the_junction(text, parts, expected):
    assert at_junction(text, parts) is expected
