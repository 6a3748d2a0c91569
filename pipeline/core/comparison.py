"""The study a follow-up report compares with (SURVEILLANCE.md part A): pure, typed.

The words are data (``patterns/comparison.json``), compiled once at load. First match wins::

    where                                      source                      example
    the COMPARISON section                     none / outside / prior      "COMPARISON: None."  "Comparison: 03/02/2026."
    the first sentence that compares           none / outside / prior      "No prior studies are available for comparison."
      (not an indication or a plan)                                        "Compared with the outside ultrasound of 5/3/2026, ..."
    a stated change, with no comparison named  prior                       "L POP: newly non-compressible (compressible on 4/3)."

``date`` is the first date after the reference, as written ("3/1", "March 3, 2026"); a
comparison of source ``none`` has no date. The evidence span covers the reference and its date.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .change import contrast_changes, without_follow_up
from .model import Finding, Sentence

if TYPE_CHECKING:
    from .record import ComparisonRecord

Source = Literal["prior", "outside", "none"]
NOT_COMPARING = ("indication", "plan", "exam")  # an exam title's date is this exam's


@dataclass(frozen=True)
class ComparisonVocab:
    """The compiled patterns of ``comparison.json``."""

    reference: re.Pattern[str]
    date: re.Pattern[str]
    none: re.Pattern[str]
    outside: re.Pattern[str]
    led_date: re.Pattern[str]  # a date after a word that points back ("compressible on 4/3"): group 1
    reach: int
    reference_lower: re.Pattern[str] | None = None  # ``reference`` without IGNORECASE, for lower-cased ASCII text

    def references(self, text: str) -> Iterator[re.Match[str]]:
        """``reference.finditer(text)``; on ASCII text, the case-sensitive pattern on its lower-cased
        copy (same offsets, same matches: no ASCII letter has another case outside ASCII), twice
        as fast as ignoring case."""
        if self.reference_lower is not None and text.isascii():
            return self.reference_lower.finditer(text.lower())
        return self.reference.finditer(text)


@dataclass(frozen=True)
class Comparison:
    date: str | None
    source: Source
    start: int
    end: int
    text: str

    def as_dict(self) -> ComparisonRecord:
        return {"date": self.date, "source": self.source, "start": self.start, "end": self.end, "text": self.text}


def _words(words: list[str]) -> str:
    escaped = sorted((re.escape(w.lower()).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True)
    return "|".join(escaped)


def compile_vocab(data: dict[str, Any]) -> ComparisonVocab:
    """Compile the word lists of ``comparison.json`` (validated by the rule loader)."""
    study, adjective = _words(data["studies"]), _words(data["prior"] + data["outside"])
    date = "|".join(f"(?:{d})" for d in data["dates"])
    # the fixed branches start at a word's start or at "(": said once up front, the scan skips
    # every other position with one test instead of failing each branch there (half the time);
    # the date-led branch stays outside, since a date pattern of the rule file may start anywhere
    reference = (r"(?:(?<!\w)(?=\w)|(?=\())(?:"
                 rf"\b(?:{_words(data['lead'])})\b"
                 rf"|\b(?:{adjective})\s+(?:\S+\s+){{0,2}}?(?:{study})\b"
                 rf"|\bsince\s+(?:the\s+|her\s+|his\s+)?(?:\S+\s+){{0,2}}?(?:{study})\b"
                 rf"|\b(?:since|same\s+as)\s+(?:{date})"
                 rf"|\((?:{adjective})\s+(?:{date})"  # "(prior 7/7)"
                 rf"|\b(?:{study})\s+(?:from|of|dated)\s+(?:{date}))"  # "the study from 9/9 showed"
                 rf"|(?:{date})'s\s+(?:{study})\b")  # "Tuesday's duplex"
    flags = re.IGNORECASE
    lower_only = not re.search(r"(?<!\\)[A-Z]", reference)  # no capital outside an escape (\S, \b)
    return ComparisonVocab(
        reference=re.compile(reference, flags), date=re.compile(date, flags),
        reference_lower=re.compile(reference) if lower_only else None,
        none=re.compile(rf"\b(?:{_words(data['none'])})(?!\w)", flags),
        outside=re.compile(rf"\b(?:{_words(data['outside'])})\b", flags),
        led_date=re.compile(rf"\b(?:{_words(data['date_leads'])})\s+(?:the\s+)?({date})", flags), reach=int(data["date_reach"]),
    )


def _comparison(text: str, start: int, end: int, bound: int, source_from: int, vocab: ComparisonVocab) -> Comparison:
    """The comparison whose reference is text[start:end]; its date and an outside word lie within the
    reach, before ``bound`` (the sentence end)."""
    if vocab.none.search(text, source_from, end):
        return Comparison(None, "none", start, end, text[start:end])
    reach = min(end + vocab.reach, bound)
    source: Source = "outside" if vocab.outside.search(text, source_from, reach) else "prior"
    date = vocab.date.search(text, start, reach)
    if date is not None:
        end = max(end, date.end())
    return Comparison(date.group() if date else None, source, start, end, text[start:end])


def find_comparison(sentences: list[Sentence], text: str, vocab: ComparisonVocab, findings: Sequence[Finding] = ()) -> Comparison | None:
    """The report's comparison, or None when it states none (not even a change)."""
    return stated_comparison(sentences, text, vocab) or implied_comparison(text, vocab, findings)


def stated_comparison(sentences: list[Sentence], text: str, vocab: ComparisonVocab) -> Comparison | None:
    """The comparison the report names: its COMPARISON section, else its first comparing sentence."""
    first = next((i for i, s in enumerate(sentences) if s.section == "comparison"), None)
    if first is not None:
        last = first
        while last + 1 < len(sentences) and sentences[last + 1].section == "comparison":
            last += 1
        start, end = sentences[first].start, sentences[last].end
        end = start + len(text[start:end].rstrip())  # not the line break after it
        return _comparison(text, start, end, end, start, vocab)
    starts = [s.start for s in sentences]
    for match in vocab.references(text):
        k = bisect.bisect_right(starts, match.start()) - 1
        if k < 0 or sentences[k].section in NOT_COMPARING or match.end() > sentences[k].end:
            continue
        return _comparison(text, match.start(), match.end(), sentences[k].end, sentences[k].start, vocab)
    return None


def implied_comparison(text: str, vocab: ComparisonVocab, findings: Sequence[Finding]) -> Comparison | None:
    """A prior study implied by the first stated change, dated by "on/from/since DATE" in its sentence."""
    changed = next((f for f in findings if f.change_cue is not None), None)
    if changed is None or changed.change_cue is None:
        return None
    cue = changed.change_cue
    led = vocab.led_date.search(text, *changed.sentence)  # "(compressible on 4/3)"; not "Duplex 6/18:", today's date
    start, end = (min(cue.start, led.start(1)), max(cue.end, led.end(1))) if led else (cue.start, cue.end)
    return Comparison(led.group(1) if led else None, "prior", start, end, text[start:end])


def follow_up(sentences: list[Sentence], text: str, vocab: ComparisonVocab, findings: Sequence[Finding]) -> tuple[list[Finding], Comparison | None]:
    """The report's comparison, and its findings with the changes that it implies: a named
    comparison makes a contrast a change ("the prior exam showed X ... today X is compressible");
    "Comparison: none." leaves an old clot's "partially recanalized" no change; with no comparison
    named, a stated change implies a prior study."""
    comparison = stated_comparison(sentences, text, vocab)
    if comparison is None:
        return list(findings), implied_comparison(text, vocab, findings)
    if comparison.source == "none":
        return without_follow_up(findings), comparison
    return contrast_changes(findings), comparison
