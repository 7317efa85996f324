"""(a) The tenant release through sopflow: release_bench.yaml + policy_escalate.yaml.

Everything the other two sides do by hand comes from the YAML here: the graph, the guards,
the escalation in every non-final state, the timers. A visit is a :class:`sopflow.Session`
(journal, role check and data validation included); a stateless host keeps only
``snapshot(journal=False)`` between requests and restores it for the next one.
"""

from __future__ import annotations

from typing import Any

from common import FRONT, HERE, PROCEDURE, START_DATA, TIMER_DELAY, Action

import sopflow


def load() -> sopflow.Library:
    """The benchmark's two YAML files, checked and compiled."""
    return sopflow.load_library(HERE)


def start(library: sopflow.Library, clock: sopflow.ManualClock) -> sopflow.Session:
    return library.start(PROCEDURE, clock=clock, role=FRONT, data=START_DATA)


def fire(session: sopflow.Session, action: Action) -> Any:
    """Host events go through ``Session.fire``; a timer is the clock moving on, then ``advance``."""
    trigger, role, data = action
    if trigger.startswith("timer:"):
        session.clock.advance(TIMER_DELAY[trigger])  # type: ignore[attr-defined]
        return session.advance()
    return session.fire(trigger, role=role, data=data)


def triggers_of(procedure: sopflow.Procedure) -> dict[str, list[str]]:
    """Every trigger (host events and timers) of every state, from the IR (for the walk generator)."""
    return {name: list(row) for name, row in procedure.ir.fast.items()}
