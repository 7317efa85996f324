"""Lint: graph and content checks that a procedure can run but may not be what its author meant.

The checker (:mod:`sopflow.check.semantic`) refuses what cannot run; lint
reports what runs but is suspicious — a state nobody reaches, a timer that
can never fire, a text missing a translation. Each finding has a stable rule
id, and a procedure can silence a rule, with its reason on record, under
``lint: {ignore: [{rule, reason, where}]}``.

The graph rules read the compiled IR (policies, ladders and calls expanded,
so "reachable" means what a session can really do); locations come from the
resolved procedure, so a finding points at the line the author wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sopflow.analysis import graph
from sopflow.analysis.content import content
from sopflow.analysis.rules import RULES, Finding, LintResult, apply_ignores, state_finding
from sopflow.analysis.script import SKIPPED, document_findings, script_findings
from sopflow.analysis.texts import written_texts
from sopflow.check.resolve import Resolved
from sopflow.compile import Procedure, StateIR, WayIR
from sopflow.diagnostics import Diagnostic
from sopflow.library import Library

__all__ = ["RULES", "LintResult", "lint", "lint_library", "lint_procedure"]


def lint(library: Library, ids: Iterable[str] | None = None) -> list[Diagnostic]:
    """Every unsilenced finding about the procedures ``ids`` (default: all) of a compiled library."""
    return lint_library(library, ids).diagnostics


def lint_library(library: Library, ids: Iterable[str] | None = None) -> LintResult:
    """Findings of many procedures, de-duplicated: a policy's text is reported once, not per user."""
    result = LintResult()
    given: dict[str, set[str]] = {}
    for pid in library:
        for callee, names in _call_arguments(library[pid]):
            given.setdefault(callee, set()).update(names)
    for pid in ids if ids is not None else library:
        one = lint_procedure(library[pid], frozenset(given.get(pid, ())))
        result.diagnostics += [d for d in one.diagnostics if d not in result.diagnostics]
        result.silenced += [s for s in one.silenced if s not in result.silenced]
        result.skipped += [s for s in one.skipped if s not in result.skipped]
    if ids is None:
        # Policies and glossaries are documents of their own: their texts and ignores are linted once.
        for doc in library.checked.documents:
            document = doc.checkable
            if document is not None and document.procedure is None:
                one = document_findings(doc, library.checked.glossary.documents)
                result.diagnostics += one.diagnostics
                result.silenced += one.silenced
                result.skipped += [s for s in one.skipped if s not in result.skipped]
    result.diagnostics.sort(key=lambda d: (d.source or "", d.line or 0, d.column or 0, d.code))
    return result


def lint_procedure(procedure: Procedure, given_by_callers: frozenset[str] = frozenset()) -> LintResult:
    """Run every rule on one procedure, then apply its ``lint.ignore`` entries.

    ``given_by_callers`` are the fields other procedures pass in ``with`` when they call this one.
    """
    r = procedure.resolved
    found = [*_graph(procedure), *_roles(procedure), *content(procedure), *_data(procedure, given_by_callers)]
    script = script_findings(written_texts(r.doc), r.glossary.documents)
    not_run = ("chinese-script",) if script is None else ()
    base = (r.doc, ("procedure", "lint", "ignore"))
    result = apply_ignores([*found, *(script or ())], r.spec.lint.ignore, base, not_run)
    if script is None:
        result.skipped.append(SKIPPED)
    return result


# -- graph rules ----------------------------------------------------------------------------------


def _graph(procedure: Procedure) -> Iterator[Finding]:
    r, ir = procedure.resolved, procedure.ir
    reachable, finishing = graph.reachable(procedure), graph.finishing(procedure)
    levels_of: dict[str, list[str]] = {}  # grouped once: looking each base up in every state was quadratic
    for n, s in ir.states.items():
        levels_of.setdefault(s.base, []).append(n)
    for base, spec in r.states.items():
        levels = levels_of.get(base, [])
        if not reachable.intersection(levels):
            yield state_finding(r, "unreachable-state", f"state '{base}' is never reached", base)
            continue
        ladder = r.ladders.get(spec.ladder or "")
        for i, name in enumerate(levels if ladder else ()):
            if name not in reachable:
                message = f"ladder level '{name}' is never reached (the level before has no 'within')"
                origin = r.where("ladder", spec.ladder or "")
                yield Finding("unreachable-state", message, origin, ("levels", i), frozenset({base, name}))
        stuck = [n for n in levels if n in reachable and n not in finishing]
        if stuck:
            message = f"state '{stuck[0]}' cannot reach any final state; a session there never ends"
            yield state_finding(r, "cannot-finish", message, stuck[0])
    for name, where in _event_homes(procedure).items():
        if where and not reachable.intersection(where):
            home = sorted(where)[0]
            message = f"event '{name}' is only offered in unreachable states ({', '.join(sorted(where))})"
            yield state_finding(r, "event-never-fires", message, home, "on", name)
    yield from _timer_cycles(procedure, reachable)
    for name, state in ir.states.items():
        yield from _timers(r, state)
        for ename, way in state.events.items():
            if way.kind == "event" and not way.roles:
                message = f"event '{ename}' names no role and state '{state.base}' has none: anyone may fire it"
                yield state_finding(r, "event-without-role", message, name, "on", ename)
    yield from _fallbacks(r)


def _event_homes(procedure: Procedure) -> dict[str, set[str]]:
    """Own (not policy) events by name, with the IR states that offer them."""
    homes: dict[str, set[str]] = {}
    for name, state in procedure.ir.states.items():
        for ename, way in state.events.items():
            if way.kind == "event":
                homes.setdefault(ename, set()).add(name)
    return homes


def _timer_cycles(procedure: Procedure, reachable: set[str]) -> Iterator[Finding]:
    """Timers that lead back to where they started, with no one acting: each cycle once, at its first state.

    A reminder that goes round for ever is sometimes meant, but a session left open then
    journals every pass (a month of a one-minute cycle is 43 200 entries), and a host that
    advances it after a long pause replays them all at once.
    """
    r, ir = procedure.resolved, procedure.ir
    edges: dict[str, list[tuple[str, WayIR]]] = {}
    for name, state in ir.states.items():
        for timer in state.timers:
            for branch in timer.branches:
                if not branch.internal:
                    edges.setdefault(name, []).append((branch.target, timer))
    # Only a state on some cycle of timers can start one: looking from every state was quadratic.
    cyclic = graph.on_cycles({name: {target for target, _ in out} for name, out in edges.items()})
    seen: set[frozenset[str]] = set()
    for start in ir.states:
        cycle = _shortest_cycle(start, edges, cyclic) if start in reachable and start in cyclic else None
        if cycle is None or frozenset(s for s, _ in cycle) in seen:
            continue
        seen.add(frozenset(s for s, _ in cycle))
        names = " → ".join([*(s for s, _ in cycle), start])
        delays = [t.delay for _, t in cycle]
        every = f" every {_wait(sum(d for d in delays if d is not None))}" if None not in delays else ""
        message = (
            f"timers alone go round {names}{every}: while no one acts, each pass is journaled, "
            "for as long as the session stays open"
        )
        timer = cycle[0][1]
        where = ("timers", timer.name) if timer.name in r.states[ir.states[start].base].timers else ("ladder",)
        yield state_finding(r, "timer-cycle", message, start, *where)


def _shortest_cycle(
    start: str, edges: dict[str, list[tuple[str, WayIR]]], cyclic: set[str]
) -> list[tuple[str, WayIR]] | None:
    """The fewest timer moves from ``start`` back to it, breadth first: (state, the timer it leaves by).

    A way back stays among the states on cycles (``cyclic``); the search goes nowhere else."""
    came: dict[str, tuple[str, WayIR]] = {}
    frontier = [start]
    while frontier:
        following = []
        for here in frontier:
            for target, timer in edges.get(here, ()):
                if target == start:
                    path = [(here, timer)]
                    while path[0][0] != start:
                        path.insert(0, came[path[0][0]])
                    return path
                if target not in came and target in cyclic:
                    came[target] = (here, timer)
                    following.append(target)
        frontier = following
    return None


def _timers(r: Resolved, state: StateIR) -> Iterator[Finding]:
    """A timer after one that always leaves the state (no branch stays) can never fire.

    Only elapsed timers are compared: when a calendar timer fires ("next working day 09:00")
    depends on when the state is entered, so it may come before or after a fixed wait.
    """
    leaver: WayIR | None = None
    for timer in state.timers:
        if timer.delay is None:
            continue
        if leaver is not None:
            message = (
                f"timer '{timer.name}' (after {_wait(timer.delay)}) never fires in '{state.name}': "
                f"'{leaver.name}' (after {_wait(leaver.delay)}) always leaves first"
            )
            spec = r.states[state.base]
            if timer.name in spec.timers:
                yield state_finding(r, "timer-never-fires", message, state.name, "timers", timer.name)
            else:
                yield state_finding(r, "timer-never-fires", message, state.name, "ladder")
        elif not any(b.internal for b in timer.branches):
            leaver = timer


def _wait(seconds: float | None) -> str:
    seconds = seconds or 0.0
    return f"{seconds / 60:g} min" if seconds % 60 == 0 else f"{seconds:g} s"


def _fallbacks(r: Resolved) -> Iterator[Finding]:
    for sname, spec in r.states.items():
        ways = [("on", n, w.branches) for n, w in spec.on.items()]
        ways += [("timers", n, t.branches) for n, t in spec.timers.items()]
        for part, name, branches in ways:
            if branches and all(b.if_ is not None for b in branches):
                message = f"'{name}' has no fallback branch (one without 'if'); it is refused when no guard holds"
                yield state_finding(r, "no-fallback", message, sname, part, name, "branches")
    for ename, event in r.policy_events.items():
        if event.branches and all(b.if_ is not None for b in event.branches):
            message = f"policy event '{ename}' has no fallback branch (one without 'if')"
            origin = r.where("policy_event", ename)
            yield Finding("no-fallback", message, origin, ("branches",), frozenset({ename}))


# -- roles ----------------------------------------------------------------------------------------


def _roles(procedure: Procedure) -> Iterator[Finding]:
    r = procedure.resolved
    used: dict[str, str] = {}
    for name, state in procedure.ir.states.items():
        if state.role:
            used.setdefault(state.role, name)
        for way in state.events.values():
            used.update({role: name for role in way.roles if role not in used})
    for role, where in sorted(used.items()):
        if role not in procedure.roles:
            message = f"role '{role}' (used in state '{where}') is not declared under 'roles'"
            yield state_finding(r, "undeclared-role", message, where)
    for role in r.spec.roles:
        if role not in used:
            message = f"role '{role}' is declared but no state, event or ladder level uses it"
            yield Finding("unused-role", message, r.where("role", role), (), frozenset({role}), key=True)


# -- data flow ------------------------------------------------------------------------------------


def _call_arguments(procedure: Procedure) -> Iterator[tuple[str, tuple[str, ...]]]:
    for state in procedure.ir.states.values():
        for call in (state.call, *(w.call for w in state.events.values())):
            if call is not None:
                yield call.procedure, tuple(name for name, _ in call.with_)


def _settable(procedure: Procedure, given_by_callers: frozenset[str]) -> set[str]:
    """Fields something can set: a default, event data, an assignment, a call's return, a caller, start."""
    names = {n for n, v in procedure.defaults.items() if v is not None} | set(given_by_callers)
    names |= {name for name, _ in procedure.start_data}
    for state in procedure.ir.states.values():
        for way in (*state.events.values(), *state.timers, *state.returns.values()):
            names |= {name for name, _ in way.data} | {name for name, _ in way.assign}
            for branch in way.branches:
                names |= {name for name, _ in branch.assign}
        for call in (state.call, *(w.call for w in state.events.values())):
            if call is not None:
                names |= {name for name, _ in call.returns}
    return names


def _data(procedure: Procedure, given_by_callers: frozenset[str]) -> Iterator[Finding]:
    r = procedure.resolved
    settable = _settable(procedure, given_by_callers)
    for sname, state in r.states.items():
        for i, name in enumerate(state.requires):
            if name not in settable and name in r.fields:
                message = (
                    f"state '{sname}' requires '{name}', but nothing sets it: no event carries it, no assignment "
                    f"or call returns it, and start does not declare it (add it to 'start: {{data: [...]}}')"
                )
                yield state_finding(r, "unsatisfiable-requires", message, sname, "requires", i)
        if not (state.timers or state.ladder):
            continue
        ways: list[tuple[str, str, Any]] = [("on", n, e) for n, e in state.on.items()]
        ways += [("timers", n, t) for n, t in state.timers.items()]
        for part, name, way in ways:
            targets = [way.to] if way.branches is None else [b.to for b in way.branches]
            if sname in targets:
                message = (
                    f"'{name}' goes back to '{sname}' with 'to', which re-enters the state and restarts its "
                    "timers; omit 'to' (or write the branch as '- {{}}') to stay with the timers running"
                )
                yield state_finding(r, "restarts-timers", message, sname, part, name)
