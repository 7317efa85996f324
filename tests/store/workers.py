"""What the worker processes of the concurrency tests run (a module of its own, so spawned children import little).

Each function opens its own store in the child, as a worker of a real host would, and
returns plain values the parent can check against the tables.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import psycopg

import sopflow
from sopflow.errors import StaleSession
from sopflow.store import PostgresStore, SessionQuery, SQLiteStore, Store
from sopflow.store.base import Tx
from sopflow.store.rows import Written, written

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
START = "2026-03-02T09:00:00+08:00"
_LIBRARY: sopflow.Library | None = None


def library() -> sopflow.Library:
    global _LIBRARY
    if _LIBRARY is None:
        _LIBRARY = sopflow.load_library(FIXTURES)
    return _LIBRARY


def open_store(kind: str, target: str) -> Store:
    """``kind`` is ``sqlite`` (``target`` a file) or ``postgres`` (``target`` a conninfo)."""
    if kind == "sqlite":
        return SQLiteStore(library(), target)
    return PostgresStore(library(), target, min_size=1, max_size=2)


def query(kind: str, target: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a plain SQL query straight on the tables: how the tests check what the store wrote."""
    if kind == "sqlite":
        with closing(sqlite3.connect(target)) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
    with psycopg.connect(target) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


def start_many(store: Store, procedure: str, count: int, clock: sopflow.ManualClock, batch: int = 500) -> None:
    """Start ``count`` sessions as ``store.start`` does, a batch of them per transaction (a quicker setup)."""
    for first in range(0, count, batch):
        with store.transaction() as tx:
            for i in range(first, min(count, first + batch)):
                session = store.library.start(procedure, clock=clock, role="front_desk", data={"unit": f"u{i}"})
                tx.insert(written(session, None, clock.now()))


# -- opening at once ---------------------------------------------------------------------------


def open_and_start(conninfo: str, barrier: Any) -> str:
    """Wait for the others, open a PostgresStore on a new database, start one session."""
    lib = library()
    barrier.wait()
    with PostgresStore(lib, conninfo) as store:
        session = store.start("test.release", clock=sopflow.ManualClock(START), role="front_desk", data={"unit": "1"})
    return session.id


# -- many writers --------------------------------------------------------------------------------


def fire_events(kind: str, target: str, worker: int, hot: str, cold: list[str], events: int, go: Any) -> dict[str, Any]:
    """Fire ``events`` events, half at the hot session and half at random others.

    Every other event goes through ``store.fire`` (one locked transaction), the rest
    through load, fire and commit, loaded again and repeated on :class:`StaleSession`.
    Each event carries a tag unique to it; the result lists the tags the store accepted.
    """
    rng = random.Random(worker)
    clock = sopflow.ManualClock(START)
    accepted: dict[str, list[str]] = {}
    retries = 0
    with open_store(kind, target) as store:
        go.wait()
        for i in range(events):
            session_id = hot if i % 2 == 0 else rng.choice(cold)
            tag = f"w{worker}-{i}"
            data = {"id_copy": tag}
            if (worker + i) % 2 == 0:
                store.fire(session_id, "id_copied", role="front_desk", clock=clock, data=data)
            else:
                while True:
                    session = store.load(session_id, clock)
                    session.fire("id_copied", role="front_desk", data=data)
                    try:
                        store.commit(session)
                        break
                    except StaleSession:
                        retries += 1
            accepted.setdefault(session_id, []).append(tag)
    return {"accepted": accepted, "retries": retries}


# -- due-timer workers ---------------------------------------------------------------------------


class _StallingTx(Tx):
    """A transaction that says when it has claimed, and after ``after`` writes says so and hangs until killed."""

    def __init__(self, tx: Tx, after: int, claimed: Any, stalled: Any) -> None:
        self.tx, self.after, self.claimed, self.stalled, self.writes = tx, after, claimed, stalled, 0

    def insert(self, w: Written) -> None:
        self.tx.insert(w)

    def read(self, session_id: str, *, lock: bool) -> tuple[dict[str, Any], Any] | None:
        return self.tx.read(session_id, lock=lock)

    def revision(self, session_id: str, *, lock: bool) -> int | None:
        return self.tx.revision(session_id, lock=lock)

    def write(self, w: Written, expected_seq: int) -> bool:
        done = self.tx.write(w, expected_seq)
        self.writes += 1
        if self.writes == self.after:
            self.stalled.set()
            time.sleep(600)  # killed long before this ends
        return done

    def claim_due(self, now_us: int, limit: int) -> list[str]:
        found = self.tx.claim_due(now_us, limit)
        self.claimed.set()
        return found

    def pin(self, session_id: str) -> None:
        self.tx.pin(session_id)


def run_due(
    kind: str,
    target: str,
    now: str,
    batch: int,
    go: Any,
    victim_dead: Any,
    stall_after: int | None = None,
    stalled: Any = None,
) -> tuple[int, int, int, int]:
    """Run the due timers until none is left; with ``stall_after``, hang mid-batch instead (to be killed).

    The victim (``stall_after`` given) sets ``go`` once it has claimed its first batch,
    which the others wait for: so it always holds a batch when it is killed.

    Returns (sessions advanced, entries written, failures, passes). A worker keeps
    going until the victim is dead and no session is open any more: under PostgreSQL
    the victim's batch is skipped while it holds the rows, and due again once it dies.
    """
    when = dt.datetime.fromisoformat(now)
    sessions = entries = failures = passes = 0
    with open_store(kind, target) as store:
        if stall_after is not None:
            original = store.transaction

            @contextmanager
            def stalling() -> Iterator[Tx]:
                with original() as tx:
                    yield _StallingTx(tx, stall_after, go, stalled)

            store.transaction = stalling  # type: ignore[method-assign]
        else:
            go.wait()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            report = store.run_due(when, batch=batch, limit=4 * batch)  # a few batches a pass, as a scheduler tick
            passes += 1
            sessions, entries, failures = (
                sessions + report.sessions,
                entries + report.entries,
                failures + len(report.failed),
            )
            if report.sessions == 0:
                if victim_dead.is_set() and not store.sessions(SessionQuery(open=True, limit=1)):
                    break
                time.sleep(0.02)
    return sessions, entries, failures, passes
