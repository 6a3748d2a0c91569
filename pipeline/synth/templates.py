"""Narrative report templates (radiology, follow-up, addendum, one-line, consult...)."""
from __future__ import annotations

from . import parts as P
from . import render as R
from .gold_model import Truth, compute_gold
from .render import Ctx


def _paras(paras: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paras if p)


def _comparison(ctx: Ctx, truth: Truth) -> str:
    if truth.comparison:
        return f"Venous duplex dated {ctx.date()}."
    return ctx.choice(["None.", "None available.", "No prior studies."])


def academic_full(truth: Truth, ctx: Ctx) -> str:
    """Academic radiology report with all the usual sections."""
    lat, inline = P.lat_word(ctx, truth), P.lat_inline(ctx, truth)
    out = [ctx.choice([f"EXAM: US VENOUS DUPLEX {lat} LOWER EXTREMITY",
                       f"EXAMINATION: Duplex ultrasound of the {inline} lower extremity veins",
                       f"EXAM: {lat} LOWER EXTREMITY VENOUS DOPPLER"])]
    ind = P.extra(ctx, truth, "indication")
    if ind:
        out.append(f"{ctx.pick('B', 'h_indication')} {' '.join(ind)}")
    hist = P.extra(ctx, truth, "history")
    if hist:
        out.append(f"CLINICAL HISTORY: {' '.join(hist)}")
    out.append(f"COMPARISON: {_comparison(ctx, truth)}")
    if ctx.chance(0.7):
        out.append(f"TECHNIQUE: {ctx.say('technique')}")
    paras = P.body(ctx, truth)
    dis = P.distractors(ctx, truth)
    out.append("FINDINGS:\n" + _paras(paras + [dis]))
    imp = R.impression(ctx, truth)
    out.append("IMPRESSION:\n" + (P.numbered(imp) if len(imp) > 1 and ctx.chance(0.6) else " ".join(imp)))
    adv = P.advice(ctx, truth)
    if adv:
        out.append(" ".join(adv))
    if ctx.chance(0.5):
        out.append(ctx.say("sign"))
    return "\n\n".join(out)


def side_sections(truth: Truth, ctx: Ctx) -> str:
    """RIGHT:/LEFT: sections whose sentences do not repeat the side."""
    lat, inline = P.lat_word(ctx, truth), P.lat_inline(ctx, truth)
    out = [ctx.choice([f"{lat} LOWER EXTREMITY VENOUS DUPLEX", f"Venous Doppler study, {inline}"])]
    ind = P.extra(ctx, truth, "indication") + P.extra(ctx, truth, "history")
    if ind:
        out.append("Reason for exam: " + " ".join(ind))
    if truth.comparison:
        out.append(f"Comparison: {_comparison(ctx, truth)}")
    for side in P.sides_shown(truth):
        head = ctx.pick("SIDE_HEAD", side)
        sents = R.describe(ctx, truth, side, False)
        out.append(f"{head}\n{' '.join(sents)}" if ctx.chance(0.5) else f"{head} {' '.join(sents)}")
    dis = P.distractors(ctx, truth)
    if dis:
        out.append("Other: " + " ".join(dis))
    out.append("IMPRESSION: " + " ".join(R.impression(ctx, truth) + P.advice(ctx, truth)))
    return "\n\n".join(out)


def followup_comparison(truth: Truth, ctx: Ctx) -> str:
    """Follow-up study compared with a prior exam."""
    lat = P.lat_word(ctx, truth)
    out = [f"VENOUS DUPLEX, FOLLOW-UP ({lat})",
           "HISTORY: " + " ".join([ctx.choice(["Follow-up of known DVT.", "Known DVT on anticoagulation, reassess.",
                                               "Follow-up thrombus."])] + P.extra(ctx, truth, "history")),
           f"COMPARISON: {ctx.choice(['Prior venous duplex', 'Lower extremity venous duplex', 'Outside study'])} "
           f"from {ctx.date()}."]
    out.append("FINDINGS: " + _paras(P.body(ctx, truth) + [P.distractors(ctx, truth)]))
    out.append("IMPRESSION: " + " ".join(R.impression(ctx, truth) + P.advice(ctx, truth)))
    return "\n\n".join(out)


def addendum_reread(truth: Truth, ctx: Ctx) -> str:
    """Radiology report followed by an addendum that re-reads one finding."""
    view = P.original_view(truth)
    _lat = P.lat_word(ctx, truth)  # drawn so the seeded stream (and the published corpus) stays the same
    out = [f"EXAM: Venous duplex ultrasound, {P.lat_inline(ctx, truth)} lower extremity"]
    ind = P.extra(ctx, truth, "indication")
    if ind:
        out.append("INDICATION: " + " ".join(ind))
    out.append("FINDINGS: " + _paras(P.body(ctx, view) + [P.distractors(ctx, truth)]))
    out.append("IMPRESSION: " + " ".join(R.impression(ctx, view)))
    out.append(ctx.say("sign"))
    add = [ctx.pick("B", "add_head"), P.addendum_text(ctx, truth)]
    if ctx.chance(0.5):
        add.append("Amended impression: " + " ".join(R.impression(ctx, truth)))
    out.append("\n".join(add) if ctx.chance(0.5) else " ".join(add))
    return "\n\n".join(out)


def one_line(truth: Truth, ctx: Ctx) -> str:
    """A single line: exam name and the result."""
    lat, inline = P.lat_word(ctx, truth), P.lat_inline(ctx, truth)
    head = ctx.choice([f"{lat} LE venous duplex:", f"Venous doppler, {inline} -", f"DVT study ({inline}):",
                       f"US {lat} LE veins:"])
    return f"{head} {' '.join(R.impression(ctx, truth))}"


def impression_only(truth: Truth, ctx: Ctx) -> str:
    """Only an impression, numbered."""
    out = []
    if ctx.chance(0.4):
        out.append(f"Exam: {P.lat_word(ctx, truth)} lower extremity venous duplex.")
    if truth.comparison:
        out.append(f"Comparison: {_comparison(ctx, truth)}")
    imp = R.impression(ctx, truth) + P.distractors(ctx, truth) + P.advice(ctx, truth)
    out.append("IMPRESSION:\n" + P.numbered(imp))
    return "\n".join(out)


def _lower_start(s: str) -> str:
    first = s.split(" ", 1)[0]
    return s if first.isupper() and len(first.strip(".,")) > 1 else s[:1].lower() + s[1:]


def narrative_runon(truth: Truth, ctx: Ctx) -> str:
    """Dictated run-on narrative with little punctuation."""
    sents = [s for p in P.body(ctx, truth) for s in p] + P.distractors(ctx, truth)
    ind = P.extra(ctx, truth, "indication")
    lead = f"venous duplex of the {P.exam_limb(ctx, truth)} was performed"
    lead += ctx.choice([", indication ", ". reason ", ". indication: "]) + _lower_start(ind[0]).rstrip(".") if ind else ""
    text = lead
    for i, s in enumerate(sents):  # the indication clause always ends before the findings start
        text += (". " if i == 0 else ctx.choice([". ", ", ", " and ", "; "])) + _lower_start(s.rstrip("."))
    imp = " ".join(R.impression(ctx, truth))
    text += ctx.choice([". impression ", ". IMPRESSION: ", ". in summary "]) + _lower_start(imp)
    return text[:1].upper() + text[1:]


def all_except(truth: Truth, ctx: Ctx) -> str:
    """'All deep veins are compressible except ...' per side."""
    out = [ctx.choice(["Lower extremity venous duplex.", f"{P.lat_word(ctx, truth)} LE DVT STUDY"])]
    paras = []
    for side in truth.exam_sides:
        fs = [f for f in truth.on(side) if f.status != "absent" and R.GROUP[f.segment] != "superficial"]
        limb = ctx.limb(side)
        if side in truth.nondiagnostic or side in truth.dvt_unspecified:
            paras.append(R.describe(ctx, truth, side, True, normals=False))
        elif fs:
            head = ctx.say("all_except", ctx.seg([f.segment for f in fs], None), limb=limb)
            paras.append([head] + R.describe(ctx, truth, side, ctx.chance(0.5), normals=False))
        else:
            paras.append([ctx.say("all_normal", limb=limb)] + R.describe(ctx, truth, side, True, normals=False))
    out.append(_paras(paras + [P.distractors(ctx, truth)]))
    out.append("Impression: " + " ".join(R.impression(ctx, truth)))
    return "\n\n".join(out)


def list_form(truth: Truth, ctx: Ctx) -> str:
    """Numbered findings, one sentence each, then a conclusion."""
    _lat = P.lat_word(ctx, truth)  # drawn so the seeded stream (and the published corpus) stays the same
    sents = [s for p in P.body(ctx, truth) for s in p] + P.distractors(ctx, truth)
    out = [f"Venous duplex, {P.lat_inline(ctx, truth)} lower extremity."]
    ind = P.extra(ctx, truth, "indication")
    if ind:
        out.append("Indication: " + " ".join(ind))
    out.append("Findings:\n" + P.numbered(sents))
    out.append("Conclusion: " + " ".join(R.impression(ctx, truth)))
    return "\n".join(out)


# -- test-only narrative templates --------------------------------------------------

PLANS = {
    "PROXIMAL": "Start therapeutic anticoagulation for proximal DVT.",
    "IDDVT": "Isolated distal DVT; discussed anticoagulation versus serial imaging. Repeat duplex in 1 week to "
             "evaluate for proximal extension.",
    "ICMVT": "Muscular calf vein thrombosis; serial duplex in 1 week rather than anticoagulation.",
    "DVT_UNSPECIFIED": "Begin anticoagulation; obtain formal report for the extent of thrombus.",
    "INDETERMINATE": "Repeat venous duplex in 5-7 days; low threshold to treat if symptoms progress.",
    "NEGATIVE": "No anticoagulation indicated from a venous standpoint. Leg elevation and compression.",
}


def consult_note(truth: Truth, ctx: Ctx) -> str:
    """Consult note quoting the duplex result, with history that must not count."""
    age, sex = ctx.rng.randrange(24, 93), ctx.choice(["M", "F", "male", "female"])
    hist = P.extra(ctx, truth, "history")
    ind = P.extra(ctx, truth, "indication")
    out = ["VASCULAR MEDICINE CONSULT", "Reason for consult: " + (" ".join(ind) or "leg swelling")]
    out.append((f"HPI: {age} y/o {sex} " + ctx.choice(["presenting with", "seen for", "referred for"])
               + f" {'bilateral leg' if truth.laterality == 'bilateral' else ctx.limb(truth.laterality)} swelling. "
               + " ".join(hist)).rstrip())
    out.append(f"Imaging: Venous duplex of the {P.exam_limb(ctx, truth)} ({ctx.date()}): "
               + " ".join(R.impression(ctx, truth) + P.distractors(ctx, truth)))
    out.append("Assessment/Plan:\n- " + PLANS[compute_gold(truth)["label"]])
    return "\n".join(out)


def bullet_findings(truth: Truth, ctx: Ctx) -> str:
    """Bulleted findings per vein and a bulleted impression."""
    _lat = P.lat_word(ctx, truth)  # drawn so the seeded stream (and the published corpus) stays the same
    out = [f"Study: Lower extremity venous duplex ({P.lat_inline(ctx, truth)})"]
    ind = P.extra(ctx, truth, "indication") + P.extra(ctx, truth, "history")
    if ind:
        out.append("Indication: " + " ".join(ind))
    if truth.comparison:
        out.append(f"Comparison: {ctx.date()}")
    lines = []
    for side in P.sides_shown(truth):
        sw = ctx.side(side)
        lines += [f"- {sw.capitalize() if sw.islower() else sw} {lab}: {val}" for lab, val in P.side_rows(ctx, truth, side)]
        lines += [f"- {n}" for n in P.side_notes(ctx, truth, side)]
    lines += [f"- {d}" for d in P.distractors(ctx, truth)]
    out.append("Findings:\n" + "\n".join(lines))
    out.append("Impression:\n" + "\n".join(f"- {s}" for s in R.impression(ctx, truth)))
    return "\n".join(out)


def prelim_final(truth: Truth, ctx: Ctx) -> str:
    """Sonographer preliminary read superseded by the physician's final read."""
    view = P.original_view(truth)
    out = ["PRELIMINARY READ (sonographer): " + " ".join(s for p in P.body(ctx, view, True) for s in p),
           "Preliminary impression: " + " ".join(R.impression(ctx, view))]
    final = [ctx.pick("B", "add_head"), P.addendum_text(ctx, truth)]
    if ctx.chance(0.7):
        final.append("Final impression: " + " ".join(R.impression(ctx, truth)))
    out.append("\n".join(final))
    return "\n\n".join(out)


def sono_physician(truth: Truth, ctx: Ctx) -> str:
    """Technologist findings by side, then the physician interpretation."""
    out = ["SONOGRAPHER FINDINGS:"]
    for side in P.sides_shown(truth):
        out.append(f"{ctx.pick('SIDE_HEAD', side)} " + " ".join(R.describe(ctx, truth, side, False)))
    if truth.comparison:
        out.append(f"Compared with prior exam of {ctx.date()}.")
    out += P.distractors(ctx, truth)
    out.append("PHYSICIAN INTERPRETATION: " + " ".join(R.impression(ctx, truth) + P.advice(ctx, truth)))
    return "\n".join(out)


def telerad_brief(truth: Truth, ctx: Ctx) -> str:
    """Terse teleradiology report."""
    lat = P.lat_word(ctx, truth)
    out = [f"US DOPPLER VENOUS {lat} LE {ctx.date()}"]
    ind = P.extra(ctx, truth, "indication")
    if ind:
        out.append("CLINICAL: " + " ".join(ind))
    out.append("RESULT: " + " ".join(s for p in P.body(ctx, truth, True) for s in p)
               + (" " + " ".join(P.distractors(ctx, truth)) if truth.extras else ""))
    out.append("CONCLUSION: " + " ".join(R.impression(ctx, truth)))
    return "\n".join(x.rstrip() for x in out)


def interval_recheck(truth: Truth, ctx: Ctx) -> str:
    """Repeat study for a known thrombus."""
    out = [f"REPEAT VENOUS DUPLEX - {P.lat_word(ctx, truth)}",
           f"Prior: {ctx.date()} " + ctx.choice(["(known DVT).", "(thrombus, on anticoagulation).", "(positive study)."])]
    out.append("Interval findings: " + " ".join(s for p in P.body(ctx, truth) for s in p))
    out += P.distractors(ctx, truth)
    out.append("Assessment: " + " ".join(R.impression(ctx, truth) + P.advice(ctx, truth)))
    return "\n".join(out)
