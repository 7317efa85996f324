"""What the three sides share: the scripted visits, the random walks and the timing helpers.

The three implementations (sopflow, a bare ``transitions`` machine, a dict table) are
driven with the *same* inputs, generated here once per run, so their figures can be
set side by side. Nothing here is timed.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROCEDURE = "bench.release_tenant"
FRONT = "front_desk"

Action = tuple[str, str, dict[str, Any]]
"""(trigger, role, data). Timers use the IR's trigger name, ``timer:<name>``."""

START_DATA: dict[str, Any] = {"unit": "12B"}

# The happy path: tenant shows ID, owes nothing, lists items, the owner answers yes, tenant signs.
HAPPY: list[Action] = [
    ("id_copied", FRONT, {"id_copy": "A123456(7)"}),
    ("checked", FRONT, {}),
    ("fees_checked", FRONT, {"arrears_months": 0}),
    ("items_listed", FRONT, {"items": ["sofa", "fridge"]}),
    ("owner_found", FRONT, {"owner_phone": "+852 5555 0101"}),
    ("owner_picked_up", FRONT, {}),
    ("identity_confirmed", FRONT, {}),
    ("awareness_answered", FRONT, {"owner_aware": True}),
    ("rent_answered", FRONT, {"rent_owed": False}),
    ("property_answered", FRONT, {"owner_property": False}),
    ("consent_answered", FRONT, {"owner_consent": True}),
    ("signed", "tenant", {}),
]
WAITING = (
    "check_id",
    "check_fees",
    "list_items",
    "find_owner",
    "dial_owner",
    "confirm_owner",
    "ask_awareness",
    "ask_rent",
    "ask_property",
    "ask_consent",
    "sign_slip",
)
"""The states that wait for an event, in the order of the happy path (all three sides use them)."""
FINALS = ("refused_arrears", "refused_rent", "owner_refused", "owner_unreachable", "abandoned", "done", "escalated")
HAPPY_STATES = ["check_id", *WAITING]  # `id_copied` stays in check_id, then one event per waiting state
"""The state each HAPPY action is fired from; the visit ends in ``done``."""

TIMER_DELAY = {
    "timer:records_unavailable": 300.0,
    "timer:rings_out": 120.0,
    "timer:walked_off": 600.0,
}

# What each host event may carry in a random walk (drawn with the walk's own RNG).
_DATA: dict[str, Callable[[random.Random], dict[str, Any]]] = {
    "id_copied": lambda r: {"id_copy": f"A{r.randrange(10**6):06d}"},
    "fees_checked": lambda r: {"arrears_months": r.choice((0, 0, 0, 1, 2))},
    "items_listed": lambda r: {"items": r.sample(["sofa", "fridge", "bed", "desk", "tv"], r.randint(1, 3))},
    "owner_found": lambda r: {"owner_phone": f"+852 5555 {r.randrange(10**4):04d}"},
    "awareness_answered": lambda r: {"owner_aware": r.random() < 0.8},
    "rent_answered": lambda r: {"rent_owed": r.random() < 0.2},
    "property_answered": lambda r: {"owner_property": r.random() < 0.2},
    "consent_answered": lambda r: {"owner_consent": r.random() < 0.8},
    "customer_dissatisfied": lambda r: {"escalate_to": r.choice(("relevant_person", "cs_supervisor"))},
}
_ROLE = {"signed": "tenant"}


@dataclass
class Walks:
    """Random visits from the initial state to a final one, and where each ended."""

    walks: list[list[Action]]
    finals: list[str]

    @property
    def events(self) -> int:
        return sum(len(w) for w in self.walks)


def random_walks(triggers_of: dict[str, list[str]], step: Callable[..., str], n: int, seed: int = 2026) -> Walks:
    """``n`` visits. ``triggers_of`` lists the triggers of each state (from the IR, not timed);
    ``step(state, trigger, data)`` is the dict floor, which decides where a walk goes.

    Escalation is drawn rarely (3 %) and timers at 5 % each, so a visit is ~9 events long.
    ``checked`` waits for ``id_copied`` (the state requires ``id_copy``)."""
    rng = random.Random(seed)
    walks, finals = [], []
    for _ in range(n):
        state, data, walk = "check_id", dict(START_DATA), []
        while triggers_of[state]:
            options = triggers_of[state]
            if state == "check_id" and data.get("id_copy") is None:
                options = ["id_copied", "customer_dissatisfied"]
            roll = rng.random()
            timers = [t for t in options if t.startswith("timer:")]
            if roll < 0.03:
                trigger = "customer_dissatisfied"
            elif timers and roll < 0.08:
                trigger = timers[0]
            else:
                plain = [t for t in options if t != "customer_dissatisfied" and not t.startswith("timer:")]
                trigger = rng.choice(plain)
            payload = _DATA[trigger](rng) if trigger in _DATA else {}
            walk.append((trigger, _ROLE.get(trigger, FRONT), payload))
            data.update(payload)
            state = step(state, trigger, data)
        walks.append(walk)
        finals.append(state)
    return Walks(walks, finals)


# -- timing ------------------------------------------------------------------------------------


@contextmanager
def quiet_gc() -> Iterator[None]:
    """As timeit does: collect first, then no collector pauses inside the timed region."""
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def interleaved(runs: dict[str, Callable[[], tuple[int, int]]], repeat: int) -> dict[str, list[float]]:
    """ns/op of each run, ``repeat`` rounds, the sides taking turns within each round.

    Taking turns means a slow spell of this shared machine hits every side of a round,
    so the per-round ratios (:func:`paired`) are steadier than a ratio of two medians."""
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            with quiet_gc():
                elapsed, ops = run()
            samples[name].append(elapsed / ops)
    return samples


def paired(samples: dict[str, list[float]], a: str, b: str) -> float:
    """The median over rounds of ``a / b``."""
    return statistics.median(x / y for x, y in zip(samples[a], samples[b], strict=True))


now_ns = time.perf_counter_ns
