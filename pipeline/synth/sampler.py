"""Sample a structured truth for a target label and a template."""
from __future__ import annotations

import random
from dataclasses import replace

from .gold_model import GROUP, LABELS, ORDER, SIDES, Addendum, Finding, Template, Truth, is_deep

PROX_RUNS = [
    ("popliteal",), ("femoral",), ("femoral", "popliteal"), ("common_femoral",), ("common_femoral", "femoral"),
    ("common_femoral", "femoral", "popliteal"), ("deep_femoral",), ("common_femoral", "deep_femoral"),
    ("external_iliac", "common_femoral", "femoral"), ("common_iliac", "external_iliac", "common_femoral"),
]
AXIAL = [
    ("posterior_tibial",), ("peroneal",), ("posterior_tibial", "peroneal"), ("anterior_tibial",),
    ("tibioperoneal_trunk",), ("tibioperoneal_trunk", "peroneal"), ("calf_unspecified",),
]
AXIAL_SEGS = ("tibioperoneal_trunk", "posterior_tibial", "peroneal", "anterior_tibial")
MUSCULAR = [("soleal",), ("gastrocnemius",), ("muscular_calf",), ("gastrocnemius", "soleal")]
DISTRACTORS = ["baker", "artery", "hematoma", "muscle_tear", "nodes", "edema"]
RANK = {lab: i for i, lab in enumerate(LABELS)}


def coverage(rng: random.Random, protocol: str) -> tuple[list[str], list[str]]:
    """Segments imaged normally and segments reported not evaluated, for one side."""
    if protocol == "none":
        return [], []
    if protocol == "two_point":
        segs = ["common_femoral", "popliteal"] + (["femoral"] if rng.random() < 0.2 else [])
        return segs, (["calf_unspecified"] if rng.random() < 0.4 else [])
    segs = ["common_femoral", "femoral", "popliteal"]
    if rng.random() < 0.4:
        segs.append("deep_femoral")
    if protocol in ("thigh", "three_point"):
        return segs, (["calf_unspecified"] if rng.random() < 0.5 else [])
    if rng.random() < 0.1:
        segs.append("external_iliac")
    r = rng.random()
    if r < 0.75:
        segs += ["posterior_tibial", "peroneal"]
        segs += [s for s, p in (("anterior_tibial", 0.12), ("tibioperoneal_trunk", 0.1)) if rng.random() < p]
    elif r < 0.9:
        segs.append("calf_unspecified")
    segs += [s for s, p in (("gastrocnemius", 0.35), ("soleal", 0.35), ("great_saphenous", 0.35),
                            ("small_saphenous", 0.15)) if rng.random() < p]
    return segs, []


class Builder:
    """Mutable findings keyed by (side, segment) while a truth is sampled."""

    def __init__(self, rng: random.Random, tpl: Template, laterality: str):
        self.rng, self.tpl = rng, tpl
        self.truth = Truth(laterality=laterality)
        self.fs: dict[tuple[str, str], Finding] = {}

    def set(self, side: str, seg: str, **kw) -> None:
        self.fs[(side, seg)] = Finding(seg, side, **kw)

    def plain(self, side: str, seg: str) -> bool:
        """Unused so far: not mentioned, or a plain normal vein not inside a link."""
        f = self.fs.get((side, seg))
        linked = any(g.link and g.link[0] == seg and g.side == side for g in self.fs.values())
        return not linked and (f is None or (f.status == "absent" and f.note is None and f.link is None))

    def covered(self, side: str, deep_only: bool = True) -> list[str]:
        return [seg for (s, seg), f in self.fs.items() if s == side and (is_deep(seg) or not deep_only)]

    def live_kw(self) -> dict:
        r = self.rng.random()
        acuity = "acute" if r < 0.45 else "subacute" if r < 0.55 else "acute_on_chronic" if r < 0.66 else "unspecified"
        note = "indeterminate_age" if acuity == "unspecified" and self.rng.random() < 0.35 else None
        return {"status": "present", "acuity": acuity, "occlusion": self.occlusion(), "note": note}

    def occlusion(self) -> str | None:
        r = self.rng.random()
        return "occlusive" if r < 0.35 else "nonocclusive" if r < 0.75 else None

    def busy(self, side: str) -> bool:
        """The side already has a thrombus, a possible finding or a follow-up note."""
        return any(f.status in ("present", "possible") or f.note for (s, _), f in self.fs.items() if s == side)

    def finish(self) -> Truth:
        t = self.truth
        t.findings = sorted(self.fs.values(), key=lambda f: (f.side, ORDER[f.segment]))
        for f in t.findings:
            if f.status == "present" and f.note == "indeterminate_age":
                t.feature("indeterminate_age")
            if f.status == "present" and f.acuity == "acute_on_chronic":
                t.feature("acute_on_chronic")
        for side in (*SIDES, "unspecified"):
            fs = t.on(side)
            if any(f.status == "present" and f.acuity == "chronic" and is_deep(f.segment) for f in fs) and not any(
                    f.live and is_deep(f.segment) for f in fs):
                t.feature("chronic_only_side")
        return t


# -- events -----------------------------------------------------------------------

def ev_thrombus(b: Builder, side: str, group: str) -> bool:
    """Present, non-chronic thrombus of a group on one side."""
    rng, proto = b.rng, b.tpl.protocol
    if group == "proximal":
        runs = PROX_RUNS
        if proto in ("two_point", "three_point", "thigh"):
            runs = [r for r in PROX_RUNS if all((side, s) in b.fs for s in r)] or [("common_femoral",)]
        choices = ["run"] * 6
        if proto not in ("two_point",) and b.plain(side, "femoral") and b.plain(side, "popliteal"):
            choices.append("ext")
        if b.tpl.superficial and proto in ("full", "none") and b.plain(side, "common_femoral"):
            choices += ["svt_ext"]
        kind = rng.choice(choices)
        if kind == "ext":
            kw = b.live_kw()
            b.set(side, "femoral", **kw, link=("popliteal", True))
            b.set(side, "popliteal", **{**kw, "note": None})
            b.truth.feature("extension_into")
            return True
        if kind == "svt_ext":
            sup, deep = rng.choice([("great_saphenous", "common_femoral")] * 3 + [("small_saphenous", "popliteal")])
            if not b.plain(side, deep):
                return False
            kw = b.live_kw()
            b.set(side, sup, **{**kw, "note": None}, near_junction=True, link=(deep, True))
            b.set(side, deep, **{**kw, "note": None})
            b.truth.feature("svt_extends_deep")
            return True
        segs = rng.choice(runs)
    else:
        segs = rng.choice(AXIAL if group == "distal_axial" else MUSCULAR)
    if "calf_unspecified" in segs and any((side, s) in b.fs for s in AXIAL_SEGS):
        return False  # "calf veins" thrombus beside named normal calf veins would contradict them
    if not all(b.plain(side, s) for s in segs):
        return False
    calf = b.fs.get((side, "calf_unspecified"))
    if group != "proximal" and calf is not None and calf.status == "not_evaluated":
        del b.fs[(side, "calf_unspecified")]  # the calf is imaged after all
    kw = b.live_kw()
    for s in segs:
        b.set(side, s, **kw)
    if group == "distal_axial" and len(segs) == 1 and segs[0] != "calf_unspecified" and proto in ("full", "none") \
            and b.plain(side, "popliteal") and rng.random() < 0.2:
        b.set(side, segs[0], **kw, link=("popliteal", False))
        b.set(side, "popliteal")
        b.truth.feature("no_extension")
    return True


def ev_possible(b: Builder, side: str) -> bool:
    pool = [s for s in b.covered(side) if b.plain(side, s)] if side != "unspecified" else []
    if b.tpl.protocol not in ("two_point", "three_point"):
        pool += ["calf_unspecified", "peroneal", "posterior_tibial", "popliteal", "soleal"]
    pool = [s for s in pool if b.plain(side, s)]
    if any((side, s) in b.fs for s in AXIAL_SEGS):
        pool = [s for s in pool if s != "calf_unspecified"]
    if not pool:
        return False
    seg = b.rng.choice(pool)
    calf = b.fs.get((side, "calf_unspecified"))
    if GROUP[seg] != "proximal" and calf is not None and calf.status == "not_evaluated":
        del b.fs[(side, "calf_unspecified")]
    b.set(side, seg, status="possible", occlusion=b.rng.choice([None, None, "nonocclusive"]))
    b.truth.feature("possible_deep")
    return True


def ev_nondiag(b: Builder, side: str) -> bool:
    if not b.tpl.nondiag_ok or side == "unspecified" or b.busy(side):
        return False
    for seg in b.covered(side, deep_only=False):
        if is_deep(seg):
            b.set(side, seg, status="not_evaluated")
        else:
            del b.fs[(side, seg)]
    b.truth.nondiagnostic.append(side)
    b.truth.feature("nondiagnostic_side")
    return True


def ev_dvt_side(b: Builder, side: str) -> bool:
    if b.busy(side):
        return False
    for seg in b.covered(side):
        del b.fs[(side, seg)]
    b.truth.dvt_unspecified.append(side)
    b.truth.feature("dvt_unspecified")
    return True


def ev_chronic(b: Builder, side: str) -> bool:
    pool = [s for s in ("common_femoral", "femoral", "popliteal", "posterior_tibial", "peroneal") if b.plain(side, s)]
    if b.tpl.protocol in ("two_point", "three_point", "thigh"):
        pool = [s for s in pool if (side, s) in b.fs]
    if not pool:
        return False
    b.set(side, b.rng.choice(pool), status="present", acuity="chronic",
          occlusion=b.rng.choice(["nonocclusive", "nonocclusive", None, "occlusive"]))
    b.truth.feature("chronic")
    return True


def ev_svt(b: Builder, side: str) -> bool:
    if not b.tpl.superficial or b.tpl.protocol in ("two_point", "three_point", "thigh"):
        return False
    seg = b.rng.choice(["great_saphenous", "great_saphenous", "small_saphenous", "superficial_other"])
    if not b.plain(side, seg):
        return False
    near = seg != "superficial_other" and b.rng.random() < 0.4
    kw = b.live_kw()
    kw["note"] = None
    if b.rng.random() < 0.1:
        kw["acuity"] = "chronic"
    deep = {"great_saphenous": "common_femoral", "small_saphenous": "popliteal"}.get(seg)
    if kw["acuity"] == "chronic":
        near = False
    if near and deep and b.plain(side, deep) and b.tpl.protocol == "full" and b.rng.random() < 0.3:
        b.set(side, seg, **kw, near_junction=True, link=(deep, False))
        b.set(side, deep)
        b.truth.feature("no_extension")
    else:
        b.set(side, seg, **kw, near_junction=near)
    b.truth.feature("svt" if kw["acuity"] != "chronic" else "chronic_superficial")
    if near and kw["acuity"] != "chronic":
        b.truth.feature("svt_near_junction")
    return True


def ev_partial(b: Builder, side: str) -> bool:
    """Part of a side not visualized, rest normal."""
    calf = [s for s in b.covered(side) if GROUP[s] != "proximal" and b.plain(side, s)]
    if b.tpl.protocol != "full" or not b.covered(side):
        return False
    for seg in (b.rng.sample(calf, k=b.rng.randint(1, len(calf))) if calf else ["calf_unspecified"]):
        if b.plain(side, seg):
            b.set(side, seg, status="not_evaluated")
    return True


EVENTS = {"PROXIMAL": "proximal", "IDDVT": "distal_axial", "ICMVT": "distal_muscular"}


def apply_label(b: Builder, side: str, label: str) -> bool:
    """Make one side carry a label (possibly a lower one is kept by others)."""
    if label in EVENTS:
        ok = any(ev_thrombus(b, side, EVENTS[label]) for _ in range(4))
        if ok and label == "IDDVT" and b.rng.random() < 0.25:
            ev_thrombus(b, side, "distal_muscular")
        return ok
    if label == "DVT_UNSPECIFIED":
        return ev_dvt_side(b, side)
    if label == "INDETERMINATE":
        if b.rng.random() < 0.4 and ev_nondiag(b, side):
            return True
        return ev_possible(b, side)
    return True


def sample_truth(rng: random.Random, target: str, tpl: Template) -> Truth:
    """A truth whose gold label is `target`, shaped to what `tpl` can say."""
    allowed = [lab for lab in LABELS if RANK[lab] >= RANK[target] and lab in tpl.labels]
    r = rng.random()
    lat = "left" if r < 0.38 else "right" if r < 0.75 else "bilateral"
    b = Builder(rng, tpl, lat)
    sides = b.truth.exam_sides
    unspec = (lat == "bilateral" and tpl.unspecified_ok and target != "NEGATIVE" and rng.random() < 0.6
              and (target != "DVT_UNSPECIFIED" or tpl.protocol == "none"))
    base = coverage(rng, tpl.protocol)
    for side in sides:
        normal, notvis = base if unspec else coverage(rng, tpl.protocol)
        for seg in normal:
            b.set(side, seg)
        for seg in notvis:
            b.set(side, seg, status="not_evaluated")
            b.truth.feature("partial_not_visualized")
    if lat != "bilateral" and tpl.protocol != "none" and rng.random() < 0.25:
        other = "left" if lat == "right" else "right"
        b.set(other, "common_femoral")
        b.truth.feature("contralateral_cfv")
        if target == "PROXIMAL" and rng.random() < 0.15:
            b.set(other, "common_femoral", **b.live_kw())
    if unspec:
        primary = "unspecified"
        b.truth.feature("unspecified_side")
    else:
        primary = rng.choice(sides)
    if not apply_label(b, primary, target) and target != "NEGATIVE":
        apply_label(b, primary, "INDETERMINATE" if target == "DVT_UNSPECIFIED" else target)
    if unspec:  # the unspecified finding's veins are not said to be normal on either side
        for (_side, seg) in [k for k in b.fs if k[0] == "unspecified"]:
            for s in SIDES:
                if b.plain(s, seg) and (s, seg) in b.fs:
                    del b.fs[(s, seg)]
    else:
        secondary(b, primary, allowed)
    if tpl.comparison == "required" or (tpl.comparison == "ok" and rng.random() < 0.3):
        follow_up(b, target)
    if tpl.addendum:
        addendum(b, target)
    extras(b)
    return b.finish()


def secondary(b: Builder, primary: str, allowed: list[str]) -> None:
    """Other events that keep the report label: other side's label, chronic, SVT, partial views."""
    rng = b.rng
    for side in b.truth.exam_sides:
        if side != primary and rng.random() < 0.55:
            apply_label(b, side, rng.choice(allowed))
    for side in b.truth.exam_sides:
        if side in b.truth.nondiagnostic or side in b.truth.dvt_unspecified:
            continue
        if rng.random() < 0.14:
            ev_chronic(b, side)
        if rng.random() < 0.14:
            ev_svt(b, side)
        if rng.random() < 0.12 and ev_partial(b, side):
            b.truth.feature("partial_not_visualized")
        if "INDETERMINATE" in allowed and rng.random() < 0.06:
            ev_possible(b, side)
        if "ICMVT" in allowed and rng.random() < 0.06 and b.tpl.protocol in ("full", "none"):
            ev_thrombus(b, side, "distal_muscular")


def follow_up(b: Builder, target: str) -> None:
    """Comparison with a prior study: stable/new thrombus, resolved thrombus."""
    rng, t = b.rng, b.truth
    t.comparison = True
    live = [f for f in b.fs.values() if f.live and is_deep(f.segment) and not f.link and f.side != "unspecified"
            and f.note in (None, "indeterminate_age")]
    live = [f for f in live if not any(g.link and g.link[0] == f.segment and g.side == f.side for g in b.fs.values())]
    if live and rng.random() < 0.7:
        f = rng.choice(live)
        if rng.random() < 0.6:
            b.fs[(f.side, f.segment)] = replace(f, note="stable", acuity="unspecified")
            t.feature("stable")
        else:
            b.fs[(f.side, f.segment)] = replace(f, note="new")
            t.feature("new_thrombus")
    if target == "NEGATIVE" or rng.random() < 0.4 or "stable" not in t.features and "new_thrombus" not in t.features:
        sides = [s for s in t.exam_sides if s not in t.nondiagnostic and s not in t.dvt_unspecified]
        pool = [(s, seg) for s in sides for seg in ("femoral", "popliteal", "common_femoral", "peroneal",
                                                    "posterior_tibial") if b.plain(s, seg)]
        if pool:
            side, seg = rng.choice(pool)
            b.set(side, seg, note="resolved")
            t.feature("resolved")


def addendum(b: Builder, target: str) -> None:
    """Re-read one finding in an addendum; the final read is what the truth holds."""
    rng, t = b.rng, b.truth
    linked = {(g.side, g.link[0]) for g in b.fs.values() if g.link}
    up = [f for f in b.fs.values() if f.live and is_deep(f.segment) and not f.link and f.side in SIDES
          and (f.side, f.segment) not in linked and f.note in (None, "indeterminate_age")]
    down = [f for f in b.fs.values() if is_deep(f.segment) and f.side in t.exam_sides and f.status == "absent"
            and b.plain(f.side, f.segment)]
    if not up and not down:  # mention one more normal vein so that there is something to re-read
        side = rng.choice([s for s in t.exam_sides if s not in t.nondiagnostic and s not in t.dvt_unspecified])
        seg = next(s for s in ("posterior_tibial", "peroneal", "deep_femoral", "soleal", "gastrocnemius")
                   if (side, s) not in b.fs)
        b.set(side, seg)
        down = [b.fs[(side, seg)]]
    if up and target != "NEGATIVE" and (rng.random() < 0.6 or not down):
        f = rng.choice(up)
        if rng.random() < 0.35:
            t.addendum = Addendum("confirm", replace(f, status="possible", acuity="unspecified", note=None))
        else:
            t.addendum = Addendum("upgrade", replace(f, status="absent", acuity="unspecified", occlusion=None, note=None))
    elif down:
        f = rng.choice(down)
        orig = replace(f, status="possible") if rng.random() < 0.35 else replace(f, **b.live_kw())
        t.addendum = Addendum("downgrade", orig)
    if t.addendum:
        t.feature(f"addendum_{t.addendum.kind}")


def extras(b: Builder) -> None:
    """Mentions that must not count: indication, history, non-venous findings, advice."""
    rng, t = b.rng, b.truth
    side = lambda: rng.choice(t.exam_sides)  # noqa: E731
    if rng.random() < 0.85:
        t.extras.append(("indication", side()))
    if rng.random() < 0.35:
        t.extras.append(("history", rng.choice(SIDES)))
    if rng.random() < 0.25:
        kind = rng.choice(DISTRACTORS)
        t.extras.append((kind, side()))
        t.feature(f"distractor_{kind}")
    if rng.random() < 0.3:
        t.extras.append(("recommend", side()))
    if rng.random() < 0.2:
        t.extras.append(("communicate", side()))
