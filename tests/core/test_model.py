"""The value sets of pipeline.core.model, read from its Literal types, agree with the rule files' own lists."""
from __future__ import annotations

from pipeline import rules
from pipeline.core.model import DEEP_GROUPS, GENERIC_DEEP_GROUP, GROUPS, MENTION_KINDS, SECTIONS, SIDES


def test_the_deep_groups_are_the_groups_of_named_deep_veins():
    assert DEEP_GROUPS == ("proximal", "distal_axial", "distal_muscular", "distal_unspecified")


def test_every_segment_group_of_the_rules_is_a_group():
    assert set(rules.SEGMENT_GROUPS) == set(GROUPS) - {GENERIC_DEEP_GROUP}


def test_the_anatomy_lexicon_groups_its_segments_in_those_groups():
    assert set(rules.segment_groups().values()) == set(GROUPS) - {GENERIC_DEEP_GROUP}


def test_every_section_header_category_but_a_side_heading_is_a_section():
    assert set(rules.SECTION_CATEGORIES) - {"side_left", "side_right"} == set(SECTIONS)


def test_every_cue_polarity_is_a_mention_kind():
    assert set(rules.CUE_POLARITIES) <= set(MENTION_KINDS)


def test_a_side_is_left_right_or_unspecified():
    assert SIDES == ("left", "right", "unspecified")
