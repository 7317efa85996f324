"""``sopflow handbook -o DIR``: the library as pages staff read and train with, in the desk's three languages."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape

from sopflow.cli.common import library, stdout
from sopflow.cli.graph import graphviz
from sopflow.cli.show import LibraryOpt
from sopflow.errors import CommandError, CommandFailed
from sopflow.library import Library
from sopflow.model import Text

HandbookFormat = Literal["html", "markdown"]
JINJA = "the handbook needs Jinja2: pip install 'sopflow[handbook]'"
"""What to install when the templates' engine is missing."""
NO_DOT = (
    "the handbook's diagrams need Graphviz's 'dot' program, which is not installed; install Graphviz "
    "(apt-get install graphviz, brew install graphviz, or https://graphviz.org/download/) or give --no-diagrams"
)


def handbook(
    output: Annotated[Path, typer.Option("--output", "-o", help="Write the pages into this folder.")],
    fmt: Annotated[
        HandbookFormat,
        typer.Option("--format", "-f", help="html (diagrams, search, print styles) or markdown (for a docs site)."),
    ] = "html",
    no_diagrams: Annotated[
        bool, typer.Option("--no-diagrams", help="HTML without the Graphviz diagrams (each page says so).")
    ] = False,
    library_paths: LibraryOpt = None,
) -> None:
    """Write a handbook of the procedures: one page per procedure and language, with an index.

    Each page gives the roles, every step with what to say and do, checklists, timers and
    promises in words, the policies used, the warm tips cited and the source of each part.
    HTML diagrams are drawn by Graphviz's dot; without it the command stops and says how to
    install it (or give --no-diagrams).
    """
    if importlib.util.find_spec("jinja2") is None:
        raise CommandError(JINJA)
    from sopflow.render.handbook import Shelf, html_pages, markdown_pages

    if fmt == "html" and not no_diagrams and shutil.which("dot") is None:
        raise CommandFailed(NO_DOT)
    lib = library(library_paths)
    shelf = Shelf([lib[pid] for pid in lib], policy_titles(lib))
    if fmt == "markdown":
        pages = markdown_pages(shelf)
    else:
        pages = html_pages(shelf, None if no_diagrams else lambda source: graphviz(source, "svg").decode())
    for name, text in pages.items():
        path = output / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
    index = output / ("index.html" if fmt == "html" else "index.md")
    count = len(shelf.procedures)
    stdout().print(f"wrote {len(pages)} files for {count} procedures; open {escape(str(index))}", soft_wrap=True)


def policy_titles(lib: Library) -> dict[str, Text]:
    """The title of each policy in the library, by id, for the procedures that use it."""
    found: dict[str, Text] = {}
    for doc in lib.checked.documents:
        document = doc.checkable
        if document is not None and document.policy is not None:
            found[document.policy.id] = document.policy.title
    return found
