"""The SQLite store against a hand-written floor, in one run, as ratios.

    .venv/bin/python benchmarks/store_sqlite.py            # about a minute
    .venv/bin/python benchmarks/store_sqlite.py --quick    # smaller: about 15 s

1. fire + commit: ``SQLiteStore.fire`` (one transaction: read the row, restore, fire, write
   the row and the journal rows) against the floor — the same journal-row INSERT and
   snapshot-row UPDATE written by hand with ``sqlite3`` into the same tables
   (``BEGIN IMMEDIATE``, a SELECT of the row, the INSERT, the UPDATE, COMMIT), payloads
   prepared in advance: what is left is sopflow's own work.
   Goal: at least half the floor's throughput.
2. due-timer claim: claiming and advancing due sessions with 10,000 and with 1,000,000
   sessions stored; goal: the cost per claimed session within 2x; and the plan of the claim
   uses the partial index.
3. a stateless request (load, fire, commit through the store) against the in-memory
   restore -> fire -> snapshot cycle: reported.
4. storage: bytes per session and per journal entry on disk.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import FRONT, HAPPY, PROCEDURE, START_DATA

import sopflow
from sopflow.store import SQLiteStore

HERE = Path(__file__).resolve().parent


def library() -> sopflow.Library:
    return sopflow.load_library(HERE)


def fire_runs(lib: sopflow.Library, tmp: Path, visits: int, rounds: int) -> tuple[float, float]:
    """Seconds per fire: the store, and the floor, medians over interleaved rounds."""
    ours, floor = [], []
    for r in range(rounds):
        clock = sopflow.ManualClock()
        store = SQLiteStore(lib, tmp / f"fire{r}.db")
        ids = [store.start(PROCEDURE, clock=clock, role=FRONT, data=START_DATA).id for _ in range(visits)]
        t0 = time.perf_counter()
        for sid in ids:
            for trigger, role, data in HAPPY:
                store.fire(sid, trigger, role=role, clock=clock, data=data)
        ours.append((time.perf_counter() - t0) / (visits * len(HAPPY)))
        snapshot = json.dumps(store.load(ids[0], clock).snapshot(journal=False))
        entry = json.dumps(store.journal(sopflow.store.JournalQuery(session=ids[0]))[1].as_dict())
        store.close()
        floor.append(_floor(tmp / f"floor{r}.db", visits, snapshot, entry))
    return statistics.median(ours), statistics.median(floor)


def _floor(path: Path, visits: int, snapshot: str, entry: str) -> float:
    """The same rows written by hand into the store's own tables (same columns, same indexes)."""
    SQLiteStore(library(), path).close()  # the tables and indexes, exactly as the store makes them
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    ids = [f"s{i}" for i in range(visits)]
    conn.executemany(
        "INSERT INTO sopflow_sessions (id, procedure, version, state, path, outcome, started_at, updated_at, seq, "
        "next_deadline, pinned, snapshot) VALUES (?, 'bench.release_tenant', 1, 'check_id', 'check_id', NULL, 0, 0, "
        "1, NULL, 0, ?)",
        [(i, snapshot) for i in ids],
    )
    t0 = time.perf_counter()
    for sid in ids:
        for n in range(2, len(HAPPY) + 2):
            state = f"state{n}"
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("SELECT seq, snapshot FROM sopflow_sessions WHERE id = ?", (sid,)).fetchone()
            conn.execute(
                "INSERT INTO sopflow_journal (session, seq, at, kind, procedure, version, actor, role, event, entry) "
                "VALUES (?, ?, ?, 'fire', 'bench.release_tenant', 1, 'front_desk', 'front_desk', 'e', ?)",
                (sid, n, n, entry),
            )
            conn.execute(
                "UPDATE sopflow_sessions SET procedure = 'bench.release_tenant', version = 1, state = ?, path = ?, "
                "outcome = NULL, updated_at = ?, seq = ?, next_deadline = NULL, snapshot = ? WHERE id = ? AND seq = ?",
                (state, state, n, n, snapshot, sid, n - 1),
            )
            conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed / (visits * len(HAPPY))


def claim_runs(lib: sopflow.Library, tmp: Path, stored: int, due: int) -> tuple[float, str]:
    """Seconds per claimed and advanced session with ``stored`` sessions in the table; the claim's plan."""
    store = SQLiteStore(lib, tmp / f"claim{stored}.db")
    clock = sopflow.ManualClock("2026-03-02T09:00:00+08:00")
    for _ in range(due):
        sid = store.start(PROCEDURE, clock=clock, role=FRONT, data=START_DATA).id
        for trigger, role, data in HAPPY[:4]:  # into find_owner, whose timer runs
            store.fire(sid, trigger, role=role, clock=clock, data=data)
    # The rest of the table: sessions without running timers, written directly (fast, same columns).
    conn = sqlite3.connect(tmp / f"claim{stored}.db", isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO sopflow_sessions (id, procedure, version, state, path, outcome, started_at, updated_at, seq, "
        "next_deadline, pinned, snapshot) VALUES (?, 'bench.release_tenant', 1, 'done', 'done', 'completed', 0, 0, 1, "
        "NULL, 0, '{}')",
        ((f"filler{i}",) for i in range(stored - due)),
    )
    conn.execute("COMMIT")
    plan = " | ".join(
        row[-1]
        for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM sopflow_sessions WHERE next_deadline IS NOT NULL "
            "AND next_deadline <= ? ORDER BY next_deadline LIMIT ?",
            (10**18, 100),
        )
    )
    conn.close()
    later = clock.now().replace(year=2027)
    t0 = time.perf_counter()
    report = store.run_due(later, batch=100)
    elapsed = time.perf_counter() - t0
    store.close()
    assert report.sessions == due, report
    return elapsed / due, plan


def stateless(lib: sopflow.Library, tmp: Path, n: int) -> tuple[float, float]:
    """Seconds per request through the store, and per in-memory restore -> fire -> snapshot."""
    clock = sopflow.ManualClock()
    store = SQLiteStore(lib, tmp / "stateless.db")
    ids = [store.start(PROCEDURE, clock=clock, role=FRONT, data=START_DATA).id for _ in range(n)]
    trigger, role, data = HAPPY[0]
    t0 = time.perf_counter()
    for sid in ids:
        store.fire(sid, trigger, role=role, clock=clock, data=data)
    through_store = (time.perf_counter() - t0) / n
    snapshots = [
        lib.start(PROCEDURE, clock=clock, role=FRONT, data=START_DATA).snapshot(journal=False) for _ in range(n)
    ]
    t0 = time.perf_counter()
    for snap in snapshots:
        s = lib.restore(snap, clock)
        s.fire(trigger, role=role, data=data)
        s.snapshot(journal=False)
    in_memory = (time.perf_counter() - t0) / n
    store.close()
    return through_store, in_memory


def storage(lib: sopflow.Library, tmp: Path, n: int) -> tuple[float, float]:
    """Bytes on disk per session (with its start entry) and per further journal entry."""
    sizes = []
    for events in (0, len(HAPPY)):
        path = tmp / f"size{events}.db"
        store = SQLiteStore(lib, path)
        clock = sopflow.ManualClock()
        for _ in range(n):
            sid = store.start(PROCEDURE, clock=clock, role=FRONT, data=START_DATA).id
            for trigger, role, data in HAPPY[:events]:
                store.fire(sid, trigger, role=role, clock=clock, data=data)
        store.close()
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        conn.close()
        sizes.append(path.stat().st_size)
    per_entry = (sizes[1] - sizes[0]) / (n * len(HAPPY))
    return sizes[0] / n, per_entry


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    visits, rounds, small, large, due = (20, 3, 10_000, 100_000, 200) if args.quick else (60, 5, 10_000, 1_000_000, 500)
    lib = library()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        ours, floor = fire_runs(lib, tmp, visits, rounds)
        per_small, plan = claim_runs(lib, tmp, small, due)
        per_large, _ = claim_runs(lib, tmp, large, due)
        request, cycle = stateless(lib, tmp, 300)
        per_session, per_entry = storage(lib, tmp, 300)
    results: list[tuple[str, bool]] = []
    print(f"SQLite store benchmark, {time.strftime('%Y-%m-%d %H:%M')}{' (quick)' if args.quick else ''}")
    print(f"fire + commit: store {ours * 1e6:.0f} µs, hand-written floor {floor * 1e6:.0f} µs per fire")
    results.append((f"fire + commit throughput >= 1/2 of the floor's: {floor / ours:.2f}", floor / ours >= 0.5))
    print(
        f"due claim + advance per session: {per_small * 1e6:.0f} µs with {small:,} stored, "
        f"{per_large * 1e6:.0f} µs with {large:,} stored"
    )
    print(f"claim plan: {plan}")
    results.append(
        (
            f"claim cost per session, {large:,} vs {small:,} stored, within 2x: {per_large / per_small:.2f}x",
            per_large / per_small <= 2,
        )
    )
    results.append((f"the claim uses the due index: {'sopflow_sessions_due' in plan}", "sopflow_sessions_due" in plan))
    print(
        f"stateless request through the store: {request * 1e6:.0f} µs; in-memory restore+fire+snapshot: "
        f"{cycle * 1e6:.0f} µs ({request / cycle:.1f}x)"
    )
    print(f"storage: {per_session:,.0f} bytes per session with its start entry, {per_entry:,.0f} per further entry")
    for text, ok in results:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
