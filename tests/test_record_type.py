"""The record of ``pipeline.extract`` against its type, ``pipeline.core.record.Record``: the same keys,
and values among those the Literal types list (LABELS.md sections 1-3 and 6)."""
from __future__ import annotations

import re

import pytest

import pipeline
from pipeline.core.change import CHANGES
from pipeline.core.model import ACUITIES, GROUPS, LABELS, OCCLUSIONS, SECTIONS, SIDES, STATUSES
from pipeline.core.record import ComparisonRecord, EvidenceRecord, FindingRecord, ModifierRecord, Record, SpanRecord

from .conftest import ROOT, SHARED

FIELD_VALUES = {"group": GROUPS, "side": SIDES, "status": STATUSES, "acuity": ACUITIES, "occlusion": OCCLUSIONS, "section": SECTIONS, "change": CHANGES}
LEG = "FINDINGS: Acute occlusive thrombus in the left soleal vein, new since the study of 3/1/2026."


def keys(typed_dict) -> set[str]:
    return set(typed_dict.__annotations__)


@pytest.mark.parametrize("text", [
    LEG,                                                 # a positive leg
    "No DVT in either leg.",                             # a negative exam
    "   ",                                               # an error record: blank text
    None,                                                # an error record: no text
])
def test_a_record_has_exactly_the_keys_of_its_type(text):
    assert set(pipeline.extract(text, id="r1")) == Record.__required_keys__


def test_a_leg_with_evidence_has_exactly_the_keys_of_its_types():
    record = pipeline.extract(LEG)
    finding = record["findings"][0]
    evidence = finding["evidence"]
    assert (set(finding), set(evidence), set(record["comparison"])) == (keys(FindingRecord), keys(EvidenceRecord), keys(ComparisonRecord))
    assert (set(evidence["cue"]), set(evidence["change_cue"])) == (keys(SpanRecord), keys(SpanRecord))
    assert [set(m) for m in evidence["modifiers"]] == [keys(ModifierRecord), keys(ModifierRecord)]


def test_the_values_are_among_those_the_types_list():
    record = pipeline.extract(LEG)
    finding = record["findings"][0]
    assert (record["label"], tuple(record["side_labels"]), record["scope"]["left"]) == ("ICMVT", SIDES, "calf_only")
    assert [finding[k] in values for k, values in FIELD_VALUES.items()] == [True] * len(FIELD_VALUES)


def test_labels_come_in_the_order_of_the_labels_page():
    assert tuple(re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "docs" / "labels.md").read_text(encoding="utf-8"), re.MULTILINE)) == LABELS


@pytest.mark.skipif(not (SHARED / "spec" / "LABELS.md").is_file(), reason="shared/ spec not beside the checkout")
def test_labels_come_in_the_order_of_the_spec():
    spec = (SHARED / "spec" / "LABELS.md").read_text(encoding="utf-8")
    assert tuple(re.search(r"order\s+(PROXIMAL[^.]*)\.", spec)[1].replace("\n", " ").split(" > ")) == LABELS
