"""Report layouts beyond prose: worksheet tables, coded grids, preliminary/final reads,
clinical notes, run-on dictation. Each case: (id, report, expected side labels or label)."""
from __future__ import annotations

import pytest

from pipeline.core.worksheets import Cell, find_tables, legend, read_cell

TABLE = """LLE:
Vein            Compressible  Thrombus        Flow
CFV             Yes           No              Phasic
POP             Partial       Yes - acute     Reduced
PTV             N/V           N/V             N/V
Soleal          Equivocal     Possible        Present
"""

GRID = """Legend: C = compressible, NC = non-compressible, NV = not visualized, (CH) chronic
Segment        Right     Left
CFV            C         C
Popliteal      C         NC
Peroneal       NC (CH)   C
"""


def test_table_rows_are_read_by_column():
    vocab = __import__("pipeline").Extractor().rules.table_vocab
    rows = find_tables(TABLE, vocab)[0].rows
    assert [r.vein.text for r in rows] == ["CFV", "POP", "PTV", "Soleal"]
    assert [(c.text, c.column) for c in rows[1].cells] == [("Partial", "compressibility"), ("Yes - acute", "thrombus"), ("Reduced", "flow")]


CELLS = [
    # (cell text, column kind, expected status)
    ("Yes", "compressibility", "normal"),
    ("No", "compressibility", "thrombus"),
    ("No", "thrombus", "normal"),
    ("Yes - acute", "thrombus", "thrombus"),
    ("N/V", "thrombus", "not_evaluated"),
    ("Equivocal", "compressibility", "possible"),
    ("Partial", "compressibility", "thrombus"),
    ("NC", None, "thrombus"),  # through the legend
]


@pytest.mark.parametrize("text, kind, expected", CELLS)
def test_cell_reading(extractor, text, kind, expected):
    codes = legend(GRID)
    assert read_cell(Cell(0, len(text), text, kind), kind, extractor.rules.table_vocab, codes).status == expected


def test_legend_codes_and_acuity():
    assert legend(GRID) == {"C": "compressible", "NC": "non-compressible", "NV": "not visualized", "CH": "chronic"}


REPORTS = [
    ("worksheet-table", "EXAM: LEFT LE VENOUS DUPLEX\n" + TABLE, {"left": "PROXIMAL", "right": None, "unspecified": None}),
    ("coded-grid", "VENOUS DVT PROTOCOL\n" + GRID + "\nSummary: left popliteal DVT.", {"left": "PROXIMAL", "right": "NEGATIVE", "unspecified": None}),
    ("prelim-superseded", "PRELIMINARY READ (sonographer): Noncompressible left peroneal vein.\n\nFINAL REPORT:\nFINDINGS: The left peroneal veins are compressible with normal flow. No DVT.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("retracted", "IMPRESSION: Left peroneal DVT.\n\nADDENDUM: The previously reported finding in the left peroneal vein is retracted; it represents artifact.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("consult-note", "Reason for consult: r/o DVT.\nHPI: swelling of the right leg.\nImaging: Venous duplex of the right lower extremity: acute thrombosis of the right soleal vein.\nPlan: repeat duplex in 1 week to evaluate for propagation into the popliteal vein.", {"left": None, "right": "ICMVT", "unspecified": None}),
    ("run-on-list-predicate", "venous duplex of the left leg. indication: pain. acute thrombosis of the Lt posterior tibial and peroneal veins and the Lt common femoral, femoral, and popliteal veins are patent and compressible.", {"left": "IDDVT", "right": None, "unspecified": None}),
    ("calf-as-place", "Thrombus in the left posterior tibial veins from the ankle to the mid calf. CFV, FV, popliteal compressible.", {"left": "IDDVT", "right": None, "unspecified": None}),
    ("exam-side-not-finding-side", "BILATERAL LE venous duplex: Positive for DVT in the popliteal vein.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": "PROXIMAL"}),
    ("numbered-items-stand-alone", "IMPRESSION:\n1. No DVT in the left leg.\n2. Right CFV compressible.\n3. Thrombus in the peroneal veins.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": "IDDVT"}),
    ("nondiagnostic-side", "EXAM: BILATERAL LE VENOUS DUPLEX\nRIGHT: CFV, FV, popliteal compressible.\nLEFT: No deep veins of the left leg could be adequately imaged because of a cast.", {"left": "INDETERMINATE", "right": "NEGATIVE", "unspecified": None}),
]


@pytest.mark.parametrize("case_id, text, expected", REPORTS, ids=[r[0] for r in REPORTS])
def test_report_structures(extractor, case_id, text, expected):
    assert extractor.extract(text)["side_labels"] == expected


MORE = [
    # (id, report, expected side labels)
    ("right-sided-is-not-a-heading", "The right CFV is compressible. No right-sided DVT.", {"left": None, "right": "NEGATIVE", "unspecified": None}),
    ("terminator-cuts-a-short-scope", "EXAM: RIGHT LE\nColor flow fills the popliteal veins, but thrombus in the femoral vein cannot be excluded.", {"left": None, "right": "INDETERMINATE", "unspecified": None}),
    ("did-not-show", "Left lower extremity venous duplex did not show deep vein thrombosis.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("arm-sentence-speaks-of-the-arm", "An ultrasound of her left upper extremity was done, but it did not show thrombosis.", {"left": None, "right": None, "unspecified": None}),
    ("side-within-the-sentence", "No DVT on the right. In the left leg the CFV is compressible, but there is thrombus in the posterior tibial veins.", {"left": "IDDVT", "right": "NEGATIVE", "unspecified": None}),
    ("cue-across-a-semicolon", "BLE duplex: no acute DVT in either leg; chronic scarring of the left femoral vein.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": None}),
    ("bilateral-nondiagnostic", "BILATERAL LOWER EXTREMITY VENOUS DUPLEX\nThe deep veins could not be adequately compressed or imaged.\nImpression: Nondiagnostic bilateral study.", {"left": "INDETERMINATE", "right": "INDETERMINATE", "unspecified": None}),
    ("completed-repeat-study", "EXAM: RIGHT LE\nRepeat duplex 5/9: the peroneal thrombus has propagated into the popliteal vein.", {"left": None, "right": "PROXIMAL", "unspecified": None}),
    ("quoted-old-report", "ADDENDUM: The report described \"thrombus in the left peroneal vein\" in error. The left peroneal veins are compressible.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("slow-flow", "Right leg: echoes in the femoral vein that swirl with augmentation, consistent with slow flow rather than thrombus. Fully compressible.", {"left": None, "right": "NEGATIVE", "unspecified": None}),
]


@pytest.mark.parametrize("case_id, text, expected", MORE, ids=[r[0] for r in MORE])
def test_more_report_structures(extractor, case_id, text, expected):
    assert extractor.extract(text)["side_labels"] == expected


FIFTH = [
    ("specific-name-in-parentheses", "IMPRESSION: Left intramuscular (gastrocnemius) calf vein thrombosis.", {"left": "ICMVT", "right": None, "unspecified": None}, ["gastrocnemius"]),
    ("leg-not-examined", "LE venous duplex, right. Finding: no DVT, right. Note: the left leg was not examined.", {"left": None, "right": "NEGATIVE", "unspecified": None}, []),
    ("leg-not-assessable", "Venous ultrasound bilateral legs. Fixator on the right leg precludes evaluation of the right leg veins. Left: CFV, FV, pop compressible.", {"left": "NEGATIVE", "right": "INDETERMINATE", "unspecified": None}, []),
    ("augmentation-sign", "EXAM: RIGHT LE\nThe right CFV shows no flow augmentation but is compressible without thrombus.", {"left": None, "right": "NEGATIVE", "unspecified": None}, []),
    ("cyst-compression", "L: popliteal vein partially compressible, likely due to adjacent Baker's cyst compression; color fills. IMP: no DVT.", {"left": "NEGATIVE", "right": None, "unspecified": None}, []),
    ("quoted-note", 'Discharge summary: "Lower limb Doppler (L): acute thrombus L peroneal veins." Started on enoxaparin.', {"left": "IDDVT", "right": None, "unspecified": None}, ["peroneal"]),
]


@pytest.mark.parametrize("case_id, text, expected, positive", FIFTH, ids=[r[0] for r in FIFTH])
def test_fifth_round_structures(extractor, case_id, text, expected, positive):
    record = extractor.extract(text)
    assert record["side_labels"] == expected
    assert sorted({f["segment"] for f in record["findings"] if f["status"] == "present"}) == positive


LATER = [
    ("low-suspicion", "ED note: Bedside US: R CFV and R pop V fully compressible. Low suspicion for DVT.", {"left": None, "right": "NEGATIVE", "unspecified": None}),
    ("dash-neg", "LT leg US for DVT - NEG. compressible cfv/fv/pop/calf veins.", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("pair-in-both", "Venous duplex, right leg. Paired posterior tibial veins: thrombus in both, distended.", {"left": None, "right": "IDDVT", "unspecified": None}),
    ("central-obstruction", "Bilat LE duplex. No DVT. Bilateral CFV waveforms are continuous, which may indicate more central (iliac/IVC) obstruction.", {"left": "NEGATIVE", "right": "NEGATIVE", "unspecified": None}),
    ("prior-exam-history", "US RIGHT LE, f/u. Prior exam 1 wk ago showed R soleal vein thrombus. Today the right soleal veins are compressible.", {"left": None, "right": "NEGATIVE", "unspecified": None}),
    ("typo-negation", "LEFT LEG DOPPLER: negetive for dvt, veins compressable throughout", {"left": "NEGATIVE", "right": None, "unspecified": None}),
    ("equivocal-across-semicolon", "FINAL: The right popliteal vein is partially compressible; findings are equivocal for nonocclusive thrombus.", {"left": None, "right": "INDETERMINATE", "unspecified": None}),
]


@pytest.mark.parametrize("case_id, text, expected", LATER, ids=[r[0] for r in LATER])
def test_later_rounds(extractor, case_id, text, expected):
    assert extractor.extract(text)["side_labels"] == expected
