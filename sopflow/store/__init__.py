"""Durable sessions: one contract, kept in memory, in SQLite, or in PostgreSQL.

    store = SQLiteStore(library, "desk.db")
    session = store.start("business.release_tenant", clock=clock, role="front_desk", data=...)
    store.fire(session.id, "id_copied", role="front_desk", clock=clock, data=...)
    store.run_due(clock.now())            # timers that fell due while nobody was looking

``PostgresStore`` (``pip install "sopflow[postgres]"``) is the same contract for many workers.
"""

from sopflow.store.base import DueReport, MigrationReport, Store
from sopflow.store.memory import MemoryStore
from sopflow.store.open import open_store
from sopflow.store.postgres import PostgresStore
from sopflow.store.rows import JournalQuery, SessionQuery, SessionRow
from sopflow.store.sqlite import SQLiteStore

__all__ = [
    "DueReport",
    "JournalQuery",
    "MemoryStore",
    "MigrationReport",
    "PostgresStore",
    "SQLiteStore",
    "SessionQuery",
    "SessionRow",
    "Store",
    "open_store",
]
