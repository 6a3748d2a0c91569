"""Tokenizer, sentence boundaries and matcher pruning on report shorthand."""
from __future__ import annotations

import random

import pytest
from medspacy.common.util import prune_overlapping_matches

from pipeline.nlp.pruning import prune_longest


@pytest.fixture(scope="session")
def nlp(extractor):
    return extractor.nlp


TOKENS = [
    ("slash-list", "CFV/FV compressible", ["CFV", "/", "FV", "compressible"]),
    ("without", "w/o thrombus", ["w/o", "thrombus"]),
    ("rule-out", "r/o DVT", ["r/o", "DVT"]),
    ("status-post", "s/p TKA", ["s/p", "TKA"]),
    ("dotted-side", "Lt. popliteal", ["Lt.", "popliteal"]),
    ("paren-side", "(R) CFV", ["(", "R", ")", "CFV"]),
    ("side-paren", "R) CFV", ["R", ")", "CFV"]),
    ("two-point", "2-pt compression", ["2", "-", "pt", "compression"]),
    ("glued-colon", "CFV:patent", ["CFV", ":", "patent"]),
]


@pytest.mark.parametrize("case_id, text, expected", TOKENS, ids=[c[0] for c in TOKENS])
def test_tokenizer(nlp, case_id, text, expected):
    assert [t.text for t in nlp.make_doc(text)] == expected


SENTENCES = [
    ("period", "The CFV is compressible. The FV is compressible.", ["The CFV is compressible.", "The FV is compressible."]),
    ("abbreviation", "Lt. CFV is compressible. Rt. CFV too.", ["Lt. CFV is compressible.", "Rt. CFV too."]),
    ("worksheet-lines", "CFV: compressible\nFV: compressible\nPOP: thrombus", ["CFV: compressible", "FV: compressible", "POP: thrombus"]),
    ("wrapped-prose", "the common femoral and femoral\nveins are compressible.", ["the common femoral and femoral\nveins are compressible."]),
    ("lower-case-field-lines", "per: not seen\ngastroc: NC, thrombus", ["per: not seen", "gastroc: NC, thrombus"]),  # no wrap before "field:"
    ("list-items", "1. No DVT.\n2. Baker's cyst.", ["1.", "No DVT.", "2.", "Baker's cyst."]),
    ("header", "IMPRESSION: No DVT.", ["IMPRESSION:", "No DVT."]),
]


@pytest.mark.parametrize("case_id, text, expected", SENTENCES, ids=[c[0] for c in SENTENCES])
def test_sentences(nlp, case_id, text, expected):
    doc = nlp(text)
    assert [s.text.strip() for s in doc.sents if s.text.strip()] == expected


def test_pipeline_is_blank_english_with_our_components(nlp):
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["dvt_sentences", "dvt_sections", "dvt_targets", "dvt_context", "dvt_findings"]


def test_evidence_span_group_marks_decisive_findings(nlp):
    doc = nlp("Occlusive thrombus in the left popliteal vein.")
    assert {(s.text, s.label_) for s in doc.spans["dvt_evidence"]} == {("popliteal vein", "left:popliteal:present"), ("Occlusive thrombus", "left:popliteal:present")}
    assert doc._.dvt["label"] == "PROXIMAL"


def test_prune_longest_matches_medspacy_pruning_on_random_matches():
    # Our faster pruning must keep exactly what medspaCy's MedspacyMatcher(prune=True) keeps.
    rng = random.Random(7)
    for _ in range(3000):
        matches = [(rng.randint(1, 4), s, s + rng.randint(1, 5)) for s in (rng.randint(0, 15) for _ in range(rng.randint(0, 12)))]
        assert prune_longest(list(matches)) == prune_overlapping_matches(list(matches)), matches


def test_context_scope_is_the_one_medspacy_sets(nlp):
    # The scope we pass to ConTextModifier must be the one it computes itself from Token.sent.
    from medspacy.context import ConTextModifier, ConTextRule

    from pipeline.nlp.context import _scope

    doc = nlp.make_doc("one two three four five six seven eight nine ten eleven twelve thirteen fourteen")
    for i, token in enumerate(doc):
        token.is_sent_start = i in (0, 4, 11)
    bounds = [0, 4, 11, len(doc)]
    for direction in ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"):
        for max_scope in (None, 1, 2, 5):
            rule = ConTextRule("x", "NEGATED_EXISTENCE", direction=direction, max_scope=max_scope)
            for start in range(len(doc)):
                for end in range(start + 1, min(start + 3, len(doc)) + 1):
                    k = max(i for i, b in enumerate(bounds[:-1]) if b <= start)
                    if end > bounds[k + 1]:
                        continue  # a modifier match never crosses a sentence
                    ours = ConTextModifier(rule, start, end, doc, *_scope(rule, start, end, bounds[k], bounds[k + 1]))
                    assert ours.scope_span == ConTextModifier(rule, start, end, doc).scope_span, (direction, max_scope, start, end)


def test_quick_init_keeps_dataclass_behaviour():
    from dataclasses import FrozenInstanceError, replace

    from pipeline.core.model import Mention

    m = Mention("segment", "popliteal", 3, 17, "popliteal vein", 1, 3, group="proximal")
    assert m == Mention(kind="segment", value="popliteal", start=3, end=17, text="popliteal vein", tok_start=1, tok_end=3, group="proximal")
    assert (m.acuity, m.modifiers, hash(m)) == (None, (), hash(replace(m)))
    with pytest.raises(FrozenInstanceError):
        m.kind = "side"  # type: ignore[misc]


@pytest.mark.parametrize("matches, kept", [
    ([(1, 0, 2), (2, 1, 4)], [(2, 1, 4)]),              # "no history" vs "history of x": longer wins
    ([(1, 0, 2), (2, 0, 2)], [(1, 0, 2)]),              # same span: the first found stays
    ([(1, 0, 1), (2, 2, 3)], [(1, 0, 1), (2, 2, 3)]),   # disjoint: both stay, in order
    ([], []),
])
def test_prune_longest_examples(matches, kept):
    assert prune_longest(matches) == kept


def _header_texts() -> list[str]:
    import json

    from .conftest import ROOT

    texts = [json.loads(line)["text"] for path in sorted((ROOT / "corpora").glob("*/*.jsonl")) if ".leg_" not in path.name
             for line in path.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(11)
    words = ["RIGHT", "LEFT", "RT", "LOWER", "EXTREMITY", "VENOUS", "DUPLEX", "right", "leg", "-", ":", "*", "***", "addendum", "to", "report",
             "side", "(", "s", ")", "examined", "prelim", "read", "comparison", "IMPRESSION", "FINDINGS", "the", "CFV", "\n", "\n\n", "  "]
    texts += ["".join(rng.choice(words) + rng.choice(["", " ", " ", "\n"]) for _ in range(rng.randint(1, 40))) for _ in range(2000)]
    return texts


def test_header_patterns_find_what_the_matcher_finds_on_the_whole_doc(nlp):
    # The section component runs its token patterns only where they can match: the matches must
    # be those of a spaCy Matcher over the whole doc, in the same order.
    from spacy.matcher import Matcher

    sections = nlp.get_pipe("dvt_sections")
    whole = Matcher(nlp.vocab)
    for key, rule in sections.rule_map.items():
        if rule.pattern is not None:
            whole.add(key, [rule.pattern])
    assert sections.patterns.patterns is not None  # the bundled rules have the header shape
    for text in _header_texts():
        doc = nlp.make_doc(text)
        assert sections.patterns(doc) == whole(doc), text


@pytest.mark.parametrize("pattern, shaped", [
    ([{"IS_SPACE": True}, {"TEXT": {"IN": ["EXAM"]}}, {"IS_SPACE": True}], True),
    ([{"IS_SPACE": True}, {"IS_PUNCT": True, "OP": "*"}, {"LOWER": "addendum"}], True),
    ([{"LOWER": "a"}, {"IS_SPACE": True}, {"LOWER": "b"}], False),  # whitespace inside
    ([{"LOWER": {"REGEX": "^a"}}], False),                            # not a literal word
    ([{"LOWER": "a", "OP": "?"}], False),                             # needs nothing
    ([{"LOWER": "a"}, {"LOWER": "b", "OP": "!"}], False),             # "anything but" may be whitespace
    ([{"IS_PUNCT": True}, {"LOWER": "a"}], True),
])
def test_header_pattern_shape(pattern, shaped):
    from pipeline.nlp.header_patterns import needs

    assert (needs(pattern) is not None) == shaped


@pytest.mark.parametrize("pattern, split", [
    ([{"LOWER": {"IN": ["vs", "versus"]}}, {"LOWER": "prior"}], [[{"LOWER": "vs"}, {"LOWER": "prior"}], [{"LOWER": "versus"}, {"LOWER": "prior"}]]),
    ([{"LOWER": {"IN": ["not", "not"]}}], [[{"LOWER": "not"}]]),                        # a repeated word once
    ([{"LOWER": "in"}, {"TEXT": {"REGEX": "^20"}}], [[{"LOWER": "in"}, {"TEXT": {"REGEX": "^20"}}]]),  # already plain
    ([{"LOWER": {"IN": ["a", "b"]}, "OP": "?"}, {"LOWER": "c"}], [[{"LOWER": {"IN": ["a", "b"]}, "OP": "?"}, {"LOWER": "c"}]]),  # optional: kept
    ([{"LOWER": {"REGEX": "^a"}}], [[{"LOWER": {"REGEX": "^a"}}]]),                     # not a set
])
def test_first_token_alternatives(pattern, split):
    from pipeline.nlp.context import first_token_alternatives

    assert first_token_alternatives(pattern) == split


def test_split_context_patterns_find_what_the_json_patterns_find(nlp):
    # The ConText rules' token patterns are split on their first word for speed: the matches
    # (rule, start, end) must be those of the patterns as written, in the same order.
    from spacy.matcher import Matcher

    from pipeline.nlp.context import context_rules
    from pipeline.rules import load_rules

    written, split = Matcher(nlp.vocab), Matcher(nlp.vocab)
    entries = [e for e in load_rules().context_rules if isinstance(e.get("pattern"), list)]
    for n, entry in enumerate(entries):
        written.add(str(n), [entry["pattern"]])
    rules = [r for r in context_rules(load_rules()) if isinstance(r.pattern, list)]
    literal_number = {e["literal"]: str(n) for n, e in enumerate(entries)}
    assert len(rules) > len(entries)  # some first words are sets
    for rule in rules:
        split.add(literal_number[rule.literal], [rule.pattern])
    words = sorted({str(v) for e in entries for token in e["pattern"] for spec in token.values()
                    for v in (spec.get("IN", []) if isinstance(spec, dict) else [spec]) if isinstance(v, str)})
    words += ["2019", "3", "12/03", "monday", "the", "clot", ".", "Not", "VS"]
    rng = random.Random(5)
    found = 0
    for _ in range(3000):
        doc = nlp.make_doc(" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))))
        assert split(doc) == written(doc), doc.text
        found += len(written(doc))
    assert found > 50  # the random texts do match (85 with this seed)


@pytest.mark.parametrize("text", [
    "Left CFV:  thrombus.\n\nRight: negative",  # double spaces, blank line
    "Ærø  café\n\n\tDVT ",                       # non-ASCII, a tab, a trailing space
    "",
])
def test_doc_text_is_spacys(nlp, text):
    from pipeline.nlp.findings import doc_text

    assert doc_text(nlp.make_doc(text)) == nlp.make_doc(text).text


def _pattern_instance(pattern, rng):
    """Words that a token pattern may match (an optional token left out half the time)."""
    words = []
    for spec in pattern:
        if spec.get("OP") == "?" and rng.random() < 0.5:
            continue
        (attr, value), = [(k, v) for k, v in spec.items() if k != "OP"]
        if isinstance(value, dict) and "IN" in value:
            words.append(rng.choice(value["IN"]))
        elif isinstance(value, dict):
            words.append(rng.choice(["2019", "1998", "12/03", "3/4/2020", "monday", "yesterday", "today"]))
        else:
            words.append(rng.choice(["3", "two", "10"]) if attr == "LIKE_NUM" else str(value))
    return words


def test_token_patterns_find_what_spacys_matcher_finds(nlp):
    # ConText's token patterns are matched by first word (nlp/token_patterns.py): on texts made of
    # pieces of those patterns and filler, every match must be one of spaCy's Matcher, and no
    # other, in start, end and pattern order.
    from spacy.matcher import Matcher

    from pipeline.nlp.token_patterns import compile_patterns

    context = nlp.get_pipe("dvt_context")
    rules = [(key, rule.pattern) for key, rule in context.rule_of.items() if isinstance(rule.pattern, list)]
    ours = compile_patterns(rules, nlp.vocab.strings)
    assert ours is not None and context.token_patterns is not None  # the bundled rules take the fast path
    spacys, order = Matcher(nlp.vocab), {key: n for n, (key, _) in enumerate(rules)}
    for key, pattern in rules:
        spacys.add(key, [pattern])
    rng = random.Random(7)
    filler = ["the", "clot", ".", "(", ":", "in", "on", "prior", "now", "not", "Not", "VS", "2019", "3", "12/03", "months", "ago"]
    found = 0
    for _ in range(4000):
        words = []
        for _ in range(rng.randint(1, 5)):
            if rng.random() < 0.7:
                words += _pattern_instance(rng.choice(rules)[1], rng)
            words += [rng.choice(filler) for _ in range(rng.randint(0, 3))]
        doc = nlp.make_doc(" ".join(words))
        expected = sorted(spacys(doc), key=lambda m: (m[1], m[2], order[m[0]]))
        assert ours(doc) == expected, doc.text
        found += len(expected)
    assert found > 3000  # the texts do match


@pytest.mark.parametrize("pattern, supported", [
    ([{"LOWER": "in"}, {"TEXT": {"REGEX": "^20"}}], True),
    ([{"LIKE_NUM": True}, {"LOWER": {"IN": ["days", "weeks"]}}, {"LOWER": "ago"}], True),
    ([{"LOWER": "a"}, {"LOWER": "b", "OP": "*"}], False),     # only "?" is read
    ([{"POS": "NOUN"}], False),                               # no tagger here
    ([{"LOWER": {"NOT_IN": ["a"]}}], False),
])
def test_token_patterns_read_only_what_they_match_like_spacy(nlp, pattern, supported):
    from pipeline.nlp.token_patterns import compile_patterns

    assert (compile_patterns([(1, pattern)], nlp.vocab.strings) is not None) is supported


def test_a_rule_set_with_other_token_features_keeps_spacys_matcher(nlp):
    # A token pattern the fast matcher does not read sends every rule back to spaCy's Matcher,
    # with the same modifiers for text it does not touch.
    from dataclasses import replace

    from pipeline.nlp.context import DuplexContext
    from pipeline.rules import load_rules

    rules = load_rules()
    extra = {"literal": "a b b", "category": "PSEUDO", "direction": "FORWARD", "pattern": [{"LOWER": "zzz"}, {"LOWER": "yyy", "OP": "*"}]}
    slow = DuplexContext(nlp, replace(rules, context_rules=(*rules.context_rules, extra)), name="slow_context")
    fast = nlp.get_pipe("dvt_context")
    assert slow.token_patterns is None and fast.token_patterns is not None
    text = "Compared with the prior study of 3/1, no DVT in the left leg. History of right DVT in 2019, not seen previously."
    before = nlp.make_doc(text)
    for name in ("dvt_sentences", "dvt_sections", "dvt_targets"):
        before = nlp.get_pipe(name)(before)
    modifiers = [component(before.copy())._.dvt_modifiers for component in (slow, fast)]
    assert modifiers[0] == modifiers[1] and len(modifiers[0]) >= 3


def test_phrase_rules_match_as_medspacys_matcher_matches_them(nlp):
    # Targets and ConText phrases sit on a PhraseMatcher of their own (nlp/phrases.py): the same
    # matches, in the same order, as medspaCy's matcher with the same rules.
    from medspacy.common.medspacy_matcher import MedspacyMatcher

    from pipeline.nlp.phrases import phrase_matcher
    from pipeline.nlp.targets import target_rules
    from pipeline.rules import load_rules

    rules = target_rules(load_rules().terms)
    ours, rule_of = phrase_matcher(nlp, rules)
    theirs = MedspacyMatcher(nlp, phrase_matcher_attr="LOWER", prune=False)
    theirs.add(rules)
    assert len(rule_of) == len(rules)
    for text in ["Left CFV: non-compressible, thrombus. RLE neg.", "POP  comp  PART; gastroc veins patent bilat", "No DVT in either leg."]:
        doc = nlp.make_doc(text)
        assert ours(doc) == theirs(doc) != []
    with pytest.raises(ValueError):
        phrase_matcher(nlp, [type(rules[0])(literal="a b", category="X", pattern=[{"LOWER": "a"}])])
