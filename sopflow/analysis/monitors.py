"""Properties as monitors: a small state each, advanced by the journal entries of every move.

The explorer carries each property's monitor state inside the configuration it compares,
so "the owner was called" is part of where a session is: two ways to the same step, one
past the owner call and one not, are two configurations. A monitor sees only what the
journal says — events that moved a session, states entered — which is what an auditor
would check in a log, too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sopflow.expr import Evaluator, compile_expression, parse
from sopflow.model import LEVEL_SEPARATOR, Occurrence, Property
from sopflow.runtime.config import Configuration
from sopflow.runtime.journal import Entry
from sopflow.runtime.kernel import EVALUATION_ERRORS, allowed

IDLE, ARMED = 0, 1
"""Monitor states: precedence — first not seen / seen; response — nothing owed / an answer owed."""

_REACHING = frozenset({"start", "fire", "timer", "call", "return", "migrate"})
"""Entry kinds that enter a state (a tick, a promise or a refusal does not)."""


@dataclass(frozen=True)
class Monitor:
    """One property of one procedure, ready to watch moves."""

    name: str
    prop: Property
    procedure: str
    condition: Evaluator | None
    pattern: str
    """The property's pattern, worked out once: every move of every configuration asks."""
    words: frozenset[str] = frozenset()
    """The event and state names its occurrences speak of: a move that names none leaves it as it was."""

    @classmethod
    def of(cls, name: str, prop: Property, procedure: str) -> Monitor:
        condition = compile_expression(parse(prop.while_)) if prop.while_ is not None else None
        occurrences = (prop.first, prop.then, prop.after, prop.eventually, prop.never, prop.only)
        words = frozenset(o.event or o.reached or "" for o in occurrences if o is not None)
        return cls(name, prop, procedure, condition, prop.pattern, words)

    def matches(self, occurrence: Occurrence | None, entry: Entry) -> bool:
        if occurrence is None or entry.procedure != (occurrence.procedure or self.procedure):
            return False
        if occurrence.event is not None:
            return entry.kind in ("fire", "timer") and entry.event == occurrence.event and entry.detail is None
        if entry.kind not in _REACHING or entry.target is None:
            return False
        return occurrence.reached in (entry.target, entry.target.split(LEVEL_SEPARATOR, 1)[0])

    def advance(self, state: int, entries: Sequence[Entry], after: Configuration) -> tuple[int, bool]:
        """The monitor's next state, and whether the move broke the property."""
        prop, broken, pattern = self.prop, False, self.pattern
        for entry in entries:
            if pattern == "first":
                # The event that enters a state comes before the state: check 'first' on it first.
                if self.matches(prop.first, entry):
                    state = ARMED
                if self.matches(prop.then, entry) and state == IDLE:
                    broken = True
            elif pattern == "after":
                if self.matches(prop.after, entry):
                    state = ARMED
                if self.matches(prop.eventually, entry):
                    state = IDLE
            elif pattern == "never":
                broken |= self.matches(prop.never, entry) and self.holds(after, entry.depth)
            elif pattern == "only":
                broken |= self.matches(prop.only, entry) and entry.role not in (None, *(prop.by or ()))
        return state, broken

    def holds(self, config: Configuration, depth: int) -> bool:
        """The ``while`` condition on the data of the frame at ``depth`` (or the innermost left)."""
        if self.condition is None:
            return True
        frame = config.frames[min(depth, len(config.frames) - 1)]
        try:
            return bool(self.condition({**frame.data, "state": frame.state}))
        except EVALUATION_ERRORS:
            return False

    def unavailable(self, config: Configuration) -> bool:
        """For ``always_available``: the session has not ended, the condition holds, the event is not offered."""
        event = self.prop.always_available
        if event is None or config.outcome is not None:
            return False
        return self.holds(config, 0) and event not in allowed(config.frames)


def named(entries: Sequence[Entry]) -> set[str]:
    """Every event and state (and a ladder level's state) the entries name: what a monitor may care about."""
    names: set[str] = set()
    for e in entries:
        if e.event is not None:
            names.add(e.event)
        if e.target is not None:
            names.add(e.target)
            if LEVEL_SEPARATOR in e.target:
                names.add(e.target.split(LEVEL_SEPARATOR, 1)[0])
    return names


def monitors_of(procedure_id: str, properties: dict[str, Property] | Any) -> tuple[Monitor, ...]:
    return tuple(Monitor.of(name, prop, procedure_id) for name, prop in properties.items())
