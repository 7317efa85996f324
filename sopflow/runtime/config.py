"""What the step kernel reads and returns: configurations, triggers and moves, all immutable.

A configuration is everything the rules need to take the next step — the
stack of running procedures with their data and deadlines, and how many
journal entries the session has written. It holds no clock, no host objects
and no journal, so the same value can be stepped by a live session, by replay,
by an explorer trying every branch, or by a log checker.

Tuples, not dataclasses: a session steps thousands of times a second, and a
named tuple is built several times faster than a frozen dataclass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from sopflow.compile import Procedure, StateIR
from sopflow.errors import RuntimeRefusal
from sopflow.runtime.journal import Entry

EMPTY: Mapping[str, Any] = {}
"""The one empty mapping entries and frames share. A plain dict, never written to: unlike a
mappingproxy it is invisible to the cycle collector, so a journal of a hundred thousand live
sessions costs a full collection nothing."""
NO_TICKS: frozenset[str] = frozenset()
"""The one empty set of ticked checklist items frames share."""
tuple_new = tuple.__new__
"""Builds a named tuple from its fields in order without the class's own ``__new__``: a
Python frame and a keyword dictionary less, on the few constructions every step makes."""


class Frame(NamedTuple):
    """One running procedure: the one the host started, or one it called."""

    procedure: Procedure
    state: str
    data: Mapping[str, Any]
    """Field values; a new mapping on every change, never mutated."""
    deadlines: Mapping[str, dt.datetime]
    """Running timers of the current state: trigger -> when it fires."""
    outcome: str | None = None
    call: str | None = None
    """Which call of the frame above made this one (``state:x`` or ``event:y``)."""
    promises: Mapping[str, dt.datetime] = EMPTY
    """Running promises: name -> when it is missed. They outlive state changes, and the session's end."""
    ticked: frozenset[str] = NO_TICKS
    """Checklist items of the current state ticked so far."""

    @property
    def here(self) -> StateIR:
        return self.procedure.ir.states[self.state]


class Configuration(NamedTuple):
    """A whole session as the rules see it."""

    session: str
    """The session id, so refusals can say which session refused."""
    frames: tuple[Frame, ...]
    """Outermost first; the last one is where the desk is now."""
    seq: int
    """Journal entries written so far: the next entry is ``seq + 1``; also the session's revision."""

    @property
    def root(self) -> Frame:
        return self.frames[0]

    @property
    def current(self) -> Frame:
        return self.frames[-1]

    @property
    def outcome(self) -> str | None:
        return self.frames[0].outcome


class Fire(NamedTuple):
    """A person reports an event."""

    event: str
    role: str
    at: dt.datetime
    actor: str | None = None
    data: Mapping[str, Any] = EMPTY


class Tick(NamedTuple):
    """Time is now ``at``: fire every timer due by then."""

    at: dt.datetime


class Check(NamedTuple):
    """A person ticks an item of the current state's checklist."""

    item: str
    role: str
    at: dt.datetime
    actor: str | None = None


Trigger = Fire | Tick | Check


class Move(NamedTuple):
    """What one trigger did: the next configuration, the entries it journaled, and a refusal if any.

    A refused event still returns a configuration: timers that fell due before
    the event fire first (time that passed is not undone by a refusal), and the
    refusal itself is journaled. Everything else the event would have done is not.
    """

    config: Configuration
    entries: tuple[Entry, ...]
    refusal: RuntimeRefusal | None = None
