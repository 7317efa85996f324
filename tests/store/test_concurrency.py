"""Proofs of safety under concurrency, on SQLite and on a real PostgreSQL: many processes, one store.

Worker processes are started with ``spawn`` and open their own store, as a host's
workers would; they run ``tests/store/workers.py``. What they did is checked against
the tables afterwards, row by row.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import sopflow
from sopflow.store import JournalQuery, SessionQuery
from tests.store import postgres_server, workers

START = workers.START
WRITERS = 4
EVENTS = 120
"""Per writer process: half at one hot session, half at fifteen others."""
DUE_SESSIONS = 3000
BATCH = 50
STALL_AFTER = 10
"""The killed worker has advanced this many sessions of its claimed batch, uncommitted, when it is killed."""


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(kind, target) of an empty store: a SQLite file, or a fresh schema on the test server."""
    if request.param == "sqlite":
        yield "sqlite", str(tmp_path / "sessions.db")
        return
    request.getfixturevalue("postgres")
    name, conninfo = postgres_server.create_schema()
    yield "postgres", conninfo
    postgres_server.drop_schema(name)


def test_concurrent_writers_keep_every_accepted_event_once(backend: tuple[str, str]) -> None:
    """Four processes fire at one session and at fifteen others, through fire() and through load/commit
    with retries: each session's journal has every accepted event exactly once, no seq twice or missing,
    and replays to the stored snapshot."""
    kind, target = backend
    clock = sopflow.ManualClock(START)
    with workers.open_store(kind, target) as store:
        ids = [
            store.start("test.release", clock=clock, role="front_desk", data={"unit": f"u{i}"}).id for i in range(16)
        ]
    hot, cold = ids[0], ids[1:]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(WRITERS)
        with ctx.Pool(WRITERS) as pool:
            results = pool.starmap(
                workers.fire_events, [(kind, target, w, hot, cold, EVENTS, barrier) for w in range(WRITERS)]
            )
    accepted: dict[str, Counter[str]] = {i: Counter() for i in ids}
    for result in results:
        for session_id, tags in result["accepted"].items():
            accepted[session_id].update(tags)

    wrong: list[str] = []
    with workers.open_store(kind, target) as store:
        for session_id in ids:
            journal = store.journal(JournalQuery(session=session_id))
            tags = Counter(e.data["id_copy"] for e in journal if e.kind == "fire")
            if [e.seq for e in journal] != list(range(1, len(journal) + 1)):
                wrong.append(f"{session_id}: seqs are not 1..{len(journal)}")
            if tags != accepted[session_id] or max(tags.values(), default=1) != 1:
                wrong.append(f"{session_id}: journal tags differ from the accepted events")
            if store.row(session_id).seq != len(journal):
                wrong.append(f"{session_id}: row seq {store.row(session_id).seq} != {len(journal)} entries")
            replayed = store.library.replay(journal).snapshot(journal=False)
            if store.load(session_id, clock).snapshot(journal=False) != replayed:
                wrong.append(f"{session_id}: replay differs from the stored snapshot")
    total = sum(sum(c.values()) for c in accepted.values())
    retries = sum(r["retries"] for r in results)
    print(f"\n{kind}: {WRITERS} processes, {total} events on {len(ids)} sessions, {retries} stale retries")
    assert ([], WRITERS * EVENTS, EVENTS * WRITERS // 2) == (wrong, total, sum(accepted[hot].values()))


@pytest.mark.parametrize("processes", [2, 4])
def test_racing_timer_workers_fire_every_timer_once_though_one_is_killed(
    backend: tuple[str, str], processes: int
) -> None:
    """Workers race on run_due over 3,000 due sessions; one is killed with SIGKILL holding a half-advanced
    batch. Afterwards every session's timer has fired exactly once, and none is left due."""
    kind, target = backend
    clock = sopflow.ManualClock(START)
    with workers.open_store(kind, target) as store:
        workers.start_many(store, "test.owner_call", DUE_SESSIONS, clock)
    now = (clock.now() + dt.timedelta(hours=2)).isoformat()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        go, dead, stalled = manager.Event(), manager.Event(), manager.Event()
        victim = ctx.Process(target=workers.run_due, args=(kind, target, now, BATCH, go, dead, STALL_AFTER, stalled))
        with ctx.Pool(processes - 1) as pool:
            pending = pool.starmap_async(workers.run_due, [(kind, target, now, BATCH, go, dead)] * (processes - 1))
            victim.start()
            assert stalled.wait(60), "the worker to be killed never held a batch"
            assert victim.pid is not None
            os.kill(victim.pid, signal.SIGKILL)
            victim.join()
            dead.set()
            reports = pending.get(timeout=150)

    journal = workers.query(
        kind,
        target,
        "SELECT count(*), sum(CASE WHEN kind = 'timer' THEN 1 ELSE 0 END), max(seq) FROM sopflow_journal "
        "GROUP BY session",
    )
    shapes = Counter((int(n), int(timers), int(last)) for n, timers, last in journal)
    left = workers.query(kind, target, "SELECT count(*) FROM sopflow_sessions WHERE next_deadline IS NOT NULL")
    with workers.open_store(kind, target) as store:
        sample = store.sessions(SessionQuery(limit=50))
        replays = [
            store.load(r.id, clock).snapshot(journal=False)
            == store.library.replay(store.journal(JournalQuery(session=r.id))).snapshot(journal=False)
            for r in sample
        ]
    advanced = sum(r[0] for r in reports)
    print(
        f"\n{kind}: {processes} workers (one killed), {DUE_SESSIONS} sessions, "
        f"advanced per survivor {[r[0] for r in reports]}, passes {[r[3] for r in reports]}"
    )
    assert (
        victim.exitcode,
        {(2, 1, 2): DUE_SESSIONS},
        [(0,)],
        (DUE_SESSIONS, DUE_SESSIONS, 0),
        [True] * 50,
    ) == (
        -signal.SIGKILL,
        dict(shapes),
        left,
        (advanced, sum(r[1] for r in reports), sum(r[2] for r in reports)),
        replays,
    )
