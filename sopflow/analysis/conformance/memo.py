"""Kernel steps remembered across the cases of a log, for procedures no clock moves.

The kernel is pure: the same configuration and trigger always give the same move. When
no timer or promise runs anywhere in a procedure, a trigger's time changes nothing but the
time written on the entries, so a step taken for one case serves every later case that
stands in the same configuration and does the same thing — which, in a log of thousands
of visits through a handful of ways, is nearly every step. Free text no rule reads is made
the same for every case before replay (:func:`canonical`), so cases meet in the same
configurations. The memory is bounded: past ``size`` steps it starts afresh.
"""

from __future__ import annotations

import itertools
from typing import Any

from sopflow.analysis.conformance.replay import LogEvent, Trace, Vocabulary
from sopflow.analysis.hashable import frozen
from sopflow.runtime import kernel
from sopflow.runtime.config import Check, Configuration, Fire, Frame, Move, Tick

SIZE = 5_000
"""Steps (and configurations' keys) remembered; past it the memory starts afresh, so it stays flat."""
TEXT = "…"
"""What free text nothing reads becomes: any text, since only its presence matters."""


class Steps:
    """``kernel.step``, remembered when time cannot matter; also the configurations' keys."""

    def __init__(self, timeless: bool, size: int = SIZE) -> None:
        self.timeless = timeless
        self.size = size
        self._moves: dict[tuple[Any, ...], Move] = {}
        self._frames: dict[int, tuple[Frame, int]] = {}
        self._numbers: dict[tuple[Any, ...], int] = {}
        self._count = itertools.count()

    def key(self, config: Configuration) -> tuple[int, ...]:
        """The configuration as searches compare them: everything but the session id and journal length.

        Each frame's key is numbered once, so the searches' dictionaries hash a few integers,
        not the frames' data again on every lookup. Numbers are never reused, so forgetting
        them (the memory is bounded) can only make two equal frames look different, never
        two different ones alike.
        """
        memo = self._frames
        parts = []
        for frame in config.frames:
            found = memo.get(id(frame))
            if found is None:
                if len(memo) >= self.size:
                    memo.clear()
                if len(self._numbers) >= self.size:
                    self._numbers.clear()
                whole = frame_key(frame)
                number = self._numbers.get(whole)
                if number is None:
                    number = self._numbers[whole] = next(self._count)
                found = memo[id(frame)] = (frame, number)
            parts.append(found[1])
        return tuple(parts)

    def step(self, config: Configuration, trigger: Fire | Check | Tick, *, strict: bool = True) -> Move:
        if not self.timeless or (not isinstance(trigger, Tick) and "\0" in (trigger.actor or "")):
            return kernel.step(config, trigger, strict=strict)
        what: tuple[Any, ...]
        if isinstance(trigger, Fire):
            what = ("fire", trigger.event, trigger.role, frozen(trigger.data))
        elif isinstance(trigger, Check):
            what = ("check", trigger.item, trigger.role)
        else:
            what = ("tick",)
        k = (self.key(config), what, strict)
        found = self._moves.get(k)
        if found is None:
            if len(self._moves) >= self.size:
                self._moves.clear()
            found = self._moves[k] = kernel.step(config, trigger, strict=strict)
        return found


def canonical(trace: Trace, words: Vocabulary) -> Trace:
    """The trace with free text no rule reads made the same in every case (see the module's note)."""
    read = words.read
    kinds = words.types

    def plain(data: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, value in data.items():
            kind = kinds.get(name)
            if name not in read and kind == "str" and type(value) is str and "\0" not in value:
                value = TEXT
            elif (
                name not in read
                and kind == "list[str]"
                and type(value) is list
                and all(type(v) is str and "\0" not in v for v in value)
            ):
                value = [TEXT] if value else []
            out[name] = value
        return out

    events = tuple(
        LogEvent(e.position, e.at, e.kind, e.name, e.activity, e.role, None, plain(e.data), e.row) for e in trace.events
    )
    return Trace(trace.case, trace.procedure, trace.at, trace.role, None, plain(trace.data), events, trace.rows)


def frame_key(f: Frame) -> tuple[Any, ...]:
    """A frame as searches compare them."""
    return (
        f.procedure.id,
        f.state,
        tuple(sorted((k, frozen(v)) for k, v in f.data.items())),
        tuple(sorted(f.deadlines.items())) if f.deadlines else (),
        f.outcome,
        f.call,
        tuple(sorted(f.promises.items())) if f.promises else (),
        f.ticked,
    )
