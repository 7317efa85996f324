"""The department's KPI report: every declared target over a stretch of time, with its trend and cases.

A manager asks three things of a figure: is the target met, is it getting better, and which
cases are behind it. One pass over the journals answers all three for every KPI of a
``targets`` document: the figure over the whole stretch, the figure per week or month, and
the sessions counted (and counted against). Journals are read one at a time, so a store of a
year's sessions is never held in memory at once; the cases kept are ids, never data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import get_args

from sopflow.analysis.args import iterable_arg, kind_arg, moment_arg
from sopflow.analysis.kpi import Figure, Run, amounts, figure, matcher, period_of, runs
from sopflow.errors import SnapshotError, UsageError
from sopflow.library import Library
from sopflow.model import Kpi, Targets
from sopflow.model.base import Text
from sopflow.model.targets import Period
from sopflow.runtime import Entry
from sopflow.runtime.snapshot import entry_from


@dataclass
class KpiResult:
    """One KPI over the stretch: the figure, its trend by period, and the sessions behind it."""

    name: str
    kpi: Kpi
    total: Figure | None
    """``None`` for a KPI no procedure measures (``kpi.unmeasured`` says why)."""
    trend: list[Figure] = field(default_factory=list)
    counted: list[str] = field(default_factory=list)
    """Sessions that count towards the figure (a called procedure's run counts as its session)."""
    against: list[str] = field(default_factory=list)
    """Sessions it is counted out of."""

    @property
    def unmeasured(self) -> Text | None:
        return self.kpi.unmeasured


@dataclass
class KpiReport:
    """Every KPI of one targets document, over ``[since, until)`` (open where ``None``)."""

    targets: Targets
    since: dt.datetime | None
    until: dt.datetime | None
    by: Period | None
    results: list[KpiResult]
    sessions: int
    """Journals read (each a session)."""


def kpi_report(
    targets: Targets,
    journals: Iterable[Sequence[Entry]],
    library: Library,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    by: Period | None = None,
) -> KpiReport:
    """Measure every KPI of ``targets`` from ``journals`` in one pass; ``by`` overrides each KPI's period.

    A journal's entries may be in their JSON form (``Entry.as_dict()``), as a host stores them.
    """
    kind_arg("targets", targets, Targets, "a library's KPI targets (library.targets['id'])")
    journals = iterable_arg("journals", journals)
    since, until = moment_arg("since", since), moment_arg("until", until)
    if by is not None and by not in get_args(Period):
        raise UsageError(f"by: expected one of {', '.join(get_args(Period))}, found {str(by)[:20]!r}")
    zone = library.calendar.zone
    # Per measured KPI, its period and its two sides (count, of), each a selector with its test.
    sides = {
        name: (by or kpi.period, [(s, matcher(s, library)) for s in (kpi.measure.count, kpi.measure.of)])
        for name, kpi in targets.kpis.items()
        if kpi.measure is not None
    }
    measured = sides.keys()
    periods: dict[str, dict[str, list[Decimal]]] = {name: defaultdict(_pair) for name in measured}
    totals: dict[str, list[Decimal]] = {name: _pair() for name in measured}
    cases: dict[str, tuple[dict[str, None], dict[str, None]]] = {name: ({}, {}) for name in measured}
    read = 0
    for raw in journals:
        read += 1
        journal = _journal(raw, read)
        session = _session(journal)
        for run in runs(journal, library):
            for name, (period, pair) in sides.items():
                for index, (selector, test) in enumerate(pair):
                    for when, amount in amounts(run, selector, test):
                        if (since is not None and when < since) or (until is not None and when >= until):
                            continue
                        periods[name][period_of(when.astimezone(zone), period)][index] += amount
                        totals[name][index] += amount
                        cases[name][index].setdefault(_case(session, run), None)
    results = []
    for name, kpi in targets.kpis.items():
        if name not in measured:
            results.append(KpiResult(name, kpi, None))
            continue
        trend = [figure(kpi, period, *periods[name][period]) for period in sorted(periods[name])]
        total = figure(kpi, _stretch(since, until), *totals[name])
        counted, against = cases[name]
        results.append(KpiResult(name, kpi, total, trend, sorted(counted), sorted(against)))
    return KpiReport(targets, since, until, by, results, read)


def _pair() -> list[Decimal]:
    return [Decimal(0), Decimal(0)]


def _stretch(since: dt.datetime | None, until: dt.datetime | None) -> str:
    start = since.date().isoformat() if since is not None else "…"
    end = until.date().isoformat() if until is not None else "…"
    return f"{start} – {end}"


def _journal(raw: object, number: int) -> Sequence[Entry]:
    """One session's journal, each entry checked as a restored journal is."""
    entries = iterable_arg(f"journals[{number - 1}]", raw)
    try:
        return [
            e if isinstance(e, Entry) else entry_from(e, f"journals[{number - 1}][{i}]") for i, e in enumerate(entries)
        ]
    except SnapshotError as exc:
        raise UsageError(exc.message) from None


def _session(journal: Sequence[Entry]) -> str | None:
    first = journal[0] if journal else None
    return first.meta.session if first is not None and first.meta is not None else None


def _case(session: str | None, run: Run) -> str:
    """The case a manager opens: the session, and the procedure when the run was a call inside it."""
    where = session or f"{run.procedure}@{run.started.isoformat()}"
    return where if session is None or run.depth == 0 else f"{where} ({run.procedure})"
