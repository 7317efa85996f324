"""KPIs measured from journals: each session's runs rebuilt from its entries, counted by period.

A journal is the record of what happened, so a figure computed from it can be traced to
the cases behind it. Each run of a procedure — a session, or a procedure it called — is
rebuilt from the entries at its depth: when it started, the states it entered, the events
and timers that moved it, its data as last seen, how it ended, the promises it made, kept
and missed. A KPI's selectors pick runs (or promise entries) and count them or add up a
field; a run falls in the period it started in, a promise in the period it was made in,
in the calendar's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sopflow.errors import UnknownProcedure
from sopflow.expr import compile_expression, parse
from sopflow.library import Library
from sopflow.model import Kpi, Selector
from sopflow.model.base import LEVEL_SEPARATOR
from sopflow.model.targets import Period
from sopflow.runtime import Entry
from sopflow.runtime.kernel import EVALUATION_ERRORS

HUNDRED = Decimal(100)


@dataclass
class Run:
    """One run of one procedure, rebuilt from its journal entries."""

    procedure: str
    version: int | None
    started: dt.datetime
    depth: int = 0
    """0 for the session's own procedure, more for a procedure it called."""
    data: dict[str, Any] = field(default_factory=dict)
    reached: set[str] = field(default_factory=set)
    moved_by: set[str] = field(default_factory=set)
    outcome: str | None = None
    promises: list[tuple[str, str, dt.datetime]] = field(default_factory=list)
    """(promise, made|kept|missed, when the promise was made)."""


@dataclass(frozen=True)
class Figure:
    """A KPI over one period: what was counted, out of what, and whether the target was met."""

    period: str
    count: Decimal
    of: Decimal
    percent: Decimal | None
    """``None`` when nothing was there to count."""
    met: bool | None
    """``None`` without a target or without a percentage."""


def runs(journal: Sequence[Entry], library: Library) -> list[Run]:
    """Every run a session's journal records: the session's own, then each call, in order."""
    found: list[Run] = []
    open_: dict[int, Run] = {}
    made: dict[tuple[int, str], dt.datetime] = {}
    for entry in journal:
        depth = entry.depth
        if entry.kind in ("start", "call"):
            run = Run(entry.procedure, entry.version, entry.at, depth, dict(entry.data))
            open_[depth] = run
            found.append(run)
            made = {k: v for k, v in made.items() if k[0] != depth}
        run_at = open_.get(depth)
        if run_at is None:
            continue  # a journal that starts mid-session: nothing to attribute the entry to
        run_at.data.update(entry.changes)
        if entry.kind == "refused":
            continue
        if entry.kind == "promise" and entry.event is not None and entry.detail is not None:
            when = made.setdefault((depth, entry.event), entry.at)
            run_at.promises.append((entry.event, entry.detail, when))
            continue
        if entry.kind in ("fire", "timer") and entry.event is not None:
            run_at.moved_by.add(entry.event)
        if entry.target is not None:
            state = entry.target
            run_at.reached.add(state)  # a ladder's level, ``explain@cs_supervisor``, and its state
            run_at.reached.add(state.split(LEVEL_SEPARATOR, 1)[0])
            run_at.outcome = _final(library, run_at, state) or run_at.outcome
    return found


def _final(library: Library, run: Run, state: str) -> str | None:
    try:
        procedure = library.get(run.procedure, run.version)
    except UnknownProcedure:  # a journal from a version this library no longer holds
        return None
    ir_state = procedure.ir.states.get(state)
    return ir_state.final if ir_state is not None else None


def measure(
    kpi: Kpi, journals: Iterable[Sequence[Entry]], library: Library, zone: dt.tzinfo | None = None
) -> list[Figure]:
    """The KPI for every period the journals touch, oldest first."""
    if kpi.measure is None:
        return []
    zone = zone or library.calendar.zone
    count, of = kpi.measure.count, kpi.measure.of
    tallies: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    test_count, test_of = matcher(count, library), matcher(of, library)
    for journal in journals:
        for run in runs(journal, library):
            for index, (selector, test) in enumerate(((count, test_count), (of, test_of))):
                for when, amount in amounts(run, selector, test):
                    tallies[period_of(when.astimezone(zone), kpi.period)][index] += amount
    return [figure(kpi, period, *tallies[period]) for period in sorted(tallies)]


def figure(kpi: Kpi, period: str, count: Decimal, of: Decimal) -> Figure:
    """The percentage to one decimal, and whether it meets the KPI's target."""
    percent = (count / of * HUNDRED).quantize(Decimal("0.1")) if of else None
    met = kpi.target.met(percent) if kpi.target is not None and percent is not None else None
    return Figure(period, count, of, percent, met)


def matcher(selector: Selector, library: Library) -> Any:
    """A test of whether a run is one the selector picks."""
    where = compile_expression(parse(selector.where)) if selector.where is not None else None

    def matches(run: Run) -> bool:
        if run.procedure != selector.procedure:
            return False
        if (selector.finished or selector.outcome) and run.outcome is None:
            return False
        if selector.outcome and run.outcome not in selector.outcome:
            return False
        if selector.reached and run.reached.isdisjoint(selector.reached):
            return False
        if selector.event and run.moved_by.isdisjoint(selector.event):
            return False
        return where is None or _true(where, run.data, library, run)

    return matches


def _true(where: Any, data: Mapping[str, Any], library: Library, run: Run) -> bool:
    """The condition on a run's last data; data a journal holds but the procedure cannot read
    (a value of the wrong type, an unknown version) counts as unset, never as an error."""
    try:
        procedure = library.get(run.procedure, run.version)
    except UnknownProcedure:
        try:
            procedure = library.get(run.procedure)  # a version this library no longer holds: judge by the newest
        except UnknownProcedure:
            return False
    values = {name: _read(procedure, name, value) for name, value in data.items() if name in procedure.fields}
    context = {**{name: procedure.defaults.get(name) for name in procedure.fields}, **values}
    try:
        return bool(where(context))
    except EVALUATION_ERRORS:
        return False


def _read(procedure: Any, name: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        return procedure.coerce(name, value)
    except ValueError:
        return None


def amounts(run: Run, selector: Selector, matches: Any) -> Iterable[tuple[dt.datetime, Decimal]]:
    """What a run adds to a selector's tally, and when: one, a field's value, or one per promise entry."""
    if not matches(run):
        return
    if selector.promise is not None:
        for name, result, made in run.promises:
            if name == selector.promise and result in selector.result:
                yield made, Decimal(1)
    elif selector.sum is not None:
        amount = _amount(run.data.get(selector.sum))
        if amount is not None:
            yield run.started, amount
    else:
        yield run.started, Decimal(1)


def _amount(value: Any) -> Decimal | None:
    """A number a journal holds, as a decimal; anything else (a journal from elsewhere) adds nothing."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return None
    return amount if amount.is_finite() else None


def period_of(when: dt.datetime, period: Period) -> str:
    """``2026-03-02``, ``2026-W10``, ``2026-03``, ``2026-Q1`` or ``2026``."""
    if period == "day":
        return when.date().isoformat()
    if period == "week":
        year, week, _ = when.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{when:%Y-%m}"
    if period == "quarter":
        return f"{when.year}-Q{(when.month - 1) // 3 + 1}"
    return str(when.year)
