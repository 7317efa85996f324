"""Shared fixtures: the small test library in tests/fixtures and a manual clock."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import sopflow

# Compiled libraries go to a folder of this run's own, never the user's cache: every test
# (and every process a test starts) loads through the cache, from empty.
CACHE = Path(tempfile.mkdtemp(prefix="sopflow-test-cache-"))
os.environ["SOPFLOW_CACHE_DIR"] = str(CACHE)
os.environ.pop("SOPFLOW_NO_CACHE", None)


@pytest.fixture(scope="session", autouse=True)
def _cache_folder() -> Iterator[None]:
    yield
    shutil.rmtree(CACHE, ignore_errors=True)


FIXTURES = Path(__file__).parent / "fixtures"
TIMER_LOOP = """
sopflow: 1
procedure:
  id: t.loop
  version: 1
  title: {en: Loop}
  languages: [en]
  roles: {desk: {title: {en: desk}}}
  initial: waiting
  states:
    waiting:
      role: desk
      timers:
        remind: {after: 1 minute, to: BACK}
      on:
        done: finished
    other:
      role: desk
      OTHER
    finished: {final: completed}
"""
"""A procedure whose first state's timer leads to BACK; OTHER is the rest of the second state."""


@pytest.fixture(scope="session")
def library() -> sopflow.Library:
    """The fixture library: a tenant release calling an owner call, an inquiry ladder, a policy."""
    return sopflow.load_library(FIXTURES)


@pytest.fixture
def clock() -> sopflow.ManualClock:
    return sopflow.ManualClock("2026-03-02T09:00:00+08:00")


@pytest.fixture
def release(library: sopflow.Library, clock: sopflow.ManualClock) -> sopflow.Session:
    """A tenant release session, in English, strict."""
    return library.start(
        "test.release", clock=clock, role="front_desk", data={"unit": "3-1201"}, lang="en", strict=True
    )


def drive_to_owner_call(session: sopflow.Session) -> None:
    """Fees paid, items listed: the session is now inside the owner call."""
    session.fire("id_copied", role="front_desk", data={"id_copy": "scan-001"})
    session.fire("checked", role="front_desk")
    session.fire("fees_checked", role="front_desk", data={"arrears_months": 0})
    session.fire("items_listed", role="front_desk", data={"items": ["TV", "sofa"]})
