"""Helpers shared by the CLI tests (a module of its own: ``conftest`` names clash across folders)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

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
