"""The store contract, run against every backend: what a host may rely on, whichever database it picks."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from typing import Any

import pytest

import sopflow
from sopflow.errors import EventNotAllowed, SessionNotFound, SnapshotError, StaleSession, StoreError
from sopflow.store import JournalQuery, PostgresStore, SessionQuery, SQLiteStore, Store
from tests.conftest import FIXTURES, drive_to_owner_call

START = "2026-03-02T09:00:00+08:00"


def clock() -> sopflow.ManualClock:
    return sopflow.ManualClock(START)


def release(store: Store, at: sopflow.ManualClock, **data: Any) -> sopflow.Session:
    return store.start("test.release", clock=at, role="front_desk", data={"unit": "3-1201", **data})


def test_a_started_session_is_stored_with_its_start_entry(store: Store) -> None:
    """start() writes the row and the start entry; load() gives the same session back."""
    at = clock()
    session = release(store, at)
    loaded = store.load(session.id, at)
    kinds = [e.kind for e in store.journal(JournalQuery(session=session.id))]
    assert (["start"], "check_id", 1, True) == (kinds, loaded.state, store.row(session.id).seq, loaded == session)


def test_fire_loads_steps_and_commits_in_one_go(store: Store) -> None:
    """A stateless request: the step is returned and both row and journal show it."""
    at = clock()
    session = release(store, at)
    step = store.fire(session.id, "id_copied", role="front_desk", clock=at, data={"id_copy": "scan-1"})
    row = store.row(session.id)
    assert ("check_id", 2, ["start", "fire"]) == (
        step.state,
        row.seq,
        [e.kind for e in store.journal(JournalQuery(session=session.id))],
    )


def test_a_refusal_through_the_store_is_journaled_and_raised(store: Store) -> None:
    """The refused entry is committed, then the refusal raised; the state is unchanged."""
    at = clock()
    session = release(store, at)
    with pytest.raises(EventNotAllowed):
        store.fire(session.id, "signed", role="front_desk", clock=at)
    assert (2, "check_id", "refused") == (
        store.row(session.id).seq,
        store.row(session.id).state,
        store.journal(JournalQuery(session=session.id))[-1].kind,
    )


def test_a_stale_writer_is_refused_and_writes_nothing(store: Store) -> None:
    """Two desks load one session; the second to commit gets StaleSession and nothing of its step is kept."""
    at = clock()
    session = release(store, at)
    first, second = store.load(session.id, at), store.load(session.id, at)
    first.fire("id_copied", role="front_desk", data={"id_copy": "scan-1"})
    store.commit(first)
    second.fire("id_copied", role="front_desk", data={"id_copy": "scan-2"})
    with pytest.raises(StaleSession):
        store.commit(second)
    journal = store.journal(JournalQuery(session=session.id))
    assert (2, ["start", "fire"], "scan-1") == (
        store.row(session.id).seq,
        [e.kind for e in journal],
        journal[-1].data["id_copy"],
    )


def test_a_write_that_finds_the_row_moved_loses_nothing_silently(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a backend's row lock ever fail, fire refuses the whole step rather than drop it unseen."""
    at = clock()
    session = release(store, at)
    with store.transaction() as tx:
        tx_type = type(tx)
    monkeypatch.setattr(tx_type, "write", lambda self, w, expected_seq: False)
    with pytest.raises(StaleSession):
        store.fire(session.id, "id_copied", role="front_desk", clock=at, data={"id_copy": "scan-1"})
    monkeypatch.undo()
    assert (1, ["start"]) == (
        store.row(session.id).seq,
        [e.kind for e in store.journal(JournalQuery(session=session.id))],
    )


def test_retrying_on_the_fresh_session_succeeds(store: Store) -> None:
    """After StaleSession, loading again and repeating the step commits."""
    at = clock()
    session = release(store, at)
    stale = store.load(session.id, at)
    store.fire(session.id, "id_copied", role="front_desk", clock=at, data={"id_copy": "scan-1"})
    stale.fire("id_copied", role="front_desk", data={"id_copy": "scan-2"})
    with pytest.raises(StaleSession):
        store.commit(stale)
    fresh = store.load(session.id, at)
    fresh.fire("checked", role="front_desk")
    store.commit(fresh)
    assert ("check_fees", 3) == (store.row(session.id).state, store.row(session.id).seq)


def test_commits_append_only_what_is_new(store: Store) -> None:
    """A loaded session committed twice writes each entry once."""
    at = clock()
    session = store.load(release(store, at).id, at)
    session.fire("id_copied", role="front_desk", data={"id_copy": "scan-1"})
    store.commit(session)
    session.fire("checked", role="front_desk")
    store.commit(session)
    assert [1, 2, 3] == [e.seq for e in store.journal(JournalQuery(session=session.id))]


def test_the_stored_journal_replays_to_the_stored_snapshot(store: Store) -> None:
    """Whatever went through the store, its journal rows replay to its row's snapshot."""
    at = clock()
    session = release(store, at)
    live = store.load(session.id, at)
    drive_to_owner_call(live)
    store.commit(live)
    journal = store.journal(JournalQuery(session=session.id))
    stored = store.load(session.id, at)
    assert stored.snapshot(journal=False) == store.library.replay(journal).snapshot(journal=False)


def test_an_unknown_session_is_a_clear_error(store: Store) -> None:
    """Loading or firing an id the store does not hold: SessionNotFound."""
    with pytest.raises(SessionNotFound, match="no session 'nope'"):
        store.load("nope", clock())
    with pytest.raises(SessionNotFound):
        store.fire("nope", "checked", role="front_desk", clock=clock())


def test_the_same_id_cannot_be_started_twice(store: Store) -> None:
    """A session id is unique in a store."""
    at = clock()
    release(store, at, id_copy=None)
    with pytest.raises(StoreError, match="already stored"):
        store.start("test.release", clock=at, role="front_desk", session_id=store.sessions()[0].id)


def test_sessions_are_queried_by_procedure_state_outcome_and_start(store: Store) -> None:
    """The row columns answer the questions a supervisor asks."""
    at = clock()
    one = release(store, at)
    at.advance("1 hour")
    two = release(store, at)
    store.fire(two.id, "customer_dissatisfied", role="front_desk", clock=at, data={"escalate_to": "cs_supervisor"})
    later = dt.datetime.fromisoformat(START) + dt.timedelta(minutes=30)
    assert (
        {one.id, two.id},
        [one.id],
        [two.id],
        [two.id],
    ) == (
        {r.id for r in store.sessions(SessionQuery(procedure="test.release"))},
        [r.id for r in store.sessions(SessionQuery(open=True, procedure="test.release"))],
        [r.id for r in store.sessions(SessionQuery(outcome="escalated"))],
        [r.id for r in store.sessions(SessionQuery(started_from=later))],
    )


def test_the_journal_is_queried_by_kind_event_actor_role_and_time(store: Store) -> None:
    """Journal rows can be selected like a log."""
    at = clock()
    session = release(store, at)
    at.advance("5 minutes")
    store.fire(session.id, "id_copied", role="front_desk", actor="desk-7", clock=at, data={"id_copy": "scan-1"})
    since = dt.datetime.fromisoformat(START) + dt.timedelta(minutes=1)
    assert (["fire"], ["fire"], ["id_copied"], 2) == (
        [e.kind for e in store.journal(JournalQuery(actor="desk-7"))],
        [e.kind for e in store.journal(JournalQuery(at_from=since))],
        [e.event for e in store.journal(JournalQuery(event="id_copied", role="front_desk"))],
        len(store.journal(JournalQuery(procedure="test.release"))),
    )


def test_due_timers_fire_once_at_their_deadline(store: Store) -> None:
    """A timer due while nobody looked fires on the next pass, at its deadline; a second pass finds nothing."""
    at = clock()
    session = store.start("test.owner_call", clock=at, role="front_desk", data={"unit": "3-1201"})
    due = store.row(session.id).next_deadline
    assert due is not None
    later = at.now() + dt.timedelta(hours=2)
    first, second = store.run_due(later), store.run_due(later)
    timers = [e for e in store.journal(JournalQuery(session=session.id)) if e.kind == "timer"]
    assert (1, 0, [due]) == (first.sessions, second.sessions, [t.at for t in timers])


def test_sessions_not_yet_due_are_left_alone(store: Store) -> None:
    """Before the deadline the runner claims nothing."""
    at = clock()
    session = store.start("test.owner_call", clock=at, role="front_desk", data={"unit": "3-1201"})
    assert (0, 1) == (store.run_due(at.now()).sessions, store.row(session.id).seq)


def test_the_store_reopens_with_its_sessions(make_durable_store: Any) -> None:
    """Closing and opening the same database (the process restarts) keeps every session."""
    at = clock()
    first = make_durable_store()
    session = release(first, at)
    first.fire(session.id, "id_copied", role="front_desk", clock=at, data={"id_copy": "scan-1"})
    first.close()
    again = make_durable_store()
    assert ("check_id", 2) == (again.load(session.id, at).state, again.row(session.id).seq)


def test_a_second_writer_is_seen_by_the_first(make_durable_store: Any) -> None:
    """Two stores on one database (two workers): each fire sees what the other committed."""
    at = clock()
    one, two = make_durable_store(), make_durable_store()
    session = release(one, at)
    one.fire(session.id, "id_copied", role="front_desk", clock=at, data={"id_copy": "scan-1"})
    two.fire(session.id, "checked", role="front_desk", clock=at)
    step = one.fire(session.id, "fees_checked", role="front_desk", clock=at, data={"arrears_months": 0})
    kinds = [e.kind for e in one.journal(JournalQuery(session=session.id))]
    assert ("list_items", ["start", "fire", "fire", "fire"]) == (step.state, kinds)


def test_due_sessions_and_new_entries_can_be_asked_for(store: Store) -> None:
    """A query for sessions due by a time, and for the entries after one a screen has shown."""
    at = clock()
    timed = store.start("test.owner_call", clock=at, role="front_desk", data={"unit": "3-1201"})
    release(store, at)
    later = at.now() + dt.timedelta(hours=1)
    due = [r.id for r in store.sessions(SessionQuery(due_by=later))]
    session = release(store, at)
    store.fire(session.id, "id_copied", role="front_desk", clock=at, data={"id_copy": "scan-1"})
    newer = [e.seq for e in store.journal(JournalQuery(session=session.id, after_seq=1))]
    assert ([timed.id], [2]) == (due, newer)


def test_fire_renders_the_step_for_a_screen(store: Store) -> None:
    """store.fire gives the step in the language asked for, private values masked when asked."""
    at = clock()
    session = release(store, at)
    step = store.fire(session.id, "id_copied", role="front_desk", clock=at, data={"id_copy": "scan-1"}, lang="zh-Hant")
    assert "zh-Hant" == step.lang
    own = store.fire(session.id, "checked", role="front_desk", clock=at)
    masked = store.fire(
        session.id, "fees_checked", role="front_desk", clock=at, data={"arrears_months": 0}, redact=True
    )
    again = store.load(session.id, at)
    assert (own.lang, own.state) == (again.lang, "check_fees")
    assert masked == again.step(redact=True)


WRONG_KINDS: list[tuple[str, Any, str]] = [
    ("row", lambda s, at: s.row({"id": 1}), "a session id is text, found dict"),
    ("load", lambda s, at: s.load(["id"], at), "a session id is text, found list"),
    ("fire", lambda s, at: s.fire(7, "go", role="front_desk", clock=at), "a session id is text, found int"),
    ("sessions", lambda s, at: s.sessions("test.release"), "expected a SessionQuery, found str"),
    ("journal", lambda s, at: s.journal(None), "expected a JournalQuery, found NoneType"),
    ("query", lambda s, at: s.sessions(SessionQuery(procedure=5)), "SessionQuery.procedure: expected text"),
    ("query", lambda s, at: s.journal(JournalQuery(at_from=dt.datetime(2026, 3, 2))), "at_from: .* has no time zone"),
    ("query", lambda s, at: s.sessions(SessionQuery(limit=0)), "limit: expected at least 1"),
    ("query", lambda s, at: s.journal(JournalQuery(session="a\0b")), "session: the text holds a NUL"),
    ("run_due", lambda s, at: s.run_due("2026-03-02T09:00:00+08:00"), "now: expected a date and time with its zone"),
    ("run_due", lambda s, at: s.run_due(at.now(), batch=0), "batch: expected a whole number from 1 to 1,000,000"),
    ("run_due", lambda s, at: s.run_due(at.now(), limit=-(10**5000)), "limit: .* found a number past 64 bits"),
    ("query", lambda s, at: s.sessions(SessionQuery(limit=10**30)), "limit: a whole number must fit in 64 bits"),
    ("migrate", lambda s, at: s.migrate(None, clock=at), "no procedure 'None' in the library"),
]


@pytest.mark.parametrize(("what", "call", "words"), WRONG_KINDS, ids=[w[0] for w in WRONG_KINDS])
def test_a_wrong_kind_of_argument_is_a_sopflow_error_not_a_driver_s(
    store: Store, what: str, call: Any, words: str
) -> None:
    """Each would have reached the database driver (or a dict) and raised its own error; nothing is written."""
    at = clock()
    session = release(store, at)
    with pytest.raises(sopflow.SopflowError, match=words):
        call(store, at)
    assert 1 == store.row(session.id).seq


def _behind_its_back(store: Store, statement: str) -> None:
    """Change the store's database as a person at a SQL prompt, or another tool, might."""
    if isinstance(store, SQLiteStore):
        with contextlib.closing(sqlite3.connect(store.path)) as conn, conn:
            conn.execute(statement)
    else:
        assert isinstance(store, PostgresStore)
        with store._pool.connection() as conn:
            conn.execute(statement)


def test_a_journal_entry_changed_outside_sopflow_is_a_located_error(make_durable_store: Any) -> None:
    """The row is checked as a restored journal is: named by session and sequence, never a KeyError."""
    at = clock()
    store = make_durable_store()
    session = release(store, at)
    store.fire(session.id, "id_copied", role="front_desk", clock=at, data={"id_copy": "scan-1"})
    _behind_its_back(
        store,
        f"""UPDATE sopflow_journal SET entry = '{{"seq": 2, "kind": 5}}' WHERE session = '{session.id}' AND seq = 2""",
    )
    with pytest.raises(SnapshotError, match=rf"session '{session.id}' journal\.2\.at: "):
        store.journal(JournalQuery(session=session.id))
    assert ["start"] == [e.kind for e in store.journal(JournalQuery(session=session.id, kind="start"))]


@pytest.mark.parametrize("column", ["entry", "snapshot"])
def test_text_that_is_not_json_in_a_sqlite_store_is_a_store_error(tmp_path: Any, column: str) -> None:
    at = clock()
    store = SQLiteStore(sopflow.load_library(FIXTURES), tmp_path / "d.db")
    session = release(store, at)
    table = "sopflow_journal" if column == "entry" else "sopflow_sessions"
    key = "session" if column == "entry" else "id"
    _behind_its_back(store, f"""UPDATE {table} SET {column} = '{{"seq": [[[' WHERE {key} = '{session.id}'""")
    store._ready.clear()  # as another worker would: nothing of the session kept in memory
    call = {
        "entry": lambda: store.journal(JournalQuery(session=session.id)),
        "snapshot": lambda: store.fire(session.id, "id_copied", role="front_desk", clock=at, data={"id_copy": "s"}),
    }[column]
    with pytest.raises(StoreError, match=r"is not JSON \(JSONDecodeError\): the database was changed outside sopflow"):
        call()
    store.close()


def test_a_damaged_sqlite_file_is_a_store_error_for_every_call(tmp_path: Any) -> None:
    """A file whose pages were overwritten: reads and writes say so as a StoreError, never sqlite3's own."""
    at = clock()
    path = tmp_path / "d.db"
    store = SQLiteStore(sopflow.load_library(FIXTURES), path)
    ids = [release(store, at).id for _ in range(100)]
    store.close()
    data = bytearray(path.read_bytes())
    for page in range(4096, len(data), 4096):
        data[page + 100 : page + 4000] = bytes(range(256)) * 15 + bytes(60)
    path.write_bytes(bytes(data))
    store = SQLiteStore(sopflow.load_library(FIXTURES), path)
    calls = [
        lambda: store.sessions(SessionQuery()),
        lambda: store.journal(JournalQuery(session=ids[5])),
        lambda: store.fire(ids[5], "id_copied", role="front_desk", clock=at, data={"id_copy": "scan-1"}),
    ]
    for call in calls:
        with pytest.raises(StoreError, match="database disk image is malformed"):
            call()
    store.close()


@pytest.mark.parametrize("column", ["started_at", "seq", "version", "next_deadline"])
def test_a_sqlite_row_whose_numbers_were_typed_over_is_a_store_error(tmp_path: Any, column: str) -> None:
    """SQLite keeps text typed into a number column; listing or loading the session says so, naming it."""
    at = clock()
    store = SQLiteStore(sopflow.load_library(FIXTURES), tmp_path / "d.db")
    session = release(store, at)
    _behind_its_back(store, f"UPDATE sopflow_sessions SET {column} = 'yesterday' WHERE id = '{session.id}'")
    store._ready.clear()
    with pytest.raises(StoreError, match=f"the row of session '{session.id}' holds a version, revision or time"):
        store.sessions(SessionQuery())
    with pytest.raises(StoreError, match="the database was changed outside sopflow"):
        store.load(session.id, at)
    store.close()
