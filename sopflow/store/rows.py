"""What a store says about its sessions: one row per session, and the filters hosts query by."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, NamedTuple, TypeVar

from sopflow.errors import UsageError
from sopflow.model.limits import INT_RANGE
from sopflow.runtime import Session
from sopflow.runtime.snapshot import dump


class SessionRow(NamedTuple):
    """A stored session as the columns of its row: enough to list, filter and pick up due work."""

    id: str
    procedure: str
    version: int
    state: str
    """The state of the procedure that was started (its called procedures are in ``path``)."""
    path: str
    """Every running state, outermost first, joined by ``/``."""
    outcome: str | None
    started_at: dt.datetime
    updated_at: dt.datetime
    seq: int
    """The session's revision: entries written so far."""
    next_deadline: dt.datetime | None
    """The earliest running timer, in UTC: what the due-timer runner looks for."""
    pinned: bool
    """A migration could not move it; it keeps running on its own version."""

    @property
    def open(self) -> bool:
        return self.outcome is None


@dataclass(frozen=True, slots=True)
class SessionQuery:
    """Which sessions to list; every filter given must hold. ``None`` means any."""

    procedure: str | None = None
    version: int | None = None
    state: str | None = None
    outcome: str | None = None
    open: bool | None = None
    started_from: dt.datetime | None = None
    started_before: dt.datetime | None = None
    due_by: dt.datetime | None = None
    """Only sessions with a timer due by then (uses the due-timer index)."""
    limit: int = 1000

    def __post_init__(self) -> None:
        _typed(self)


@dataclass(frozen=True, slots=True)
class JournalQuery:
    """Which journal rows to read, oldest first; every filter given must hold."""

    session: str | None = None
    procedure: str | None = None
    kind: str | None = None
    event: str | None = None
    actor: str | None = None
    role: str | None = None
    at_from: dt.datetime | None = None
    at_before: dt.datetime | None = None
    after_seq: int | None = None
    """With ``session``: only entries after this one (what a screen has not shown yet)."""
    limit: int = 10_000

    def __post_init__(self) -> None:
        _typed(self)


_KINDS: dict[str, tuple[type, str]] = {
    "version": (int, "a whole number"),
    "open": (bool, "true or false"),
    "started_from": (dt.datetime, "a date and time"),
    "started_before": (dt.datetime, "a date and time"),
    "due_by": (dt.datetime, "a date and time"),
    "at_from": (dt.datetime, "a date and time"),
    "at_before": (dt.datetime, "a date and time"),
    "after_seq": (int, "a whole number"),
    "limit": (int, "a whole number"),
}
"""A filter's kind, where it is not text."""


def _typed(query: SessionQuery | JournalQuery) -> None:
    """A filter of the wrong kind would reach the database as a driver's error: refused when it is made."""
    for f in fields(query):
        value = getattr(query, f.name)
        if value is None and f.name != "limit":
            continue
        kind, words = _KINDS.get(f.name, (str, "text"))
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise UsageError(f"{type(query).__name__}.{f.name}: expected {words}, found {type(value).__name__}")
        if kind is int and value not in INT_RANGE:
            raise UsageError(f"{type(query).__name__}.{f.name}: a whole number must fit in 64 bits")
        if isinstance(value, dt.datetime) and value.utcoffset() is None:
            raise UsageError(f"{type(query).__name__}.{f.name}: {value.isoformat()} has no time zone")
        if isinstance(value, str) and "\0" in value:
            raise UsageError(f"{type(query).__name__}.{f.name}: the text holds a NUL character")
    if query.limit < 1:
        raise UsageError(f"{type(query).__name__}.limit: expected at least 1, found {query.limit}")


_Q = TypeVar("_Q", SessionQuery, JournalQuery)


def query_of(query: object, kind: type[_Q]) -> _Q:
    """The query a store method was given, refused unless it is one (``None``: every row)."""
    if query is None and kind is SessionQuery:
        return kind()
    if not isinstance(query, kind):
        raise UsageError(f"expected a {kind.__name__}, found {type(query).__name__}")
    return query


class Written(NamedTuple):
    """Everything a commit writes: the row's columns, the snapshot, and the new entries."""

    row: SessionRow
    snapshot: dict[str, Any]
    entries: tuple[Any, ...]


def micros(when: dt.datetime | None) -> int | None:
    """UTC microseconds since the epoch: how every store keeps times it must compare and index."""
    if when is None:
        return None
    return int((when - EPOCH) // dt.timedelta(microseconds=1))


def from_micros(value: int | None) -> dt.datetime | None:
    return None if value is None else EPOCH + dt.timedelta(microseconds=value)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def written(session: Session, started_at: dt.datetime | None, now: dt.datetime) -> Written:
    """The row, snapshot and unwritten entries of ``session`` as a commit stores them."""
    frames = session.frames
    deadlines = [d for f in frames for d in f.deadlines.values()]
    entries = tuple(session.journal)
    first = session.journal[0] if entries and entries[0].kind == "start" else None
    row = SessionRow(
        id=session.id,
        procedure=session.procedure.id,
        version=session.procedure.version,
        state=frames[0].state,
        path="/".join(f.state for f in frames),
        outcome=session.outcome,
        started_at=(first.at if first is not None else started_at or now).astimezone(dt.UTC),
        updated_at=now.astimezone(dt.UTC),
        seq=session.seq,
        next_deadline=min(deadlines).astimezone(dt.UTC) if deadlines else None,
        pinned=False,
    )
    snapshot = dump(session.config, lang=session.lang, strict=session.strict, journal=None)
    return Written(row, snapshot, entries)
