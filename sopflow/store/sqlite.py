"""The embedded default store: SQLite from the standard library, one file, several processes.

Every transaction that writes begins with ``BEGIN IMMEDIATE``: SQLite then holds its one
write lock for the whole read-modify-write, across processes, so two workers can never
interleave on a session — a stale writer is impossible inside one transaction, and a
claim of due timers needs no row locks: the next worker waits (``busy_timeout``) and then
sees the rows the first one already moved on. WAL lets readers go on meanwhile. A worker
killed mid-transaction leaves nothing behind: SQLite rolls the transaction back.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sopflow.errors import StoreError
from sopflow.library import Library
from sopflow.runtime import Entry
from sopflow.store.base import Store, Tx
from sopflow.store.rows import JournalQuery, SessionQuery, SessionRow, query_of
from sopflow.store.sql import Dialect, SqlTx, entries, journal_query, prepare, rows, session_query

SQLITE = Dialect(name="sqlite", json="TEXT", boolean="INTEGER", claim_lock="", read_lock="")
BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another process's write lock before giving up."""


class SQLiteStore(Store):
    """Sessions in one SQLite file (or ``":memory:"``), shared safely by threads and processes."""

    def __init__(self, library: Library, path: str | Path = ":memory:") -> None:
        super().__init__(library)
        self.path = str(path)
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()
        self._shared: sqlite3.Connection | None = None
        self._shared_lock = threading.RLock()
        if self.path == ":memory:":
            # One in-memory database is one connection; threads take turns on it.
            self._shared = self._connect()
        with self.transaction() as tx:
            assert isinstance(tx, SqlTx)
            prepare(tx.cur, SQLITE)

    def _connect(self) -> sqlite3.Connection:
        try:
            # Each thread drives its own connection; close() may run in another thread, hence no same-thread check.
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")  # durable at each checkpoint; safe with WAL
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the SQLite store at {self.path}: {exc}") from None
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._shared is not None:
            with self._shared_lock:
                yield self._shared
            return
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            with self._opened_lock:
                self._opened.append(conn)
        yield conn

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._connection() as conn:
            cur = conn.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"the SQLite store at {self.path} is busy or unavailable: {exc}") from None
            try:
                try:
                    yield SqlTx(cur, SQLITE)
                except BaseException:
                    with suppress(sqlite3.Error):  # the first error is the one to tell
                        conn.rollback()
                    raise
                try:
                    conn.commit()
                except sqlite3.Error as exc:
                    with suppress(sqlite3.Error):
                        conn.rollback()
                    raise StoreError(f"the SQLite store at {self.path} could not commit: {exc}") from None
            except sqlite3.Error as exc:  # a statement of the transaction: a damaged file, a full disk
                raise StoreError(f"the SQLite store at {self.path} could not complete a transaction: {exc}") from None
            finally:
                cur.close()

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """Reads need no write lock: WAL lets them run beside a writer, each SELECT consistent."""
        with self._connection() as conn:
            try:
                cur = conn.cursor()
                try:
                    yield SqlTx(cur, SQLITE)
                finally:
                    cur.close()
            except sqlite3.Error as exc:
                raise StoreError(f"the SQLite store at {self.path} could not read: {exc}") from None

    def _read(self, sql: str, params: list[Any]) -> list[Any]:
        with self.reading() as tx:
            assert isinstance(tx, SqlTx)
            found: list[Any] = tx.cur.execute(sql, params).fetchall()
        return found

    def sessions(self, query: SessionQuery | None = None) -> list[SessionRow]:
        return rows(self._read(*session_query(SQLITE, query_of(query, SessionQuery))))

    def journal(self, query: JournalQuery) -> list[Entry]:
        return entries(self._read(*journal_query(SQLITE, query_of(query, JournalQuery))))

    def close(self) -> None:
        """Close every connection this store opened, in whichever thread opened it."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()
        self._local = threading.local()
        if self._shared is not None:
            self._shared.close()
            self._shared = None
