"""Report parts shared by templates: extras, findings bodies, worksheet rows, addendum views."""
from __future__ import annotations

from dataclasses import replace

from . import render as R
from .gold_model import GROUP, SIDES, Finding, Truth, compute_gold, is_deep
from .render import Ctx

DISTRACTOR_KINDS = ("baker", "artery", "hematoma", "muscle_tear", "nodes", "edema")


def extra(ctx: Ctx, truth: Truth, kind: str) -> list[str]:
    """Sentences for the truth's extras of one kind (none of them is a finding)."""
    out = []
    for k, side in truth.extras:
        if k != kind:
            continue
        if k == "indication":
            out.append(ctx.say("indication", limb=ctx.limb(side)))
        elif k == "history":
            out.append(ctx.say("history", side=ctx.side(side)))
        elif k in DISTRACTOR_KINDS:
            named = truth.laterality == "bilateral" or ctx.chance(0.6)
            out.append(ctx.say(k, side=ctx.side(side) if named else ""))
        elif k == "recommend":
            label = compute_gold(truth)["label"]
            if label in ("IDDVT", "ICMVT", "INDETERMINATE"):
                out.append(ctx.say("recommend_pos"))
            elif label == "NEGATIVE":
                out.append(ctx.say("recommend_neg"))
        elif k == "communicate" and compute_gold(truth)["label"] != "NEGATIVE":
            out.append(ctx.say("communicate"))
    return out


def distractors(ctx: Ctx, truth: Truth) -> list[str]:
    return [s for kind in DISTRACTOR_KINDS for s in extra(ctx, truth, kind)]


def advice(ctx: Ctx, truth: Truth) -> list[str]:
    return extra(ctx, truth, "recommend") + extra(ctx, truth, "communicate")


def has_unspecified(truth: Truth) -> bool:
    return bool(truth.on("unspecified")) or "unspecified" in truth.dvt_unspecified


def body(ctx: Ctx, truth: Truth, sw_on: bool | None = None) -> list[list[str]]:
    """Findings paragraphs, sides named in each sentence unless unilateral and sw_on is False."""
    if sw_on is None:
        sw_on = truth.laterality == "bilateral" or ctx.chance(0.5)
    paras: list[list[str]] = []
    if has_unspecified(truth):
        segs = [f.segment for f in truth.on("left") if f.status == "absent"]
        if segs:
            paras.append([bilaterally(s) for s in R.normal_sentences(ctx, segs, None)])
        paras.append(R.describe(ctx, truth, "unspecified", False))
        return paras
    for side in truth.exam_sides:
        paras.append(R.describe(ctx, truth, side, sw_on))
    contra = R.contra_sentence(ctx, truth)
    if contra:
        paras.append(contra)
    return paras


def bilaterally(sentence: str) -> str:
    """'The CFV is compressible.' -> 'Bilaterally, the CFV is compressible.'"""
    first = sentence.split(" ", 1)[0]
    head = sentence if first.isupper() and len(first) > 1 else sentence[:1].lower() + sentence[1:]
    return f"Bilaterally, {head}"


def lat_word(ctx: Ctx, truth: Truth) -> str:
    return ctx.pick("LAT_TITLE", truth.laterality)


def lat_inline(ctx: Ctx, truth: Truth) -> str:
    return ctx.pick("LAT_INLINE", truth.laterality)


def exam_limb(ctx: Ctx, truth: Truth) -> str:
    if truth.laterality == "bilateral":
        return ctx.choice(["bilateral lower extremities", "lower extremities", "bilateral legs"])
    return ctx.limb(truth.laterality)


def original_view(truth: Truth) -> Truth:
    """The truth as the body of an addended report read it."""
    if truth.addendum is None:
        return truth
    orig = truth.addendum.original
    fs = [orig if (f.side, f.segment) == (orig.side, orig.segment) else f for f in truth.findings]
    return replace(truth, findings=fs, addendum=None)


def addendum_text(ctx: Ctx, truth: Truth) -> str:
    """The addendum sentence re-reading the addressed finding (final read)."""
    assert truth.addendum is not None
    orig = truth.addendum.original
    final = next(f for f in truth.findings if (f.side, f.segment) == (orig.side, orig.segment))
    np = ctx.seg([final.segment], ctx.side(final.side))
    if truth.addendum.kind == "downgrade":
        return ctx.say("add_downgrade", np)
    key = "add_confirm" if truth.addendum.kind == "confirm" else "add_upgrade"
    return ctx.say(key, np, acu=ctx.acu(final), occ=ctx.occ(final))


# -- worksheet rows ---------------------------------------------------------------

def row_value(ctx: Ctx, f: Finding) -> str:
    """Short cell text for one vein's finding."""
    kw = {"acu": ctx.acu(f), "occ": ctx.occ(f)}
    if f.note == "resolved":
        return ctx.pick("ROW", "resolved")
    if f.status == "present":
        key = {"chronic": "chronic", "acute_on_chronic": "aoc"}.get(f.acuity, "present")
        if GROUP[f.segment] == "superficial" and key != "chronic":
            key = "present_sup"  # never call a superficial thrombus "DVT"
        text = ctx.pick("ROW", key).format(**kw)
        if GROUP[f.segment] == "superficial" and f.acuity != "chronic" and not f.link:
            text += R.jx_clause(ctx, f)
        if f.link:
            tgt = ctx.row(f.link[0])
            text += ctx.pick("ROW", "ext_sfx" if f.link[1] else "noext_sfx").format(tgt=tgt)
        if f.note in ("stable", "new"):
            text += ctx.pick("ROW", f"{f.note}_sfx")
    elif f.status == "possible":
        text = ctx.pick("ROW", "possible")
    elif f.status == "not_evaluated":
        text = ctx.pick("ROW", "not_evaluated").format(reason=ctx.pick("B", "reason"))
    else:
        text = ctx.pick("ROW", "absent")
    return " ".join(text.split())


def side_rows(ctx: Ctx, truth: Truth, side: str) -> list[tuple[str, str]]:
    """(row label, cell) for every finding of one side, deep then superficial."""
    return [(ctx.row(f.segment), row_value(ctx, f)) for f in truth.on(side)]


def side_notes(ctx: Ctx, truth: Truth, side: str) -> list[str]:
    """Side-level statements a row cannot carry: nondiagnostic side, DVT without a vein."""
    out = []
    if side in truth.nondiagnostic:
        out.append(ctx.say("nondiag", limb=ctx.limb(side)))
    if side in truth.dvt_unspecified:
        out.append(ctx.say("dvt_side", limb=ctx.limb(side)))
    return out


def sides_shown(truth: Truth) -> list[str]:
    """Exam sides plus a contralateral side with findings."""
    return [s for s in SIDES if s in truth.exam_sides or truth.on(s)]


def numbered(lines: list[str]) -> str:
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


def deep_live(truth: Truth) -> bool:
    return any(f.live and is_deep(f.segment) for f in truth.findings)
