"""Calls between procedures must not loop: a cycle would start sessions inside sessions forever."""

from __future__ import annotations

from collections.abc import Iterator

from sopflow.check.resolve import Origin, Resolved, finding
from sopflow.diagnostics import Diagnostic


def call_sites(r: Resolved) -> Iterator[tuple[str, Origin, tuple[str | int, ...]]]:
    """(called procedure, origin, path under it) of every call a procedure makes."""
    for sname, state in r.states.items():
        origin = r.where("state", sname)
        if state.call is not None:
            yield state.call.procedure, origin, ("call", "procedure")
        for ename, event in state.on.items():
            if event.call is not None:
                yield event.call.procedure, origin, ("on", ename, "call", "procedure")
    for ename, event in r.policy_events.items():
        if event.call is not None:
            yield event.call.procedure, r.where("policy_event", ename), ("call", "procedure")


def call_cycles(procedures: dict[str, Resolved]) -> list[Diagnostic]:
    """One error per call that closes a cycle through two or more procedures (a self-call is reported apart)."""
    edges = {pid: [(callee, origin, sub) for callee, origin, sub in call_sites(r)] for pid, r in procedures.items()}
    problems: list[Diagnostic] = []
    reported: set[frozenset[str]] = set()
    for start in sorted(edges):
        # Depth-first from each procedure; a path back to `start` is a cycle through it.
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        seen: set[str] = set()
        while stack:
            here, path = stack.pop()
            for callee, origin, sub in edges.get(here, ()):
                if callee == start and len(path) > 1:
                    members = frozenset(path)
                    if members not in reported:
                        reported.add(members)
                        loop = " → ".join([*path, start])
                        message = f"calls loop back ({loop}): a session would call procedures without end"
                        problems.append(finding("error", "call-cycle", message, origin, *sub))
                elif callee not in seen and callee in edges and callee != here:
                    seen.add(callee)
                    stack.append((callee, [*path, callee]))
    return problems
