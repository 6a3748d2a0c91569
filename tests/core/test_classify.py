"""The pure classifier (no spaCy): LABELS.md section 3 and 5 on hand-made findings."""
from __future__ import annotations

from pipeline.core.classify import classify, consolidate, most_severe
from pipeline.core.model import Finding, TextSpan

GROUPS = {"popliteal": "proximal", "peroneal": "distal_axial", "soleal": "distal_muscular", "calf_unspecified": "distal_unspecified",
          "muscular_calf": "distal_muscular", "great_saphenous": "superficial", "upper_extremity": "upper", None: "deep_unspecified"}


def f(segment, side="left", status="present", acuity="acute", section="findings", junction=False, order=0):
    return Finding(segment, GROUPS[segment], side, status, acuity, None, section, TextSpan(0, 1, "x"), None, (0, 1), (), junction, order)


def labels(findings, examined=("left",), **kw):
    return classify(findings, examined, **kw).side_labels


def test_precedence_proximal_over_distal():
    assert labels([f("peroneal"), f("popliteal"), f("soleal")])["left"] == "PROXIMAL"


def test_axial_with_muscular_is_iddvt():
    assert labels([f("peroneal"), f("soleal")])["left"] == "IDDVT"


def test_unspecified_calf_is_iddvt():
    assert labels([f("calf_unspecified")])["left"] == "IDDVT"


def test_muscular_only_is_icmvt():
    assert labels([f("soleal")])["left"] == "ICMVT"


def test_generic_dvt_is_unspecified_only_without_segments():
    assert labels([f(None)])["left"] == "DVT_UNSPECIFIED"
    assert labels([f(None), f("soleal")])["left"] == "ICMVT"


def test_possible_gives_indeterminate_but_present_wins():
    assert labels([f("peroneal", status="possible"), f("popliteal", status="absent")])["left"] == "INDETERMINATE"
    assert labels([f("peroneal", status="possible"), f("soleal")])["left"] == "ICMVT"


def test_not_evaluated_part_is_negative_whole_side_is_indeterminate():
    assert labels([f("peroneal", status="not_evaluated"), f("popliteal", status="absent")])["left"] == "NEGATIVE"
    assert labels([f(None, status="not_evaluated")])["left"] == "INDETERMINATE"


def test_chronic_only_counts_only_under_policy():
    chronic = [f("popliteal", acuity="chronic")]
    assert labels(chronic)["left"] == "NEGATIVE"
    assert labels(chronic, count_chronic=True)["left"] == "PROXIMAL"
    assert labels([f("popliteal", acuity="acute_on_chronic")])["left"] == "PROXIMAL"


def test_non_current_statuses_never_count():
    for status in ("historical", "hypothetical", "indication"):
        assert labels([f("popliteal", status=status)])["left"] == "NEGATIVE"


def test_unexamined_side_is_null_and_report_takes_most_severe():
    out = classify([f("soleal", side="right"), f("popliteal", side="left", status="absent")], {"left", "right"})
    assert out.side_labels == {"left": "NEGATIVE", "right": "ICMVT", "unspecified": None}
    assert out.label == "ICMVT" and out.distal is True
    assert classify([f("popliteal", status="absent")], {"left"}).side_labels["right"] is None


def test_unspecified_side_positive_counts():
    out = classify([f("peroneal", side="unspecified")], {"left", "right"})
    assert out.side_labels == {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": "IDDVT"}
    assert out.label == "IDDVT"


def test_addendum_supersedes_then_impression_then_findings():
    read = [f("peroneal", section="findings"), f("peroneal", status="absent", section="addendum", order=9)]
    assert labels(read)["left"] == "NEGATIVE"
    read = [f("peroneal", status="possible", section="findings"), f("peroneal", section="impression", order=5)]
    assert labels(read)["left"] == "IDDVT"


def test_generic_denial_does_not_erase_a_named_thrombosed_vein():
    read = [f("soleal", section="findings"), f(None, status="absent", section="addendum", order=9)]
    assert labels(read)["left"] == "ICMVT"


def test_final_read_supersedes_preliminary_read():
    read = [f("peroneal", section="preliminary"), f("peroneal", status="absent", section="findings", order=9)]
    assert labels(read)["left"] == "NEGATIVE"


def test_svt_flags():
    out = classify([f("great_saphenous", junction=True)], {"left"})
    assert (out.label, out.svt, out.svt_near_junction) == ("NEGATIVE", True, True)
    out = classify([f("great_saphenous", acuity="chronic")], {"left"})
    assert (out.svt, out.svt_near_junction) == (False, False)


def test_consolidate_keeps_one_per_segment_and_side():
    kept = consolidate([f("popliteal", order=1), f("popliteal", order=2), f("popliteal", side="right", order=3)])
    assert [(x.segment, x.side, x.order) for x in kept] == [("popliteal", "left", 1), ("popliteal", "right", 3)]


def test_most_severe_order():
    assert most_severe(["NEGATIVE", "INDETERMINATE", None, "ICMVT"]) == "ICMVT"
    assert most_severe([None, None]) == "NEGATIVE"


def test_a_general_calf_finding_restating_a_named_calf_vein_is_dropped():
    # "Thrombus in the left peroneal vein. Impression: left calf DVT."
    kept = consolidate([f("peroneal", order=1), f("calf_unspecified", order=2)])
    assert [x.segment for x in kept] == ["peroneal"]
    # "Thrombus in a left soleal vein; muscular calf vein thrombosis."
    assert [x.segment for x in consolidate([f("soleal", order=1), f("muscular_calf", order=2)])] == ["soleal"]


def test_a_general_calf_finding_is_kept_beside_other_veins_or_legs():
    # "Thrombus in the left popliteal vein and left muscular calf veins."
    assert [x.segment for x in consolidate([f("popliteal", order=1), f("muscular_calf", order=2)])] == ["popliteal", "muscular_calf"]
    # "Thrombus in a left soleal vein. Right muscular calf vein thrombosis."
    assert [x.segment for x in consolidate([f("soleal", order=1), f("muscular_calf", side="right", order=2)])] == ["soleal", "muscular_calf"]
    # "Chronic scarring of the left peroneal vein. Left calf DVT.": old scarring restates no new clot
    assert labels([f("peroneal", acuity="chronic", order=1), f("calf_unspecified", order=2)])["left"] == "IDDVT"


def test_a_sideless_restatement_of_a_sided_thrombosed_vein_is_dropped():
    # "LEFT LEG: popliteal vein noncompressible. Summary: DVT in the popliteal vein."
    kept = consolidate([f("popliteal", order=1), f("popliteal", side="unspecified", order=2)])
    assert [(x.segment, x.side) for x in kept] == [("popliteal", "left")]


def test_an_addendum_denial_undoes_an_earlier_generic_claim_of_its_side():
    # "Findings: DVT cannot be excluded. ADDENDUM: represents artifact, no DVT."
    read = [f(None, status="possible", order=1), f(None, status="absent", section="addendum", order=9)]
    assert labels(read)["left"] == "NEGATIVE"


def test_not_seen_in_the_impression_does_not_undo_what_the_findings_saw():
    # "Findings: thrombus in the left popliteal vein. Impression: popliteal vein not well seen."
    read = [f("popliteal", order=1), f("popliteal", status="not_evaluated", section="impression", order=9)]
    assert labels(read)["left"] == "PROXIMAL"


def test_an_unstated_acuity_is_completed_from_another_mention_of_the_same_thrombus():
    # "Findings: acute thrombus in the left peroneal vein. Impression: left peroneal DVT."
    kept = consolidate([f("peroneal", acuity="acute", order=1), f("peroneal", acuity="unspecified", section="impression", order=9)])
    assert [(x.section, x.acuity) for x in kept] == [("impression", "acute")]


def test_a_chronic_mention_does_not_complete_the_acuity():
    # "Findings: chronic-appearing popliteal thrombus. Impression: left popliteal DVT."
    read = [f("popliteal", acuity="chronic", order=1), f("popliteal", acuity="unspecified", section="impression", order=9)]
    assert labels(read)["left"] == "PROXIMAL"


def test_an_arm_finding_makes_no_leg_label():
    # "Thrombus in the left subclavian vein."
    assert labels([f("upper_extremity")])["left"] == "NEGATIVE"


def test_a_side_with_an_assessed_finding_is_labelled_though_not_examined():
    # "Right leg exam. Left popliteal vein compressible."
    assert labels([f("popliteal", status="absent")], examined=("right",))["left"] == "NEGATIVE"
    # "Right leg exam. Left CFV not assessed."
    assert labels([f("popliteal", status="not_evaluated")], examined=("right",))["left"] is None


def test_the_unspecified_side_is_labelled_only_when_flagged_or_alone():
    # "No DVT." beside examined legs: no unspecified label
    assert classify([f(None, side="unspecified", status="absent")], {"left"}).side_labels["unspecified"] is None
    # "Nondiagnostic study." with no leg examined
    assert classify([f(None, side="unspecified", status="not_evaluated")], set()).side_labels["unspecified"] == "INDETERMINATE"
    # "Calf veins not seen." beside an examined leg
    assert classify([f("calf_unspecified", side="unspecified", status="not_evaluated")], {"left"}).side_labels["unspecified"] is None
