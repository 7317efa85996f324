"""``sopflow validate``, ``sopflow lint`` and ``sopflow schema``: the author's and CI's commands.

Output is one line per finding in the ``file:line:col:`` form editors jump
to, then a summary; ``--format json`` gives the same for tools.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table

from sopflow.analysis.lint import RULES, lint_library
from sopflow.check import check_documents
from sopflow.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    UsageProblem,
    existing,
    print_diagnostics,
    stdout,
    summary,
)
from sopflow.diagnostics import Diagnostic
from sopflow.io import LoadedDocument, load_file
from sopflow.library import Library, collect

Format = Literal["text", "json"]
PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(metavar="PATH...", help="Procedure files, or folders to search for *.yaml.", show_default=False),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="text for people, json for editors and CI.")]


def _load(paths: list[Path] | None) -> tuple[list[Path], list[LoadedDocument]]:
    if not paths:
        raise UsageProblem("give at least one procedure file or folder, e.g. 'sopflow validate procedures/'")
    files = collect(existing(paths))
    if not files:
        raise UsageProblem(f"no .yaml or .yml files in {', '.join(map(str, paths))}")
    return files, [load_file(f) for f in files]


def _emit(
    diagnostics: list[Diagnostic], files: int, fmt: Format, *, extra: str = "", more: dict[str, Any] | None = None
) -> None:
    if fmt == "json":
        counts = {s: sum(d.severity == s for d in diagnostics) for s in ("error", "warning", "info")}
        body = {"files": files, "counts": counts, "diagnostics": [d.as_dict() for d in diagnostics], **(more or {})}
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        return
    console = stdout()
    print_diagnostics(console, diagnostics)
    console.print(summary(diagnostics, files, extra))


def validate(paths: PathsArg = None, fmt: FormatOpt = "text") -> None:
    """Check procedure files: YAML syntax, schema, names, references and guard types.

    Exits 0 when every file is valid (warnings allowed), 1 when any has an
    error, 2 when a path does not exist.
    """
    files, docs = _load(paths)
    checked = check_documents(docs)
    _emit(checked.diagnostics, len(files), fmt)
    raise typer.Exit(EXIT_OK if checked.ok else EXIT_PROBLEMS)


def lint(
    paths: PathsArg = None,
    fmt: FormatOpt = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    rules: Annotated[bool, typer.Option("--rules", help="List the lint rules and exit.")] = False,
) -> None:
    """Graph and content checks: unreachable states, dead ends, shadowed timers, missing texts…

    A procedure silences a rule, with the reason on record, under
    ``lint: {ignore: [{rule, reason, where}]}``. Exits 1 on any error (on any
    warning too with --strict).
    """
    if rules:
        _rules()
        return
    files, docs = _load(paths)
    checked = check_documents(docs)
    if not checked.ok:
        _emit(checked.diagnostics, len(files), fmt, extra=" (fix the errors first: lint needs procedures that load)")
        raise typer.Exit(EXIT_PROBLEMS)
    result = lint_library(Library.from_documents(docs))
    found = sorted(
        [*checked.diagnostics, *result.diagnostics], key=lambda d: (d.source or "", d.line or 0, d.column or 0)
    )
    silenced = [d.as_dict() | {"reason": reason} for d, reason in result.silenced]
    extra = f" ({len(silenced)} silenced by lint.ignore)" if silenced else ""
    _emit(found, len(files), fmt, extra=extra, more={"silenced": silenced})
    failing = {"error", "warning"} if strict else {"error"}
    raise typer.Exit(EXIT_PROBLEMS if any(d.severity in failing for d in found) else EXIT_OK)


def _rules() -> None:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("rule", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("finds")
    for rule, (severity, meaning) in RULES.items():
        table.add_row(rule, severity, escape(meaning))
    stdout().print(table)


def schema_document() -> dict[str, Any]:
    """The JSON Schema of the procedure language, as editors want it (draft 2020-12, with an id)."""
    from sopflow.model.schema import json_schema

    return json_schema()


def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Print the JSON Schema of the procedure language, for editor completion and checking."""
    text = json.dumps(schema_document(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(f"cannot write {output}: {exc.strerror or exc}") from None
    stdout().print(f"wrote {escape(str(output))}")
