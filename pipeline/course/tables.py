"""The three course tables: ``leg_exams``, ``leg_events``, ``leg_episodes`` (columns in docs/schema.md).

:func:`patient_rows` turns one patient's normalised reports into rows of the three tables with the
rules of :mod:`pipeline.course.rules`; every row carries ``params`` (the parameters as JSON), so a
result says which settings made it. Rows are plain dicts in the schemas' column order.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pyarrow as pa

from .rules import LEGS, CourseOut, EpisodeOut, LegState, Params, ReportIn, leg_state, patient_course

COURSE_SCHEMA_VERSION = 1
_META = {"dvt.schema_version": str(COURSE_SCHEMA_VERSION)}


def _schema(name: str, fields: list[pa.Field]) -> pa.Schema:
    return pa.schema([pa.field("schema_version", pa.int32(), nullable=False), *fields, pa.field("params", pa.string(), nullable=False)],
                     metadata={"dvt.table": name, **_META})


S, INT, B = pa.string(), pa.int32(), pa.bool_()
LEG_EXAMS = _schema("leg_exams", [
    pa.field("patient_id", S), pa.field("report_id", S, nullable=False), pa.field("row_number", pa.int64(), nullable=False),
    pa.field("leg", S), pa.field("exam_date", S), pa.field("state", S), pa.field("segments", S), pa.field("chronic_segments", S),
    pa.field("scope", S), pa.field("changes", S), pa.field("evaluable", B), pa.field("episode_id", S), pa.field("day_since_index", INT),
    pa.field("events", S), pa.field("excluded_reason", S), pa.field("merged_into", S), pa.field("note", S),
])
LEG_EVENTS = _schema("leg_events", [
    pa.field("patient_id", S, nullable=False), pa.field("leg", S, nullable=False), pa.field("event", S, nullable=False),
    pa.field("subtype", S), pa.field("report_id", S, nullable=False), pa.field("prev_report_id", S), pa.field("exam_date", S),
    pa.field("episode_id", S), pa.field("day_since_index", INT), pa.field("days_since_prev", INT), pa.field("source", S),
    pa.field("discordant", B, nullable=False), pa.field("rule", S, nullable=False), pa.field("evidence", S, nullable=False),
])
LEG_EPISODES = _schema("leg_episodes", [
    pa.field("patient_id", S, nullable=False), pa.field("leg", S, nullable=False), pa.field("episode_id", S, nullable=False),
    pa.field("episode_number", INT, nullable=False), pa.field("index_report_id", S, nullable=False), pa.field("index_date", S),
    pa.field("index_subtype", S, nullable=False), pa.field("surveillance_status", S), pa.field("first_followup_day", INT),
    pa.field("followups_in_window", INT, nullable=False), pa.field("evaluable_followups_in_window", INT, nullable=False),
    pa.field("propagation_day", INT), pa.field("distal_extension_day", INT), pa.field("resolution_day", INT),
    pa.field("outcome_day42", S), pa.field("outcome_day90", S), pa.field("max_label", S, nullable=False),
    pa.field("end_day", INT), pa.field("censoring", S, nullable=False), pa.field("last_report_id", S, nullable=False),
    pa.field("previous_episode_id", S), pa.field("contralateral", B, nullable=False), pa.field("contralateral_episode_id", S),
])
SCHEMAS: dict[str, pa.Schema] = {"leg_exams": LEG_EXAMS, "leg_events": LEG_EVENTS, "leg_episodes": LEG_EPISODES}


def day_of(exam_date: object) -> int | None:
    """The calendar day (date.toordinal) of an ISO date or date-time, None when it is not one."""
    if not isinstance(exam_date, str) or len(exam_date) < 10:
        return None
    try:
        return date.fromisoformat(exam_date[:10]).toordinal()
    except ValueError:
        return None


def report_in(report: Mapping, params: Params) -> ReportIn:
    """A normalised report (keys row, id, patient_id, exam_date, exam_date_note, error, side_labels,
    findings, scope) as the rules' input, with the first defect that keeps it out of the course."""
    exam_date = report.get("exam_date")
    day = day_of(exam_date)
    problem = None
    if report.get("error"):
        problem = "extraction error (see the extract output)"
    elif report.get("patient_id") is None or report.get("patient_id") == "":
        problem = "no patient id"
    elif exam_date is not None and (day is None or report.get("exam_date_note")):
        problem = "exam date not understood"
    states: dict[str, LegState | None] = {leg: leg_state(report, leg, params) for leg in LEGS}
    return ReportIn(str(report["id"]), int(report["row"]), day, exam_date or "", states, problem)


def _join(items) -> str | None:
    return ";".join(sorted(items)) or None


def _episode_id(patient: str, leg: str | None, number: int | None) -> str | None:
    return f"{patient}:{leg}:{number}" if number is not None and leg else None


def course_rows(patient: str | None, course: CourseOut, dates: Mapping[str, str], params: Params, params_json: str) -> dict[str, list[dict]]:
    """The rows of the three tables for one patient's course."""
    pid = patient if patient is not None else ""
    day0 = {(ep.leg, ep.number): ep.index_day for ep in course.episodes}
    exams = []
    for x in course.exams:
        st = x.state
        since = None
        if x.episode is not None and x.leg is not None:
            d = day_of(dates.get(x.report_id))
            since = d - day0[(x.leg, x.episode)] if d is not None else None
        exams.append({
            "schema_version": COURSE_SCHEMA_VERSION, "patient_id": patient, "report_id": x.report_id, "row_number": x.row,
            "leg": x.leg, "exam_date": dates.get(x.report_id), "state": st.label if st else None,
            "segments": _join(st.segments) if st else None, "chronic_segments": _join(st.chronic) if st else None,
            "scope": st.scope if st else None, "changes": _join(f"{s}:{c}" for s, c in st.changes) if st else None,
            "evaluable": x.evaluable, "episode_id": _episode_id(pid, x.leg, x.episode), "day_since_index": since,
            "events": ";".join(x.events) or None, "excluded_reason": x.reason, "merged_into": x.merged_into, "note": x.note,
            "params": params_json,
        })
    events = [{
        "schema_version": COURSE_SCHEMA_VERSION, "patient_id": pid, "leg": e.leg, "event": e.event, "subtype": e.subtype,
        "report_id": e.report_id, "prev_report_id": e.prev_report_id, "exam_date": dates.get(e.report_id),
        "episode_id": _episode_id(pid, e.leg, e.episode), "day_since_index": e.day_since_index, "days_since_prev": e.days_since_prev,
        "source": e.source, "discordant": e.discordant, "rule": e.rule, "evidence": e.evidence, "params": params_json,
    } for e in course.events]
    episodes = [_episode_row(pid, ep, dates, params, params_json) for ep in course.episodes]
    return {"leg_exams": exams, "leg_events": events, "leg_episodes": episodes}


def _episode_row(pid: str, ep: EpisodeOut, dates: Mapping[str, str], params: Params, params_json: str) -> dict:
    other = ep.contralateral_episode
    return {
        "schema_version": COURSE_SCHEMA_VERSION, "patient_id": pid, "leg": ep.leg, "episode_id": _episode_id(pid, ep.leg, ep.number),
        "episode_number": ep.number, "index_report_id": ep.index_report_id, "index_date": dates.get(ep.index_report_id),
        "index_subtype": ep.index_subtype, "surveillance_status": ep.status(params), "first_followup_day": ep.first_followup_day(params),
        "followups_in_window": ep.followups_in_window(params), "evaluable_followups_in_window": ep.followups_in_window(params, True),
        "propagation_day": ep.first_day("PROXIMAL_PROPAGATION"), "distal_extension_day": ep.first_day("DISTAL_EXTENSION"),
        "resolution_day": ep.first_day("RESOLUTION"), "outcome_day42": ep.status(params, 42), "outcome_day90": ep.status(params, 90),
        "max_label": ep.max_label, "end_day": ep.end_day, "censoring": ep.end_reason, "last_report_id": ep.last_report_id,
        "previous_episode_id": _episode_id(pid, ep.leg, ep.previous_episode), "contralateral": other is not None,
        "contralateral_episode_id": _episode_id(pid, other[0], other[1]) if other else None, "params": params_json,
    }


def patient_rows(patient: str | None, reports: list[Mapping], params: Params, params_json: str | None = None) -> dict[str, list[dict]]:
    """Rows of the three tables for one patient's normalised reports (any order)."""
    ins = [report_in(r, params) for r in reports]
    if patient is None:
        ins = [r if r.problem else ReportIn(r.report_id, r.row, r.day, r.when, r.states, "no patient id") for r in ins]
    dates = {str(r["id"]): r.get("exam_date") for r in reports}
    return course_rows(patient, patient_course(ins, params), dates, params, params_json or params.to_json())
