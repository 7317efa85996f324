"""What only the PostgreSQL store has to show: the extra, the pool, opening at once, PostgreSQL's own limits."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

import sopflow
from sopflow.errors import RuntimeRefusal, StoreError, UsageError
from sopflow.store import JournalQuery, PostgresStore
from sopflow.store.postgres import HINT
from tests.store import postgres_server, workers
from tests.store.conftest import LIBRARY

ROOT = Path(__file__).resolve().parent.parent.parent
START = "2026-03-02T09:00:00+08:00"


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.fixture
def schema(postgres: postgres_server.Server) -> Iterator[str]:
    """The conninfo of a fresh, empty schema."""
    name, conninfo = postgres_server.create_schema()
    yield conninfo
    postgres_server.drop_schema(name)


def test_importing_the_store_does_not_import_psycopg() -> None:
    """`import sopflow.store` (PostgresStore included) loads no driver: plain installs have none."""
    done = python("import sys, sopflow, sopflow.store; print(sorted(m for m in sys.modules if 'psycopg' in m))")
    assert (0, "[]") == (done.returncode, done.stdout.strip())


def test_without_the_extra_the_store_says_what_to_install() -> None:
    """Opening a PostgresStore where psycopg is missing: a StoreError with the pip hint, no traceback of ours."""
    done = python(
        "import sys; sys.modules['psycopg'] = None\n"
        "import sopflow\n"
        "from sopflow.store import PostgresStore\n"
        "try:\n"
        "    PostgresStore(sopflow.load_library(), 'dbname=x')\n"
        "except sopflow.SopflowError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    assert (0, "StoreError", True) == (
        done.returncode,
        done.stdout.split(" ", 1)[0],
        'pip install "sopflow[postgres]"' in done.stdout and HINT in done.stdout,
    )


def test_a_server_that_cannot_be_reached_is_a_store_error() -> None:
    """A wrong address is a StoreError with libpq's words, raised while opening, not at the first request."""
    with pytest.raises(StoreError, match=r"cannot open the PostgreSQL store: .*nonexistent"):
        PostgresStore(LIBRARY, "host=/nonexistent dbname=sopflow connect_timeout=2")


def test_anything_but_a_conninfo_or_a_pool_is_a_usage_error(postgres: postgres_server.Server) -> None:
    """A path or a bad pool size is the host's mistake, said as such."""
    with pytest.raises(UsageError, match=r"connection string or a psycopg_pool\.ConnectionPool"):
        PostgresStore(LIBRARY, Path("desk.db"))  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="min_size"):
        PostgresStore(LIBRARY, postgres.conninfo, min_size=5, max_size=2)


def test_a_pool_the_host_gives_is_used_and_left_open(schema: str) -> None:
    """The host's pool serves the store's transactions, even one in autocommit returning dicts;
    closing the store leaves the pool to its owner."""
    clock = sopflow.ManualClock(START)
    kwargs = {"autocommit": True, "row_factory": dict_row}
    with ConnectionPool(schema, min_size=1, max_size=2, open=True, kwargs=kwargs) as pool:
        store = PostgresStore(LIBRARY, pool)
        session = store.start("test.release", clock=clock, role="front_desk", data={"unit": "3-1201"})
        store.fire(session.id, "id_copied", role="front_desk", clock=clock, data={"id_copy": "scan-1"})
        store.close()
        with pool.connection() as conn:
            stored = conn.execute("SELECT seq FROM sopflow_sessions WHERE id = %s", (session.id,)).fetchone()
        assert (2, False) == (stored["seq"] if stored else None, pool.closed)


def test_several_processes_opening_a_new_database_at_once_create_the_tables_once(schema: str) -> None:
    """Four processes open the same empty schema at the same moment: all open, one schema version row."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(4)
        with ctx.Pool(4) as pool:
            started = pool.starmap(workers.open_and_start, [(schema, barrier)] * 4)
    with psycopg.connect(schema) as conn:
        versions = conn.execute("SELECT value FROM sopflow_meta").fetchall()
        count = conn.execute("SELECT count(*) FROM sopflow_sessions").fetchone()
    assert ([("1",)], 4, 4) == (versions, len(set(started)), count[0] if count else None)


def test_tables_newer_than_this_sopflow_are_refused(schema: str) -> None:
    """A database upgraded by a newer sopflow is not written by an older one."""
    PostgresStore(LIBRARY, schema).close()
    with psycopg.connect(schema) as conn:
        conn.execute("UPDATE sopflow_meta SET value = '2' WHERE name = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 2, newer than this sopflow's 1"):
        PostgresStore(LIBRARY, schema)


def test_text_postgresql_cannot_keep_is_refused_at_the_door_and_journaled(schema: str) -> None:
    """PostgreSQL text cannot hold NUL: the step is refused before the store sees it, quoting no value.

    The refusal is journaled like any other, with the NUL of a refused name shown as ␀, so
    PostgreSQL keeps what SQLite keeps.
    """
    clock = sopflow.ManualClock(START)
    with PostgresStore(LIBRARY, schema) as store:
        session = store.start("test.release", clock=clock, role="front_desk", data={"unit": "3-1201"})
        for actor, copy, event in (
            (None, "secret\x00scan", "id_copied"),
            ("desk\x00", "scan-2", "id_copied"),
            (None, "", "x\x00"),
        ):
            with pytest.raises(RuntimeRefusal) as refused:
                store.fire(session.id, event, role="front_desk", actor=actor, clock=clock, data={"id_copy": copy})
            assert "secret" not in str(refused.value)
        journal = store.journal(JournalQuery(session=session.id))
        assert (4, ["start", "refused", "refused", "refused"], "x\u2400") == (
            store.row(session.id).seq,
            [e.kind for e in journal],
            journal[-1].event,
        )
        assert all("secret" not in str(e.as_dict()) for e in journal)


def test_unicode_and_exact_numbers_come_back_as_written(schema: str) -> None:
    """JSONB keeps Chinese text and decimals: the loaded session equals the started one, and so do the entries."""
    clock = sopflow.ManualClock(START)
    with PostgresStore(LIBRARY, schema) as store:
        session = store.start(
            "test.release", clock=clock, role="front_desk", lang="zh-Hant", data={"unit": "海濱花園 3座 1201"}
        )
        store.fire(session.id, "id_copied", role="front_desk", clock=clock, data={"id_copy": "身份證 A123456(7)"})
        store.fire(session.id, "checked", role="front_desk", clock=clock)
        store.fire(
            session.id,
            "fees_checked",
            role="front_desk",
            clock=clock,
            data={"arrears_months": 0, "arrears_amount": "0.10"},
        )
        loaded = store.load(session.id, clock)
        journal = store.journal(JournalQuery(session=session.id))
        assert ("海濱花園 3座 1201", "0.10", "請問您都搬出哪些物品呢?") == (
            loaded.data["unit"],
            str(journal[-1].data["arrears_amount"]),
            loaded.step().say,
        )
        assert loaded.snapshot(journal=False) == LIBRARY.replay(journal).snapshot(journal=False)


def test_a_lost_connection_is_a_store_error_and_the_next_request_gets_a_new_one(schema: str) -> None:
    """The server drops the store's connections: the next request fails as a StoreError, writing nothing,
    and the one after it runs on a fresh connection."""
    clock = sopflow.ManualClock(START)
    with PostgresStore(LIBRARY, schema, min_size=1, max_size=1) as store:
        session = store.start("test.release", clock=clock, role="front_desk", data={"unit": "3-1201"})
        with psycopg.connect(schema, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND datname = current_database() AND backend_type = 'client backend'"
            )
        with pytest.raises(StoreError, match="could not complete a transaction"):
            store.fire(session.id, "id_copied", role="front_desk", clock=clock, data={"id_copy": "scan-1"})
        store.fire(session.id, "id_copied", role="front_desk", clock=clock, data={"id_copy": "scan-2"})
        journal = store.journal(JournalQuery(session=session.id))
        assert (["start", "fire"], "scan-2") == ([e.kind for e in journal], journal[-1].data["id_copy"])
