"""The store in memory: for tests, notebooks and a single process that need not survive a restart."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sopflow.errors import StoreError
from sopflow.library import Library
from sopflow.runtime import Entry
from sopflow.store.base import Store, Tx
from sopflow.store.rows import JournalQuery, SessionQuery, SessionRow, Written, micros, query_of


class _Tables:
    def __init__(self) -> None:
        self.rows: dict[str, SessionRow] = {}
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.journal: dict[str, list[Entry]] = {}


class _MemoryTx(Tx):
    """Writes go to a private copy of the touched rows, applied on commit: a rollback just drops it."""

    def __init__(self, tables: _Tables) -> None:
        self.tables = tables
        self.rows: dict[str, SessionRow] = {}
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.appended: dict[str, list[Entry]] = {}

    def _row(self, session_id: str) -> SessionRow | None:
        return self.rows.get(session_id) or self.tables.rows.get(session_id)

    def insert(self, w: Written) -> None:
        if self._row(w.row.id) is not None:
            raise StoreError(f"a session '{w.row.id}' is already stored", session_id=w.row.id)
        self._put(w)

    def _put(self, w: Written) -> None:
        self.rows[w.row.id] = w.row
        self.snapshots[w.row.id] = copy.deepcopy(w.snapshot)
        self.appended.setdefault(w.row.id, []).extend(w.entries)

    def read(self, session_id: str, *, lock: bool) -> tuple[dict[str, Any], SessionRow] | None:
        row = self._row(session_id)
        if row is None:
            return None
        snapshot = self.snapshots.get(session_id) or self.tables.snapshots[session_id]
        return copy.deepcopy(snapshot), row

    def revision(self, session_id: str, *, lock: bool) -> int | None:
        row = self._row(session_id)
        return None if row is None else row.seq

    def write(self, w: Written, expected_seq: int) -> bool:
        current = self._row(w.row.id)
        if current is None or current.seq != expected_seq:
            return False
        self._put(w._replace(row=w.row._replace(started_at=current.started_at, pinned=current.pinned)))
        return True

    def claim_due(self, now_us: int, limit: int) -> list[str]:
        due = [
            (micros(r.next_deadline) or 0, r.id)
            for r in self.tables.rows.values()
            if r.next_deadline is not None and (micros(r.next_deadline) or 0) <= now_us
        ]
        return [session_id for _, session_id in sorted(due)[:limit]]

    def pin(self, session_id: str) -> None:
        row = self._row(session_id)
        if row is not None:
            self.rows[session_id] = row._replace(pinned=True)

    def apply(self) -> None:
        self.tables.rows.update(self.rows)
        self.tables.snapshots.update(self.snapshots)
        for session_id, entries in self.appended.items():
            self.tables.journal.setdefault(session_id, []).extend(entries)


class MemoryStore(Store):
    """Every session in a dictionary; one transaction at a time (a lock), like SQLite's single writer."""

    def __init__(self, library: Library) -> None:
        super().__init__(library)
        self._tables = _Tables()
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._lock:
            tx = _MemoryTx(self._tables)
            yield tx
            tx.apply()

    def sessions(self, query: SessionQuery | None = None) -> list[SessionRow]:
        q = query_of(query, SessionQuery)
        with self._lock:
            rows = [r for r in self._tables.rows.values() if _selects(q, r)]
        rows.sort(key=lambda r: (r.started_at, r.id), reverse=True)
        return rows[: q.limit]

    def journal(self, query: JournalQuery) -> list[Entry]:
        query = query_of(query, JournalQuery)
        with self._lock:
            if query.session is not None:
                pool = [(query.session, e) for e in self._tables.journal.get(query.session, ())]
            else:
                pool = [(sid, e) for sid, entries in self._tables.journal.items() for e in entries]
        found = [(e.at, sid, e.seq, e) for sid, e in pool if _entry_selects(query, e)]
        found.sort(key=lambda t: (micros(t[0]), t[1], t[2]))
        return [e for *_, e in found[: query.limit]]


def _selects(q: SessionQuery, r: SessionRow) -> bool:
    return (
        (q.procedure is None or r.procedure == q.procedure)
        and (q.version is None or r.version == q.version)
        and (q.state is None or r.state == q.state)
        and (q.outcome is None or r.outcome == q.outcome)
        and (q.open is None or (r.outcome is None) == q.open)
        and (q.started_from is None or r.started_at >= q.started_from)
        and (q.started_before is None or r.started_at < q.started_before)
        and (q.due_by is None or (r.next_deadline is not None and r.next_deadline <= q.due_by))
    )


def _entry_selects(q: JournalQuery, e: Entry) -> bool:
    return (
        (q.procedure is None or e.procedure == q.procedure)
        and (q.kind is None or e.kind == q.kind)
        and (q.event is None or e.event == q.event)
        and (q.actor is None or e.actor == q.actor)
        and (q.role is None or e.role == q.role)
        and (q.at_from is None or e.at >= q.at_from)
        and (q.at_before is None or e.at < q.at_before)
        and (q.after_seq is None or e.seq > q.after_seq)
    )
