"""The output record (pipeline.core.record) built from hand-made findings."""
from __future__ import annotations

import json

from pipeline import __version__
from pipeline.core.comparison import Comparison
from pipeline.core.model import Finding, Modifier, TextSpan
from pipeline.core.record import (ComparisonRecord, EvidenceRecord, FindingRecord, ModifierRecord, Record, SideLabels, SideScopes,
                                  SpanRecord, build_record, error_record)

KEYS = ["id", "label", "distal", "svt", "svt_near_junction", "side_labels", "scope", "comparison", "findings", "superseded_findings", "error",
        "pipeline_version", "rules_hash"]
GROUPS = {"popliteal": "proximal", "peroneal": "distal_axial", "great_saphenous": "superficial", None: "deep_unspecified"}


def f(segment, side="left", status="present", section="findings", order=0, acuity="acute"):
    return Finding(segment, GROUPS[segment], side, status, acuity, None, section, TextSpan(order, order + 1, "x"), None, (0, 9), order=order)


def record(findings, examined=("left",), **kw):
    return build_record("r1", findings, set(examined), "hash1", **kw)


def shown(rec, key="findings"):
    return [(x["segment"], x["status"], x["section"]) for x in rec[key]]


def test_the_keys_come_in_a_fixed_order():
    assert list(record([f("popliteal")])) == KEYS


def test_the_error_record_has_the_same_keys_and_no_label():
    rec = error_record("r9", "empty text", "hash1")
    assert list(rec) == KEYS
    assert (rec["label"], rec["side_labels"], rec["findings"], rec["error"]) == (None, {"left": None, "right": None, "unspecified": None}, [], "empty text")
    assert (rec["scope"], rec["comparison"]) == ({"left": None, "right": None, "unspecified": None}, None)


def test_the_record_carries_the_labels_the_version_and_the_rules_hash():
    rec = record([f("peroneal")])
    assert (rec["id"], rec["label"], rec["distal"], rec["side_labels"]["left"], rec["error"]) == ("r1", "IDDVT", True, "IDDVT", None)
    assert (rec["pipeline_version"], rec["rules_hash"]) == (__version__, "hash1")


def test_a_superficial_thrombus_sets_svt_not_the_label():
    rec = record([f("great_saphenous")])
    assert (rec["label"], rec["svt"], rec["svt_near_junction"]) == ("NEGATIVE", True, False)


def test_a_repeated_or_overridden_finding_is_superseded():
    rec = record([f("popliteal", section="findings", order=1), f("popliteal", status="absent", section="impression", order=5)])
    assert (shown(rec), shown(rec, "superseded_findings")) == ([("popliteal", "absent", "impression")], [("popliteal", "present", "findings")])


def test_a_historical_mention_is_shown_once():
    rec = record([f("popliteal", status="historical", order=1), f("popliteal", status="historical", order=5)])
    assert (len(rec["findings"]), len(rec["superseded_findings"])) == (1, 1)


def test_chronic_thrombus_counts_only_under_the_policy():
    assert (record([f("popliteal", acuity="chronic")])["label"], record([f("popliteal", acuity="chronic")], count_chronic=True)["label"]) == ("NEGATIVE", "PROXIMAL")


def test_the_record_is_json_ready():
    rec = record([f("popliteal"), f(None, status="absent", side="right", order=3)], examined=("left", "right"))
    assert json.loads(json.dumps(rec)) == rec


def keys(typed_dict) -> set[str]:
    return set(typed_dict.__annotations__)


def test_the_record_type_names_the_keys_of_every_record():
    assert set(KEYS) == Record.__required_keys__


def test_only_the_batch_fields_are_optional():
    assert Record.__optional_keys__ == {"patient_id", "exam_date", "exam_date_note", "input_note"}


def test_a_record_has_the_keys_of_its_type():
    assert set(record([f("popliteal")])) == Record.__required_keys__


def test_an_error_record_has_the_keys_of_its_type():
    assert set(error_record("r9", "empty text", "hash1")) == Record.__required_keys__


def test_a_finding_with_its_evidence_has_the_keys_of_its_types():
    thrombus = Finding("soleal", "distal_muscular", "left", "present", "acute", "occlusive", "findings", TextSpan(20, 31, "soleal vein"),
                       TextSpan(0, 18, "occlusive thrombus"), (0, 40), (Modifier("ACUTE", 45, 50, "acute", 9, 10),),
                       change="new", change_cue=TextSpan(52, 55, "new"))
    rec = record([thrombus], comparison=Comparison("3/1", "prior", 60, 80, "compared with 3/1"))
    finding = rec["findings"][0]
    evidence = finding["evidence"]
    assert (set(finding), set(evidence)) == (keys(FindingRecord), keys(EvidenceRecord))
    assert (set(evidence["cue"]), set(evidence["change_cue"]), set(evidence["modifiers"][0])) == (keys(SpanRecord), keys(SpanRecord), keys(ModifierRecord))
    assert (set(rec["comparison"]), set(rec["side_labels"]), set(rec["scope"])) == (keys(ComparisonRecord), keys(SideLabels), keys(SideScopes))
