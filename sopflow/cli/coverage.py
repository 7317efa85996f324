"""``sopflow coverage PATH...``: run scenario files and say what of each procedure they exercised.

The same runner and the same recording as ``pytest --sopflow-cov``, without pytest: compliance
staff who keep scenarios but no Python project get the table, the JSON for CI and the HTML page
for review from one command. Every scenario runs in every language it is written for.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape
from rich.table import Table

from sopflow.cli.common import EXIT_OK, EXIT_PROBLEMS, library, print_diagnostics, stderr, stdout
from sopflow.cli.show import LibraryOpt
from sopflow.errors import CommandError, UsageError
from sopflow.testing import (
    ScenarioError,
    ScenarioFailed,
    check_scenario,
    collect_scenarios,
    load_scenario,
    run_scenario,
)
from sopflow.testing import scenario_languages as languages_of
from sopflow.testing.coverage import (
    CoverageReport,
    ReportTarget,
    ScenarioCoverage,
    parse_threshold,
    report_of,
    shortfall,
    write_file,
)
from sopflow.testing.coverage.report import missed_lines, split_name, table

CoverageFormat = Literal["term", "json", "html"]
HEAD = re.compile(r"^scenario[ \t]*:", re.M)
"""A top-level ``scenario:`` key: what tells a scenario from other YAML in a folder (as the pytest plugin does)."""


def coverage_command(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATH...", help="Scenario files, or folders to search for them.", show_default=False),
    ],
    fmt: Annotated[
        CoverageFormat,
        typer.Option("--format", "-f", help="term: a table; json for tools; html: a page for review."),
    ] = "term",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="PATH", help="Write the json or html report here (html: a file or a folder)."
        ),
    ] = None,
    show_missing: Annotated[
        bool, typer.Option("--show-missing", "-m", help="With term: list what each procedure missed.")
    ] = False,
    fail_under: Annotated[
        str | None, typer.Option("--fail-under", metavar="PCT", help="Exit 1 if total coverage is below PCT.")
    ] = None,
    library_paths: LibraryOpt = None,
) -> None:
    """Run scenario files in every language; report what of each procedure they exercised.

    States, events, arrows, timers, checklist items, promises and properties: covered out of
    what each procedure has. Exit 1 if a scenario fails or does not load, or if coverage is
    below --fail-under.
    """
    try:
        threshold = parse_threshold(fail_under) if fail_under is not None else None
    except UsageError as exc:
        raise CommandError(f"--fail-under: {exc}") from None
    if fmt == "html" and output is None:
        raise CommandError("--format html needs --output PATH (a file ending in .html, or a folder)")
    if fmt == "term" and output is not None:
        raise CommandError("--output goes with --format json or html; the table is printed")
    files = _scenario_files(paths)
    lib = library(library_paths)
    recorded = ScenarioCoverage(lib)
    failed = _run(files, recorded)
    report = report_of(recorded)
    console = stdout()
    if fmt == "term":
        console.print(term_view(report))
        if show_missing:
            console.print("\n".join(escape(line) for line in missed_lines(report)), soft_wrap=True)
    elif output is None:
        console.file.write(report.json_text())
    else:
        try:
            written = write_file(report, ReportTarget(fmt, output), "Scenario coverage")
        except UsageError as exc:
            raise CommandError(str(exc)) from None
        console.print(f"{fmt} report written to {escape(str(written))}", soft_wrap=True)
    err = stderr()
    for line in failed:
        err.print(f"[bold red]failed:[/] {escape(line)}")
    short = shortfall(report, threshold) if threshold is not None else None
    if short is not None:
        err.print(f"[bold red]error:[/] {escape(short)}")
    raise typer.Exit(EXIT_PROBLEMS if failed or short else EXIT_OK)


def _scenario_files(paths: list[Path]) -> list[Path]:
    """Files named, and the scenario files below folders named; none at all is a usage error."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += [
                f for f in collect_scenarios(path) if HEAD.search(f.read_text(encoding="utf-8", errors="replace"))
            ]
        elif path.exists():
            files.append(path)
        else:
            raise CommandError(f"no such file or folder: {path}")
    if not files:
        raise CommandError(f"no scenario file in {', '.join(map(str, paths))}")
    return files


def _run(files: list[Path], recorded: ScenarioCoverage) -> list[str]:
    """Run each file in each of its languages; one line for each run that failed or file that did not load."""
    failed = []
    lib = recorded.library
    for path in files:
        try:
            scenario = load_scenario(path)
            problems = check_scenario(scenario, lib)
            if problems:
                raise ScenarioError(problems)
            for lang in languages_of(scenario, lib):
                try:
                    run_scenario(scenario, lib, lang, coverage=recorded)
                except ScenarioFailed as exc:
                    step = {None: "at the end", 0: "at the start"}.get(exc.step, f"at step {exc.step}")
                    failed.append(f"{path} [{lang}] {step}: {exc.mismatches[0].format()}")
        except ScenarioError as exc:
            print_diagnostics(stderr(), exc.diagnostics)
            failed.append(f"{path} does not load")
    return failed


def term_view(report: CoverageReport, width: int = 80) -> Table:
    """The table: a row per procedure, ``covered/total`` per kind, the share of everything last."""
    header, rows, totals = table(report)
    grid = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 0, 0, 1))
    for i, name in enumerate(header):
        grid.add_column(name, justify="left" if i == 0 else "right", vertical="bottom", no_wrap=True)
    numbers = sum(max(len(r[i]) for r in (header, *rows, *totals)) + 1 for i in range(1, len(header)))
    room = max(width - numbers - 1, 20)
    for row in rows:
        grid.add_row(escape("\n".join(split_name(row[0], room))), *(_cell(c) for c in row[1:]))
    grid.add_row()
    grid.add_row("[bold]total[/]", *(_cell(c) for c in totals[0][1:]))
    grid.add_row("", *(_cell(c) for c in totals[1][1:]))
    return grid


def _cell(text: str) -> str:
    if "/" in text:
        covered, total = text.split("/")
        style = "green" if covered == total else "red" if covered == "0" else "yellow"
        return f"[{style}]{text}[/]"
    return escape(text)
