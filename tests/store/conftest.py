"""One contract, every backend: the ``store`` fixture is parametrised over them all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import sopflow
from sopflow.store import MemoryStore, SQLiteStore, Store
from tests.conftest import FIXTURES

LIBRARY = sopflow.load_library(FIXTURES)
BACKENDS: dict[str, Callable[[sopflow.Library, Path], Store]] = {
    "memory": lambda library, tmp: MemoryStore(library),
    "sqlite": lambda library, tmp: SQLiteStore(library, tmp / "sessions.db"),
}


DURABLE = sorted(name for name in BACKENDS if name != "memory")
"""Backends whose sessions outlive the store object (a process restart)."""


def _opener(name: str, tmp_path: Path) -> Iterator[Callable[[sopflow.Library], Store]]:
    opened: list[Store] = []

    def make(library: sopflow.Library = LIBRARY) -> Store:
        store = BACKENDS[name](library, tmp_path)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture(params=sorted(BACKENDS))
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[sopflow.Library], Store]]:
    """A function opening a store of one backend on ``library`` (the same database each time)."""
    yield from _opener(request.param, tmp_path)


@pytest.fixture(params=DURABLE)
def make_durable_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[sopflow.Library], Store]]:
    """The same, for the backends that keep sessions across a restart."""
    yield from _opener(request.param, tmp_path)


@pytest.fixture
def store(make_store: Callable[[sopflow.Library], Store]) -> Store:
    return make_store(LIBRARY)
