"""An explorer's action replayed on a real session, written down as a scenario step.

Counterexamples and generated scenarios are both paths the explorer found; a person reads and
reruns them as scenarios. Replaying each action on a real session with a manual clock turns a
timer into a ``wait`` of its real length and gives each step its real data, so the file shows
what a session would do, not what the explorer abstracted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sopflow.analysis.explore import Action
from sopflow.compile import Procedure
from sopflow.errors import SopflowError
from sopflow.runtime import ManualClock, Session

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
"""Monday 2 March 2026, 09:00 in Shanghai: where written scenarios start."""


def begin(procedure: Procedure, action: Action) -> tuple[Session, ManualClock, dict[str, Any]]:
    """The session a path's start action opens, its clock, and the scenario's ``start`` block."""
    clock = ManualClock(START)
    session = Session.start(procedure, clock=clock, role=action.role or "", data=action.payload())
    start: dict[str, Any] = {"role": action.role, "at": START.isoformat()}
    if action.data:
        start["data"] = action.payload()
    return session, clock, start


def written(action: Action) -> dict[str, Any]:
    """The step as a scenario writes it (a timer's wait is only known on a session: see ``play``)."""
    if action.kind == "fire":
        step: dict[str, Any] = {"fire": action.name, "as": action.role}
        if action.data:
            step["data"] = action.payload()
        return step
    return {"check": action.name, "as": action.role}


def play(session: Session, clock: ManualClock, action: Action) -> dict[str, Any]:
    """Replay one action and return its step; a refusal raises the session's ``SopflowError``."""
    if action.kind in ("timer", "miss"):
        due, now = _due(session, action), clock.now()
        wait = int((due - now).total_seconds())
        if wait < 1:
            # Already due (a moment a field holds may be now or past): a scenario waits at least
            # a second, and the replay waits as long as the scenario will.
            wait, due = 1, now + dt.timedelta(seconds=1)
        clock.set(due)
        session.advance()
        return {"wait": _spoken(wait)}
    step = written(action)
    if action.kind == "fire":
        session.fire(action.name, role=action.role or "", data=action.payload())
    else:
        session.check(action.name, role=action.role or "")
    return step


def _spoken(seconds: int) -> str:
    """``91800`` → ``1d 1h 30m``: a wait as a reader of the scenario counts it."""
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts) or "0s"


class NotRunning(SopflowError, ValueError):
    """The path's timer or promise is not running on the session when the path reaches it."""


def _due(session: Session, action: Action) -> dt.datetime:
    frames = session.frames
    frame = frames[min(action.depth, len(frames) - 1)]
    found = (frame.deadlines if action.kind == "timer" else frame.promises).get(action.name)
    if found is None:
        raise NotRunning(f"{action.describe()}: not running when the scenario reaches it")
    return found
