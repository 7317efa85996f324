"""The IR: a plain transition table with policies, ladders and calls expanded.

Analysis, model checking and replay read this table at dictionary speed; the
transitions machine is built from it, so the two describe the same graph.
Trigger names of what the host cannot fire carry a colon (``timer:b_waited``,
``return:call_owner:completed``), which event names never do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from sopflow.errors import NoBranchMatched
from sopflow.expr import Evaluator
from sopflow.model import Citation, Text

Deadline = Callable[[dt.datetime, Mapping[str, Any]], "dt.datetime | None"]
"""When a timer or promise falls due, given when it starts and the frame's data then; ``None``
when the moment is held in a field that is still empty (then it does not run)."""

WayKind = Literal["event", "policy", "timer", "return"]
EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class BranchIR:
    index: int
    guard: Evaluator | None
    guard_text: str | None
    target: str
    """Target state; equal to the source state for a transition that stays (internal)."""
    internal: bool
    assign: tuple[tuple[str, Evaluator], ...] = ()


@dataclass(frozen=True, slots=True)
class CallIR:
    procedure: str
    with_: tuple[tuple[str, Evaluator], ...]
    returns: tuple[tuple[str, str], ...]
    outcomes: Mapping[str, str | None]
    """Child outcome -> parent target; ``None`` resumes the interrupted state."""
    key: str
    """``state:<name>`` or ``event:<name>``: names the return triggers of this call."""


@dataclass(frozen=True, slots=True)
class WayIR:
    """One trigger out of one state: a host event, a policy event, a timer or a call's return."""

    name: str
    trigger: str
    kind: WayKind
    source: str
    roles: frozenset[str]
    data: tuple[tuple[str, bool], ...]
    """(field, required) pairs the event captures."""
    assign: tuple[tuple[str, Evaluator], ...]
    branches: tuple[BranchIR, ...]
    call: CallIR | None = None
    delay: float | None = None
    title: Text | None = None
    checks_requires: bool = True
    deadline: Deadline | None = None
    """For a timer counted on the calendar (working time, a moment) or at a field's moment."""
    wait: str | None = None
    """The wait or moment as the author wrote it, for people ('3 working days', 'next working day 09:00')."""
    accepts: frozenset[str] = frozenset()
    """Every field the event may carry (``data`` as a set, for the check of each fire)."""
    required: tuple[str, ...] = ()
    """The fields it must carry."""

    def due_from(self, started: dt.datetime, data: Mapping[str, Any]) -> dt.datetime | None:
        """When this timer fires if it starts at ``started`` on ``data``: on the calendar, at the
        moment a field holds (``None`` while it is empty: the timer does not run), or after its delay.

        One place for it, so a state entered and a state migrated into start their timers alike.
        """
        if self.deadline is not None:
            return self.deadline(started, data)
        return started + dt.timedelta(seconds=self.delay or 0)


@dataclass(frozen=True, slots=True)
class StateIR:
    name: str
    base: str
    """The state as written; a ladder level ``explain@cs_supervisor`` has base ``explain``."""
    role: str | None
    say: Text | None
    do: Text | None
    title: Text | None
    tips: tuple[str, ...]
    source: Citation | None
    requires: tuple[str, ...]
    final: str | None
    events: Mapping[str, WayIR]
    """Host-fireable ways (own and policy events), by event name."""
    timers: tuple[WayIR, ...]
    """Timers in order of delay."""
    returns: Mapping[str, WayIR] = field(default_factory=dict)
    """Return triggers of calls made here, by trigger."""
    call: CallIR | None = None
    notes: str | None = None
    checklist: tuple[ChecklistIR, ...] = ()
    required_items: frozenset[str] = frozenset()
    """Checklist items that must be ticked before the state's own events may leave it."""


@dataclass(frozen=True, slots=True)
class ChecklistIR:
    name: str
    text: Text
    required: bool
    source: Citation | None


@dataclass(frozen=True, slots=True)
class PromiseIR:
    """A promise: made on entering ``starts`` (or at the start), kept on entering one of ``kept``."""

    name: str
    title: Text | None
    deadline: Deadline
    wait: str
    starts: frozenset[str]
    """IR states whose entry makes it; empty: the session's start."""
    kept: frozenset[str]
    """IR states whose entry keeps it."""
    source: Citation | None


@dataclass(frozen=True, slots=True)
class RuleIR:
    name: str
    text: Text
    source: Citation | None


@dataclass(frozen=True)
class IR:
    """The compiled table of one procedure."""

    procedure: str
    initial: str
    states: Mapping[str, StateIR]
    fast: Mapping[str, Mapping[str, Any]]
    """state -> trigger -> target name (unguarded) or the WayIR (guarded)."""
    reads_state: bool = False
    """Some expression names ``state``: guards then see the current state's name."""
    promises: tuple[PromiseIR, ...] = ()
    rules: tuple[RuleIR, ...] = ()
    """Standing rules of the procedure and of the policies it uses."""

    def step(self, state: str, trigger: str, ctx: Mapping[str, Any] = EMPTY) -> str:
        """The next state after ``trigger``; the hot path of analysis and replay.

        Raises ``KeyError`` for a trigger the state does not have and
        :class:`NoBranchMatched` when every guard is false.
        """
        way = self.fast[state][trigger]
        if way.__class__ is str:
            return way
        if self.reads_state:
            ctx = {**ctx, "state": state}
        return select(way, ctx).target

    def way(self, state: str, trigger: str) -> WayIR:
        s = self.states[state]
        if trigger in s.events:
            return s.events[trigger]
        if trigger in s.returns:
            return s.returns[trigger]
        for timer in s.timers:
            if timer.trigger == trigger:
                return timer
        raise KeyError(trigger)

    def triggers(self, state: str) -> list[str]:
        return list(self.fast[state])


def select(way: WayIR, ctx: Mapping[str, Any]) -> BranchIR:
    """The first branch whose guard holds."""
    for branch in way.branches:
        if branch.guard is None or branch.guard(ctx):
            return branch
    raise NoBranchMatched(
        f"no branch of '{way.name}' applies in state '{way.source}'", state=way.source, event=way.name
    )
