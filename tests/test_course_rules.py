"""The pure course rules (pipeline.course.rules), one series per test line: 'd0 ICMVT soleal, d7 IDDVT soleal peroneal'."""
from __future__ import annotations

import pytest

from pipeline.course.rules import (
    LegState,
    Params,
    ReportIn,
    covers,
    leg_state,
    patient_course,
)

P = Params()


def st(text: str, scope=None, changes=(), occ=(), nonocc=(), acute=False, aoc=False) -> LegState:
    """'IDDVT peroneal posterior_tibial', 'CHRONIC femoral', 'NEGATIVE'."""
    label, *segments = text.split()
    chronic = label == "CHRONIC"
    return LegState(label, frozenset() if chronic else frozenset(segments), frozenset(segments) if chronic else frozenset(),
                    frozenset(occ), frozenset(nonocc), acute or aoc, aoc, scope, frozenset(), tuple(changes))


def series(text: str, leg: str = "left", params: Params = P, **last):
    """'d0 ICMVT soleal, d7 IDDVT soleal peroneal' on one leg; keyword arguments go to the last exam's state."""
    reports = []
    parts = [p.strip() for p in text.split(",")]
    for i, part in enumerate(parts):
        day, state = part.split(" ", 1)
        kw = last if i == len(parts) - 1 else {}
        reports.append(ReportIn(f"r{i}", i, 700000 + int(day[1:]), "", {leg: st(state, **kw)}))
    return patient_course(reports, params)


def events(course) -> list[str]:
    return [e.event + (f":{e.subtype}" if e.subtype and e.event not in ("INDEX", "RECURRENCE") else "") for e in course.events]


def test_every_event_from_its_series():
    assert events(series("d0 IDDVT peroneal")) == ["INDEX"]
    assert events(series("d0 CHRONIC femoral")) == ["PREVALENT_CHRONIC"]
    assert events(series("d0 ICMVT soleal, d7 PROXIMAL soleal popliteal")) == ["INDEX", "PROXIMAL_PROPAGATION"]
    assert events(series("d0 ICMVT soleal, d7 IDDVT soleal peroneal")) == ["INDEX", "DISTAL_EXTENSION:MUSCULAR_TO_AXIAL"]
    assert events(series("d0 IDDVT peroneal, d7 IDDVT peroneal soleal")) == ["INDEX", "DISTAL_EXTENSION:NEW_CALF_SEGMENT"]
    assert events(series("d0 ICMVT soleal, d7 ICMVT soleal gastrocnemius")) == ["INDEX", "DISTAL_EXTENSION:NEW_CALF_SEGMENT"]
    assert events(series("d0 PROXIMAL popliteal, d9 PROXIMAL popliteal femoral")) == ["INDEX", "PROXIMAL_EXTENSION"]
    assert events(series("d0 PROXIMAL femoral, d9 PROXIMAL femoral common_femoral external_iliac")) == ["INDEX", "PROXIMAL_EXTENSION"]
    assert events(series("d0 IDDVT peroneal, d7 IDDVT peroneal")) == ["INDEX", "STABLE"]
    assert events(series("d0 IDDVT peroneal posterior_tibial, d7 IDDVT peroneal")) == ["INDEX", "IMPROVED"]
    assert events(series("d0 ICMVT soleal, d14 NEGATIVE")) == ["INDEX", "RESOLUTION"]
    assert events(series("d0 PROXIMAL femoral, d60 PROXIMAL femoral, d120 CHRONIC femoral")) == ["INDEX", "STABLE", "CHRONIC_RESIDUAL"]
    assert events(series("d0 IDDVT peroneal, d10 NEGATIVE, d200 IDDVT posterior_tibial")) == ["INDEX", "RESOLUTION", "RECURRENCE"]
    assert events(series("d0 ICMVT soleal, d7 NEGATIVE", scope="proximal_only")) == ["INDEX", "UNEVALUABLE"]


def test_change_cues_fire_events_and_say_their_source():
    assert series("d0 IDDVT peroneal, d7 IDDVT peroneal", changes=[("peroneal", "unchanged")]).events[1].source == "both"
    assert series("d0 IDDVT peroneal, d7 IDDVT peroneal", changes=[("peroneal", "improved")]).events[1].event == "IMPROVED"
    assert series("d0 IDDVT peroneal posterior_tibial, d7 IDDVT peroneal posterior_tibial", changes=[("posterior_tibial", "extended")]).events[1].source == "change"
    assert series("d0 IDDVT peroneal, d7 PROXIMAL peroneal popliteal", changes=[("popliteal", "extended")]).events[1].source == "both"
    assert series("d0 PROXIMAL femoral, d7 PROXIMAL femoral", occ=(), nonocc=("femoral",)).events[1].event == "STABLE"


def test_occlusive_to_nonocclusive_is_improved():
    reports = [ReportIn("a", 0, 100, "", {"left": st("IDDVT peroneal", occ=("peroneal",))}),
               ReportIn("b", 1, 107, "", {"left": st("IDDVT peroneal", nonocc=("peroneal",))})]
    assert [e.event for e in patient_course(reports).events] == ["INDEX", "IMPROVED"]


def test_precedence_when_several_fire():
    # fewer segments and a new calf segment: extension outranks improvement
    assert events(series("d0 IDDVT peroneal posterior_tibial anterior_tibial, d7 IDDVT peroneal soleal")) == ["INDEX", "DISTAL_EXTENSION:NEW_CALF_SEGMENT"]
    # same segments 90+ days on without acute wording: chronic residual outranks stable
    assert events(series("d0 PROXIMAL femoral, d60 PROXIMAL femoral, d100 PROXIMAL femoral")) == ["INDEX", "STABLE", "CHRONIC_RESIDUAL"]
    assert events(series("d0 PROXIMAL femoral, d60 PROXIMAL femoral, d100 PROXIMAL femoral", acute=True)) == ["INDEX", "STABLE", "STABLE"]


def test_discordant_change_is_flagged():
    assert series("d0 IDDVT peroneal, d7 PROXIMAL peroneal popliteal", changes=[("popliteal", "unchanged")]).events[1].discordant is True
    assert series("d0 IDDVT peroneal, d7 IDDVT peroneal", changes=[("peroneal", "new")]).events[1].discordant is True
    assert series("d0 IDDVT peroneal, d7 IDDVT peroneal", changes=[("peroneal", "improved")]).events[1].discordant is False


def test_recurrence_and_index_after_the_clean_window():
    assert events(series("d0 IDDVT peroneal, d10 NEGATIVE, d500 IDDVT peroneal")) == ["INDEX", "RESOLUTION", "INDEX"]
    assert series("d0 IDDVT peroneal, d10 NEGATIVE, d200 IDDVT posterior_tibial").episodes[1].previous_episode == 1
    assert events(series("d0 CHRONIC femoral, d30 IDDVT peroneal")) == ["PREVALENT_CHRONIC", "INDEX"]
    # residual thrombus in the same segment after a chronic residual: not a recurrence, unless acute on chronic or 'new'
    assert events(series("d0 PROXIMAL femoral, d60 PROXIMAL femoral, d120 CHRONIC femoral, d150 PROXIMAL femoral")) == ["INDEX", "STABLE", "CHRONIC_RESIDUAL"]
    assert events(series("d0 PROXIMAL femoral, d60 PROXIMAL femoral, d120 CHRONIC femoral, d150 PROXIMAL femoral", aoc=True))[-1] == "RECURRENCE"
    assert events(series("d0 PROXIMAL femoral, d60 PROXIMAL femoral, d120 CHRONIC femoral, d150 PROXIMAL femoral", changes=[("femoral", "new")]))[-1] == "RECURRENCE"


def test_an_episode_lapses_90_days_after_its_last_positive_exam():
    course = series("d0 IDDVT peroneal, d100 IDDVT peroneal posterior_tibial")
    assert events(course) == ["INDEX", "RECURRENCE"]
    assert (course.episodes[0].end_reason, course.episodes[0].end_day) == ("new_episode", 90)
    assert series("d0 IDDVT peroneal, d100 NEGATIVE").episodes[0].end_reason == "lapsed"
    assert series("d0 IDDVT peroneal, d30 CHRONIC peroneal, d100 NEGATIVE").episodes[0].end_reason == "lapsed"  # chronic exams are not positive


def test_chronic_before_90_days_is_improved_and_the_episode_goes_on():
    assert events(series("d0 IDDVT peroneal, d30 CHRONIC peroneal")) == ["INDEX", "IMPROVED"]
    assert events(series("d0 IDDVT peroneal, d30 CHRONIC peroneal, d60 NEGATIVE")) == ["INDEX", "IMPROVED", "RESOLUTION"]
    assert events(series("d0 IDDVT peroneal, d30 CHRONIC femoral")) == ["INDEX", "RESOLUTION"]  # the involved segment is clear


@pytest.mark.parametrize("text, kw, status", [
    ("d0 ICMVT soleal, d7 PROXIMAL popliteal", {}, "PROXIMAL_PROPAGATION"),
    ("d0 ICMVT soleal, d7 IDDVT soleal peroneal", {}, "DISTAL_EXTENSION_ONLY"),
    ("d0 ICMVT soleal, d7 IDDVT soleal peroneal, d14 PROXIMAL popliteal", {}, "PROXIMAL_PROPAGATION"),
    ("d0 IDDVT peroneal, d12 NEGATIVE", {}, "RESOLVED_EARLY"),
    ("d0 IDDVT peroneal, d7 IDDVT peroneal", {}, "COMPLETED_NO_EXTENSION"),
    ("d0 IDDVT peroneal, d7 IDDVT peroneal posterior_tibial anterior_tibial, d14 IDDVT peroneal", {}, "DISTAL_EXTENSION_ONLY"),
    ("d0 IDDVT peroneal, d7 NEGATIVE", {"scope": "proximal_only"}, "FOLLOWUP_LIMITED"),
    ("d0 IDDVT peroneal, d7 INDETERMINATE", {}, "FOLLOWUP_LIMITED"),
    ("d0 IDDVT peroneal", {}, "NO_FOLLOWUP"),
    ("d0 IDDVT peroneal, d1 IDDVT peroneal", {}, "NO_FOLLOWUP"),  # one exam (merged within a day)
    ("d0 IDDVT peroneal, d30 PROXIMAL popliteal", {}, "NO_FOLLOWUP"),  # outside the window
    ("d0 IDDVT peroneal, d21 PROXIMAL popliteal", {}, "PROXIMAL_PROPAGATION"),  # the grace week's last day
    ("d0 IDDVT peroneal, d22 PROXIMAL popliteal", {}, "NO_FOLLOWUP"),
])
def test_surveillance_status(text, kw, status):
    assert series(text, **kw).episodes[0].status(P) == status


def test_episode_figures_are_given_even_outside_the_window():
    ep = series("d0 IDDVT peroneal, d30 PROXIMAL popliteal, d60 NEGATIVE").episodes[0]
    assert (ep.first_followup_day(P), ep.first_day("PROXIMAL_PROPAGATION"), ep.first_day("RESOLUTION")) == (30, 30, 60)
    assert (ep.status(P), ep.status(P, 42), ep.status(P, 90)) == ("NO_FOLLOWUP", "PROXIMAL_PROPAGATION", "PROXIMAL_PROPAGATION")
    assert (ep.max_label, ep.end_reason) == ("PROXIMAL", "resolution")
    assert series("d0 PROXIMAL popliteal, d7 PROXIMAL popliteal").episodes[0].status(P) is None  # proximal index: not surveillance
    ep = series("d0 IDDVT peroneal, d5 IDDVT peroneal, d9 NEGATIVE", scope="proximal_only").episodes[0]
    assert (ep.followups_in_window(P), ep.followups_in_window(P, evaluable_only=True), ep.end_reason) == (2, 1, "last_exam")


def test_contralateral_is_recorded_on_both_legs():
    reports = [ReportIn("a", 0, 100, "", {"left": st("IDDVT peroneal"), "right": st("NEGATIVE")}),
               ReportIn("b", 1, 105, "", {"left": st("IDDVT peroneal"), "right": st("PROXIMAL femoral")})]
    course = patient_course(reports)
    assert [(e.leg, e.event, e.report_id) for e in course.events if e.event == "CONTRALATERAL"] == [("left", "CONTRALATERAL", "b"), ("right", "CONTRALATERAL", "b")]
    assert [ep.contralateral_episode for ep in course.episodes] == [("right", 1), ("left", 1)]
    both = [ReportIn("a", 0, 100, "", {"left": st("IDDVT peroneal"), "right": st("IDDVT peroneal")})]
    assert "CONTRALATERAL" not in events(patient_course(both))  # a bilateral index is not contralateral


def test_the_tibioperoneal_trunk_switch():
    record = {"side_labels": {"left": "IDDVT"}, "findings": [{"segment": "tibioperoneal_trunk", "side": "left", "status": "present", "acuity": "acute"}]}
    assert leg_state(record, "left", P).label == "IDDVT"
    assert leg_state(record, "left", Params(tpt_proximal=True)).label == "PROXIMAL"


def finding(segment, status="absent", acuity=None, side="left", **kw):
    return {"segment": segment, "side": side, "status": status, "acuity": acuity, **kw}


def test_leg_state_reads_a_record():
    record = {"side_labels": {"left": "NEGATIVE", "right": None},
              "findings": [finding("common_femoral"), finding("femoral", "present", "chronic"), finding("popliteal")]}
    state = leg_state(record, "left", P)
    assert (state.label, state.chronic, state.scope) == ("CHRONIC", frozenset({"femoral"}), "proximal_only")
    assert leg_state(record, "right", P) is None
    limited = {"side_labels": {"left": "NEGATIVE"}, "findings": [finding("femoral"), finding("calf_unspecified", "not_evaluated")]}
    assert leg_state(limited, "left", P).scope == "limited"
    assert not covers(leg_state(limited, "left", P), ["peroneal"], P) and covers(leg_state(limited, "left", P), ["femoral"], P)
    full = {"side_labels": {"left": "IDDVT"}, "findings": [finding("femoral"), finding("peroneal", "present", "acute", change="new")]}
    assert (leg_state(full, "left", P).scope, leg_state(full, "left", P).changes) == ("complete", (("peroneal", "new"),))
    assert leg_state({**full, "scope": {"left": "calf_only"}}, "left", P).scope == "calf_only"  # part A's scope wins
    assert leg_state({**full, "error": "boom", "side_labels": {"left": None}}, "left", P) is None


def reasons(reports, params=P):
    return [(x.report_id, x.leg, x.reason) for x in patient_course(reports, params).exams]


def test_bad_input_rows_are_kept_with_their_reason():
    left = {"left": st("IDDVT peroneal")}
    assert reasons([ReportIn("a", 0, 100, "", left), ReportIn("a", 1, 107, "", left)])[1] == ("a", "left", "duplicate report id (an earlier row has it)")
    assert reasons([ReportIn("a", 0, None, "", left)]) == [("a", "left", "no exam date")]
    assert reasons([ReportIn("a", 0, 800000, "", left)], Params(as_of="2020-01-01"))[0][2] == "exam date after 2020-01-01 (in the future)"
    assert reasons([ReportIn("a", 0, 100, "", {"left": None})]) == [("a", None, "no leg examined")]
    assert reasons([ReportIn("a", 0, 100, "", left, problem="no patient id")]) == [("a", "left", "no patient id")]


def test_prelim_and_final_within_a_day_are_one_exam_and_order_is_by_date():
    reports = [ReportIn("final", 2, 101, "", {"left": st("PROXIMAL popliteal")}),
               ReportIn("later", 0, 110, "", {"left": st("PROXIMAL popliteal")}),
               ReportIn("prelim", 1, 100, "", {"left": st("IDDVT peroneal")})]
    course = patient_course(reports)
    assert [(e.event, e.report_id, e.subtype) for e in course.events] == [("INDEX", "final", "PROXIMAL"), ("STABLE", "later", None)]
    assert [x.merged_into for x in course.exams] == [None, "final", None]


def test_the_worked_series_of_docs_surveillance():
    reports = [ReportIn("r1", 0, 100, "", {"left": st("ICMVT soleal")}),
               ReportIn("r2", 1, 106, "", {"left": st("IDDVT soleal peroneal", changes=[("peroneal", "extended")])}),
               ReportIn("r3", 2, 113, "", {"left": st("NEGATIVE", scope="proximal_only")}),
               ReportIn("r4", 3, 120, "", {"left": st("PROXIMAL peroneal popliteal")}),
               ReportIn("r5", 4, 148, "", {"left": st("NEGATIVE", scope="complete")}),
               ReportIn("r6", 5, 400, "", {"left": st("IDDVT posterior_tibial")})]
    course = patient_course(reports)
    assert [(e.event, e.subtype, e.report_id) for e in course.events] == [
        ("INDEX", "ICMVT", "r1"), ("DISTAL_EXTENSION", "MUSCULAR_TO_AXIAL", "r2"), ("UNEVALUABLE", None, "r3"),
        ("PROXIMAL_PROPAGATION", None, "r4"), ("RESOLUTION", None, "r5"), ("RECURRENCE", "IDDVT", "r6")]
    ep = course.episodes[0]
    assert (ep.status(P), ep.first_followup_day(P), ep.followups_in_window(P), ep.followups_in_window(P, True)) == ("PROXIMAL_PROPAGATION", 6, 3, 2)
    assert (ep.first_day("PROXIMAL_PROPAGATION"), ep.first_day("DISTAL_EXTENSION"), ep.first_day("RESOLUTION"), ep.status(P, 42)) == (20, 6, 48, "PROXIMAL_PROPAGATION")
    assert (ep.max_label, ep.end_reason, course.episodes[1].previous_episode) == ("PROXIMAL", "resolution", 1)


def test_the_stated_comparison_is_cited_in_the_evidence():
    reports = [ReportIn("a", 0, 100, "", {"left": st("IDDVT peroneal")}),
               ReportIn("b", 1, 107, "", {"left": st("PROXIMAL peroneal popliteal", changes=[("popliteal", "unchanged")])}, comparison="outside")]
    event = patient_course(reports).events[1]
    assert (event.event, event.discordant) == ("PROXIMAL_PROPAGATION", True) and event.evidence.endswith("compared with: outside")
