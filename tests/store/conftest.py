"""One contract, every backend: the ``store`` fixture is parametrised over them all.

The PostgreSQL backend runs on a real server (``tests/store/postgres_server.py``),
started once for the session by the ``postgres`` fixture; each test gets a schema of
its own, dropped when it ends. It is never skipped: a server that cannot start is an
error of every PostgreSQL test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import sopflow
from sopflow.store import MemoryStore, PostgresStore, SQLiteStore, Store
from tests.conftest import FIXTURES
from tests.store import postgres_server

LIBRARY = sopflow.load_library(FIXTURES)
BACKENDS: dict[str, Callable[[sopflow.Library, Path], Store]] = {
    "memory": lambda library, tmp: MemoryStore(library),
    "sqlite": lambda library, tmp: SQLiteStore(library, tmp / "sessions.db"),
    "postgres": lambda library, tmp: PostgresStore(library, postgres_server.conninfo_for(tmp), max_size=4),
}


DURABLE = sorted(name for name in BACKENDS if name != "memory")
"""Backends whose sessions outlive the store object (a process restart)."""


@pytest.fixture(scope="session")
def postgres() -> Iterator[postgres_server.Server]:
    """The PostgreSQL server of this test session."""
    server = postgres_server.start()
    postgres_server.SERVER = server
    postgres_server.USED = postgres_server.describe(server)
    yield server
    postgres_server.SERVER = None
    server.stop()


def _opener(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[sopflow.Library], Store]]:
    if name == "postgres":
        request.getfixturevalue("postgres")
    opened: list[Store] = []

    def make(library: sopflow.Library = LIBRARY) -> Store:
        store = BACKENDS[name](library, tmp_path)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()
    if name == "postgres":
        postgres_server.release(tmp_path)


@pytest.fixture(params=sorted(BACKENDS))
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[sopflow.Library], Store]]:
    """A function opening a store of one backend on ``library`` (the same database each time)."""
    yield from _opener(request.param, tmp_path, request)


@pytest.fixture(params=DURABLE)
def make_durable_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[sopflow.Library], Store]]:
    """The same, for the backends that keep sessions across a restart."""
    yield from _opener(request.param, tmp_path, request)


@pytest.fixture
def store(make_store: Callable[[sopflow.Library], Store]) -> Store:
    return make_store(LIBRARY)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if postgres_server.USED is not None:
        terminalreporter.write_line(f"store tests ran on {postgres_server.USED}")
