"""One running procedure inside a session, and the rules that move it.

A session is a stack of frames: the procedure the host started, and below it
any procedure it called (the owner call of a tenant release, a busy-desk
interruption). Everything here computes on copies and commits at the end, so
a refused step leaves the frame exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from sopflow.compile import BranchIR, CallIR, Procedure, StateIR, WayIR
from sopflow.compile.ir import select
from sopflow.compile.machine import fire as machine_fire
from sopflow.errors import (
    EngineDisagreement,
    EvaluationFailed,
    InvalidEventData,
    InvariantViolated,
    NoBranchMatched,
    RequiredDataMissing,
    RoleNotAllowed,
)
from sopflow.model.values import coerce
from sopflow.runtime.journal import Entry

Record = Callable[..., Entry]


class Frame:
    """State, data and timers of one procedure; a few hundred bytes."""

    __slots__ = ("call_key", "child", "data", "deadlines", "depth", "outcome", "procedure", "state")

    def __init__(self, procedure: Procedure, state: str, data: dict[str, Any], depth: int) -> None:
        self.procedure = procedure
        self.state = state
        self.data = data
        self.deadlines: dict[str, dt.datetime] = {}
        self.child: Frame | None = None
        self.call_key: str | None = None
        """Which call of the parent this frame answers (``state:x`` or ``event:y``)."""
        self.outcome: str | None = None
        self.depth = depth

    @property
    def here(self) -> StateIR:
        return self.procedure.ir.states[self.state]

    def frames(self) -> list[Frame]:
        """This frame and every frame it called, outermost first."""
        if self.child is None:
            return [self]
        out: list[Frame] = []
        frame: Frame | None = self
        while frame is not None:
            out.append(frame)
            frame = frame.child
        return out


class Mover:
    """Applies ways to frames and journals what happened; shared by fire, advance and replay."""

    __slots__ = ("record", "strict")

    def __init__(self, record: Record, strict: bool) -> None:
        self.record = record
        self.strict = strict

    # -- host events ---------------------------------------------------------------------------

    def validate(self, frame: Frame, way: WayIR, role: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Role and data checks of a host event; returns the coerced data."""
        if way.roles and role not in way.roles:
            raise RoleNotAllowed(
                f"role '{role}' may not fire '{way.name}' in state '{frame.state}'; "
                f"it is for: {', '.join(sorted(way.roles))}",
                state=frame.state,
                event=way.name,
            )
        if not data and not any(required for _, required in way.data):
            return {}
        declared = dict(way.data)
        unknown = [k for k in data if k not in declared]
        if unknown:
            expected = ", ".join(declared) or "no data"
            raise InvalidEventData(
                f"'{way.name}' does not carry {', '.join(map(repr, unknown))}; expected: {expected}",
                state=frame.state,
                event=way.name,
            )
        missing = [k for k, required in way.data if required and data.get(k) is None]
        if missing:
            raise InvalidEventData(
                f"'{way.name}' needs {', '.join(map(repr, missing))}", state=frame.state, event=way.name
            )
        values = {}
        fields = frame.procedure.fields
        for key, value in data.items():
            try:
                values[key] = coerce(fields[key], value)
            except ValueError as exc:
                # The journal keeps refusal messages: never quote a private value in one.
                detail = f"expected {fields[key].type}" if key in frame.procedure.private else str(exc)
                raise InvalidEventData(
                    f"'{way.name}' field '{key}': {detail}", state=frame.state, event=way.name
                ) from None
        return values

    def apply(
        self, frame: Frame, way: WayIR, values: dict[str, Any], now: dt.datetime, entry: Mapping[str, Any]
    ) -> None:
        """Take ``way`` from the frame's state, then enter the target (calls, finals, returns)."""
        ctx: Mapping[str, Any] = {**frame.data, **values} if values else frame.data
        if frame.procedure.ir.reads_state:
            ctx = {**ctx, "state": frame.state}
        # The way's branches are the machine's transitions, in the same order (build_machine):
        # the first whose guard holds is taken, as transitions does, without its dispatch.
        try:
            branch = select(way, ctx)
        except EvaluationFailed as exc:
            raise EvaluationFailed(
                f"'{way.name}' in state '{frame.state}': {exc.message}", state=frame.state, event=way.name
            ) from None
        except NoBranchMatched:
            raise NoBranchMatched(
                f"no branch of '{way.name}' applies in state '{frame.state}' with this data",
                state=frame.state,
                event=way.name,
            ) from None
        if self.strict:
            _cross_check(frame, way, ctx, branch)
        target = branch.target
        if way.checks_requires and not branch.internal:
            # `requires` guards leaving the state; an event that stays (capturing data) is fine.
            missing = [f for f in frame.here.requires if ctx.get(f) is None]
            if missing:
                raise RequiredDataMissing(
                    f"state '{frame.state}' needs {', '.join(map(repr, missing))} before '{way.name}'",
                    state=frame.state,
                    event=way.name,
                )
        changes = dict(values)
        assignments = way.assign + branch.assign if branch.assign else way.assign
        if assignments:
            scratch = dict(ctx)
            for name, evaluate in assignments:
                try:
                    value = evaluate(scratch)
                except EvaluationFailed as exc:
                    raise EvaluationFailed(
                        f"'{way.name}' setting '{name}': {exc.message}", state=frame.state, event=way.name
                    ) from None
                if (
                    isinstance(value, int)
                    and not isinstance(value, bool)
                    and frame.procedure.fields[name].type == "decimal"
                ):
                    value = Decimal(value)
                scratch[name] = changes[name] = value
        data = {**frame.data, **changes} if changes else frame.data
        if self.strict:
            self.check_invariants(frame.procedure, target, data, way)
        # Commit: nothing below may refuse.
        source = frame.state
        frame.data = data
        self.record(frame, now, {**entry, "source": source, "target": target, "changes": changes})
        if frame.child is not None and way.kind != "return":
            self.cancel(frame, now)
        if not branch.internal:
            frame.state = target
            self.enter(frame, now)
        elif way.kind == "timer":
            frame.deadlines.pop(way.trigger, None)
        if way.call is not None:
            self.call(frame, way.call, now)

    def check_invariants(self, procedure: Procedure, state: str, data: Mapping[str, Any], way: WayIR) -> None:
        scope = {**data, "state": state}
        for name, text, evaluate in procedure.invariants:
            try:
                holds = evaluate(scope)
            except EvaluationFailed:
                holds = False
            if not holds:
                raise InvariantViolated(
                    f"'{way.name}' would break invariant '{name}' ({text}) in state '{state}'",
                    state=way.source,
                    event=way.name,
                )

    # -- entering states, calls and returns ---------------------------------------------------

    def enter(self, frame: Frame, now: dt.datetime) -> None:
        here = frame.here
        frame.deadlines = {t.trigger: now + dt.timedelta(seconds=t.delay or 0) for t in here.timers}
        if here.final is not None:
            frame.outcome = here.final
            frame.deadlines = {}
        elif here.call is not None:
            self.call(frame, here.call, now)

    def call(self, frame: Frame, call: CallIR, now: dt.datetime) -> None:
        callee = frame.procedure.callees[call.procedure]
        data = dict(callee.defaults)
        for name, evaluate in call.with_:
            data[name] = coerce(callee.fields[name], evaluate(frame.data))
        child = Frame(callee, callee.ir.initial, data, frame.depth + 1)
        child.call_key = call.key
        frame.child = child
        self.record(child, now, {"kind": "call", "target": child.state, "data": {k: data[k] for k, _ in call.with_}})
        self.enter(child, now)
        if child.outcome is not None:
            self.finish(frame, now)

    def finish(self, parent: Frame, now: dt.datetime) -> None:
        """The parent's child has reached an outcome: copy results back and continue."""
        child = parent.child
        assert child is not None
        assert child.outcome is not None
        parent.child = None
        trigger = f"return:{child.call_key}:{child.outcome}"
        way = parent.here.returns[trigger]
        values = {p: child.data.get(c) for p, c in way_returns(parent, child.call_key)}
        # An escalation decided inside the child (a shared policy's data) belongs to the parent too.
        for name in sorted(child.procedure.policy_fields & parent.procedure.policy_fields):
            if child.data.get(name) is not None:
                values.setdefault(name, child.data[name])
        self.apply(parent, way, values, now, {"kind": "return", "event": child.outcome})

    def cancel(self, frame: Frame, now: dt.datetime) -> None:
        child = frame.child
        assert child is not None
        frame.child = None
        self.record(child, now, {"kind": "cancel", "source": child.state})

    # -- timers ------------------------------------------------------------------------------

    def run_due(self, root: Frame, now: dt.datetime) -> None:
        """Fire every timer due by ``now``, earliest first, each at its own deadline."""
        while True:
            due: tuple[dt.datetime, int, Frame, str] | None = None
            walk: Frame | None = root
            while walk is not None:
                for trigger, deadline in walk.deadlines.items():
                    if deadline <= now and (due is None or deadline < due[0]):
                        due = (deadline, walk.depth, walk, trigger)
                walk = walk.child
            if due is None:
                return
            at, _, frame, trigger = due
            way = frame.procedure.ir.way(frame.state, trigger)
            self.apply(frame, way, {}, at, {"kind": "timer", "event": way.name})
            self.bubble(root, at)

    def bubble(self, root: Frame, now: dt.datetime) -> None:
        """Let finished children return to their parents, innermost first."""
        if root.child is None:
            return
        frames = root.frames()
        for parent in reversed(frames[:-1]):
            if parent.child is not None and parent.child.outcome is not None:
                self.finish(parent, now)


def _cross_check(frame: Frame, way: WayIR, ctx: Mapping[str, Any], branch: BranchIR) -> None:
    """Strict sessions also run the step on the transitions machine; the two must agree."""
    target, done, taken = machine_fire(frame.procedure.machine, frame.state, way.trigger, ctx)
    if not done or target != branch.target or (taken or way.branches[0]) is not branch:
        raise EngineDisagreement(
            f"'{way.name}' in state '{frame.state}': the IR took branch {branch.index} to '{branch.target}', "
            f"the transitions machine {'went to ' + repr(target) if done else 'found no transition'}"
        )


def way_returns(parent: Frame, call_key: str | None) -> tuple[tuple[str, str], ...]:
    """The ``returns`` mapping of the call that made the parent's child."""
    here = parent.here
    if here.call is not None and here.call.key == call_key:
        return here.call.returns
    for way in here.events.values():
        if way.call is not None and way.call.key == call_key:
            return way.call.returns
    return ()
