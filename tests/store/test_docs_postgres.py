"""The hosting guide's PostgreSQL section runs, top to bottom, against the test server.

Its blocks are fenced ``py`` rather than ``python`` (which ``tests/test_docs.py`` runs
without a server); here the guide's example address and SQLite file are swapped for a
fresh schema and a file holding a few visits, as a host's would.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sopflow
from sopflow.store import SQLiteStore, Store, open_store
from tests.store import postgres_server

GUIDE = Path(__file__).resolve().parent.parent.parent / "docs" / "hosting.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
ADDRESS = '"postgresql://desk@db.internal/sopflow"'
FILE = '"desk.db"'


def section_blocks() -> list[str]:
    section = GUIDE.read_text(encoding="utf-8").split("\n## PostgreSQL, for many workers\n", 1)[1].split("\n## ", 1)[0]
    return [body for language, body in FENCE.findall(section) if language == "py"]


def test_the_postgresql_section_runs(postgres: postgres_server.Server, tmp_path: Path) -> None:
    """Open, fire, run the timers, and move a SQLite host's sessions: every row arrives as it was."""
    library = sopflow.load_library()
    clock = sopflow.ManualClock("2026-03-02T09:00:00+08:00")
    desk = tmp_path / "desk.db"
    with SQLiteStore(library, desk) as old:
        for n in range(3):
            visit = old.start("business.release_tenant", clock=clock, role="front_desk", data={"estate_name": f"E{n}"})
            old.fire(visit.id, "id_copied", role="front_desk", clock=clock, data={"tenant_id_copy": f"scan-{n}"})
            clock.advance("1 minute")
    blocks = section_blocks()
    assert (3, True, True) == (len(blocks), ADDRESS in blocks[0], FILE in blocks[2])
    name, conninfo = postgres_server.create_schema()
    namespace: dict[str, object] = {"library": library, "clock": clock}
    try:
        for code in blocks:
            code = code.replace(ADDRESS, repr(conninfo)).replace(FILE, repr(str(desk)))
            exec(compile(code, str(GUIDE), "exec"), namespace)  # our own docs, not user input
    finally:
        store = namespace.get("store")
        if isinstance(store, Store):
            store.close()
        postgres_server.drop_schema(name)


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_open_store_opens_a_postgres_store_from_a_url(postgres: postgres_server.Server, scheme: str) -> None:
    """`open_store("postgresql://…")` (and so `--store` on the command line) gives a working PostgresStore."""
    name, conninfo = postgres_server.create_schema()
    url = scheme + postgres_server.url(conninfo).removeprefix("postgresql")
    try:
        with open_store(url, sopflow.load_library()) as store:
            visit = store.start(
                "business.release_tenant",
                clock=sopflow.ManualClock("2026-03-02T09:00:00+08:00"),
                role="front_desk",
                data={"estate_name": "Harbour View"},
            )
            assert ("PostgresStore", 1) == (type(store).__name__, store.row(visit.id).seq)
    finally:
        postgres_server.drop_schema(name)
