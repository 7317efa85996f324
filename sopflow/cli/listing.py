"""``sopflow list``: which procedures a library holds, so a newcomer knows what to show, graph or walk.

Every other command takes a procedure id; this is where the ids are found.
States are counted as ``show`` numbers them: a ladder's levels are one state.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table

from sopflow.cli.common import LANGUAGES, library, stdout
from sopflow.cli.show import LangOpt, LibraryOpt
from sopflow.compile import Procedure
from sopflow.errors import CommandError
from sopflow.render.text import pick

ListFormat = Literal["text", "json"]


def row(procedure: Procedure, lang: str | None) -> dict[str, Any]:
    """One procedure as ``list`` reports it; the title in ``lang``, else the procedure's first language."""
    return {
        "id": procedure.id,
        "version": procedure.version,
        "title": pick(procedure.title, lang or procedure.languages[0], procedure.languages) or procedure.id,
        "languages": list(procedure.languages),
        "states": len({state.base for state in procedure.ir.states.values()}),
    }


def list_procedures(
    lang: LangOpt = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="text for people, json for tools.")] = "text",
    library_paths: LibraryOpt = None,
) -> None:
    """List the procedures of the library: id, version, number of states and title."""
    lib = library(library_paths)
    procedures = [lib[pid] for pid in lib]
    known = dict.fromkeys([*LANGUAGES, *(x for p in procedures for x in p.languages)])
    if lang is not None and lang not in known:
        raise CommandError(f"unknown language '{lang}'; choose one of: {', '.join(known)}")
    rows = [row(p, lang) for p in procedures]
    if fmt == "json":
        sys.stdout.write(json.dumps({"procedures": rows}, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("version", justify="right", no_wrap=True)
    table.add_column("states", justify="right", no_wrap=True)
    table.add_column("title", overflow="fold")
    for r in rows:
        table.add_row(r["id"], str(r["version"]), str(r["states"]), escape(r["title"]))
    console = stdout()
    console.print(table)
    console.print(f"{len(rows)} procedure{'s' if len(rows) != 1 else ''}")
