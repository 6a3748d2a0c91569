"""Clinician prose: case narratives and teaching-file answers that report a duplex result in
running text. Each case: (id, text, expected). The sentences are written for these tests."""
from __future__ import annotations

import pytest

LABELS = [
    # --- thrombus cue variants ------------------------------------------------------------------
    ("non-compressive", "Bedside ultrasound showed a non-compressive right popliteal vein.", "PROXIMAL"),
    ("loss-of-color-flow", "Panel 2 shows loss of color flow within the right femoral vein.", "PROXIMAL"),
    ("british-colour", "Left leg: no colour flow in the popliteal vein.", "PROXIMAL"),
    ("loss-of-normal-compressibility", "Left leg duplex: loss of normal compressibility of the femoral vein.", "PROXIMAL"),
    # --- negation after a reporting verb --------------------------------------------------------
    ("confirmed-no", "The left leg scan confirmed no thrombus, only a large Baker's cyst.", "NEGATIVE"),
    ("failed-to-demonstrate", "The left leg duplex failed to demonstrate any thrombus.", "NEGATIVE"),
    ("study-excluded", "Ultrasound excluded DVT in the right leg; calf veins not seen.", "NEGATIVE"),
    # --- the reason for the exam, told in a narrative ------------------------------------------
    ("concern-was-for", "Her calf was tender and the concern was for a DVT. Left leg duplex: all veins compressible.", "NEGATIVE"),
    ("was-evaluated-for", "The patient was evaluated for a clot with bedside ultrasound of the right leg; the veins compressed fully.", "NEGATIVE"),
    ("to-rule-out-at-the-bedside", "A bedside scan of the right leg was done to rule out DVT; the veins compressed normally.", "NEGATIVE"),
    ("because-of-concern-for", "Given concern for a clot, the left popliteal vein was imaged and compressed normally.", "NEGATIVE"),
    ("was-suspected", "A clot was suspected, so a duplex of the right leg was ordered; it showed compressible veins.", "NEGATIVE"),
    ("suspecting", "Suspecting a DVT, the team scanned the left leg at the bedside; all veins compressed.", "NEGATIVE"),
    ("raising-concern-for", "The D-dimer was high, raising concern for a clot. A duplex of the right leg showed no thrombus.", "NEGATIVE"),
    ("was-considered", "A DVT was considered, but compression ultrasound of the left leg was normal.", "NEGATIVE"),
    ("clinical-suspicion-before-the-exam", "A cyclist with a hot, aching left thigh, concerning for a clot.\nInvestigations: the left leg scan was normal.", "NEGATIVE"),
    ("titled-report-hedge-stays-possible", "LEFT LEG VENOUS DUPLEX\nFINDINGS: Possible DVT. The CFV is compressible on duplex.", "INDETERMINATE"),
    ("report-hedge-stays-possible", "IMPRESSION: Possible DVT. Left CFV and popliteal vein compressible on duplex.", "INDETERMINATE"),
    # --- a history ends with its clause ----------------------------------------------------------
    ("history-notable-for", "Her history is notable for lupus and left calf DVTs during pregnancy. A right leg duplex today showed no thrombus.", "NEGATIVE"),
    ("history-includes", "Her past medical history includes asthma and a left femoral DVT. Today's right leg duplex showed no clot.", "NEGATIVE"),
    ("history-ends-at-presents", "A man with an old history of colon cancer and DVT presents to clinic complaining of persistent right calf ache. Right leg duplex: no DVT.", "NEGATIVE"),
    ("history-ends-at-underwent", "A 2-day history of left calf pain, and he underwent a duplex of the left leg that was positive for thrombus in the popliteal vein.", "PROXIMAL"),
    ("diagnosed-on-duplex-is-this-exam", "He was diagnosed with a right peroneal DVT on a bedside ultrasound and started on heparin.", "IDDVT"),
    ("diagnosed-with-years-ago-stays-history", "He was diagnosed with a right peroneal DVT by ultrasound 3 years ago. Today the right leg duplex is normal.", "NEGATIVE"),
    ("history-ends-at-led-to", "A 10-day history of right calf pain led to a duplex that found thrombus in the right popliteal vein.", "PROXIMAL"),
    # --- narrative headers ------------------------------------------------------------------------
    ("case-description-methods", "CASE DESCRIPTION/METHODS: A man with right leg pain. A right leg duplex revealed thrombosis of the popliteal vein.", "PROXIMAL"),
    ("case-presentation-is-read", "History: recurrent DVT.\nCase presentation: A woman with left calf pain. Duplex of the left leg showed occlusive thrombus in the peroneal veins.", "IDDVT"),
    ("closing-diagnosis-states-the-finding", "A woman had a painful right knee. The right leg was swollen.\nDiagnosis: right popliteal vein thrombosis.", "PROXIMAL"),
    ("closing-diagnosis-header-line", "A man presented with a swollen right calf. A duplex of the right leg was requested.\n\nDIAGNOSIS\nAcute DVT of the right peroneal veins.", "IDDVT"),
    ("requisition-diagnosis-is-the-reason", "Diagnosis: right popliteal DVT?\nFINDINGS: Right CFV, FV and popliteal vein compressible.", "NEGATIVE"),
    ("hedged-diagnosis-is-the-reason", "Diagnosis: ?DVT left leg\nFINDINGS: Left CFV, FV and popliteal vein compressible.", "NEGATIVE"),
    ("diagnosis-line-states-the-finding", "Diagnosis: acute thrombosis of the right peroneal veins.", "IDDVT"),
    ("indication-for-the-exam-header", "Indication for ultrasound: suspected left femoral DVT. Result: no DVT.", "NEGATIVE"),
    ("teaching-file-answer", "Question: What does the image show?\nAnswer: acute thrombosis of the left femoral vein.", "PROXIMAL"),
    ("investigations-header", "Case presentation: a man with right calf pain.\nInvestigations: duplex of the right leg showed thrombus in the peroneal veins.", "IDDVT"),
    # --- several exams in one narrative ----------------------------------------------------------
    ("comparison-sentence-then-today", "LEFT LEG DUPLEX\nComparison with the study of 1 May was made. Today the left femoral vein holds thrombus.", "PROXIMAL"),
    ("repeat-exam-decides", "An initial duplex on day 1 showed thrombus in the left peroneal vein. A repeat duplex on day 5 showed no thrombus in the left leg.", "NEGATIVE"),
    ("formal-exam-decides", "Bedside POCUS suggested thrombus in the right popliteal vein. Formal ultrasound of the right leg the next day was negative for DVT.", "NEGATIVE"),
    ("latest-exam-decides", "A duplex in March showed thrombus in the right soleal vein. The latest duplex, in June, showed no thrombus in the right leg.", "NEGATIVE"),
    ("formal-exam-with-a-compressible-vein", "POCUS was equivocal for left popliteal DVT. Formal duplex the next morning: left popliteal vein compressible.", "NEGATIVE"),
    ("later-exam-in-the-same-sentence", "POCUS suggested a right CFV thrombus, but a formal duplex later that day showed compressible veins throughout the right leg.", "NEGATIVE"),
    ("follow-up-exam-tells-resolution", "Duplex on admission showed left peroneal DVT. After 3 months of apixaban, a follow-up duplex showed complete resolution.", "NEGATIVE"),
    ("later-exam-confirms-the-earlier", "Bedside ultrasound found a right popliteal vein clot. A formal duplex two days later confirmed the DVT.", "PROXIMAL"),
    ("dated-repeat-is-an-earlier-exam", "Today's duplex shows thrombus in the left peroneal vein. A repeat duplex 2 years ago was negative.", "IDDVT"),
    ("later-exam-of-the-other-leg", "Last week a duplex found thrombus in the right peroneal vein. A repeat duplex, of the left leg, showed no thrombus in the left leg.", "IDDVT"),
    ("planned-repeat-is-no-later-exam", "FINDINGS: Thrombus in the left popliteal vein. Possible thrombus in the right peroneal vein; repeat ultrasound in one week is recommended.", "PROXIMAL"),
]


SIDES = [
    # --- side words of other organs name no leg --------------------------------------------------------
    ("lung-lobe-side", "CT angiography found emboli in the right lower lobe, and the duplex showed DVT.", {"left": None, "right": None}),
    ("stroke-side", "She was admitted after a left MCA stroke and a duplex on day 4 showed DVT.", {"left": None, "right": None}),
    # --- an arm or neck vein's side is not the legs' ---------------------------------------------------
    ("arm-vein-side-not-carried", "Arm ultrasound found a right subclavian vein clot. Duplex of her lower limbs showed no DVT.", {"left": "NEGATIVE", "right": "NEGATIVE"}),
    ("history-side-not-carried", "Her history is notable for left calf DVTs during pregnancy. A right leg duplex today showed no thrombus.", {"left": None, "right": "NEGATIVE"}),
    ("ultrasonography-names-the-exam", "Compression ultrasonography of both legs: thrombus in the left peroneal veins. Right negative.", {"left": "IDDVT", "right": "NEGATIVE"}),
    ("denied-sign-for-both-legs", "No noncompressible segment was identified in either leg on today's scan.", {"left": "NEGATIVE", "right": "NEGATIVE"}),
    # --- the other leg named only as the reference of a comparison -------------------------------------
    ("tender-compared-with-the-other-leg", "Her left calf felt tender compared with her right leg. The duplex that followed showed clot in the popliteal vein.", {"left": "PROXIMAL", "right": None}),
    ("wider-than-the-other-leg", "The left calf was 2 cm wider than the right calf. Its duplex revealed clot in the peroneal veins.", {"left": "IDDVT", "right": None}),
]


@pytest.mark.parametrize("case_id, text, expected", SIDES)
def test_side_labels(extractor, case_id, text, expected):
    sides = extractor.extract(text)["side_labels"]
    assert {side: sides[side] for side in expected} == expected, case_id


@pytest.mark.parametrize("case_id, text, expected", LABELS)
def test_report_label(label, case_id, text, expected):
    assert label(text) == expected, case_id


SEGMENTS = [
    # --- ranges and compound names: every vein of the run ------------------------------------------
    ("iliofemoral", "Left leg duplex: extensive iliofemoral DVT.", {"left:common_iliac", "left:external_iliac", "left:common_femoral"}),
    ("femoropopliteal-system", "Duplex: clot in the right femoropopliteal system and the right EIV.", {"right:external_iliac", "right:femoral", "right:popliteal"}),
    ("ilio-femoro-popliteal", "Right leg: ilio-femoro-popliteal clot on duplex.", {"right:common_iliac", "right:external_iliac", "right:common_femoral", "right:femoral", "right:popliteal"}),
    ("compound-summarises-named-veins", "Ward round.\nDuplex overnight: occlusive thrombus R EIV to FV, CFV non-compressible.\nImp: R iliofemoral DVT.", {"right:external_iliac", "right:common_femoral", "right:femoral"}),
    ("compression-range", "Compression of the right leg veins from the common iliac to the popliteal vein showed absent compressibility throughout.", {"right:common_iliac", "right:external_iliac", "right:common_femoral", "right:femoral", "right:popliteal"}),
    ("range-down-to-the-calf", "Clot ran from the right common femoral vein to the calf veins.", {"right:common_femoral", "right:femoral", "right:popliteal", "right:calf_unspecified"}),
    ("range-down-to", "Clot was seen in the right CFV and ran down to the right popliteal vein.", {"right:common_femoral", "right:femoral", "right:popliteal"}),
    ("extending-to-names-two-veins", "Left: occlusive thrombus of the left CFV extending to the popliteal vein.", {"left:common_femoral", "left:popliteal"}),
    ("coordinated-vein-names", "Right leg: clot in the sural and common femoral veins.", {"right:muscular_calf", "right:common_femoral"}),
    # --- "the vessel", "veins throughout": the veins of the sentence before -------------------------
    ("the-vessel-is-the-vein-just-named", "Scans were taken of the right femoral vein. Absent compressibility of this vessel was consistent with clot.", {"right:femoral"}),
    ("veins-after-an-uncued-range", "We scanned the right leg from the CFV to the popliteal vein. It showed noncompressible veins throughout.", {"right:common_femoral", "right:femoral", "right:popliteal"}),
    ("this-segment-is-the-vein-just-named", "The scan concentrated on the left popliteal vein. Loss of compressibility of this segment indicated an occlusive clot.", {"left:popliteal"}),
    ("the-veins-of-the-other-leg-stay-general", "Occlusive thrombus in the left CFV. The veins of the right leg are compressible.", {"left:common_femoral"}),
    ("veins-after-a-cued-vein-stay-general", "Thrombus in the right PTV. Veins elsewhere are compressible.", {"right:posterior_tibial"}),
    # --- sides of veins named in prose ------------------------------------------------------------
    ("contralateral-in-the-same-sentence", "Bilateral duplex.\nClot fills the right CFV; the contralateral femoral vein is thrombosed as well.", {"right:common_femoral", "left:femoral"}),
]


@pytest.mark.parametrize("case_id, text, expected", SEGMENTS)
def test_present_deep_segments(extractor, case_id, text, expected):
    found = {f"{f['side']}:{f['segment']}" for f in extractor.extract(text)["findings"] if f["status"] == "present" and f["segment"]}
    assert found == expected, case_id
