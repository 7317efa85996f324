"""``sopflow show ID``: read a procedure step by step, in the language of the person at the desk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sopflow.cli.common import language, library, stdout

LibraryOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--library",
        "-L",
        help="Load procedures from this file or folder instead of the bundled library (repeatable).",
        show_default=False,
    ),
]
LangOpt = Annotated[
    str | None,
    typer.Option("--lang", "-l", help="zh-Hant, zh-Hans or en (default: the procedure's first language)."),
]
IdArg = Annotated[str, typer.Argument(metavar="ID", help="Procedure id, e.g. business.release_tenant.")]


def show(procedure_id: IdArg, lang: LangOpt = None, library_paths: LibraryOpt = None) -> None:
    """Show a procedure as a person reads it: who acts, what they say and do, what comes next."""
    from sopflow.render.show import procedure_view

    procedure = library(library_paths)[procedure_id]
    chosen = language(lang, procedure.languages, procedure.id)
    stdout().print(procedure_view(procedure, chosen))
