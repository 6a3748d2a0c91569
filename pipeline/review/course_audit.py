"""The surveillance section of ``dvt audit --course PREFIX``: outcomes, the follow-up work list, timelines.

Counts of episodes per surveillance outcome and of events per type; the distal index DVTs with no
evaluable follow-up in the window (NO_FOLLOWUP, then FOLLOWUP_LIMITED: the quality analyst's work
list); and, for a sample of patients (in patient order, taking in turn one per outcome), a
timeline per leg: an inline SVG (no script) with each exam as a mark coloured by the leg's state
on a day axis, and the events named above it. Everything shown is escaped. Deterministic.
"""
from __future__ import annotations

import html
from collections import Counter, defaultdict
from collections.abc import Sequence

from ..course.rules import EVENTS, STATUSES
from ..course.tables import day_of
from ..evaluation.course import load_course_table

COLOURS = {"PROXIMAL": "#b2182b", "IDDVT": "#ef8a62", "ICMVT": "#f4c7a6", "DVT_UNSPECIFIED": "#8c8c8c", "INDETERMINATE": "#d9d9d9",
           "NEGATIVE": "#67a9cf", "CHRONIC": "#762a83"}
WORK_LIST_ROWS = 200
WIDTH, LEFT, RIGHT = 720, 50, 690


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _table(head: list[str], rows: Sequence[Sequence[object]]) -> str:
    cells = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="counts"><tr>{cells}</tr>{body}</table>'


def _reason_kind(reason: str) -> str:
    """A reason without the ids and dates in it, for counting."""
    if reason.startswith("merged into"):
        return "merged into a later report of the same exam"
    if reason.startswith("exam date after"):
        return "exam date in the future"
    return reason


def _sample(episodes: list[dict], n: int) -> list[str]:
    """Up to ``n`` patients, in patient order, one per surveillance outcome in turn (then any)."""
    by_status: dict[str, list[str]] = defaultdict(list)
    for ep in episodes:
        key = ep.get("surveillance_status") or f"index {ep.get('index_subtype')}"
        if ep["patient_id"] not in by_status[key]:
            by_status[key].append(ep["patient_id"])
    chosen: list[str] = []
    queues = [by_status[k] for k in sorted(by_status)]
    while len(chosen) < n and any(queues):
        for queue in queues:
            while queue and queue[0] in chosen:
                queue.pop(0)
            if queue and len(chosen) < n:
                chosen.append(queue.pop(0))
    return chosen


def timeline_svg(exams: list[dict], events: list[dict]) -> str:
    """One leg's exams (marks coloured by state) and events (named above their exam) on a day axis."""
    days: list[tuple[int, dict]] = []
    for x in exams:
        day = day_of(x.get("exam_date"))
        if day is not None:
            days.append((day, x))
    if not days:
        return '<p class="muted">No dated exam.</p>'
    first = min(d for d, _ in days)
    span = max(30, max(d for d, _ in days) - first)
    x_of = lambda d: LEFT + (RIGHT - LEFT) * (d - first) / span  # noqa: E731
    named: dict[str, list[str]] = defaultdict(list)
    for ev in events:
        named[str(ev["report_id"])].append(ev["event"] + (f" {ev['subtype']}" if ev.get("subtype") and ev["event"] != "INDEX" else ""))
    parts = [f'<line x1="{LEFT}" y1="60" x2="{RIGHT}" y2="60" stroke="#444"/>',
             f'<text x="{LEFT}" y="78" font-size="10" text-anchor="middle">day 0</text>',
             f'<text x="{RIGHT}" y="78" font-size="10" text-anchor="middle">day {span}</text>']
    for n, (d, x) in enumerate(sorted(days, key=lambda dx: (dx[0], dx[1]["row_number"]))):
        cx = x_of(d)
        state = x.get("state") or "?"
        title = f"{x['report_id']} · {x.get('exam_date')} · day {d - first} · {state} {x.get('segments') or ''}"
        parts.append(f'<circle cx="{cx:.1f}" cy="60" r="6" fill="{COLOURS.get(state, "#fff")}" stroke="#222"><title>{_e(title)}</title></circle>')
        label = ", ".join(named.get(str(x["report_id"]), []))
        if label:
            y = 45 - 12 * (n % 3)
            parts.append(f'<text x="{cx:.1f}" y="{y}" font-size="10" text-anchor="middle">{_e(label)}</text>')
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="86" role="img">{"".join(parts)}</svg>'


def course_section(prefix: str, patients: int = 8) -> str:
    """The HTML section for the course tables written by ``dvt course -o PREFIX``."""
    episodes = load_course_table(prefix, "leg_episodes")
    events = load_course_table(prefix, "leg_events")
    exams = load_course_table(prefix, "leg_exams")
    status = Counter(ep.get("surveillance_status") or "(proximal or unspecified index)" for ep in episodes)
    status_rows = [[s, status.get(s, 0)] for s in (*STATUSES, "(proximal or unspecified index)")]
    kinds = Counter(e["event"] for e in events)
    event_rows = [[k, kinds.get(k, 0)] for k in EVENTS]
    excluded = Counter(_reason_kind(x["excluded_reason"]) for x in exams if x.get("excluded_reason"))
    work = [ep for ep in episodes if ep.get("surveillance_status") in ("NO_FOLLOWUP", "FOLLOWUP_LIMITED")]
    work.sort(key=lambda ep: (ep["surveillance_status"] != "NO_FOLLOWUP", str(ep.get("index_date")), str(ep["patient_id"])))
    work_rows = [[ep["surveillance_status"], ep["patient_id"], ep["leg"], ep["index_subtype"], ep["index_report_id"], ep.get("index_date"),
                  ep.get("first_followup_day") if ep.get("first_followup_day") is not None else "none"] for ep in work[:WORK_LIST_ROWS]]
    more = f'<p class="muted">{len(work) - WORK_LIST_ROWS} more not shown.</p>' if len(work) > WORK_LIST_ROWS else ""
    chosen = _sample(episodes, patients)
    exams_of, events_of = defaultdict(list), defaultdict(list)
    wanted = set(chosen)
    for x in exams:
        if x.get("patient_id") in wanted and x.get("leg") and not x.get("excluded_reason"):
            exams_of[(x["patient_id"], x["leg"])].append(x)
    for ev in events:
        if ev["patient_id"] in wanted:
            events_of[(ev["patient_id"], ev["leg"])].append(ev)
    timelines = []
    for patient in chosen:
        for leg in ("left", "right"):
            if exams_of.get((patient, leg)):
                timelines.append(f"<h4>Patient {_e(patient)}, {leg} leg</h4>" + timeline_svg(exams_of[(patient, leg)], events_of[(patient, leg)]))
    legend = " ".join(f'<span style="display:inline-block;width:10px;height:10px;border-radius:5px;background:{c};border:1px solid #222"></span> {_e(k)}'
                      for k, c in COLOURS.items())
    params = _e(episodes[0]["params"]) if episodes else ""
    return f"""<h2>Surveillance (course tables {_e(prefix)})</h2>
<p class="muted">{len(episodes)} episodes, {len(events)} events, {len(exams)} leg exams. Parameters: {params}</p>
<h3>Episodes by surveillance outcome</h3>{_table(["outcome", "episodes"], status_rows)}
<h3>Events</h3>{_table(["event", "count"], event_rows)}
<h3>Rows kept out of the course</h3>{_table(["reason", "leg exams"], sorted(excluded.items())) if excluded else '<p class="muted">None.</p>'}
<h3>Work list: distal index DVTs without an evaluable follow-up in the window</h3>
{_table(["outcome", "patient", "leg", "index", "index report", "index date", "first follow-up day"], work_rows) if work_rows else '<p class="muted">None.</p>'}{more}
<h3>Timelines ({len(chosen)} patients)</h3><p class="muted">{legend}</p>
{"".join(timelines)}
"""
