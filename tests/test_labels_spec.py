"""LABELS.md, rule by rule, as example reports: each case is (id, report text, expected label)."""
from __future__ import annotations

import pytest

CASES = [
    # --- section 3: label precedence by group -------------------------------------------------
    ("proximal-popliteal", "LEFT LE VENOUS DUPLEX. Occlusive thrombus in the left popliteal vein.", "PROXIMAL"),
    ("proximal-sfv-trap", "Right leg: acute thrombus in the superficial femoral vein.", "PROXIMAL"),
    ("proximal-cfv-abbrev", "Lt CFV noncompressible with echogenic intraluminal material.", "PROXIMAL"),
    ("proximal-profunda", "Nonocclusive thrombus in the right profunda femoris vein.", "PROXIMAL"),
    ("proximal-iliac", "Left external iliac vein: filling defect with absent flow.", "PROXIMAL"),
    ("iddvt-peroneal", "Left peroneal veins are noncompressible with thrombus. CFV, FV and popliteal compressible.", "IDDVT"),
    ("iddvt-ptv", "Thrombus in the right posterior tibial veins. Proximal veins are compressible.", "IDDVT"),
    ("iddvt-tpt", "Echogenic thrombus within the left tibioperoneal trunk, not extending into the popliteal vein.", "IDDVT"),
    ("iddvt-axial-plus-muscular", "Thrombus in the left peroneal vein and in a gastrocnemius vein.", "IDDVT"),
    ("iddvt-calf-unspecified", "Left calf DVT. Femoral and popliteal veins compressible.", "IDDVT"),
    ("icmvt-soleal", "Occlusive thrombus in a right soleal vein. All other deep veins are compressible.", "ICMVT"),
    ("icmvt-gastroc", "Medial gastrocnemius vein thrombosis, left. No DVT in the axial veins.", "ICMVT"),
    ("icmvt-muscular", "Thrombus within intramuscular calf veins of the left leg.", "ICMVT"),
    ("dvt-unspecified", "Acute left leg DVT.", "DVT_UNSPECIFIED"),
    ("negative-list", "The common femoral, femoral and popliteal veins are compressible with normal flow.", "NEGATIVE"),
    # --- section 2: assertion ---------------------------------------------------------------------
    ("impression-no-dvt", "FINDINGS: Normal compressibility bilaterally.\nIMPRESSION: No DVT.", "NEGATIVE"),
    ("negative-for", "Bilateral lower extremity venous duplex negative for DVT.", "NEGATIVE"),
    ("no-evidence", "There is no evidence of deep venous thrombosis in the right lower extremity.", "NEGATIVE"),
    ("possible-probable", "Probable thrombus in the left peroneal vein. Other veins compressible.", "INDETERMINATE"),
    ("possible-questionable", "Questionable nonocclusive thrombus in a right soleal vein.", "INDETERMINATE"),
    ("possible-equivocal", "Equivocal findings for thrombus in the left posterior tibial veins.", "INDETERMINATE"),
    ("possible-cannot-exclude", "Left calf veins poorly visualized; calf vein thrombosis cannot be excluded.", "INDETERMINATE"),
    ("possible-suspicious", "Findings suspicious for thrombus in the right gastrocnemius vein.", "INDETERMINATE"),
    ("post-thrombotic-disease", "Impression: Chronic post-thrombotic disease of the right femoral and popliteal veins; no acute DVT.", "NEGATIVE"),
    ("follow-up-of-resolved", "L leg duplex, follow-up of soleal vein thrombosis treated x6 wk: soleal veins now compressible, thrombus resolved.", "NEGATIVE"),
    ("follow-up-of-persistent", "Follow-up of left popliteal DVT: persistent occlusive thrombus in the left popliteal vein.", "PROXIMAL"),
    ("no-adequate-views", "POCUS left: unable to obtain adequate views of either the CFV or the popliteal vein due to habitus.", "INDETERMINATE"),
    ("no-diagnostic-information", "Right leg: the deep veins could not be adequately visualized. No diagnostic information regarding DVT can be provided.", "INDETERMINATE"),
    ("indeterminate-calf-only", "Venous duplex of the bilateral legs: Indeterminate study for the deep veins of the calf: thrombus cannot be excluded. Proximal veins compressible bilaterally.", "INDETERMINATE"),
    ("final-with-parenthesis-wins", "PRELIM (overnight): Nonocclusive thrombus in a right soleal vein.\nFINAL (attending): The soleal focus may represent thrombus or slow-flow artifact. Cannot exclude small soleal thrombus.", "INDETERMINATE"),
    ("apart-from-exception", "Right leg veins: all compressible apart from the posterior tibial vein, which contains thrombus.", "IDDVT"),
    ("well-visualized-then-thrombus", "The right popliteal vein was well visualized and is noncompressible with thrombus.", "PROXIMAL"),
    ("incomplete-compression", "Right popliteal vein: incomplete compression.", "PROXIMAL"),
    ("incomplete-coaptation-hedged", "Left popliteal vein: slightly incomplete coaptation on compression, not clearly thrombus. Small nonocclusive thrombus cannot be excluded.", "INDETERMINATE"),
    ("possible-incomplete-compression", "POCUS: R CFV compressible. R popliteal equivocal - ?incomplete compression.", "INDETERMINATE"),
    ("historical", "History of left popliteal DVT. Today the left popliteal vein is compressible.", "NEGATIVE"),
    ("indication-rule-out", "INDICATION: Rule out DVT.\nFINDINGS: The right CFV, FV and popliteal veins are compressible.", "NEGATIVE"),
    ("indication-calf", "REASON FOR EXAM: evaluate for calf DVT\nIMPRESSION: No DVT in the left leg.", "NEGATIVE"),
    ("not-evaluated-part", "Left CFV, FV and popliteal compressible. Calf veins not well visualized.", "NEGATIVE"),
    ("nondiagnostic-side", "EXAM: RIGHT LE VENOUS DUPLEX\nFINDINGS: The deep veins could not be imaged due to a cast.\nIMPRESSION: Nondiagnostic examination.", "INDETERMINATE"),
    # --- section 5 decisions ---------------------------------------------------------------------
    ("chronic-only", "Chronic nonocclusive residual thrombus in the left femoral vein with synechiae. No acute DVT.", "NEGATIVE"),
    ("acute-on-chronic", "Acute on chronic thrombus in the right femoral vein.", "PROXIMAL"),
    ("indeterminate-age", "Thrombus of indeterminate age in the left popliteal vein.", "PROXIMAL"),
    ("resolved", "COMPARISON: prior study.\nFINDINGS: The previously seen thrombus in the left popliteal vein has resolved. All veins compressible.", "NEGATIVE"),
    ("stable", "The previously noted thrombus in the right peroneal vein is unchanged.", "IDDVT"),
    ("extension", "Thrombus in the right posterior tibial veins extending into the popliteal vein.", "PROXIMAL"),
    ("no-extension", "Thrombus in the right posterior tibial veins without extension into the popliteal vein.", "IDDVT"),
    ("artery-trap", "Popliteal artery aneurysm with mural thrombus. The popliteal vein is compressible.", "NEGATIVE"),
    ("bakers-cyst", "A Baker's cyst is present in the left popliteal fossa. No DVT.", "NEGATIVE"),
    ("hematoma", "Intramuscular hematoma in the right calf. Deep veins compressible.", "NEGATIVE"),
    ("gsv-superficial", "Thrombus in the left great saphenous vein at the mid calf. Deep veins compressible.", "NEGATIVE"),
    ("gsv-into-cfv", "GSV thrombus extending through the SFJ into the common femoral vein.", "PROXIMAL"),
    ("upper-extremity", "Occlusive thrombus in the right subclavian and axillary veins.", "NEGATIVE"),
    ("addendum-supersedes", "FINDINGS: Noncompressible left peroneal vein.\nIMPRESSION: Left peroneal DVT.\n\nADDENDUM: On review, the left peroneal veins are compressible. No DVT.", "NEGATIVE"),
    # --- negation scope --------------------------------------------------------------------------
    ("scope-sentence", "No thrombus in the left CFV or FV. Occlusive thrombus in the left popliteal vein.", "PROXIMAL"),
    ("scope-but", "No thrombus in the CFV, FV or popliteal veins, but the posterior tibial veins are noncompressible.", "IDDVT"),
    ("no-flow-is-thrombus", "The left popliteal vein demonstrates no flow and is distended.", "PROXIMAL"),
    ("vein-spared-after-dvt", "Duplex shows R PTV and peroneal DVT, popliteal spared.", "IDDVT"),
    ("vein-neg-after-dvt", "ultrasound LLE: acute occlusive DVT L anterior and posterior tibial vv. popliteal neg.", "IDDVT"),
    ("neg-before-side", "IMP: neg L LE DVT", "NEGATIVE"),
    ("neg-after-finding-scoped", "R CFV neg, L CFV thrombus.", "PROXIMAL"),
    ("persistent-beside-resolved", "Impression: persistent left femoral vein DVT, resolved popliteal DVT.", "PROXIMAL"),
    ("icmvt-abbreviation", "Impression: Right ICMVT (soleal).", "ICMVT"),
    ("iddvt-abbreviation", "Impression: Left IDDVT.", "IDDVT"),
    ("distal-dvt-is-calf", "Impression: left isolated distal DVT.", "IDDVT"),
    ("chronic-ptv-beside-new-calf-dvt", "Acute on chronic thrombosis of the L below-knee deep veins. Chronic thrombus in the L PTVs.", "IDDVT"),
    ("treated-dvt-now-resolved", "Clinic note: returns after 3 months of rivaroxaban for R peroneal DVT. Repeat duplex today: peroneal veins fully compressible, thrombus resolved.", "NEGATIVE"),
]


@pytest.mark.parametrize("case_id, text, expected", CASES, ids=[c[0] for c in CASES])
def test_report_label(label, case_id, text, expected):
    assert label(text) == expected
