"""Which cue and which side word belong to a vein (pipeline.core.linking), on hand-built sentences.

Each row: the sentence, its mentions, and the cue (or side) each vein links to, in the order of the veins."""
from __future__ import annotations

import pytest

from pipeline.core.linking import EXTENSION_SCORE, LINK_LIMIT, best_cue, best_side, cue_score, previous_words, reads_forward

from .builders import LEXICON, clot, examples, normal, sentence, side, vein

CFV, FV, POP = vein("CFV", "common_femoral"), vein("FV", "femoral"), vein("popliteal vein", "popliteal")
PTV, PER = vein("PTV", "posterior_tibial"), vein("peroneal", "peroneal")
VEINS = ("segment", "generic_deep")
CUES = ("thrombus", "normal", "unassessable", "assessable")


def links(text, parts):
    """The text of each vein's cue (None: no cue close enough), in text order."""
    s = sentence(text, *parts)
    cues = tuple(m for m in s.mentions if m.kind in CUES)
    return [getattr(best_cue(s, v, cues, LEXICON), "text", None) for v in s.mentions if v.kind in VEINS]


@pytest.mark.parametrize("text, parts, expected", examples(
    ("The CFV is compressible and the popliteal vein is noncompressible.", [CFV, normal("compressible"), POP, clot("noncompressible")], ["compressible", "noncompressible"]),
    ("Noncompressible CFV, popliteal vein patent.", [clot("Noncompressible"), CFV, POP, normal("patent")], ["Noncompressible", "patent"]),
    ("Thrombus in the PTV, popliteal vein patent.", [clot("Thrombus"), PTV, POP, normal("patent")], ["Thrombus", "patent"]),
    ("Thrombosis of the PTV with patent popliteal veins.", [clot("Thrombosis"), PTV, normal("patent"), vein("popliteal veins", "popliteal")], ["Thrombosis", "patent"]),  # an adjective of the next vein
    ("Thrombus in the PTV, patent popliteal veins.", [clot("Thrombus"), PTV, normal("patent"), vein("popliteal veins", "popliteal")], ["Thrombus", "patent"]),
    ("Thrombosis of the PTV with patent right popliteal veins.", [clot("Thrombosis"), PTV, normal("patent"), side("right"), vein("popliteal veins", "popliteal")], ["Thrombosis", "patent"]),
))
def test_each_vein_takes_its_nearest_cue(text, parts, expected):
    assert links(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("The CFV, FV and popliteal veins are compressible.", [CFV, FV, vein("popliteal veins", "popliteal"), normal("compressible")], ["compressible"] * 3),
    ("Thrombus in the PTV, peroneal and soleal veins.", [clot("Thrombus"), PTV, PER, vein("soleal veins", "soleal")], ["Thrombus"] * 3),
))
def test_a_list_of_veins_shares_its_predicate_or_its_forward_cue(text, parts, expected):
    assert links(text, parts) == expected


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Acute thrombus in the left GSV and the femoral vein.", [clot("Acute thrombus"), side("left"), vein("GSV", "great_saphenous"), vein("femoral vein", "femoral")], ["Acute thrombus"] * 2),
    ("Acute thrombus in the left GSV; the femoral vein was not imaged.", [clot("Acute thrombus"), side("left"), vein("GSV", "great_saphenous"), vein("femoral vein", "femoral")], ["Acute thrombus", None]),
    ("Thrombus in the GSV but the femoral vein.", [clot("Thrombus"), vein("GSV", "great_saphenous"), vein("femoral vein", "femoral")], ["Thrombus", None]),
))
def test_a_contrast_word_stops_a_cue(text, parts, expected):
    assert links(text, parts) == expected


def test_a_cue_after_a_vein_that_reads_forward_belongs_to_what_follows_it():
    # without the forward-reading penalty the nearer "thrombus" would be the popliteal vein's
    assert links("The popliteal vein, with thrombus in the GSV, is compressible.",
                 [POP, clot("thrombus"), vein("GSV", "great_saphenous"), normal("compressible")])[0] == "compressible"


def test_a_cue_that_extends_into_the_next_vein_links_closely():
    s = sentence("Occlusive DVT left CFV into the FV.", clot("Occlusive DVT"), side("left"), CFV, FV)
    assert cue_score(s, s.mentions[3], s.mentions[0], (s.mentions[0],), LEXICON) == EXTENSION_SCORE


def far_cue(words):
    """A vein and a cue with ``words`` plain words between them."""
    text = "The popliteal vein " + "later " * words + "thrombus."
    return links(text, [POP, clot("thrombus")])


def test_a_cue_beyond_the_link_limit_links_to_nothing():
    assert far_cue(LINK_LIMIT - 1) == ["thrombus"]
    assert far_cue(LINK_LIMIT) == [None]


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus is seen in the CFV.", [clot("Thrombus"), CFV], True),
    ("Thrombus, and the CFV.", [clot("Thrombus"), CFV], False),
    ("Thrombus. The CFV.", [clot("Thrombus"), CFV], False),
))
def test_reads_forward(text, parts, expected):
    s = sentence(text, *parts)
    assert reads_forward(s, s.mentions[0], LEXICON) is expected


def side_links(text, parts):
    """The side word of each vein, in text order."""
    s = sentence(text, *parts)
    sides = tuple(m for m in s.mentions if m.kind == "side")
    return [getattr(best_side(s, v, sides, LEXICON), "value", None) for v in s.mentions if v.kind in VEINS]


@pytest.mark.parametrize("text, parts, expected", examples(
    ("Thrombus in the left CFV and the right popliteal vein.", [clot("Thrombus"), side("left"), CFV, side("right"), POP], ["left", "right"]),
    ("Thrombus in the popliteal vein on the right.", [clot("Thrombus"), POP, side("right")], ["right"]),
    ("Left CFV compressible; popliteal vein thrombosed.", [side("Left"), CFV, normal("compressible"), POP, clot("thrombosed")], ["left", None]),
))
def test_a_vein_takes_the_nearest_side_word_of_its_clause(text, parts, expected):
    assert side_links(text, parts) == expected


def test_previous_words_skip_side_words_and_articles():
    s = sentence("Thrombus in the left popliteal vein.", clot("Thrombus"), side("left"), POP)
    assert previous_words(s, s.mentions[2].tok_start) == ["in", "thrombus"]
