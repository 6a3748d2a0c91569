"""Findings, sides, statuses, acuity, occlusion, svt flags and evidence offsets, as examples."""
from __future__ import annotations

import pytest


def finding(record, segment, side=None):
    hits = [f for f in record["findings"] if f["segment"] == segment and (side is None or f["side"] == side)]
    assert hits, f"no finding for {segment} {side}: {record['findings']}"
    return hits[0]


SIDES = [
    # (id, text, expected side_labels)
    ("per-protocol-is-no-technique-header", "Joint clinic: two weeks after L knee replacement. Routine duplex per protocol: no DVT.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("side-only-exam-line", "EXAM: Venous Doppler of one lower limb, full protocol. LEFT. RESULT: negative.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("history-sides-a-sideless-dvt", "Ortho admission: Hx: painful swollen R leg for two days after a long drive. US: DVT. Plan: heparin infusion.", {"left": None, "right": "DVT_UNSPECIFIED", "unspecified": None}),
    ("both-lower-limbs-is-bilateral", "Ward note: the scan this morning confirmed deep vein thrombosis in both lower limbs; on apixaban.", {"left": "DVT_UNSPECIFIED", "right": "DVT_UNSPECIFIED", "unspecified": None}),
    ("resolved-in-a-year-is-history", "Problem list:\n- Thrombosis of the left femoral vein, resolved 2019\n- Gout", {"left": None, "right": None, "unspecified": None}),
    ("sideless-dvt-summary-restates", "Duplex of both lower limbs. Right: CFV and FV compress. Left: thrombus fills the popliteal vein.\nConclusion: DVT, see above.", {"left": "PROXIMAL", "right": "NEGATIVE", "unspecified": None}),
    ("contralateral-after-a-side-heading", "Bilateral venous duplex.\nRight leg: all deep veins compress.\nThe contralateral leg shows occlusive thrombus in the popliteal vein.", {"left": "PROXIMAL", "right": "NEGATIVE", "unspecified": None}),
    ("side-heading-then-neg", "Post-op day 2 review. LLE: neg. Mobilising well.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("both-veins-is-the-pair", "Left calf scan:\nPeroneal - clot in both veins, noncompressible\nPTV - compressible", {"left": "IDDVT", "right": None, "unspecified": None}),
    ("showed-no-still-ends-a-scope", "Physio note: pt anxious re DVT after a long flight, US 09/05 showed no clot in the L leg.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("study-comma-side-names-the-exam", "Venous doppler, bilateral - Thrombus in the posterior tibial and peroneal veins.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": "IDDVT"}),
    ("negative-right-leg-duplex-is-that-leg", "EXAM: LT LOWER EXTREMITY VENOUS DUPLEX\nFINDINGS: Nondiagnostic examination of the left lower extremity: none of the deep veins could be visualized because of body habitus. The contralateral right CFV is compressible.\nIMPRESSION: 1. Nondiagnostic study of the Lt lower extremity. 2. Negative right leg venous duplex.", {"left": "INDETERMINATE", "right": "NEGATIVE", "unspecified": None}),
    ("left-the-department-is-no-side", "Right lower extremity venous duplex. Right CFV, femoral and popliteal veins compress normally. He left the department before the calf veins could be scanned.", {"left": None, "right": "NEGATIVE", "unspecified": None}),
    ("ticked-no-answers-the-question", "VENOUS DUPLEX FORM\nSide: [ ] Right [x] Left\nDeep veins compressible: [x] Yes [ ] No\nThrombus seen: [ ] Yes [x] No", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("empty-box-item-is-unsaid", "VENOUS DUPLEX FORM\nSide: [x] Right [ ] Left\nOutcome: [ ] Positive for DVT [ ] Negative for DVT [x] Indeterminate\nNotes: popliteal vein possibly partially compressible.", {"left": None, "right": "INDETERMINATE", "unspecified": None}),
    ("thrombus-in-the-ivc-filter-is-caval", "Bilateral lower extremity venous duplex. Echogenic material fills part of the lumen in the IVC filter. Common femoral and popliteal veins compress on both sides.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": "PROXIMAL"}),
    ("calf-pain-examines-no-leg", "Progress note\nAssessment: left calf tenderness, venous duplex requested.", {"left": None, "right": None, "unspecified": None}),
    ("compression-negative-is-a-result", "ED note: L calf ache after a long flight; bedside compression test negative.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("reported-as-negative-is-a-result", "Ward note: his ultrasound today was reported as negative for DVT in the left leg; mobilising.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("excluded-clinically-is-no-exam", "ED note. R calf pain after a fall. Wells 0 and D-dimer negative: DVT excluded clinically, no scan needed.", {"left": None, "right": None, "unspecified": None}),
    ("not-scanned-leg-is-null", "Duplex today: nonocclusive thrombus in the right external iliac and common femoral veins. Left leg not scanned.", {"left": None, "right": "PROXIMAL", "unspecified": None}),
    ("not-scanned-reaches-its-own-words", "Bilat venous duplex\nRt CFV DVT occlusive; Lt CFV patent\nrest of both legs not scanned - pt to theatre", {"left": "NEGATIVE", "right": "PROXIMAL", "unspecified": None}),
    ("empty-check-boxes", "Vascular lab worksheet\n[ ] Right  [x] Left  [ ] Bilateral\nCFV: Y  FV: Y  POP: Partial\nComments: partially compressible popliteal vein with fresh thrombus.", {"left": "PROXIMAL", "right": None, "unspecified": None}),
    ("sideless-summary-restates-a-sided-vein", "RIGHT LEG\nCFV  compressible\nFV   compressible\n\nLEFT LEG\nCFV  compressible\nFV   non-compressible, occlusive echogenic thrombus\n\nSummary: DVT in femoral vein.", {"left": "PROXIMAL", "right": "NEGATIVE", "unspecified": None}),
    ("r-le-heading", "LEFT: The left lower extremity deep veins could not be evaluated due to body habitus.\nR LE: Nonocclusive thrombus of the anterior tibial veins. There is no evidence of thrombus in the common femoral and popliteal veins.", {"left": "INDETERMINATE", "right": "IDDVT", "unspecified": None}),
    ("heading-then-not-examined", "INDICATION: r/o DVT left leg\nFINDINGS: Left leg CFV, femoral, popliteal veins: normal compressibility. Left peroneal veins non-compressible with thrombus.\nRight leg: not examined.", {"left": "IDDVT", "right": None, "unspecified": None}),
    ("le-quoted-result", "Progress note (ICU): LE duplex neg bilaterally. Plan heparin gtt.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": None}),
    ("side-in-sentence", "Thrombus in the left peroneal vein. The right CFV is compressible.", {"left": "IDDVT", "right": "NEGATIVE", "unspecified": None}),
    ("side-heading", "FINDINGS:\nRIGHT LEG: CFV, FV, popliteal compressible.\nLEFT LEG: Noncompressible popliteal vein.", {"left": "PROXIMAL", "right": "NEGATIVE", "unspecified": None}),
    ("exam-title-side", "EXAM: LEFT LOWER EXTREMITY VENOUS DUPLEX\nFINDINGS: Occlusive thrombus in the soleal vein.", {"left": "ICMVT", "right": None, "unspecified": None}),
    ("bilateral-word", "The CFV and popliteal veins are compressible bilaterally.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": None}),
    ("contralateral-cfv", "EXAM: RIGHT LE VENOUS DUPLEX\nFINDINGS: Right popliteal thrombus. Contralateral CFV compressible.", {"left": "NEGATIVE", "right": "PROXIMAL", "unspecified": None}),
    ("bilateral-exam-unsided", "EXAM: BILATERAL LE VENOUS DUPLEX\nFINDINGS: Thrombus in the peroneal vein. Otherwise compressible.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": "IDDVT"}),
    ("carried-side", "In the right leg, the CFV is compressible. There is thrombus in the popliteal vein.", {"left": None, "right": "PROXIMAL", "unspecified": None}),
    ("per-mention-sides", "Right CFV compressible, left CFV noncompressible.", {"left": "PROXIMAL", "right": "NEGATIVE", "unspecified": None}),
    ("other-leg-vein-not-assessed", "RLE venous duplex: no DVT. Left common femoral vein not assessed.", {"left": None, "right": "NEGATIVE", "unspecified": None}),
    ("other-leg-not-imaged-is-examined", "EXAM: LEFT LE DUPLEX\nFINDINGS: Left CFV, FV and popliteal compressible. No deep veins of the right leg could be adequately imaged.", {"left": "NEGATIVE", "right": "INDETERMINATE", "unspecified": None}),
    ("addendum-corrects-exam-side", "ADDENDUM: The prior report erroneously stated 'right'. The examination was of the LEFT lower extremity.\nORIGINAL: Venous duplex right leg: CFV, FV and popliteal compressible.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("addendum-correction-not-the-right", "EXAM: RIGHT LE VENOUS DUPLEX\nFINDINGS: Occlusive thrombus in the popliteal vein.\nADDENDUM: Correction: this was a left leg study, not the right.", {"left": "PROXIMAL", "right": None, "unspecified": None}),
    ("addendum-on-top-corrects-side", "Addendum: Correction - the study was performed on the LEFT leg, not the right as stated. Findings unchanged: no DVT.\n\nRIGHT LOWER EXTREMITY VENOUS DUPLEX. The common femoral, femoral and popliteal veins are compressible. No DVT.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("addendum-moves-one-vein", "Bilateral LE venous duplex.\nFINDINGS: Right: Nonocclusive thrombus within the right popliteal vein. Left: Deep veins compressible.\nIMPRESSION: Right popliteal DVT.\nADDENDUM: Correction - the thrombus described is in the LEFT popliteal vein, not the right. The right lower extremity is negative.", {"left": "PROXIMAL", "right": "NEGATIVE", "unspecified": None}),
    ("addendum-without-correction-keeps-sides", "EXAM: RIGHT LE VENOUS DUPLEX\nFINDINGS: Occlusive thrombus in the popliteal vein.\nADDENDUM: Images reviewed with the attending; no change to the report.", {"left": None, "right": "PROXIMAL", "unspecified": None}),
    ("right-or-left-is-both", "IMPRESSION: No evidence of right or left lower extremity DVT.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": None}),
    ("right-as-adverb", "LLE duplex: thrombus right at the SFJ in the left GSV, extending into the CFV.", {"left": "PROXIMAL", "right": None, "unspecified": None}),
    ("right-below-knee-is-a-side", "Right below knee: thrombus in the popliteal vein.", {"left": None, "right": "PROXIMAL", "unspecified": None}),
    ("right-heart-is-no-leg", "L LE duplex. Pulsatile CFV flow, consistent with elevated right heart pressures; veins fully compressible. No DVT.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("sideless-restatement-of-sided-vein", "Bilateral venous duplex: thrombosis of a right gastrocnemius vein; left leg negative. Given isolated muscular calf vein thrombosis, prophylactic dosing continued.", {"left": "NEGATIVE", "right": "ICMVT", "unspecified": None}),
    ("bilateral-title-leg-not-examined", "Bilat venous US: Right CFV thrombus, occlusive. Left leg not examined (amputation).", {"left": None, "right": "PROXIMAL", "unspecified": None}),
    ("leg-not-examined-but-vein-seen", "Bilateral LE duplex. Left leg not examined. Left CFV compressible. Right: no DVT.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": None}),
    ("an-uncued-vein-sides-the-next-clause", "Bilateral LE venous duplex\nFindings: On the left, a small hyperechoic focus sits in a peroneal vein; thrombus cannot be excluded. Right calf veins compress.", {"left": "INDETERMINATE", "right": "NEGATIVE", "unspecified": None}),
    ("a-denial-beside-a-patent-graft", "Vascular ward note\nPost-op day 3 after right fem-pop bypass. Venous duplex this morning: no DVT R leg, bypass graft patent.", {"left": None, "right": "NEGATIVE", "unspecified": None}),
    ("ivc-filter-is-no-ivc-finding", "Operative note (IVC filter placement): acute bilateral femoral-popliteal DVT on duplex of 6/2.", {"left": "PROXIMAL", "right": "PROXIMAL", "unspecified": None}),
]


@pytest.mark.parametrize("case_id, text, expected", SIDES, ids=[c[0] for c in SIDES])
def test_side_labels(extractor, case_id, text, expected):
    record = extractor.extract(text)
    assert record["side_labels"] == expected


STATUSES = [
    # (id, text, segment, expected status)
    ("present", "Occlusive thrombus in the right popliteal vein.", "popliteal", "present"),
    ("tick-mark-is-a-normal-cue", "Rt leg worksheet: CFV ✓  SFV ✓  POP ✓  calf veins not seen", "popliteal", "absent"),
    ("n-v-is-the-vein-before-it", "Left leg sheet: CFV ✓  PTV ✓  peroneal ✓  ATV n/v", "peroneal", "absent"),
    ("from-to-range-end-takes-the-thrombus", "Right leg: clot from the external iliac vein down to the common femoral vein, femoral vein patent.", "common_femoral", "present"),
    ("absent-normal-cue", "The right popliteal vein is compressible.", "popliteal", "absent"),
    ("not-clearly-is-a-hedge", "The right peroneal veins are not clearly compressible; the calf is very swollen.", "peroneal", "possible"),
    ("tibioperoneal-confluence-is-the-trunk", "Right calf: occlusive thrombus at the tibioperoneal confluence; popliteal vein spared.", "tibioperoneal_trunk", "present"),
    ("incomplete-coaptation-is-partial-compression", "The left femoral vein shows incomplete coaptation of its walls with probe pressure.", "femoral", "present"),
    ("absent-negated", "No thrombus in the right popliteal vein.", "popliteal", "absent"),
    ("possible", "Possible thrombus in the left peroneal vein.", "peroneal", "possible"),
    ("the-veins-are-the-named-pair", "The right posterior tibial veins are dilated; the veins are noncompressible with no flow.", "posterior_tibial", "present"),
    ("british-poorly-visualised", "Right CFV compresses. The right peroneal veins were poorly visualised.", "peroneal", "not_evaluated"),
    ("historical", "Known history of left popliteal DVT.", "popliteal", "historical"),
    ("hypothetical", "Recommend follow-up to evaluate for propagation into the popliteal vein.", "popliteal", "hypothetical"),
    ("indication", "INDICATION: left calf pain, r/o popliteal DVT.\nFINDINGS: normal.", "popliteal", "indication"),
    ("not-evaluated", "The left peroneal veins were not visualized.", "peroneal", "not_evaluated"),
    ("negated-normal", "The left popliteal vein is not patent.", "popliteal", "present"),
    ("visualized-and-compressible", "The right CFV and popliteal vein were adequately visualized and are compressible.", "popliteal", "absent"),
    ("not-visualized-still-wins", "The left peroneal veins were not well visualized.", "peroneal", "not_evaluated"),
    ("fixed-width-cells", "POP  comp  PART  thrombus YES (nonocclusive)", "popliteal", "present"),
    ("fixed-width-normal-cells", "CFV  comp  yes   thrombus no", "common_femoral", "absent"),
    ("unable-to-distinguish-keeps-calf", "Right leg: femoral vein compressible. Deep calf veins show thrombus (unable to distinguish PTV from peroneal due to edema).", "calf_unspecified", "present"),
    ("specific-vein-in-parentheses", "Calf DVT in the right leg (posterior tibial).", "posterior_tibial", "present"),
    ("neg-after-next-vein-only", "ultrasound LLE: acute occlusive DVT L anterior and posterior tibial vv. popliteal neg.", "posterior_tibial", "present"),
    ("tie-goes-to-nearer-cue", "rt le duplex shows occlusive dvt rt cfv into fv pop patent calf patent", "popliteal", "absent"),
    ("slash-joins-two-veins", "TC to pt re: doppler -> +DVT R CFV/FV (acute, nonocc).", "femoral", "present"),
    ("slash-restates-a-general-name", "Left calf/soleal vein: thrombosed.", "soleal", "present"),
    ("c-with-period-cell", "L: CFV C, FV C, POP NC - acute occlusive, calf veins C.", "calf_unspecified", "absent"),
    ("per-before-a-cell", "PER  comp  no    thrombus YES", "peroneal", "present"),
    ("voice-recognition-popular-vein", "The right popular vein is noncompressible and contains echogenic thrombus.", "popliteal", "present"),
    ("voice-recognition-gastric-nemius", "There is a noncompressible gastric nemius vein in the medial calf with intraluminal thrombus.", "gastrocnemius", "present"),
    ("aasv-is-a-gsv-tributary", "Thrombus fills the left AASV in the upper thigh.", "superficial_other", "present"),
    ("thru-is-a-range", "IMPRESSION: DVT left common femoral thru popliteal", "femoral", "present"),
]


@pytest.mark.parametrize("case_id, text, segment, expected", STATUSES, ids=[c[0] for c in STATUSES])
def test_status(extractor, case_id, text, segment, expected):
    record = extractor.extract(text)
    assert finding(record, segment)["status"] == expected


ACUITY = [
    ("acute", "Acute occlusive thrombus in the left femoral vein.", "femoral", "acute", "occlusive"),
    ("chronic", "Chronic nonocclusive thrombus in the left femoral vein.", "femoral", "chronic", "nonocclusive"),
    ("subacute", "Subacute thrombus in the left femoral vein.", "femoral", "subacute", None),
    ("acute-on-chronic", "Acute-on-chronic thrombus in the left femoral vein.", "femoral", "acute_on_chronic", None),
    ("synechiae", "Synechiae in the left femoral vein.", "femoral", "chronic", None),
    ("unstated", "Thrombus in the left femoral vein.", "femoral", "unspecified", None),
    ("partially-compressible", "The left femoral vein is partially compressible.", "femoral", "unspecified", "nonocclusive"),
    ("a-closing-verdict-sets-the-acuity", "The right popliteal vein holds echogenic nonocclusive thrombus along its wall with several small collateral channels around it, consistent with chronic thrombus.", "popliteal", "chronic", "nonocclusive"),
    ("without-new-thrombus-lends-no-acuity", "Right leg duplex: post-thrombotic scarring lines the popliteal vein, without new thrombus.", "popliteal", "chronic", None),
    ("chronic-beside-another-acute-clot", "Impression: Acute right PTV DVT on a background of chronic right popliteal post-thrombotic change.", "popliteal", "chronic", None),
]


@pytest.mark.parametrize("case_id, text, segment, acuity, occlusion", ACUITY, ids=[c[0] for c in ACUITY])
def test_acuity_and_occlusion(extractor, case_id, text, segment, acuity, occlusion):
    f = finding(extractor.extract(text), segment)
    assert (f["acuity"], f["occlusion"]) == (acuity, occlusion)


def test_count_chronic_policy_counts_chronic_only_thrombus():
    from pipeline import Extractor

    text = "Chronic thrombus in the left femoral vein."
    assert Extractor().extract(text)["label"] == "NEGATIVE"
    assert Extractor(count_chronic=True).extract(text)["label"] == "PROXIMAL"


SVT = [
    # (id, text, svt, svt_near_junction)
    ("rec-line-is-the-plan", "Right leg deep veins normal, GSV patent.\nRec: LMWH 45 days per guideline given junctional SVT.", False, False),
    ("gsv-calf", "Thrombus in the left GSV at the mid calf, remote from the SFJ.", True, False),
    ("gsv-at-sfj", "Thrombus in the right great saphenous vein extending to the saphenofemoral junction.", True, True),
    ("gsv-5cm", "Thrombus in the right GSV beginning 8 cm below the SFJ.", True, False),
    ("ssv-spj", "Small saphenous vein thrombus at the saphenopopliteal junction.", True, True),
    ("chronic-gsv", "Chronic recanalized thrombus in the left GSV.", False, False),
    ("negated-gsv", "The GSV is compressible without thrombus.", False, False),
]


@pytest.mark.parametrize("case_id, text, svt, near", SVT, ids=[c[0] for c in SVT])
def test_svt_flags(extractor, case_id, text, svt, near):
    record = extractor.extract(text)
    assert (record["svt"], record["svt_near_junction"]) == (svt, near)
    assert record["label"] == "NEGATIVE"  # superficial thrombus never makes a DVT label


def test_superficial_row_label_heads_the_named_vein(extractor):
    record = extractor.extract("Left leg duplex. Deep veins: all compress.\nSuperficial: thrombus in the left small saphenous vein at mid calf.")
    assert {f["segment"] for f in record["findings"] if f["status"] == "present"} == {"small_saphenous"}


def test_a_vein_below_which_flow_stops_is_a_landmark(extractor):
    record = extractor.extract("Left: occlusive thrombus in the CFV and femoral vein. No flow at any level below the external iliac vein, which is patent.")
    assert [f["status"] for f in record["findings"] if f["segment"] == "external_iliac"] in ([], ["absent"])


def test_a_thrombus_named_as_a_place_describes_no_vein(extractor):
    record = extractor.extract("Left: occlusive thrombus fills the left CFV. The left femoral vein below the thrombus shows slow but present flow, compressible.")
    assert [f["segment"] for f in record["findings"] if f["status"] == "present"] == ["common_femoral"]


def test_c_o_is_complains_of_not_a_compressible_cell(extractor):
    assert extractor.extract("Ward note: pt c/o L calf pain.")["findings"] == []  # not "calf: C(ompressible)"


def test_evidence_offsets_point_into_the_text(extractor):
    text = "FINDINGS: Occlusive thrombus in the left [popliteal vein]. CFV compressible.".replace("[", "").replace("]", "")
    record = extractor.extract(text, "r1")
    f = finding(record, "popliteal")
    ev = f["evidence"]
    assert text[ev["start"]:ev["end"]] == "popliteal vein" == ev["text"]
    assert text[ev["cue"]["start"]:ev["cue"]["end"]] == "Occlusive thrombus"
    assert text[ev["sentence"]["start"]:ev["sentence"]["end"]] == "Occlusive thrombus in the left popliteal vein."
    assert f["section"] == "findings"


def test_modifier_that_set_the_status_is_in_the_evidence(extractor):
    text = "Peroneal vein thrombosis cannot be excluded."
    f = finding(extractor.extract(text), "peroneal")
    assert f["status"] == "possible"
    assert [(m["category"], m["text"]) for m in f["evidence"]["modifiers"]] == [("POSSIBLE_EXISTENCE", "cannot be excluded")]


def test_every_label_has_evidence(extractor):
    for text in ("Left popliteal DVT.", "No DVT.", "Possible left soleal vein thrombus."):
        record = extractor.extract(text)
        assert record["findings"], text
        assert all(f["evidence"]["text"] for f in record["findings"])


def test_below_knee_segment_is_a_part_of_the_named_vein(extractor):
    record = extractor.extract("Impression: Right popliteal DVT (below-knee segment).")
    assert [f["segment"] for f in record["findings"]] == ["popliteal"]  # no calf_unspecified beside it


def test_a_femoral_catheter_is_a_device_not_the_femoral_vein(extractor):
    record = extractor.extract("Right leg duplex: thrombus coats the femoral venous catheter lying in the right CFV.")
    assert sorted(f["segment"] for f in record["findings"] if f["status"] == "present") == ["common_femoral"]


@pytest.mark.parametrize("text", [
    "Left common femoral vein distended and noncompressible, echogenic thrombus reaching up to the level of the SFJ.",
    "Occlusive thrombus in the right popliteal vein extending to the saphenopopliteal junction.",
], ids=["sfj-beside-cfv-clot", "spj-beside-popliteal-clot"])
def test_junction_beside_a_deep_clot_only_places_it(extractor, text):
    record = extractor.extract(text)
    assert (record["label"], record["svt"], record["svt_near_junction"]) == ("PROXIMAL", False, False)
