"""Clinician prose: case narratives and teaching-file answers that report a duplex result in
running text. Each case: (id, text, expected). The sentences are written for these tests."""
from __future__ import annotations

import pytest

LABELS = [
    # --- thrombus cue variants ------------------------------------------------------------------
    ("non-compressive", "Bedside ultrasound showed a non-compressive right popliteal vein.", "PROXIMAL"),
    ("loss-of-normal-compressibility", "Left leg duplex: loss of normal compressibility of the femoral vein.", "PROXIMAL"),
    # --- negation after a reporting verb --------------------------------------------------------
    ("confirmed-no", "A left leg venous duplex confirmed no thrombus, but showed a large Baker's cyst.", "NEGATIVE"),
    # --- the reason for the exam, told in a narrative ------------------------------------------
    ("concern-was-for", "Her calf was tender and the concern was for a DVT. Left leg duplex: all veins compressible.", "NEGATIVE"),
    ("was-evaluated-for", "He was evaluated for DVT with a right leg duplex, which showed fully compressible veins.", "NEGATIVE"),
    ("to-rule-out-at-the-bedside", "A bedside scan of the right leg was done to rule out DVT; the veins compressed normally.", "NEGATIVE"),
    # --- a history ends with its clause ----------------------------------------------------------
    ("history-ends-at-presents", "A woman with a distant history of breast cancer and DVT presents to clinic complaining of persistent right calf pain. Right leg duplex: no DVT.", "NEGATIVE"),
    ("history-ends-at-underwent", "A 2-day history of left calf pain, and he underwent a duplex of the left leg that was positive for thrombus in the popliteal vein.", "PROXIMAL"),
]


@pytest.mark.parametrize("case_id, text, expected", LABELS)
def test_report_label(label, case_id, text, expected):
    assert label(text) == expected, case_id
