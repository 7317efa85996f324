"""The defects found when sopflow was tried adversarially, each pinned by the behaviour that replaced it."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

import sopflow
from sopflow.errors import (
    ClockError,
    EvaluationFailed,
    InvalidEventData,
    NoBranchMatched,
    ProcedureInvalid,
)

BASE = """
sopflow: 1
procedure:
  id: t.hard
  version: 1
  title: {en: Hard}
  languages: [en]
  roles: {desk: {title: {en: desk}}}
  fields:
    count: {type: int}
    zero: {type: int, default: 0}
    at: {type: time}
    slot: {type: time, default: "10:00"}
  initial: s
  states:
    s:
      role: desk
      BODY
    done: {final: completed}
"""
CHILD = """
sopflow: 1
procedure:
  id: t.child
  version: 1
  title: {en: Child}
  languages: [en]
  roles: {desk: {title: {en: desk}}}
  fields: {n: {type: int}}
  initial: c
  states:
    c:
      role: desk
      on: {ok: end}
    end: {final: completed}
"""


def branches(*lines: str, data: str = "") -> str:
    """The body of state ``s``: one event ``go`` with these branches (and the data it carries)."""
    carried = f"\n          data: [{data}]" if data else ""
    return "on:\n        go:" + carried + "\n          branches:" + "".join(f"\n            - {b}" for b in lines)


CALLING = (
    "on: {go: calling}\n    calling:\n      call: {procedure: t.child, with: {n: 'count + 1'}, outcomes: {'*': done}}"
)


def library(body: str, *more: str) -> sopflow.Library:
    return sopflow.load_string(BASE.replace("BODY", body), *more)


def start(lib: sopflow.Library) -> sopflow.Session:
    return lib.start("t.hard", clock=sopflow.ManualClock("2026-03-02T09:00:00+08:00"), role="desk")


def test_a_call_argument_that_cannot_be_computed_is_refused_before_anything_moves() -> None:
    """`count + 1` with count unset: a refusal, no half-entered calling state, and the journal replays."""
    lib = library(CALLING, CHILD)
    session = start(lib)
    with pytest.raises(EvaluationFailed, match=r"calling 't\.child', argument 'n'"):
        session.fire("go", role="desk")
    assert ("s", ["start", "refused"]) == (session.state, [e.kind for e in session.journal])
    assert session.snapshot() == lib.replay(session.journal).snapshot()


def test_a_guard_dividing_by_zero_is_a_refusal() -> None:
    """Division by zero in a guard: EvaluationFailed, journaled; the session stays."""
    session = start(library(branches("{if: 'count / zero > 1', to: done}")))
    with pytest.raises(EvaluationFailed):
        session.fire("go", role="desk")
    assert ("s", "refused") == (session.state, session.journal[-1].kind)


def test_a_timer_whose_guards_cannot_hold_is_spent_not_stuck() -> None:
    """Its only branch reads an unset field: journaled with the reason, and the session moves on."""
    lib = library(
        "timers:\n        t: {after: 1 minute, branches: [{if: 'count > 1', to: done}]}\n      on: {go: done}"
    )
    session = start(lib)
    session.clock.advance("2 minutes")  # type: ignore[attr-defined]
    entries = session.advance()
    assert ("t", "EvaluationFailed") == (entries[0].event, (entries[0].detail or "").split(":")[0])
    assert "completed" == session.fire("go", role="desk").outcome
    assert session.snapshot() == lib.replay(session.journal).snapshot()


def test_a_time_with_a_zone_is_refused_where_times_of_day_are_compared() -> None:
    """A time of day with an offset cannot be compared with one without: refused at the door, not a TypeError."""
    lib = library(branches("{if: 'at > slot', to: done}", "{}", data="at"))
    session = start(lib)
    with pytest.raises(InvalidEventData, match="a time of day without a zone"):
        session.fire("go", role="desk", data={"at": "19:30:00+08:00"})
    assert "completed" == session.fire("go", role="desk", data={"at": "19:30"}).outcome


@pytest.mark.parametrize("value", ["a\0b", ["ok", "\0"], "\u6a13\0"])
def test_a_nul_in_event_data_is_refused_at_the_door(value: object) -> None:
    """No store keeps a NUL (PostgreSQL refuses it): refused with the session unchanged, in every store alike."""
    session = start(library("on: {go: done}"))
    before = session.snapshot()
    with pytest.raises(InvalidEventData, match="NUL character"):
        session.fire("go", role="desk", data={"note": value})
    assert ("refused", before["frames"]) == (session.journal[-1].kind, session.snapshot()["frames"])


@pytest.mark.parametrize("depth", [9, 100_000])
def test_lists_nested_past_eight_are_refused_at_the_door_and_not_journaled(depth: int) -> None:
    """Any depth, a refusal that says why; the journal keeps none of it, so no later snapshot or store write breaks."""
    session = start(library("on: {go: done}"))
    before = session.snapshot()
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    with pytest.raises(InvalidEventData, match="field 'note': lists nest more than 8 deep"):
        session.fire("go", role="desk", data={"note": value})
    assert (before["frames"], {}) == (session.snapshot()["frames"], session.journal[-1].data)


def test_no_branch_matching_is_a_refusal() -> None:
    """Every guard false and no fallback: NoBranchMatched, journaled."""
    session = start(
        library(
            "on:\n        go:\n          data: [count]\n          branches:\n            - {if: 'count > 5', to: done}"
        )
    )
    with pytest.raises(NoBranchMatched):
        session.fire("go", role="desk", data={"count": 1})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("say: {en: 'x {count:>20000000}'}\n      on: {go: done}", "must be a field's name"),
        ("say: {en: 'x {count!r}'}\n      on: {go: done}", "must be a field's name"),
        ("say: {en: 'x {count.real}'}\n      on: {go: done}", "must be a field's name"),
        (
            "on:\n        go:\n          branches:\n            - {if: '" + "count + " * 200 + "1 > 0', to: done}",
            "1,000",
        ),
        ("on:\n        go:\n          branches:\n            - {if: '" + "not " * 200 + "count', to: done}", "nest"),
    ],
)
def test_texts_and_expressions_past_the_limits_are_located_errors(text: str, message: str) -> None:
    """Format specs, conversions and attributes in placeholders; overlong or too deep expressions."""
    began = time.perf_counter()
    with pytest.raises(ProcedureInvalid, match=message) as caught:
        library(text)
    assert (True, True) == (caught.value.diagnostics[0].line is not None, time.perf_counter() - began < 1)


def test_a_call_cycle_through_two_procedures_is_refused() -> None:
    """t.a calls t.b calls t.a: a load error, not a RecursionError at start."""

    def calling(pid: str, callee: str) -> str:
        return CHILD.replace("t.child", pid).replace(
            "on: {ok: end}", f"call: {{procedure: {callee}, outcomes: {{'*': end}}}}"
        )

    with pytest.raises(ProcedureInvalid, match=r"calls loop back \(t\.a → t\.b → t\.a\)"):
        sopflow.load_string(calling("t.a", "t.b"), calling("t.b", "t.a"))


def test_the_bundled_repair_compares_times_on_any_day() -> None:
    """The reschedule takes a date and time with its zone; one without a zone is refused, not a crash."""
    proc = sopflow.load_library()["business.repair"]
    with pytest.raises(ValueError, match="with its zone"):
        proc.coerce("customer_time", "2026-03-06T10:00:00")
    assert "datetime" == proc.fields["customer_time"].type


@pytest.mark.parametrize(
    ("after", "words"),
    [
        ("999999999 days", "a duration may be at most 36,500 days"),
        ("99999999999 hours", "a duration may be at most 36,500 days"),
        (".inf", "a duration may be at most 36,500 days"),
        (".nan", "expected a wait such as"),
        ("9999999 working days", "a wait may be at most 1,000 working days"),
        ("2001 working hours", "a wait may be at most 2,000 working hours"),
    ],
)
def test_a_wait_past_any_calendar_is_refused_when_loaded(after: str, words: str) -> None:
    """It loaded, then every session start crashed with an OverflowError (or counted days for minutes)."""
    body = f"timers: {{later: {{after: {after}, hours: office, to: done}}}}\n      on: {{go: done}}"
    with pytest.raises(ProcedureInvalid, match=words):
        library(body)


def test_the_longest_waits_still_run() -> None:
    body = "timers: {later: {after: 36500 days, to: done}, slow: {after: 1000 working days, hours: office, to: done}}"
    session = start(library(body + "\n      on: {go: done}"))
    assert {"timer:later", "timer:slow"} == set(session.frames[0].deadlines)


@pytest.mark.parametrize(
    ("move", "words"),
    [
        (lambda: sopflow.ManualClock("9801-01-01T00:00:00+08:00"), "a time after the year 9800"),
        (lambda: sopflow.ManualClock("9800-06-01T00:00:00+08:00").advance("36500 days"), "a time after the year 9800"),
        (
            lambda: sopflow.ManualClock("9800-06-01T00:00:00+08:00").advance(dt.timedelta(days=999_999)),
            "passes the last date a clock can show",
        ),
    ],
)
def test_a_clock_past_the_last_year_with_room_for_a_wait_is_refused(move: Any, words: str) -> None:
    """A session started in the year 9990 crashed computing its timers' deadlines."""
    with pytest.raises(ClockError, match=words):
        move()


@pytest.mark.parametrize("value", [10**5000, -(10**5000), 2**63], ids=["5001 digits", "minus 5001 digits", "2**63"])
def test_a_whole_number_past_64_bits_is_refused_at_the_door(value: int) -> None:
    """10**5000 was taken, then the step's text crashed writing it (Python writes no more than 4,300 digits)."""
    session = start(library("on: {go: {data: [count], to: done}}"))
    with pytest.raises(InvalidEventData, match="field 'count': a whole number must fit in 64 bits"):
        session.fire("go", role="desk", data={"count": value})
    assert ("s", {}) == (session.state, session.journal[-1].data)
    assert "done" == session.fire("go", role="desk", data={"count": 2**63 - 1}).state


def test_an_assignment_past_64_bits_is_a_refusal() -> None:
    session = start(library("on: {go: {data: [count], set: {count: 'count * count'}, to: done}}"))
    with pytest.raises(EvaluationFailed, match="setting 'count': the result does not fit in 64 bits"):
        session.fire("go", role="desk", data={"count": 2**40})
    assert "s" == session.state


def test_a_snapshot_with_a_number_past_64_bits_is_refused() -> None:
    snapshot = start(library("on: {go: done}")).snapshot()
    snapshot["frames"][0]["data"]["count"] = 10**5000
    with pytest.raises(sopflow.SopflowError, match=r"frames\.0\.data\.count: a whole number must fit in 64 bits"):
        library("on: {go: done}").restore(snapshot, sopflow.ManualClock("2026-03-02T09:00:00+08:00"))


BIG = "x" * 10_000_000


@pytest.mark.parametrize(
    ("fire", "words"),
    [
        (lambda s: s.fire(BIG, role="desk"), "an event name may be 200 characters long, found 10,000,000"),
        (lambda s: s.fire("go", role=BIG), "a role may be 200 characters long"),
        (lambda s: s.fire("go", role="desk", actor=BIG), "an actor's name may be 200 characters long"),
        (lambda s: s.check(BIG, role="desk"), "an item's name may be 200 characters long"),
        (lambda s: s.fire("go", role="desk", data={BIG: 1}), "a field name may be 200 characters long"),
        (lambda s: s.fire("go", role="desk", data={"note": BIG}), "'note': a text may be 100,000 characters long"),
        (lambda s: s.fire("go", role="desk", data={"note": ["a"] * 10_001}), "a list may hold 10,000 items"),
        (lambda s: s.fire("go", role="desk", data={"note": [BIG]}), "a text may be 100,000 characters long"),
    ],
)
def test_ten_megabytes_where_a_name_or_a_text_goes_are_refused_at_once_and_journaled_short(
    fire: Any, words: str
) -> None:
    """A 10 MB event name was journaled twice (20 MB in every later snapshot and store write); a 10 MB
    text or actor was taken. Refused at the door in milliseconds; the refused entry keeps at most 200
    characters of a name and none of the data."""
    session = start(library("on: {go: done}"))
    before = session.snapshot()
    began = time.perf_counter()
    with pytest.raises(InvalidEventData, match=words):
        fire(session)
    assert time.perf_counter() - began < 1  # the 10 MB are never copied or compared
    assert before["frames"] == session.snapshot()["frames"]
    refused = session.journal[-1]
    assert (refused.kind, refused.data) == ("refused", {})
    assert max(len(refused.event or ""), len(refused.role or ""), len(refused.actor or "")) <= 200
    assert len(refused.detail or "") < 400


@pytest.mark.parametrize("option", ["role", "actor", "session_id"])
def test_ten_megabytes_for_a_name_at_start_are_refused(option: str) -> None:
    options: dict[str, Any] = {"role": "desk", option: BIG}
    with pytest.raises(InvalidEventData, match="may be 200 characters long"):
        library("on: {go: done}").start("t.hard", clock=sopflow.ManualClock("2026-03-02T09:00:00+08:00"), **options)


def test_the_longest_names_and_texts_allowed_still_go_through() -> None:
    with_note = BASE.replace("    count: {type: int}", "    count: {type: int}\n    note: {type: str}")
    lib = sopflow.load_string(with_note.replace("BODY", "on: {go: {data: [note], to: done}}"))
    session = start(lib)
    session.fire("go", role="desk", actor="a" * 200, data={"note": "n" * 100_000})
    assert (session.state, len(session.journal[-1].data["note"])) == ("done", 100_000)


def test_a_language_no_procedure_declares_is_rendered_but_not_remembered() -> None:
    """A web host may pass a visitor's language straight through: the nearest texts, and no memo growing for it."""
    session = start(library("on: {go: done}"))
    procedure = session.procedure
    session.step("en")
    kept = len(procedure.memo)
    for n in range(50):
        assert session.step(f"made-up-{n}").state == "s"
    assert len(procedure.memo) == kept
