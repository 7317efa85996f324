"""Every store method called with a wrong kind of value: a SopflowError, never a driver's error or a hang."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sopflow
from sopflow.store import MemoryStore, SQLiteStore, Store
from tests.conftest import FIXTURES
from tests.fuzz.junk import junk

LIBRARY = sopflow.load_library(FIXTURES)
CLOCK = sopflow.ManualClock("2026-03-02T09:00:00+08:00")
JUNK = junk(st.sampled_from(["test.release", "front_desk", "id_copied", "\0"]), st.just(CLOCK))
CALLS: dict[str, Callable[[Store, Any, Any, Any], Any]] = {
    "start": lambda s, a, b, c: s.start(a, clock=b, role=c),
    "start_data": lambda s, a, b, c: s.start("test.release", clock=CLOCK, role="front_desk", data=a, lang=b),
    "row": lambda s, a, b, c: s.row(a),
    "load": lambda s, a, b, c: s.load(a, b),
    "fire": lambda s, a, b, c: s.fire(a, b, role=c, clock=CLOCK),
    "fire_data": lambda s, a, b, c: s.fire(s.sessions()[0].id, "id_copied", role=a, clock=CLOCK, data=b, lang=c),
    "sessions": lambda s, a, b, c: s.sessions(a),
    "journal": lambda s, a, b, c: s.journal(a),
    "run_due": lambda s, a, b, c: s.run_due(a, batch=b, limit=c),
    "migrate": lambda s, a, b, c: s.migrate(a, clock=b, version=c),
}


@pytest.fixture(params=["memory", "sqlite"], scope="module")
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    made: Store = (
        MemoryStore(LIBRARY) if request.param == "memory" else SQLiteStore(LIBRARY, tmp_path_factory.mktemp("db") / "s")
    )
    made.start("test.release", clock=CLOCK, role="front_desk", data={"unit": "3-1201"})
    return made


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(method=st.sampled_from(sorted(CALLS)), a=JUNK, b=JUNK, c=JUNK)
def test_a_store_called_with_anything_answers_or_refuses(store: Store, method: str, a: Any, b: Any, c: Any) -> None:
    with contextlib.suppress(sopflow.SopflowError):
        CALLS[method](store, a, b, c)
