"""The step kernel: the one copy of the rules that move a session.

``start`` and ``step`` are pure: a configuration and a trigger in, the next
configuration and the journal entries it produced out (or a refusal). They
read no clock and mutate nothing they are given. Live sessions commit what
they return; replay, exploration and log conformance call the same two
functions, so they cannot drift from what a desk really does.

Inside one call the work happens on a private list of frames; a refusal
anywhere — a guard that fails, a call argument that cannot be computed, an
invariant — rewinds that list to the last mark, so nothing half-done escapes.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sopflow.compile import BranchIR, CallIR, Procedure, WayIR
from sopflow.compile.ir import select
from sopflow.errors import (
    ChecklistIncomplete,
    EngineDisagreement,
    EvaluationFailed,
    EventNotAllowed,
    InvalidEventData,
    InvariantViolated,
    NoBranchMatched,
    RequiredDataMissing,
    RoleNotAllowed,
    RuntimeRefusal,
    SessionFinished,
    SopflowError,
    TimersRunaway,
)
from sopflow.expr import Evaluator
from sopflow.model.limits import INT_RANGE, MAX_NAME_CHARS, MAX_VALUE_CHARS
from sopflow.model.values import coerce, short
from sopflow.runtime.config import EMPTY, NO_TICKS, Check, Configuration, Fire, Frame, Move, Tick, tuple_new
from sopflow.runtime.journal import Entry, EntryKind, StartMeta, json_problem, jsonable

EVALUATION_ERRORS = (EvaluationFailed, TypeError, ValueError, ArithmeticError)
"""What evaluating a checked expression on unlucky data can raise; each becomes a refusal."""


class _Refused(SopflowError):
    """A rule refused the step; turned into the public error, with its full context, at the top.

    Never escapes the kernel: ``start`` and ``step`` catch it where they know the session.
    """

    def __init__(self, kind: type[RuntimeRefusal], message: str, state: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.state = state


# -- the two entry points -----------------------------------------------------------------------


def start(
    procedure: Procedure,
    *,
    session: str,
    at: dt.datetime,
    role: str,
    actor: str | None = None,
    data: Mapping[str, Any] | None = None,
    lang: str,
    strict: bool = False,
) -> Move:
    """The first configuration of a session and its start entry; refuses bad start data by raising."""
    try:
        _names(("a session id", session), ("a role", role), ("an actor's name", actor))
        given = _door(data)
        values = procedure.defaults.copy()
        unknown = sorted(set(given) - set(procedure.fields))
        if unknown:
            fields = ", ".join(procedure.fields) or "none"
            raise _Refused(
                InvalidEventData, f"'{procedure.id}' has no field {', '.join(map(repr, unknown))}; fields: {fields}"
            )
        missing = [f for f, required in procedure.start_data if required and given.get(f) is None]
        if missing:
            raise _Refused(
                InvalidEventData,
                f"'{procedure.id}' needs {', '.join(map(repr, missing))} at start (from the host's records)",
            )
        for key, value in given.items():
            values[key] = _coerce(procedure, key, value, "start field")
        if role not in procedure.roles:
            raise _Refused(
                InvalidEventData, f"'{procedure.id}' has no role '{role}'; roles: {', '.join(procedure.roles)}"
            )
    except _Refused as refused:
        raise refused.kind(refused.message, session_id=session, event="start") from None
    run = _Run(Configuration(session, (Frame(procedure, procedure.ir.initial, values, EMPTY),), 0), strict)
    run.entry(
        0,
        at,
        "start",
        actor=actor or role,
        role=role,
        target=procedure.ir.initial,
        data=given,
        meta=StartMeta(session, lang, strict),
    )
    run.make_promises(0, at, None)
    run.enter(0, at)
    return Move(run.config(), tuple(run.entries))


def step(config: Configuration, trigger: Fire | Tick | Check, *, strict: bool = False) -> Move:
    """Apply one trigger: timers and promises due by its time first, then the event or the tick."""
    run = _Run(config, strict)
    frames = config.frames
    if len(frames) > 1 or frames[0].deadlines or frames[0].promises:
        try:
            run.due(trigger.at)
        except _Refused as runaway:
            return _runaway(run, config, trigger, runaway)
    if trigger.__class__ is Tick:
        return Move(run.config(), tuple(run.entries))
    mark = run.mark() if run.entries else None
    action: Fire | Check = trigger  # type: ignore[assignment]  # a Tick returned above
    event = action.item if isinstance(action, Check) else action.event
    try:
        if action.actor is not None and "\0" in action.actor:
            raise _Refused(InvalidEventData, "the actor's name holds a NUL character, which no store keeps")
        if len(event) > MAX_NAME_CHARS or len(action.role) > MAX_NAME_CHARS or len(action.actor or "") > MAX_NAME_CHARS:
            _names(
                ("an event name" if isinstance(action, Fire) else "an item's name", event),
                ("a role", action.role),
                ("an actor's name", action.actor),
            )
        if isinstance(action, Check):
            run.check(action.item, action.role, action.actor, action.at)
        else:
            run.fire(action.event, action.role, action.actor, _door(action.data), action.at)
    except _Refused as refused:
        run.rewind(mark)
        current = run.frames[-1]
        refusal = refused.kind(
            refused.message,
            session_id=config.session,
            state=refused.state or current.state,
            event=event,
            allowed=allowed(run.frames),
        )
        run.entry(
            len(run.frames) - 1,
            action.at,
            "refused",
            actor=_kept(action.actor or action.role),
            role=_kept(action.role),
            event=_kept(event),
            data=_recordable(action.data) if isinstance(action, Fire) else EMPTY,
            source=current.state,
            detail=_kept(f"{refused.kind.__name__}: {refused.message}"),
        )
        return Move(run.config(), tuple(run.entries), refusal)
    # The hot path builds its named tuples through tuple.__new__ (see tuple_new).
    config = tuple_new(Configuration, (run.session, tuple(run.frames), run.seq))
    return tuple_new(Move, (config, tuple(run.entries), None))


def allowed(frames: tuple[Frame, ...] | list[Frame]) -> tuple[str, ...]:
    """Events a host may fire now, innermost procedure first (its events hide outer ones of the same name)."""
    if frames[0].outcome is not None:
        return ()
    if len(frames) == 1:
        return tuple(frames[0].here.events)
    seen: dict[str, None] = {}
    for frame in reversed(frames):
        seen.update(dict.fromkeys(frame.here.events))
    return tuple(seen)


def _runaway(run: _Run, config: Configuration, trigger: Fire | Tick | Check, refused: _Refused) -> Move:
    """The whole step refused: more timers fell due than one step fires.

    Nothing of it is kept (the configuration is the one the call began with) but one
    ``refused`` entry. It names no event, actor or data, whatever the trigger: replay
    re-runs a refused entry as time passing, and meets the same refusal at the same instant.
    """
    run.rewind(None)
    current = run.frames[-1]
    run.entry(
        len(run.frames) - 1,
        trigger.at,
        "refused",
        source=current.state,
        detail=_kept(f"{refused.kind.__name__}: {refused.message}"),
    )
    refusal = refused.kind(
        refused.message, session_id=config.session, state=current.state, event=None, allowed=allowed(run.frames)
    )
    return Move(run.config(), tuple(run.entries), refusal)


MAX_TIMERS_PER_STEP = 100_000
"""Timers one step fires at most. Only timers that go round with no one acting, left for long,
come near it (a one-minute cycle left for ten weeks); past it the step is refused, so a host
advancing such a session after a long pause gets an answer, not a step that never ends."""


# -- the rules ----------------------------------------------------------------------------------


class _Run:
    """One kernel call's private working copy: frames, the entries written, the sequence number."""

    __slots__ = ("entries", "frames", "origin", "seq", "session", "strict")

    def __init__(self, config: Configuration, strict: bool) -> None:
        self.origin = config
        self.session = config.session
        self.frames = list(config.frames)
        self.seq = config.seq
        self.entries: list[Entry] = []
        self.strict = strict

    def config(self) -> Configuration:
        return Configuration(self.session, tuple(self.frames), self.seq)

    def mark(self) -> tuple[tuple[Frame, ...], int, int]:
        return tuple(self.frames), len(self.entries), self.seq

    def rewind(self, mark: tuple[tuple[Frame, ...], int, int] | None) -> None:
        """Back to ``mark`` (``None``: to the configuration the call began with)."""
        frames, count, self.seq = mark or (self.origin.frames, 0, self.origin.seq)
        self.frames = list(frames)
        del self.entries[count:]

    def entry(
        self,
        depth: int,
        at: dt.datetime,
        kind: EntryKind,
        actor: str | None = None,
        role: str | None = None,
        event: str | None = None,
        source: str | None = None,
        target: str | None = None,
        data: Mapping[str, Any] = EMPTY,
        changes: Mapping[str, Any] = EMPTY,
        detail: str | None = None,
        meta: StartMeta | None = None,
    ) -> None:
        procedure = self.frames[depth].procedure
        self.seq += 1
        self.entries.append(
            tuple_new(
                Entry,
                (
                    self.seq,
                    at,
                    kind,
                    procedure.id,
                    procedure.version,
                    depth,
                    actor,
                    role,
                    event,
                    source,
                    target,
                    data,
                    changes,
                    detail,
                    meta,
                ),
            )
        )

    # -- host events ----------------------------------------------------------------------------

    def fire(self, event: str, role: str, actor: str | None, given: dict[str, Any], at: dt.datetime) -> None:
        frames = self.frames
        if frames[0].outcome is not None:
            raise _Refused(SessionFinished, f"the session has ended ({frames[0].outcome}); nothing more can be fired")
        depth = len(frames) - 1
        frame = frames[depth]
        way = frame.procedure.ir.states[frame.state].events.get(event)
        while way is None and depth > 0:
            depth -= 1
            way = frames[depth].here.events.get(event)
        if way is None:
            names = allowed(frames)
            close = difflib.get_close_matches(event, names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise _Refused(
                EventNotAllowed,
                f"'{event}' is not possible in state '{frames[-1].state}'{hint}; "
                f"allowed now: {', '.join(names) or 'nothing'}",
            )
        values = self.validate(frames[depth], way, role, given)
        self.apply(depth, way, values, at, "fire", actor=actor or role, role=role, event=event)
        if len(frames) > 1:
            self.bubble(at)

    def validate(self, frame: Frame, way: WayIR, role: str, given: Mapping[str, Any]) -> dict[str, Any]:
        """Role and data checks of a host event; returns the typed values."""
        if way.roles and role not in way.roles:
            raise _Refused(
                RoleNotAllowed,
                f"role '{role}' may not fire '{way.name}' in state '{frame.state}'; "
                f"it is for: {', '.join(sorted(way.roles))}",
                frame.state,
            )
        if not given and not way.required:
            return {}
        accepts = way.accepts
        for key in given:
            if key not in accepts:
                unknown = [k for k in given if k not in accepts]
                expected = ", ".join(name for name, _ in way.data) or "no data"
                raise _Refused(
                    InvalidEventData,
                    f"'{way.name}' does not carry {', '.join(map(repr, unknown))}; expected: {expected}",
                    frame.state,
                )
        for key in way.required:
            if given.get(key) is None:
                missing = [k for k in way.required if given.get(k) is None]
                raise _Refused(InvalidEventData, f"'{way.name}' needs {', '.join(map(repr, missing))}", frame.state)
        procedure = frame.procedure
        fields = procedure.fields
        values = {}
        try:
            for key, value in given.items():
                values[key] = coerce(fields[key], value)
        except ValueError:
            for key, value in given.items():  # again, to say which field and why
                _coerce(procedure, key, value, f"'{way.name}' field")
            raise
        return values

    def apply(
        self,
        depth: int,
        way: WayIR,
        values: Mapping[str, Any],
        at: dt.datetime,
        kind: EntryKind,
        actor: str | None = None,
        role: str | None = None,
        event: str | None = None,
    ) -> None:
        """Take ``way`` out of the frame's state, then enter the target (calls, finals, returns)."""
        frame = self.frames[depth]
        procedure = frame.procedure
        merged: Mapping[str, Any] = {**frame.data, **values} if values else frame.data
        ctx = {**merged, "state": frame.state} if procedure.ir.reads_state else merged
        # The way's branches are the machine's transitions, in the same order (build_machine):
        # the first whose guard holds is taken, as transitions does, without its dispatch.
        try:
            branch = select(way, ctx)
        except NoBranchMatched:
            raise _Refused(
                NoBranchMatched, f"no branch of '{way.name}' applies in state '{frame.state}' with this data"
            ) from None
        except EVALUATION_ERRORS as exc:
            raise _Refused(EvaluationFailed, f"'{way.name}' in state '{frame.state}': {_reason(exc)}") from None
        if self.strict:
            _cross_check(frame, way, ctx, branch)
        if way.checks_requires and not branch.internal:
            # `requires` guards leaving the state; an event that stays (capturing data) is fine.
            here = procedure.ir.states[frame.state]
            missing = [f for f in here.requires if ctx.get(f) is None]
            if missing:
                raise _Refused(
                    RequiredDataMissing,
                    f"state '{frame.state}' needs {', '.join(map(repr, missing))} before '{way.name}'",
                )
            unticked = here.required_items - frame.ticked
            if unticked:
                names = [c.name for c in here.checklist if c.name in unticked]
                raise _Refused(
                    ChecklistIncomplete,
                    f"state '{frame.state}' has items to tick before '{way.name}': {', '.join(names)}",
                )
        assignments = way.assign + branch.assign if branch.assign else way.assign
        changes: Mapping[str, Any]
        data: Mapping[str, Any]
        if assignments:
            changes = changed = dict(values)
            scratch = dict(ctx)
            for name, evaluate in assignments:
                value = _evaluate(evaluate, scratch, f"'{way.name}' setting '{name}'")
                if value.__class__ is int:
                    if value not in INT_RANGE:
                        raise _Refused(
                            EvaluationFailed, f"'{way.name}' setting '{name}': the result does not fit in 64 bits"
                        )
                    if procedure.fields[name].type == "decimal":
                        value = Decimal(value)
                scratch[name] = changed[name] = value
            data = {**frame.data, **changed}
        else:  # the event's values are the whole change, already merged into the data above
            changes, data = values, merged
        target = branch.target
        if self.strict:
            _check_invariants(procedure, target, data, way)
        # Positional: this is the hot path, and keywords cost a dictionary per call.
        self.entry(depth, at, kind, actor, role, event, frame.state, target, values or EMPTY, changes or EMPTY)
        if depth + 1 < len(self.frames) and kind != "return":
            self.cancel(depth, at)
        if not branch.internal:
            self.frames[depth] = tuple_new(
                Frame, (procedure, target, data, EMPTY, None, frame.call, frame.promises, NO_TICKS)
            )
            self.enter(depth, at)
        elif kind == "timer":
            deadlines = {k: v for k, v in frame.deadlines.items() if k != way.trigger}
            self.frames[depth] = Frame(
                procedure, frame.state, data, deadlines, None, frame.call, frame.promises, frame.ticked
            )
        elif data is not frame.data:
            self.frames[depth] = Frame(
                procedure, frame.state, data, frame.deadlines, None, frame.call, frame.promises, frame.ticked
            )
        if way.call is not None:
            self.call(depth, way.call, at)

    # -- entering states, calls and returns -----------------------------------------------------

    def enter(self, depth: int, at: dt.datetime) -> None:
        frame = self.frames[depth]
        procedure = frame.procedure
        here = procedure.ir.states[frame.state]
        if procedure.ir.promises:
            self.keep_promises(depth, at, frame.state)
            self.make_promises(depth, at, frame.state)
            frame = self.frames[depth]
        if here.final is not None:
            self.frames[depth] = Frame(
                procedure, frame.state, frame.data, EMPTY, here.final, frame.call, frame.promises
            )
            return
        if here.timers:
            deadlines = {t.trigger: due for t in here.timers if (due := t.due_from(at, frame.data)) is not None}
            self.frames[depth] = Frame(procedure, frame.state, frame.data, deadlines, None, frame.call, frame.promises)
        if here.call is not None:
            self.call(depth, here.call, at)

    # -- promises and checklists ----------------------------------------------------------------

    def make_promises(self, depth: int, at: dt.datetime, state: str | None) -> None:
        """Promises made on entering ``state`` (``None``: at the session's start) begin to run."""
        frame = self.frames[depth]
        made = {
            p.name: p
            for p in frame.procedure.ir.promises
            if p.name not in frame.promises and ((state is None and not p.starts) or (state in p.starts))
        }
        if not made:
            return
        running = dict(frame.promises)
        for name, promise in made.items():
            due = promise.deadline(at, frame.data)
            if due is None:
                continue  # by a moment held in a field still empty: nothing to keep yet
            running[name] = due
            self.entry(depth, at, "promise", event=name, target=state, detail="made")
        self.frames[depth] = self.frames[depth]._replace(promises=running)

    def keep_promises(self, depth: int, at: dt.datetime, state: str) -> None:
        frame = self.frames[depth]
        kept = [p.name for p in frame.procedure.ir.promises if p.name in frame.promises and state in p.kept]
        if not kept:
            return
        for name in kept:
            self.entry(depth, at, "promise", event=name, target=state, detail="kept")
        running = {k: v for k, v in frame.promises.items() if k not in kept}
        self.frames[depth] = frame._replace(promises=running or EMPTY)

    def check(self, item: str, role: str, actor: str | None, at: dt.datetime) -> None:
        """Tick a checklist item of the innermost state that lists it."""
        frames = self.frames
        if frames[0].outcome is not None:
            raise _Refused(SessionFinished, f"the session has ended ({frames[0].outcome}); nothing more can be ticked")
        depth = len(frames) - 1
        while depth > 0 and item not in _items(frames[depth]):
            depth -= 1
        frame = frames[depth]
        here = frame.procedure.ir.states[frame.state]
        names = _items(frame)
        if item not in names:
            close = difflib.get_close_matches(item, names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            listed = ", ".join(names) or "none"
            raise _Refused(
                InvalidEventData, f"state '{frames[-1].state}' has no checklist item '{item}'{hint}; items: {listed}"
            )
        if here.role is not None and role != here.role:
            raise _Refused(
                RoleNotAllowed, f"role '{role}' may not tick items in '{frame.state}'; it is for: {here.role}"
            )
        if item in frame.ticked:
            raise _Refused(InvalidEventData, f"'{item}' is already ticked in '{frame.state}'")
        self.entry(
            depth, at, "check", actor=actor or role, role=role, event=item, source=frame.state, target=frame.state
        )
        self.frames[depth] = frame._replace(ticked=frame.ticked | {item})

    def call(self, depth: int, call: CallIR, at: dt.datetime) -> None:
        parent = self.frames[depth]
        callee = parent.procedure.callees[call.procedure]
        data = callee.defaults.copy()
        for name, evaluate in call.with_:
            value = _evaluate(evaluate, parent.data, f"calling '{callee.id}', argument '{name}'")
            data[name] = _coerce(callee, name, value, f"calling '{callee.id}', argument")
        self.frames.append(Frame(callee, callee.ir.initial, data, EMPTY, None, call.key))
        self.entry(depth + 1, at, "call", target=callee.ir.initial, data={k: data[k] for k, _ in call.with_})
        self.enter(depth + 1, at)
        if self.frames[depth + 1].outcome is not None:
            self.finish(depth, at)

    def finish(self, depth: int, at: dt.datetime) -> None:
        """The frame's child has reached an outcome: copy results back and continue."""
        parent, child = self.frames[depth], self.frames[depth + 1]
        del self.frames[depth + 1 :]
        trigger = f"return:{child.call}:{child.outcome}"
        way = parent.here.returns[trigger]
        values = {p: child.data.get(c) for p, c in _returns(parent, child.call)}
        # An escalation decided inside the child (a shared policy's data) belongs to the parent too.
        for name in sorted(child.procedure.policy_fields & parent.procedure.policy_fields):
            if child.data.get(name) is not None:
                values.setdefault(name, child.data[name])
        self.apply(depth, way, values, at, "return", event=child.outcome)

    def cancel(self, depth: int, at: dt.datetime) -> None:
        child = self.frames[depth + 1]
        self.entry(depth + 1, at, "cancel", source=child.state)
        del self.frames[depth + 1 :]

    def bubble(self, at: dt.datetime) -> None:
        """Let finished children return to their callers, innermost first."""
        depth = len(self.frames) - 2
        while depth >= 0:
            if depth + 1 < len(self.frames) and self.frames[depth + 1].outcome is not None:
                self.finish(depth, at)
            depth -= 1

    # -- timers ---------------------------------------------------------------------------------

    def due(self, now: dt.datetime) -> None:
        """Fire every timer due by ``now``, earliest first, each journaled at its own deadline.

        A timer that cannot move (no branch holds, a guard fails on this data)
        is journaled with the reason and spent, so it cannot block the session.
        """
        fired = 0
        while True:
            best: tuple[dt.datetime, int, str] | None = None
            for depth, frame in enumerate(self.frames):
                for trigger, deadline in frame.deadlines.items():
                    if deadline <= now and (best is None or deadline < best[0]):
                        best = (deadline, depth, trigger)
            missed = self._missed(now)
            if missed is not None and (best is None or missed[0] < best[0]):
                # A promise is missed only when its deadline passes before anything keeps it:
                # a timer due at the same instant goes first.
                at, depth, name = missed
                frame = self.frames[depth]
                self.entry(depth, at, "promise", event=name, source=frame.state, detail="missed")
                running = {k: v for k, v in frame.promises.items() if k != name}
                self.frames[depth] = frame._replace(promises=running or EMPTY)
                continue
            if best is None:
                return
            fired += 1
            if fired > MAX_TIMERS_PER_STEP:
                raise _Refused(
                    TimersRunaway,
                    f"more than {MAX_TIMERS_PER_STEP:,} timers fall due before {now.isoformat()}: its timers go "
                    f"round with no one acting (lint: timer-cycle); advance in smaller steps",
                )
            at, depth, trigger = best
            frame = self.frames[depth]
            way = frame.procedure.ir.way(frame.state, trigger)
            mark = self.mark()
            try:
                self.apply(depth, way, EMPTY, at, "timer", event=way.name)
                self.bubble(at)
            except _Refused as refused:
                self.rewind(mark)
                deadlines = {k: v for k, v in frame.deadlines.items() if k != trigger}
                self.frames[depth] = frame._replace(deadlines=deadlines)
                detail = f"{refused.kind.__name__}: {refused.message}"
                self.entry(depth, at, "timer", event=way.name, source=frame.state, detail=detail)

    def _missed(self, now: dt.datetime) -> tuple[dt.datetime, int, str] | None:
        """The earliest running promise whose deadline has passed by ``now``."""
        found: tuple[dt.datetime, int, str] | None = None
        for depth, frame in enumerate(self.frames):
            for name, deadline in frame.promises.items():
                if deadline <= now and (found is None or deadline < found[0]):
                    found = (deadline, depth, name)
        return found


# -- helpers ------------------------------------------------------------------------------------


_PLAIN = frozenset({str, int, bool, type(None)})


def _items(frame: Frame) -> list[str]:
    return [c.name for c in frame.procedure.ir.states[frame.state].checklist]


def _door(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Only JSON values enter a session, so the journal holds exactly what the session saw."""
    if not data:
        if data is None or isinstance(data, Mapping):
            return {}
        raise _Refused(InvalidEventData, f"event data must be a mapping of field names to values, found {_kind(data)}")
    if type(data) is not dict and not isinstance(data, Mapping):
        raise _Refused(InvalidEventData, f"event data must be a mapping of field names to values, found {_kind(data)}")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if type(key) is not str:
            raise _Refused(InvalidEventData, f"event data keys are field names, found {_kind(key)}")
        if len(key) > MAX_NAME_CHARS:
            raise _Refused(InvalidEventData, _too_long("a field name", key))
        kind = type(value)
        if kind in _PLAIN and (
            value.isascii() and "\0" not in value and len(value) <= MAX_VALUE_CHARS
            if kind is str
            else kind is not int or value in INT_RANGE
        ):
            out[key] = value
            continue
        problem = json_problem(value)
        if problem is not None:
            raise _Refused(InvalidEventData, f"field '{key}': {problem}")
        out[key] = jsonable(value)
    return out


def _recordable(data: Mapping[str, Any] | Any) -> dict[str, Any]:
    """What a refused entry can keep of data the door refused: its JSON values only."""
    if not isinstance(data, Mapping):
        return {}
    return {
        k: jsonable(v)
        for k, v in data.items()
        if isinstance(k, str) and len(k) <= MAX_NAME_CHARS and json_problem(v) is None
    }


def _kept(text: str) -> str:
    """A refused name as the journal can keep it: a NUL (which no store keeps) shown as ␀, cut at
    :data:`MAX_NAME_CHARS` (a name past it was refused for its length; the rest says nothing more)."""
    if len(text) > MAX_NAME_CHARS:
        text = text[: MAX_NAME_CHARS - 1] + "…"
    return text.replace("\0", "\u2400") if "\0" in text else text


def _names(*named: tuple[str, str | None]) -> None:
    """Names a host passes are short: a long one is refused before any lookup or message quotes it."""
    for what, name in named:
        if name is not None and len(name) > MAX_NAME_CHARS:
            raise _Refused(InvalidEventData, _too_long(what, name))


def _too_long(what: str, name: str) -> str:
    return f"{what} may be {MAX_NAME_CHARS} characters long, found {len(name):,} ({short(name)})"


def _kind(value: Any) -> str:
    return type(value).__name__


def _coerce(procedure: Procedure, name: str, value: Any, what: str) -> Any:
    try:
        return procedure.coerce(name, value)
    except ValueError as exc:
        # The journal keeps refusal messages: never quote a private value in one.
        detail = f"expected {procedure.fields[name].type}" if name in procedure.private else str(exc)
        raise _Refused(InvalidEventData, f"{what} '{name}': {detail}") from None


def _evaluate(evaluate: Evaluator, ctx: Mapping[str, Any], what: str) -> Any:
    try:
        return evaluate(ctx)
    except EVALUATION_ERRORS as exc:
        raise _Refused(EvaluationFailed, f"{what}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, EvaluationFailed):
        return exc.message
    return f"the data does not allow it ({type(exc).__name__})"


def _check_invariants(procedure: Procedure, state: str, data: Mapping[str, Any], way: WayIR) -> None:
    scope = {**data, "state": state}
    for name, text, evaluate in procedure.invariants:
        try:
            holds = evaluate(scope)
        except EVALUATION_ERRORS:
            holds = False
        if not holds:
            raise _Refused(
                InvariantViolated,
                f"'{way.name}' would break invariant '{name}' ({text}) in state '{state}'",
                way.source,
            )


def _cross_check(frame: Frame, way: WayIR, ctx: Mapping[str, Any], branch: BranchIR) -> None:
    """Strict sessions also run the step on the transitions machine; the two must agree."""
    from sopflow.compile.machine import fire as machine_fire  # only strict sessions import transitions

    target, done, taken = machine_fire(frame.procedure.machine, frame.state, way.trigger, ctx)
    if not done or target != branch.target or (taken or way.branches[0]) is not branch:
        raise EngineDisagreement(
            f"'{way.name}' in state '{frame.state}': the IR took branch {branch.index} to '{branch.target}', "
            f"the transitions machine {'went to ' + repr(target) if done else 'found no transition'}"
        )


def _returns(parent: Frame, call_key: str | None) -> tuple[tuple[str, str], ...]:
    """The ``returns`` mapping of the call that made the parent's child."""
    here = parent.here
    if here.call is not None and here.call.key == call_key:
        return here.call.returns
    for way in here.events.values():
        if way.call is not None and way.call.key == call_key:
            return way.call.returns
    return ()
