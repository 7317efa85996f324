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
