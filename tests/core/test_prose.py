"""Decisions for clinicians' prose (case reports, notes), on hand-built sentences: glosses, an
artery's companion vein, a thrombus offered beside another diagnosis, a parenthesis listing a cue's
veins, a sentence naming a two-leg exam, region-only and whole-leg thrombus, EHIT at a junction.

Each row: the report's sentences and the findings as (segment, side, status) in report order."""
from __future__ import annotations

import pytest

from pipeline.core.model import WHOLE_DEEP

from .builders import Part, clot, cue, deep, hedge, line, normal, side, vein
from .test_resolve import cases, found

POP = vein("popliteal vein", "popliteal")
EHIT_2 = Part("thrombus", "EHIT class 2", "ehit class 2", "proximal", occlusion="nonocclusive", junction=True, implies="common_femoral")
SSV = Part("segment", "SSV", "small_saphenous", "superficial", implies="popliteal")  # its junction's deep vein
GSV = Part("segment", "GSV", "great_saphenous", "superficial", implies="common_femoral")


@pytest.mark.parametrize("lines, expected", cases(
    # a parenthesis defining the vein before it names no other vein; a bare list does
    (line("Thrombosed soleal veins (deep veins that drain into the popliteal vein).", clot("Thrombosed"), vein("soleal veins", "soleal"), deep("deep veins"), POP),
     [("soleal", "unspecified", "present")]),
    (line("Thrombus in the calf veins (peroneal and popliteal vein).", clot("Thrombus"), vein("calf veins", "calf_unspecified"), vein("peroneal", "peroneal"), POP),
     [("peroneal", "unspecified", "present"), ("popliteal", "unspecified", "present")]),
    # the bare vein named with an artery the sentence describes on its own vein
    (line("The popliteal vein compresses; Doppler finds no flow in the popliteal artery and vein.", POP, normal("compresses"), clot("no flow", disease=False), cue("nonvenous", "popliteal artery"), deep("vein", nth=2)),
     [("popliteal", "unspecified", "absent")]),
    # a DVT offered beside a cyst, its hedge between them
    (line("Impression: DVT or possibly a haematoma.", clot("DVT", hedge("or possibly")), cue("nonvenous", "haematoma")),
     [(None, "unspecified", "possible")]),
    # a parenthesis right after a cue lists its veins, each with its side
    (line("Thrombosis (left peroneal veins; right posterior tibial veins).", clot("Thrombosis"), side("left"), vein("peroneal veins", "peroneal"), side("right"), vein("posterior tibial veins", "posterior_tibial")),
     [("peroneal", "left", "present"), ("posterior_tibial", "right", "present")]),
    # a sentence naming a two-leg exam: no side carried from before; its normal veins are both legs'
    ([line("Her left leg was swollen.", side("left"), deep("leg")), line("A bilateral lower extremity Doppler showed a normal popliteal vein.", side("bilateral"), deep("lower extremity"), normal("normal"), POP)],
     [("popliteal", "left", "absent"), ("popliteal", "right", "absent")]),
    # a region named by its cue; a leg noun that names all the deep veins
    (line("Extensive proximal DVT of the left leg.", clot("proximal DVT", implies="proximal_unspecified", disease=False), side("left"), deep("leg")),
     [("proximal_unspecified", "left", "present")]),
    (line("DVT in all the deep veins of the left leg.", clot("DVT"), Part("generic_deep", "all the deep veins", WHOLE_DEEP), side("left"), deep("leg")),
     [("proximal_unspecified", "left", "present"), ("calf_unspecified", "left", "present")]),
    # EHIT class 2: the deep vein at the junction of the saphenous vein that claims it, or that its sentence names
    (line("Right GSV ablation: EHIT class 2.", side("Right"), GSV, EHIT_2), [("common_femoral", "right", "present")]),
    (line("Left SSV ablation: EHIT class 2.", side("Left"), SSV, EHIT_2), [("popliteal", "left", "present")]),
    (line("EHIT class 2 at the left SPJ.", EHIT_2, side("left"), Part("segment", "SPJ", "small_saphenous", "superficial", junction=True, implies="popliteal")), [("popliteal", "left", "present")]),
))
def test_prose_decisions(lines, expected):
    assert found(lines) == expected
