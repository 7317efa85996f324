"""The ``sopflow`` command: validate, lint, show, graph, walk through and describe procedures.

Commands are thin: they parse options, call the engine and a renderer from
:mod:`sopflow.render`, and choose the exit status. ``import sopflow`` never
imports this package, so rich and typer cost nothing to library users.
"""

from __future__ import annotations

from sopflow.cli.app import app


def main() -> None:
    """Entry point of the ``sopflow`` script and of ``python -m sopflow``."""
    app(prog_name="sopflow")


__all__ = ["app", "main"]
