"""Cases that differ only in what the rules never read are checked once.

A log of a hundred thousand tenant releases holds a few hundred different ways through:
the same events by the same roles with the same fee figures, told apart only by the
tenant's name, the staff member and the clock. When no timer or promise runs in the
procedure (so time cannot change a step), a case's result is decided by its events, their
roles and the values its guards, invariants and calls read; free text (and lists of it)
nothing reads counts only as present or not, or empty or not. Such a case is checked once,
and later cases of the same variant reuse the result with their own case id, rows and
times. The cache is bounded, so memory stays flat however long the log.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

from sopflow.analysis.conformance.replay import Trace, Vocabulary
from sopflow.analysis.conformance.result import CaseResult, Deviation
from sopflow.analysis.hashable import frozen
from sopflow.compile import Procedure

SIZE = 4096
"""Variants remembered; the least recently seen is forgotten first."""
_TEXT = object()
"""Stands for a free text nothing reads: only its presence matters."""


def timeless(procedure: Procedure) -> bool:
    """No timer and no promise anywhere in the procedure or what it calls: time never moves it."""
    return not any(p.ir.promises or any(s.timers for s in p.ir.states.values()) for p in procedure.family().values())


class Variants:
    """A bounded map from a case's variant to its result, for a procedure time cannot move."""

    def __init__(self, words: Vocabulary, size: int = SIZE) -> None:
        self.words = words
        self.size = size
        self.read = words.read
        self.free = {n for n, kind in words.types.items() if kind == "str" and n not in self.read}
        self.lists = {n for n, kind in words.types.items() if kind == "list[str]" and n not in self.read}
        self._seen: OrderedDict[tuple[Any, ...], tuple[CaseResult, tuple[tuple[str, int], ...]]] = OrderedDict()
        self.hits = 0

    def key(self, trace: Trace) -> tuple[Any, ...]:
        return (
            trace.role,
            self._data(trace.data),
            trace.rows,
            tuple((e.position, e.kind, e.name, e.activity, e.role, self._data(e.data)) for e in trace.events),
        )

    def _data(self, data: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(sorted((k, self._value(k, v)) for k, v in data.items()))

    def _value(self, name: str, value: Any) -> Any:
        """A value as the variant sees it: text nothing reads (alone or in a list) only as present."""
        if name in self.free and type(value) is str and "\0" not in value:
            return _TEXT
        if name in self.lists and type(value) is list and all(type(v) is str and "\0" not in v for v in value):
            return (_TEXT, bool(value))
        return frozen(value)

    def get(self, key: tuple[Any, ...], trace: Trace) -> CaseResult | None:
        found = self._seen.get(key)
        if found is None:
            return None
        self._seen.move_to_end(key)
        self.hits += 1
        result, refs = found
        if result.fitting:
            return CaseResult(trace.case, result.procedure, trace.rows, [], 0, result.aligned, result.outcome)
        deviations = []
        for d, (how, j) in zip(result.deviations, refs, strict=True):
            at, row = d.at, d.row
            if how == "row":
                at, row = trace.events[j].at, trace.events[j].row
            elif how == "at":
                at = trace.events[j].at
            elif how == "start":
                at = trace.at
            deviations.append(_moved(d, trace.case, at, row))
        return CaseResult(
            trace.case, result.procedure, trace.rows, deviations, result.cost, result.aligned, result.outcome
        )

    def put(self, key: tuple[Any, ...], trace: Trace, result: CaseResult) -> None:
        """Remember ``result``, with where each deviation's row and time come from (not the trace itself)."""
        self._seen[key] = (result, _references(trace, result))
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)


def _references(trace: Trace, result: CaseResult) -> tuple[tuple[str, int], ...]:
    """For each deviation: the row it names, the row whose time it has, the start's time, or its own."""
    lines = {e.row: i for i, e in enumerate(trace.events)}
    times: dict[dt.datetime, int] = {}
    for i, e in enumerate(trace.events):
        times.setdefault(e.at, i)
    refs = []
    for d in result.deviations:
        if d.row is not None and d.row in lines:
            refs.append(("row", lines[d.row]))
        elif d.at in times:
            refs.append(("at", times[d.at]))
        elif d.at == trace.at:
            refs.append(("start", 0))
        else:
            refs.append(("keep", 0))
    return tuple(refs)


def _moved(d: Deviation, case: str, at: dt.datetime, row: int | None) -> Deviation:
    return Deviation(
        case, d.kind, d.index, at, row, d.message, d.clause, d.activity, d.event, d.role, d.allowed, d.cost
    )
