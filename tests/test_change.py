"""Interval change, comparison and scope of follow-up reports (SURVEILLANCE.md part A), end to end.

Each case is (report text, expected label, expected changes); a change is
``"side:segment": change`` for the decisive finding of that vein (``None``: no change stated).
"""
from __future__ import annotations

import pytest

NEW = [
    ("New occlusive thrombus in the right gastrocnemius veins, not present on the prior study.", "ICMVT", {"right:gastrocnemius": "new"}),
    ("Interval development of nonocclusive thrombus in the left posterior tibial veins.", "IDDVT", {"left:posterior_tibial": "new"}),
    ("Compared with the duplex of 2/14, there is a newly seen thrombus in a left soleal vein.", "ICMVT", {"left:soleal": "new"}),
    ("Left peroneal veins: noncompressible with thrombus that was not seen on the prior ultrasound.", "IDDVT", {"left:peroneal": "new"}),
    ("Right femoral vein: nonocclusive thrombus, new since the 3/9/2026 study.", "PROXIMAL", {"right:femoral": "new"}),
    ("There has been interval development of thrombus in the left common femoral vein.", "PROXIMAL", {"left:common_femoral": "new"}),
]
EXTENDED = [
    ("The known left soleal thrombus now extends into the peroneal veins.", "IDDVT", {"left:soleal": None, "left:peroneal": "extended"}),
    ("Interval propagation of the right posterior tibial vein thrombus into the popliteal vein.", "PROXIMAL", {"right:posterior_tibial": None, "right:popliteal": "extended"}),
    ("The left femoral vein thrombus has propagated into the common femoral vein since the prior study.", "PROXIMAL", {"left:femoral": None, "left:common_femoral": "extended"}),
    ("Compared to 5/2, the gastrocnemius vein thrombus on the left now extends to the popliteal vein.", "PROXIMAL", {"left:gastrocnemius": None, "left:popliteal": "extended"}),
    ("Previously noted right popliteal DVT with interval extension into the femoral vein.", "PROXIMAL", {"right:popliteal": None, "right:femoral": "extended"}),
    ("Thrombus in the left peroneal veins is more extensive than on the prior exam.", "IDDVT", {"left:peroneal": "extended"}),
]
UNCHANGED = [
    ("The previously noted thrombus in the right peroneal vein is unchanged.", "IDDVT", {"right:peroneal": "unchanged"}),
    ("Stable nonocclusive thrombus in the left femoral vein.", "PROXIMAL", {"left:femoral": "unchanged"}),
    ("Occlusive thrombus is again seen in a right soleal vein.", "ICMVT", {"right:soleal": "unchanged"}),
    ("Persistent thrombus in the left posterior tibial veins, no interval change from 4/20.", "IDDVT", {"left:posterior_tibial": "unchanged"}),
    ("The right gastrocnemius vein thrombus is redemonstrated.", "ICMVT", {"right:gastrocnemius": "unchanged"}),
    ("The left popliteal vein remains occluded by thrombus.", "PROXIMAL", {"left:popliteal": "unchanged"}),
]
IMPROVED = [
    ("Decreased clot burden in the left peroneal veins compared with the prior exam.", "IDDVT", {"left:peroneal": "improved"}),
    ("The left popliteal vein thrombus is smaller than on the prior study.", "PROXIMAL", {"left:popliteal": "improved"}),
    ("Interval improvement of the right peroneal vein thrombosis.", "IDDVT", {"right:peroneal": "improved"}),
    ("Thrombus in the left soleal vein has decreased in size.", "ICMVT", {"left:soleal": "improved"}),
    ("The right posterior tibial vein thrombus is now nonocclusive.", "IDDVT", {"right:posterior_tibial": "improved"}),
    ("The right femoral vein thrombus is partially recanalized.", "NEGATIVE", {"right:femoral": "improved"}),
]
RESOLVED = [
    ("The previously seen thrombus in the left popliteal vein has resolved.", "NEGATIVE", {"left:popliteal": "resolved"}),
    ("Interval resolution of the right gastrocnemius vein thrombus.", "NEGATIVE", {"right:gastrocnemius": "resolved"}),
    ("Thrombus is no longer seen in the left peroneal veins.", "NEGATIVE", {"left:peroneal": "resolved"}),
    ("The right posterior tibial veins are now fully compressible.", "NEGATIVE", {"right:posterior_tibial": "resolved"}),
    ("Complete resolution of the left soleal vein thrombosis seen on 7/3.", "NEGATIVE", {"left:soleal": "resolved"}),
    ("The right femoral vein DVT has cleared since the prior exam.", "NEGATIVE", {"right:femoral": "resolved"}),
]
DESCRIBED_AGAIN = [  # a vein described as it was on another exam, then as it is today: today's words decide
    ("The right popliteal vein, compressible on the prior examination, now holds occlusive thrombus.", "PROXIMAL", {"right:popliteal": "new"}),
    ("The left femoral vein, thrombosed on 5/5, is now fully compressible.", "NEGATIVE", {"left:femoral": "resolved"}),
]
CONTRAST = [  # a report that names its comparison, quotes what it showed, and says what today shows
    ("The prior exam showed left peroneal thrombosis. Today the left peroneal veins are compressible.", "NEGATIVE", {"left:peroneal": "resolved"}),
    ("No thrombus was seen on the previous duplex; today there is thrombus in a right soleal vein.", "ICMVT", {"right:soleal": "new"}),
    ("Comparison: 4/4. The earlier study showed a normal left CFV. Today the left CFV is noncompressible.", "PROXIMAL", {"left:common_femoral": "new"}),
]
NO_CHANGE = [  # an index exam's extent, or a history, states no change
    ("Thrombus in the right posterior tibial veins extending into the popliteal vein.", "PROXIMAL", {"right:posterior_tibial": None, "right:popliteal": None}),
    ("History of left popliteal DVT. Today the left popliteal vein is compressible.", "NEGATIVE", {"left:popliteal": None}),
    ("Occlusive thrombus in the left gastrocnemius veins.", "ICMVT", {"left:gastrocnemius": None}),
    ("COMPARISON: None.\nThe right femoral vein is partially recanalized with chronic wall-adherent thrombus.", "NEGATIVE", {"right:femoral": None}),
    ("Compared to the previous study, the left popliteal vein is noncompressible.", "PROXIMAL", {"left:popliteal": None}),
    ("Addendum: the reported thrombus in the left peroneal vein is retracted; it was artifact.", "NEGATIVE", {"left:peroneal": None}),
]


def _changes(record: dict) -> dict:
    current = ("present", "absent", "possible", "not_evaluated")
    return {f"{f['side']}:{f['segment']}": f["change"] for f in record["findings"] if f["status"] in current}


@pytest.mark.parametrize("text,label,changes", NEW + EXTENDED + UNCHANGED + IMPROVED + RESOLVED + DESCRIBED_AGAIN + CONTRAST + NO_CHANGE)
def test_change_of_each_finding(extractor, text, label, changes):
    record = extractor.extract(text)
    assert record["label"] == label
    got = _changes(record)
    assert {k: got.get(k, "missing") for k in changes} == changes


@pytest.mark.parametrize("text", [t for t, _, c in NEW + EXTENDED + UNCHANGED + IMPROVED + RESOLVED if any(c.values())])
def test_a_change_carries_its_cue(extractor, text):
    record = extractor.extract(text)
    changed = [f for f in record["findings"] if f["change"]]
    assert changed
    for f in changed:
        cue = f["evidence"]["change_cue"]
        assert text[cue["start"]:cue["end"]] == cue["text"]


def test_resolved_vein_is_absent_and_extended_vein_present(extractor):
    record = extractor.extract("The known left soleal thrombus now extends into the peroneal veins.")
    assert {f["segment"]: f["status"] for f in record["findings"]} == {"soleal": "present", "peroneal": "present"}
    record = extractor.extract("Interval resolution of the right gastrocnemius vein thrombus.")
    assert [f["status"] for f in record["findings"]] == ["absent"]


@pytest.mark.parametrize("text", [
    "The prior exam showed left peroneal thrombosis. Today the left peroneal veins are compressible.",
    "Prior 2/8 showed a left peroneal thrombus. Today the left peroneal veins are compressible.",  # "prior" as the study, dated
    "Follow-up. Comparison 9/20 (left peroneal vein thrombus). Today the left peroneal veins are compressible.",  # what it showed, in brackets
])
def test_what_the_prior_study_showed_stays_historical(extractor, text):
    record = extractor.extract(text)
    assert record["label"] == "NEGATIVE"
    assert sorted(f["status"] for f in record["findings"]) == ["absent", "historical"]


@pytest.mark.parametrize("text,sides", [
    ("DVT of the left femoral vein was seen on Monday's duplex and was not re-imaged today. The right CFV, FV and popliteal veins are compressible.", {"left": None, "right": "NEGATIVE"}),
    ("INDICATION: left calf DVT found last week, follow-up.\nFINDINGS: Right CFV, FV and popliteal veins are compressible.", {"left": None, "right": "NEGATIVE"}),
])
def test_a_dvt_not_imaged_today_does_not_examine_its_side(extractor, text, sides):
    record = extractor.extract(text)
    assert {k: record["side_labels"][k] for k in sides} == sides


COMPARISONS = [
    ("COMPARISON: 03/02/2026.\nFINDINGS: The left CFV, FV and popliteal veins are compressible.", {"date": "03/02/2026", "source": "prior"}),
    ("COMPARISON: None.\nFINDINGS: The left CFV, FV and popliteal veins are compressible.", {"date": None, "source": "none"}),
    ("Compared with the outside ultrasound of 5/3/2026, the left popliteal thrombus is unchanged.", {"date": "5/3/2026", "source": "outside"}),
    ("No prior studies are available for comparison. The right CFV is compressible.", {"date": None, "source": "none"}),
    ("Compared with the prior study of 3/1: new occlusive thrombus in the right gastrocnemius veins.", {"date": "3/1", "source": "prior"}),
    ("Right femoral vein: nonocclusive thrombus, new since the 3/9/2026 study.", {"date": "3/9/2026", "source": "prior"}),
    ("New thrombus in the left soleal vein, not present on the prior study.", {"date": None, "source": "prior"}),
]


@pytest.mark.parametrize("text,expected", COMPARISONS)
def test_comparison_of_the_report(extractor, text, expected):
    comparison = extractor.extract(text)["comparison"]
    assert {"date": comparison["date"], "source": comparison["source"]} == expected
    assert text[comparison["start"]:comparison["end"]] == comparison["text"]


def test_no_comparison_is_null(extractor):
    assert extractor.extract("The left CFV, FV and popliteal veins are compressible.")["comparison"] is None


@pytest.mark.parametrize("text,scope", [
    ("The right CFV is compressible.", {"left": None, "right": "proximal_only"}),
    ("Left CFV, FV, popliteal, posterior tibial and peroneal veins are compressible.", {"left": "complete", "right": None}),
    ("Left posterior tibial and peroneal veins are compressible.", {"left": "calf_only", "right": None}),
    ("Right CFV, FV and popliteal veins compressible; the calf veins are not adequately seen.", {"left": None, "right": "limited"}),
    ("No DVT in either leg.", {"left": "complete", "right": "complete"}),
])
def test_scope_of_each_side(extractor, text, scope):
    got = extractor.extract(text)["scope"]
    assert {k: got[k] for k in scope} == scope
