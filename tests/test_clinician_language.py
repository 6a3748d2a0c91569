"""Clinician prose about a duplex (case notes, consult letters): labels and positive deep segments,
as examples, one case per line with its own sentence."""
from __future__ import annotations

import pytest

CASES = [
    # (id, text, expected label, expected present deep segments "side:segment")
    # a thrombus placed by region, with no vein named (LABELS.md section 5)
    ("proximal-dvt-of-a-leg", "Her scan showed an extensive proximal DVT of the right leg.", "PROXIMAL", ["right:proximal_unspecified"]),
    ("all-deep-veins-is-both-regions", "The duplex found clot in all the deep veins of his left leg.", "PROXIMAL", ["left:calf_unspecified", "left:proximal_unspecified"]),
    ("dvt-of-the-entire-leg", "Her scan showed extensive DVT of the entire right leg.", "PROXIMAL", ["right:calf_unspecified", "right:proximal_unspecified"]),
    ("clot-throughout-the-limb", "Doppler: clot throughout the left lower limb.", "PROXIMAL", ["left:calf_unspecified", "left:proximal_unspecified"]),
    ("compressible-throughout-is-a-denial", "The deep veins compress normally throughout the left leg.", "NEGATIVE", []),
    ("thigh-dvt", "Ultrasound: right thigh DVT, calf veins clear.", "PROXIMAL", ["right:proximal_unspecified"]),
    ("above-knee-dvt", "Bedside scan today confirmed a left above-knee DVT.", "PROXIMAL", ["left:proximal_unspecified"]),
    ("proximal-lower-extremity-dvt", "Duplex confirmed a right proximal lower extremity DVT.", "PROXIMAL", ["right:proximal_unspecified"]),
    ("proximal-lower-extremity-as-a-place", "One left anterior tibial vein holds thrombus in the proximal lower extremity.", "IDDVT", ["left:anterior_tibial"]),
    ("deep-veins-of-the-thigh", "Noncompressible deep veins of the Lt thigh on duplex.", "PROXIMAL", ["left:proximal_unspecified"]),
    ("proximal-dvt-beside-a-named-vein-restates-it", "Findings: occlusive thrombus in the left CFV.\nImpression: left proximal DVT.", "PROXIMAL", ["left:common_femoral"]),
    ("proximal-veins-negative-beside-a-calf-dvt", "Formal scan: isolated gastrocnemius vein DVT on the right, proximal veins negative.", "ICMVT", ["right:gastrocnemius"]),
    ("distal-dvt-of-a-leg", "The ultrasound showed an isolated distal DVT in the right leg.", "IDDVT", ["right:calf_unspecified"]),
    ("thigh-graft-is-a-place", "Left thigh AV graft thrombosed; femoral and popliteal veins compress.", "NEGATIVE", []),
    ("thigh-swelling-is-a-symptom", "Right thigh swelling after the fall; duplex negative for DVT.", "NEGATIVE", []),
    # glosses, arteries and hearts
    ("a-gloss-names-no-vein", "Bedside scan: right soleal veins (deep veins of the calf that drain into the posterior tibial veins) noncompressible.", "ICMVT", ["right:soleal"]),
    ("a-gloss-opening-with-a-named-vein", "Clot in the left gastrocnemius veins (muscular veins of the calf that empty into the popliteal vein).", "ICMVT", ["left:gastrocnemius"]),
    ("a-gloss-opening-with-an-adjective", "The right TPT (the short trunk vein formed where the peroneal and posterior tibial veins meet) holds thrombus.", "IDDVT", ["right:tibioperoneal_trunk"]),
    ("a-bare-list-in-parentheses-is-no-gloss", "Thrombus in the left calf veins (posterior tibial and peroneal).", "IDDVT", ["left:peroneal", "left:posterior_tibial"]),
    ("adjective-before-a-longer-vein-name", "Clot in the left muscular and superficial femoral veins.", "PROXIMAL", ["left:femoral", "left:muscular_calf"]),
    ("artery-or-vein-beside-a-compressible-vein", "The right popliteal vein compresses fully, yet Doppler finds no flow in the popliteal artery and vein.", "NEGATIVE", []),
    ("arterial-flow-is-the-artery", "Duplex: thrombosis (right femoral vein; left common iliac vein) with no arterial flow at the ankle.", "PROXIMAL", ["left:common_iliac", "right:femoral"]),
    ("a-cue-before-a-parenthesis-lists-its-veins", "Ultrasound revealed bilateral deep vein thrombosis (left peroneal veins; right posterior tibial veins).", "IDDVT", ["left:peroneal", "right:posterior_tibial"]),
    # hedges of case-report prose
    ("dvt-or-possibly-a-cyst", "Sonographer impression: DVT or possibly a haematoma of the right calf.", "INDETERMINATE", []),
    ("dvt-versus-haematoma", "Point-of-care scan: DVT versus haematoma in the right calf.", "INDETERMINATE", []),
    ("waveforms-name-the-obstructed-vein", "Damped left CFV waveforms suggest iliac vein obstruction.", "INDETERMINATE", []),
    ("central-obstruction-stays-inferred", "Monophasic right CFV waveforms may indicate more central obstruction.", "NEGATIVE", []),
    ("could-not-be-ruled-out", "A right peroneal DVT could not be ruled out on the bedside scan.", "INDETERMINATE", []),
    ("no-adequate-images-of-either-leg", "POCUS for DVT attempted; no adequate images obtained of either leg.", "INDETERMINATE", []),
    ("other-sides-negation-stops-at-its-side-word", "LE dopplers 4/2: L CFV through pop v thrombus, R neg", "PROXIMAL", ["left:common_femoral", "left:femoral", "left:popliteal"]),
    ("voice-recognition-write-for-right", "write lower extremity venous Doppler the popliteal vein is noncompressible with acute thrombus", "PROXIMAL", ["right:popliteal"]),
    ("varicose-tribs-at-the-calf-are-superficial", "RLE\nCFV: comp+\nVaricose tribs calf: thrombosed", "NEGATIVE", []),
    ("us-dvt-names-the-study", "US DVT (EM): RLE - pop v compressible, no clot. CFV compressible.", "NEGATIVE", []),
    ("thought-to-represent", "The echoes were thought to represent thrombus in the left soleal vein.", "INDETERMINATE", []),
    ("felt-to-be-thrombus", "Echoes in the right soleal vein, felt to be thrombus.", "INDETERMINATE", []),
    ("findings-favor-thrombus", "The findings favor thrombus in the left peroneal veins.", "INDETERMINATE", []),
    ("uncertain-whether", "The sonographer was uncertain whether the right popliteal vein held thrombus.", "INDETERMINATE", []),
    ("perhaps-thrombus", "Echoes in the right peroneal vein, perhaps thrombus.", "INDETERMINATE", []),
    ("suggestive-of-thrombus", "Echoes in the left peroneal veins are suggestive of thrombus.", "INDETERMINATE", []),
    ("could-not-visualize-is-not-evaluated", "Bowel gas: the sonographer could not visualize the left common iliac vein.", "INDETERMINATE", []),
    # endovenous heat-induced thrombosis after saphenous ablation: class 1 stays superficial, 2-4 reach the junction's deep vein
    ("ehit-class-1-stays-superficial", "Day 3 after left GSV ablation: EHIT class 1, deep veins compress.", "NEGATIVE", []),
    ("ehit-class-2-after-gsv-ablation", "Right GSV ablation check: EHIT class 2.", "PROXIMAL", ["right:common_femoral"]),
    ("ehit-class-3-words-first", "After left GSV ablation the scan showed a class 3 endovenous heat-induced thrombus.", "PROXIMAL", ["left:common_femoral"]),
    ("ehit-class-2-after-ssv-ablation", "Left SSV closure follow-up: EHIT class 2.", "PROXIMAL", ["left:popliteal"]),
    ("ehit-class-4-beside-an-occluded-gsv", "Right GSV occluded after ablation, EHIT class 4.", "PROXIMAL", ["right:common_femoral"]),
    ("phlegmasia-with-a-named-vein", "Phlegmasia cerulea dolens on the right; the right femoral vein does not compress.", "PROXIMAL", ["right:femoral"]),
    # cue and negation variants of prose
    ("ruling-out-denies", "Right CFV and popliteal vein compress, ruling out proximal DVT on that side.", "NEGATIVE", []),
    ("loss-of-colour-flow", "Doppler: the right peroneal veins show loss of color flow.", "IDDVT", ["right:peroneal"]),
    ("loss-of-normal-compressibility", "Left femoral vein: loss of normal compressibility.", "PROXIMAL", ["left:femoral"]),
    ("ehit-class-2-at-the-spj", "Left leg, SSV ablated last week. EHIT class 2, clot bulging into the popliteal vein at the SPJ.", "PROXIMAL", ["left:popliteal"]),
    ("indication-for-duplex-header", "Clinic letter. Indication for duplex: suspected left popliteal DVT. Result: no DVT.", "NEGATIVE", []),
    ("duplex-excluded", "The duplex excluded proximal DVT in the right leg.", "NEGATIVE", []),
    ("intracardiac-thrombus-is-no-leg-finding", "Echo showed an intracardiac thrombus; venous duplex of the left leg was normal.", "NEGATIVE", []),
]


@pytest.mark.parametrize("text, label, segments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_clinician_prose(extractor, text, label, segments):
    record = extractor.extract(text)
    present = sorted(f"{f['side']}:{f['segment']}" for f in record["findings"] if f["status"] == "present" and f["group"] not in ("superficial", "upper", "deep_unspecified"))
    assert (record["label"], present) == (label, segments)


SIDES = [
    # (id, text, expected side labels {left, right, unspecified})
    ("compared-to-the-other-leg-is-no-side", "The left calf was hot and swollen compared to the right calf. Duplex showed DVT reaching the common femoral vein.", {"left": "PROXIMAL", "right": None, "unspecified": None}),
    ("contralateral-after-a-named-side", "Clot fills the right CFV; the contralateral CFV is partly thrombosed too.", {"left": "PROXIMAL", "right": "PROXIMAL", "unspecified": None}),
    ("a-neck-vein-side-is-no-leg-side", "Neck ultrasound: clot in the right internal jugular vein. Her lower limbs were then scanned: no DVT.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": None}),
    ("a-two-leg-exam-sentence-covers-both-legs", "She had left leg swelling for a week. A bilateral lower extremity Doppler followed: the popliteal veins were normal. Both iliac veins could not be visualized.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": None}),
    ("both-the-pair-is-no-exam", "Left leg images only. The left CFV compresses. Calf: both of the posterior tibial veins compress.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("side-and-result-word-alone", "Compression ultrasonography of both legs: clot in the right peroneal veins. Left negative.", {"left": "NEGATIVE", "right": "IDDVT", "unspecified": None}),
    ("side-and-result-word-closing-a-clause", "LE dopplers 4/2: L CFV through pop v thrombus, R neg", {"left": "PROXIMAL", "right": "NEGATIVE", "unspecified": None}),
    ("side-and-result-word-before-more-words", "L CFV thrombus, R negative for arterial disease", {"left": "PROXIMAL", "right": None, "unspecified": None}),
    ("not-examined-with-a-reason-under-a-side-heading", "US Doppler lower limbs\nRight: femoral and popliteal veins compress. No DVT.\nLeft: not examined - below knee amputation.", {"left": None, "right": "NEGATIVE", "unspecified": None}),
]


@pytest.mark.parametrize("text, sides", [c[1:] for c in SIDES], ids=[c[0] for c in SIDES])
def test_clinician_prose_sides(extractor, text, sides):
    assert extractor.extract(text)["side_labels"] == sides
