"""The session a host drives: one customer visit through one procedure.

Host-driven and deterministic: the session reads the host's clock once per
call, never sleeps or starts threads, and journals everything, so a snapshot
can be stored, restored in another process, and re-derived from its journal.
"""

from __future__ import annotations

import datetime as dt
import difflib
import uuid
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from sopflow.compile import Procedure
from sopflow.errors import (
    EventNotAllowed,
    InvalidEventData,
    RuntimeRefusal,
    SessionFinished,
    SnapshotError,
)
from sopflow.model.values import coerce, from_json
from sopflow.runtime.clock import Clock, aware
from sopflow.runtime.frame import Frame, Mover
from sopflow.runtime.journal import Entry, jsonable
from sopflow.runtime.step import EventOption, Step, TimerInfo, pick, render

SNAPSHOT_FORMAT = 1
Resolver = Callable[[str, int], Procedure]


class Session:
    """A running procedure: ask it what to do now, fire events, advance time, snapshot it."""

    __slots__ = ("_mover", "clock", "id", "journal", "lang", "root", "strict")

    def __init__(self, root: Frame, clock: Clock, *, session_id: str, lang: str, strict: bool) -> None:
        self.root = root
        self.clock = clock
        self.id = session_id
        self.lang = lang
        self.strict = strict
        self.journal: list[Entry] = []
        self._mover = Mover(self._record, strict)

    # -- starting ------------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        procedure: Procedure,
        *,
        clock: Clock,
        role: str,
        actor: str | None = None,
        data: Mapping[str, Any] | None = None,
        lang: str | None = None,
        session_id: str | None = None,
        strict: bool = False,
    ) -> Session:
        """Start a visit; ``data`` fills declared fields (unknown or mistyped ones are refused)."""
        values = dict(procedure.defaults)
        given = dict(data or {})
        unknown = sorted(set(given) - set(procedure.fields))
        if unknown:
            raise InvalidEventData(
                f"'{procedure.id}' has no field {', '.join(map(repr, unknown))}; "
                f"fields: {', '.join(procedure.fields) or 'none'}",
                event="start",
            )
        missing = [f for f, required in procedure.start_data if required and given.get(f) is None]
        if missing:
            raise InvalidEventData(
                f"'{procedure.id}' needs {', '.join(map(repr, missing))} at start (from the host's records)",
                event="start",
            )
        for key, value in given.items():
            try:
                values[key] = coerce(procedure.fields[key], value)
            except ValueError as exc:
                detail = f"expected {procedure.fields[key].type}" if key in procedure.private else str(exc)
                raise InvalidEventData(f"start field '{key}': {detail}", event="start") from None
        if role not in procedure.roles:
            raise InvalidEventData(
                f"'{procedure.id}' has no role '{role}'; roles: {', '.join(procedure.roles)}", event="start"
            )
        now = aware(clock.now())
        root = Frame(procedure, procedure.ir.initial, values, 0)
        session = cls(
            root,
            clock,
            session_id=session_id or uuid.uuid4().hex,
            lang=lang or procedure.languages[0],
            strict=strict,
        )
        session._record(
            root,
            now,
            {
                "kind": "start",
                "actor": actor or role,
                "role": role,
                "target": root.state,
                "data": given,
                "meta": {
                    "session": session.id,
                    "version": procedure.version,
                    "lang": session.lang,
                    "strict": strict,
                },
            },
        )
        session._mover.enter(root, now)
        return session

    # -- asking --------------------------------------------------------------------------------

    @property
    def procedure(self) -> Procedure:
        return self.root.procedure

    @property
    def outcome(self) -> str | None:
        return self.root.outcome

    @property
    def state(self) -> str:
        """The innermost current state."""
        return self.root.frames()[-1].state

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(f.state for f in self.root.frames())

    @property
    def data(self) -> Mapping[str, Any]:
        """The data of the innermost running procedure (read-only view)."""
        return dict(self.root.frames()[-1].data)

    def step(self, lang: str | None = None) -> Step:
        """What to say and do now, in ``lang`` (default: the session's language)."""
        lang = lang or self.lang
        frames = self.root.frames()
        frame = frames[-1]
        here = frame.here
        langs = frame.procedure.languages
        return Step(
            procedure=frame.procedure.id,
            state=frame.state,
            path=(frame.state,) if len(frames) == 1 else tuple(f.state for f in frames),
            role=here.role,
            title=pick(here.title, lang, langs),
            say=render(here.say, lang, langs, frame.data),
            do=render(here.do, lang, langs, frame.data),
            tips=here.tips,
            source=here.source,
            missing=tuple(f for f in here.requires if frame.data.get(f) is None) if here.requires else (),
            events=self._event_options(lang),
            timers=tuple(
                TimerInfo(frame_.procedure.ir.way(frame_.state, t).name, due, frame_.procedure.id)
                for frame_ in frames
                if frame_.deadlines
                for t, due in sorted(frame_.deadlines.items(), key=lambda x: x[1])
            ),
            outcome=self.root.outcome,
            lang=lang,
        )

    def allowed(self, role: str | None = None) -> list[str]:
        """Events that may be fired now (by ``role``, if given)."""
        return [o.name for o in self._event_options(self.lang) if role is None or not o.roles or role in o.roles]

    def _event_options(self, lang: str) -> tuple[EventOption, ...]:
        """Innermost frame first: an event of a called procedure hides the same name outside."""
        root = self.root
        if root.outcome is not None:
            return ()
        if root.child is None:
            return _state_options(root.procedure, root.state, lang)
        seen: dict[str, EventOption] = {}
        for frame in reversed(root.frames()):
            for option in _state_options(frame.procedure, frame.state, lang):
                if option.name not in seen:
                    seen[option.name] = option
        return tuple(seen.values())

    # -- driving -------------------------------------------------------------------------------

    def fire(self, event: str, *, role: str, actor: str | None = None, data: Mapping[str, Any] | None = None) -> Step:
        """Report ``event``; refused requests raise and leave the session as it was, journaled."""
        now = aware(self.clock.now())
        self._mover.run_due(self.root, now)
        given = dict(data or {})
        try:
            frame, way = self._route(event)
            values = self._mover.validate(frame, way, role, given)
            self._mover.apply(
                frame,
                way,
                values,
                now,
                {"kind": "fire", "actor": actor or role, "role": role, "event": event, "data": values},
            )
            self._mover.bubble(self.root, now)
        except RuntimeRefusal as exc:
            exc.session_id = self.id
            exc.allowed = tuple(self.allowed())
            exc.state = exc.state or self.state
            exc.event = event
            self._record(
                self.root.frames()[-1],
                now,
                {
                    "kind": "refused",
                    "actor": actor or role,
                    "role": role,
                    "event": event,
                    "data": given,
                    "source": self.state,
                    "detail": f"{type(exc).__name__}: {exc.message}",
                },
            )
            raise
        return self.step()

    def advance(self, now: dt.datetime | None = None) -> list[Entry]:
        """Fire the timers due by ``now`` (default: the clock's time); returns what happened."""
        when = aware(now or self.clock.now())
        before = len(self.journal)
        self._mover.run_due(self.root, when)
        return self.journal[before:]

    def _route(self, event: str) -> tuple[Frame, Any]:
        if self.root.outcome is not None:
            raise SessionFinished(f"the session has ended ({self.root.outcome}); nothing more can be fired")
        root = self.root
        if root.child is None:
            way = root.procedure.ir.states[root.state].events.get(event)
            if way is not None:
                return root, way
        for frame in reversed(root.frames()):
            way = frame.here.events.get(event)
            if way is not None:
                return frame, way
        allowed = self.allowed()
        close = difflib.get_close_matches(event, allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise EventNotAllowed(
            f"'{event}' is not possible in state '{self.state}'{hint}; allowed now: {', '.join(allowed) or 'nothing'}"
        )

    def _record(self, frame: Frame, at: dt.datetime, fields: Mapping[str, Any]) -> Entry:
        entry = Entry(seq=len(self.journal) + 1, at=at, procedure=frame.procedure.id, depth=frame.depth, **fields)
        self.journal.append(entry)
        return entry

    # -- storing -------------------------------------------------------------------------------

    def snapshot(self, *, journal: bool = True) -> dict[str, Any]:
        """A JSON-compatible record of the whole session (and its journal, unless asked not to)."""
        out: dict[str, Any] = {
            "format": SNAPSHOT_FORMAT,
            "id": self.id,
            "lang": self.lang,
            "strict": self.strict,
            "frame": _frame_snapshot(self.root),
        }
        if journal:
            out["journal"] = [e.as_dict() for e in self.journal]
        return out

    @classmethod
    def restore(cls, snapshot: Mapping[str, Any], resolve: Resolver, clock: Clock) -> Session:
        """Rebuild a session from :meth:`snapshot`, looking procedures up with ``resolve(id, version)``."""
        if snapshot.get("format") != SNAPSHOT_FORMAT:
            raise SnapshotError(f"unknown snapshot format {snapshot.get('format')!r}; expected {SNAPSHOT_FORMAT}")
        try:
            root = _frame_restore(snapshot["frame"], resolve, 0)
            session = cls(
                root, clock, session_id=snapshot["id"], lang=snapshot["lang"], strict=bool(snapshot["strict"])
            )
            session.journal = [Entry.from_dict(e) for e in snapshot.get("journal", ())]
        except (KeyError, TypeError, ValueError) as exc:
            raise SnapshotError(f"snapshot does not fit: {type(exc).__name__}: {exc}") from None
        return session

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Session) and self.snapshot() == other.snapshot()

    # Mutable and compared by value, so unhashable; typeshed types object.__hash__ as a method.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Session {self.id[:8]} {self.procedure.id} at {'/'.join(self.path)} outcome={self.outcome}>"


@lru_cache(maxsize=4096)
def _state_options(procedure: Procedure, state: str, lang: str) -> tuple[EventOption, ...]:
    """The events of one state as offered in ``lang``: static, so built once per (state, language)."""
    return tuple(
        EventOption(
            name,
            tuple(sorted(way.roles)),
            tuple(f for f, req in way.data if req),
            tuple(f for f, req in way.data if not req),
            pick(way.title, lang, procedure.languages),
            procedure.id,
        )
        for name, way in procedure.ir.states[state].events.items()
    )


def _frame_snapshot(frame: Frame) -> dict[str, Any]:
    return {
        "procedure": frame.procedure.id,
        "version": frame.procedure.version,
        "state": frame.state,
        "data": {k: jsonable(v) for k, v in frame.data.items()},
        "deadlines": {k: v.isoformat() for k, v in frame.deadlines.items()},
        "outcome": frame.outcome,
        "call_key": frame.call_key,
        "child": _frame_snapshot(frame.child) if frame.child is not None else None,
    }


def _frame_restore(raw: Mapping[str, Any], resolve: Resolver, depth: int) -> Frame:
    procedure = resolve(raw["procedure"], int(raw["version"]))
    if raw["state"] not in procedure.ir.states:
        raise SnapshotError(f"'{procedure.id}' v{procedure.version} has no state '{raw['state']}'")
    data = dict(procedure.defaults)
    for key, value in raw["data"].items():
        if key not in procedure.fields:
            raise SnapshotError(f"'{procedure.id}' has no field '{key}'")
        data[key] = from_json(procedure.fields[key], value)
    frame = Frame(procedure, raw["state"], data, depth)
    frame.deadlines = {k: dt.datetime.fromisoformat(v) for k, v in raw["deadlines"].items()}
    frame.outcome = raw["outcome"]
    frame.call_key = raw["call_key"]
    if raw.get("child") is not None:
        frame.child = _frame_restore(raw["child"], resolve, depth + 1)
    return frame
