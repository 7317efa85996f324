"""A finding's shortest way, written as a scenario file the author replays with ``walk --script``.

A model checker's answer is only as useful as the reader's ability to see it happen. The
explorer's path is replayed on a real session with a manual clock, so each timer becomes
a ``wait`` of the real length and each step carries real data; the scenario ends with an
expectation that shows the problem: the step refused for breaking the invariant (scenarios
run strict), or the state where the session is stuck.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from sopflow.analysis.explore import Action
from sopflow.analysis.verify import Finding
from sopflow.compile import Procedure
from sopflow.errors import SopflowError
from sopflow.runtime import ManualClock, Session

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
"""Monday 2 March 2026, 09:00 in Shanghai: the start scenarios use when they name none."""


def scenario(procedure: Procedure, finding: Finding, lang: str | None = None) -> dict[str, Any]:
    """The scenario document (as data) that walks ``finding``'s path on a real session."""
    path = finding.path
    if not path or path[0].kind != "start":
        raise ValueError(f"finding '{finding.code}' has no way to replay")
    begin = path[0]
    clock = ManualClock(START)
    document: dict[str, Any] = {
        "scenario": f"counterexample: {finding.message}",
        "procedure": procedure.id,
    }
    if lang is not None:
        document["languages"] = [lang]
    start: dict[str, Any] = {"role": begin.role, "at": START.isoformat()}
    if begin.data:
        start["data"] = dict(begin.data)
    document["start"] = start
    session = Session.start(procedure, clock=clock, role=begin.role or "", data=dict(begin.data))
    steps: list[dict[str, Any]] = []
    for number, action in enumerate(path[1:], 1):
        last = number == len(path) - 1
        steps.append(_step(session, clock, action, breaks=last and finding.code == "invariant-broken"))
    if steps and finding.code != "invariant-broken":
        steps[-1]["expect"] = _where(session)
    document["steps"] = steps
    return document


def scenario_text(procedure: Procedure, finding: Finding, lang: str | None = None) -> str:
    """The scenario as a YAML file, with a comment saying what it shows and how to replay it."""
    body = yaml.safe_dump(scenario(procedure, finding, lang), allow_unicode=True, sort_keys=False, width=100)
    head = [
        f"# {finding.code}: {finding.message}",
        "# Written by `sopflow check`: the shortest way there, found by exploring every way through.",
        "# Replay it with: sopflow walk --script THIS_FILE",
    ]
    return "\n".join(head) + "\n" + body


def _step(session: Session, clock: ManualClock, action: Action, *, breaks: bool) -> dict[str, Any]:
    if action.kind in ("timer", "miss"):
        due = _due(session, action)
        wait = max(int((due - clock.now()).total_seconds()), 0)
        clock.set(max(due, clock.now()))
        session.advance()
        return {"wait": f"{wait}s"}
    step: dict[str, Any]
    if action.kind == "fire":
        step = {"fire": action.name, "as": action.role}
        if action.data:
            step["data"] = dict(action.data)
    else:
        step = {"check": action.name, "as": action.role}
    try:
        if action.kind == "fire":
            session.fire(action.name, role=action.role or "", data=dict(action.data))
        else:
            session.check(action.name, role=action.role or "")
    except SopflowError as exc:
        step["refused"] = type(exc).__name__
        return step
    if breaks:
        step["refused"] = "InvariantViolated"  # scenarios run strict: the breaking step is refused there
    return step


def _due(session: Session, action: Action) -> dt.datetime:
    frames = session.frames
    frame = frames[min(action.depth, len(frames) - 1)]
    found = (frame.deadlines if action.kind == "timer" else frame.promises).get(action.name)
    if found is None:
        raise ValueError(f"{action.describe()}: not running when the scenario reaches it")
    return found


def _where(session: Session) -> dict[str, Any]:
    expect: dict[str, Any] = {"state": session.state}
    if session.outcome is None:
        expect["outcome"] = None
    return expect
