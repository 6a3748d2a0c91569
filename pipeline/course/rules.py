"""The course of each leg across a patient's exams: events, episodes, surveillance outcome. Pure.

SURVEILLANCE.md part B, on plain values: a leg's *state* at an exam (:class:`LegState`, read from a
``dvt extract`` record by :func:`leg_state`), the exams of one patient (:class:`ReportIn`), and
:func:`patient_course`, which returns every event, every episode and what became of each exam.
Days are calendar-date differences; ``d0`` is the index exam. Each event compares the exam C with
the previous evaluable exam P of the episode (precedence when several fire, highest first:
RECURRENCE > PROXIMAL_PROPAGATION > DISTAL_EXTENSION > PROXIMAL_EXTENSION > RESOLUTION > IMPROVED >
CHRONIC_RESIDUAL > STABLE). One example series per event (one leg; label[segments]):

=====================  ===========================================================================
event                  example series -> the event (at the exam marked *)
=====================  ===========================================================================
INDEX                  d0* IDDVT[peroneal]                          -> INDEX, subtype IDDVT
PREVALENT_CHRONIC      d0* CHRONIC[femoral]                         -> opens nothing
PROXIMAL_PROPAGATION   d0 ICMVT[soleal], d7* PROXIMAL[popliteal]    -> P distal, C proximal
DISTAL_EXTENSION       d0 ICMVT[soleal], d7* IDDVT[soleal,peroneal] -> MUSCULAR_TO_AXIAL
                       d0 IDDVT[peroneal], d7* IDDVT[peroneal,soleal] -> NEW_CALF_SEGMENT
PROXIMAL_EXTENSION     d0 PROXIMAL[popliteal], d9* PROXIMAL[popliteal,femoral]
STABLE                 d0 IDDVT[peroneal], d7* IDDVT[peroneal]      (or an ``unchanged`` cue)
IMPROVED               d0 IDDVT[peroneal,posterior_tibial], d7* IDDVT[peroneal]
RESOLUTION             d0 ICMVT[soleal], d14* NEGATIVE (scope covers the calf) -> episode ends
CHRONIC_RESIDUAL       d0 PROXIMAL[femoral], d60 STABLE, d120* CHRONIC[femoral] -> episode ends
RECURRENCE             d0 IDDVT[peroneal], d10 NEGATIVE, d200* IDDVT[posterior_tibial]
UNEVALUABLE            d0 ICMVT[soleal], d7* NEGATIVE with scope proximal_only -> state kept
CONTRALATERAL          left d0 IDDVT; right d5* PROXIMAL -> on both legs' episodes
=====================  ===========================================================================

Surveillance outcome of a distal index (IDDVT, ICMVT), tried in this order over days 2 to 21
(window 14 + grace 7): PROXIMAL_PROPAGATION, DISTAL_EXTENSION_ONLY, RESOLVED_EARLY,
COMPLETED_NO_EXTENSION (an evaluable follow-up), FOLLOWUP_LIMITED (follow-ups, none evaluable),
NO_FOLLOWUP. The choices SURVEILLANCE.md leaves open are listed in docs/decisions.md.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ..core.model import DEEP_GROUPS, DISTAL_LABELS, DVT_LABELS, LABELS, Label
from ..rules import segment_groups

Leg = Literal["left", "right"]
LEGS: tuple[Leg, ...] = ("left", "right")
StateLabel = Label | Literal["CHRONIC"]  # a side label, or chronic-only thrombus
_LABELS: dict[object, StateLabel] = {name: name for name in LABELS}
Scope = Literal["complete", "proximal_only", "calf_only", "limited"]
Change = Literal["new", "extended", "unchanged", "improved", "resolved"]
Source = Literal["labels", "change", "both"]
EventType = Literal[
    "INDEX", "PREVALENT_CHRONIC", "PROXIMAL_PROPAGATION", "DISTAL_EXTENSION", "PROXIMAL_EXTENSION", "STABLE",
    "IMPROVED", "RESOLUTION", "CHRONIC_RESIDUAL", "RECURRENCE", "UNEVALUABLE", "CONTRALATERAL",
]
Status = Literal["PROXIMAL_PROPAGATION", "DISTAL_EXTENSION_ONLY", "RESOLVED_EARLY", "COMPLETED_NO_EXTENSION", "FOLLOWUP_LIMITED", "NO_FOLLOWUP"]
EndReason = Literal["resolution", "chronic_residual", "lapsed", "new_episode", "last_exam"]

EVENTS: tuple[EventType, ...] = (
    "INDEX", "PREVALENT_CHRONIC", "PROXIMAL_PROPAGATION", "DISTAL_EXTENSION", "PROXIMAL_EXTENSION", "STABLE",
    "IMPROVED", "RESOLUTION", "CHRONIC_RESIDUAL", "RECURRENCE", "UNEVALUABLE", "CONTRALATERAL",
)
PRECEDENCE: tuple[EventType, ...] = (
    "RECURRENCE", "PROXIMAL_PROPAGATION", "DISTAL_EXTENSION", "PROXIMAL_EXTENSION", "RESOLUTION", "IMPROVED",
    "CHRONIC_RESIDUAL", "STABLE",
)
STATUSES: tuple[Status, ...] = ("PROXIMAL_PROPAGATION", "DISTAL_EXTENSION_ONLY", "RESOLVED_EARLY", "COMPLETED_NO_EXTENSION", "FOLLOWUP_LIMITED", "NO_FOLLOWUP")
DVT: frozenset[str] = frozenset(DVT_LABELS)
DISTAL: frozenset[str] = frozenset(DISTAL_LABELS)
SEVERITY: tuple[str, ...] = LABELS[:4]
CHANGES: frozenset[str] = frozenset({"new", "extended", "unchanged", "improved", "resolved"})

GROUPS: dict[str, str] = {s: g for s, g in segment_groups().items() if g in DEEP_GROUPS}  # from anatomy.json
# How far up a proximal clot reaches (PROXIMAL_EXTENSION); proximal_unspecified has no level.
LEVEL: dict[str, int] = {
    "tibioperoneal_trunk": 0, "popliteal": 1, "femoral": 2, "deep_femoral": 2, "common_femoral": 3,
    "external_iliac": 4, "internal_iliac": 4, "common_iliac": 5, "ivc": 6,
}
ASSESSED: frozenset[str] = frozenset({"present", "absent", "possible"})
ACUTE: frozenset[str] = frozenset({"acute", "subacute", "acute_on_chronic"})


@dataclass(frozen=True)
class Params:
    """Every parameter of part B (SURVEILLANCE.md defaults); written into every output row."""

    window_days: int = 14
    grace_days: int = 7
    min_gap_days: int = 2
    persistence_days: int = 90
    clean_window_days: int = 365
    chronic_residual_days: int = 90
    merge_days: int = 1
    tpt_proximal: bool = False  # count the tibioperoneal trunk as proximal ("trifurcation or above")
    as_of: str | None = None  # ISO date: exams after it are in the future (None: no check)

    @property
    def window_end(self) -> int:
        return self.window_days + self.grace_days

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


def is_proximal(segment: str, params: Params) -> bool:
    return GROUPS.get(segment) == "proximal" or (params.tpt_proximal and segment == "tibioperoneal_trunk")


@dataclass(frozen=True, slots=True)
class LegState:
    """What one exam shows of one leg. ``segments`` are the deep segments with current thrombus."""

    label: StateLabel
    segments: frozenset[str] = frozenset()
    chronic: frozenset[str] = frozenset()  # deep segments with chronic-only thrombus
    occlusive: frozenset[str] = frozenset()
    nonocclusive: frozenset[str] = frozenset()
    acute: bool = False  # some current thrombus is called acute, subacute or acute on chronic
    acute_on_chronic: bool = False
    scope: Scope | None = None  # None: the report gives no segment-level extent (covers the leg)
    not_assessed: frozenset[str] = frozenset()
    changes: tuple[tuple[str, Change], ...] = ()  # (segment, change) stated for this leg

    @property
    def positive(self) -> bool:
        return self.label in DVT

    def short(self) -> str:
        return f"{self.label}[{','.join(sorted(self.segments or self.chronic))}]"


def _derived_scope(assessed: set[str], not_assessed: set[str]) -> Scope | None:
    if not_assessed:
        return "limited"
    prox = any(GROUPS[s] == "proximal" for s in assessed)
    calf = any(GROUPS[s] != "proximal" for s in assessed)
    return "complete" if prox and calf else "proximal_only" if prox else "calf_only" if calf else None


# (label, current, chronic, occlusive, nonocclusive, assessed, missing, acute, acute_on_chronic, changes, scope)
Parts = tuple[StateLabel, set[str], set[str], set[str], set[str], set[str], set[str], bool, bool, list[tuple[str, Change]], Scope | None]


def gather(record: Mapping[str, Any], leg: Leg) -> Parts | None:
    """A leg's findings in a ``dvt extract`` record, gathered by kind; None when the report does not examine it.

    Reads ``side_labels``, the decisive ``findings`` (with their ``change`` when part A gives one)
    and ``scope`` (None: derived from the assessed segments by :func:`state_from_parts`).
    """
    label: StateLabel | None = _LABELS.get((record.get("side_labels") or {}).get(leg))
    if label is None or record.get("error"):
        return None
    current, chronic, occl, nonoccl, assessed, missing = set(), set(), set(), set(), set(), set()
    acute = aoc = False
    changes: list[tuple[str, Change]] = []
    for f in record.get("findings") or ():
        segment = f.get("segment")
        if f.get("side") != leg or segment not in GROUPS:
            continue
        status = f.get("status")
        if status in ASSESSED:
            assessed.add(segment)
        elif status == "not_evaluated":
            missing.add(segment)
        change = f.get("change")
        if change in CHANGES:
            changes.append((segment, change))
        if status != "present":
            continue
        if f.get("acuity") == "chronic":
            chronic.add(segment)
            continue
        current.add(segment)
        acute = acute or f.get("acuity") in ACUTE
        aoc = aoc or f.get("acuity") == "acute_on_chronic"
        if f.get("occlusion") == "occlusive":
            occl.add(segment)
        elif f.get("occlusion") == "nonocclusive":
            nonoccl.add(segment)
    scopes = record.get("scope")
    scope = scopes.get(leg) if isinstance(scopes, Mapping) and scopes.get(leg) else None
    return label, current, chronic, occl, nonoccl, assessed, missing, acute, aoc, changes, scope


def leg_state(record: Mapping[str, Any], leg: Leg, params: Params) -> LegState | None:
    """The state of ``leg`` in a ``dvt extract`` record, or None when the report does not examine it."""
    parts = gather(record, leg)
    return None if parts is None else state_from_parts(*parts, params)


def state_from_parts(label: StateLabel, current: Iterable[str], chronic: Iterable[str], occlusive: Iterable[str], nonocclusive: Iterable[str],
                     assessed: Iterable[str], missing: Iterable[str], acute: bool, acute_on_chronic: bool,
                     changes: Iterable[tuple[str, Change]], scope: Scope | None, params: Params) -> LegState:
    """A leg's state from its findings gathered by kind (a record's, or a table's aggregated by SQL)."""
    current, missing = frozenset(current), frozenset(missing)
    chronic = frozenset(chronic) - current
    if label == "NEGATIVE" and chronic:
        label = "CHRONIC"
    elif params.tpt_proximal and label == "IDDVT" and "tibioperoneal_trunk" in current:
        label = "PROXIMAL"
    return LegState(label, current, chronic, frozenset(occlusive), frozenset(nonocclusive), acute, acute_on_chronic,
                    scope or _derived_scope(set(assessed), set(missing)), missing, tuple(sorted(set(changes))))


def covers(state: LegState, segments: Iterable[str], params: Params) -> bool:
    """Whether the exam's scope covers ``segments`` (an unknown or complete scope covers the leg)."""
    segments = list(segments)
    if state.scope in (None, "complete"):
        return True
    if not segments:
        return False  # a clot of unknown place needs the whole leg
    for segment in segments:
        proximal = is_proximal(segment, params)
        if state.scope == "proximal_only" and not proximal or state.scope == "calf_only" and proximal:
            return False
        if state.scope == "limited" and (segment in state.not_assessed
                                         or ("proximal_unspecified" if proximal else "calf_unspecified") in state.not_assessed):
            return False
    return True


# --------------------------------------------------------------------------- inputs and outputs


@dataclass(frozen=True, slots=True)
class ReportIn:
    """One report of a patient: where it stands, when, and each leg's state (None: not examined)."""

    report_id: str
    row: int  # input order, breaks ties
    day: int | None  # date.toordinal() of the exam date, None when missing or not understood
    when: str  # the date-time as an ISO string (orders exams within a day)
    states: Mapping[str, LegState | None]
    problem: str | None = None  # a defect found while reading (no patient, date not understood, error)
    comparison: str | None = None  # the report's stated comparison (part A): prior / outside / none


@dataclass(frozen=True, slots=True)
class Exam:
    """A kept exam of one leg: the report that represents it, its day and the leg's state."""

    report_id: str
    row: int
    day: int
    state: LegState
    comparison: str | None = None


@dataclass(slots=True)
class EventOut:
    leg: Leg
    event: EventType
    subtype: str | None
    report_id: str
    prev_report_id: str | None
    episode: int | None
    day: int  # the exam's day number (toordinal)
    day_since_index: int | None
    days_since_prev: int | None
    source: Source | None
    discordant: bool
    rule: str
    evidence: str


@dataclass(slots=True)
class EpisodeOut:
    leg: Leg
    number: int
    index_report_id: str
    index_subtype: str
    index_day: int
    previous_episode: int | None = None  # the episode a RECURRENCE follows
    contralateral_episode: tuple[str, int] | None = None  # (leg, number) of the other leg's episode
    max_label: str = "DVT_UNSPECIFIED"
    last_positive_day: int = 0
    positive_days: list[int] = field(default_factory=list)
    followups: list[tuple[int, bool]] = field(default_factory=list)  # (day since index, evaluable) while active
    events: list[EventOut] = field(default_factory=list)
    end_day: int | None = None  # day since index when the episode ended
    end_reason: EndReason = "last_exam"
    last_report_id: str = ""

    def first_day(self, event: str) -> int | None:
        return next((e.day_since_index for e in self.events if e.event == event), None)

    def status(self, params: Params, horizon: int | None = None) -> Status | None:
        """The surveillance outcome by day ``horizon`` (default: window + grace); None for a proximal index."""
        if self.index_subtype not in DISTAL:
            return None
        end = params.window_end if horizon is None else horizon
        seen = {e.event for e in self.events if e.day_since_index is not None and 0 < e.day_since_index <= end}
        if "PROXIMAL_PROPAGATION" in seen:
            return "PROXIMAL_PROPAGATION"
        if "DISTAL_EXTENSION" in seen:
            return "DISTAL_EXTENSION_ONLY"
        if "RESOLUTION" in seen:
            return "RESOLVED_EARLY"
        inside = [evaluable for day, evaluable in self.followups if params.min_gap_days <= day <= end]
        if any(inside):
            return "COMPLETED_NO_EXTENSION"
        return "FOLLOWUP_LIMITED" if inside else "NO_FOLLOWUP"

    def followups_in_window(self, params: Params, evaluable_only: bool = False) -> int:
        return sum(1 for day, ok in self.followups if params.min_gap_days <= day <= params.window_end and (ok or not evaluable_only))

    def first_followup_day(self, params: Params) -> int | None:
        return next((day for day, _ in self.followups if day >= params.min_gap_days), None)


@dataclass(slots=True)
class ExamOut:
    """What became of one (report, leg): kept as an exam of an episode, or why not."""

    report_id: str
    row: int
    leg: Leg | None
    state: LegState | None
    reason: str | None = None  # why the row joins no course (None: it is an exam of the leg)
    day: int | None = None
    comparison: str | None = None
    merged_into: str | None = None
    note: str | None = None
    episode: int | None = None
    evaluable: bool | None = None
    events: list[str] = field(default_factory=list)


@dataclass
class CourseOut:
    exams: list[ExamOut]
    events: list[EventOut]
    episodes: list[EpisodeOut]


# --------------------------------------------------------------------------- exams of a patient


def exams_of(reports: list[ReportIn], params: Params) -> tuple[dict[Leg, list[Exam]], list[ExamOut]]:
    """Each leg's exams in order, one per exam (reports within ``merge_days`` merged), and every row's fate."""
    out: list[ExamOut] = []
    kept: list[tuple[int, ReportIn]] = []
    seen: set[str] = set()
    limit = _ordinal(params.as_of)
    for r in sorted(reports, key=lambda r: r.row):
        reason = r.problem
        if reason is None and r.report_id in seen:
            reason = "duplicate report id (an earlier row has it)"
        elif reason is None and r.day is None:
            reason = "no exam date"
        elif reason is None and limit is not None and r.day is not None and r.day > limit:
            reason = f"exam date after {params.as_of} (in the future)"
        seen.add(r.report_id)
        if reason is not None or r.day is None:
            examined = [leg for leg in LEGS if r.states.get(leg) is not None]
            out += [ExamOut(r.report_id, r.row, leg, r.states.get(leg), reason, comparison=r.comparison) for leg in examined]
            if not examined:
                out.append(ExamOut(r.report_id, r.row, None, None, reason))
        else:
            kept.append((r.day, r))
    kept.sort(key=lambda dr: (dr[0], dr[1].when, dr[1].row))
    clusters: list[list[tuple[int, ReportIn]]] = []
    for day, r in kept:
        if clusters and day - clusters[-1][0][0] <= params.merge_days:
            clusters[-1].append((day, r))
        else:
            clusters.append([(day, r)])
    legs: dict[Leg, list[Exam]] = {leg: [] for leg in LEGS}
    for cluster in clusters:
        for leg in LEGS:
            having = [(day, r, state) for day, r in cluster if (state := r.states.get(leg)) is not None]
            if not having:
                continue
            day, last, state = having[-1]
            legs[leg].append(Exam(last.report_id, last.row, day, state, last.comparison))
            out += [ExamOut(r.report_id, r.row, leg, st, f"merged into report {last.report_id} (same exam within {params.merge_days} day)",
                            merged_into=last.report_id, comparison=r.comparison) for _, r, st in having[:-1]]
        out += [ExamOut(r.report_id, r.row, None, None, "no leg examined") for _, r in cluster
                if all(r.states.get(leg) is None for leg in LEGS)]
    return legs, out


def _ordinal(iso: str | None) -> int | None:
    if not iso:
        return None
    from datetime import date

    return date.fromisoformat(iso[:10]).toordinal()


# --------------------------------------------------------------------------- one leg


def _level(segments: Iterable[str]) -> int:
    return max((LEVEL.get(s, -1) for s in segments), default=-1)


def _candidates(p: LegState, c: LegState, since_index: int, params: Params) -> list[tuple[EventType, str | None, bool, bool, str]]:
    """Every event the pair (P, C) fires: (event, subtype, by labels, by change cue, rule)."""
    changes = dict(c.changes)
    stated = set(changes.values())
    ext_prox = [s for s, ch in c.changes if ch == "extended" and is_proximal(s, params)]
    ext_calf = [s for s, ch in c.changes if ch == "extended" and not is_proximal(s, params)]
    involved = p.segments
    out: list[tuple[EventType, str | None, bool, bool, str]] = []
    if p.label in DISTAL:
        lab, cue = c.label == "PROXIMAL", bool(ext_prox)
        if lab or cue:
            out.append(("PROXIMAL_PROPAGATION", None, lab, cue, "P distal; C PROXIMAL or 'extended' into a proximal segment"))
        if c.label in DISTAL:
            axial = p.label == "ICMVT" and c.label == "IDDVT"
            lab = axial or bool({s for s in c.segments - p.segments if not is_proximal(s, params)})
            cue = bool(ext_calf)
            if lab or cue:
                out.append(("DISTAL_EXTENSION", "MUSCULAR_TO_AXIAL" if axial else "NEW_CALF_SEGMENT", lab, cue,
                            "both distal; ICMVT to IDDVT, a new calf segment, or 'extended' into a calf segment"))
    if p.label == "PROXIMAL" and c.label == "PROXIMAL":
        lab = _level(c.segments) > _level(p.segments) >= 0
        cue = any(LEVEL.get(s, -1) > _level(p.segments) >= 0 for s in ext_prox)
        if lab or cue:
            out.append(("PROXIMAL_EXTENSION", None, lab, cue, "both PROXIMAL; the most cephalad segment moved up"))
    clear = not c.positive and not (c.chronic & involved if involved else c.chronic)
    lab = c.label == "NEGATIVE" or (c.label == "CHRONIC" and clear)
    cue = bool(involved) and not c.positive and all(changes.get(s) == "resolved" for s in involved)
    if lab or cue:
        out.append(("RESOLUTION", None, lab, cue, "C NEGATIVE over the involved segments, or all of them 'resolved'"))
    chronic_here = c.label == "CHRONIC" and not clear
    if c.positive or chronic_here:
        fewer = c.positive and 0 < len(c.segments) < len(involved)
        opened = bool(p.occlusive & c.nonocclusive)
        aged = chronic_here and since_index < params.chronic_residual_days
        lab, cue = fewer or opened or aged, "improved" in stated
        if lab or cue:
            out.append(("IMPROVED", None, lab, cue, "fewer segments, occlusive to nonocclusive, now chronic, or 'improved'"))
    if since_index >= params.chronic_residual_days and (chronic_here or (c.positive and c.segments == involved and not c.acute)):
        out.append(("CHRONIC_RESIDUAL", None, True, False, f"{params.chronic_residual_days}+ days; only chronic thrombus, or the same segments without acute wording"))
    lab = c.positive and c.label == p.label and c.segments == p.segments
    cue = "unchanged" in stated
    if lab or cue:
        out.append(("STABLE", None, lab, cue, "same label and segments, or 'unchanged'"))
    return out


def _discordant(p: LegState, c: LegState) -> bool:
    before = p.segments | p.chronic
    return any((ch in ("unchanged", "improved", "resolved") and s not in before) or (ch in ("new", "extended") and s in p.segments)
               for s, ch in c.changes)


def _source(lab: bool, cue: bool) -> Source:
    return "both" if lab and cue else "labels" if lab else "change"


def _evidence(p: LegState | None, c: LegState) -> str:
    cues = "; ".join(f"{s} {ch}" for s, ch in c.changes)
    text = f"{p.short()} -> {c.short()}" if p is not None else c.short()
    return f"{text}; stated: {cues}" if cues else text


def _rank(label: str) -> int:
    return SEVERITY.index(label) if label in SEVERITY else len(SEVERITY)


class _Leg:
    """The walk over one leg's exams (state: the active episode, its P, the last ended episode, the last exam)."""

    def __init__(self, leg: Leg, params: Params) -> None:
        self.leg, self.params = leg, params
        self.episodes: list[EpisodeOut] = []
        self.events: list[EventOut] = []
        self.active: EpisodeOut | None = None
        self.prev: Exam | None = None  # P: the active episode's last evaluable exam with current thrombus
        self.ended: EpisodeOut | None = None
        self.last: Exam | None = None

    def emit(self, event: EventType, c: Exam, subtype: str | None, ep: EpisodeOut | None, prev: Exam | None,
             source: Source | None, discordant: bool, rule: str) -> EventType:
        evidence = _evidence(prev.state if prev else None, c.state)
        if c.comparison and prev is not None:
            evidence += f"; compared with: {c.comparison}"  # a discordant change often compares with an older or outside study
        row = EventOut(self.leg, event, subtype, c.report_id, prev.report_id if prev else None, ep.number if ep else None, c.day,
                       c.day - ep.index_day if ep else None, c.day - prev.day if prev else None, source, discordant, rule, evidence)
        self.events.append(row)
        if ep is not None:
            ep.events.append(row)
        return event

    def end(self, ep: EpisodeOut, day: int, reason: EndReason) -> None:
        ep.end_day, ep.end_reason = day - ep.index_day, reason
        self.ended, self.active, self.prev = ep, None, None

    def step(self, c: Exam, ex: ExamOut) -> None:
        params, ep = self.params, self.active
        lapsed = None
        if ep is not None and c.day - ep.last_positive_day > params.persistence_days:
            self.end(ep, ep.last_positive_day + params.persistence_days, "lapsed")
            lapsed = ep
        if self.active is not None and self.prev is not None:
            self.follow(self.active, self.prev, c, ex)
        elif c.state.positive:
            self.open(c, ex)
            if lapsed is not None and self.active is not None:
                lapsed.end_reason = "new_episode"  # its follow-up ended with the next episode (it lapsed at that exam)
        elif c.state.label == "CHRONIC":
            ex.events.append(self.emit("PREVALENT_CHRONIC", c, None, None, None, "labels", False, "chronic-only thrombus, no active episode"))
        self.last = c

    def open(self, c: Exam, ex: ExamOut) -> None:
        params, last, ended, state = self.params, self.last, self.ended, c.state
        recent = ended is not None and ended.end_day is not None and c.day - (ended.index_day + ended.end_day) <= params.clean_window_days
        fresh = cue = False
        if recent and ended is not None:
            before = (last.state.segments | last.state.chronic) if last else frozenset()
            fresh = bool(state.segments - before) or state.acute_on_chronic
            cue = any(ch == "new" for _, ch in state.changes)
            if not (fresh or cue):  # residual thrombus, not a new episode (docs/decisions.md)
                ex.note = f"thrombus in the segments of the last exam after episode {ended.number} ended: not a recurrence"
                return
        ep = EpisodeOut(self.leg, len(self.episodes) + 1, c.report_id, state.label, c.day, ended.number if recent and ended else None,
                        max_label=state.label, last_positive_day=c.day, positive_days=[c.day], last_report_id=c.report_id)
        self.episodes.append(ep)
        self.active, self.prev = ep, c
        if recent:
            event = self.emit("RECURRENCE", c, state.label, ep, last, _source(fresh, cue), False,
                              f"current DVT within {params.clean_window_days} days of an episode's end: new segment, 'new' or acute on chronic")
        else:
            event = self.emit("INDEX", c, state.label, ep, None, "labels", False, "current DVT, no active or recent episode")
        ex.episode, ex.evaluable = ep.number, True
        ex.events.append(event)

    def follow(self, ep: EpisodeOut, prev: Exam, c: Exam, ex: ExamOut) -> None:
        params, p, state = self.params, prev.state, c.state
        since = c.day - ep.index_day
        evaluable = state.label not in ("INDETERMINATE", "DVT_UNSPECIFIED") and covers(state, p.segments, params)
        ep.followups.append((since, evaluable))
        ep.last_report_id = c.report_id
        ex.episode, ex.evaluable = ep.number, evaluable
        if state.positive:
            ep.last_positive_day = c.day
            ep.positive_days.append(c.day)
            if _rank(state.label) < _rank(ep.max_label):
                ep.max_label = state.label
        if not evaluable:
            why = {"INDETERMINATE": "INDETERMINATE", "DVT_UNSPECIFIED": "no segment named"}.get(state.label, f"scope {state.scope}")
            ex.events.append(self.emit("UNEVALUABLE", c, None, ep, prev, "labels", False,
                                       f"not evaluable for {','.join(sorted(p.segments)) or 'the leg'}: {why}"))
            return
        fired = _candidates(p, state, since, params)
        if fired:
            event, subtype, lab, cue, rule = min(fired, key=lambda f: PRECEDENCE.index(f[0]))
            ex.events.append(self.emit(event, c, subtype, ep, prev, _source(lab, cue), _discordant(p, state), rule))
            if event == "RESOLUTION":
                self.end(ep, c.day, "resolution")
                return
            if event == "CHRONIC_RESIDUAL":
                self.end(ep, c.day, "chronic_residual")
                return
        if state.positive:  # P stays the last exam with current thrombus (a chronic-looking one is compared to it)
            self.prev = c


def _active_on(ep: EpisodeOut, day: int, params: Params) -> bool:
    """Whether ``ep`` was active (opened before, not ended, not lapsed) on ``day``."""
    if ep.index_day >= day or (ep.end_day is not None and ep.index_day + ep.end_day <= day):
        return False
    last = max(d for d in ep.positive_days if d < day)
    return day - last <= params.persistence_days


def patient_course(reports: list[ReportIn], params: Params = Params()) -> CourseOut:
    """Every exam row, event and episode of one patient's reports (any order)."""
    legs, exams = exams_of(reports, params)
    walks: dict[Leg, _Leg] = {}
    for leg in LEGS:
        walk = walks[leg] = _Leg(leg, params)
        for exam in legs[leg]:
            ex = ExamOut(exam.report_id, exam.row, leg, exam.state, day=exam.day, comparison=exam.comparison)
            walk.step(exam, ex)
            exams.append(ex)
    extra: list[EventOut] = []
    pairs: tuple[tuple[Leg, Leg], ...] = (("left", "right"), ("right", "left"))
    for leg, other in pairs:
        for ep in walks[leg].episodes:
            active = [o for o in walks[other].episodes if _active_on(o, ep.index_day, params)]
            if not active:
                continue
            o = active[-1]
            ep.contralateral_episode, o.contralateral_episode = (other, o.number), (leg, ep.number)
            opening = ep.events[0]
            for target, mine in ((leg, ep), (other, o)):
                row = EventOut(target, "CONTRALATERAL", None, opening.report_id, None, mine.number, ep.index_day, ep.index_day - mine.index_day,
                               None, "labels", False, f"new episode in the {leg} leg while the {other} leg's episode {o.number} is active",
                               f"{leg} episode {ep.number} opened")
                mine.events.append(row)
                extra.append(row)
    for ep in (e for w in walks.values() for e in w.episodes):
        ep.events.sort(key=lambda e: (e.day, e.event == "CONTRALATERAL"))
    events = sorted([e for w in walks.values() for e in w.events] + extra, key=lambda e: (LEGS.index(e.leg), e.day, e.event == "CONTRALATERAL"))
    episodes = [e for leg in LEGS for e in walks[leg].episodes]
    exams.sort(key=lambda x: (x.row, LEGS.index(x.leg) if x.leg else -1))
    return CourseOut(exams, events, episodes)
