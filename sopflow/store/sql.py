"""The SQL both database stores share: tables, statements, rows in and out, schema upgrades.

Written as plain SQL rather than through an ORM: five statements do all the work, each
must do exactly one thing under concurrency (an UPDATE guarded by the revision, a
claim that locks or skips rows), and the two databases differ only in a few words —
placeholders, the JSON and boolean types, and how a claim locks — which a
:class:`Dialect` names. Times that are compared or indexed are UTC microseconds in
``BIGINT`` columns, so both databases sort and index them the same way; every entry
is also kept whole as JSON, so a journal read back is exactly the journal written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sopflow.errors import StoreError
from sopflow.model.values import short
from sopflow.runtime import Entry
from sopflow.runtime.snapshot import entry_from
from sopflow.store.base import Tx
from sopflow.store.rows import JournalQuery, SessionQuery, SessionRow, Written, from_micros, micros

SCHEMA_VERSION = 1
"""The version of the tables this sopflow writes; see :data:`UPGRADES`."""


class Cursor(Protocol):
    """The part of a DB-API cursor the stores use (sqlite3 and psycopg both provide it)."""

    @property
    def rowcount(self) -> int: ...

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...

    def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


@dataclass(frozen=True)
class Dialect:
    """The words in which two databases differ.

    Statements are written with ``?`` for a parameter and ``?j`` for a JSON document
    passed as text; :meth:`sql` turns them into the database's own.
    """

    name: str
    json: str
    """Column type of JSON documents."""
    boolean: str
    claim_lock: str
    """What a claim of due sessions appends to its SELECT (row locks that skip locked rows, or nothing)."""
    read_lock: str
    """What a locking read appends."""
    placeholder: str = "?"
    json_param: str = "?"
    """How a statement passes a JSON document it was given as text (a cast, where the database wants one)."""
    write_with: bool = False
    """Whether an UPDATE may feed an INSERT in one statement (``WITH ... UPDATE ... RETURNING``)."""

    def sql(self, text: str) -> str:
        text = text.replace("?j", self.json_param)
        return text.replace("?", self.placeholder) if self.placeholder != "?" else text


def create_statements(d: Dialect) -> list[str]:
    """The tables and indexes of schema version 1."""
    return [
        "CREATE TABLE IF NOT EXISTS sopflow_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"""CREATE TABLE IF NOT EXISTS sopflow_sessions (
            id TEXT PRIMARY KEY,
            procedure TEXT NOT NULL,
            version INTEGER NOT NULL,
            state TEXT NOT NULL,
            path TEXT NOT NULL,
            outcome TEXT,
            started_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            seq BIGINT NOT NULL,
            next_deadline BIGINT,
            pinned {d.boolean} NOT NULL DEFAULT FALSE,
            snapshot {d.json} NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS sopflow_sessions_due ON sopflow_sessions (next_deadline) "
        "WHERE next_deadline IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS sopflow_sessions_procedure ON sopflow_sessions (procedure, version, state)",
        "CREATE INDEX IF NOT EXISTS sopflow_sessions_started ON sopflow_sessions (started_at)",
        f"""CREATE TABLE IF NOT EXISTS sopflow_journal (
            session TEXT NOT NULL,
            seq BIGINT NOT NULL,
            at BIGINT NOT NULL,
            kind TEXT NOT NULL,
            procedure TEXT NOT NULL,
            version INTEGER,
            actor TEXT,
            role TEXT,
            event TEXT,
            entry {d.json} NOT NULL,
            PRIMARY KEY (session, seq)
        )""",
        "CREATE INDEX IF NOT EXISTS sopflow_journal_procedure_at ON sopflow_journal (procedure, at)",
        "CREATE INDEX IF NOT EXISTS sopflow_journal_at ON sopflow_journal (at)",
        "CREATE INDEX IF NOT EXISTS sopflow_journal_actor ON sopflow_journal (actor, at)",
        "CREATE INDEX IF NOT EXISTS sopflow_journal_event ON sopflow_journal (event, at)",
    ]


UPGRADES: dict[int, Callable[[Dialect], list[str]]] = {}
"""Schema version N -> the statements that bring it to N + 1. Empty while there is only version 1."""


def prepare(cur: Cursor, d: Dialect) -> None:
    """Create the tables, or upgrade them; refuse tables newer than this sopflow knows."""
    for statement in create_statements(d):
        cur.execute(statement)
    cur.execute(d.sql("SELECT value FROM sopflow_meta WHERE name = ?"), ("schema_version",))
    found = cur.fetchone()
    if found is None:
        cur.execute(d.sql("INSERT INTO sopflow_meta (name, value) VALUES (?, ?)"), ("schema_version", "1"))
        version = 1
    else:
        version = int(found[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the store's tables are at schema version {version}, newer than this sopflow's {SCHEMA_VERSION}; "
            "upgrade sopflow before using this database"
        )
    while version < SCHEMA_VERSION:
        for statement in UPGRADES[version](d):
            cur.execute(statement)
        version += 1
        cur.execute(d.sql("UPDATE sopflow_meta SET value = ? WHERE name = ?"), (str(version), "schema_version"))


_COLUMNS = "id, procedure, version, state, path, outcome, started_at, updated_at, seq, next_deadline, pinned"


def _row(values: Sequence[Any]) -> SessionRow:
    """A session's row; one whose numbers are not the whole numbers sopflow writes (SQLite keeps
    whatever a person types into a column) is a StoreError naming the session."""
    try:
        if type(values[2]) is not int or type(values[8]) is not int:
            raise TypeError
        started, updated = from_micros(values[6]), from_micros(values[7])
        deadline = from_micros(values[9])
    except (TypeError, ValueError, OverflowError):
        raise StoreError(
            f"the row of session {short(values[0])} holds a version, revision or time sopflow did not write: "
            "the database was changed outside sopflow"
        ) from None
    assert started is not None  # NOT NULL column
    assert updated is not None
    return SessionRow(
        id=values[0],
        procedure=values[1],
        version=values[2],
        state=values[3],
        path=values[4],
        outcome=values[5],
        started_at=started,
        updated_at=updated,
        seq=values[8],
        next_deadline=deadline,
        pinned=bool(values[10]),
    )


def _entry_rows(session_id: str, entries: Iterable[Entry]) -> list[tuple[Any, ...]]:
    return [
        (
            session_id,
            e.seq,
            micros(e.at),
            e.kind,
            e.procedure,
            e.version,
            e.actor,
            e.role,
            e.event,
            _dumps(e.as_dict()),
        )
        for e in entries
    ]


class SqlTx(Tx):
    """One database transaction, on a cursor the backend opened."""

    def __init__(self, cur: Cursor, d: Dialect) -> None:
        self.cur = cur
        self.d = d

    def insert(self, w: Written) -> None:
        r = w.row
        # ON CONFLICT rather than a look first: two writers starting one id at once cannot both insert it.
        self.cur.execute(
            self.d.sql(
                f"INSERT INTO sopflow_sessions ({_COLUMNS}, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?j) "
                "ON CONFLICT (id) DO NOTHING"
            ),
            (*self._values(r), _dumps(w.snapshot)),
        )
        if self.cur.rowcount != 1:
            raise StoreError(f"a session '{r.id}' is already stored", session_id=r.id)
        self._append(r.id, w.entries)

    def read(self, session_id: str, *, lock: bool) -> tuple[dict[str, Any], SessionRow] | None:
        sql = f"SELECT {_COLUMNS}, snapshot FROM sopflow_sessions WHERE id = ?" + (self.d.read_lock if lock else "")
        self.cur.execute(self.d.sql(sql), (session_id,))
        found = self.cur.fetchone()
        if found is None:
            return None
        snapshot = found[11]
        return _json(snapshot, f"the stored snapshot of session '{session_id}'"), _row(found)

    def revision(self, session_id: str, *, lock: bool) -> int | None:
        sql = "SELECT seq FROM sopflow_sessions WHERE id = ?" + (self.d.read_lock if lock else "")
        self.cur.execute(self.d.sql(sql), (session_id,))
        found = self.cur.fetchone()
        return None if found is None else int(found[0])

    def write(self, w: Written, expected_seq: int) -> bool:
        r = w.row
        update = (
            r.procedure,
            r.version,
            r.state,
            r.path,
            r.outcome,
            micros(r.updated_at),
            r.seq,
            micros(r.next_deadline),
            _dumps(w.snapshot),
            r.id,
            expected_seq,
        )
        if self.d.write_with and len(w.entries) == 1:
            # The usual step writes one entry: row and entry in one statement, one round trip fewer.
            self.cur.execute(self.d.sql(_UPDATE_AND_APPEND), (*update, *_entry_rows(r.id, w.entries)[0][1:]))
            return self.cur.rowcount == 1
        self.cur.execute(self.d.sql(_UPDATE), update)
        if self.cur.rowcount != 1:
            return False
        self._append(r.id, w.entries)
        return True

    def claim_due(self, now_us: int, limit: int) -> list[str]:
        self.cur.execute(
            self.d.sql(
                "SELECT id FROM sopflow_sessions WHERE next_deadline IS NOT NULL AND next_deadline <= ? "
                "ORDER BY next_deadline LIMIT ?" + self.d.claim_lock
            ),
            (now_us, limit),
        )
        return [row[0] for row in self.cur.fetchall()]

    def pin(self, session_id: str) -> None:
        self.cur.execute(self.d.sql("UPDATE sopflow_sessions SET pinned = TRUE WHERE id = ?"), (session_id,))

    def _values(self, r: SessionRow) -> tuple[Any, ...]:
        return (
            r.id,
            r.procedure,
            r.version,
            r.state,
            r.path,
            r.outcome,
            micros(r.started_at),
            micros(r.updated_at),
            r.seq,
            micros(r.next_deadline),
            r.pinned,
        )

    def _append(self, session_id: str, entries: Sequence[Entry]) -> None:
        if not entries:
            return
        sql = self.d.sql(_APPEND)
        values = _entry_rows(session_id, entries)
        if len(values) == 1:  # most steps write one entry: one plain statement, no batch machinery (psycopg pipelines)
            self.cur.execute(sql, values[0])
        else:
            self.cur.executemany(sql, values)


_UPDATE = (
    "UPDATE sopflow_sessions SET procedure = ?, version = ?, state = ?, path = ?, outcome = ?, "
    "updated_at = ?, seq = ?, next_deadline = ?, snapshot = ?j WHERE id = ? AND seq = ?"
)
_APPEND_COLUMNS = "session, seq, at, kind, procedure, version, actor, role, event, entry"
_APPEND = f"INSERT INTO sopflow_journal ({_APPEND_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?j)"
_UPDATE_AND_APPEND = (
    f"WITH updated AS ({_UPDATE} RETURNING id) "
    f"INSERT INTO sopflow_journal ({_APPEND_COLUMNS}) "
    "SELECT id, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS INTEGER), "
    "CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), ?j FROM updated"
)
"""The row written and the entry appended only if it was: the entry's row count says whether the revision held."""


def session_query(d: Dialect, q: SessionQuery) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for column, value in (("procedure", q.procedure), ("version", q.version), ("state", q.state)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if q.outcome is not None:
        where.append("outcome = ?")
        params.append(q.outcome)
    if q.open is not None:
        where.append("outcome IS NULL" if q.open else "outcome IS NOT NULL")
    if q.started_from is not None:
        where.append("started_at >= ?")
        params.append(micros(q.started_from))
    if q.started_before is not None:
        where.append("started_at < ?")
        params.append(micros(q.started_before))
    if q.due_by is not None:
        where.append("next_deadline IS NOT NULL AND next_deadline <= ?")
        params.append(micros(q.due_by))
    sql = f"SELECT {_COLUMNS} FROM sopflow_sessions"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY started_at DESC, id DESC LIMIT ?"
    return d.sql(sql), [*params, q.limit]


def journal_query(d: Dialect, q: JournalQuery) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("session", q.session),
        ("procedure", q.procedure),
        ("kind", q.kind),
        ("event", q.event),
        ("actor", q.actor),
        ("role", q.role),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if q.at_from is not None:
        where.append("at >= ?")
        params.append(micros(q.at_from))
    if q.at_before is not None:
        where.append("at < ?")
        params.append(micros(q.at_before))
    if q.after_seq is not None:
        where.append("seq > ?")
        params.append(q.after_seq)
    sql = "SELECT session, seq, entry FROM sopflow_journal"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY at, session, seq LIMIT ?"
    return d.sql(sql), [*params, q.limit]


def rows(found: list[Any]) -> list[SessionRow]:
    return [_row(values) for values in found]


def entries(found: list[Any]) -> list[Entry]:
    """Journal rows as entries, each checked as a restored journal is: a database is edited by
    people and tools too, and a row that is not an entry is a located error, never a KeyError."""
    out = []
    for session, seq, raw in found:
        what = f"session '{session}' journal.{seq}"
        out.append(entry_from(_json(raw, f"the stored {what}"), what))
    return out


def _json(value: Any, what: str) -> Any:
    """A JSON column's value (SQLite hands back text, PostgreSQL the parsed value)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except (ValueError, RecursionError) as exc:
        problem = f"{what} is not JSON ({type(exc).__name__}): the database was changed outside sopflow"
        raise StoreError(problem) from None


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""Compact JSON, as every row stores it (one encoder, not one per call as ``json.dumps`` with options builds)."""
