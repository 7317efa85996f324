"""``sopflow validate``, ``sopflow lint`` and ``sopflow schema``: the author's and CI's commands.

Output is one line per finding in the ``file:line:col:`` form editors jump
to, then a summary; ``--format json`` gives the same for tools.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table

from sopflow.analysis.lint import RULES, lint_library
from sopflow.check import check_documents
from sopflow.cli.common import EXIT_OK, EXIT_PROBLEMS, print_diagnostics, stdout, summary, write_out
from sopflow.cli.files import Selection, select
from sopflow.diagnostics import Diagnostic
from sopflow.library import Library

Format = Literal["text", "json"]
PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(metavar="PATH...", help="Procedure files, or folders to search for *.yaml.", show_default=False),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="text for people, json for editors and CI.")]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        "-x",
        metavar="GLOB",
        help="Leave out files whose path, or any run of its folders and name, matches GLOB (repeatable).",
        show_default=False,
    ),
]


def _emit(
    diagnostics: list[Diagnostic],
    chosen: Selection,
    fmt: Format,
    *,
    notes: Sequence[str] = (),
    more: dict[str, Any] | None = None,
) -> None:
    if fmt == "json":
        counts = {s: sum(d.severity == s for d in diagnostics) for s in ("error", "warning", "info")}
        body = {
            "files": len(chosen.files),
            "counts": counts,
            "diagnostics": [d.as_dict() for d in diagnostics],
            **(more or {}),
            "skipped": [{"source": str(p), "reason": "scenario"} for p in chosen.scenarios],
        }
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        return
    console = stdout()
    print_diagnostics(console, diagnostics)
    extra = "; ".join(n for n in (*notes, chosen.note()) if n)
    console.print(escape(summary(diagnostics, len(chosen.files), f" ({extra})" if extra else "")), soft_wrap=True)


def validate(paths: PathsArg = None, fmt: FormatOpt = "text", exclude: ExcludeOpt = None) -> None:
    """Check procedure files: YAML syntax, schema, names, references and guard types.

    Scenario files found among them are skipped and counted. Exits 0 when
    every file is valid (warnings allowed), 1 when any has an error, 2 when a
    path does not exist.
    """
    chosen = select(paths, exclude or [])
    checked = check_documents(chosen.docs)
    _emit(checked.diagnostics, chosen, fmt)
    raise typer.Exit(EXIT_OK if checked.ok else EXIT_PROBLEMS)


def lint(
    paths: PathsArg = None,
    fmt: FormatOpt = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    rules: Annotated[bool, typer.Option("--rules", help="List the lint rules and exit.")] = False,
    exclude: ExcludeOpt = None,
) -> None:
    """Graph and content checks: unreachable states, dead ends, shadowed timers, missing texts…

    A procedure silences a rule, with the reason on record, under
    ``lint: {ignore: [{rule, reason, where}]}``. Exits 1 on any error (on any
    warning too with --strict).
    """
    if rules:
        _rules()
        return
    chosen = select(paths, exclude or [])
    checked = check_documents(chosen.docs)
    if not checked.ok:
        _emit(checked.diagnostics, chosen, fmt, notes=["fix the errors first: lint needs procedures that load"])
        raise typer.Exit(EXIT_PROBLEMS)
    result = lint_library(Library.from_documents(chosen.docs))
    found = sorted(
        [*checked.diagnostics, *result.diagnostics], key=lambda d: (d.source or "", d.line or 0, d.column or 0)
    )
    silenced = [d.as_dict() | {"reason": reason} for d, reason in result.silenced]
    notes = [f"{len(silenced)} silenced by lint.ignore"] if silenced else []
    notes += result.skipped
    _emit(found, chosen, fmt, notes=notes, more={"silenced": silenced, "not_run": result.skipped})
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


def schema_document(paths: Sequence[Path] | None = None) -> dict[str, Any]:
    """The JSON Schema of the procedure language, as editors want it (draft 2020-12, with an id).

    Given a library's files, the names its glossary defines are offered for completion too.
    """
    from sopflow.check.glossary import gather
    from sopflow.model.schema import json_schema, library_schema

    if not paths:
        return json_schema()
    shared, _ = gather(select(paths, []).docs)

    def about(entries: Mapping[str, Any]) -> dict[str, str]:
        return {name: " / ".join((entry.title or {}).values()) for name, entry in entries.items()}

    found = library_schema(about(shared.roles), about(shared.fields), about(shared.tips), about(shared.documents))
    found["title"] += ", with the names of a library's glossary"
    return found


def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
    library_paths: Annotated[
        list[Path] | None,
        typer.Option(
            "--library",
            "-L",
            help="Offer the names of this library's glossary for completion (file or folder, repeatable).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of the procedure language, for editor completion and checking."""
    text = json.dumps(schema_document(library_paths), ensure_ascii=False, indent=2) + "\n"
    write_out(text, output, say=True)
