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


def on_cycles(edges: dict[str, set[str]]) -> set[str]:
    """The states that lie on some cycle of ``edges``: those of a strongly connected component of
    more than one state, or with an edge to themselves (Kosaraju's two passes, without recursion,
    so a chain of thousands of states costs what a short one does, per state)."""
    order: list[str] = []
    seen: set[str] = set()
    for root in edges:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(edges.get(root, ())))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(edges.get(child, ()))))
                    break
            else:
                stack.pop()
                order.append(node)
    backward = reverse(edges)
    placed: set[str] = set()
    cyclic: set[str] = set()
    for root in reversed(order):
        if root in placed:
            continue
        component, todo = {root}, [root]
        placed.add(root)
        while todo:
            for before in backward.get(todo.pop(), ()):
                if before not in placed:
                    placed.add(before)
                    component.add(before)
                    todo.append(before)
        if len(component) > 1 or root in edges.get(root, ()):
            cyclic |= component
    return cyclic


def reachable(procedure: Procedure) -> set[str]:
    """States some session of the procedure can be in, ignoring guards."""
    return closure([procedure.ir.initial], forward_edges(procedure))


def finishing(procedure: Procedure) -> set[str]:
    """States from which some final state can be reached, ignoring guards."""
    finals = [n for n, s in procedure.ir.states.items() if s.final is not None]
    return closure(finals, reverse(forward_edges(procedure)))
