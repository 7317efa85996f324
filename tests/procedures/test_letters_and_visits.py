"""The letters-and-visits procedures (000 篇2, 篇3): the three-working-day reply, kept or missed, on the real calendar.

Scenario files can wait past a deadline and show that the state did not change, but they have
no key for journal entries other than fired events, so the promise's own entries (made, kept,
missed) are checked here through the Python API.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

import sopflow

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
LIBRARY = sopflow.load_library()
COMPANY = "letters_and_visits.company_staff"
STREET = "letters_and_visits.street_office"
MATTER = "宿舍熱水供應不穩定 (private)"
RECORDED = {"petition_channel": "letter", "petition_matter": MATTER, "first_contact": "張"}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def received(when: str) -> tuple[sopflow.Session, sopflow.ManualClock]:
    """A company session started when the letter arrives, and recorded at once."""
    clock = sopflow.ManualClock(at(when))
    session = LIBRARY.start(COMPANY, clock=clock, role="responsible_person")
    session.fire("recorded", role="responsible_person", data=RECORDED)
    return session, clock


def promise_entries(session: sopflow.Session) -> list[tuple[str | None, dt.datetime]]:
    return [(e.detail, e.at) for e in session.journal if e.kind == "promise"]


@pytest.mark.parametrize(
    ("when", "due"),
    [
        # 1-2 January are holidays, Saturday 3 January is not a working day, Sunday 4 January is.
        ("2025-12-31T10:00", "2026-01-06T16:00"),
        # Received after the reception closed: the day of receipt does not count either way.
        ("2025-12-31T17:30", "2026-01-06T16:00"),
        # Received on the Saturday: the adjusted working Sunday is the first of the three days.
        ("2026-01-03T11:00", "2026-01-06T16:00"),
        # Received on the adjusted working Sunday itself: 5, 6 and 7 January.
        ("2026-01-04T10:00", "2026-01-07T16:00"),
        # Saturday 14 February is a working day, 15-23 February the Spring Festival: 14, 24, 25.
        ("2026-02-13T15:00", "2026-02-25T16:00"),
    ],
)
def test_the_reply_is_due_at_the_close_of_the_third_working_day(when: str, due: str) -> None:
    """The promise runs from receipt and ends when the letters-and-visits hours close on the third working day."""
    session, _ = received(when)
    assert [("reply", at(due))] == [(p.name, p.due) for p in session.step().promises]


def test_a_reply_in_time_keeps_the_promise() -> None:
    """Tuesday 6 January at 15:59, a minute before the deadline: made, then kept."""
    session, clock = received("2025-12-31T10:00")
    clock.set(at("2026-01-06T15:59"))
    session.fire("replied", role="responsible_person")
    assert ([("made", at("2025-12-31T10:00")), ("kept", at("2026-01-06T15:59"))], "completed") == (
        promise_entries(session),
        session.outcome,
    )


def test_a_late_reply_misses_the_promise_without_a_change_of_state() -> None:
    """At 16:00 on 6 January the miss is journaled from 'handle'; the reply the next day keeps nothing."""
    session, clock = received("2025-12-31T10:00")
    clock.set(at("2026-01-06T16:00"))
    session.advance()
    missed = [e for e in session.journal if e.kind == "promise" and e.detail == "missed"]
    assert ([(at("2026-01-06T16:00"), "handle")], "handle", None, ()) == (
        [(e.at, e.source) for e in missed],
        session.state,
        session.outcome,
        session.step().promises,
    )
    clock.set(at("2026-01-07T10:00"))
    session.fire("replied", role="responsible_person")
    assert (["made", "missed"], "completed") == ([d for d, _ in promise_entries(session)], session.outcome)
    assert session.snapshot() == LIBRARY.replay(session.journal).snapshot()


def test_the_spring_festival_reply_is_missed_only_after_the_25th() -> None:
    """Still running at the close of 24 February (two working days), missed at the close of the 25th."""
    session, clock = received("2026-02-13T15:00")
    clock.set(at("2026-02-24T16:00"))
    session.advance()
    running = [p.name for p in session.step().promises]
    clock.set(at("2026-02-26T09:00"))
    session.advance()
    assert (["reply"], [("made", at("2026-02-13T15:00")), ("missed", at("2026-02-25T16:00"))], "handle") == (
        running,
        promise_entries(session),
        session.state,
    )


def test_reporting_upward_does_not_keep_the_promise_the_reply_does() -> None:
    """The unit cannot solve it: after the report the reply is still owed, and the reply keeps the promise."""
    session, clock = received("2026-03-02T09:00")
    session.fire("cannot_solve", role="responsible_person")
    clock.set(at("2026-03-03T11:00"))
    step = session.fire("reported", role="responsible_person", data={"measures_taken": "談心"})
    running = [p.name for p in step.promises]
    clock.set(at("2026-03-04T11:00"))
    session.fire("replied", role="responsible_person")
    assert (["reply"], ["made", "kept"], "escalated") == (
        running,
        [d for d, _ in promise_entries(session)],
        session.outcome,
    )


def test_the_reply_missed_after_a_report_upward_is_journaled_too() -> None:
    """Reported upward on time, answered after the deadline: the promise is missed at the close of 5 March."""
    session, clock = received("2026-03-02T09:00")
    session.fire("cannot_solve", role="responsible_person")
    session.fire("reported", role="responsible_person", data={"measures_taken": "談心"})
    clock.set(at("2026-03-06T09:00"))
    session.fire("replied", role="responsible_person")
    assert [("made", at("2026-03-02T09:00")), ("missed", at("2026-03-05T16:00"))] == promise_entries(session)


def test_the_street_office_promises_nothing() -> None:
    """篇2 gives no time limits (only 及時): no promise runs and no timer is set, a week on."""
    clock = sopflow.ManualClock(at("2026-03-04T10:00"))
    session = LIBRARY.start(STREET, clock=clock, role="street_office_staff")
    data = {"petition_channel": "letter", "petition_matter": MATTER, "ledger_entry": "1", "first_contact": "陳"}
    session.fire("registered", role="street_office_staff", data=data)
    session.fire("not_answerable_now", role="street_office_staff")
    session.fire("reported_upward", role="street_office_staff")
    clock.set(at("2026-03-11T10:00"))
    session.advance()
    step = session.step()
    assert ("await_higher_level", (), (), []) == (
        session.state,
        step.promises,
        step.timers,
        [e for e in session.journal if e.kind in ("promise", "timer")],
    )


@pytest.mark.parametrize(
    ("pid", "role", "rules"),
    [
        (STREET, "street_office_staff", {"keep_confidential", "protect_petitioner", "follow_through"}),
        (
            COMPANY,
            "responsible_person",
            {"responsibility", "reception_hours", "manner", "complaint_to_supervisor", "follow_up_to_the_end"},
        ),
    ],
)
def test_standing_rules_hold_in_every_step(pid: str, role: str, rules: set[str]) -> None:
    """The source's standing rules, and those of the policies each procedure uses, are in the step."""
    session = LIBRARY.start(pid, clock=sopflow.ManualClock(at("2026-03-02T09:00")), role=role)
    assert rules <= {r.name for r in session.step("en").rules}


def test_the_matter_raised_is_kept_private() -> None:
    """Article 五: the materials are confidential, so the matter never shows in a rendered journal."""
    session, clock = received("2026-03-02T09:00")
    clock.set(at("2026-03-02T10:00"))
    session.fire("replied", role="responsible_person")
    rendered = json.dumps(session.redacted_journal(), ensure_ascii=False)
    assert (MATTER not in rendered, MATTER) == (True, session.data["petition_matter"])
