"""Conformance of host logs: which cases broke which SOP rule, found by replaying them on the step kernel.

A property company's records — a ticketing system's event log, a CRM export, sopflow's own
journals — are read one case at a time (:mod:`.logs`), translated through a declared mapping
(:mod:`.mapping`), replayed through :func:`sopflow.runtime.kernel.step` in strict mode
(:mod:`.replay`) and, when a case does not fit, aligned to the procedure with the fewest
changes (:mod:`.align`). Each deviation names the clause of the SOP it breaks (:mod:`.result`);
the report counts them per procedure, kind and clause (:mod:`.report`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sopflow.analysis.args import count_arg, iterable_arg, kind_arg
from sopflow.analysis.conformance.align import LIMIT, Aligner
from sopflow.analysis.conformance.logs import LogCase, Row, cases, journal_cases, read_rows
from sopflow.analysis.conformance.mapping import Columns, LogError, LogMapping, load_mapping, mapping_from
from sopflow.analysis.conformance.memo import Steps, canonical
from sopflow.analysis.conformance.replay import Vocabulary, fits, journal_of, prepare
from sopflow.analysis.conformance.report import ConformanceReport, ProcedureFigures, to_html
from sopflow.analysis.conformance.result import KINDS, CaseResult, Clause, Deviation, Kind
from sopflow.analysis.conformance.variants import Variants, timeless
from sopflow.library import Library
from sopflow.runtime.journal import Entry
from sopflow.store import JournalQuery, SessionQuery, Store

__all__ = [
    "KINDS",
    "CaseResult",
    "Clause",
    "ConformanceReport",
    "Deviation",
    "Kind",
    "LogCase",
    "LogError",
    "LogMapping",
    "ProcedureFigures",
    "Row",
    "cases",
    "check_file",
    "check_journals",
    "check_log",
    "conform",
    "journal_cases",
    "load_mapping",
    "mapped_journals",
    "mapping_from",
    "read_rows",
    "store_journals",
    "to_html",
]


def conform(
    library: Library, log: Iterable[LogCase], mapping: LogMapping, *, limit: int = LIMIT
) -> Iterator[CaseResult]:
    """Each case's result, as the log is read: fitting cases by straight replay, the others aligned."""
    kind_arg("mapping", mapping, LogMapping, "a LogMapping (load_mapping(path))")
    log = iterable_arg("log", log)
    count_arg("limit", limit)
    procedure = library.get(mapping.procedure, mapping.version)
    words = Vocabulary(procedure)
    still = timeless(procedure)
    steps = Steps(still)
    aligner = Aligner(words, steps, complete=mapping.complete, limit=limit)
    zone = mapping.zone(library.calendar.zone)
    variants = Variants(words, mapping, zone) if still else None
    for case in log:
        if variants is not None:
            key = variants.key(case)
            known = variants.get(key, case)
            if known is not None:
                yield known
                continue
        trace = prepare(case, mapping, words, zone)
        if trace is None:
            continue
        if variants is not None:
            trace = canonical(trace, words)  # what the variant's key sees, so cases meet in the step memory
        if fits(trace, mapping.complete, steps.step):
            result = CaseResult(trace.case, procedure.id, trace.rows)
        else:
            result = aligner.align(trace)
        if variants is not None:
            variants.put(key, case, trace, result)
        yield result


def check_log(
    library: Library,
    log: Iterable[LogCase],
    mapping: LogMapping,
    *,
    keep: int = 1000,
    worst: int = 10,
    limit: int = LIMIT,
) -> ConformanceReport:
    """Check every case of ``log`` against the mapping's procedure; see :class:`ConformanceReport`."""
    report = ConformanceReport(keep=count_arg("keep", keep, 0), worst=count_arg("worst", worst, 0))
    for result in conform(library, log, mapping, limit=limit):
        report.add(result)
    return report


def check_file(
    library: Library, path: str | Path, mapping: LogMapping, *, fmt: str | None = None, keep: int = 1000
) -> ConformanceReport:
    """Check a CSV, JSON Lines or XES file, streamed one case at a time."""
    kind_arg("path", path, (str, Path), "a file's path")
    kind_arg("mapping", mapping, LogMapping, "a LogMapping (load_mapping(path))")
    if fmt is not None:
        kind_arg("fmt", fmt, str, "a format name (csv, jsonl, xes, parquet)")
    zone = mapping.zone(library.calendar.zone)
    return check_log(library, cases(read_rows(path, fmt), mapping, zone), mapping, keep=keep)


def mapped_journals(
    library: Library, path: str | Path, mapping: LogMapping, *, fmt: str | None = None
) -> Iterator[list[Entry]]:
    """Each case of a host's log as the journal a session would have kept, one case at a time.

    The same reading and mapping as :func:`check_file`, so KPIs can be measured from a host's
    records; a deviating case's journal stops at its first refusal.
    """
    procedure = library.get(mapping.procedure, mapping.version)
    words = Vocabulary(procedure)
    zone = mapping.zone(library.calendar.zone)
    for case in cases(read_rows(path, fmt), mapping, zone):
        trace = prepare(case, mapping, words, zone)
        if trace is not None:
            journal = journal_of(trace)
            if journal:
                yield journal


def store_journals(store: Store, procedure: str, *, limit: int = 100_000) -> Iterator[Entry]:
    """The journals of a store's sessions of ``procedure``, one session after another.

    Sessions are listed first (at most ``limit`` rows, newest start first), then each
    session's journal is read on its own, so memory holds one journal at a time.
    """
    for row in store.sessions(SessionQuery(procedure=procedure, limit=limit)):
        yield from store.journal(JournalQuery(session=row.id, limit=10**9))


def check_journals(
    library: Library, entries: Iterable[Entry | Mapping[str, Any]], procedure: str, *, keep: int = 1000
) -> ConformanceReport:
    """Check sessions' journals (a store's ``journal`` rows, sessions one after another) against ``procedure``.

    Useful for sessions that ran without strict mode, or on an older version: what the
    host did is replayed on the library's procedure as it stands. Entries may be in their
    JSON form (``Entry.as_dict()``); one that is not an entry is a :class:`LogError` at its number.
    """
    entries = iterable_arg("entries", entries)
    fields = {name for p in library[procedure].family().values() for name in p.fields}
    mapping = LogMapping(procedure=procedure, columns=Columns(actor="actor"), data={f: f for f in sorted(fields)})
    return check_log(library, journal_cases(entries), mapping, keep=keep)
