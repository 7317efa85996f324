"""Version 2 says how open sessions of version 1 move; the checker proves it, the store does it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

import sopflow
from sopflow.errors import MigrationRefused, ProcedureInvalid
from sopflow.store import JournalQuery, SessionQuery, Store

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

V1 = """
sopflow: 1
procedure:
  id: t.desk
  version: 1
  title: {en: Desk}
  languages: [en]
  roles: {desk: {title: {en: desk}}}
  fields:
    unit_no: {type: str}
    phone: {type: str, private: true}
    note: {type: str}
  initial: greet
  states:
    greet:
      role: desk
      on: {noted: {data: [unit_no, "phone?", "note?"]}, next: check}
    check:
      role: desk
      timers: {nudge: {after: 10 minutes, to: done}}
      on: {ok: done}
    waiting:
      role: desk
      on: {ok: done}
    done: {final: completed}
"""
V2 = """
sopflow: 1
procedure:
  id: t.desk
  version: 2
  title: {en: Desk}
  languages: [en]
  roles: {desk: {title: {en: desk}}}
  fields:
    unit: {type: str}
    phone: {type: str, private: true}
    floor: {type: int, default: 1}
  initial: greet
  migrate:
    from: 1
    states: {greet: greet, check: verify}
    pin: [waiting]
    fields: {unit_no: unit}
    drop: [note]
  states:
    greet:
      role: desk
      on: {next: verify}
    verify:
      role: desk
      timers: {nudge: {after: 10 minutes, to: done}}
      on: {ok: done}
    done: {final: completed}
"""


def library(*texts: str) -> sopflow.Library:
    return sopflow.load_string(*texts)


def test_a_complete_migration_loads() -> None:
    """States mapped or pinned, fields renamed or dropped: the library loads both versions."""
    assert (1, 2) == library(V1, V2).versions("t.desk")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("pin: [waiting]", "pin: []"), "open sessions of version 1 may be in 'waiting'"),
        (("check: verify", "check: verfy"), "this version has no state 'verfy'; did you mean 'verify'"),
        (("drop: [note]", "drop: []"), "field 'note' of version 1 is gone"),
        (("phone: {type: str, private: true}\n    floor", "phone: {type: str}\n    floor"), "must stay private"),
        (("fields: {unit_no: unit}", "fields: {unit_no: floor}"), "cannot hold as 'floor' (int)"),
        (("from: 1", "from: 3"), "a version migrates from an earlier one"),
    ],
)
def test_an_incomplete_or_unsafe_migration_is_refused(change: tuple[str, str], message: str) -> None:
    """A state left out, a wrong target, a value silently lost, privacy lost, a type changed: load errors."""
    with pytest.raises(ProcedureInvalid, match=re.escape(message)):
        library(V1, V2.replace(*change))


def test_a_migration_needs_the_old_version_loaded() -> None:
    """Without version 1 in the library, the mapping cannot be checked."""
    with pytest.raises(ProcedureInvalid, match=r"version 1 of 't\.desk' is not in the library"):
        library(V2)


def test_a_session_moves_with_its_data_renamed_and_its_timer_kept() -> None:
    """check → verify, unit_no → unit, note dropped, floor defaulted, the running timer's deadline kept."""
    lib = library(V1, V2)
    clock = sopflow.ManualClock("2026-03-02T09:00:00+08:00")
    session = lib.start("t.desk", clock=clock, role="desk", version=1)
    session.fire("noted", role="desk", data={"unit_no": "3-1201", "note": "x"})
    session.fire("next", role="desk")
    deadline = session.frames[0].deadlines["timer:nudge"]
    clock.advance("3 minutes")
    (entry,) = session.migrate(lib.get("t.desk", 2))
    frame = session.frames[0]
    assert (
        ("migrate", "check", "verify", 2),
        (2, "verify"),
        {"unit": "3-1201", "phone": None, "floor": 1},
        deadline,
    ) == (
        (entry.kind, entry.source, entry.target, entry.version),
        (frame.procedure.version, frame.state),
        dict(frame.data),
        frame.deadlines["timer:nudge"],
    )
    assert session.snapshot() == lib.replay(session.journal).snapshot()


def test_a_pinned_state_refuses_and_changes_nothing() -> None:
    """A session in a pinned state stays on version 1, untouched."""
    lib = library(V1.replace("next: check", "next: waiting"), V2)
    session = lib.start("t.desk", clock=sopflow.ManualClock(), role="desk", version=1)
    session.fire("next", role="desk")
    before = session.snapshot()
    with pytest.raises(MigrationRefused, match="leaves pinned"):
        session.migrate(lib.get("t.desk", 2))
    assert before == session.snapshot()


def test_the_store_migrates_open_sessions_and_pins_the_rest(make_store: object) -> None:
    """Open version-1 sessions move (journaled); pinned ones stay on version 1 and keep working."""
    lib = library(V1.replace("ok: done}\n    waiting", "ok: done, wait: waiting}\n    waiting"), V2)
    store: Store = make_store(lib)  # type: ignore[operator]
    clock = sopflow.ManualClock("2026-03-02T09:00:00+08:00")
    moving = store.start("t.desk", clock=clock, role="desk", version=1)
    staying = store.start("t.desk", clock=clock, role="desk", version=1)
    store.fire(staying.id, "next", role="desk", clock=clock)
    store.fire(staying.id, "wait", role="desk", clock=clock)
    report = store.migrate("t.desk", clock=clock)
    rows = {r.id: r for r in store.sessions(SessionQuery(procedure="t.desk"))}
    assert (1, [staying.id], 2, 1, True) == (
        report.moved,
        [session_id for session_id, _ in report.pinned],
        rows[moving.id].version,
        rows[staying.id].version,
        rows[staying.id].pinned,
    )
    assert "migrate" == store.journal(JournalQuery(session=moving.id))[-1].kind
    assert "completed" == store.fire(staying.id, "ok", role="desk", clock=clock).outcome


def test_a_timer_the_new_state_adds_starts_on_the_calendar() -> None:
    """A working-day timer new in the target state runs from the migration, counted in working time.

    It fell due at once before: the migration started new timers with their elapsed delay,
    which a calendar timer does not have.
    """
    v2 = V2.replace(
        "timers: {nudge: {after: 10 minutes, to: done}}",
        "timers: {nudge: {after: 10 minutes, to: done}, reply: {after: 1 working day, hours: office, to: done}}",
    )
    lib = library(V1, v2)
    clock = sopflow.ManualClock("2026-03-02T09:00:00+08:00")
    session = lib.start("t.desk", clock=clock, role="desk", version=1)
    session.fire("next", role="desk")
    session.migrate(lib.get("t.desk", 2))
    fresh = lib.start("t.desk", clock=clock, role="desk", version=2)
    fresh.fire("next", role="desk")
    due = fresh.frames[0].deadlines["timer:reply"]
    assert (due, due) == (session.frames[0].deadlines["timer:reply"], dt.datetime(2026, 3, 3, 17, 30, tzinfo=SHANGHAI))
    assert [] == session.advance()  # nothing falls due at once
