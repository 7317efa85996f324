"""``sopflow graph ID``: the procedure as a diagram, in Mermaid or DOT, or drawn by Graphviz."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape

from sopflow.cli.common import language, library, stdout
from sopflow.cli.show import IdArg, LangOpt, LibraryOpt
from sopflow.errors import CommandError, CommandFailed

GraphFormat = Literal["mermaid", "dot", "svg", "png"]
_INSTALL = (
    "drawing {fmt} needs Graphviz's 'dot' program, which is not installed; install Graphviz "
    "(apt-get install graphviz, brew install graphviz, or https://graphviz.org/download/) "
    "or use --format mermaid or --format dot"
)


def graph(
    procedure_id: IdArg,
    fmt: Annotated[
        GraphFormat, typer.Option("--format", "-f", help="mermaid or dot as text; svg or png via Graphviz.")
    ] = "mermaid",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (png needs one).")] = None,
    lang: LangOpt = None,
    library_paths: LibraryOpt = None,
) -> None:
    """Draw a procedure: states coloured by outcome, timers dashed, escalations and policies bold."""
    from sopflow.render import dot, mermaid

    procedure = library(library_paths)[procedure_id]
    chosen = language(lang, procedure.languages, procedure.id)
    if fmt == "mermaid":
        markdown = output is not None and output.suffix == ".md"
        text = mermaid.markdown_page(procedure, chosen) if markdown else mermaid.to_mermaid(procedure, chosen)
        _write(text.encode(), output)
        return
    source = dot.to_dot(procedure, chosen)
    if fmt == "dot":
        _write(source.encode(), output)
        return
    if fmt == "png" and output is None and sys.stdout.isatty():
        raise CommandError("a PNG is binary; give --output FILE (or pipe the output)")
    _write(graphviz(source, fmt), output)


def graphviz(source: str, fmt: str) -> bytes:
    """Run Graphviz's ``dot`` to draw ``source`` as ``fmt``."""
    program = shutil.which("dot")
    if program is None:
        raise CommandFailed(_INSTALL.format(fmt=fmt))
    try:
        done = subprocess.run(
            [program, f"-T{fmt}"], input=source.encode(), capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CommandFailed(f"Graphviz's dot failed to run: {exc}") from None
    if done.returncode != 0:
        raise CommandFailed(f"Graphviz's dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
    stdout().print(f"wrote {escape(str(output))}", soft_wrap=True)
