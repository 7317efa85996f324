"""The department's daily work (003 第二章): inspection, the butler's day, the meeting, the handover, owner visits.

The scenario files play every path; here, through the Python API, what they do not show: the
moments promises fall due and are journaled, the clock of the butler's timetable step by step,
private data kept out of the redacted journal, and the monthly patrol-visit rate measured from
journals by a KPI target, as a targets document would declare it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import sopflow
from sopflow.analysis.kpi import measure
from sopflow.errors import ChecklistIncomplete, InvalidEventData, RoleNotAllowed
from sopflow.library import bundled_path

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
LIBRARY = sopflow.load_library()


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def start(
    pid: str, when: str, role: str, data: Mapping[str, Any] | None = None
) -> tuple[sopflow.Session, sopflow.ManualClock]:
    clock = sopflow.ManualClock(at(when))
    return LIBRARY.start(pid, clock=clock, role=role, data=dict(data or {})), clock


def tick(session: sopflow.Session, role: str, items: Iterable[str] | None = None) -> None:
    """Tick every item of the current state (or those named)."""
    names = [c.name for c in session.step().checklist] if items is None else list(items)
    for name in names:
        session.check(name, role=role)


def promises(session: sopflow.Session) -> list[tuple[str | None, str | None, dt.datetime]]:
    return [(e.event, e.detail, e.at) for e in session.journal if e.kind == "promise"]


# -- supervisor.daily_inspection -----------------------------------------------------------------

INSPECTION = "supervisor.daily_inspection"
PROBLEMS: dict[str, tuple[str, dict[str, str]]] = {
    "solved": ("problem_solved", {"inspection_problem": "大堂地面有积水"}),
    "passed": ("department_head_notified", {"inspection_problem": "电梯异响", "department_concerned": "工程部"}),
    "major": ("major_problem_reported", {"inspection_problem": "地下室漏水"}),
}


@pytest.mark.parametrize(
    ("met", "final", "outcome"),
    [
        ([], "no_problems", "completed"),
        (["solved"], "solved", "completed"),
        (["solved", "passed"], "handed_to_department", "handed_over"),
        (["passed", "major", "solved"], "reported_to_project_manager", "escalated"),
        (["major"], "reported_to_project_manager", "escalated"),
    ],
)
def test_the_round_closes_on_its_most_serious_handling(met: list[str], final: str, outcome: str) -> None:
    """A major problem reported wins over one passed on, which wins over one solved; none found is completed."""
    session, clock = start(INSPECTION, "2026-03-02T08:20", "cs_supervisor")
    for kind in met:
        event, data = PROBLEMS[kind]
        session.fire(event, role="cs_supervisor", data=data)
    tick(session, "cs_supervisor")
    clock.set(at("2026-03-02T11:00"))
    session.fire("inspection_closed", role="cs_supervisor")
    assert (final, outcome) == (session.state, session.outcome)
    assert [
        ("inspected_today", "made", at("2026-03-02T08:20")),
        ("inspected_today", "kept", at("2026-03-02T11:00")),
    ] == promises(session)


def test_the_round_needs_every_area_and_the_record() -> None:
    """The three areas the source names, every area, and the service-quality record, all required."""
    session, _ = start(INSPECTION, "2026-03-02T08:20", "cs_supervisor")
    assert [
        ("all_areas", True),
        ("hygiene", True),
        ("engineering", True),
        ("staff_morale", True),
        ("quality_record", True),
    ] == [(c.name, c.required) for c in session.step().checklist]
    tick(session, "cs_supervisor", ["all_areas", "hygiene", "engineering", "staff_morale"])
    with pytest.raises(ChecklistIncomplete, match="quality_record"):
        session.fire("inspection_closed", role="cs_supervisor")
    with pytest.raises(RoleNotAllowed):
        session.check("quality_record", role="project_manager")


def test_a_day_without_an_inspection_is_a_journaled_miss_at_1720() -> None:
    """'At least once a day': the day's session opened at 8:20 and never closed misses at 17:20, state unchanged."""
    session, clock = start(INSPECTION, "2026-03-02T08:20", "cs_supervisor")
    assert [("inspected_today", at("2026-03-02T17:20"))] == [(p.name, p.due) for p in session.step().promises]
    clock.set(at("2026-03-03T08:00"))
    session.advance()
    assert (
        [("inspected_today", "made", at("2026-03-02T08:20")), ("inspected_today", "missed", at("2026-03-02T17:20"))],
        "inspect",
        (),
    ) == (
        promises(session),
        session.state,
        session.step().promises,
    )


def test_a_session_opened_after_1720_is_the_next_days() -> None:
    """Opened in the evening, the promise is due at 17:20 the next day."""
    session, _ = start(INSPECTION, "2026-03-02T18:00", "cs_supervisor")
    assert [at("2026-03-03T17:20")] == [p.due for p in session.step().promises]


def test_the_rules_of_report_upward_travel_with_every_step() -> None:
    """The policy carries the major-problem rule (item 3) with the front desk's two."""
    session, _ = start(INSPECTION, "2026-03-02T08:20", "cs_supervisor")
    assert {"major_problem", "complaint_to_supervisor", "special_situation"} == {r.name for r in session.step().rules}


# -- butler.daily_schedule -------------------------------------------------------------------------

SCHEDULE = "butler.daily_schedule"
TIMETABLE = [
    ("08:30", "morning_meeting"),
    ("09:00", "stairwell_round"),
    ("10:30", None),
    ("11:50", "back_at_centre"),
    ("12:00", "lunch"),
    ("13:10", "exchange"),
    ("13:30", "vacant_units"),
    ("14:10", "afternoon_round"),
    ("17:10", "summarise_day"),
    ("17:20", "evening_meeting"),
]


@pytest.mark.parametrize(
    ("stage", "round_at_1030"), [("occupied", "fees_and_revisits"), ("renovating", "renovation_round")]
)
def test_the_day_runs_on_the_clock_and_ends_with_the_plan(stage: str, round_at_1030: str) -> None:
    """Each step arrives at its time, ticked or not; the day ends once the evening meeting's items are ticked."""
    session, clock = start(SCHEDULE, "2026-03-02T08:20", "butler", {"area_stage": stage})
    seen = [(session.state, session.journal[-1].at)]
    for time, expected in TIMETABLE:
        tick(session, "butler")
        clock.set(at(f"2026-03-02T{time}"))
        session.advance()
        assert (expected or round_at_1030, at(f"2026-03-02T{time}")) == (session.state, session.journal[-1].at)
        seen.append((session.state, session.journal[-1].at))
    with pytest.raises(ChecklistIncomplete):
        session.fire("day_closed", role="butler")
    tick(session, "butler")
    session.fire("day_closed", role="butler")
    assert ("day_done", "completed", 11) == (session.state, session.outcome, len(seen))
    ticked = Counter(e.source for e in session.journal if e.kind == "check")
    assert (5, 3) == (ticked["arrive"], ticked["evening_meeting"])


def test_a_step_left_unticked_moves_on_at_its_time() -> None:
    """Timers leave whatever was ticked: the journal shows what was not done."""
    session, clock = start(SCHEDULE, "2026-03-02T08:20", "butler", {"area_stage": "occupied"})
    session.check("uniform_and_badge", role="butler")
    clock.set(at("2026-03-02T08:30"))
    session.advance()
    assert ("morning_meeting", ["uniform_and_badge"]) == (
        session.state,
        [e.event for e in session.journal if e.kind == "check"],
    )


def test_the_day_needs_to_know_the_area() -> None:
    """Occupied or under renovation decides the 10:30 round: the host gives it from the butler's assignment."""
    with pytest.raises(InvalidEventData, match="area_stage"):
        start(SCHEDULE, "2026-03-02T08:20", "butler")


def test_the_butler_may_call_on_any_department() -> None:
    """Remark 2 is a standing rule shown with every step."""
    session, _ = start(SCHEDULE, "2026-03-02T08:20", "butler", {"area_stage": "occupied"})
    assert ["may_call_on_any_department"] == [r.name for r in session.step("zh-Hans").rules]
    assert "管家在进行现场工作期间有权调动任何部门" == session.step("zh-Hans").rules[0].text


# -- meeting.department_daily ---------------------------------------------------------------------

MEETING = "meeting.department_daily"


def test_the_agenda_is_ticked_by_the_chair_and_none_of_it_is_required() -> None:
    """The four points of item 3 are offered, not forced: the daily meeting has weekly content."""
    session, clock = start(MEETING, "2026-03-02T08:00", "cs_supervisor")
    clock.set(at("2026-03-02T08:30"))
    session.advance()
    assert [False] * 4 == [c.required for c in session.step().checklist]
    with pytest.raises(RoleNotAllowed):
        session.check("staff_problems_solved", role="department_staff")
    tick(session, "cs_supervisor", ["staff_problems_solved", "training_arranged"])
    session.fire("meeting_closed", role="cs_supervisor")
    session.fire("minutes_recorded", role="recorder", data={"duty_log_entry": "值班日志 3月2日"})
    assert ("completed", ["staff_problems_solved", "training_arranged"]) == (
        session.outcome,
        [e.event for e in session.journal if e.kind == "check"],
    )


# -- shift.handover ---------------------------------------------------------------------------------

HANDOVER = "shift.handover"


def handed_to_checks(when: str = "2026-03-02T16:00") -> tuple[sopflow.Session, sopflow.ManualClock]:
    session, clock = start(HANDOVER, when, "handing_over_staff")
    session.fire("desk_tidied", role="handing_over_staff")
    session.fire("shift_recorded", role="handing_over_staff", data={"shift_record": "受理报修3宗"})
    session.fire("diary_read", role="receiving_staff")
    session.fire("verified", role="receiving_staff")
    return session, clock


def take_over(session: sopflow.Session) -> None:
    tick(session, "receiving_staff")
    session.fire("no_questions", role="receiving_staff")
    session.fire("record_made", role="recorder", data={"handover_record": "交接班检查记录 3月2日 下午班"})
    session.fire("record_signed", role="handing_over_staff")


def test_a_handover_taken_over_and_reviewed_the_same_day_keeps_the_review_promise() -> None:
    """Items 4, 6-10: checks ticked, no question left, record made and signed; the supervisor signs by 17:20."""
    session, clock = handed_to_checks()
    assert ["equipment_runs", "number", "condition", "working"] == [c.name for c in session.step().checklist]
    take_over(session)
    assert ("awaiting_review", [("reviewed_daily", at("2026-03-02T17:20"))]) == (
        session.state,
        [(p.name, p.due) for p in session.step().promises],
    )
    clock.set(at("2026-03-02T17:00"))
    session.fire("reviewed_and_signed", role="cs_supervisor")
    assert (
        "completed",
        [("reviewed_daily", "made", at("2026-03-02T16:00")), ("reviewed_daily", "kept", at("2026-03-02T17:00"))],
    ) == (
        session.outcome,
        promises(session),
    )


def test_a_record_not_reviewed_by_1720_is_a_journaled_miss() -> None:
    """The supervisor's daily review missed: journaled at 17:20, the session still waits for the signature."""
    session, clock = handed_to_checks()
    take_over(session)
    clock.set(at("2026-03-03T09:00"))
    session.fire("reviewed_and_signed", role="cs_supervisor")
    assert [("made", at("2026-03-02T16:00")), ("missed", at("2026-03-02T17:20"))] == [
        (d, t) for _, d, t in promises(session)
    ]
    assert "completed" == session.outcome


def test_an_evening_handover_is_reviewed_by_1720_the_next_day() -> None:
    session, _ = handed_to_checks("2026-03-02T20:00")
    take_over(session)
    assert [at("2026-03-03T17:20")] == [p.due for p in session.step().promises]


def test_the_handover_rules_travel_with_every_step() -> None:
    session, _ = start(HANDOVER, "2026-03-02T16:00", "handing_over_staff")
    assert ["every_shift_hands_over", "post_never_unattended"] == [r.name for r in session.step().rules]


# -- owner_visit -------------------------------------------------------------------------------------

VISIT = "owner_visit"
STAFF = {"visit_company": "玉宏物业", "visit_department": "客服部", "visit_staff_name": "刘"}
APPOINTMENT = {"visit_time": "2026-03-04T15:00:00+08:00", "visit_place": "7-1502", "visit_matter": "供暖费缴纳"}


def at_the_door(
    basis: str = "work_plan", when: str = "2026-03-02T09:30"
) -> tuple[sopflow.Session, sopflow.ManualClock]:
    session, clock = start(VISIT, when, "butler", {"visit_basis": basis, **STAFF})
    session.fire("appointment_made", role="butler", data=APPOINTMENT)
    tick(session, "butler")
    session.fire("arrived", role="butler")
    return session, clock


def visit(session: sopflow.Session, *, request: bool, card: bool = True) -> None:
    session.fire("owner_receives", role="butler")
    if request:
        session.fire(
            "request_put_on_record", role="butler", data={"owner_request": "增设充电桩", "owner_opinions": "车位紧张"}
        )
    else:
        session.fire("dealt_with_on_the_spot", role="butler", data={"owner_opinions": "保洁及时"})
    tick(session, "butler", ["thanked", "contact_offered"] + (["business_card"] if card else []))
    session.fire("visit_ended", role="butler")
    if request:
        session.fire("reported_to_company", role="butler")
    session.fire("registration_filed", role="butler")


def test_leaving_needs_the_thanks_and_the_offer_but_not_the_card() -> None:
    session, _ = at_the_door()
    session.fire("owner_receives", role="butler")
    session.fire("dealt_with_on_the_spot", role="butler")
    assert [("thanked", True), ("business_card", False), ("contact_offered", True)] == [
        (c.name, c.required) for c in session.step().checklist
    ]
    session.check("thanked", role="butler")
    with pytest.raises(ChecklistIncomplete, match="contact_offered"):
        session.fire("visit_ended", role="butler")


def test_the_agreed_place_is_private() -> None:
    session, _ = at_the_door()
    appointment = next(e for e in session.journal if e.event == "appointment_made")
    rendered = json.dumps(session.redacted_journal(), ensure_ascii=False)
    assert ("7-1502", False, True) == (appointment.data["visit_place"], "7-1502" in rendered, "***" in rendered)


PATROL_VISITS = """
sopflow: 1
targets:
  id: targets.daily_work_check
  title: {en: Daily-work measures}
  languages: [en]
  kpis:
    patrol_visits:
      title: {en: monthly patrol-visit rate}
      target: {at_least: 80%}
      period: month
      measure:
        count:
          procedure: owner_visit
          reached: [visited, visited_awaiting_solution]
          where: "visit_basis == 'work_plan'"
        of: {procedure: owner_visit, where: "visit_basis == 'work_plan'"}
      raw: "每月巡访率达到80%"
      source: {document: "003", section: "第一章第四节 管家 10", lines: "13"}
      confidence: high
    inspected_daily:
      title: {en: days with the supervisor's inspection closed by 17:20}
      period: month
      measure:
        count: {procedure: supervisor.daily_inspection, promise: inspected_today, result: [kept]}
        of: {procedure: supervisor.daily_inspection, promise: inspected_today, result: [kept, missed]}
"""


def test_the_monthly_patrol_visit_rate_is_measured_from_the_outcomes(tmp_path: Path) -> None:
    """管家 10, 每月巡访率达到80%: plan visits made over plan visits started, per month, from the journals."""
    (tmp_path / "targets.yaml").write_text(PATROL_VISITS, encoding="utf-8")
    library = sopflow.load_library(bundled_path(), tmp_path)
    journals = []
    for day, ending in enumerate(["visited", "pending", "visited", "unwilling", "open"], start=2):
        session, _ = at_the_door("work_plan", f"2026-03-{day:02d}T09:30")
        if ending == "visited":
            visit(session, request=False)
        elif ending == "pending":
            visit(session, request=True)
        elif ending == "unwilling":
            session.fire("owner_unwilling", role="butler")
        journals.append(list(session.journal))
    for when in ("2026-03-09T09:30", "2026-04-01T09:30"):  # an ad-hoc visit is not in the plan's rate
        session, _ = at_the_door("ad_hoc", when)
        visit(session, request=False)
        journals.append(list(session.journal))
    april, _ = at_the_door("work_plan", "2026-04-02T09:30")
    visit(april, request=False)
    journals.append(list(april.journal))
    kpi = library.targets["targets.daily_work_check"].kpis["patrol_visits"]
    assert [("2026-03", 3, 5, Decimal("60.0"), False), ("2026-04", 1, 1, Decimal("100.0"), True)] == [
        (f.period, f.count, f.of, f.percent, f.met) for f in measure(kpi, journals, library)
    ]


def test_the_daily_inspection_is_measured_from_its_promise(tmp_path: Path) -> None:
    """A day inspected and closed by 17:20 counts kept; a day left open counts missed."""
    (tmp_path / "targets.yaml").write_text(PATROL_VISITS, encoding="utf-8")
    library = sopflow.load_library(bundled_path(), tmp_path)
    closed, clock = start(INSPECTION, "2026-03-02T08:20", "cs_supervisor")
    tick(closed, "cs_supervisor")
    closed.fire("inspection_closed", role="cs_supervisor")
    left_open, clock = start(INSPECTION, "2026-03-03T08:20", "cs_supervisor")
    clock.set(at("2026-03-03T18:00"))
    left_open.advance()
    kpi = library.targets["targets.daily_work_check"].kpis["inspected_daily"]
    assert [("2026-03", 1, 2)] == [
        (f.period, f.count, f.of) for f in measure(kpi, [closed.journal, left_open.journal], library)
    ]
