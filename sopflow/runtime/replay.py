"""Rebuild a session from its journal alone: the proof that the journal tells the whole story."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sopflow.errors import RuntimeRefusal, SnapshotError
from sopflow.runtime.clock import ManualClock
from sopflow.runtime.journal import Entry
from sopflow.runtime.session import Resolver, Session


def replay(journal: Iterable[Entry | Mapping[str, Any]], resolve: Resolver) -> Session:
    """Re-run what the host did (start, fires, the passing of time) and return the session.

    Entries a session derives by itself (calls, returns, cancels) are not
    replayed: re-running the host's inputs regenerates them, which is what
    makes the comparison with a snapshot meaningful.
    """
    entries = [e if isinstance(e, Entry) else Entry.from_dict(e) for e in journal]
    if not entries or entries[0].kind != "start":
        raise SnapshotError("a journal starts with its 'start' entry")
    start = entries[0]
    meta = start.meta
    clock = ManualClock(start.at)
    session = Session.start(
        resolve(start.procedure, int(meta["version"])),
        clock=clock,
        role=start.role or "",
        actor=start.actor,
        data=start.data,
        lang=meta.get("lang"),
        session_id=meta.get("session"),
        strict=bool(meta.get("strict")),
    )
    for entry in entries[1:]:
        if entry.kind in ("fire", "refused"):
            clock.set(entry.at)
            try:
                session.fire(entry.event or "", role=entry.role or "", actor=entry.actor, data=entry.data)
            except RuntimeRefusal:
                if entry.kind == "fire":
                    raise SnapshotError(f"entry {entry.seq} was accepted but is refused on replay") from None
        elif entry.kind == "timer":
            clock.set(entry.at)
            session.advance()
    return session
