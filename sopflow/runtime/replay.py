"""Rebuild a session from its journal alone: the proof that the journal tells the whole story.

Replay feeds the host's inputs — start, fired events, the passing of time —
to the step kernel and compares every entry it writes with the recorded
one. Entries the session derives itself (calls, returns, cancels, timers
that fell due) are regenerated, not copied, which is what makes a match
mean something. Refused events changed nothing but the entry count, so
their recorded entry is kept as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sopflow.errors import ReplayMismatch, SnapshotError, TimersRunaway
from sopflow.runtime import kernel
from sopflow.runtime.clock import ManualClock
from sopflow.runtime.config import Check, Configuration, Fire, Tick
from sopflow.runtime.journal import Entry
from sopflow.runtime.migrate import migrate
from sopflow.runtime.session import Resolver, Session
from sopflow.runtime.snapshot import entry_from, upgrade


def replay(journal: Iterable[Entry | Mapping[str, Any]], resolve: Resolver) -> Session:
    """Re-run what the host did and return the session; raise :class:`ReplayMismatch` where it differs."""
    entries = _entries(journal)
    first = entries[0]
    assert first.meta is not None  # _entries checked it
    if first.version is None:
        raise SnapshotError("journal.0.version: the start entry must name the procedure version")
    try:
        procedure = resolve(first.procedure, first.version)
    except SnapshotError as exc:
        raise SnapshotError(f"journal.0.procedure: {exc.message}") from None
    move = kernel.start(
        procedure,
        session=first.meta.session,
        at=first.at,
        role=first.role or "",
        actor=first.actor,
        data=first.data,
        lang=first.meta.lang,
        strict=first.meta.strict,
    )
    config, produced = move.config, list(move.entries)
    _compare(entries, produced, 0)
    strict = first.meta.strict
    while len(produced) < len(entries):
        entry = entries[len(produced)]
        if entry.kind == "fire":
            trigger: Fire | Tick | Check = Fire(entry.event or "", entry.role or "", entry.at, entry.actor, entry.data)
        elif entry.kind == "check":
            trigger = Check(entry.event or "", entry.role or "", entry.at, entry.actor)
        elif entry.kind in ("timer", "refused") or (entry.kind == "promise" and entry.detail == "missed"):
            trigger = Tick(entry.at)
        elif entry.kind == "migrate" and entry.version is not None:
            before = len(produced)
            try:
                target = resolve(entry.procedure, entry.version)
            except SnapshotError as exc:
                raise SnapshotError(f"journal.{before}.version: {exc.message}") from None
            move = migrate(config, target, entry.at)
            config = move.config
            produced += move.entries
            _compare(entries, produced, before)
            continue
        else:
            raise ReplayMismatch(
                f"journal.{len(produced)}: a '{entry.kind}' entry must follow the step that caused it; "
                "replay found no such step"
            )
        before = len(produced)
        move = kernel.step(config, trigger, strict=strict)
        config = move.config
        produced += move.entries
        if entry.kind == "refused" and len(produced) == before:
            # A refusal changes nothing but the count: keep the recorded entry.
            config = Configuration(config.session, config.frames, config.seq + 1)
            produced.append(entry)
        if move.refusal is not None and not (entry.kind == "refused" and isinstance(move.refusal, TimersRunaway)):
            # A runaway of timers refuses the very step that met it, time passing included.
            raise ReplayMismatch(
                f"journal.{before}: '{entry.event}' was accepted, but is refused on replay ({move.refusal.message})"
            )
        if len(produced) == before:
            raise ReplayMismatch(f"journal.{before}: replay finds nothing that writes this '{entry.kind}' entry")
        _compare(entries, produced, before)
    return Session(config, ManualClock(entries[-1].at), lang=first.meta.lang, strict=strict, journal=produced)


def _entries(journal: Iterable[Entry | Mapping[str, Any]]) -> list[Entry]:
    if isinstance(journal, (str, bytes, Mapping)) or not isinstance(journal, Iterable):
        raise SnapshotError(f"journal: expected a list of entries, found {type(journal).__name__}")
    raw = list(journal)
    if raw and not isinstance(raw[0], Entry):
        # The journal of a snapshot of an older format: upgrade it with a stand-in snapshot.
        probe = upgrade({"format": 1, "frame": None, "journal": raw}) if _older(raw) else {"journal": raw}
        raw = probe["journal"]
    if not isinstance(raw, list):  # an upgrade that found no journal list
        raise SnapshotError("journal: expected a list of entries")
    entries = [entry_from(e, f"journal.{i}") for i, e in enumerate(raw)]
    if not entries or entries[0].kind != "start" or entries[0].meta is None:
        raise SnapshotError("journal.0: a journal starts with its 'start' entry")
    return entries


def _older(raw: list[Any]) -> bool:
    first = raw[0]
    return isinstance(first, Mapping) and isinstance(first.get("meta"), Mapping) and "version" in first["meta"]


def _compare(recorded: list[Entry], produced: list[Entry], start: int) -> None:
    for i in range(start, len(produced)):
        if i >= len(recorded):
            raise ReplayMismatch(f"journal.{i}: replay wrote a '{produced[i].kind}' entry the journal does not have")
        mine, theirs = produced[i].as_dict(), recorded[i].as_dict()
        if "version" not in theirs:  # journals older than versioned entries
            mine.pop("version", None)
        if mine != theirs:
            differs = sorted(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))
            raise ReplayMismatch(
                f"journal.{i}: the recorded '{recorded[i].kind}' entry differs from the replayed "
                f"'{produced[i].kind}' entry in {', '.join(differs)}"
            )
