"""Timers that go round with no one acting, left for long: one step fires a bounded number, then refuses."""

from __future__ import annotations

import datetime as dt

import pytest

import sopflow
from sopflow.errors import TimersRunaway
from sopflow.runtime import kernel
from sopflow.runtime.rehearsal import pass_time
from sopflow.store import MemoryStore
from sopflow.testing import ScenarioFailed, parse_scenario, run_scenario
from tests.conftest import TIMER_LOOP

LOOP = TIMER_LOOP.replace("BACK", "other").replace(
    "OTHER", "on: {done: finished}\n      timers: {back: {after: 1 minute, to: waiting}}"
)
START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def few(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fifty timers a step, so a two-hour pause is already too long (the real bound is 100,000)."""
    monkeypatch.setattr(kernel, "MAX_TIMERS_PER_STEP", 50)


def started() -> sopflow.Session:
    return sopflow.load_string(LOOP).start("t.loop", clock=sopflow.ManualClock(START), role="desk")


def test_advancing_past_the_bound_is_refused_and_changes_nothing_but_the_count() -> None:
    session = started()
    before = session.snapshot()
    with pytest.raises(TimersRunaway, match="more than 50 timers fall due before 2026-03-02T11:00:00"):
        session.advance(START + dt.timedelta(hours=2))
    entry = session.journal[-1]
    assert (before["frames"], before["seq"] + 1) == (session.snapshot()["frames"], session.seq)
    assert ("refused", None, "TimersRunaway") == (entry.kind, entry.event, (entry.detail or "").split(":")[0])


def test_advancing_in_smaller_steps_goes_through() -> None:
    session = started()
    for minutes in range(40, 241, 40):
        session.advance(START + dt.timedelta(minutes=minutes))
    assert 240 == sum(1 for e in session.journal if e.kind == "timer")


def test_an_event_after_a_long_pause_is_refused_and_the_journal_replays() -> None:
    """The timers due before the event come first; past the bound the event is not taken either."""
    session = started()
    session.clock.advance("3 hours")  # type: ignore[attr-defined]
    with pytest.raises(TimersRunaway):
        session.fire("done", role="desk")
    assert ("waiting", "refused") == (session.state, session.journal[-1].kind)
    session.advance(START + dt.timedelta(minutes=45))
    library = sopflow.load_string(LOOP)
    assert session.snapshot() == library.replay(session.journal).snapshot()


def test_a_store_worker_reports_the_session_and_writes_nothing() -> None:
    library = sopflow.load_string(LOOP)
    store = MemoryStore(library)
    session = store.start("t.loop", clock=sopflow.ManualClock(START), role="desk")
    report = store.run_due(START + dt.timedelta(days=1))
    assert (0, [session.id]) == (report.sessions, [sid for sid, _ in report.failed])
    assert "TimersRunaway" in report.failed[0][1]
    assert 1 == store.row(session.id).seq


def test_a_rehearsal_waiting_too_long_is_refused_before_anything_happens() -> None:
    """Stepping deadline by deadline through millions of passes never ended; now nothing moves, clock included."""
    session = started()
    clock = session.clock
    assert isinstance(clock, sopflow.ManualClock)
    before = (session.snapshot(), clock.now())
    with pytest.raises(TimersRunaway):
        list(pass_time(session, clock, START + dt.timedelta(days=36500)))
    assert before == (session.snapshot(), clock.now())
    assert 30 == sum(1 for batch in pass_time(session, clock, START + dt.timedelta(minutes=30)) for _ in batch)


def test_a_scenario_waiting_too_long_fails_at_its_wait() -> None:
    scenario = parse_scenario(
        "scenario: long pause\nprocedure: t.loop\nstart: {role: desk}\nsteps:\n  - wait: 36500 days\n"
    )
    with pytest.raises(ScenarioFailed, match="wait: expected 36500 days to pass, found TimersRunaway"):
        run_scenario(scenario, sopflow.load_string(LOOP), "en")
