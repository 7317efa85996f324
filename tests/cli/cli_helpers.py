"""Helpers shared by the CLI tests (a module of its own: ``conftest`` names clash across folders)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
from typer.testing import Result

ROOT = Path(__file__).parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DATA = Path(__file__).parent / "data"

Invoke = Callable[..., Result]
Run = Callable[..., subprocess.CompletedProcess[str]]


def plain_env(**extra: str) -> dict[str, str]:
    """The environment of a plain terminal-less user: no colour, 80 columns, no debug."""
    env = {k: v for k, v in os.environ.items() if k not in ("SOPFLOW_DEBUG", "FORCE_COLOR")}
    return env | {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb", "PYTHONIOENCODING": "utf-8"} | extra


def spawn(*args: str | Path) -> pexpect.spawn:
    """``sopflow ARGS`` on an 80-column pseudo-terminal; what it shows is kept in ``logfile_read``."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "sopflow", *map(str, args)],
        cwd=str(ROOT),
        env=plain_env(),
        encoding="utf-8",
        timeout=15,
        dimensions=(50, 80),
    )
    child.logfile_read = io.StringIO()
    return child


def finish(child: pexpect.spawn) -> tuple[int | None, str]:
    """Wait for the child to end: its exit status and everything it showed."""
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.logfile_read.getvalue()
