"""Moving a running session onto a new version of its procedure: pure, like every step.

The new version's `migrate` section says where each old state goes, which fields were
renamed or dropped; the checker has proved it complete. What only the session can
decide is refused here — a pinned state, a running call the new state would not make —
and the session then stays on its own version, which the library still holds.
"""

from __future__ import annotations

import datetime as dt

from sopflow.compile import Procedure
from sopflow.errors import MigrationRefused
from sopflow.model import LEVEL_SEPARATOR
from sopflow.runtime.config import EMPTY, Configuration, Frame, Move
from sopflow.runtime.journal import Entry


def migrate(config: Configuration, procedure: Procedure, at: dt.datetime) -> Move:
    """Move every frame of the old version onto ``procedure``; one ``migrate`` entry per frame moved."""
    plan = procedure.migration
    if plan is None:
        raise MigrationRefused(f"'{procedure.id}' v{procedure.version} says nothing about migrating sessions")
    frames = list(config.frames)
    entries: list[Entry] = []
    seq = config.seq
    for depth, frame in enumerate(frames):
        old = frame.procedure
        if old.id != procedure.id or old.version != plan.from_version:
            continue
        base, _, level = frame.state.partition(LEVEL_SEPARATOR)
        if base in plan.pin:
            raise MigrationRefused(
                f"session {config.session} is in '{frame.state}', which version {procedure.version} leaves pinned",
                session_id=config.session,
            )
        target = _target(procedure, plan.states[base], level)
        here = procedure.ir.states[target]
        calls = {c.key: c.procedure for c in (here.call, *(w.call for w in here.events.values())) if c is not None}
        child = frames[depth + 1] if depth + 1 < len(frames) else None
        if child is not None and calls.get(child.call or "") != child.procedure.id:
            raise MigrationRefused(
                f"session {config.session} is inside a call from '{frame.state}' that '{target}' does not make",
                session_id=config.session,
            )
        if child is None and here.call is not None:
            raise MigrationRefused(
                f"'{target}' calls '{here.call.procedure}', which session {config.session} is not in",
                session_id=config.session,
            )
        data = procedure.defaults.copy()
        for name, value in frame.data.items():
            name = plan.renames.get(name, name)
            if value is not None and name not in plan.drop and name in procedure.fields:
                data[name] = value
        # Timers of the new state that ran in the old one keep their deadline; new ones start now.
        deadlines = {
            t.trigger: due
            for t in here.timers
            if (due := frame.deadlines[t.trigger] if t.trigger in frame.deadlines else t.due_from(at, data)) is not None
        }
        # Promises the new version also makes keep running to their deadline; ticks start afresh.
        known = {p.name for p in procedure.ir.promises}
        promises = {name: due for name, due in frame.promises.items() if name in known}
        frames[depth] = Frame(procedure, target, data, deadlines or EMPTY, None, frame.call, promises or EMPTY)
        seq += 1
        detail = f"version {old.version} -> {procedure.version}"
        entries.append(
            Entry(
                seq,
                at,
                "migrate",
                procedure.id,
                procedure.version,
                depth,
                source=frame.state,
                target=target,
                detail=detail,
            )
        )
    if not entries:
        raise MigrationRefused(
            f"session {config.session} runs no frame of '{procedure.id}' v{plan.from_version}",
            session_id=config.session,
        )
    return Move(Configuration(config.session, tuple(frames), seq), tuple(entries))


def _target(procedure: Procedure, base: str, level: str) -> str:
    """The new state; a laddered one at the same level's role when it has one, else its first level."""
    states = procedure.ir.states
    if base in states:
        return base
    levels = [name for name, s in states.items() if s.base == base]
    wanted = f"{base}{LEVEL_SEPARATOR}{level}"
    return wanted if wanted in levels else levels[0]
