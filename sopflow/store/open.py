"""A store from a URL, so a command line or a configuration file can name one."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import cast

from sopflow.errors import StoreError
from sopflow.library import Library
from sopflow.store.base import Store
from sopflow.store.memory import MemoryStore
from sopflow.store.sqlite import SQLiteStore


def open_store(url: str, library: Library) -> Store:
    """``sqlite:///path/to/file.db``, a plain file path, ``memory:``, or ``postgresql://…``."""
    if url in ("memory:", "memory://"):
        return MemoryStore(library)
    if url.startswith(("postgresql://", "postgres://")):
        try:  # only where the [postgres] extra is installed
            postgres = importlib.import_module("sopflow.store.postgres")
        except ImportError:
            raise StoreError('a PostgreSQL store needs: pip install "sopflow[postgres]"') from None
        return cast(Store, postgres.PostgresStore(library, url))
    if url.startswith("sqlite:///"):
        # sqlite:///relative.db and sqlite:////absolute/path.db, as SQLAlchemy spells them
        return SQLiteStore(library, url.removeprefix("sqlite:///") or ":memory:")
    if "://" in url:
        raise StoreError(f"unknown store '{url.split('://')[0]}://'; use sqlite:///file.db, postgresql://… or memory:")
    return SQLiteStore(library, Path(url))


def store_file(url: str) -> Path | None:
    """The SQLite file a store URL names (``None`` for PostgreSQL, memory, or ``sqlite:///`` alone).

    Commands that only read a store check it exists first: opening a SQLite path creates an
    empty database, and a typo would otherwise read as a store with no sessions.
    """
    if url in ("memory:", "memory://") or url.startswith(("postgresql://", "postgres://")):
        return None
    if url.startswith("sqlite:///"):
        rest = url.removeprefix("sqlite:///")
        return Path(rest) if rest and rest != ":memory:" else None
    return None if "://" in url or url == ":memory:" else Path(url)
