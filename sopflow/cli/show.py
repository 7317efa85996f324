"""``sopflow show ID``: read a procedure step by step, in the language of the person at the desk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sopflow.check import CheckedLibrary
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
ShowIdArg = Annotated[
    str, typer.Argument(metavar="ID", help="Procedure id, e.g. business.release_tenant, or a glossary's id.")
]


def show(procedure_id: ShowIdArg, lang: LangOpt = None, library_paths: LibraryOpt = None) -> None:
    """Show a procedure as a person reads it: who acts, what they say and do, what comes next.

    Given a glossary's id, show its roles, fields, warm tips and source documents, and who uses each.
    """
    from sopflow.render.show import procedure_view

    lib = library(library_paths)
    glossary = next((g for g, _ in lib.checked.glossary.glossaries if g.id == procedure_id), None)
    if glossary is not None and procedure_id not in lib:
        from sopflow.render.glossary import glossary_view

        chosen = language(lang, glossary.languages, glossary.id)
        stdout().print(glossary_view(glossary, usage(lib.checked), chosen))
        return
    procedure = lib[procedure_id]
    chosen = language(lang, procedure.languages, procedure.id)
    stdout().print(procedure_view(procedure, chosen))


def usage(checked: CheckedLibrary) -> dict[tuple[str, str], list[str]]:
    """Who uses each glossary entry: the procedures and policies that name a role or field, or cite a tip."""
    found: dict[tuple[str, str], set[str]] = {}
    shared = checked.glossary
    for doc in checked.documents:
        document = doc.checkable
        body = document.procedure or document.policy if document is not None else None
        if body is None:
            continue
        names = [("role", n) for n in body.roles] + [("field", n) for n in body.fields]
        names += [("tip", t) for state in body.states.values() for t in state.tips]
        for kind, name in names:
            if name in shared.entries(kind):
                found.setdefault((kind, name), set()).add(body.id)
    return {key: sorted(users) for key, users in found.items()}
