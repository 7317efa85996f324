"""The store for many workers: PostgreSQL through psycopg 3 and a connection pool.

    store = PostgresStore(library, "postgresql://desk@db.example/sopflow", max_size=10)

``pip install "sopflow[postgres]"`` brings psycopg (with its libpq) and psycopg-pool;
importing this module does not import them, so plain sopflow installs without them and
only opening a store asks for the extra.

Every transaction takes one connection from the pool and runs at ``READ COMMITTED``,
PostgreSQL's default. That is enough, because no promise of the store rests on a
snapshot of several rows staying still; each rests on one row and a lock:

- ``commit`` is ``UPDATE ... WHERE id = ? AND seq = ?`` (with the step's entry appended
  in the same statement, from the updated row, so only if there was one). A second
  writer of the same row waits for the first to commit, then PostgreSQL evaluates its
  ``WHERE`` again on the row as the first left it: the revision no longer matches, no
  row is updated, nothing is appended, and the store raises
  :class:`~sopflow.errors.StaleSession`.
- ``fire`` (and each step of the due-timer runner and of a migration) reads the row, or
  only its revision when the store kept the session ready, ``FOR UPDATE``: a second
  request for the same session waits, then reads what the first committed, so the two
  take turns instead of failing.
- the due-timer runner claims its batch ``FOR UPDATE SKIP LOCKED``: each row is locked
  by one worker; another worker skips it rather than waiting, and a row the first one
  has already moved on is checked again after the lock (it is no longer due, so it is
  not claimed). A worker that dies mid-batch loses its connection, PostgreSQL rolls its
  transaction back and releases the locks, and the batch is due again for the others.
- ``start`` inserts with ``ON CONFLICT DO NOTHING``: two starts of one id cannot both
  succeed, whichever commits first.

Reads (``load``, ``row``, ``sessions``, ``journal``) are single statements, run without
a transaction around them. The tables are created (or upgraded) in one transaction
holding an advisory lock, so several processes opening a new database at once create
them once. A database error is a :class:`~sopflow.errors.StoreError` naming
PostgreSQL's message (never the values that were written); the transaction is rolled
back and nothing of it is kept. PostgreSQL cannot keep the character NUL in text: a
session whose data holds one is refused with a ``StoreError`` at the commit that would
store it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sopflow.errors import StoreError, UsageError
from sopflow.library import Library
from sopflow.runtime import Entry
from sopflow.store.base import Store, Tx
from sopflow.store.rows import JournalQuery, SessionQuery, SessionRow, query_of
from sopflow.store.sql import (
    SCHEMA_VERSION,
    Dialect,
    SqlTx,
    entries,
    journal_query,
    prepare,
    rows,
    session_query,
)

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg_pool import ConnectionPool

POSTGRES = Dialect(
    name="postgresql",
    json="JSONB",
    boolean="BOOLEAN",
    claim_lock=" FOR UPDATE SKIP LOCKED",
    read_lock=" FOR UPDATE",
    placeholder="%s",
    json_param="?::jsonb",
    write_with=True,
)

HINT = 'the PostgreSQL store needs psycopg and psycopg-pool: pip install "sopflow[postgres]"'
"""What a host without the ``[postgres]`` extra is told."""

SCHEMA_LOCK = 0x736F70666C6F77  # "sopflow"
"""The advisory lock key held while the tables are created or upgraded."""


def _drivers() -> tuple[ModuleType, ModuleType]:
    """psycopg and psycopg_pool, or the hint to install them."""
    try:
        return importlib.import_module("psycopg"), importlib.import_module("psycopg_pool")
    except ImportError as exc:
        raise StoreError(f"{HINT} ({exc})") from None


class PostgresStore(Store):
    """Sessions in PostgreSQL, shared by any number of threads, processes and machines.

    ``conninfo_or_pool`` is a libpq connection string or URI, for which the store opens
    (and on :meth:`close`, closes) a pool of ``min_size`` to ``max_size`` connections;
    or a ``psycopg_pool.ConnectionPool`` the host opened and will close itself. The
    tables live in the first schema of the connection's ``search_path``.
    """

    def __init__(
        self,
        library: Library,
        conninfo_or_pool: str | ConnectionPool[Any],
        *,
        min_size: int = 1,
        max_size: int = 10,
    ) -> None:
        super().__init__(library)
        psycopg, psycopg_pool = _drivers()
        self._errors: tuple[type[Exception], ...] = (psycopg.Error,)
        self._tuple_row: Any = importlib.import_module("psycopg.rows").tuple_row  # whatever the host's pool returns
        self._owned = isinstance(conninfo_or_pool, str)
        if isinstance(conninfo_or_pool, str):
            if not 0 <= min_size <= max_size or max_size < 1:
                raise UsageError(
                    f"a pool needs 0 <= min_size <= max_size and 1 <= max_size, not {min_size}, {max_size}"
                )
            self._pool: ConnectionPool[Any] = psycopg_pool.ConnectionPool(
                conninfo_or_pool,
                min_size=min_size,
                max_size=max_size,
                open=False,
                configure=_configure,
                name="sopflow",
            )
            # Prepare on a connection of its own: a wrong address or password is told as libpq words it.
            try:
                with psycopg.connect(conninfo_or_pool) as conn:
                    _prepare(conn)
            except psycopg.Error as exc:
                raise StoreError(f"cannot open the PostgreSQL store: {_message(exc)}") from None
            self._pool.open()
        elif isinstance(conninfo_or_pool, psycopg_pool.ConnectionPool):
            self._pool = conninfo_or_pool
            try:
                with self._pool.connection() as conn:
                    _prepare(conn)
            except psycopg.Error as exc:
                raise StoreError(f"cannot open the PostgreSQL store: {_message(exc)}") from None
        else:
            raise UsageError(
                "PostgresStore takes a connection string or a psycopg_pool.ConnectionPool, "
                f"not {type(conninfo_or_pool).__name__}"
            )

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        """A pooled connection, given back to the pool whatever happens."""
        try:
            conn = self._pool.getconn()
        except self._errors as exc:
            raise StoreError(f"the PostgreSQL store has no connection: {_message(exc)}") from None
        try:
            yield conn
        finally:
            self._pool.putconn(conn)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One pooled connection, one transaction at READ COMMITTED (see the module's docstring for why)."""
        errors = self._errors
        with self._connection() as conn:
            try:
                explicit = conn.autocommit  # a host's pool may hand out autocommit connections
                cur = conn.cursor(row_factory=self._tuple_row)
                try:
                    if explicit:
                        cur.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
                    try:
                        yield SqlTx(cur, POSTGRES)
                    except BaseException:
                        with suppress(
                            *errors
                        ):  # the first error is the one to tell; the pool drops a broken connection
                            if explicit:
                                cur.execute("ROLLBACK")
                            else:
                                conn.rollback()
                        raise
                    if explicit:
                        cur.execute("COMMIT")
                    else:
                        conn.commit()
                finally:
                    cur.close()
            except errors as exc:
                raise StoreError(f"the PostgreSQL store could not complete a transaction: {_message(exc)}") from None

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """Reads are single statements: each runs on its own (autocommit), one round trip, no BEGIN or COMMIT."""
        errors = self._errors
        with self._connection() as conn:
            try:
                was = conn.autocommit
                conn.autocommit = True
                try:
                    with conn.cursor(row_factory=self._tuple_row) as cur:
                        yield SqlTx(cur, POSTGRES)
                finally:
                    with suppress(*errors):  # a broken connection is dropped by the pool
                        conn.autocommit = was
            except errors as exc:
                raise StoreError(f"the PostgreSQL store could not read: {_message(exc)}") from None

    def _read(self, sql: str, params: list[Any]) -> list[Any]:
        with self.reading() as tx:
            assert isinstance(tx, SqlTx)
            tx.cur.execute(sql, params)
            found: list[Any] = tx.cur.fetchall()
        return found

    def sessions(self, query: SessionQuery | None = None) -> list[SessionRow]:
        return rows(self._read(*session_query(POSTGRES, query_of(query, SessionQuery))))

    def journal(self, query: JournalQuery) -> list[Entry]:
        return entries(self._read(*journal_query(POSTGRES, query_of(query, JournalQuery))))

    def close(self) -> None:
        """Close the pool the store opened; a pool the host gave stays open."""
        if self._owned:
            self._pool.close()


def _configure(conn: Connection[Any]) -> None:
    """Every pooled connection of the store's own pool: READ COMMITTED, whatever the server's default."""
    psycopg = importlib.import_module("psycopg")
    conn.isolation_level = psycopg.IsolationLevel.READ_COMMITTED


def _prepare(conn: Connection[Any]) -> None:
    """Create or upgrade the tables unless they are current; one process at a time does it."""
    tuple_row = importlib.import_module("psycopg.rows").tuple_row
    with conn.transaction(), conn.cursor(row_factory=tuple_row) as cur:
        cur.execute("SELECT to_regclass('sopflow_meta') IS NOT NULL")
        exists = cur.fetchone()
        if exists is not None and exists[0]:
            cur.execute("SELECT value FROM sopflow_meta WHERE name = 'schema_version'")
            found = cur.fetchone()
            if found is not None and int(found[0]) == SCHEMA_VERSION:
                return  # current: no DDL, so no lock that would make writers wait
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        prepare(cur, POSTGRES)


def _message(exc: BaseException) -> str:
    """PostgreSQL's primary message and code: its detail and context may quote the values written."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None)
    sqlstate = getattr(exc, "sqlstate", None)
    if primary and sqlstate:
        return f"{primary} (SQLSTATE {sqlstate})"
    return str(exc).strip() or type(exc).__name__
