"""The compiled procedure as a directed graph of states: who reaches whom.

Lint asks which states are reachable and which can still finish; the
explorer and the handbook will ask the same questions of the same edges.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sopflow.compile import Procedure, StateIR


def successors(state: StateIR) -> Iterator[str]:
    """Every state one trigger of ``state`` can lead to (itself included, for a way that stays)."""
    for way in (*state.events.values(), *state.timers, *state.returns.values()):
        for branch in way.branches:
            yield branch.target


def closure(start: Iterable[str], edges: dict[str, set[str]]) -> set[str]:
    """The states reachable from ``start`` along ``edges``, ``start`` included."""
    seen, todo = set(start), list(start)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def forward_edges(procedure: Procedure) -> dict[str, set[str]]:
    return {name: set(successors(s)) for name, s in procedure.ir.states.items()}


def reverse(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    backward: dict[str, set[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            backward.setdefault(target, set()).add(source)
    return backward


def reachable(procedure: Procedure) -> set[str]:
    """States some session of the procedure can be in, ignoring guards."""
    return closure([procedure.ir.initial], forward_edges(procedure))


def finishing(procedure: Procedure) -> set[str]:
    """States from which some final state can be reached, ignoring guards."""
    finals = [n for n, s in procedure.ir.states.items() if s.final is not None]
    return closure(finals, reverse(forward_edges(procedure)))
