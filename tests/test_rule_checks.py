"""`dvt rules check`: each semantic check catches a conflict planted in a copy of the rules."""
from __future__ import annotations

import json
import shutil

import pytest

from pipeline.nlp.build import build_nlp
from pipeline.nlp.rule_checks import check_rules
from pipeline.rules import default_directory, load_rules


def _planted(tmp_path, name: str, key: str, entry: dict) -> list:
    """The problems of a copy of the bundled rules with ``entry`` added to ``name``'s ``key`` list."""
    folder = tmp_path / "patterns"
    shutil.copytree(default_directory(), folder)
    data = json.loads((folder / name).read_text(encoding="utf-8"))
    data[key].append(entry)
    (folder / name).write_text(json.dumps(data), encoding="utf-8")
    return check_rules(build_nlp(str(folder)), load_rules(str(folder)))


def _found(problems: list, check: str, text: str) -> bool:
    return any(p.check == check and text in str(p) for p in problems)


@pytest.mark.parametrize("file, key, entry, check, text", [
    # "no occlusive thrombus seen": the phrase holds the cue "occlusive thrombus", so it could never negate
    ("context_rules.json", "context_rules", {"literal": "no occlusive thrombus seen", "category": "NEGATED_EXISTENCE", "direction": "FORWARD"}, "context_has_target", "occlusive thrombus"),
    # "ruled out by d-dimer" (HYPOTHETICAL) planted again, spaced, as a negation: the same tokens, another category
    ("context_rules.json", "context_rules", {"literal": "ruled out by d - dimer", "category": "NEGATED_EXISTENCE", "direction": "FORWARD"}, "two_categories", "'ruled out by d - dimer'"),
    # "DVT:" as a header: the header's words are the thrombus cue "DVT"
    ("section_rules.json", "section_rules", {"literal": "dvt:", "category": "findings"}, "header_is_target", "'dvt:'"),
], ids=["context-phrase-holds-a-cue", "phrase-in-two-categories", "header-is-a-cue"])
def test_each_check_catches_its_conflict(tmp_path, file, key, entry, check, text):
    assert _found(_planted(tmp_path, file, key, entry), check, text)


def test_a_british_spelling_that_is_another_term_is_caught(tmp_path):
    # "immobilized" as a normal cue: its British "immobilised" is planted as a vein alias first
    folder = tmp_path / "patterns"
    shutil.copytree(default_directory(), folder)
    anatomy = json.loads((folder / "anatomy.json").read_text(encoding="utf-8"))
    anatomy["generic_deep"].append("immobilised")
    (folder / "anatomy.json").write_text(json.dumps(anatomy), encoding="utf-8")
    cues = json.loads((folder / "cues.json").read_text(encoding="utf-8"))
    cues["cues"].append({"polarity": "normal", "phrases": ["immobilized"]})
    (folder / "cues.json").write_text(json.dumps(cues), encoding="utf-8")
    problems = check_rules(build_nlp(str(folder)), load_rules(str(folder)))
    assert _found(problems, "alias_is_cue", "immobilized")


def test_a_rule_that_holds_a_target_on_purpose_says_so(tmp_path):
    entry = {"literal": "no occlusive thrombus seen", "category": "NEGATED_EXISTENCE", "direction": "FORWARD",
             "metadata": {"holds_target": True, "why": "planted for this test"}}
    assert not _found(_planted(tmp_path, "context_rules.json", "context_rules", entry), "context_has_target", "occlusive thrombus")


def test_the_bundled_rules_have_no_conflict(extractor):
    # extractor: the session's pipeline, built from the bundled rules
    assert check_rules(extractor.nlp, extractor.rules) == []


# Rules that held a target never applied; with the meaning moved to cues, each now says what it meant.
@pytest.mark.parametrize("text, segment, status, occlusion", [
    ("Right popliteal vein: no color flow abnormality.", "popliteal", "absent", None),
    ("The right femoral vein has flow around a thrombus.", "femoral", "present", "nonocclusive"),
    ("The right femoral vein is completely thrombosed.", "femoral", "present", "occlusive"),
    ("Clot distending the right popliteal vein.", "popliteal", "present", "occlusive"),
    ("The right popliteal vein could not be compressed because of a cast.", "popliteal", "not_evaluated", None),
    ("Right posterior tibial veins not assessable.", "posterior_tibial", "not_evaluated", None),
    ("Prior DVT in the right popliteal vein.", "popliteal", "historical", None),
    ("Right common femoral vein: compressible, flow without augmentation.", "common_femoral", "absent", None),
], ids=["no-color-flow-abnormality-is-normal", "flow-around-is-nonocclusive", "completely-thrombosed-is-occlusive",
        "distending-is-occlusive", "could-not-be-compressed-is-not-evaluated", "not-assessable-is-not-evaluated",
        "prior-dvt-is-history", "without-augmentation-is-no-thrombus"])
def test_a_phrase_that_held_a_target_now_applies(extractor, text, segment, status, occlusion):
    record = extractor.extract(text)
    hits = [f for f in record["findings"] if f["segment"] == segment and f["side"] == "right"]
    assert hits and (hits[0]["status"], hits[0]["occlusion"]) == (status, occlusion), record["findings"]
