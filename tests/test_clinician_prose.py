"""Clinician prose: case narratives and teaching-file answers that report a duplex result in
running text. Each case: (id, text, expected). The sentences are written for these tests."""
from __future__ import annotations

import pytest

LABELS = [
    # --- thrombus cue variants ------------------------------------------------------------------
    ("non-compressive", "Bedside ultrasound showed a non-compressive right popliteal vein.", "PROXIMAL"),
    ("loss-of-color-flow", "Figure B: loss of color flow in the left popliteal vein.", "PROXIMAL"),
    ("british-colour", "Left leg: no colour flow in the popliteal vein.", "PROXIMAL"),
    ("loss-of-normal-compressibility", "Left leg duplex: loss of normal compressibility of the femoral vein.", "PROXIMAL"),
    # --- negation after a reporting verb --------------------------------------------------------
    ("confirmed-no", "A left leg venous duplex confirmed no thrombus, but showed a large Baker's cyst.", "NEGATIVE"),
    ("failed-to-demonstrate", "The left leg duplex failed to demonstrate any thrombus.", "NEGATIVE"),
    ("study-excluded", "Ultrasound excluded DVT in the right leg; calf veins not seen.", "NEGATIVE"),
    # --- the reason for the exam, told in a narrative ------------------------------------------
    ("concern-was-for", "Her calf was tender and the concern was for a DVT. Left leg duplex: all veins compressible.", "NEGATIVE"),
    ("was-evaluated-for", "He was evaluated for DVT with a right leg duplex, which showed fully compressible veins.", "NEGATIVE"),
    ("to-rule-out-at-the-bedside", "A bedside scan of the right leg was done to rule out DVT; the veins compressed normally.", "NEGATIVE"),
    ("because-of-concern-for", "Given concern for a clot, the left popliteal vein was imaged and compressed normally.", "NEGATIVE"),
    ("was-suspected", "A clot was suspected, so a duplex of the right leg was ordered; it showed compressible veins.", "NEGATIVE"),
    ("suspecting", "Suspecting a DVT, the team scanned the left leg at the bedside; all veins compressed.", "NEGATIVE"),
    ("raising-concern-for", "The D-dimer was high, raising concern for a clot. A duplex of the right leg showed no thrombus.", "NEGATIVE"),
    ("was-considered", "A DVT was considered, but compression ultrasound of the left leg was normal.", "NEGATIVE"),
    ("clinical-suspicion-before-the-exam", "A man with a hot swollen left thigh, concerning for DVT.\nInvestigations: duplex of the left leg was normal.", "NEGATIVE"),
    ("report-hedge-stays-possible", "IMPRESSION: Possible DVT. Left CFV and popliteal vein compressible on duplex.", "INDETERMINATE"),
    # --- a history ends with its clause ----------------------------------------------------------
    ("history-notable-for", "Her history is notable for lupus and left calf DVTs during pregnancy. A right leg duplex today showed no thrombus.", "NEGATIVE"),
    ("history-ends-at-presents", "A woman with a distant history of breast cancer and DVT presents to clinic complaining of persistent right calf pain. Right leg duplex: no DVT.", "NEGATIVE"),
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
    ("comparison-sentence-then-today", "LEFT LEG DUPLEX\nComparison is made to the study of 1 May. Thrombus is seen in the left femoral vein.", "PROXIMAL"),
    ("repeat-exam-decides", "An initial duplex on day 1 showed thrombus in the left peroneal vein. A repeat duplex on day 5 showed no thrombus in the left leg.", "NEGATIVE"),
    ("formal-exam-decides", "Bedside POCUS suggested thrombus in the right popliteal vein. Formal ultrasound of the right leg the next day was negative for DVT.", "NEGATIVE"),
    ("latest-exam-decides", "A duplex in March showed thrombus in the right soleal vein. The latest duplex, in June, showed no thrombus in the right leg.", "NEGATIVE"),
    ("formal-exam-with-a-compressible-vein", "POCUS was equivocal for left popliteal DVT. Formal duplex the next morning: left popliteal vein compressible.", "NEGATIVE"),
    ("later-exam-in-the-same-sentence", "POCUS suggested a right CFV thrombus, but a formal duplex later that day showed compressible veins throughout the right leg.", "NEGATIVE"),
    ("follow-up-exam-tells-resolution", "Duplex on admission showed left peroneal DVT. After 3 months of apixaban, a follow-up duplex showed complete resolution.", "NEGATIVE"),
    ("later-exam-confirms-the-earlier", "ED ultrasound showed a left external iliac vein thrombus. A formal US performed the next week confirmed the diagnosis of DVT.", "PROXIMAL"),
    ("planned-repeat-is-no-later-exam", "FINDINGS: Thrombus in the left popliteal vein. Possible thrombus in the right peroneal vein; repeat ultrasound in one week is recommended.", "PROXIMAL"),
]


SIDES = [
    # --- side words of other organs name no leg --------------------------------------------------------
    ("lung-lobe-side", "CT showed a right lower lobe pulmonary embolism, and Doppler evidence of DVT was found.", {"left": None, "right": None}),
    ("stroke-side", "He had a left MCA territory infarct. Doppler revealed DVT of the right popliteal vein.", {"left": None, "right": "PROXIMAL"}),
    # --- an arm or neck vein's side is not the legs' ---------------------------------------------------
    ("neck-vein-side-not-carried", "Neck ultrasound showed thrombus of the right internal jugular vein. Ultrasound of the patient's lower limbs revealed no evidence of DVT.", {"left": "NEGATIVE", "right": "NEGATIVE"}),
    ("history-side-not-carried", "Her history is notable for left calf DVTs during pregnancy. A right leg duplex today showed no thrombus.", {"left": None, "right": "NEGATIVE"}),
    ("ultrasonography-names-the-exam", "Compression ultrasonography of both legs: thrombus in the left peroneal veins. Right negative.", {"left": "IDDVT", "right": "NEGATIVE"}),
    ("denied-sign-for-both-legs", "No noncompressible vein was found in either leg.", {"left": "NEGATIVE", "right": "NEGATIVE"}),
    # --- the other leg named only as the reference of a comparison -------------------------------------
    ("warmer-than-the-other-leg", "His left leg was warm compared to his right lower limb. Venous Doppler showed DVT extending up to the common femoral vein.", {"left": "PROXIMAL", "right": None}),
    ("larger-than-the-other-leg", "Her left lower extremity was larger than the right lower extremity. Duplex of the leg revealed thrombus in the popliteal vein.", {"left": "PROXIMAL", "right": None}),
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
    ("femoropopliteal-system", "USG revealed DVT involving the left external iliac vein and femoropopliteal system.", {"left:external_iliac", "left:femoral", "left:popliteal"}),
    ("ilio-femoro-popliteal", "Doppler showed ilio-femoro-popliteal deep vein thrombosis of the left leg.", {"left:common_iliac", "left:external_iliac", "left:common_femoral", "left:femoral", "left:popliteal"}),
    ("compound-summarises-named-veins", "Ward round.\nDuplex overnight: occlusive thrombus R EIV to FV, CFV non-compressible.\nImp: R iliofemoral DVT.", {"right:external_iliac", "right:common_femoral", "right:femoral"}),
    ("serial-compression-range", "Serial compression from the left external iliac to the popliteal vein showed loss of compressibility throughout.", {"left:external_iliac", "left:common_femoral", "left:femoral", "left:popliteal"}),
    ("range-down-to-the-calf", "Ultrasound showed thrombosis of the left leg extending from the external iliac vein through the paired calf veins.", {"left:external_iliac", "left:common_femoral", "left:femoral", "left:popliteal", "left:calf_unspecified"}),
    ("range-up-to", "Duplex showed thrombosis in the left common femoral vein up to the left popliteal vein.", {"left:common_femoral", "left:femoral", "left:popliteal"}),
    ("extending-to-names-two-veins", "Left: occlusive thrombus of the left CFV extending to the popliteal vein.", {"left:common_femoral", "left:popliteal"}),
    ("coordinated-vein-names", "Doppler showed thrombosis of the sural and superficial femoral veins of the right leg.", {"right:muscular_calf", "right:femoral"}),
    # --- "the vessel", "veins throughout": the veins of the sentence before -------------------------
    ("the-vessel-is-the-vein-just-named", "The image shows a left popliteal vein. The non-compressibility of the vessel indicates a thrombus.", {"left:popliteal"}),
    ("veins-throughout-after-a-range", "Serial compression was done from the left external iliac to the popliteal vein. This revealed loss of compressibility of veins throughout.", {"left:external_iliac", "left:common_femoral", "left:femoral", "left:popliteal"}),
    ("this-segment-is-the-vein-just-named", "The scan concentrated on the left popliteal vein. Loss of compressibility of this segment indicated an occlusive clot.", {"left:popliteal"}),
    ("veins-after-a-cued-vein-stay-general", "Thrombus in the right PTV. Veins elsewhere are compressible.", {"right:posterior_tibial"}),
    # --- sides of veins named in prose ------------------------------------------------------------
    ("contralateral-in-the-same-sentence", "Duplex showed occlusion of the right common iliac vein, as well as partial occlusion of the contralateral external iliac vein.", {"right:common_iliac", "left:external_iliac"}),
]


@pytest.mark.parametrize("case_id, text, expected", SEGMENTS)
def test_present_deep_segments(extractor, case_id, text, expected):
    found = {f"{f['side']}:{f['segment']}" for f in extractor.extract(text)["findings"] if f["status"] == "present" and f["segment"]}
    assert found == expected, case_id
