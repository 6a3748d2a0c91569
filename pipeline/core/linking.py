"""Which cue and which side word belong to a mention: token-distance scores inside a sentence.

Pure functions over a :class:`~pipeline.core.model.Sentence`. A lower score is a closer link.
The words (contrast words, forward links, list glue, ...) come from the :class:`~pipeline.core.lexicon.Lexicon`.

* A list of veins followed by its predicate links every vein to it
  ("the CFV, FV, and popliteal veins are compressible"), and a forward-reading cue links
  to the list after it ("thrombus in the PTV, peroneal and soleal veins"); the fewer veins
  stand between, the closer the link.
* Otherwise the score counts the words between; crossing a contrast word (";", "but",
  "except", ...) costs a lot, commas a little; a cue before its vein must read forward
  ("thrombus in the ...", "noncompressible left ..."), and a cue after a vein that reads
  forward belongs to what follows it.
"""
from __future__ import annotations

from itertools import repeat
from operator import itemgetter

from .lexicon import Lexicon
from .model import Mention, Sentence

FORWARD_CUE_AFTER_PENALTY = 20
EXTENSION_SCORE = 1
LIST_PREDICATE_SCORE = 1
LIST_FORWARD_SCORE = 2
LINK_LIMIT = 60
SIDE_LIMIT = 60
_SCORE_THEN_POSITION = itemgetter(0, 1)  # of (score, token start, mention)


def between(sentence: Sentence, a: Mention, b: Mention) -> tuple[str, ...]:
    """Lower-cased tokens strictly between two mentions of a sentence."""
    lo, hi = (a.tok_end, b.tok_start) if a.tok_end <= b.tok_start else (b.tok_end, a.tok_start)
    off = sentence.tok_start
    return sentence.tokens[max(lo - off, 0): max(hi - off, 0)]


def _gap_without_mentions(sentence: Sentence, a: Mention, b: Mention) -> list[str]:
    """The words between two mentions, leaving out other vein and side mentions."""
    lo, hi = (a.tok_end, b.tok_start) if a.tok_end <= b.tok_start else (b.tok_end, a.tok_start)
    covered = sentence.named_tokens
    off = sentence.tok_start
    if lo < off:  # a mention read before the sentence start: negative indexes wrap, as they always have
        return [sentence.tokens[i - off] for i in range(lo, hi) if i not in covered and not sentence.tokens[i - off].isspace()]
    return [t for i, t in enumerate(sentence.tokens[lo - off: hi - off], lo) if i not in covered and not t.isspace()]


def _crossing_cost(tokens: tuple[str, ...], lexicon: Lexicon) -> int:
    """100 per contrast word, 3 per comma (summed in C: no Python step per token)."""
    return sum(map(lexicon.crossing_costs.get, tokens, repeat(0)))


def _word_count(tokens: tuple[str, ...]) -> int:
    """How many of the tokens are not whitespace."""
    return len(tokens) - sum(map(str.isspace, tokens))


def reads_forward(sentence: Sentence, cue: Mention, lexicon: Lexicon) -> bool:
    """True when the words after a cue point to a vein that follows ("thrombus is seen in the ...")."""
    off = sentence.tok_start
    stops, links = lexicon.forward_stops, lexicon.forward_links
    for token in sentence.tokens[cue.tok_end - off: cue.tok_end - off + 4]:
        if token in stops:
            return False
        if token in links:
            return True
    return False


def _listed(sentence: Sentence, anchor: Mention, lo: int, hi: int) -> int:
    """How many other veins stand between two token positions."""
    return sum(1 for m in sentence.mentions if m.kind in ("segment", "generic_deep") and lo < m.tok_start < hi and m is not anchor)


def _extends(glue: list[str], lexicon: Lexicon) -> bool:
    """Glue words that carry a thrombus on into the next vein: "into", or a "from ... to/through" range."""
    return ("into" in glue or ("from" in glue and ("to" in glue or "through" in glue or "thru" in glue))) and set(glue) <= lexicon.extension_glue


def _opens_list(sentence: Sentence, cue: Mention, anchor: Mention) -> bool:
    """A parenthesis right after a cue, still open at the anchor, lists the cue's veins."""
    i = cue.tok_end - sentence.tok_start
    return 0 <= i < len(sentence.tokens) and sentence.tokens[i] == "(" and ")" not in between(sentence, cue, anchor)


def cue_score(sentence: Sentence, anchor: Mention, cue: Mention, cues: tuple[Mention, ...], lexicon: Lexicon) -> int:
    """How far a cue is from an anchor, in tokens plus penalties."""
    lo, hi = (anchor.tok_start, cue.tok_start) if anchor.tok_start <= cue.tok_start else (cue.tok_start, anchor.tok_start)
    crossed = sum(1 for c in cues if lo < c.tok_start < hi and c is not cue)
    if not crossed:  # the glue words decide only between cues that no other cue separates
        glue = _gap_without_mentions(sentence, anchor, cue)
        if cue.tok_end <= anchor.tok_start and _opens_list(sentence, cue, anchor):
            return LIST_FORWARD_SCORE + _listed(sentence, anchor, lo, hi)  # "thrombosis (left peroneal veins; right posterior tibial veins)": the veins it lists
        if cue.tok_end <= anchor.tok_start and _extends(glue, lexicon):
            return EXTENSION_SCORE  # "occlusive dvt rt cfv into fv", "thrombus from the EIV down to the CFV": it extends into it
        list_glue, predicate_verbs = lexicon.list_glue, lexicon.predicate_verbs
        if cue.tok_start >= anchor.tok_end and all(t in list_glue or t in predicate_verbs for t in glue) and not ("," in glue and _before_another_vein(sentence, anchor, cue)):
            # "CFV, FV and popliteal veins are compressible", "pop patent calf patent"; not "gastrocnemius vein, patent popliteal vein"
            return LIST_PREDICATE_SCORE + _listed(sentence, anchor, lo, hi)
        # "thrombosis of the PTV and peroneal veins and the CFV ... are patent": a second "the"
        # opens a new noun phrase, which the forward cue does not reach
        if cue.tok_end <= anchor.tok_start and reads_forward(sentence, cue, lexicon) and glue.count("the") <= 1 and all(t in list_glue or t in lexicon.forward_links or t in predicate_verbs for t in glue):
            return LIST_FORWARD_SCORE + _listed(sentence, anchor, lo, hi)
    gap_tokens = between(sentence, anchor, cue)
    words = _word_count(gap_tokens)
    score = words + _crossing_cost(gap_tokens, lexicon) + 10 * crossed
    if cue.tok_end <= anchor.tok_start:
        if words > 2 and not reads_forward(sentence, cue, lexicon):
            score += 15
    elif reads_forward(sentence, cue, lexicon) or _before_another_vein(sentence, anchor, cue):
        score += FORWARD_CUE_AFTER_PENALTY  # "... and thrombus in the GSV", "... with patent proximal deep veins": that cue is about what follows it
    return score


def _before_another_vein(sentence: Sentence, anchor: Mention, cue: Mention) -> bool:
    """A cue right before another named vein (a side word between at most) qualifies that vein,
    not a named vein before it ("thrombosis of the soleal veins with patent proximal deep veins");
    a bare "vein" on either side may be the same vein ("a non-compressible vein ..., probably
    thrombosed soleal vein", "the soleal sinus ... a noncompressible vein")."""
    if anchor.kind != "segment" or cue.tok_end not in sentence.named_tokens:
        return False  # (named_tokens: the token positions of vein and side words, computed once per sentence)
    following = cue.tok_end
    for m in sentence.mentions:
        if m.tok_start == following and m.kind == "side":
            following = m.tok_end
        elif m.tok_start == following and m.kind == "segment" and m is not anchor:
            return True
    return False


def best_cue(sentence: Sentence, anchor: Mention, cues: tuple[Mention, ...], lexicon: Lexicon) -> Mention | None:
    """The cue that describes an anchor, or None when none is close enough."""
    scored = [(score, c) for c in cues if (score := cue_score(sentence, anchor, c, cues, lexicon)) < LINK_LIMIT]
    if len(scored) < 2:
        return scored[0][1] if scored else None
    best = min(score for score, _ in scored)
    tied = [c for score, c in scored if score == best]
    # a tie goes to the cue with fewer veins between ("thrombus in the PTV, popliteal patent"), then to the nearer cue ("... into fv pop patent")
    return tied[0] if len(tied) == 1 else min(tied, key=lambda c: (_veins_between(sentence, anchor, c), _gap(anchor, c), c.tok_start))


def _veins_between(sentence: Sentence, anchor: Mention, cue: Mention) -> int:
    return _listed(sentence, anchor, min(anchor.tok_start, cue.tok_start), max(anchor.tok_start, cue.tok_start))


def _gap(a: Mention, b: Mention) -> int:
    return max(b.tok_start - a.tok_end, a.tok_start - b.tok_end, 0)


def best_side(sentence: Sentence, target: Mention, sides: tuple[Mention, ...], lexicon: Lexicon) -> Mention | None:
    """The side word that qualifies a target: the nearest in its clause, preferring one before it."""
    scored = []
    for side in sides:
        gap_tokens = between(sentence, target, side)
        score = _word_count(gap_tokens) + _crossing_cost(gap_tokens, lexicon) + (0 if side.tok_end <= target.tok_start else 2)
        scored.append((score, side.tok_start, side))
    scored = [s for s in scored if s[0] < SIDE_LIMIT]
    return min(scored, key=_SCORE_THEN_POSITION)[2] if scored else None


def previous_words(sentence: Sentence, position: int, n: int = 3) -> list[str]:
    """Up to ``n`` words before a token position, skipping spaces, side words and articles."""
    off = sentence.tok_start
    sides, tokens = sentence.side_tokens, sentence.tokens
    words = []
    for i in range(position - 1, off - 1, -1):
        token = tokens[i - off]
        if token.isspace() or i in sides or token in ("the", "a", "an"):
            continue
        words.append(token)
        if len(words) == n:
            break
    return words
