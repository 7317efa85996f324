"""A logged case as kernel triggers, and the quick replay that clears a fitting case.

Most cases in a real log follow their procedure, so each is first replayed straight through
the step kernel in strict mode (invariants checked, time advanced to each event's timestamp
so timers and promises fall due on the procedure's calendar, exactly as a live session's
``advance`` would). Only a case that is refused somewhere, misses a promise or stops short
of an outcome goes on to the alignment search (:mod:`.align`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

from sopflow.analysis.conformance.logs import LogCase, timestamp
from sopflow.analysis.conformance.mapping import CHECK, IGNORE, START, TICK, LogError, LogMapping
from sopflow.analysis.domains import relevant_fields
from sopflow.compile import Procedure, WayIR
from sopflow.errors import SopflowError
from sopflow.runtime import kernel
from sopflow.runtime.config import Check, Configuration, Fire, Frame, Move, Tick
from sopflow.runtime.journal import REDACTED, Entry

EventKind = Literal["fire", "check", "tick"]


class LogEvent(NamedTuple):
    """One row of a case, translated: what the kernel is asked to do, and where the row was."""

    position: int
    """The row's place in its case (0 is the first row)."""
    at: dt.datetime
    kind: EventKind
    name: str
    activity: str
    role: str | None
    """``None`` when the log names no role: any role the procedure allows is assumed."""
    actor: str | None
    data: dict[str, Any]
    row: int


class Trace(NamedTuple):
    """A case ready to replay: how it starts and what followed."""

    case: str
    procedure: Procedure
    at: dt.datetime
    role: str
    actor: str | None
    data: dict[str, Any]
    events: tuple[LogEvent, ...]
    rows: int
    """Rows the case had in the log (ignored ones included)."""


_BOOLEANS = {"true": True, "yes": True, "y": True, "1": True, "false": False, "no": False, "n": False, "0": False}


class Vocabulary:
    """What a procedure (and what it calls) can be told: events, items, the fields each event carries."""

    def __init__(self, procedure: Procedure) -> None:
        self.procedure = procedure
        self.accepts: dict[str, set[str]] = {}
        self.items: set[str] = set()
        self.private: set[str] = set()
        for p in procedure.family().values():
            self.private |= p.private
            for state in p.ir.states.values():
                for name, way in state.events.items():
                    self.accepts.setdefault(name, set()).update(way.accepts)
                self.items.update(c.name for c in state.checklist)
        self.start_fields = set(procedure.fields)
        self.start_data = {name for name, _ in procedure.start_data}
        """Fields the procedure takes at its start: what a case's first row gives when it has no start row."""
        self.read: set[str] = set()
        """Fields a guard, invariant or call reads (or an assignment to one of those): what decides a step."""
        for p in procedure.family().values():
            self.read |= relevant_fields(p)[0]
        self.types: dict[str, str] = {}
        for p in reversed(list(procedure.family().values())):
            self.types.update({name: spec.type for name, spec in p.fields.items()})

    def typed(self, name: str, value: Any) -> Any:
        """A value as the log wrote it, read for its field: text ``"2"`` for an int, ``"yes"`` for a bool.

        Logs are text (CSV always, XES and JSON often); what cannot be read is passed on
        as written, for the kernel to refuse as a data deviation.
        """
        if not isinstance(value, str):
            return value
        kind = self.types.get(name)
        text = value.strip()
        if kind == "int":
            try:
                return int(text)
            except ValueError:
                return value
        if kind == "bool":
            return _BOOLEANS.get(text.lower(), value)
        if kind == "list[str]":
            return [part.strip() for part in text.split(";") if part.strip()]
        return value

    def redacted(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Data as a report may show it: private fields' values hidden."""
        return {k: REDACTED if k in self.private and v is not None else v for k, v in data.items()}


def prepare(case: LogCase, mapping: LogMapping, words: Vocabulary, zone: dt.tzinfo) -> Trace | None:
    """Translate a case's rows through the mapping; an unknown activity is an error unless mapped to ignore.

    ``None`` for a case none of whose rows the mapping keeps: it is no case of the procedure.
    """
    procedure = words.procedure
    columns = mapping.columns
    carried = mapping.data
    typed = words.typed
    events: list[LogEvent] = []
    start: tuple[dt.datetime, str | None, str | None, dict[str, Any]] | None = None
    for index, row in enumerate(case.rows):
        values = row.values
        activity = values.get(columns.activity)
        if activity is None or activity == "":
            raise LogError(f"no activity in column '{columns.activity}'", source=row.source, row=row.line)
        activity = str(activity)
        name = mapping.activities.get(activity)
        if name is None:
            if activity in words.accepts or activity == START or activity.startswith(CHECK):
                name = activity
            elif mapping.unmapped == "ignore":
                continue
            else:
                raise LogError(
                    f"activity '{activity}' is not in the mapping's activities and is no event of "
                    f"'{procedure.id}'; map it (to an event, start, tick, ignore or check:<item>) "
                    "or set unmapped: ignore",
                    source=row.source,
                    row=row.line,
                )
        if name == IGNORE:
            continue
        at = timestamp(values.get(columns.timestamp), zone, row, columns.timestamp)
        role = _role(values, mapping)
        actor = values.get(columns.actor) if columns.actor else None
        actor = str(actor) if actor is not None else None
        data = {f: typed(f, v) for c, v in values.items() if v is not None and (f := carried.get(c)) is not None}
        if name == START:
            if start is not None or events:
                raise LogError("a case starts once, before its other rows", source=row.source, row=row.line)
            start = (at, role, actor, {k: v for k, v in data.items() if k in words.start_fields})
            continue
        if not events and start is None:
            start = (at, None, None, {k: v for k, v in data.items() if k in words.start_data})
        if name == TICK:
            events.append(LogEvent(index, at, "tick", name, activity, role, actor, {}, row.line))
        elif name.startswith(CHECK):
            events.append(LogEvent(index, at, "check", name.removeprefix(CHECK), activity, role, actor, {}, row.line))
        else:
            if name not in words.accepts:
                raise LogError(
                    f"activity '{activity}' is mapped to '{name}', which is no event of '{procedure.id}'",
                    source=row.source,
                    row=row.line,
                )
            accepted = words.accepts[name]
            given = {k: v for k, v in data.items() if k in accepted}
            events.append(LogEvent(index, at, "fire", name, activity, role, actor, given, row.line))
    if start is None:
        return None
    at, role, actor, data = start
    initial = procedure.ir.states[procedure.ir.initial]
    role = role or mapping.start.role or initial.role or next(iter(procedure.roles), "")
    return Trace(case.id, procedure, at, role, actor, {**mapping.start.data, **data}, tuple(events), len(case.rows))


def _role(values: Mapping[str, Any], mapping: LogMapping) -> str | None:
    column = mapping.columns.role
    raw = values.get(column) if column else None
    if raw is None or raw == "":
        return None
    return mapping.roles.get(str(raw), str(raw))


def begin(trace: Trace) -> Move:
    """The session's start; a refusal raises (the case cannot be replayed at all)."""
    return kernel.start(
        trace.procedure,
        session=trace.case,
        at=trace.at,
        role=trace.role,
        actor=trace.actor,
        data=trace.data,
        lang=trace.procedure.languages[0],
        strict=True,
    )


def owner(frames: tuple[Frame, ...], event: str) -> tuple[Frame, WayIR] | None:
    """The frame whose current state offers ``event`` (innermost first), and its way."""
    for frame in reversed(frames):
        way = frame.here.events.get(event)
        if way is not None:
            return frame, way
    return None


def roles_for(frame: Frame, way: WayIR) -> tuple[str, ...]:
    """Roles that may fire ``way``: its own list, else the state's role, else any."""
    if way.roles:
        return tuple(sorted(way.roles))
    if frame.here.role is not None:
        return (frame.here.role,)
    return tuple(frame.procedure.roles)


def trigger(config: Configuration, event: LogEvent, at: dt.datetime | None = None) -> Fire | Check | Tick:
    """The kernel trigger for a logged event; a row with no role takes a role the procedure allows."""
    when = at or event.at
    if event.kind == "tick":
        return Tick(when)
    role = event.role
    if role is None:
        if event.kind == "check":
            here = config.frames[-1].here
            role = here.role or next(iter(config.frames[-1].procedure.roles), "")
        else:
            found = owner(config.frames, event.name)
            role = roles_for(*found)[0] if found is not None else ""
    if event.kind == "check":
        return Check(event.name, role, when, event.actor)
    return Fire(event.name, role, when, event.actor, event.data)


def missed(move: Move) -> int:
    return sum(1 for e in move.entries if e.kind == "promise" and e.detail == "missed")


def fits(trace: Trace, complete: bool, step: Callable[..., Move] = kernel.step) -> bool:
    """Straight strict replay: no refusal, no promise missed, an outcome reached (when cases are complete).

    ``step`` is the kernel's, or a stand-in that remembers its steps (:class:`.memo.Steps`).
    """
    try:
        move = begin(trace)
    except SopflowError:
        return False
    config = move.config
    for event in trace.events:
        move = step(config, trigger(config, event), strict=True)
        if move.refusal is not None or missed(move):
            return False
        config = move.config
    return not complete or config.frames[0].outcome is not None


def journal_of(trace: Trace) -> list[Entry]:
    """The journal a session would have kept for the case, up to its first refusal (journaled too).

    What a log shows is turned into the entries sopflow's own sessions write, so KPIs count a
    host's cases exactly as they count sessions; a case that breaks the procedure is counted as
    far as it went by the rules, never past them.
    """
    try:
        move = begin(trace)
    except SopflowError:
        return []
    entries = list(move.entries)
    config = move.config
    for event in trace.events:
        move = kernel.step(config, trigger(config, event), strict=True)
        entries += move.entries
        if move.refusal is not None:
            break
        config = move.config
    return entries
