"""What the front-desk service does, without HTTP: every method takes plain values and returns JSON.

The web layer (:mod:`examples.desk_service.service`) only reads requests and writes these
dictionaries back. Everything here is a call on a sopflow store; every step and
journal entry leaves redacted, because whatever this service answers ends up on a
screen or in a log that others see.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sopflow
from sopflow.store import JournalQuery, SessionQuery, SessionRow, Store

JSON = dict[str, Any]


class BadRequest(Exception):
    """The request itself is malformed: not JSON, a missing or mistyped field, an unknown language."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class Desk:
    """Sessions kept in ``store``, driven at the time ``clock`` gives."""

    def __init__(self, store: Store, clock: sopflow.Clock) -> None:
        self.store = store
        self.clock = clock
        self.library = store.library

    # -- sessions --------------------------------------------------------------------------------

    def start(self, body: Mapping[str, Any]) -> JSON:
        """Start a session of ``procedure`` and answer its id and first step."""
        procedure = text(body, "procedure")
        version = whole(body, "version")
        role = text(body, "role")
        actor = optional_text(body, "actor")
        lang = optional_text(body, "lang")
        data = mapping(body, "data")
        if lang is not None:
            known(lang, self.library.get(procedure, version).languages)
        session = self.store.start(
            procedure, clock=self.clock, role=role, version=version, actor=actor, data=data, lang=lang
        )
        return shown(session)

    def show(self, session_id: str, lang: str | None = None) -> JSON:
        """The current step of a session, as stored (due timers are the runner's job, not a reader's)."""
        session = self.store.load(session_id, self.clock)
        return shown(session, lang)

    def fire(self, session_id: str, body: Mapping[str, Any]) -> JSON:
        """Fire an event; a refusal is journaled by the store and raised to the caller."""
        event = text(body, "event")
        role = text(body, "role")
        actor = optional_text(body, "actor")
        lang = optional_text(body, "lang")
        data = mapping(body, "data")
        if lang is not None:
            known(lang, self.library[self.store.row(session_id).procedure].languages)
        step = self.store.fire(
            session_id, event, role=role, clock=self.clock, actor=actor, data=data, lang=lang, redact=True
        )
        row = self.store.row(session_id)  # a plain read: the revision to show beside the step
        return {
            "id": session_id,
            "procedure": row.procedure,
            "version": row.version,
            "seq": row.seq,
            "outcome": step.outcome,
            "step": step_json(step),
        }

    def sessions(self, query: Mapping[str, str]) -> JSON:
        """Rows of the stored sessions, newest first, filtered by procedure, state, outcome and open."""
        found = self.store.sessions(
            SessionQuery(
                procedure=query.get("procedure") or None,
                state=query.get("state") or None,
                outcome=query.get("outcome") or None,
                open=flag(query, "open"),
                limit=count(query, "limit", 100),
            )
        )
        return {"sessions": [row_json(r) for r in found]}

    def journal(self, session_id: str) -> JSON:
        """The session's journal, each entry redacted by the procedure that wrote it."""
        self.store.row(session_id)  # SessionNotFound for an unknown id, rather than an empty journal
        entries = self.store.journal(JournalQuery(session=session_id))
        return {"id": session_id, "entries": [self.library.redact(e) for e in entries]}

    # -- timers ----------------------------------------------------------------------------------

    def due(self) -> JSON:
        """Open sessions whose earliest timer is due now, earliest first."""
        now = self.clock.now()
        rows = self.store.sessions(SessionQuery(due_by=now, limit=10_000))
        rows.sort(key=lambda r: (r.next_deadline or now, r.id))
        return {"now": now.isoformat(), "due": [row_json(r) for r in rows]}

    def run_due(self, body: Mapping[str, Any]) -> JSON:
        """Fire every timer due now, a batch of sessions per transaction."""
        batch = whole(body, "batch")
        if batch is None:
            batch = 100
        elif batch < 1:
            raise BadRequest("'batch' must be at least 1")
        now = self.clock.now()
        report = self.store.run_due(now, batch=batch)
        return {
            "now": now.isoformat(),
            "sessions": report.sessions,
            "entries": report.entries,
            "failed": [{"id": session_id, "reason": reason} for session_id, reason in report.failed],
        }


def shown(session: sopflow.Session, lang: str | None = None) -> JSON:
    """A session as a screen shows it: its id, revision and current step, private values masked."""
    if lang is not None:
        known(lang, session.procedure.languages)
    return {
        "id": session.id,
        "procedure": session.procedure.id,
        "version": session.procedure.version,
        "seq": session.seq,
        "outcome": session.outcome,
        "step": step_json(session.step(lang, redact=True)),
    }


def step_json(step: sopflow.Step) -> JSON:
    return {
        "procedure": step.procedure,
        "state": step.state,
        "path": list(step.path),
        "role": step.role,
        "title": step.title,
        "say": step.say,
        "do": step.do,
        "tips": list(step.tips),
        "source": step.source.model_dump(exclude_none=True) if step.source is not None else None,
        "missing": list(step.missing),
        "events": [
            {
                "name": e.name,
                "title": e.title,
                "roles": list(e.roles),
                "data": list(e.data),
                "optional": list(e.optional),
                "procedure": e.procedure,
            }
            for e in step.events
        ],
        "timers": [{"name": t.name, "due": t.due.isoformat(), "procedure": t.procedure} for t in step.timers],
        "outcome": step.outcome,
        "lang": step.lang,
    }


def row_json(row: SessionRow) -> JSON:
    return {
        "id": row.id,
        "procedure": row.procedure,
        "version": row.version,
        "state": row.state,
        "path": row.path,
        "outcome": row.outcome,
        "open": row.open,
        "started_at": row.started_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "seq": row.seq,
        "next_deadline": row.next_deadline.isoformat() if row.next_deadline is not None else None,
        "pinned": row.pinned,
    }


# -- reading requests ------------------------------------------------------------------------------


def text(body: Mapping[str, Any], name: str) -> str:
    value = optional_text(body, name)
    if value is None:
        raise BadRequest(f"'{name}' is required")
    return value


def optional_text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise BadRequest(f"'{name}' must be non-empty text")
    return value


def whole(body: Mapping[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadRequest(f"'{name}' must be a whole number")
    return value


def mapping(body: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest(f"'{name}' must be an object of field names to values")
    return value


def flag(query: Mapping[str, str], name: str) -> bool | None:
    value = query.get(name)
    if value is None or value == "":
        return None
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise BadRequest(f"'{name}' must be true or false, found {value!r}")


def count(query: Mapping[str, str], name: str, default: int) -> int:
    value = query.get(name)
    if value is None or value == "":
        return default
    if not value.isdigit() or int(value) < 1:
        raise BadRequest(f"'{name}' must be a positive whole number, found {value!r}")
    return int(value)


def known(lang: str, languages: tuple[str, ...]) -> None:
    if lang not in languages:
        raise BadRequest(f"no language '{lang}' in this procedure; it has {', '.join(languages)}")
