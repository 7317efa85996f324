"""Scenarios generated from the procedure: a small set that covers what the explorer saw.

Hand-written scenarios cover the visits people think of; this covers the rest. Targets are
every arrow the explorer took (an event or timer from one state to another), every
boundary value of the data its guards tell apart, every promise missed, and one refusal in
every state. Scenarios are chosen greedily in breadth-first order — the shortest way to an
uncovered target, continued by the shortest way to an end — and each target is kept only
once, so the set stays small rather than one scenario per path. Each is replayed on a real
session with a manual clock, so waits are real lengths and expectations real texts, in
every language the procedure declares.

Some shapes need long scenarios by the hundred: a chain of states, each with a way out to
the end, needs one scenario per state, each walking from the start. The scenarios' steps
are therefore bounded (``budget``); past it generation stops and the counts show what is
left uncovered.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sopflow.analysis.args import count_arg
from sopflow.analysis.domains import field_domains
from sopflow.analysis.explore import Action, StateSpace, explore
from sopflow.analysis.hashable import frozen
from sopflow.analysis.replay import NotRunning, begin, play
from sopflow.compile import Procedure
from sopflow.errors import SopflowError
from sopflow.runtime import Session
from sopflow.runtime.kernel import allowed

Target = tuple[str, ...]
BUDGET = 20_000
"""Steps all of a procedure's scenarios may hold together. The bundled procedures need 789 at
most; writing and running a step in every language takes about a millisecond."""


@dataclass
class Generated:
    """The scenarios, and what they cover out of what the explorer could reach."""

    procedure: Procedure
    scenarios: list[dict[str, Any]] = field(default_factory=list)
    targets: set[Target] = field(default_factory=set)
    covered: set[Target] = field(default_factory=set)
    complete: bool = True
    """False when the step budget stopped generation (or the exploration stopped at a bound)."""

    def counts(self) -> dict[str, tuple[int, int]]:
        """Kind -> (covered, reachable): arrows, boundaries, promises missed, refusals."""
        out: dict[str, tuple[int, int]] = {}
        for kind in ("arrow", "boundary", "missed", "refusal"):
            total = {t for t in self.targets if t[0] == kind}
            out[kind] = (len(total & self.covered), len(total))
        return out


def generate(procedure: Procedure, *, limit: int = 100_000, budget: int = BUDGET) -> Generated:
    """A small set of scenarios covering every reachable arrow, boundary, missed promise and refusal,
    holding ``budget`` steps at most (see the module's note)."""
    count_arg("budget", budget)
    space = explore(procedure, limit=limit)
    result = Generated(procedure)
    boundary = _deciding(procedure)
    step_targets: dict[tuple[int, Action], tuple[int, frozenset[Target]]] = {}
    for a, b, action, taken in space.moves:
        targets: set[Target] = {("arrow", *arrow) for arrow in taken} | set(_own(action, boundary))
        step_targets[(a, action)] = (b, frozenset(targets))
        result.targets |= targets
    result.targets |= {("refusal", procedure.id, s) for s in _refusable(space)}
    onward = _to_an_end(space)
    result.complete = space.complete
    steps = 0
    for a, b, action, _ in space.moves:
        if step_targets[(a, action)][1] <= result.covered:
            continue
        path = [*space.path(a), action, *_tail(onward, b)]
        steps += len(path)
        if steps > budget:
            result.complete = False
            break
        document = _scenario(procedure, path, len(result.scenarios) + 1, result)
        if document is None:
            continue
        node: int | None = None
        for step in path:
            if node is not None:
                node, covered = step_targets.get((node, step), (node, frozenset()))
                result.covered |= covered
            else:
                node = _root(space, step)
        result.scenarios.append(document)
    return result


def _deciding(procedure: Procedure) -> dict[str, set[Any]]:
    """Fields whose values a guard tells apart (more than one value worth trying)."""
    family = procedure.family().values()
    return {
        f"{p.id}:{name}": set(map(frozen, values))
        for p in family
        for name, values in field_domains(p).items()
        if len(values) > 1
    }


def _own(action: Action, boundary: dict[str, set[Any]]) -> Iterator[Target]:
    if action.kind == "miss":
        yield ("missed", action.name)
    if action.kind == "fire":
        for name, value in action.data:
            if any(k.endswith(f":{name}") for k in boundary):
                yield ("boundary", action.name, name, str(frozen(value)))


def _refusable(space: StateSpace) -> set[str]:
    """Innermost states of unfinished sessions where some event of the procedure is not offered."""
    events = _events(space.procedure)
    return {
        n.config.frames[-1].state
        for n in space.nodes
        if n.config.outcome is None and events - set(allowed(n.config.frames))
    }


def _root(space: StateSpace, action: Action) -> int:
    return next(i for i, n in enumerate(space.nodes) if n.parent is None and n.action == action)


def _to_an_end(space: StateSpace) -> dict[int, tuple[Action, int]]:
    """Node -> the first move of a shortest way to an end (reverse breadth-first from the ends)."""
    into: dict[int, list[tuple[int, Action]]] = {}
    for a, b, action, _ in space.moves:
        if a != b:
            into.setdefault(b, []).append((a, action))
    onward: dict[int, tuple[Action, int]] = {}
    ends = [i for i, n in enumerate(space.nodes) if n.config.outcome is not None]
    seen = set(ends)
    queue = deque(ends)
    while queue:
        b = queue.popleft()
        for a, action in into.get(b, ()):
            if a not in seen:
                seen.add(a)
                onward[a] = (action, b)
                queue.append(a)
    return onward


def _tail(onward: dict[int, tuple[Action, int]], node: int) -> list[Action]:
    actions: list[Action] = []
    while node in onward and len(actions) < 200:
        action, node = onward[node]
        actions.append(action)
    return actions


def _scenario(procedure: Procedure, path: Sequence[Action], number: int, result: Generated) -> dict[str, Any] | None:
    """The path replayed on a real session: steps with real waits, expectations, one refusal per new state."""
    try:
        session, clock, start = begin(procedure, path[0])
    except SopflowError:
        return None
    steps: list[dict[str, Any]] = []
    names: list[str] = []
    for action in path[1:]:
        refusal = _refusal(session, result)
        if refusal is not None:
            steps.append(refusal)
        try:
            step = play(session, clock, action)
        except (SopflowError, NotRunning):
            return None
        step["expect"] = _expect(session)
        steps.append(step)
        names.append(action.name.removeprefix("timer:"))
    summary = ", ".join(names[:4]) + (" …" if len(names) > 4 else "")
    return {
        "scenario": f"generated {number}: {summary or 'start'}",
        "procedure": procedure.id,
        "start": start,
        "steps": steps,
        "end": {"outcome": session.outcome},
    }


def _events(procedure: Procedure) -> set[str]:
    """Every event of the procedure and of those it calls: what a state may be asked and refuse."""
    return {e for p in procedure.family().values() for s in p.ir.states.values() for e in s.events}


def _refusal(session: Session, result: Generated) -> dict[str, Any] | None:
    """A step the current state refuses, the first time a scenario stands there."""
    target = ("refusal", session.procedure.id, session.state)
    if target not in result.targets or target in result.covered or session.outcome is not None:
        return None
    now = session.clock.now()
    if any(due <= now for f in session.frames for due in (*f.deadlines.values(), *f.promises.values())):
        return None  # what is due would run first, and a refused step must leave the session as it was
    allowed = set(session.allowed())
    others = sorted(_events(session.procedure) - allowed)
    role = next(iter(session.procedure.roles))
    if not others:
        return None
    result.covered.add(target)
    return {"fire": others[0], "as": role, "refused": "EventNotAllowed"}


def _expect(session: Session) -> dict[str, Any]:
    expect: dict[str, Any] = {"state": session.state}
    says = {lang: session.step(lang).say for lang in session.procedure.languages}
    if all(says.values()):
        expect["says"] = says
    return expect
