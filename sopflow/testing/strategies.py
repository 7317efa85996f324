"""Hypothesis strategies for hosts: data and visits a real session accepts, for testing an integration.

A host wraps sessions in its own rows and its own API; the bugs worth finding are in that
wrapping (a field not saved, a timer never run), not in sopflow. These strategies give such
tests inputs that are right by the procedure's own rules, so a failure is the host's: values
of each field's declared type within its ``minimum`` and ``maximum``, mixed with the values
its guards tell apart (:mod:`sopflow.analysis.domains`), so every branch gets its turn; and
moves the step kernel itself accepts, offered as the explorer offers them
(:func:`sopflow.analysis.explore.offers`). Values come in their JSON form (money and dates as
text), as a host receives them from a form or a request.

This module needs hypothesis: ``pip install "sopflow[testing]"``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal, NamedTuple

from sopflow.errors import MissingExtra, SopflowError, UsageError

try:
    from hypothesis import reject
    from hypothesis import strategies as st
except ImportError as exc:
    raise MissingExtra(f'sopflow.testing.strategies needs hypothesis: pip install "sopflow[testing]" ({exc})') from exc

from sopflow.analysis.domains import field_domains
from sopflow.analysis.explore import Offer, combinations, offers, start_role
from sopflow.analysis.replay import START
from sopflow.compile import Procedure
from sopflow.model import FieldSpec
from sopflow.model.limits import INT_RANGE
from sopflow.runtime import Check, Configuration, Fire, ManualClock, Session
from sopflow.runtime.kernel import step

__all__ = [
    "START",
    "Action",
    "Visit",
    "actions",
    "apply",
    "can_act",
    "event_data",
    "event_sequences",
    "field_values",
    "next_wait",
    "refusals",
    "start_data",
    "start_roles",
]

TRIES = 3
"""Drawn data tried on an event before falling back to the explorer's combinations, which the rules accept."""
_FIRST_DAY, _LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
"""Dates and moments stay in this century: comparing moments across zones then never leaves Python's range."""
_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\0"), max_size=20)
"""Any text a session keeps: valid Unicode without NUL, which no store keeps."""
_ZONES = st.integers(-12 * 4, 14 * 4).map(lambda q: dt.timezone(dt.timedelta(minutes=15 * q)))


class Action(NamedTuple):
    """One thing a host does to a session: fire an event, tick a checklist item, or let time pass."""

    kind: Literal["fire", "check", "wait"]
    name: str
    """The event, the checklist item, or the timer (or promise) whose deadline the wait reaches."""
    role: str | None = None
    data: Mapping[str, Any] = {}
    until: dt.datetime | None = None
    """For a wait: the time the clock is set to (a deadline, or the instant before one)."""

    def __str__(self) -> str:
        if self.kind == "wait":
            return f"time passes to {self.until.isoformat() if self.until else '?'} ({self.name})"
        shown = f" with {dict(self.data)}" if self.data else ""
        return f"{self.role} {'fires' if self.kind == 'fire' else 'ticks'} {self.name}{shown}"


class Visit(NamedTuple):
    """A session's start and the actions after it, each accepted by a real session in turn."""

    procedure: str
    role: str
    data: Mapping[str, Any]
    actions: tuple[Action, ...]
    at: dt.datetime = START
    """When the visit starts: the manual clock's first reading."""


# -- values -------------------------------------------------------------------------------------


def field_values(procedure: Procedure, field_name: str) -> st.SearchStrategy[Any]:
    """Values of the field's declared type, half of the time one its guards tell apart.

    Never ``None``: an absent optional field is left out of the data, not sent empty.
    """
    spec = procedure.fields.get(field_name)
    if spec is None:
        known = ", ".join(procedure.fields) or "none"
        raise UsageError(f"'{procedure.id}' has no field '{field_name}'; fields: {known}")
    general = _of_type(spec)
    telling = [v for v in field_domains(procedure).get(field_name, ()) if _valid(procedure, field_name, v)]
    return st.one_of(st.sampled_from(telling), general) if telling else general


def event_data(procedure: Procedure, state: str, event: str) -> st.SearchStrategy[dict[str, Any]]:
    """Data for ``event`` in ``state``: every field it requires, and some of those it may carry."""
    here = procedure.ir.states.get(state)
    if here is None:
        raise UsageError(f"'{procedure.id}' has no state '{state}'; states: {', '.join(procedure.ir.states)}")
    way = here.events.get(event)
    if way is None:
        offered = ", ".join(here.events) or "none"
        raise UsageError(f"state '{state}' of '{procedure.id}' has no event '{event}'; events: {offered}")
    return _data(procedure, way.data)


def start_data(procedure: Procedure) -> st.SearchStrategy[dict[str, Any]]:
    """Start data from the host's records: every field the procedure's ``start`` requires, some optional ones."""
    return _data(procedure, procedure.start_data)


def _data(procedure: Procedure, fields: Sequence[tuple[str, bool]]) -> st.SearchStrategy[dict[str, Any]]:
    required = {name: field_values(procedure, name) for name, needed in fields if needed}
    optional = {name: field_values(procedure, name) for name, needed in fields if not needed}
    return st.fixed_dictionaries(required, optional=optional)


def _of_type(spec: FieldSpec) -> st.SearchStrategy[Any]:
    kind = spec.type
    if kind == "int":
        # A session holds whole numbers to 64 bits, whatever the field's own bounds.
        low = INT_RANGE.start if spec.minimum is None else max(math.ceil(spec.minimum), INT_RANGE.start)
        high = INT_RANGE.stop - 1 if spec.maximum is None else min(math.floor(spec.maximum), INT_RANGE.stop - 1)
        return st.integers(low, high)
    if kind == "decimal":
        return st.decimals(spec.minimum, spec.maximum, allow_nan=False, allow_infinity=False, places=2).map(str)
    if kind == "bool":
        return st.booleans()
    if kind == "enum":
        return st.sampled_from(spec.values or ())
    if kind == "list[str]":
        return st.lists(_TEXT, max_size=5)
    if kind == "date":
        return st.dates(_FIRST_DAY, _LAST_DAY).map(dt.date.isoformat)
    if kind == "time":
        return st.times().map(dt.time.isoformat)
    if kind == "datetime":
        first, last = (dt.datetime.combine(d, dt.time()) for d in (_FIRST_DAY, _LAST_DAY))
        return st.datetimes(first, last, timezones=_ZONES).map(dt.datetime.isoformat)
    return _TEXT


def _valid(procedure: Procedure, name: str, value: Any) -> bool:
    """A guard compares a field with constants of other fields too; keep only the values of its own type."""
    try:
        procedure.coerce(name, value)
    except ValueError:
        return False
    return True


# -- actions ------------------------------------------------------------------------------------


def actions(session: Session, *, wait: bool = True) -> st.SearchStrategy[Action]:
    """One action ``session`` accepts now; :func:`apply` takes it. The session needs a ``ManualClock``.

    Events come with a role that may fire them and data its rules accept (drawn data is tried
    first, then the explorer's boundary values); a wait reaches the next deadline of a timer or
    promise (``wait=False``: never offered). Nothing can be drawn from a session that has nothing
    left to do (see :func:`can_act`).
    """
    config, now, strict = session.config, session.clock.now(), session.strict
    choices = [c for c in _choices(config, now, strict) if wait or c.offer is not None]
    if not choices:
        return st.nothing()
    return _drawn(config, now, strict, choices)


def can_act(session: Session, *, wait: bool = True) -> bool:
    """Whether :func:`actions` has anything to offer: an accepted event or tick, or a deadline ahead."""
    choices = _choices(session.config, session.clock.now(), session.strict)
    return any(wait or c.offer is not None for c in choices)


def next_wait(session: Session) -> Action | None:
    """The wait to the next deadline of a running timer or promise, if any runs."""
    found = _next_deadline(session.config)
    if found is None:
        return None
    until, name = found
    return Action("wait", name, until=max(until, session.clock.now()))


class _Choice(NamedTuple):
    offer: Offer | None
    """``None``: the wait for the next deadline."""
    accepted: tuple[dict[str, Any], ...] = ()
    """The explorer's data combinations the kernel accepts (for a tick, one empty one)."""


def _choices(config: Configuration, now: dt.datetime, strict: bool) -> list[_Choice]:
    found = _LAST.get("choices")
    if found is not None and found[0] is config and found[1] == (now, strict):
        return found[2]  # a rule's precondition and its draw ask about the same configuration
    choices = []
    for offer in offers(config.frames):
        if offer.way is None:
            datas: Iterator[dict[str, Any]] = iter([{}])
        else:
            datas = (dict(d) for d in combinations(offer.way.data, field_domains(offer.frame.procedure)))
        accepted = tuple(d for d in datas if _accepts(config, _request(offer, d, now), strict))
        if accepted:
            choices.append(_Choice(offer, accepted))
    if _next_deadline(config) is not None:
        choices.append(_Choice(None))
    _LAST["choices"] = (config, (now, strict), choices)
    return choices


_LAST: dict[str, tuple[Configuration, tuple[dt.datetime, bool], list[_Choice]]] = {}


@st.composite
def _drawn(draw: st.DrawFn, config: Configuration, now: dt.datetime, strict: bool, choices: list[_Choice]) -> Action:
    choice = draw(st.sampled_from(choices))
    offer = choice.offer
    if offer is None:
        until, name = _next_deadline(config) or (now, "")  # a wait is only offered with a deadline
        return Action("wait", name, until=max(until, now))
    if offer.way is None:
        return Action("check", offer.name, offer.role)
    data_of = _data(offer.frame.procedure, offer.way.data)
    for _ in range(TRIES):
        data = draw(data_of)
        if _accepts(config, _request(offer, data, now), strict):
            return Action("fire", offer.name, offer.role, data)
    return Action("fire", offer.name, offer.role, draw(st.sampled_from(choice.accepted)))


def refusals(session: Session) -> st.SearchStrategy[Action]:
    """A request ``session`` refuses now: an event not offered, a role not allowed, data missing or unknown.

    Every one is checked against the kernel, so a session is sure to refuse it; once the session
    has ended, every event is refused.
    """
    config, now = session.config, session.clock.now()
    found = [a for a in _refusable(session) if not _accepts(config, _as_request(a, now), session.strict)]
    return st.sampled_from(found) if found else st.nothing()


def _refusable(session: Session) -> Iterator[Action]:
    frames = session.frames
    offered = list(offers(frames))
    events = {o.name for o in offered if o.kind == "fire"}
    role = start_role(session.procedure)
    for procedure in session.procedure.family().values():
        for event in procedure.events:
            if event not in events:
                yield Action("fire", event, role)
    for offer in offered:
        way = offer.way
        if way is None:
            continue
        for other in offer.frame.procedure.roles:
            if way.roles and other not in way.roles:
                yield Action("fire", offer.name, other)
        if way.required:
            yield Action("fire", offer.name, offer.role)
        yield Action("fire", offer.name, offer.role, {"not_a_field": "x"})


def _next_deadline(config: Configuration) -> tuple[dt.datetime, str] | None:
    """The earliest running timer or promise of any running procedure, and its name."""
    found: tuple[dt.datetime, str] | None = None
    for frame in config.frames:
        timers = [(due, frame.procedure.ir.way(frame.state, t).name) for t, due in frame.deadlines.items()]
        for due, name in [*timers, *((due, name) for name, due in frame.promises.items())]:
            if found is None or due < found[0]:
                found = (due, name)
    return found


def _request(offer: Offer, data: Mapping[str, Any], now: dt.datetime) -> Fire | Check:
    if offer.way is None:
        return Check(offer.name, offer.role, now)
    return Fire(offer.name, offer.role, now, None, data)


def _as_request(action: Action, now: dt.datetime) -> Fire | Check:
    if action.kind == "check":
        return Check(action.name, action.role or "", now)
    return Fire(action.name, action.role or "", now, None, action.data)


def _accepts(config: Configuration, request: Fire | Check, strict: bool) -> bool:
    try:
        return step(config, request, strict=strict).refusal is None
    except SopflowError:  # a fault of the kernel on this data counts as not accepted
        return False


def apply(session: Session, action: Action) -> None:
    """Do ``action`` to ``session``: fire, tick, or set its ``ManualClock`` to the wait's time and advance.

    A refusal raises the session's :class:`~sopflow.errors.RuntimeRefusal`, as ``fire`` does.
    """
    if action.kind == "wait":
        clock = session.clock
        if not isinstance(clock, ManualClock) or action.until is None:
            raise UsageError("a wait moves the session's clock: start the session on a ManualClock")
        clock.set(action.until)
        session.advance()
    elif action.kind == "check":
        session.check(action.name, role=action.role or "")
    else:
        session.fire(action.name, role=action.role or "", data=action.data)


# -- visits -------------------------------------------------------------------------------------


def start_roles(procedure: Procedure) -> st.SearchStrategy[str]:
    """Roles a session may be started as, the procedure's natural one first (what failures shrink to)."""
    first = start_role(procedure)
    return st.sampled_from([first, *(r for r in procedure.roles if r != first)])


def event_sequences(procedure: Procedure, *, max_steps: int = 20, strict: bool = False) -> st.SearchStrategy[Visit]:
    """Visits from the start: up to ``max_steps`` actions, each accepted by a real session in turn.

    The visit stops early where the session has nothing left to do. Replay one with
    :func:`apply` on a session started as the visit says, on ``ManualClock(visit.at)``.
    """
    if max_steps < 0:
        raise UsageError(f"max_steps must be 0 or more, found {max_steps}")
    return _visit(procedure, max_steps, strict)


@st.composite
def _visit(draw: st.DrawFn, procedure: Procedure, max_steps: int, strict: bool) -> Visit:
    role = draw(start_roles(procedure))
    data = draw(start_data(procedure))
    try:
        session = Session.start(procedure, clock=ManualClock(START), role=role, data=data, strict=strict)
    except SopflowError:
        reject()  # start data a call argument cannot take; another draw will do
    taken: list[Action] = []
    count = draw(st.integers(0, max_steps))
    while len(taken) < count and can_act(session):
        action = draw(actions(session))
        apply(session, action)
        taken.append(action)
    return Visit(procedure.id, role, data, tuple(taken))
