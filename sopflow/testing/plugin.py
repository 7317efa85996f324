"""pytest plugin: a session-wide ``sopflow_library`` fixture, and nothing else.

Installed sopflow registers this module through the ``pytest11`` entry point,
so it is imported by *every* pytest run in that environment, including runs
of projects that never use sopflow. It therefore collects nothing, adds no
options and imports the engine only when the fixture is first requested:
a broken procedures folder fails the tests that ask for it, never pytest.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sopflow.library import Library


@cache
def bundled_library() -> Library:
    """The bundled procedures, loaded, checked and compiled once per process.

    Shared by the fixture and by test modules that need the library while
    collecting (to parametrise over a procedure's languages), so a test run
    pays for the load once. A load that fails is not cached and raises again.
    """
    from sopflow.library import load_library

    return load_library()


@pytest.fixture(scope="session")
def sopflow_library() -> Library:
    """The bundled library (``sopflow.load_library()``), shared by the whole test session."""
    return bundled_library()
