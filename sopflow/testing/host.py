"""A hypothesis state machine a host subclasses to test its own integration against a procedure.

A host keeps sessions in its own rows behind its own API, and every layer it adds can lose
something: a field not saved, a timer its worker never runs, a refusal turned into a success.
:class:`HostMachine` drives the host and a reference :class:`~sopflow.runtime.Session` side by
side on one :class:`~sopflow.runtime.ManualClock`. Each rule does the same thing to both — an
action the reference accepts (:func:`~sopflow.testing.strategies.actions`), a request it
refuses (:func:`~sopflow.testing.strategies.refusals`), or time passing to a deadline or to
just before one — and after each the host must agree with the reference: same state, same
outcome, same data where it shows data, same events offered where it says which, and a
refusal exactly where the reference refuses. Hypothesis then shrinks any disagreement to the
shortest visit that shows it.

This module needs hypothesis: ``pip install "sopflow[testing]"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any, ClassVar, NamedTuple

from sopflow.errors import MissingExtra, RuntimeRefusal, SopflowError, UsageError

try:
    from hypothesis import reject
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
except ImportError as exc:
    raise MissingExtra(f'sopflow.testing.host needs hypothesis: pip install "sopflow[testing]" ({exc})') from exc

from sopflow.compile import Procedure
from sopflow.library import Library, load_library
from sopflow.runtime import ManualClock, Session
from sopflow.runtime.journal import jsonable
from sopflow.testing.strategies import (
    START,
    Action,
    actions,
    apply,
    can_act,
    next_wait,
    refusals,
    start_data,
    start_roles,
)

__all__ = ["HostDisagrees", "HostMachine", "Observation"]


class Observation(NamedTuple):
    """What the host shows of its session, to be compared with the reference."""

    state: str
    """The innermost current state, as :attr:`Session.state` names it."""
    outcome: str | None
    """The outcome once the visit has ended, else ``None``."""
    data: Mapping[str, Any] = {}
    """Fields the host keeps, by name; each must equal the reference's value in JSON form
    (money and dates as text). Fields left out are not compared."""
    allowed: Collection[str] | None = None
    """The events the host offers now, in any order; ``None``: the host does not say."""


class HostDisagrees(SopflowError, AssertionError):
    """The host did something other than the reference session: the test found a bug in the host."""


class HostMachine(RuleBasedStateMachine):
    """Subclass it, name the procedure, and implement the five ``*_host`` methods over your adapter.

    ``procedure`` is an id looked up in ``library`` (default: the bundled procedures) or a
    compiled :class:`~sopflow.Procedure`. Run it as any hypothesis state machine: assign
    ``TestMyHost = MyHost.TestCase`` in a test module, or call
    ``hypothesis.stateful.run_state_machine_as_test(MyHost)``.
    """

    procedure: ClassVar[str | Procedure]
    library: ClassVar[Library | None] = None
    start_at: ClassVar[dt.datetime] = START
    """Where the clock starts."""
    strict: ClassVar[bool] = False
    """Whether the reference session runs strict (invariants checked on every step); match the host's sessions."""

    def __init__(self) -> None:
        super().__init__()
        self.compiled = _procedure_of(type(self))
        self.clock = ManualClock(self.start_at)
        """The one clock of the test: the host's sessions must read their time from it."""
        self.reference: Session | None = None

    # -- what a host implements -----------------------------------------------------------------

    def start_host(self, role: str, data: Mapping[str, Any], clock: ManualClock) -> None:
        """Start the host's session of ``self.compiled`` as ``role`` with ``data``, reading time from ``clock``."""
        raise UsageError(f"{type(self).__name__} must implement start_host(role, data, clock)")

    def fire_host(self, event: str, role: str, data: Mapping[str, Any]) -> None:
        """Fire ``event`` through the host; raise :class:`~sopflow.RuntimeRefusal` if the host refuses it.

        A host that does not pass sopflow's refusals through raises ``RuntimeRefusal`` itself
        when its API says no (an HTTP 409, a rejected form); any other exception is a crash.
        """
        raise UsageError(f"{type(self).__name__} must implement fire_host(event, role, data)")

    def check_host(self, item: str, role: str) -> None:
        """Tick a checklist item through the host, refusing as :meth:`fire_host` does.

        Only procedures with checklists call it.
        """
        raise UsageError(f"{type(self).__name__} must implement check_host(item, role): the procedure has checklists")

    def advance_host(self, now: dt.datetime) -> None:
        """Run what the host runs when time passes (its timer worker); the clock already reads ``now``."""
        raise UsageError(f"{type(self).__name__} must implement advance_host(now)")

    def observe_host(self) -> Observation:
        """What the host shows of its session now, read back the way the host reads it (from its rows)."""
        raise UsageError(f"{type(self).__name__} must implement observe_host()")

    # -- the rules ------------------------------------------------------------------------------

    @initialize(data=st.data())
    def begin(self, data: st.DataObject) -> None:
        role = data.draw(start_roles(self.compiled), label="role")
        given = data.draw(start_data(self.compiled), label="start data")
        try:
            self.reference = Session.start(self.compiled, clock=self.clock, role=role, data=given, strict=self.strict)
        except SopflowError:
            reject()  # start data a call argument cannot take: no visit to compare
        try:
            self.start_host(role, dict(given), self.clock)
        except RuntimeRefusal as exc:
            raise HostDisagrees(f"the host refused to start as {role} with {given}: {exc}") from exc

    @precondition(lambda self: self.reference is not None and can_act(self.reference, wait=False))
    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        """An event or a tick the reference accepts: the host must accept it too."""
        reference = self._reference()
        self._both(data.draw(actions(reference, wait=False), label="action"))

    @precondition(lambda self: self.reference is not None and next_wait(self.reference) is not None)
    @rule()
    def wait(self) -> None:
        """Time passes to the next deadline of a timer or promise: both run what falls due."""
        reference = self._reference()
        action = next_wait(reference)
        assert action is not None  # the precondition says so
        self._both(action)

    @precondition(lambda self: self.reference is not None)
    @rule(data=st.data())
    def refuse(self, data: st.DataObject) -> None:
        """A request the reference refuses: the host must refuse it too."""
        reference = self._reference()
        action = data.draw(refusals(reference), label="refused")
        try:
            apply(reference, action)
        except RuntimeRefusal:
            pass
        else:  # refusals() only offers what the kernel refuses
            raise SopflowError(f"the reference accepted {action}, which refusals() offered as refused")
        try:
            self._on_host(action)
        except RuntimeRefusal:
            return
        raise HostDisagrees(f"the host accepted what sopflow refuses ({action})")

    @precondition(lambda self: self.reference is not None and _almost(self.reference) is not None)
    @rule()
    def almost_due(self) -> None:
        """Time passes to a second before the next deadline: nothing may happen early."""
        reference = self._reference()
        until = _almost(reference)
        assert until is not None  # the precondition says so
        self.clock.set(until)
        reference.advance()
        self.advance_host(until)

    @invariant()
    def agrees(self) -> None:
        """The host shows what the reference shows."""
        if self.reference is None:
            return
        seen = self.observe_host()
        reference = self.reference
        problems = []
        if seen.state != reference.state:
            problems.append(f"state: the host is in '{seen.state}', sopflow in '{reference.state}'")
        if seen.outcome != reference.outcome:
            problems.append(f"outcome: the host has {seen.outcome!r}, sopflow {reference.outcome!r}")
        expected = reference.data
        for name, value in seen.data.items():
            if name not in expected:
                problems.append(f"data: the host shows '{name}', which '{reference.procedure.id}' does not have")
            elif jsonable(value) != jsonable(expected[name]):
                problems.append(f"data '{name}': the host has {value!r}, sopflow {jsonable(expected[name])!r}")
        if seen.allowed is not None and set(seen.allowed) != set(reference.allowed()):
            problems.append(f"allowed: the host offers {sorted(seen.allowed)}, sopflow {sorted(reference.allowed())}")
        if problems:
            at = self.clock.now().isoformat()
            raise HostDisagrees(f"the host disagrees with sopflow at {at}:\n  " + "\n  ".join(problems))

    # -- helpers --------------------------------------------------------------------------------

    def _reference(self) -> Session:
        if self.reference is None:
            raise UsageError("the machine has not started its session yet")
        return self.reference

    def _both(self, action: Action) -> None:
        apply(self._reference(), action)
        try:
            self._on_host(action)
        except RuntimeRefusal as exc:
            raise HostDisagrees(f"the host refused what sopflow accepts ({action}): {exc}") from exc

    def _on_host(self, action: Action) -> None:
        if action.kind == "wait":
            self.advance_host(self.clock.now())
        elif action.kind == "check":
            self.check_host(action.name, action.role or "")
        else:
            self.fire_host(action.name, action.role or "", dict(action.data))


def _almost(session: Session) -> dt.datetime | None:
    """A second before the next deadline, if that is still ahead of the clock."""
    deadlines = [due for f in session.frames for due in (*f.deadlines.values(), *f.promises.values())]
    if not deadlines:
        return None
    before = min(deadlines) - dt.timedelta(seconds=1)
    return before if before > session.clock.now() else None


_BUNDLED: list[Library] = []


def _procedure_of(machine: type[HostMachine]) -> Procedure:
    named = getattr(machine, "procedure", None)
    if isinstance(named, Procedure):
        return named
    if not isinstance(named, str):
        raise UsageError(f"{machine.__name__} must name its procedure: procedure = 'business.release_tenant'")
    library = machine.library
    if library is None:
        if not _BUNDLED:
            _BUNDLED.append(load_library())
        library = _BUNDLED[0]
    return library[named]
