"""Timers and promises at a moment held in a field: the time agreed with the user.

The SOPs keep appointments ("be there exactly at the agreed time; never miss it"). The time
is the case's data, so a timer's ``at`` and a promise's ``by`` may name the datetime field
that holds it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

import sopflow
from sopflow.analysis.conformance import conform, mapping_from
from sopflow.analysis.conformance.logs import LogCase, Row
from sopflow.analysis.explore import explore
from sopflow.analysis.generate import generate
from sopflow.errors import ProcedureInvalid
from sopflow.model import FieldTime, TimeOfDay, parse_when
from sopflow.render.handbook.words import promise_words, timer_words
from sopflow.render.text import when

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
VISIT = """\
sopflow: 1
procedure:
  id: t.visit
  version: 1
  title: {en: Visit}
  languages: [en]
  roles: {tech: {title: {en: Technician}}}
  fields:
    appointment: {type: datetime}
    note: {type: str}
  initial: booking
  promises:
    on_time:
      title: {en: there at the agreed time}
      by: appointment
      starts: travelling
      kept: [at_door]
  states:
    booking:
      role: tech
      on: {booked: {data: [appointment], to: travelling}, unbooked: travelling_unbooked}
    travelling:
      role: tech
      timers: {overdue: {at: appointment, to: late}}
      on: {arrived: at_door}
    travelling_unbooked:
      role: tech
      timers: {overdue: {at: appointment, to: late}}
      on: {arrived: at_door}
    at_door: {final: completed}
    late: {final: pending_follow_up}
"""


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def booked(clock: sopflow.ManualClock, appointment: str = "2026-03-02T10:00") -> sopflow.Session:
    session = sopflow.load_string(VISIT).start("t.visit", clock=clock, role="tech")
    session.fire("booked", role="tech", data={"appointment": at(appointment)})
    return session


def promises(session: sopflow.Session) -> list[tuple[str | None, str | None]]:
    return [(e.event, e.detail) for e in session.journal if e.kind == "promise"]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("appointment_time", FieldTime("appointment_time")),
        ("08:30", TimeOfDay(dt.time(8, 30), "today_or_next")),
        ("next working day 09:00", TimeOfDay(dt.time(9), "next_working_day")),
    ],
)
def test_a_moment_is_a_clock_time_or_a_field_name(text: str, parsed: object) -> None:
    assert parsed == parse_when(text)


def test_the_timer_fires_at_the_moment_the_field_holds() -> None:
    clock = sopflow.ManualClock(at("2026-03-02T09:00"))
    session = booked(clock)
    assert [("overdue", at("2026-03-02T10:00"))] == [(t.name, t.due) for t in session.step().timers]
    clock.set(at("2026-03-02T09:59"))
    assert ([], "travelling") == (session.advance(), session.state)
    clock.set(at("2026-03-02T10:00"))
    fired = session.advance()
    assert (["timer", "promise"], "late") == ([e.kind for e in fired], session.state)
    assert [("on_time", "made"), ("on_time", "missed")] == promises(session)


def test_arriving_in_time_keeps_the_promise_and_stops_the_timer() -> None:
    clock = sopflow.ManualClock(at("2026-03-02T09:00"))
    session = booked(clock)
    clock.set(at("2026-03-02T09:50"))
    assert "completed" == session.fire("arrived", role="tech").outcome
    assert [("on_time", "made"), ("on_time", "kept")] == promises(session)


def test_with_the_field_empty_neither_timer_nor_promise_runs() -> None:
    """Nothing was agreed, so nothing can be late: no deadline, no promise made."""
    clock = sopflow.ManualClock(at("2026-03-02T09:00"))
    session = sopflow.load_string(VISIT).start("t.visit", clock=clock, role="tech")
    session.fire("unbooked", role="tech")
    clock.advance("3 days")
    assert ((), [], "travelling_unbooked", []) == (
        session.step().timers,
        session.advance(),
        session.state,
        promises(session),
    )


def test_a_time_already_past_falls_due_at_once() -> None:
    clock = sopflow.ManualClock(at("2026-03-02T11:00"))
    session = booked(clock, "2026-03-02T10:00")
    fired = session.advance()
    assert (["timer", "promise"], "late") == ([e.kind for e in fired], session.state)


def test_the_deadline_survives_a_snapshot() -> None:
    clock = sopflow.ManualClock(at("2026-03-02T09:00"))
    session = booked(clock)
    library = sopflow.load_string(VISIT)
    restored = library.restore(session.snapshot(journal=False), clock)
    assert session.step().timers == restored.step().timers
    assert session.step().promises == restored.step().promises


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("at: appointment", "at: appointmnet"), r"unknown field 'appointmnet'; did you mean 'appointment'"),
        (("by: appointment", "by: note"), r"'note' is a str field; a timer or promise falls due at a moment"),
    ],
)
def test_a_moment_must_be_held_in_a_datetime_field(change: tuple[str, str], message: str) -> None:
    with pytest.raises(ProcedureInvalid, match=message):
        sopflow.load_string(VISIT.replace(*change, 1))


def test_the_explorer_lets_the_timer_fire_and_finds_no_problem() -> None:
    procedure = sopflow.load_string(VISIT)["t.visit"]
    space = explore(procedure)
    assert {("t.visit", "timer:overdue"), ("t.visit", "arrived")} <= space.fired
    assert {("t.visit", "on_time", "missed"), ("t.visit", "on_time", "kept")} <= space.promises


def test_a_late_arrival_in_a_log_is_a_time_deviation_citing_the_moment() -> None:
    library = sopflow.load_string(VISIT)
    mapping = mapping_from({"procedure": "t.visit", "data": {"appointment": "appointment"}})

    def case(arrived: str) -> LogCase:
        rows = [
            {
                "case": "V1",
                "activity": "booked",
                "timestamp": at("2026-03-02T09:00"),
                "role": "tech",
                "appointment": "2026-03-02T10:00:00+08:00",
            },
            {"case": "V1", "activity": "arrived", "timestamp": at(arrived), "role": "tech"},
        ]
        return LogCase("V1", tuple(Row(values, "log", i) for i, values in enumerate(rows, 2)))

    (on_time,) = conform(library, [case("2026-03-02T09:55")], mapping)
    (late,) = conform(library, [case("2026-03-02T10:30")], mapping)
    deviations = [(d.kind, d.clause.rule, d.at, d.message) for d in late.deviations]
    message = "'arrived' came at 2026-03-02 10:30, after timer 'overdue' (appointment) fell due at 2026-03-02 10:00"
    assert ([], [("time", "timer overdue: appointment", at("2026-03-02T10:30"))]) == (
        on_time.deviations,
        [d[:3] for d in deviations],
    )
    assert deviations[0][3].startswith(message)


def test_people_read_the_moment_as_the_field_s_title() -> None:
    """The handbook says the field's title in its language; the command line its name."""
    titles = {"appointment": {"en": "the agreed time", "zh-Hant": "約定時間"}}

    def field(lang: str) -> Callable[[str], str]:
        return lambda name: titles[name][lang]

    assert ("於 約定時間", "by the agreed time", "at appointment") == (
        timer_words(None, "appointment", "zh-Hant", field("zh-Hant")),
        promise_words("appointment", "en", field("en")),
        when(None, "appointment"),
    )


def test_generated_scenarios_wait_at_least_a_second_for_a_moment_already_due() -> None:
    """The explorer's booking at the start's own moment: the timer is due at once, the scenario waits 1s."""
    made = generate(sopflow.load_string(VISIT)["t.visit"])
    waits = [step["wait"] for doc in made.scenarios for step in doc["steps"] if "wait" in step]
    assert ["1s"] == waits
