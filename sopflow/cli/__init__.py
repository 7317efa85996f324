"""The ``sopflow`` command: validate, lint, show, graph, walk through and describe procedures.

Commands are thin: they parse options, call the engine and a renderer from
:mod:`sopflow.render`, and choose the exit status. ``import sopflow`` never
imports this package, so rich and typer cost nothing to library users.

rich and typer come with the ``[cli]`` extra. A host installs sopflow
without it, yet still gets the ``sopflow`` script, so this package imports
without them and :func:`main` says which extra to install instead of
showing an ImportError traceback.
"""

from __future__ import annotations

import sys

CLI_EXTRA = ("rich", "typer")
"""What the command needs beyond sopflow's own dependencies: the ``[cli]`` extra."""
HINT = 'sopflow: the command line needs rich and typer; install them with: pip install "sopflow[cli]"'

try:
    from sopflow.cli.app import app
except ModuleNotFoundError as exc:
    if (exc.name or "").partition(".")[0] not in CLI_EXTRA:
        raise
    _missing: str | None = exc.name
else:
    _missing = None


def main() -> None:
    """Entry point of the ``sopflow`` script and of ``python -m sopflow``; exit 2 without the ``[cli]`` extra."""
    if _missing is not None:
        print(HINT, file=sys.stderr)
        raise SystemExit(2)
    app(prog_name="sopflow")


__all__ = ["app", "main"]
