"""``sopflow conformance``: which cases of a host's log broke which SOP rule.

The log is read one case at a time and checked on the step kernel (see
:mod:`sopflow.analysis.conformance`); the command prints the figures per procedure, the
deviations by kind and by clause, the worst cases and the deviations of the first cases,
or writes them as JSON or a static HTML page. Private field values are never shown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape

from sopflow.analysis.conformance import (
    KINDS,
    ConformanceReport,
    check_file,
    check_journals,
    load_mapping,
    store_journals,
    to_html,
)
from sopflow.cli.common import EXIT_OK, EXIT_PROBLEMS, library, stdout, write_out
from sopflow.cli.sessions import existing_store
from sopflow.cli.show import LibraryOpt
from sopflow.errors import CommandError
from sopflow.store import open_store

ReportFormat = Literal["text", "json", "html"]
LogFormat = Literal["csv", "jsonl", "xes", "parquet"]
SHOWN = 20
"""Deviating cases the text report lists in full."""


def conformance(
    log: Annotated[
        Path | None,
        typer.Argument(metavar="[LOG]", help="The log: a .csv, .jsonl, .xes or .parquet file, grouped by case id."),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", "-m", metavar="MAP", help="The YAML mapping of the log's columns and activities."),
    ] = None,
    store_url: Annotated[
        str,
        typer.Option("--store", "-s", help="Check a store's sessions instead of a log (with --procedure)."),
    ] = "",
    procedure: Annotated[
        str | None, typer.Option("--procedure", "-p", metavar="ID", help="With --store: the procedure to check.")
    ] = None,
    library_paths: LibraryOpt = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="text for people, json for tools, html for a page.")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file instead of standard output.")
    ] = None,
    log_format: Annotated[
        LogFormat | None, typer.Option("--log-format", help="The log's format when its suffix does not say.")
    ] = None,
    keep: Annotated[int, typer.Option("--keep", min=0, help="Deviating cases kept in full in the report.")] = 1000,
) -> None:
    """Check every case of a log against its procedure; exit 1 if any case deviates.

    Each case is replayed on the procedure in strict mode, time advancing to each row's
    timestamp on the deployment's calendar; a case that does not fit is aligned with the
    fewest inserted or skipped steps, and each deviation is reported with its kind (order,
    missing, role, data, time), its row and the SOP clause it breaks.
    """
    lib = library(library_paths)
    if store_url:
        if log is not None or mapping is not None or procedure is None:
            raise CommandError("--store checks a store's sessions of one --procedure, without a LOG or --mapping")
        with open_store(existing_store(store_url), lib) as store:
            report = check_journals(lib, store_journals(store, procedure), procedure, keep=keep)
        title = f"Conformance of the {procedure} sessions"
    else:
        if log is None or mapping is None:
            raise CommandError("give a LOG and its --mapping, or --store and --procedure")
        for path in (log, mapping):
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
        report = check_file(lib, log, load_mapping(mapping), fmt=log_format, keep=keep)
        title = f"Conformance of {log.name}"
    if fmt == "json":
        write_out(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n", output)
    elif fmt == "html":
        write_out(to_html(report, title), output)
    elif output is not None:
        raise CommandError("--output needs --format json or html")
    else:
        _text(report)
    raise typer.Exit(EXIT_OK if report.fitting == report.total else EXIT_PROBLEMS)


def _text(report: ConformanceReport) -> None:
    console = stdout()
    if not report.procedures:
        console.print("no cases in the log: nothing to check")
    for f in report.procedures.values():
        console.print(
            f"[bold]{escape(f.procedure)}[/]: {f.cases} cases, {f.fitting} fitting ({f.fitness:.1%}), "
            f"{f.deviating} deviating"
        )
        if not f.deviating:
            continue
        kinds = ", ".join(f"{k} {f.by_kind[k]}" for k in KINDS if f.by_kind.get(k))
        console.print(f"deviations: {kinds}")
        console.print("by clause:")
        for (clause, rule, kind), n in sorted(f.by_clause.items(), key=lambda t: (-t[1], t[0]))[:10]:
            console.print(f"  {n:>5}  {kind:<7}  {escape(clause)} — {escape(rule)}")
        worst = ", ".join(f"{escape(c.case)} ({c.cost})" for c in f.worst_cases())
        console.print(f"worst cases (alignment cost): {worst}")
    for case in report.cases[:SHOWN]:
        console.print(f"\n[bold]case {escape(case.case)}[/] (cost {case.cost}{'' if case.aligned else ', bounded'})")
        for d in case.deviations:
            row = f"row {d.index}" + (f" (line {d.row})" if d.row is not None else "")
            console.print(f"  {row} {d.at:%Y-%m-%d %H:%M} [bold]{d.kind}[/]: {escape(d.message)}")
            console.print(f"    clause: {escape(d.clause.where)} — {escape(d.clause.rule)}")
            allowed = "; ".join(f"{e} ({', '.join(r)})" for e, r in d.allowed) or "nothing"
            console.print(f"    allowed there: {escape(allowed)}")
    if len(report.cases) > SHOWN:
        console.print(f"\n… and {len(report.cases) - SHOWN} more deviating cases (see --format json or html)")
