"""Rendering helpers: split-aware phrase picking, noun phrases, finding sentences, impressions."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import lexicon as L
from .gold_model import GROUP, SIDES, Finding, Truth, is_deep
from .phrases import B, ROW

_TABLES = {
    "B": B, "ROW": ROW, "SEG_NOUN": L.SEG_NOUN, "SEG_ADJ": L.SEG_ADJ, "SEG_ROW": L.SEG_ROW,
    "SIDE_ADJ": L.SIDE_ADJ, "LIMB": L.LIMB, "SIDE_HEAD": L.SIDE_HEAD, "LAT_TITLE": L.LAT_TITLE, "LAT_INLINE": L.LAT_INLINE,
    "JUNCTION": L.JUNCTION, "ACUITY_WORD": L.ACUITY_WORD, "OCCLUSION_WORD": L.OCCLUSION_WORD, "REGION": L.REGION,
}
NAMES = ["Patel", "Nguyen", "Okafor", "Schmidt", "Garcia", "Kowalski", "Haddad", "Lindqvist", "Moreau", "Tanaka"]


def parse(entry: str) -> tuple[str, bool, str]:
    """'d~|text' -> ('d', True, 'text')."""
    tag, text = entry.split("|", 1)
    return tag[0], tag.endswith("~"), text


@lru_cache(maxsize=None)
def allowed(table: str, key: str, split: str) -> tuple[tuple[str, ...], tuple[float, ...], tuple[str, ...]]:
    """Entries of one bank usable in a split: texts, weights, tags."""
    own = "d" if split == "dev" else "t"
    rows = [parse(e) for e in _TABLES[table][key]]
    rows = [r for r in rows if r[0] in ("s", own)]
    if not rows:
        raise KeyError(f"bank {table}:{key} has no entry for split {split}")
    return tuple(r[2] for r in rows), tuple(0.08 if r[1] else 1.0 for r in rows), tuple(r[0] for r in rows)


@dataclass
class NP:
    """A noun phrase and its grammatical number."""

    text: str
    plural: bool = False


@dataclass
class Ctx:
    """Per-report rendering state: rng, split and a log of the bank entries used."""

    rng: random.Random
    split: str
    used: list[tuple[str, str, str]] = field(default_factory=list)  # (bank, tag, text)
    memo: dict[str, str] = field(default_factory=dict)  # form chosen earlier in the report

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def choice(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def pick(self, table: str, key: str) -> str:
        texts, weights, tags = allowed(table, key, self.split)
        i = self.rng.choices(range(len(texts)), weights)[0]
        self.used.append((f"{table}:{key}", tags[i], texts[i]))
        return texts[i]

    def say(self, key: str, np: NP | None = None, table: str = "B", **kw) -> str:
        """Pick a sentence from a bank and fill it."""
        text = self.pick(table, key)
        if np is not None:
            kw = {**agree(np), **kw}
        kw.setdefault("reason", "")
        if "{reason}" in text:
            kw["reason"] = self.pick("B", "reason")
        kw.setdefault("n", self.num(0.8, 3.5))
        kw.setdefault("dim", f"{self.num(1.5, 6)} x {self.num(0.8, 3)}")
        kw.setdefault("name", self.choice(NAMES))
        kw.setdefault("time", f"{self.rng.randrange(0, 24):02d}:{self.rng.randrange(0, 60):02d}")
        kw.setdefault("date", self.date())
        kw.setdefault("year", str(self.rng.randrange(2008, 2023)))
        if "{surgery}" in text:
            kw["surgery"] = self.pick("B", "surgery")
        return tidy(text.format(**kw))

    def num(self, lo: float, hi: float) -> str:
        return f"{self.rng.uniform(lo, hi):.1f}"

    def date(self) -> str:
        y, m, d = self.rng.randrange(2018, 2025), self.rng.randrange(1, 13), self.rng.randrange(1, 29)
        return self.choice([f"{m:02d}/{d:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{m}/{d}/{y % 100:02d}"])

    # -- words -------------------------------------------------------------------
    def sticky(self, table: str, key: str, keep: float = 0.75) -> str:
        """Pick, but mostly reuse the form this report already used (dictation is consistent)."""
        memo = f"{table}:{key}"
        if memo in self.memo and self.chance(keep):
            return self.memo[memo]
        self.memo[memo] = self.pick(table, key)
        return self.memo[memo]

    def side(self, side: str) -> str | None:
        return None if side == "unspecified" else self.sticky("SIDE_ADJ", side, 0.85)

    def limb(self, side: str) -> str:
        return self.pick("LIMB", side)

    def acu(self, f: Finding) -> str:
        if f.note == "indeterminate_age":
            return self.pick("ACUITY_WORD", "indeterminate_age") + " "
        if f.acuity in ("acute", "subacute") and self.chance(0.85):
            return self.pick("ACUITY_WORD", f.acuity) + " "
        return ""

    def occ(self, f: Finding) -> str:
        if f.occlusion and self.chance(0.9):
            return self.pick("OCCLUSION_WORD", f.occlusion) + " "
        return ""

    def seg(self, segs: list[str], side: str | None, adj_ok: bool = True) -> NP:
        """Noun phrase naming one or more segments, optionally prefixed by a side word."""
        prefix = f"{side} " if side else ""
        if len(segs) == 1:
            form = self.sticky("SEG_NOUN", segs[0])
            return NP(prefix + form.rstrip("*"), form.endswith("*"))
        if adj_ok and all(s in L.SEG_ADJ for s in segs) and self.chance(0.7):
            return NP(prefix + join(self, [self.sticky("SEG_ADJ", s) for s in segs]) + " veins", True)
        return NP(prefix + join(self, [self.sticky("SEG_NOUN", s).rstrip("*") for s in segs]), True)

    def row(self, seg: str) -> str:
        return self.sticky("SEG_ROW", seg, 0.9)


def agree(np: NP) -> dict[str, str]:
    """Agreement keys for a noun phrase."""
    pl = np.plural
    return {"seg": np.text, "be": "are" if pl else "is", "s": "" if pl else "s", "es": "" if pl else "es",
            "it": "they" if pl else "it"}


def join(ctx: Ctx, items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    comma = "," if len(items) > 2 and ctx.chance(0.5) else ""
    return ", ".join(items[:-1]) + f"{comma} and {items[-1]}"


def tidy(text: str) -> str:
    """Collapse spaces, fix spacing before punctuation, capitalise the first letter."""
    text = re.sub(r" {2,}", " ", text).strip()
    text = re.sub(r" ([.,;:)])", r"\1", text)
    text = text.replace("( ", "(").replace("..", ".")
    return text[:1].upper() + text[1:] if text[:1].islower() else text


# -- finding sentences ------------------------------------------------------------

def link_targets(fs: list[Finding]) -> set[str]:
    """Segments described inside another finding's sentence (extension / no extension)."""
    return {f.link[0] for f in fs if f.link}


def jx_clause(ctx: Ctx, f: Finding) -> str:
    if f.segment not in L.JUNCTION:
        return ctx.choice(["", "", " in the medial calf", " in the anterior thigh"])
    jx = ctx.pick("JUNCTION", f.segment)
    if f.near_junction:
        return ctx.pick("B", "jx_near").format(n=ctx.choice(["0.5", "1", "1.5", "2", "2.5", "3"]), jx=jx)
    level = ctx.choice(["mid thigh", "distal thigh", "calf"] if f.segment == "great_saphenous" else ["mid calf", "distal calf"])
    return ctx.pick("B", "jx_far").format(n=str(ctx.rng.randrange(5, 21)), jx=jx, level=level)


def present_sentence(ctx: Ctx, group: list[Finding], sw: str | None) -> str:
    """Sentence for one group of present findings sharing acuity, occlusion and note."""
    f = group[0]
    np = ctx.seg([g.segment for g in group], sw)
    kw = {"acu": ctx.acu(f), "occ": ctx.occ(f)}
    if f.link:
        tgt = ctx.pick("SEG_NOUN", f.link[0]).rstrip("*")
        if GROUP[f.segment] == "superficial":
            key = "svt_ext" if f.link[1] else "svt_noext"
            return ctx.say(key, np, tgt=tgt, jx=ctx.pick("JUNCTION", f.segment), **kw)
        return ctx.say("ext" if f.link[1] else "noext", np, tgt=tgt, **kw)
    if GROUP[f.segment] == "superficial":
        if f.acuity == "chronic":
            return ctx.say("chronic_sup", np, **kw)
        return ctx.say("svt", np, jxc=jx_clause(ctx, f), **kw)
    if f.note == "improved" and f.acuity == "chronic":
        return ctx.say("improved_chronic", np, **kw)
    if f.note in ("stable", "new", "extended", "improved", "again"):  # follow-up wording (series: pipeline.synth.series)
        return ctx.say(f.note, np, **kw)
    if [g.segment for g in group] == ["calf_unspecified"] and f.acuity != "chronic" and ctx.chance(0.4):
        return ctx.say("present_calf", acu=kw["acu"], occ=kw["occ"], sidep=f"{sw} " if sw else "")
    if f.acuity == "chronic":
        return ctx.say("chronic", np, **kw)
    if f.acuity == "acute_on_chronic":
        return ctx.say("aoc", np, **kw)
    if f.occlusion == "occlusive" and ctx.chance(0.3):
        return ctx.say("present_occlusive", np, acu=kw["acu"])
    if f.occlusion == "nonocclusive" and ctx.chance(0.3):
        return ctx.say("present_nonocclusive", np, acu=kw["acu"])
    return ctx.say("present", np, **kw)


def present_groups(ctx: Ctx, fs: list[Finding]) -> list[list[Finding]]:
    """Group present findings; linked findings and superficial ones stay alone."""
    groups: list[list[Finding]] = []
    for f in fs:
        key = (f.acuity, f.occlusion, f.note, GROUP[f.segment] == "superficial")
        last = groups[-1][0] if groups else None
        if (last is not None and not f.link and not last.link and f.note != "indeterminate_age"
                and (last.acuity, last.occlusion, last.note, GROUP[last.segment] == "superficial") == key
                and key[3] is False and ctx.chance(0.7)):
            groups[-1].append(f)
        else:
            groups.append([f])
    return groups


def normal_sentences(ctx: Ctx, segs: list[str], sw: str | None) -> list[str]:
    """Normal (absent) statements, one or two sentences for thigh and calf veins."""
    deep = [s for s in segs if is_deep(s)]
    sup = [s for s in segs if not is_deep(s)]
    out: list[str] = []
    prox = [s for s in deep if GROUP[s] == "proximal"]
    calf = [s for s in deep if GROUP[s] != "proximal"]
    chunks = [prox, calf] if ctx.chance(0.55) else [deep]
    for chunk in chunks:
        if chunk:
            out.append(ctx.say("normal", ctx.seg(chunk, sw)))
    if sup:
        out.append(ctx.say("normal", ctx.seg(sup, sw)))
    return out


def describe(ctx: Ctx, truth: Truth, side: str, sw_on: bool, normals: bool = True) -> list[str]:
    """Findings-section sentences covering every finding of one side."""
    fs = truth.on(side)
    sw = ctx.side(side) if sw_on and side != "unspecified" else None
    if side in truth.nondiagnostic:
        out = [ctx.say("nondiag", limb=ctx.limb(side))]
        return out + [present_sentence(ctx, [f], sw) for f in fs if f.status == "present"]
    out_pos: list[str] = []
    if side in truth.dvt_unspecified:
        out_pos.append(ctx.say("dvt_side", limb=ctx.limb(side)) if side != "unspecified" else ctx.say("dvt_noside"))
    inner = link_targets(fs)
    pres = [f for f in fs if f.status == "present" and f.segment not in inner]
    for group in present_groups(ctx, pres):
        out_pos.append(present_sentence(ctx, group, sw))
    for f in fs:
        if f.status == "possible":
            if f.segment == "calf_unspecified" and ctx.chance(0.6):
                out_pos.append(ctx.say("possible_calf", sidep=f"{sw} " if sw else ""))
            else:
                out_pos.append(ctx.say("possible", ctx.seg([f.segment], sw), occ=ctx.occ(f)))
        elif f.note in ("resolved", "gone"):
            out_pos.append(ctx.say(f.note, ctx.seg([f.segment], sw)))
    nv = [f.segment for f in fs if f.status == "not_evaluated"]
    if nv:
        out_pos.append(ctx.say("notvis", ctx.seg(nv, sw)))
    plain = [f.segment for f in fs if f.status == "absent" and f.note is None and f.segment not in inner]
    out_norm = normal_sentences(ctx, plain, sw) if normals else []
    return out_norm + out_pos if ctx.chance(0.6) else out_pos + out_norm


def contra_sentence(ctx: Ctx, truth: Truth) -> list[str]:
    """Sentences for the contralateral side of a unilateral exam (its CFV only)."""
    other = [s for s in SIDES if s not in truth.exam_sides and truth.on(s)]
    out = []
    for side in other:
        fs = truth.on(side)
        if all(f.status == "absent" for f in fs):
            out.append(ctx.say("contra", ctx.seg([f.segment for f in fs], ctx.side(side), adj_ok=False)))
        else:
            out += describe(ctx, truth, side, True)
    return out


# -- impression -------------------------------------------------------------------

def plain_negative(truth: Truth, side: str) -> bool:
    """A side with nothing to say but normal veins."""
    return (side not in truth.nondiagnostic and side not in truth.dvt_unspecified
            and all(f.status == "absent" and f.note is None for f in truth.on(side)))


def impression_side(ctx: Ctx, truth: Truth, side: str, sw_on: bool = True) -> list[str]:
    """Impression sentences for one side."""
    fs = truth.on(side)
    sw = ctx.side(side) if sw_on and side != "unspecified" else None
    limb = ctx.limb(side) if side != "unspecified" else ""
    if side in truth.nondiagnostic:
        out = [ctx.say("imp_nondiag", limb=limb)]
        return out + [imp_superficial(ctx, f, sw) for f in fs if f.live and not is_deep(f.segment)]
    out: list[str] = []
    if side in truth.dvt_unspecified:
        out.append(ctx.say("dvt_side", limb=limb) if side != "unspecified" else ctx.say("dvt_noside"))
    svt_targets = {f.link[0] for f in fs if f.link and f.link[1] and not is_deep(f.segment)}
    live = [f for f in fs if f.live and is_deep(f.segment) and f.segment not in svt_targets]
    stable = [f for f in live if f.note in ("stable", "again")]
    moved = {note: [f for f in live if f.note == note] for note in ("extended", "improved")}
    fresh = [f for f in live if f.note not in ("stable", "again", "extended", "improved")]
    if fresh:
        acu = "acute on chronic " if any(f.acuity == "acute_on_chronic" for f in fresh) else (
            "acute " if all(f.acuity == "acute" for f in fresh) and ctx.chance(0.8) else "")
        out.append(ctx.say("imp_pos", ctx.seg([f.segment for f in fresh], sw), acu=acu, occ=""))
    if stable:
        out.append(ctx.say("imp_stable", ctx.seg([f.segment for f in stable], sw)))
    for note, found in moved.items():
        if found:
            out.append(ctx.say(f"imp_{note}", ctx.seg([f.segment for f in found], sw)))
    chronic = [f for f in fs if f.status == "present" and f.acuity == "chronic" and is_deep(f.segment)]
    if chronic:
        if not live and side not in truth.dvt_unspecified and side != "unspecified":
            out.append(ctx.say("imp_no_acute", limb=limb))
        out.append(ctx.say("imp_chronic", ctx.seg([f.segment for f in chronic], sw)))
    possible = [f for f in fs if f.status == "possible" and is_deep(f.segment)]
    for f in possible:
        out.append(ctx.say("imp_possible", ctx.seg([f.segment], sw)))
    out += [imp_superficial(ctx, f, sw) for f in fs if f.live and f.link and f.link[1] and not is_deep(f.segment)]
    if not out and side != "unspecified":
        partial = any(f.status == "not_evaluated" for f in fs)
        out.append(ctx.say("imp_neg_partial" if partial and ctx.chance(0.6) else "imp_neg", limb=limb))
        nv = [f.segment for f in fs if f.status == "not_evaluated"]
        if nv and ctx.chance(0.6):
            out.append(ctx.say("notvis", ctx.seg(nv, sw)))
    for f in fs:
        if f.note in ("resolved", "gone"):
            out.append(ctx.say("imp_resolved", ctx.seg([f.segment], sw)))
        elif f.live and not is_deep(f.segment) and not (f.link and f.link[1]):
            out.append(imp_superficial(ctx, f, sw))
    return out


def imp_superficial(ctx: Ctx, f: Finding, sw: str | None) -> str:
    np = ctx.seg([f.segment], sw)
    if f.link and f.link[1]:
        return ctx.say("imp_svt_ext", np, jx=ctx.pick("JUNCTION", f.segment),
                       tgt=ctx.pick("SEG_NOUN", f.link[0]).rstrip("*"))
    return ctx.say("imp_svt", np, jxc=jx_clause(ctx, f))


def impression(ctx: Ctx, truth: Truth) -> list[str]:
    """Impression sentences for the whole report (sides named)."""
    sides = [s for s in (*SIDES, "unspecified") if s in truth.exam_sides or truth.on(s)
             or s in truth.dvt_unspecified or s in truth.nondiagnostic]
    if truth.laterality == "bilateral" and all(plain_negative(truth, s) for s in sides) and ctx.chance(0.7):
        return [ctx.say("imp_neg_bilat")]
    if "unspecified" in sides:  # do not call a leg negative next to a thrombus of unknown side
        sides = [s for s in sides if s == "unspecified" or not plain_negative(truth, s)]
    out: list[str] = []
    for side in sides:
        if side not in truth.exam_sides and side != "unspecified" and plain_negative(truth, side) and ctx.chance(0.7):
            continue  # a normal contralateral CFV is rarely repeated in the impression
        out += impression_side(ctx, truth, side)
    return out
