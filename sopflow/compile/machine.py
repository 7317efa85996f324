"""The one module that knows ``transitions``: build a machine from the IR, and fire on it.

One machine per procedure is shared by all its sessions. A session is not
attached with ``add_model`` (that costs kilobytes per session and bolts
methods onto host objects); instead each step hands the machine a two-slot
cursor holding the session's state, and reads the state back afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast

from transitions import EventData, Machine

from sopflow.compile.ir import IR, BranchIR

# transitions logs every transition at INFO; a desk console does not want that chatter.
logging.getLogger("transitions").setLevel(logging.WARNING)


class Cursor:
    """What the machine moves: a state, and the branch taken to get there."""

    __slots__ = ("state", "taken")

    def __init__(self, state: str) -> None:
        self.state = state
        self.taken: BranchIR | None = None


def _condition(branch: BranchIR) -> Any:
    guard = branch.guard

    def condition(event_data: EventData) -> bool:
        if guard is None or guard(event_data.kwargs["ctx"]):
            # The model is always the Cursor that fire() passes; the stubs type it as object.
            cast(Cursor, event_data.model).taken = branch
            return True
        return False

    return condition


def build_machine(ir: IR) -> Machine:
    """A transitions ``Machine`` whose transitions are exactly the IR's branches, in order."""
    machine = Machine(
        model=None,
        states=list(ir.states),
        initial=ir.initial,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
        model_attribute="state",
    )
    for state in ir.states.values():
        for way in (*state.events.values(), *state.timers, *state.returns.values()):
            many = len(way.branches) > 1 or way.branches[0].guard is not None
            for branch in way.branches:
                machine.add_transition(
                    way.trigger,
                    state.name,
                    None if branch.internal else branch.target,
                    conditions=[_condition(branch)] if many else None,
                )
    return machine


def fire(machine: Machine, state: str, trigger: str, ctx: Mapping[str, Any]) -> tuple[str, bool, BranchIR | None]:
    """Run ``trigger`` from ``state``: (new state, whether a transition happened, branch if guarded)."""
    cursor = Cursor(state)
    done: bool = machine.events[trigger].trigger(cursor, ctx=ctx)
    return cursor.state, done, cursor.taken
