"""The strategies only give what a real session accepts: typed values, event data, whole visits."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

import sopflow
from sopflow.errors import RuntimeRefusal, SessionFinished, UsageError
from sopflow.runtime import ManualClock, Session, SystemClock
from sopflow.testing.strategies import (
    Visit,
    actions,
    apply,
    event_data,
    event_sequences,
    field_values,
    refusals,
    start_data,
)

LIBRARY = sopflow.load_library()
PROCEDURES = [
    "business.release_tenant",
    "business.repair",
    "complaint.handling",
    "front_desk.opening",
    "busy_desk.on_phone",
]
"""Guards on money, lists and moments; a call; promises; checklists and calendar timers; an elapsed timer."""
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIRST = settings(database=None, deadline=None, derandomize=True, phases=[Phase.generate])
"""For find(): the first example found will do; shrinking it would only cost time."""
TYPED = sopflow.load_string(
    """\
sopflow: 1
procedure:
  id: t.typed
  version: 1
  title: {en: Every type}
  languages: [en]
  roles: {desk: {title: {en: Desk}}}
  fields:
    name: {type: str}
    count: {type: int, minimum: -2.5, maximum: 1000}
    amount: {type: decimal, minimum: "0.05", maximum: "99.99"}
    agreed: {type: bool}
    kind: {type: enum, values: [repair, complaint]}
    items: {type: "list[str]"}
    day: {type: date}
    at_time: {type: time}
    moment: {type: datetime}
  initial: record
  states:
    record:
      role: desk
      on:
        recorded:
          data: [count]
          optional: [name, amount, agreed, kind, items, day, at_time, moment]
          branches: [{if: "count == 7", to: done}]
    done: {final: completed}
"""
)
"""Every field type, bounded numbers, and a guard that only a count of exactly 7 passes."""


def replayed(visit: Visit, *, strict: bool = False) -> Session:
    """The visit played on a fresh session; a refusal anywhere raises."""
    session = LIBRARY.start(
        visit.procedure, clock=ManualClock(visit.at), role=visit.role, data=dict(visit.data), strict=strict
    )
    for action in visit.actions:
        apply(session, action)
    return session


@st.composite
def field_and_value(draw: st.DrawFn, pid: str) -> tuple[str, Any]:
    procedure = TYPED[pid] if pid in TYPED else LIBRARY[pid]
    name = draw(st.sampled_from(sorted(procedure.fields)))
    return name, draw(field_values(procedure, name))


@pytest.mark.parametrize("pid", ["t.typed", *(p for p in PROCEDURES if LIBRARY[p].fields)])
@SETTINGS
@given(data=st.data())
def test_field_values_are_of_the_declared_type_and_json(pid: str, data: st.DataObject) -> None:
    """Each value passes the field's own check (type, enum values, minimum and maximum) and is JSON."""
    name, value = data.draw(field_and_value(pid))
    procedure = TYPED[pid] if pid in TYPED else LIBRARY[pid]
    assert (value, True) == (json.loads(json.dumps(value)), procedure.coerce(name, value) is not None)


@SETTINGS
@given(st.data())
def test_bounded_numbers_stay_within_their_bounds(data: st.DataObject) -> None:
    """A count from -2.5 to 1000 is an integer from -2 to 1000; an amount from 0.05 to 99.99 stays there, as text."""
    procedure = TYPED["t.typed"]
    count = data.draw(field_values(procedure, "count"))
    amount = data.draw(field_values(procedure, "amount"))
    assert (int, True, str, True) == (
        type(count),
        -2 <= count <= 1000,
        type(amount),
        Decimal("0.05") <= Decimal(amount) <= Decimal("99.99"),
    )


def test_an_event_only_exact_data_passes_is_still_offered() -> None:
    """Drawn counts rarely hit the guard's 7; the guard's own boundary values do, so the visit can end."""
    found = find(
        event_sequences(TYPED["t.typed"], max_steps=1),
        lambda v: len(v.actions) == 1,
        settings=FIRST,
    )
    session = Session.start(TYPED["t.typed"], clock=ManualClock(found.at), role=found.role, data=dict(found.data))
    apply(session, found.actions[0])
    assert ("completed", 7) == (session.outcome, found.actions[0].data["count"])


def test_field_values_try_the_words_guards_compare_with() -> None:
    """A text compared with 'referred' gets that word, which random text would never hit."""
    procedure = LIBRARY["business.repair"]
    assert "referred" == find(field_values(procedure, "specialist_phone"), lambda v: v == "referred", settings=FIRST)


def test_an_unknown_field_state_or_event_is_a_usage_error() -> None:
    procedure = LIBRARY["business.release_tenant"]
    with pytest.raises(UsageError, match="has no field 'arrears'"):
        field_values(procedure, "arrears")
    with pytest.raises(UsageError, match="has no state 'nowhere'"):
        event_data(procedure, "nowhere", "id_copied")
    with pytest.raises(UsageError, match="has no event 'id_copied'; events: "):
        event_data(procedure, "check_fees", "id_copied")


@st.composite
def state_event_data(draw: st.DrawFn, pid: str) -> tuple[Any, Any, dict[str, Any]]:
    procedure = LIBRARY[pid]
    state = draw(st.sampled_from([s for s, here in procedure.ir.states.items() if here.events]))
    event = draw(st.sampled_from(sorted(procedure.ir.states[state].events)))
    return procedure.ir.states[state].events[event], state, draw(event_data(procedure, state, event))


@pytest.mark.parametrize("pid", PROCEDURES)
@SETTINGS
@given(data=st.data())
def test_event_data_carries_what_the_event_declares(pid: str, data: st.DataObject) -> None:
    """Every required field, nothing undeclared, each value of its field's type."""
    way, _, payload = data.draw(state_event_data(pid))
    procedure = LIBRARY[pid]
    typed = all(procedure.coerce(k, v) is not None for k, v in payload.items())
    assert (set(), set(), True) == (set(way.required) - set(payload), set(payload) - way.accepts, typed)


@pytest.mark.parametrize("pid", PROCEDURES)
@SETTINGS
@given(data=st.data())
def test_visits_are_accepted_by_a_real_session(pid: str, data: st.DataObject) -> None:
    """Every action of every visit is taken by a session started as the visit says, with at most max_steps."""
    visit = data.draw(event_sequences(LIBRARY[pid], max_steps=12))
    replayed(visit)
    assert (pid, True) == (visit.procedure, len(visit.actions) <= 12)


@SETTINGS
@given(event_sequences(LIBRARY["business.release_tenant"], strict=True))
def test_strict_visits_are_accepted_by_a_strict_session(visit: Visit) -> None:
    """With strict=True the steps also keep every invariant: a strict session takes them."""
    assert visit.procedure == replayed(visit, strict=True).procedure.id


@pytest.mark.parametrize(
    ("pid", "kinds"),
    [("front_desk.opening", {"fire", "check", "wait"}), ("busy_desk.on_phone", {"fire", "wait"})],
)
def test_visits_tick_checklists_and_let_timers_run_out(pid: str, kinds: set[str]) -> None:
    """A visit that ticks, fires and waits is found, so none of the three is left out."""
    found = find(
        event_sequences(LIBRARY[pid], max_steps=30),
        lambda v: kinds <= {a.kind for a in v.actions},
        settings=settings(FIRST, max_examples=300),
    )
    assert kinds == {a.kind for a in found.actions}


@pytest.mark.parametrize("pid", ["business.release_tenant", "complaint.handling"])
def test_visits_reach_an_outcome(pid: str) -> None:
    """The strategy is not stuck at the start: some visit ends the session."""
    found = find(
        event_sequences(LIBRARY[pid], max_steps=20),
        lambda v: replayed(v).outcome is not None,
        settings=FIRST,
    )
    assert replayed(found).outcome in LIBRARY[pid].outcomes


@pytest.mark.parametrize("pid", PROCEDURES)
@SETTINGS
@given(data=st.data())
def test_refusals_are_refused_and_change_nothing(pid: str, data: st.DataObject) -> None:
    """After any visit, a drawn refusal raises a RuntimeRefusal and leaves state and data as they were."""
    session = replayed(data.draw(event_sequences(LIBRARY[pid], max_steps=8)))
    before = (session.path, session.data, session.outcome)
    refused = data.draw(refusals(session))
    with pytest.raises(RuntimeRefusal):
        apply(session, refused)
    assert before == (session.path, session.data, session.outcome)


def test_start_data_gives_what_the_start_requires() -> None:
    """release_tenant needs the estate's name from the host's records; it is always there."""
    procedure = LIBRARY["business.release_tenant"]
    found = find(start_data(procedure), lambda d: len(d) > 1, settings=FIRST)
    assert "estate_name" in found


def test_a_wait_needs_a_manual_clock() -> None:
    """A wait sets the clock; a session on the system clock cannot take one."""
    session = LIBRARY.start("busy_desk.on_phone", clock=SystemClock(), role="front_desk")
    wait = find(actions(session), lambda a: a.kind == "wait", settings=FIRST)
    with pytest.raises(UsageError, match="start the session on a ManualClock"):
        apply(session, wait)


def test_a_finished_session_offers_no_action_and_refuses_every_event() -> None:
    """Once escalated, nothing can be drawn from actions(), and what refusals() draws ends in SessionFinished."""
    session = LIBRARY.start("busy_desk.on_phone", clock=ManualClock(), role="front_desk")
    escalation = {"escalation_reason": "dissatisfied", "escalate_to": "cs_supervisor"}
    session.fire("escalate", role="front_desk", data=escalation)
    refused = find(refusals(session), lambda a: True, settings=FIRST)
    with pytest.raises(SessionFinished):
        apply(session, refused)
    with pytest.raises(Unsatisfiable):
        find(actions(session), lambda a: True, settings=FIRST)


def test_max_steps_below_zero_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="max_steps must be 0 or more, found -1"):
        event_sequences(LIBRARY["complaint.handling"], max_steps=-1)
