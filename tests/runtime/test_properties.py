"""Properties that must hold for any sequence of events and clock moves, on several procedures.

hypothesis drives random walks (valid and invalid events, wrong roles, bad
data, time passing) and checks the semantic rules of the design:
the IR table and the transitions machine agree, the step kernel driven
directly agrees with a session, snapshots restore faithfully, replay
reproduces the snapshot, and refusals change nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sopflow
from sopflow.compile.machine import fire as machine_fire
from sopflow.errors import NoBranchMatched, RuntimeRefusal, SopflowError
from sopflow.model import FieldSpec
from sopflow.runtime import Fire, Tick, kernel
from tests.conftest import FIXTURES

FIXTURE_LIBRARY = sopflow.load_library(FIXTURES)
BUNDLED_LIBRARY = sopflow.load_library()
LIBRARIES = {"fixtures": FIXTURE_LIBRARY, "bundled": BUNDLED_LIBRARY}
PROCEDURES = [
    "fixtures:test.release",
    "fixtures:test.inquiry",
    "fixtures:test.owner_call",
    "bundled:business.release_tenant",
    "bundled:business.release_owner",
    "bundled:inquiry.answer",
    "bundled:busy_desk.on_phone",
    "bundled:business.repair",
]


POLICY_EVENTS = {e for lib in LIBRARIES.values() for pid in lib for e in lib[pid].resolved.policy_events}


def lookup(key: str) -> tuple[sopflow.Library, str]:
    library, procedure_id = key.split(":")
    return LIBRARIES[library], procedure_id


START = "2026-03-02T09:00:00+08:00"


def values_for(spec: FieldSpec) -> st.SearchStrategy[Any]:
    """Valid values of a field, and now and then a wrong one."""
    return st.one_of(valid_values(spec), st.just("wrong")) if spec.type != "str" else valid_values(spec)


def valid_values(spec: FieldSpec) -> st.SearchStrategy[Any]:
    valid: dict[str, st.SearchStrategy[Any]] = {
        "str": st.sampled_from(["3-1201", "陳", "scan"]),
        "int": st.integers(0, 9).map(lambda i: [0, 0, 0, 0, 0, 0, 1, 3, 4, 6][i]),  # guard boundaries; 0 most often
        "decimal": st.integers(0, 9).map(lambda i: (["0"] * 7 + ["0.10", "1200.50", "4999.99"])[i]),
        "bool": st.booleans(),
        "enum": st.sampled_from(spec.values or ["x"]),
        "list[str]": st.lists(st.sampled_from(["TV", "sofa", "bed"]), max_size=3),
    }
    return valid.get(spec.type, st.none())


@st.composite
def actions(draw: st.DrawFn, key: str) -> list[tuple[Any, ...]]:
    """A random walk: fires of any event by any role with plausible data, and clock moves."""
    library, procedure_id = lookup(key)
    procedure = library[procedure_id]
    events = sorted({e for p in (procedure, *procedure.callees.values()) for e in p.events} | {"no_such_event"})
    roles = sorted({r for p in (procedure, *procedure.callees.values()) for r in p.roles})
    fields = {n: f for p in (procedure, *procedure.callees.values()) for n, f in p.fields.items()}
    out: list[tuple[Any, ...]] = []
    for _ in range(draw(st.integers(min_value=1, max_value=30))):
        kind = draw(st.integers(0, 9))
        if kind >= 3:
            # Mostly events that are allowed now, so walks get deep into the procedure.
            pool = {n: draw(valid_values(f)) for n, f in fields.items()}
            pick = draw(st.randoms(use_true_random=False))
            out.append(("allowed", pick.randrange(60), pick.randrange(60), pool))
            continue
        if kind == 0:
            out.append(("wait", draw(st.sampled_from([20, 90, 180, 200, 400, 700]))))
            continue
        event = draw(st.sampled_from(events))
        names = draw(st.lists(st.sampled_from(sorted(fields)), max_size=2, unique=True)) if fields else []
        data = {n: draw(values_for(fields[n])) for n in names}
        out.append(("fire", event, draw(st.sampled_from(roles)), data))
    return out


START_VALUES = {"str": "Harbour View", "int": 0, "decimal": "0", "bool": False, "list[str]": []}


def start(key: str) -> tuple[sopflow.Session, sopflow.ManualClock]:
    """Start with the data a host passes at the desk: fields no event captures or assigns."""
    library, procedure_id = lookup(key)
    procedure = library[procedure_id]
    captured: set[str] = set()
    for state in procedure.ir.states.values():
        for way in (*state.events.values(), *state.timers, *state.returns.values()):
            captured |= {f for f, _ in way.data} | {f for f, _ in way.assign}
            captured |= {f for b in way.branches for f, _ in b.assign}
            if way.call is not None:
                captured |= {p for p, _ in way.call.returns}
        if state.call is not None:
            captured |= {p for p, _ in state.call.returns}
    data = {
        f: START_VALUES[spec.type]
        for f, spec in procedure.fields.items()
        if f not in captured and spec.type in START_VALUES and procedure.defaults.get(f) is None
    }
    clock = sopflow.ManualClock(START)
    return library.start(procedure_id, clock=clock, role=sorted(procedure.roles)[0], data=data), clock


def play(session: sopflow.Session, clock: sopflow.ManualClock, action: tuple[Any, ...]) -> bool:
    """Apply one action; True if it was a refused fire."""
    if action[0] == "wait":
        clock.advance(action[1])
        session.advance()
        return False
    event, role, data = action[1:]
    if action[0] == "allowed":
        session.advance()
        options = session.step().events
        if event % 6:  # mostly the procedure's own events, so walks get past the first escalation chance
            options = tuple(o for o in options if o.name not in POLICY_EVENTS) or options
        if not options:
            return False
        option = options[event % len(options)]
        event = option.name
        role = option.roles[role % len(option.roles)] if option.roles else "anyone"
        data = {f: data[f] for f in (*option.data, *option.optional)}
    try:
        session.fire(event, role=role, data=data)
    except RuntimeRefusal:
        return True
    return False


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("procedure_id", PROCEDURES)
@SETTINGS
@given(data=st.data())
def test_ir_table_and_transitions_machine_agree(procedure_id: str, data: st.DataObject) -> None:
    """At every step of a walk, every trigger of every active state goes to the same place in both."""
    session, clock = start(procedure_id)
    for action in data.draw(actions(procedure_id)):
        play(session, clock, action)
        for frame in session.frames:
            proc = frame.procedure
            for trigger in proc.ir.triggers(frame.state):
                try:
                    expected: str | None = proc.ir.step(frame.state, trigger, frame.data)
                except (NoBranchMatched, SopflowError):
                    expected = None
                try:
                    target, done, _ = machine_fire(proc.machine, frame.state, trigger, frame.data)
                    found = target if done else None
                except SopflowError:
                    found = None
                assert expected == found


@pytest.mark.parametrize("procedure_id", PROCEDURES)
@SETTINGS
@given(data=st.data())
def test_snapshot_restore_then_continue_gives_the_same_journal(procedure_id: str, data: st.DataObject) -> None:
    """Stopping anywhere, restoring from the snapshot and going on changes nothing."""
    steps = data.draw(actions(procedure_id))
    cut = data.draw(st.integers(min_value=0, max_value=len(steps)))
    session, clock = start(procedure_id)
    for action in steps[:cut]:
        play(session, clock, action)
    clock2 = sopflow.ManualClock(clock.now())
    restored = lookup(procedure_id)[0].restore(session.snapshot(), clock2)
    for action in steps[cut:]:
        play(session, clock, action)
        play(restored, clock2, action)
    assert [e.as_dict() for e in session.journal] == [e.as_dict() for e in restored.journal]
    assert session.snapshot() == restored.snapshot()


@pytest.mark.parametrize("procedure_id", PROCEDURES)
@SETTINGS
@given(data=st.data())
def test_replay_equals_snapshot(procedure_id: str, data: st.DataObject) -> None:
    """Replaying the journal from the start reproduces the snapshot exactly."""
    session, clock = start(procedure_id)
    for action in data.draw(actions(procedure_id)):
        play(session, clock, action)
    assert session.snapshot() == lookup(procedure_id)[0].replay(session.snapshot()["journal"]).snapshot()


@pytest.mark.parametrize("procedure_id", PROCEDURES)
@SETTINGS
@given(data=st.data())
def test_a_refused_event_changes_nothing(procedure_id: str, data: st.DataObject) -> None:
    """Whatever refusal happens, state, data and timers are as before; only the journal grows by one."""
    session, clock = start(procedure_id)
    for action in data.draw(actions(procedure_id)):
        if action[0] == "fire":
            session.advance()  # time that has passed is not the event's doing
            before, length = session.snapshot(journal=False), len(session.journal)
            if play(session, clock, action):
                assert ({**before, "seq": before["seq"] + 1}, length + 1, "refused") == (
                    session.snapshot(journal=False),
                    len(session.journal),
                    session.journal[-1].kind,
                )
        else:
            play(session, clock, action)


def test_decimal_data_survive_snapshots() -> None:
    """Money keeps its digits through JSON snapshots."""
    session, clock = start("fixtures:test.release")
    session.fire("id_copied", role="front_desk", data={"id_copy": "x"})
    session.fire("checked", role="front_desk")
    session.fire("fees_checked", role="front_desk", data={"arrears_months": 0, "arrears_amount": "0.10"})
    restored = FIXTURE_LIBRARY.restore(session.snapshot(), clock)
    assert Decimal("0.10") == restored.frames[0].data["arrears_amount"]


def triggers(session: sopflow.Session, clock: sopflow.ManualClock, action: tuple[Any, ...]) -> list[Fire | Tick]:
    """The kernel triggers one action amounts to, resolved against the session as it stands."""
    if action[0] == "wait":
        clock.advance(action[1])
        return [Tick(clock.now())]
    event, role, data = action[1:]
    if action[0] == "fire":
        return [Fire(event, role, clock.now(), None, data)]
    session.advance()
    options = session.step().events
    if event % 6:
        options = tuple(o for o in options if o.name not in POLICY_EVENTS) or options
    if not options:
        return []
    option = options[event % len(options)]
    chosen = option.roles[role % len(option.roles)] if option.roles else "anyone"
    return [Fire(option.name, chosen, clock.now(), None, {f: data[f] for f in (*option.data, *option.optional)})]


@pytest.mark.parametrize("procedure_id", PROCEDURES)
@SETTINGS
@given(data=st.data())
def test_the_kernel_and_a_session_take_the_same_steps(procedure_id: str, data: st.DataObject) -> None:
    """Driven directly, the step kernel gives the configuration and entries a Session commits, at every step."""
    session, clock = start(procedure_id)
    config, entries = session.config, list(session.journal)
    for action in data.draw(actions(procedure_id)):
        for trigger in triggers(session, clock, action):
            move = kernel.step(config, trigger, strict=session.strict)
            config, entries = move.config, [*entries, *move.entries]
            if isinstance(trigger, Tick):
                session.advance(trigger.at)
            else:
                refusal: RuntimeRefusal | None = None
                try:
                    session.fire(trigger.event, role=trigger.role, data=trigger.data)
                except RuntimeRefusal as exc:
                    refusal = exc
                assert (type(move.refusal), getattr(move.refusal, "message", None)) == (
                    type(refusal),
                    getattr(refusal, "message", None),
                )
            assert (config, entries) == (session.config, session.journal)
