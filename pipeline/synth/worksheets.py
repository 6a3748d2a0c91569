"""Vascular-lab worksheets, tables and point-of-care compression exams (one row per vein)."""
from __future__ import annotations

from . import parts as P
from . import render as R
from .gold_model import GROUP, ORDER, Finding, Truth
from .render import Ctx


def worksheet_colon(truth: Truth, ctx: Ctx) -> str:
    """'CFV: compressible, phasic flow' lines under side headings."""
    out = [ctx.choice(["VASCULAR LAB - LOWER EXTREMITY VENOUS DUPLEX WORKSHEET", "VENOUS DUPLEX WORKSHEET",
                       "LE VENOUS DVT EXAM - TECH WORKSHEET"]),
           f"Exam: {P.lat_word(ctx, truth)}"]
    ind = P.extra(ctx, truth, "indication") + P.extra(ctx, truth, "history")
    if ind:
        out.append("Hx: " + " ".join(ind))
    sep = ctx.choice([": ", " - ", ":  "])
    for side in P.sides_shown(truth):
        out.append(ctx.pick("SIDE_HEAD", side))
        out += [f"{lab}{sep}{val}" for lab, val in P.side_rows(ctx, truth, side)]
        out += P.side_notes(ctx, truth, side)
    dis = P.distractors(ctx, truth)
    if dis:
        out.append("Comments: " + " ".join(dis))
    out.append("Interpretation: " + " ".join(R.impression(ctx, truth)))
    if ctx.chance(0.5):
        out.append(f"Tech: {ctx.choice(R.NAMES)}, RVT")
    return "\n".join(out)


def _cells(ctx: Ctx, f: Finding) -> tuple[str, str, str, str]:
    """Compressible / Thrombus / Flow / Comment cells of the yes-no table."""
    if f.status == "absent":
        return "Yes", "No", ctx.choice(["Phasic", "Normal", "Spontaneous"]), ""
    if f.status == "not_evaluated":
        return "N/V", "N/V", "N/V", ctx.pick("B", "reason") if ctx.chance(0.5) else ""
    if f.status == "possible":
        return "Equivocal", "Possible", "Present", ctx.choice(["", "cannot exclude thrombus", "? thrombus"])
    comment = ""
    if f.link:
        comment = ("extends into " if f.link[1] else "no extension into ") + ctx.row(f.link[0])
    elif GROUP[f.segment] == "superficial" and f.acuity != "chronic":
        comment = R.jx_clause(ctx, f).lstrip(", ").strip()
    if f.acuity == "chronic":
        return "Partial", "Chronic", "Present", comment or ctx.choice(["", "synechiae", "recanalized"])
    if f.acuity == "acute_on_chronic":
        return "No", "Acute on chronic", "Reduced", comment
    comp = "Partial" if f.occlusion == "nonocclusive" else "No"
    flow = "Absent" if f.occlusion == "occlusive" else "Reduced" if f.occlusion else "Diminished"
    thr = {"acute": "Yes - acute", "subacute": "Yes - subacute"}.get(f.acuity, "Yes")
    if f.note == "indeterminate_age":
        thr = "Yes - age indeterminate"
    return comp, thr, flow, comment


def worksheet_table(truth: Truth, ctx: Ctx) -> str:
    """Table with Yes/No columns per vein."""
    out = ["LOWER EXTREMITY VENOUS DUPLEX", f"Side examined: {P.lat_word(ctx, truth).capitalize()}"]
    ind = P.extra(ctx, truth, "indication")
    if ind:
        out.append("Indication: " + " ".join(ind))
    header = f"{'Vein':<16}{'Compressible':<14}{'Thrombus':<26}{'Flow':<12}Comment"
    for side in P.sides_shown(truth):
        out.append("")
        out.append(ctx.pick("SIDE_HEAD", side))
        out.append(header)
        for f in truth.on(side):
            c = _cells(ctx, f)
            out.append(f"{ctx.row(f.segment):<16}{c[0]:<14}{c[1]:<26}{c[2]:<12}{c[3]}".rstrip())
        out += P.side_notes(ctx, truth, side)
    out.append("")
    dis = P.distractors(ctx, truth)
    if dis:
        out.append("Additional findings: " + " ".join(dis))
    out.append("Impression: " + " ".join(R.impression(ctx, truth)))
    return "\n".join(out)


def _point_exam(truth: Truth, ctx: Ctx, title: str, inline: bool) -> str:
    out = [title]
    ind = P.extra(ctx, truth, "indication")
    if ind:
        out.append("Indication: " + " ".join(ind))
    for side in P.sides_shown(truth):
        rows = [(ctx.row(f.segment), P.row_value(ctx, f)) for f in truth.on(side)]
        label = ctx.limb(side)
        if inline:
            out.append(f"{label.capitalize() if label.islower() else label}: "
                       + "; ".join(f"{a} - {b}" for a, b in rows) + ".")
        else:
            out.append(ctx.pick("SIDE_HEAD", side))
            out += [f"{a}: {b}" for a, b in rows]
        out += P.side_notes(ctx, truth, side)
    return "\n".join(out)


def ed_two_point(truth: Truth, ctx: Ctx) -> str:
    """Emergency department two-point compression exam."""
    text = _point_exam(truth, ctx, ctx.choice(["ED POINT-OF-CARE ULTRASOUND: LOWER EXTREMITY DVT (2-POINT COMPRESSION)",
                                               "Bedside ultrasound, limited 2-point compression study"]), False)
    imp = " ".join(R.impression(ctx, truth))
    return f"{text}\nInterpretation: {imp}\nPerformed and interpreted by ED physician."


def pocus_three_point(truth: Truth, ctx: Ctx) -> str:
    """Bedside three-point compression exam written inline."""
    text = _point_exam(truth, ctx, ctx.choice(["POCUS DVT (3-point: CFV / FV / popliteal)",
                                               "Limited bedside venous compression ultrasound, three-point"]), True)
    return f"{text}\nImpression: {' '.join(R.impression(ctx, truth))}"


CODES = ("Legend: C = compressible, NC = non-compressible, PC = partially compressible, NV = not visualized, "
         "? = equivocal, (A) acute, (SA) subacute, (CH) chronic, -- = not examined")


def _code(f: Finding | None) -> str:
    if f is None:
        return "--"
    if f.status == "absent":
        return "C"
    if f.status == "not_evaluated":
        return "NV"
    if f.status == "possible":
        return "?"
    base = "PC" if f.occlusion == "nonocclusive" else "NC"
    suffix = {"acute": " (A)", "subacute": " (SA)", "chronic": " (CH)", "acute_on_chronic": " (A/CH)"}.get(f.acuity, "")
    return base + suffix


def worksheet_grid(truth: Truth, ctx: Ctx) -> str:
    """Coded grid with one column per side and a legend."""
    sides = P.sides_shown(truth)
    segs = sorted({f.segment for s in sides for f in truth.on(s)}, key=ORDER.__getitem__)
    by = {(f.side, f.segment): f for f in truth.findings}
    out = [ctx.choice(["PERIPHERAL VASCULAR LAB - VENOUS DVT PROTOCOL", "Venous duplex grid report"]), CODES, ""]
    labels = {seg: ctx.row(seg) for seg in segs}
    width = max([len(x) for x in labels.values()] + [7]) + 3
    out.append((f"{'Segment':<{width}}" + "".join(f"{s.capitalize():<12}" for s in sides)).rstrip())
    for seg in segs:
        out.append((f"{labels[seg]:<{width}}" + "".join(f"{_code(by.get((s, seg))):<12}" for s in sides)).rstrip())
    notes = []
    for s in sides:
        notes += P.side_notes(ctx, truth, s)
        for f in truth.on(s):
            if f.status == "present" and GROUP[f.segment] == "superficial" and f.acuity != "chronic":
                notes.append(R.present_sentence(ctx, [f], ctx.side(s)))
            elif f.link and f.status == "present":
                notes.append(R.present_sentence(ctx, [f], ctx.side(s)))
    notes += P.distractors(ctx, truth)
    if notes:
        out += ["", "Notes: " + " ".join(notes)]
    out += ["", "Summary: " + " ".join(R.impression(ctx, truth))]
    return "\n".join(out)
