"""Fixtures for testing the scenario runner against the small fixture procedures.

The runner is tested here rather than through tests/scenarios so that its
behaviour does not depend on the real procedures, which change every week.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sopflow

HERE = Path(__file__).parent
FIXTURES = HERE.parent / "fixtures"


@pytest.fixture(scope="session")
def runner_library() -> sopflow.Library:
    """tests/fixtures plus a greeting procedure with `do` texts and a private field in its `say`."""
    return sopflow.load_library(FIXTURES, HERE / "procedures")


@pytest.fixture(scope="session")
def scenarios_dir() -> Path:
    """Where the runner's own scenario files are: passing/, failing/, malformed/, misfit/."""
    return HERE / "scenarios"
