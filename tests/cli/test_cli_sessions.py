"""``sopflow sessions`` and ``sopflow timers``: a store read and worked from the command line, redacted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cli_helpers import Invoke

import sopflow
from sopflow.store import JournalQuery, SQLiteStore
from sopflow.store import open as store_open

PHONE = "+852 6000 7000"


@pytest.fixture
def store_file(tmp_path: Path) -> tuple[Path, str, str]:
    """A SQLite store with a tenant release one step in and an inquiry whose ladder timer is long due."""
    path = tmp_path / "desk.db"
    clock = sopflow.ManualClock(dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
    with SQLiteStore(sopflow.load_library(), path) as store:
        release = store.start(
            "business.release_tenant",
            clock=clock,
            role="front_desk",
            data={"estate_name": "Harbour View", "owner_name": "Lee", "owner_phone_on_record": PHONE},
        )
        store.fire(release.id, "id_copied", role="front_desk", clock=clock, data={"tenant_id_copy": "scan-77"})
        inquiry = store.start("inquiry.answer", clock=clock, role="front_desk")
        store.fire(inquiry.id, "colleague_found", role="front_desk", clock=clock, data={"colleague_name": "Wong"})
        store.fire(inquiry.id, "customer_accepts", role="front_desk", clock=clock)
    return path, release.id, inquiry.id


def test_list_shows_the_sessions_newest_first(cli: Invoke, store_file: tuple[Path, str, str]) -> None:
    """Both sessions, with where they are."""
    path, release, inquiry = store_file
    result = cli("sessions", "list", "--store", path, "--format", "json")
    rows = json.loads(result.stdout)["sessions"]
    assert (0, {release, inquiry}) == (result.exit_code, {r["id"] for r in rows})


def test_show_and_journal_never_show_private_values(cli: Invoke, store_file: tuple[Path, str, str]) -> None:
    """The owner's number and the ID copy are in the store, and in no output."""
    path, release, _ = store_file
    shown = cli("sessions", "show", release[:10], "--store", path)
    journal = cli("sessions", "journal", release, "--store", path)
    text = shown.stdout + journal.stdout
    assert (0, 0, "check_fees" in shown.stdout, PHONE in text, "scan-77" in text, "***" in journal.stdout) == (
        shown.exit_code,
        journal.exit_code,
        True,
        False,
        False,
        True,
    )


def test_timers_run_fires_what_fell_due(cli: Invoke, store_file: tuple[Path, str, str]) -> None:
    """The inquiry's 3-minute ladder climbed while nobody looked: one pass fires it, a second finds nothing."""
    path, _, inquiry = store_file
    first = cli("timers", "run", "--store", path)
    second = cli("timers", "run", "--store", path)
    with SQLiteStore(sopflow.load_library(), path) as store:
        timers = [e for e in store.journal(JournalQuery(session=inquiry)) if e.kind == "timer"]
    assert (0, 2, "0 sessions advanced") == (first.exit_code, len(timers), second.stdout.split(",")[0])


def test_an_unknown_session_or_a_missing_store_is_a_usage_error(cli: Invoke, store_file: tuple[Path, str, str]) -> None:
    """Exit status 2, with a message."""
    path, _, _ = store_file
    assert (2, 2) == (
        cli("sessions", "show", "zzz", "--store", path).exit_code,
        cli("sessions", "list").exit_code,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("desk.db", "desk.db"),
        ("sqlite:///desk.db", "desk.db"),
        ("sqlite:////srv/desk.db", "/srv/desk.db"),
        ("sqlite:///", None),
        ("memory:", None),
        ("postgresql://host/db", None),
    ],
)
def test_the_sqlite_file_a_store_url_names(url: str, expected: str | None) -> None:
    found = store_open.store_file(url)
    assert expected == (str(found) if found is not None else None)


def test_a_store_file_that_does_not_exist_is_an_error_not_an_empty_store(cli: Invoke, tmp_path: Path) -> None:
    """A typo in --store would read as a store with no sessions; it is refused, and no file is made."""
    missing = tmp_path / "typo.db"
    results = [cli("sessions", "list", "-s", missing), cli("kpi", "-s", missing)]
    assert (
        [2, 2],
        {f"error: no store at {missing}: give the SQLite file the host writes to (or a postgresql:// URL)"},
        False,
    ) == ([r.exit_code for r in results], {r.stderr.strip() for r in results}, missing.exists())
