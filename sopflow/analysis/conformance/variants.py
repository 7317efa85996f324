"""Cases that differ only in what the rules never read are checked once.

A log of a hundred thousand tenant releases holds a few hundred different ways through:
the same events by the same roles with the same fee figures, told apart only by the
tenant's name, the staff member and the clock. When no timer or promise runs in the
procedure (so time cannot change a step), a case's result is decided by its events, their
roles and the values its guards, invariants and calls read; free text (and lists of it)
nothing reads counts only as present or not, or empty or not. Such a case is checked once,
and later cases of the same variant reuse the result with their own case id, rows and
times. The cache is bounded, so memory stays flat however long the log.

A variant is read from the case's rows as the log holds them, before they are translated:
the activity, the role and the data columns, each as the mapping will read it. A case seen
before is then answered without translating its rows at all. Two cases with the same rows
translate alike (the mapping is the same for every case), so the key is never too coarse;
values written differently that translate alike ("1" and "1.0") only make two variants of one.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any, Literal

from sopflow.analysis.conformance.logs import LogCase, Row, timestamp
from sopflow.analysis.conformance.mapping import LogMapping
from sopflow.analysis.conformance.replay import Trace, Vocabulary
from sopflow.analysis.conformance.result import CaseResult, Deviation
from sopflow.analysis.hashable import frozen
from sopflow.compile import Procedure

SIZE = 16_384
"""Variants remembered. A quarter of the room is for variants seen once, which a long log holds
by the thousand (most deviating cases are alike to no other); a variant seen again moves to
the rest of the room, so a stream of one-off cases cannot push out the ways most cases go
(a segmented LRU)."""
_TEXT = object()
"""Stands for a free text nothing reads: only its presence matters."""

Seen = Literal["text", "list", "value"]
Reference = tuple[Literal["row", "at", "keep"], int]
"""Where a deviation's row and time come from in a later case: a row (its line and time), a
row's time alone, or the deviation's own."""
_Known = tuple[CaseResult, tuple[Reference, ...]]


def timeless(procedure: Procedure) -> bool:
    """No timer and no promise anywhere in the procedure or what it calls: time never moves it."""
    return not any(p.ir.promises or any(s.timers for s in p.ir.states.values()) for p in procedure.family().values())


class Variants:
    """A bounded map from a case's variant to its result, for a procedure time cannot move."""

    def __init__(self, words: Vocabulary, mapping: LogMapping, zone: dt.tzinfo, size: int = SIZE) -> None:
        self.words = words
        self.size = size
        self.zone = zone
        self.activity = mapping.columns.activity
        self.role = mapping.columns.role
        self.stamp = mapping.columns.timestamp
        self.fields = dict(mapping.data)
        read = words.read
        self.seen_as: dict[str, Seen] = {}
        """Log column -> how a variant sees it: free text, a free list of texts, or its value."""
        for column, name in mapping.data.items():
            kind = words.types.get(name)
            free = name not in read
            self.seen_as[column] = (
                "text" if free and kind == "str" else "list" if free and kind == "list[str]" else "value"
            )
        self._once: OrderedDict[tuple[Any, ...], _Known] = OrderedDict()
        """Variants seen once, the least recently seen first."""
        self._again: OrderedDict[tuple[Any, ...], _Known] = OrderedDict()
        """Variants seen more than once, the least recently seen first."""
        self._room_once = max(size // 4, 1)
        self._room_again = max(size - self._room_once, 1)
        self.hits = 0

    def key(self, case: LogCase) -> tuple[Any, ...]:
        """The case's variant, from its rows as the log holds them."""
        activity, role, seen_as, value_of = self.activity, self.role, self.seen_as, self._value
        parts: list[Any] = [len(case.rows)]
        for row in case.rows:
            values = row.values
            data = []
            for column, value in values.items():
                how = seen_as.get(column)
                if how is None or value is None:
                    continue
                # The common cases inline: a free text is only present; a read text is itself.
                if value.__class__ is str and how != "list" and "\0" not in value:
                    data.append((column, _TEXT if how == "text" else value))
                else:
                    data.append((column, value_of(column, how, value)))
            # The translation reads an activity or role of any kind as its text: any kind may come.
            parts.append((frozen(values.get(activity)), frozen(values.get(role)) if role else None, tuple(data)))
        return tuple(parts)

    def _value(self, column: str, how: Seen, value: Any) -> Any:
        """A value as the variant sees it: text nothing reads (alone or in a list) only as present."""
        if how == "text" and type(value) is str and "\0" not in value:
            return _TEXT
        if how == "list":
            typed = self.words.typed(self.fields[column], value)
            if type(typed) is list and all(type(v) is str and "\0" not in v for v in typed):
                return (_TEXT, bool(typed))
        return frozen(value)

    def get(self, key: tuple[Any, ...], case: LogCase) -> CaseResult | None:
        found = self._again.get(key)
        if found is not None:
            self._again.move_to_end(key)
        else:
            found = self._once.pop(key, None)
            if found is None:
                return None
            self._again[key] = found
            if len(self._again) > self._room_again:
                # The least recently seen again is given one more chance among the variants seen once.
                old, known = self._again.popitem(last=False)
                self._remember(old, known)
        self.hits += 1
        result, refs = found
        rows = len(case.rows)
        if result.fitting:
            return CaseResult(case.id, result.procedure, rows, [], 0, result.aligned, result.outcome)
        deviations = []
        for d, (how, position) in zip(result.deviations, refs, strict=True):
            at, line = d.at, d.row
            if how != "keep":
                row = case.rows[position]
                at = self._time(row)
                if how == "row":
                    line = row.line
            deviations.append(_moved(d, case.id, at, line))
        return CaseResult(case.id, result.procedure, rows, deviations, result.cost, result.aligned, result.outcome)

    def put(self, key: tuple[Any, ...], case: LogCase, trace: Trace, result: CaseResult) -> None:
        """Remember ``result``, with the row each deviation's row and time come from (not the case itself)."""
        self._remember(key, (result, self._references(case, trace, result)))

    def _remember(self, key: tuple[Any, ...], known: _Known) -> None:
        self._once[key] = known
        if len(self._once) > self._room_once:
            self._once.popitem(last=False)

    def _time(self, row: Row) -> dt.datetime:
        return timestamp(row.values.get(self.stamp), self.zone, row, self.stamp)

    def _references(self, case: LogCase, trace: Trace, result: CaseResult) -> tuple[Reference, ...]:
        """For each deviation: the row it names, the row whose time it has (the start's too), or its own."""
        lines = {e.row: e.position for e in trace.events}
        times: dict[dt.datetime, int] = {}
        for e in trace.events:
            times.setdefault(e.at, e.position)
        refs: list[Reference] = []
        for d in result.deviations:
            if d.row is not None and d.row in lines:
                refs.append(("row", lines[d.row]))
            elif d.at in times:
                refs.append(("at", times[d.at]))
            elif d.at == trace.at:
                start = next((i for i, row in enumerate(case.rows) if self._time(row) == trace.at), None)
                refs.append(("at", start) if start is not None else ("keep", 0))
            else:
                refs.append(("keep", 0))
        return tuple(refs)


def _moved(d: Deviation, case: str, at: dt.datetime, row: int | None) -> Deviation:
    return Deviation(
        case, d.kind, d.index, at, row, d.message, d.clause, d.activity, d.event, d.role, d.allowed, d.cost
    )
