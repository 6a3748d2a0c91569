"""Each side's scope (pipeline.core.classify.side_scope) and a decisive finding's change taken from
another mention of its vein, on hand-made findings; each row names the report it stands for."""
from __future__ import annotations

import pytest

from pipeline.core.classify import classify, consolidate, side_scope
from pipeline.core.model import Finding, TextSpan

from .builders import GROUPS, examples


def f(segment, status="absent", side="left", section="findings", order=0, change=None):
    group = GROUPS[segment] if segment else "deep_unspecified"
    cue = TextSpan(order, order + 1, "c") if change else None
    return Finding(segment, group, side, status, "acute" if status == "present" else None, None, section, TextSpan(order, order + 1, "x"), None,
                   (0, 1), order=order, change=change, change_cue=cue)


@pytest.mark.parametrize("report, findings, expected", examples(
    ("The left CFV is compressible.", [f("common_femoral")], "proximal_only"),
    ("CFV, popliteal and peroneal veins compressible.", [f("common_femoral"), f("popliteal"), f("peroneal")], "complete"),
    ("Peroneal veins compressible; soleal vein thrombus.", [f("peroneal"), f("soleal", "present")], "calf_only"),
    ("Popliteal compressible; calf veins not adequately seen.", [f("popliteal"), f("calf_unspecified", "not_evaluated")], "limited"),
    ("No DVT in the left leg.", [f(None)], "complete"),
    ("Left GSV thrombus.", [f("great_saphenous", "present")], "limited"),  # no deep vein assessed
    ("TPT and CFV compressible.", [f("tibioperoneal_trunk"), f("common_femoral")], "complete"),  # the TPT is a calf vein
))
def test_side_scope(report, findings, expected):
    assert side_scope(findings) == expected


def test_a_side_not_examined_has_no_scope():
    assert classify([f("common_femoral")], ("left",)).scope == {"left": "proximal_only", "right": None, "unspecified": None}


def test_the_decisive_finding_takes_the_change_another_mention_states():
    # "Findings: stable thrombus in the popliteal vein. Impression: left popliteal DVT."
    decisive = consolidate([f("popliteal", "present", order=0, change="unchanged"), f("popliteal", "present", section="impression", order=9)])
    assert [(x.section, x.change) for x in decisive] == [("impression", "unchanged")]
    # a change that does not fit the decisive status is not taken: "resolved" for a present vein
    decisive = consolidate([f("popliteal", "absent", order=0, change="resolved"), f("popliteal", "present", section="impression", order=9)])
    assert [(x.status, x.change) for x in decisive] == [("present", None)]
