"""The store contract: what every backend does, written once over a small transaction interface.

A backend supplies transactions (:class:`Tx`): insert a session, read one (locking
it where the database can), write one back only if nobody else has since, claim
sessions whose timers are due, list rows and journal entries. Everything a host
calls — start, load, commit, fire, run the due timers, migrate — is built here on
those few operations, so the memory, SQLite and PostgreSQL stores cannot differ in
what they promise; one contract test suite runs against all three.
"""

from __future__ import annotations

import datetime as dt
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, NamedTuple, Never

from sopflow.errors import (
    MigrationRefused,
    RuntimeRefusal,
    SessionNotFound,
    SopflowError,
    StaleSession,
    UsageError,
)
from sopflow.library import Library
from sopflow.model.limits import INT_RANGE
from sopflow.model.values import short
from sopflow.runtime import Clock, Entry, ManualClock, Session, Step
from sopflow.runtime.session import START_OPTIONS, Listener, refuse_unknown
from sopflow.store.rows import JournalQuery, SessionQuery, SessionRow, Written, micros, written


class Tx(ABC):
    """One transaction of a backend: nothing it writes is seen by others until it commits."""

    @abstractmethod
    def insert(self, w: Written) -> None:
        """Add a new session with its first entries."""

    @abstractmethod
    def read(self, session_id: str, *, lock: bool) -> tuple[dict[str, Any], SessionRow] | None:
        """The stored snapshot and row; with ``lock``, other writers wait (or skip it) until commit."""

    @abstractmethod
    def revision(self, session_id: str, *, lock: bool) -> int | None:
        """Only the stored revision (``seq``), locking the row like :meth:`read`: cheaper than the snapshot."""

    @abstractmethod
    def write(self, w: Written, expected_seq: int) -> bool:
        """Replace the row and append the entries, only if the stored revision is ``expected_seq``."""

    @abstractmethod
    def claim_due(self, now_us: int, limit: int) -> list[str]:
        """Ids of sessions with a timer due by ``now_us``, earliest first, locked for this transaction."""

    @abstractmethod
    def pin(self, session_id: str) -> None:
        """Mark a session a migration could not move."""


class DueReport(NamedTuple):
    """What one pass of the due-timer runner did."""

    sessions: int
    """Sessions advanced."""
    entries: int
    """Journal entries their timers wrote."""
    failed: tuple[tuple[str, str], ...] = ()
    """(session id, reason) of sessions that could not be advanced; they stay due."""


class MigrationReport(NamedTuple):
    """What a migration did: sessions moved, and those left pinned on their version (with why)."""

    moved: int
    pinned: tuple[tuple[str, str], ...] = ()


def _session_id(session_id: object) -> None:
    if not isinstance(session_id, str):
        raise UsageError(f"a session id is text, found {type(session_id).__name__}")


class Store(ABC):
    """Sessions kept in a database, for hosts that restart, run many workers, or keep visits for days."""

    cache_size = 256
    """Sessions this store keeps ready after committing them (see :meth:`_locked`)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._ready: OrderedDict[str, Session] = OrderedDict()
        self._ready_lock = threading.Lock()

    # -- what a backend supplies -----------------------------------------------------------------

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Tx]:
        """A write transaction: committed when the block ends, rolled back if it raises."""

    def reading(self) -> AbstractContextManager[Tx]:
        """A transaction that only reads (a backend may take no write lock for it)."""
        return self.transaction()

    @abstractmethod
    def sessions(self, query: SessionQuery | None = None) -> list[SessionRow]:
        """Rows of the sessions the query selects, newest start first."""

    @abstractmethod
    def journal(self, query: JournalQuery) -> list[Entry]:
        """Journal entries the query selects, in time order (by session and sequence within a time)."""

    def close(self) -> None:  # noqa: B027 - a store without connections has nothing to release
        """Release connections; the store is not used afterwards."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sessions --------------------------------------------------------------------------------

    def start(
        self,
        procedure_id: str,
        *,
        clock: Clock,
        role: str,
        version: int | None = None,
        actor: str | None = None,
        data: Mapping[str, Any] | None = None,
        lang: str | None = None,
        session_id: str | None = None,
        strict: bool = False,
        listeners: tuple[Listener, ...] = (),
        **unknown: Never,
    ) -> Session:
        """Start a session and store it with its start entry; the returned session is committed."""
        refuse_unknown(unknown, START_OPTIONS)
        session = self.library.start(
            procedure_id,
            clock=clock,
            role=role,
            version=version,
            actor=actor,
            data=data,
            lang=lang,
            session_id=session_id,
            strict=strict,
            listeners=listeners,
        )
        with self.transaction() as tx:
            tx.insert(written(session, None, clock.now()))
        session.forget_journal()
        return session

    def load(self, session_id: str, clock: Clock, *, listeners: tuple[Listener, ...] = ()) -> Session:
        """The stored session, ready to drive; its ``journal`` holds only what happens from now on."""
        _session_id(session_id)
        with self.reading() as tx:
            found = tx.read(session_id, lock=False)
        if found is None:
            raise SessionNotFound(f"no session '{session_id}' in this store", session_id=session_id)
        return self.library.restore(found[0], clock, listeners=listeners)

    def commit(self, session: Session) -> None:
        """Write what happened to a loaded session since it was loaded (or last committed).

        Raises :class:`~sopflow.errors.StaleSession`, writing nothing, when another writer
        committed the same session in between: load it again and repeat the step.
        """
        new = session.journal
        if not new:
            return
        with self.transaction() as tx:
            _write(tx, session, session.clock.now(), new[0].seq - 1)
        session.forget_journal()

    def fire(
        self,
        session_id: str,
        event: str,
        *,
        role: str,
        clock: Clock,
        actor: str | None = None,
        data: Mapping[str, Any] | None = None,
        lang: str | None = None,
        redact: bool = False,
    ) -> Step:
        """Load, fire and commit in one transaction: a stateless host's whole request.

        The step is rendered in ``lang`` (default: the session's), with private values
        masked if ``redact`` — what a screen other people see needs.

        The session is locked while it steps, so two requests for one session take turns
        instead of failing; a refusal is committed (it is journaled) and then raised.
        """
        _session_id(session_id)
        refusal: RuntimeRefusal | None = None
        with self.transaction() as tx:
            session = self._locked(tx, session_id, clock)
            expected = session.seq
            shown: Step | None = None
            try:
                shown = session.fire(event, role=role, actor=actor, data=data)
            except RuntimeRefusal as exc:
                refusal = exc
            # The session's own step is already rendered in its language; another language, or
            # masked values, are rendered again.
            step = shown if shown is not None and not redact and lang in (None, session.lang) else None
            if step is None:
                step = session.step(lang, redact=redact)
            _write(tx, session, clock.now(), expected)
            session.forget_journal()
        self._keep_ready(session)
        if refusal is not None:
            raise refusal
        return step

    def row(self, session_id: str) -> SessionRow:
        """The stored row of one session."""
        _session_id(session_id)
        with self.reading() as tx:
            found = tx.read(session_id, lock=False)
        if found is None:
            raise SessionNotFound(f"no session '{session_id}' in this store", session_id=session_id)
        return found[1]

    # -- due timers ------------------------------------------------------------------------------

    def run_due(self, now: dt.datetime, *, batch: int = 100, limit: int | None = None) -> DueReport:
        """Advance every session whose timers are due by ``now``, a batch per transaction.

        Safe with several workers at once: a batch is claimed with its rows locked (or the
        database's single writer), advanced and written in one transaction, so no timer
        fires twice and a worker killed mid-batch leaves its batch due for the next.
        """
        if not isinstance(now, dt.datetime) or now.utcoffset() is None:
            raise UsageError(f"now: expected a date and time with its zone, found {type(now).__name__} {now!r}"[:120])
        clock = ManualClock(now)
        if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= 1_000_000:
            raise UsageError(f"batch: expected a whole number from 1 to 1,000,000, found {short(batch)}")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit not in INT_RANGE):
            raise UsageError(f"limit: expected a whole number of at least 0, or None, found {short(limit)}")
        if limit is not None and limit < 0:
            raise UsageError(f"limit: expected a whole number of at least 0, or None, found {limit}")
        advanced = entries = 0
        failed: list[tuple[str, str]] = []
        skip: set[str] = set()
        while limit is None or advanced < limit:
            size = batch if limit is None else min(batch, limit - advanced)
            with self.transaction() as tx:
                claimed = [i for i in tx.claim_due(micros(now) or 0, size + len(skip)) if i not in skip][:size]
                for session_id in claimed:
                    try:
                        session = self._locked(tx, session_id, clock)
                        expected = session.seq
                        fired = session.advance(now)
                    except SopflowError as exc:
                        failed.append((session_id, f"{type(exc).__name__}: {exc}"))
                        skip.add(session_id)
                        continue
                    _write(tx, session, now, expected)
                    advanced += 1
                    entries += len(fired)
            if len(claimed) < size:
                break
        return DueReport(advanced, entries, tuple(failed))

    # -- new versions ----------------------------------------------------------------------------

    def migrate(self, procedure_id: str, *, clock: Clock, version: int | None = None) -> MigrationReport:
        """Move the open sessions of the version ``version`` migrates from (default: the newest) onto it.

        Each session moves in its own transaction, journaled with a ``migrate`` entry; one that
        cannot move is pinned — it stays on its version and keeps working — and listed with why.
        """
        target = self.library.get(procedure_id, version)
        plan = target.migration
        if plan is None:
            raise MigrationRefused(f"'{procedure_id}' v{target.version} has no 'migrate' section")
        query = SessionQuery(procedure=procedure_id, version=plan.from_version, open=True, limit=10**9)
        moved = 0
        pinned: list[tuple[str, str]] = []
        for row in self.sessions(query):
            if row.pinned:
                continue
            with self.transaction() as tx:
                session = self._locked(tx, row.id, clock)
                expected = session.seq
                try:
                    session.migrate(target)
                except MigrationRefused as exc:
                    tx.pin(row.id)
                    pinned.append((row.id, exc.message))
                    continue
                _write(tx, session, clock.now(), expected)
                moved += 1
        return MigrationReport(moved, tuple(pinned))

    def _locked(self, tx: Tx, session_id: str, clock: Clock) -> Session:
        """The session, locked for this transaction: the one kept ready if the row has not moved since.

        A stateless host fires at the same session again and again; when the stored
        revision is the one this store last committed, reading and restoring the
        snapshot would only rebuild the same session. The session leaves the ready set
        here and returns only once its step is committed, so a failed transaction can
        never leave a session ahead of its row.
        """
        with self._ready_lock:
            ready = self._ready.pop(session_id, None)
        if ready is not None and tx.revision(session_id, lock=True) == ready.seq:
            ready.clock = clock
            return ready
        found = tx.read(session_id, lock=True)
        if found is None:
            raise SessionNotFound(f"no session '{session_id}' in this store", session_id=session_id)
        return self.library.restore(found[0], clock, keep_journal=True)

    def _keep_ready(self, session: Session) -> None:
        with self._ready_lock:
            self._ready[session.id] = session
            while len(self._ready) > self.cache_size:
                self._ready.popitem(last=False)


def _write(tx: Tx, session: Session, now: dt.datetime, expected: int) -> None:
    """Write the session's step, or refuse the whole transaction if its row moved meanwhile.

    Under the row lock it cannot have moved; a store whose lock failed must lose nothing
    silently, so this raises rather than trusting the lock.
    """
    if not tx.write(written(session, None, now), expected):
        raise StaleSession(
            f"session '{session.id}' was changed by another writer since it was loaded; "
            "load it again and repeat the step",
            session_id=session.id,
        )
