"""A finding's shortest way, written as a scenario file the author replays with ``walk --script``.

A model checker's answer is only as useful as the reader's ability to see it happen. The
explorer's path is replayed on a real session with a manual clock, so each timer becomes
a ``wait`` of the real length and each step carries real data; the scenario ends with an
expectation that shows the problem: the step refused for breaking the invariant (scenarios
run strict), or the state where the session is stuck.
"""

from __future__ import annotations

from typing import Any

import yaml

from sopflow.analysis.replay import begin, play, written
from sopflow.analysis.verify import Finding
from sopflow.compile import Procedure
from sopflow.errors import SopflowError
from sopflow.runtime import Session


def scenario(procedure: Procedure, finding: Finding, lang: str | None = None) -> dict[str, Any]:
    """The scenario document (as data) that walks ``finding``'s path on a real session."""
    path = finding.path
    if not path or path[0].kind != "start":
        raise ValueError(f"finding '{finding.code}' has no way to replay")
    document: dict[str, Any] = {
        "scenario": f"counterexample: {finding.message}",
        "procedure": procedure.id,
    }
    if lang is not None:
        document["languages"] = [lang]
    session, clock, document["start"] = begin(procedure, path[0])
    steps: list[dict[str, Any]] = []
    for number, action in enumerate(path[1:], 1):
        last = number == len(path) - 1
        try:
            step = play(session, clock, action)
        except SopflowError as exc:
            step = {**written(action), "refused": type(exc).__name__}
        else:
            if last and finding.code == "invariant-broken":
                step["refused"] = "InvariantViolated"  # scenarios run strict: the breaking step is refused there
        steps.append(step)
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


def _where(session: Session) -> dict[str, Any]:
    expect: dict[str, Any] = {"state": session.state}
    if session.outcome is None:
        expect["outcome"] = None
    return expect
