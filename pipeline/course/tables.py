"""The three course tables: ``leg_exams``, ``leg_events``, ``leg_episodes`` (columns in docs/schema.md).

:func:`patient_rows` turns one patient's normalised reports into rows of the three tables with the
rules of :mod:`pipeline.course.rules`; every row carries ``params`` (the parameters as JSON), so a
result says which settings made it. Rows are tuples in the schemas' column order (:func:`to_arrow`, :func:`as_dicts`).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache

import numpy as np
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
    pa.field("scope", S), pa.field("changes", S), pa.field("comparison", S), pa.field("evaluable", B), pa.field("episode_id", S), pa.field("day_since_index", INT),
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
    return _day(exam_date[:10])


@lru_cache(maxsize=1 << 16)
def _day(text: str) -> int | None:
    try:
        return date.fromisoformat(text).toordinal()
    except ValueError:
        return None


def problem_of(error: object, patient: object, exam_date: object, note: object) -> str | None:
    """The first defect that keeps a report out of the course, or None."""
    if error:
        return "extraction error (see the extract output)"
    if patient is None or patient == "":
        return "no patient id"
    if exam_date is not None and (day_of(exam_date) is None or note):
        return "exam date not understood"
    return None


def report_in(report: Mapping, params: Params) -> ReportIn:
    """A normalised record (keys row, id, patient_id, exam_date, exam_date_note, error, side_labels,
    findings, scope) as the rules' input."""
    exam_date = report.get("exam_date")
    problem = problem_of(report.get("error"), report.get("patient_id"), exam_date, report.get("exam_date_note"))
    states: dict[str, LegState | None] = {leg: leg_state(report, leg, params) for leg in LEGS}
    return ReportIn(str(report["id"]), int(report["row"]), day_of(exam_date), exam_date or "", states, problem, comparison_of(report))


def comparison_of(record: Mapping) -> str | None:
    """The source of a record's stated comparison (``prior``, ``outside``, ``none``; part A), or None."""
    comparison = record.get("comparison")
    source = comparison.get("source") if isinstance(comparison, Mapping) else None
    return source if isinstance(source, str) else None


@lru_cache(maxsize=1 << 14)
def _texts(st: LegState) -> tuple:
    """A state's columns of leg_exams (states repeat: computed once)."""
    return st.label, _join(st.segments), _join(st.chronic), st.scope, _join(f"{s}:{c}" for s, c in st.changes)


def _join(items) -> str | None:
    return ";".join(sorted(items)) or None


def _episode_id(patient: str, leg: str | None, number: int | None) -> str | None:
    return f"{patient}:{leg}:{number}" if number is not None and leg else None


def course_rows(patient: str | None, course: CourseOut, dates: Mapping[str, str | None], params: Params, params_json: str) -> dict[str, list[tuple]]:
    """The rows of the three tables for one patient's course, as tuples in the schemas' column order."""
    pid = patient if patient is not None else ""
    v = COURSE_SCHEMA_VERSION
    day0 = {(ep.leg, ep.number): ep.index_day for ep in course.episodes}
    exams = []
    for x in course.exams:
        st = x.state
        since = x.day - day0[(x.leg, x.episode)] if x.leg is not None and x.episode is not None and x.day is not None else None
        label, segments, chronic, scope, changes = _texts(st) if st is not None else (None, None, None, None, None)
        exams.append((
            v, patient, x.report_id, x.row, x.leg, dates.get(x.report_id), label, segments, chronic, scope, changes, x.comparison, x.evaluable,
            _episode_id(pid, x.leg, x.episode), since, ";".join(x.events) or None, x.reason, x.merged_into, x.note, params_json,
        ))
    events = [(
        v, pid, e.leg, e.event, e.subtype, e.report_id, e.prev_report_id, dates.get(e.report_id), _episode_id(pid, e.leg, e.episode),
        e.day_since_index, e.days_since_prev, e.source, e.discordant, e.rule, e.evidence, params_json,
    ) for e in course.events]
    episodes = [_episode_row(pid, ep, dates, params, params_json) for ep in course.episodes]
    return {"leg_exams": exams, "leg_events": events, "leg_episodes": episodes}


def _episode_row(pid: str, ep: EpisodeOut, dates: Mapping[str, str | None], params: Params, params_json: str) -> tuple:
    other = ep.contralateral_episode
    return (
        COURSE_SCHEMA_VERSION, pid, ep.leg, _episode_id(pid, ep.leg, ep.number), ep.number, ep.index_report_id, dates.get(ep.index_report_id),
        ep.index_subtype, ep.status(params), ep.first_followup_day(params), ep.followups_in_window(params), ep.followups_in_window(params, True),
        ep.first_day("PROXIMAL_PROPAGATION"), ep.first_day("DISTAL_EXTENSION"), ep.first_day("RESOLUTION"), ep.status(params, 42),
        ep.status(params, 90), ep.max_label, ep.end_day, ep.end_reason, ep.last_report_id, _episode_id(pid, ep.leg, ep.previous_episode),
        other is not None, _episode_id(pid, other[0], other[1]) if other else None, params_json,
    )


def patient_rows(patient: str | None, reports: list[ReportIn], dates: Mapping[str, str | None], params: Params, params_json: str | None = None) -> dict[str, list[tuple]]:
    """Rows of the three tables for one patient's reports (any order); ``dates``: report id -> exam date as written."""
    if patient is None:
        reports = [r if r.problem else ReportIn(r.report_id, r.row, r.day, r.when, r.states, "no patient id") for r in reports]
    return course_rows(patient, patient_course(reports, params), dates, params, params_json or params.to_json())


def to_arrow(name: str, rows: list[tuple]) -> pa.Table:
    """Rows (tuples in column order) as an Arrow table of the named schema."""
    schema = SCHEMAS[name]
    columns = list(zip(*rows)) if rows else [()] * len(schema)
    arrays = []
    for col, f in zip(columns, schema):
        if f.name in ("schema_version", "params") and col:  # one value for every row: repeat it in C
            values = pa.array([col[0]], type=f.type)
            arrays.append(values.take(pa.array(np.zeros(len(col), dtype=np.int32))))
        else:
            arrays.append(pa.array(col, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def as_dicts(name: str, rows: list[tuple]) -> list[dict]:
    names = SCHEMAS[name].names
    return [dict(zip(names, row)) for row in rows]
