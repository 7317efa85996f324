"""What the exploration proves: broken invariants and properties, stuck sessions, what never happens.

Each finding that something can go wrong carries the shortest way to make it go wrong
(breadth first, so no shorter one exists), which :mod:`sopflow.analysis.counterexample`
writes as a scenario file the author can replay with ``walk --script``. Findings that
something never happens are only claimed when the exploration was complete.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from sopflow.analysis.explore import BUDGET, Action, StateSpace, explore, invariant_breaches
from sopflow.analysis.monitors import ARMED
from sopflow.compile import Procedure
from sopflow.model import LEVEL_SEPARATOR, Property

Severity = Literal["error", "warning"]

CODES: dict[str, tuple[Severity, str]] = {
    "invariant-broken": ("error", "a reachable step breaks one of the procedure's invariants"),
    "property-broken": ("error", "some way through the procedure breaks one of its properties"),
    "deadlock": ("error", "a session can reach a step it cannot leave and that is not an end"),
    "cannot-finish": ("error", "a session can reach a step from which no end can be reached"),
    "kernel-fault": ("error", "the engine failed on a move (a bug in sopflow, not in the procedure)"),
    "state-never": ("warning", "no way through the procedure enters the state"),
    "event-never": ("warning", "no way through the procedure fires the event"),
    "branch-never": ("warning", "no way through the procedure takes this arrow (event or timer to a state)"),
    "timer-never": ("warning", "no way through the procedure lets the timer run out"),
    "ladder-top-never": ("warning", "no way through the procedure climbs the ladder to its top"),
    "role-never": ("warning", "no way through the procedure lets the role act"),
    "limit-reached": ("warning", "the exploration stopped at a bound: what was not seen is not proved"),
}
"""Finding code -> (severity, what it means)."""


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    procedure: str
    state: str | None = None
    """The state the finding is about (the last one of the counterexample, for a reachable problem)."""
    path: tuple[Action, ...] = ()
    """The shortest way there, from the start: empty for a finding that nothing happens."""

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]


@dataclass
class Report:
    """One procedure's exploration: the figures, and every finding."""

    procedure: Procedure
    space: StateSpace
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def figures(self) -> dict[str, int | bool]:
        s = self.space
        return {
            "configurations": len(s.nodes),
            "transitions": s.transitions,
            "depth": s.depth,
            "refused": s.refused,
            "complete": s.complete,
        }


def verify(procedure: Procedure, *, limit: int = 100_000, budget: int = BUDGET) -> Report:
    """Explore ``procedure`` and report every finding, reachable problems first."""
    space = explore(procedure, limit=limit, budget=budget)
    report = Report(procedure, space)
    report.findings += _reachable(space)
    if space.complete:
        report.findings += _never(space)
    else:
        raise_it = "the limit" if space.stopped_by == "configurations" else "the step budget"
        message = (
            f"explored {len(space.nodes)} configurations in {space.steps:,} kernel steps and stopped; "
            f"raise {raise_it} to see the rest"
        )
        report.findings.append(Finding("limit-reached", message, procedure.id))
    return report


def _reachable(space: StateSpace) -> Iterator[Finding]:
    pid = space.procedure.id
    for index, action, reason in space.failures[:5]:
        path = _path(space, index, action)
        yield Finding("kernel-fault", f"{action.describe()}: {reason}", pid, _where(space, index), path)
    yield from _invariants(space)
    yield from _properties(space)
    yield from _stuck(space)


def _invariants(space: StateSpace) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, node in enumerate(space.nodes):
        for depth, name, text in invariant_breaches(node.config):
            if name not in seen:
                seen.add(name)
                frame = node.config.frames[depth]
                message = f"invariant '{name}' ({text}) is broken in '{frame.state}'"
                yield Finding("invariant-broken", message, frame.procedure.id, frame.state, tuple(space.path(index)))


def _properties(space: StateSpace) -> Iterator[Finding]:
    pid = space.procedure.id
    for number, monitor in enumerate(space.monitors):
        prop, head = monitor.prop, f"property '{monitor.name}' is broken:"
        if monitor.name in space.broken:
            parent, action = space.broken[monitor.name]
            path = _path(space, parent, action)
            yield Finding("property-broken", f"{head} {_says(prop)}", pid, _where(space, parent), path)
            continue
        if prop.always_available is not None:
            found = next((i for i, n in enumerate(space.nodes) if monitor.unavailable(n.config)), None)
            if found is not None:
                state = _where(space, found)
                message = f"{head} '{prop.always_available}' cannot be fired in '{state}'"
                yield Finding("property-broken", message, pid, state, tuple(space.path(found)))
        if prop.after is not None:
            owing = [i for i, n in enumerate(space.nodes) if n.watch[number] == ARMED]
            answered = _backwards(space, [i for i, n in enumerate(space.nodes) if n.watch[number] != ARMED])
            found = next((i for i in owing if i not in answered), None)
            if found is not None:
                state = _where(space, found)
                message = f"{head} after {prop.after}, this way on can never lead to {prop.eventually}"
                yield Finding("property-broken", message, pid, state, tuple(space.path(found)))


def _stuck(space: StateSpace) -> Iterator[Finding]:
    """Sessions that cannot move, or can move but never end; one finding per step where it happens."""
    pid = space.procedure.id
    out = _successors(space)
    # Past a bound, a configuration whose moves were not all followed may still lead to an end.
    ends = [i for i, n in enumerate(space.nodes) if n.config.outcome is not None]
    ending = _backwards(space, [*ends, *space.frontier])
    reported: set[tuple[str, str]] = set()
    for index, node in enumerate(space.nodes):
        if node.config.outcome is not None or index in space.frontier:
            continue
        state = _where(space, index)
        if not out[index]:
            code, message = (
                "deadlock",
                f"a session can get stuck in '{state}': nothing it offers moves it, and it is not an end",
            )
        elif index not in ending:
            code, message = (
                "cannot-finish",
                f"from '{state}', as reached this way, no end of the procedure can be reached",
            )
        else:
            continue
        if (code, state) not in reported:
            reported.add((code, state))
            yield Finding(code, message, pid, state, tuple(space.path(index)))


def _never(space: StateSpace) -> Iterator[Finding]:
    for procedure in space.procedure.family().values():
        pid = procedure.id
        ladder_tops = {
            _top(procedure, base) for base in {s.base for s in procedure.ir.states.values() if s.name != s.base}
        }
        for name, state in procedure.ir.states.items():
            if (pid, name) in space.states:
                continue
            if name in ladder_tops:
                yield Finding(
                    "ladder-top-never", f"the ladder of '{state.base}' never reaches its top, '{name}'", pid, name
                )
            else:
                yield Finding("state-never", f"'{name}' is never entered", pid, name)
        events = {e for s in procedure.ir.states.values() for e, w in s.events.items() if w.kind == "event"}
        for event in sorted(events - {e for p, e in space.fired if p == pid}):
            yield Finding("event-never", f"event '{event}' never moves a session", pid)
        timers = {t.trigger for s in procedure.ir.states.values() for t in s.timers if s.name == s.base}
        for trigger in sorted(timers - {e for p, e in space.fired if p == pid}):
            yield Finding("timer-never", f"timer '{trigger.removeprefix('timer:')}' never runs out", pid)
        for state in procedure.ir.states.values():
            if (pid, state.name) not in space.states:
                continue
            for trigger, way in [*state.events.items(), *((t.trigger, t) for t in state.timers)]:
                if (pid, trigger) not in space.fired:
                    continue  # already reported as never firing
                for target in sorted({b.target for b in way.branches}):
                    if (pid, state.name, trigger, target) not in space.arrows:
                        name = trigger.removeprefix("timer:")
                        message = f"'{name}' in '{state.name}' never leads to '{target}'"
                        yield Finding("branch-never", message, pid, state.name)
        acting = {r for s in procedure.ir.states.values() for w in s.events.values() for r in w.roles}
        acting |= {s.role for s in procedure.ir.states.values() if s.role is not None and s.final is None}
        for role in sorted(acting - {r for p, r in space.roles if p == pid}):
            yield Finding("role-never", f"role '{role}' never fires an event or ticks an item", pid)


def _top(procedure: Procedure, base: str) -> str:
    ladder = procedure.resolved.states[base].ladder
    levels = procedure.resolved.ladders[ladder].levels if ladder else ()
    return f"{base}{LEVEL_SEPARATOR}{levels[-1].role}" if levels else base


def _successors(space: StateSpace) -> list[set[int]]:
    out: list[set[int]] = [set() for _ in space.nodes]
    for a, b in space.edges:
        out[a].add(b)
    return out


def _backwards(space: StateSpace, targets: list[int]) -> set[int]:
    """Every node from which one of ``targets`` can be reached."""
    into: list[list[int]] = [[] for _ in space.nodes]
    for a, b in space.edges:
        into[b].append(a)
    found = set(targets)
    queue = deque(targets)
    while queue:
        for before in into[queue.popleft()]:
            if before not in found:
                found.add(before)
                queue.append(before)
    return found


def _where(space: StateSpace, index: int) -> str:
    frames = space.nodes[index].config.frames
    return " › ".join(f.state for f in frames)


def _path(space: StateSpace, index: int, action: Action) -> tuple[Action, ...]:
    return (*space.path(index), action)


def _says(prop: Property) -> str:
    if prop.first is not None:
        return f"{prop.then} happens before {prop.first}"
    if prop.never is not None:
        return f"{prop.never} happens" + (f" while {prop.while_}" if prop.while_ else "")
    if prop.only is not None:
        return f"{prop.only} is done by a role other than {', '.join(prop.by or ())}"
    return str(prop)
