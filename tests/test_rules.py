"""Rule files are validated at load: a clear error naming the file and the entry."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.rules import RuleError, default_directory, load_rules


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "patterns"
    shutil.copytree(default_directory(), folder)
    return folder


def edit(folder: Path, name: str, change) -> None:
    path = folder / name
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_bundled_rules_load_and_have_a_stable_hash():
    rules = load_rules()
    assert len(rules.terms) > 300 and len(rules.context_rules) > 300
    assert rules.rules_hash == load_rules(str(default_directory())).rules_hash


BAD_EDITS = [
    # (id, file, change, words the error must contain)
    ("unknown-key", "anatomy.json", lambda d: d["segments"][0].update(colour="red"), ["anatomy.json", "segments[0]", "colour"]),
    ("unknown-group", "anatomy.json", lambda d: d["segments"][1].update(group="thigh"), ["anatomy.json", "unknown group", "thigh"]),
    ("alias-two-segments", "anatomy.json", lambda d: d["segments"][5]["aliases"].append("cfv"), ["anatomy.json", "'cfv'", "common_femoral", "femoral"]),
    ("duplicate-alias", "anatomy.json", lambda d: d["segments"][4]["aliases"].append("CFV"), ["duplicate alias", "CFV"]),
    ("duplicate-segment", "anatomy.json", lambda d: d["segments"].append({"segment": "ivc", "group": "proximal", "aliases": ["cava x"]}), ["duplicate segment", "ivc"]),
    ("junction-deep-to-a-superficial-vein", "anatomy.json", lambda d: d["junction_deep"].update(great_saphenous="small_saphenous"), ["junction_deep", "great_saphenous"]),
    ("whole-deep-before-two-words", "anatomy.json", lambda d: d["whole_deep_before"].append("all of"), ["whole_deep_before"]),
    ("at-junction-without-a-segment", "cues.json", lambda d: d["cues"][0].update(at_junction=True), ["cues[0]", "at_junction"]),
    ("cue-polarity", "cues.json", lambda d: d["cues"][0].update(polarity="maybe"), ["cues.json", "cues[0]", "polarity"]),
    ("context-category", "context_rules.json", lambda d: d["context_rules"][0].update(category="SOMETIMES"), ["context_rules.json", "context_rules[0]", "SOMETIMES"]),
    ("context-key", "context_rules.json", lambda d: d["context_rules"][3].update(scope=3), ["context_rules[3]", "scope"]),
    ("context-duplicate", "context_rules.json", lambda d: d["context_rules"].append(dict(d["context_rules"][0])), ["duplicate rule"]),
    ("compound-unknown-segment", "anatomy.json", lambda d: d["compounds"][0]["covers"].append("thigh"), ["anatomy.json", "compounds[0]", "thigh"]),
    ("section-metadata", "section_rules.json", lambda d: d["section_rules"][0].update(metadata={"after_findings": "epilogue"}), ["section_rules[0]", "after_findings"]),
    ("section-category", "section_rules.json", lambda d: d["section_rules"][0].update(category="epilogue"), ["section_rules.json", "epilogue"]),
    ("row-label-unknown-group", "anatomy.json", lambda d: d["row_labels"].update(calf_unspecified=["calf"]), ["anatomy.json", "row_labels.calf_unspecified"]),
    ("lexicon-missing-list", "lexicon.json", lambda d: d.pop("forward_links"), ["lexicon.json", "missing list", "forward_links"]),
    ("lexicon-unknown-list", "lexicon.json", lambda d: d.update(backward_links={"description": "", "words": ["from"]}), ["lexicon.json", "unknown list", "backward_links"]),
    ("lexicon-bad-regex", "lexicon.json", lambda d: d["visibility"].update(regex="(seen"), ["lexicon.json", "visibility", "invalid regular expression"]),
    ("lexicon-non-string-word", "lexicon.json", lambda d: d["study_nouns"]["words"].append(3), ["lexicon.json", "study_nouns", "3"]),
    ("lexicon-upper-case-word", "lexicon.json", lambda d: d["study_nouns"]["words"].append("Duplex"), ["lexicon.json", "study_nouns", "lower-case", "'Duplex'"]),
    ("lexicon-empty-list", "lexicon.json", lambda d: d["ticks"].update(words=[]), ["lexicon.json", "ticks", "non-empty"]),
    ("lexicon-duplicate-word", "lexicon.json", lambda d: d["ticks"]["words"].append("x"), ["lexicon.json", "ticks", "duplicate", "'x'"]),
    ("lexicon-words-for-a-regex", "lexicon.json", lambda d: d.update(year={"description": "", "words": ["2020"]}), ["lexicon.json", "year", "words"]),
]


@pytest.mark.parametrize("case_id, name, change, words", BAD_EDITS, ids=[c[0] for c in BAD_EDITS])
def test_bad_rule_file_fails_loudly(rules_copy, case_id, name, change, words):
    edit(rules_copy, name, change)
    with pytest.raises(RuleError) as error:
        load_rules(str(rules_copy))
    for word in words:
        assert word in str(error.value)


def test_invalid_json_names_the_file(rules_copy):
    (rules_copy / "cues.json").write_text("{not json")
    with pytest.raises(RuleError, match="cues.json: invalid JSON"):
        load_rules(str(rules_copy))


def test_changed_rules_change_the_hash(rules_copy):
    edit(rules_copy, "cues.json", lambda d: d["cues"][0]["phrases"].append("coagulum"))
    assert load_rules(str(rules_copy)).rules_hash != load_rules().rules_hash


def test_custom_rules_directory_changes_matching(rules_copy):
    from pipeline import Extractor

    text = "Coagulum in the left popliteal vein."
    assert Extractor().extract(text)["label"] == "NEGATIVE"
    edit(rules_copy, "cues.json", lambda d: d["cues"][0]["phrases"].append("coagulum"))
    assert Extractor(rules_dir=str(rules_copy)).extract(text)["label"] == "PROXIMAL"


def test_a_word_removed_from_the_lexicon_changes_an_extraction(rules_copy):
    from pipeline import Extractor

    text = "Left leg: thrombosed perforator connecting to the posterior tibial veins."  # the PTV is a landmark
    assert Extractor().extract(text)["label"] == "NEGATIVE"
    edit(rules_copy, "lexicon.json", lambda d: d["linked_to"]["words"].remove("connecting to"))
    assert Extractor(rules_dir=str(rules_copy)).extract(text)["label"] == "IDDVT"
