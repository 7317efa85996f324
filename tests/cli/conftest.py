"""Drive the ``sopflow`` command as a user would: in-process for speed, as a subprocess for truth."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import DATA, FIXTURES, ROOT, Invoke, Run, plain_env
from typer.testing import CliRunner, Result

from sopflow.cli import app


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """``cli("show", "test.release", "-L", path)``: the app in-process, output captured."""
    for key, value in plain_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SOPFLOW_DEBUG", raising=False)
    runner = CliRunner()

    def invoke(*args: str | Path, input: str | None = None) -> Result:
        return runner.invoke(app, [str(a) for a in args], input=input, prog_name="sopflow")

    return invoke


@pytest.fixture
def sopflow() -> Run:
    """``sopflow("validate", path)``: ``python -m sopflow`` in a child process, from the repository root."""

    def run(
        *args: str | Path, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sopflow", *map(str, args)],
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
            env=env or plain_env(),
            timeout=60,
            check=False,
        )

    return run
