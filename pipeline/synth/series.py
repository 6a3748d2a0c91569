"""Synthetic exam series: patients with 1-6 dated duplex reports and the gold course of each leg.

Each patient follows a scenario (a distal clot that resolves, extends along the calf, propagates to
the popliteal vein; a proximal clot that climbs or turns chronic; a recurrence; a contralateral
DVT; a thigh-only follow-up; negatives...). Each exam's *gold state* (the findings of each leg,
with their follow-up wording) is planned first; the report text is rendered from it by the
existing generator (pipeline.synth templates, with the follow-up phrase banks: interval
propagation, again seen, redemonstrated, decreased clot burden, partially recanalized, no longer
visualized, acute on chronic, outside comparison). The gold events and episodes are computed from
those gold states with pipeline.course.rules, never from the pipeline's output.

``write_series(n, seed, split, "corpora/series/dev.jsonl")`` writes the reports (with their
report-level gold, for ``dvt evaluate``) and ``dev.leg_exams.jsonl``, ``dev.leg_events.jsonl``,
``dev.leg_episodes.jsonl`` (the gold course tables, as ``dvt course`` writes them).
"""
from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from ..course.io import CourseWriter
from ..course.rules import Params
from ..course.tables import as_dicts, patient_rows, report_in, to_arrow
from ..io.carry import parse_date
from . import templates as T
from .gold_model import Finding, Truth, compute_gold
from .render import Ctx
from .sampler import coverage

CHANGE_OF_NOTE = {"stable": "unchanged", "again": "unchanged", "extended": "extended", "improved": "improved", "resolved": "resolved",
                  "gone": "resolved", "new": "new"}
TEMPLATES = {"dev": ([T.academic_full, T.side_sections], [T.followup_comparison, T.academic_full, T.side_sections]),
             "test": ([T.sono_physician, T.telerad_brief], [T.interval_recheck, T.sono_physician, T.telerad_brief])}
GOLD_PARAMS = Params(as_of="2030-12-31")
MUSCULAR = ("soleal", "gastrocnemius")
AXIAL = ("posterior_tibial", "peroneal")


@dataclass
class LegPlan:
    thrombi: dict[str, dict] = field(default_factory=dict)  # segment -> Finding keywords
    protocol: str = "full"  # full or thigh (no calf vein assessed)


@dataclass
class ExamPlan:
    day: int
    legs: dict[str, LegPlan]
    prelim: bool = False  # also a preliminary read of the same exam, earlier the same day


def _clot(rng: random.Random, note: str | None = None, acuity: str | None = None) -> dict:
    acuity = acuity or rng.choice(["acute", "acute", "acute", "subacute"])
    return {"status": "present", "acuity": acuity, "occlusion": rng.choice(["occlusive", "nonocclusive", None]), "note": note}


def _held(rng: random.Random) -> dict:
    return {"status": "present", "acuity": "unspecified", "occlusion": None, "note": rng.choice(["stable", "again"])}


def _gone(rng: random.Random) -> dict:
    return {"status": "absent", "note": rng.choice(["resolved", "gone"])}


def _scenario(rng: random.Random, leg: str, other: str) -> tuple[str, list[ExamPlan]]:
    """A scenario's exams on ``leg`` (and sometimes ``other``), days from the first exam."""
    name = rng.choices(SCENARIOS, WEIGHTS)[0]
    d1 = rng.randint(5, 9)
    d2 = d1 + rng.randint(5, 9)
    m, a = rng.choice(MUSCULAR), rng.choice(AXIAL)
    a2 = next(s for s in AXIAL if s != a)

    def exam(day: int, thrombi: dict, protocol: str = "full", others: dict | None = None) -> ExamPlan:
        legs = {leg: LegPlan(thrombi, protocol)}
        legs.update({side: LegPlan(t) for side, t in (others or {}).items()})
        return ExamPlan(day, legs)

    if name == "distal_resolves":
        first = m if rng.random() < 0.5 else a
        plans = [exam(0, {first: _clot(rng)}), exam(d1, {first: _held(rng)}), exam(d2, {first: _gone(rng)})]
    elif name == "muscular_to_axial":
        plans = [exam(0, {m: _clot(rng)}), exam(d1, {m: _held(rng), a: _clot(rng, "extended")})]
    elif name == "new_calf_segment":
        plans = [exam(0, {a: _clot(rng)}), exam(d1, {a: _held(rng), m: _clot(rng, "extended")})]
    elif name == "distal_to_proximal":
        first = a if rng.random() < 0.6 else m
        plans = [exam(0, {first: _clot(rng)}), exam(d1, {first: _held(rng), "popliteal": _clot(rng, "extended")})]
    elif name == "distal_improves":
        plans = [exam(0, {a: _clot(rng), a2: _clot(rng)}), exam(d1, {a: _held(rng), a2: _held(rng)}),
                 exam(d2, {a: {"status": "present", "acuity": "unspecified", "occlusion": "nonocclusive", "note": "improved"}, a2: _gone(rng)})]
    elif name == "distal_stable":
        first = m if rng.random() < 0.5 else a
        plans = [exam(0, {first: _clot(rng)}), exam(d1, {first: _held(rng)})]
    elif name == "distal_no_followup":
        plans = [exam(0, {rng.choice([m, a]): _clot(rng)})]
    elif name == "distal_late_followup":
        first = rng.choice([m, a])
        plans = [exam(0, {first: _clot(rng)}), exam(rng.randint(25, 60), {first: _gone(rng)})]
    elif name == "thigh_only_followup":
        first = rng.choice([m, a])
        plans = [exam(0, {first: _clot(rng)}), exam(d1, {}, "thigh")]
        if rng.random() < 0.5:
            plans.append(exam(rng.randint(25, 40), {first: _gone(rng)}))
    elif name == "proximal_extends":
        plans = [exam(0, {"popliteal": _clot(rng)}), exam(rng.randint(7, 12), {"popliteal": _held(rng), "femoral": _clot(rng, "extended")})]
    elif name == "proximal_chronic":
        mid = rng.randint(30, 60)
        plans = [exam(0, {"femoral": _clot(rng)}), exam(mid, {"femoral": _held(rng)}),
                 exam(rng.randint(100, mid + 85), {"femoral": {"status": "present", "acuity": "chronic", "occlusion": "nonocclusive", "note": "improved"}})]
    elif name == "recurrence":
        plans = [exam(0, {a: _clot(rng)}), exam(d1 + 3, {a: _gone(rng)}), exam(rng.randint(120, 300), {a2: _clot(rng, "new")})]
    elif name == "prevalent_chronic":
        plans = [exam(0, {"femoral": {"status": "present", "acuity": "chronic", "occlusion": "nonocclusive"}})]
        if rng.random() < 0.6:
            plans.append(exam(rng.randint(60, 200), {"femoral": _clot(rng, acuity="acute_on_chronic")}))
    elif name == "contralateral":
        first = rng.choice([m, a])
        plans = [exam(0, {first: _clot(rng)}), exam(d1, {first: _held(rng)}, others={other: {"femoral": _clot(rng)}})]
    else:  # negatives
        day, plans = 0, []
        for _ in range(rng.randint(1, 3)):
            plans.append(exam(day, {}, others={other: {}} if rng.random() < 0.4 else None))
            day += rng.randint(3, 200)
    return name, plans


SCENARIOS = ["distal_resolves", "muscular_to_axial", "new_calf_segment", "distal_to_proximal", "distal_improves", "distal_stable",
             "distal_no_followup", "distal_late_followup", "thigh_only_followup", "proximal_extends", "proximal_chronic", "recurrence",
             "prevalent_chronic", "contralateral", "negatives"]
WEIGHTS = [1.2, 1.0, 0.8, 1.0, 0.8, 1.0, 0.8, 0.5, 0.7, 0.8, 0.6, 0.6, 0.5, 0.6, 1.2]


def plan_patient(rng: random.Random) -> tuple[str, list[ExamPlan]]:
    """A scenario, sometimes after an earlier negative exam, with 1-6 exams; a prelim read now and then."""
    leg = rng.choice(["left", "right"])
    other = "right" if leg == "left" else "left"
    name, plans = _scenario(rng, leg, other)
    if len(plans) < 6 and rng.random() < 0.2:  # an earlier negative exam of the same leg
        shift = rng.randint(30, 500)
        plans = [ExamPlan(0, {leg: LegPlan()})] + [ExamPlan(p.day + shift, p.legs) for p in plans]
    if rng.random() < 0.1:
        rng.choice(plans).prelim = True
    return name, plans[:6]


def exam_truth(rng: random.Random, plan: ExamPlan, followup: bool) -> Truth:
    """The Truth the templates render: each examined leg's coverage, with the planned thrombi on top."""
    findings: dict[tuple[str, str], Finding] = {}
    for leg, lp in sorted(plan.legs.items()):
        normal, notvis = coverage(rng, "thigh" if lp.protocol == "thigh" else "full")
        if lp.protocol == "full":
            normal = [s for s in normal if s != "calf_unspecified"]
            normal += [s for s in AXIAL if s not in normal]
        for seg in normal:
            findings[(leg, seg)] = Finding(seg, leg)
        for seg in notvis:
            findings[(leg, seg)] = Finding(seg, leg, status="not_evaluated")
        for seg, kw in lp.thrombi.items():
            findings[(leg, seg)] = Finding(seg, leg, **kw)
    legs = sorted(plan.legs)
    truth = Truth(laterality=legs[0] if len(legs) == 1 else "bilateral", comparison=followup)
    truth.findings = sorted(findings.values(), key=lambda f: (f.side, f.segment))
    if rng.random() < 0.7:
        truth.extras.append(("indication", legs[0]))
    return truth


def gold_findings(truth: Truth) -> list[dict]:
    return [{"segment": f.segment, "side": f.side, "status": f.status, "acuity": f.acuity if f.status == "present" else None,
             "occlusion": f.occlusion, "change": CHANGE_OF_NOTE.get(f.note or "")} for f in truth.findings]


def _when(rng_style: int, day: dt.date, hour: int) -> str:
    if rng_style == 0:
        return day.isoformat()
    if rng_style == 1:
        return f"{day.isoformat()} {hour:02d}:{(hour * 7) % 60:02d}"
    return f"{day.month:02d}/{day.day:02d}/{day.year} {hour:02d}:{(hour * 11) % 60:02d}"


def generate_series(n: int, seed: int, split: str = "dev") -> list[dict]:
    """``n`` patients' reports in exam order, each with its gold (report labels, gold findings, scenario)."""
    if split not in TEMPLATES:
        raise ValueError(f"split must be dev or test, not {split!r}")
    first_t, follow_t = TEMPLATES[split]
    out = []
    for p in range(1, n + 1):
        rng = random.Random(f"{seed}:{split}:series:{p}")
        name, plans = plan_patient(rng)
        patient = f"{split[0].upper()}{seed}-{p:04d}"
        start = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 1900))
        style = rng.randrange(3)
        for k, plan in enumerate(plans):
            truth = exam_truth(rng, plan, followup=k > 0)
            gold = compute_gold(truth)
            day = start + dt.timedelta(days=plan.day)
            reads = [("prelim", 8), ("final", 15)] if plan.prelim else [("", rng.randint(7, 18))]
            for kind, hour in reads:
                render = rng.choice(follow_t if k else first_t)
                text = render(truth, Ctx(rng, split))
                if kind == "prelim":
                    text = "PRELIMINARY REPORT\n" + text
                out.append({"id": f"{patient}-{k + 1}{kind[:1]}", "patient_id": patient, "exam_date": _when(style, day, hour), "text": text,
                            "label": gold["label"], "side_labels": gold["side_labels"], "positive_segments": gold["positive_segments"],
                            "chronic_segments": gold["chronic_segments"], "svt": gold["svt"], "svt_near_junction": gold["svt_near_junction"],
                            "template": render.__name__, "split": split, "scenario": name, "gold_findings": gold_findings(truth)})
    return out


def gold_course(reports: list[dict], params: Params = GOLD_PARAMS) -> dict[str, list[dict]]:
    """The course tables computed from the reports' gold states (pipeline.course.rules)."""
    tables: dict[str, list[tuple]] = {"leg_exams": [], "leg_events": [], "leg_episodes": []}
    by_patient: dict[str, list[dict]] = {}
    for row, r in enumerate(reports):
        when, note = parse_date(r["exam_date"])
        by_patient.setdefault(r["patient_id"], []).append({
            "row": row, "id": r["id"], "patient_id": r["patient_id"], "exam_date": when, "exam_date_note": note, "error": None,
            "side_labels": r["side_labels"], "findings": r["gold_findings"], "scope": None})
    for patient in sorted(by_patient):
        reports_in = [report_in(r, params) for r in by_patient[patient]]
        dates = {r["id"]: r["exam_date"] for r in by_patient[patient]}
        for name, rows in patient_rows(patient, reports_in, dates, params).items():
            tables[name].extend(rows)
    return {name: as_dicts(name, rows) for name, rows in tables.items()}


def write_series(n: int, seed: int, split: str, output: str | Path) -> dict[str, int]:
    """Write the reports (``output``, JSONL) and the gold course tables beside it; returns row counts."""
    reports = generate_series(n, seed, split)
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for r in reports:
            handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    writer = CourseWriter(str(path), "jsonl")
    writer.write({name: to_arrow(name, [tuple(r.values()) for r in rows]) for name, rows in gold_course(reports).items()})
    writer.close()
    return {"reports": len(reports), **writer.counts()}
