"""Random walks with wrong events, roles and data: refusals only, nothing half-done, replay exact, nothing leaked."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sopflow
from sopflow.errors import RuntimeRefusal, SopflowError, UsageError
from tests.conftest import FIXTURES

LIBRARIES = {"bundled": sopflow.load_library(), "fixtures": sopflow.load_library(FIXTURES)}
PROCEDURES = sorted((name, pid) for name, lib in LIBRARIES.items() for pid in lib)
SECRET = "SECRET-7f3a"
"""Given for every private text field; it must never show in anything rendered."""

GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**50, max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.just("\ud800"),
    st.just(b"bytes"),
    st.just(object()),
    st.just(Decimal("NaN")),
    st.just(dt.datetime(2026, 3, 2, 9, 30)),
    st.just(dt.time(19, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))),
    st.just(dt.date(2026, 3, 2)),
    st.lists(st.one_of(st.text(max_size=3), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def plausible(spec: Any, *, valid: bool = False) -> st.SearchStrategy[Any]:
    """Values a desk might send: mostly right, now and then of the wrong form (unless ``valid``)."""
    if spec.private and spec.type == "str":
        return st.just(SECRET)
    if valid and spec.type == "enum":
        return st.sampled_from(spec.values or ["x"])
    return {
        "str": st.sampled_from(["3", "陳", "Harbour View"]),
        "int": st.integers(-1, 6),
        "decimal": st.sampled_from(["0", "0.10", "1200.50", Decimal("3.5")]),
        "bool": st.booleans(),
        "enum": st.sampled_from([*(spec.values or []), "nope"]),
        "list[str]": st.lists(st.sampled_from(["TV", "sofa"]), max_size=2),
        "date": st.sampled_from(["2026-03-02", dt.date(2026, 3, 3)]),
        "time": st.sampled_from(["19:30", "08:00:00", dt.time(14, 0)]),
        "datetime": st.sampled_from(["2026-03-02T19:30:00+08:00", dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)]),
    }.get(spec.type, st.none())


@st.composite
def walk(draw: st.DrawFn) -> tuple[str, str, dict[str, Any], list[tuple[Any, ...]]]:
    name, pid = draw(st.sampled_from(PROCEDURES))
    procedure = LIBRARIES[name][pid]
    family = procedure.family().values()
    fields = {n: f for p in family for n, f in p.fields.items()}
    events = [*sorted({e for p in family for e in p.events}), "no_such_event"]
    roles = [*sorted({r for p in family for r in p.roles}), "intruder"]
    start = {n: draw(plausible(f, valid=True)) for n, f in procedure.fields.items() if draw(st.integers(0, 3)) == 0}
    for needed, required in procedure.start_data:
        if required:
            start[needed] = draw(plausible(procedure.fields[needed], valid=True))
    actions: list[tuple[Any, ...]] = []
    for _ in range(draw(st.integers(1, 25))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            actions.append(("wait", draw(st.sampled_from([10, 60, 180, 400, 3600]))))
            continue
        event = draw(st.one_of(st.sampled_from(events), st.just(7)) if kind == 1 else st.sampled_from(events))
        role = draw(st.sampled_from(roles))
        if kind == 2:
            data: Any = draw(st.one_of(st.text(max_size=4), st.lists(st.integers(), max_size=2), st.integers()))
        else:
            names = draw(st.lists(st.sampled_from([*sorted(fields), "bogus"]), max_size=3, unique=True))
            data = {n: draw(GARBAGE if kind == 3 or n not in fields else plausible(fields[n])) for n in names}
        actions.append(("fire", event, role, data))
    return name, pid, start, actions


def rendered(session: sopflow.Session, errors: list[str]) -> str:
    """Everything a host would show or log: redacted steps in every language, the redacted journal, errors."""
    steps = [session.step(lang, redact=True) for lang in session.procedure.languages]
    texts = [(s.say, s.do, s.title) for s in steps]
    return json.dumps([texts, session.redacted_journal(), errors], ensure_ascii=False, default=str)


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=walk())
def test_a_wild_walk_keeps_every_promise(case: tuple[str, str, dict[str, Any], list[tuple[Any, ...]]]) -> None:
    """Only SopflowErrors; a refusal changes nothing but the count; replay gives the snapshot; no secret shows."""
    name, pid, start, actions = case
    library = LIBRARIES[name]
    clock = sopflow.ManualClock("2026-03-02T09:00:00+08:00")
    try:
        session = library.start(pid, clock=clock, role=sorted(library[pid].roles)[0], data=start)
    except RuntimeRefusal:
        return  # bad start data (a "-1" for a count, say) is refused before any session exists
    errors: list[str] = []
    for action in actions:
        if action[0] == "wait":
            clock.advance(action[1])
            session.advance()
            continue
        _, event, role, data = action
        before = session.snapshot(journal=False)
        try:
            session.fire(event, role=role, data=data)
        except RuntimeRefusal as refusal:
            errors.append(str(refusal))
            after = session.snapshot(journal=False)
            timers = [e for e in session.journal[before["seq"] :] if e.kind == "timer"]
            if not timers:  # timers that fell due first are not the refusal's doing
                assert ({**before, "seq": before["seq"] + 1}, "refused") == (after, session.journal[-1].kind)
        except UsageError as mistake:
            errors.append(str(mistake))
            assert before["seq"] == session.seq
    snapshot = session.snapshot()
    assert snapshot == json.loads(json.dumps(snapshot, allow_nan=False))
    assert snapshot == library.replay(snapshot["journal"]).snapshot()
    assert SECRET not in rendered(session, errors)


def test_no_data_the_door_lets_in_is_not_json() -> None:
    """NaN, bytes and objects are refused at the door, so a journal is always valid JSON."""
    library = LIBRARIES["fixtures"]
    session = library.start("test.release", clock=sopflow.ManualClock(), role="front_desk")
    for value in (math.nan, b"x", object(), "\ud800"):
        with contextlib.suppress(SopflowError):
            session.fire("id_copied", role="front_desk", data={"id_copy": value})
    assert 5 == len(session.journal)
    json.dumps(session.snapshot(), allow_nan=False)


JUNK = st.one_of(
    GARBAGE,
    st.sampled_from(["id_copied", "front_desk", "en", "zh-Hant", "\0"]),
    st.datetimes(),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.just(sopflow.ManualClock("2026-03-02T09:00:00+08:00")),
    st.just(LIBRARIES["fixtures"]["test.release"]),
)
SESSION_CALLS: dict[str, Any] = {
    "step": lambda lib, s, a, b, c: s.step(a, redact=b),
    "allowed": lambda lib, s, a, b, c: s.allowed(a),
    "fire": lambda lib, s, a, b, c: s.fire(a, role=b, data=c),
    "actor": lambda lib, s, a, b, c: s.fire("id_copied", role="front_desk", actor=a, data={"id_copy": "x"}),
    "check": lambda lib, s, a, b, c: s.check(a, role=b, actor=c),
    "advance": lambda lib, s, a, b, c: s.advance(a),
    "migrate": lambda lib, s, a, b, c: s.migrate(a, b),
    "snapshot": lambda lib, s, a, b, c: s.snapshot(journal=a),
    "restore": lambda lib, s, a, b, c: lib.restore(s.snapshot(), a, keep_journal=b, listeners=c),
    "redact": lambda lib, s, a, b, c: lib.redact(a),
    "start": lambda lib, s, a, b, c: lib.start("test.release", clock=s.clock, role="front_desk", lang=a, actor=b),
}


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(method=st.sampled_from(sorted(SESSION_CALLS)), a=JUNK, b=JUNK, c=JUNK)
def test_any_session_method_given_anything_answers_or_refuses(method: str, a: Any, b: Any, c: Any) -> None:
    """Every public method with a wrong kind of value: a SopflowError, never a Python error from inside."""
    library = LIBRARIES["fixtures"]
    clock = sopflow.ManualClock("2026-03-02T09:00:00+08:00")
    session = library.start("test.release", clock=clock, role="front_desk", data={"unit": "3-1201"})
    with contextlib.suppress(SopflowError):
        SESSION_CALLS[method](library, session, a, b, c)
