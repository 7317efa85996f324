"""How fast the explorer works, as a ratio to a bare random walk over the IR table.

    .venv/bin/python benchmarks/explore.py            # about a minute on 2 cores
    .venv/bin/python benchmarks/explore.py --quick

The explorer steps every configuration with the full kernel (data checks, guards,
assignments, invariants, timers, calls, the journal entries its monitors read) and keeps
what it reached; the baseline is the cheapest walk there is over the same procedures: pick
one of the state's triggers at random and look the next state up in the IR table, with the
data left at its defaults. The goal is at least one fifth of the walk's steps per second.
Both are timed in turns, in the same run, and the ratio is the median of the rounds,
because this machine is shared and its speed drifts. To show how much of a step is the
kernel's, it also replays the very kernel steps one exploration takes, with nothing around
them: no explorer on the kernel can go faster than that. And it times checking the whole
bundled library, exploration included. pytest does not collect this file.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import time
from typing import Any

import sopflow
import sopflow.analysis.explore as explorer
from sopflow.analysis.explore import explore
from sopflow.analysis.verify import verify
from sopflow.compile import Procedure
from sopflow.errors import SopflowError
from sopflow.runtime.kernel import step

GOAL = 0.2


def walk(procedures: list[Procedure], steps: int, seed: int = 7) -> float:
    """Steps per second of a random walk over the IR tables, restarting at each end."""
    rng = random.Random(seed)
    taken = 0
    began = time.perf_counter()
    while taken < steps:
        for procedure in procedures:
            ir, state = procedure.ir, procedure.ir.initial
            ctx = dict(procedure.defaults)
            for _ in range(50):
                triggers = list(ir.fast[state])
                if not triggers:
                    break
                with contextlib.suppress(SopflowError, KeyError, TypeError, ValueError):
                    state = ir.step(state, rng.choice(triggers), ctx)
                taken += 1
    return taken / (time.perf_counter() - began)


def exploring(procedures: list[Procedure]) -> float:
    """Kernel steps per second of exploring every procedure completely."""
    steps = 0
    began = time.perf_counter()
    for procedure in procedures:
        steps += explore(procedure).steps
    return steps / (time.perf_counter() - began)


def kernel_calls(procedures: list[Procedure]) -> list[tuple[Any, Any]]:
    """The (configuration, trigger) of every kernel step one exploration of the procedures takes."""
    calls: list[tuple[Any, Any]] = []
    real = explorer.step

    def recorded(config: Any, trigger: Any, **options: Any) -> Any:
        calls.append((config, trigger))
        return real(config, trigger, **options)

    explorer.step = recorded
    try:
        for procedure in procedures:
            explore(procedure)
    finally:
        explorer.step = real
    return calls


def kernel_alone(calls: list[tuple[Any, Any]]) -> float:
    """Steps per second of those very steps with nothing around them: the ceiling for any explorer on the kernel."""
    began = time.perf_counter()
    for config, trigger in calls:
        step(config, trigger)
    return len(calls) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="three rounds instead of seven")
    rounds = 3 if parser.parse_args().quick else 7
    library = sopflow.load_library()
    procedures = [library[pid] for pid in library]
    total = sum(explore(p).steps for p in procedures)
    calls = kernel_calls(procedures)
    ratios, rates, walks, ceilings = [], [], [], []
    for _ in range(rounds):
        rate = exploring(procedures)
        base = walk(procedures, total)
        rates.append(rate)
        walks.append(base)
        ratios.append(rate / base)
        ceilings.append(kernel_alone(calls) / base)
    began = time.perf_counter()
    reports = [verify(p) for p in procedures]
    whole = time.perf_counter() - began
    ratio = statistics.median(ratios)
    print(f"procedures explored: {len(procedures)}, kernel steps per full exploration: {total}")
    print(f"explorer: {statistics.median(rates):,.0f} steps/s; IR random walk: {statistics.median(walks):,.0f} steps/s")
    print(f"explorer / IR walk: {ratio:.2f} (goal >= {GOAL}) {'PASS' if ratio >= GOAL else 'FAIL'}")
    ceiling = statistics.median(ceilings)
    room = 1e6 / (GOAL * statistics.median(walks)) - 1e6 / (ceiling * statistics.median(walks))
    print(
        f"the kernel alone, taking the explorer's {len(calls)} steps and nothing else: {ceiling:.2f} x IR walk; "
        f"at the goal, the explorer's own work per step would have {room:.1f} us"
    )
    print(f"checking the whole bundled library, exploration included: {whole:.2f} s")
    print("state space per procedure (configurations, moves, depth):")
    for r in reports:
        f = r.figures
        print(f"  {r.procedure.id:40} {f['configurations']:6} {f['transitions']:6} {f['depth']:4}")
    sys.exit(0 if ratio >= GOAL else 1)


if __name__ == "__main__":
    main()
