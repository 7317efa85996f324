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

import difflib
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sopflow.analysis import graph
from sopflow.check.resolve import Origin, Resolved, finding
from sopflow.compile import Procedure, StateIR, WayIR
from sopflow.diagnostics import Diagnostic, Severity
from sopflow.library import Library
from sopflow.model import LEVEL_SEPARATOR

RULES: dict[str, tuple[Severity, str]] = {
    "unreachable-state": ("warning", "no path from the initial state reaches the state"),
    "cannot-finish": ("error", "from the state no final state can be reached: a session would be stuck"),
    "no-fallback": ("warning", "every branch is guarded: when no guard holds, the step is refused"),
    "event-never-fires": ("warning", "the event is only offered in states no session reaches"),
    "event-without-role": ("warning", "neither the event nor its state names a role, so anyone may fire it"),
    "timer-never-fires": ("warning", "a shorter timer of the same state always leaves the state first"),
    "undeclared-role": ("error", "a role is used but the procedure does not declare it"),
    "unused-role": ("warning", "a role is declared but no state, event or ladder level uses it"),
    "missing-translation": ("warning", "a text lacks one of the procedure's declared languages"),
    "unknown-placeholder": ("error", "a {placeholder} names no field of the procedure"),
    "missing-source": ("warning", "a state cites no section of the written SOPs"),
    "unsatisfiable-requires": (
        "error",
        "a state requires a field that no event, assignment, call, default or declared start data can set",
    ),
    "restarts-timers": (
        "warning",
        "a way back to its own state with 'to' re-enters it and restarts its timers; omit 'to' to keep them",
    ),
    "unknown-rule": ("warning", "a lint.ignore entry names a rule that does not exist"),
    "unused-ignore": ("warning", "a lint.ignore entry silences nothing (fixed, or a wrong 'where')"),
}
"""Rule id -> (severity, what it means); ``sopflow lint --rules`` prints this table."""


@dataclass(frozen=True)
class Finding:
    """A rule's finding before it is located; ``scopes`` are the ``where`` values that silence it."""

    rule: str
    message: str
    origin: Origin
    sub: tuple[str | int, ...] = ()
    scopes: frozenset[str] = frozenset()
    key: bool = False

    def diagnostic(self) -> Diagnostic:
        return finding(RULES[self.rule][0], self.rule, self.message, self.origin, *self.sub, key=self.key)


@dataclass
class LintResult:
    """What lint found, and what each procedure's ``lint.ignore`` silenced (with the reason)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    silenced: list[tuple[Diagnostic, str]] = field(default_factory=list)


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
    result.diagnostics.sort(key=lambda d: (d.source or "", d.line or 0, d.column or 0, d.code))
    return result


def lint_procedure(procedure: Procedure, given_by_callers: frozenset[str] = frozenset()) -> LintResult:
    """Run every rule on one procedure, then apply its ``lint.ignore`` entries.

    ``given_by_callers`` are the fields other procedures pass in ``with`` when they call this one.
    """
    r = procedure.resolved
    found = [*_graph(procedure), *_roles(procedure), *_content(procedure), *_data(procedure, given_by_callers)]
    result = LintResult()
    ignores = r.spec.lint.ignore
    used = [False] * len(ignores)
    for item in found:
        hit = next(
            (i for i, ig in enumerate(ignores) if ig.rule == item.rule and (ig.where in item.scopes or not ig.where)),
            None,
        )
        if hit is None:
            result.diagnostics.append(item.diagnostic())
        else:
            used[hit] = True
            result.silenced.append((item.diagnostic(), ignores[hit].reason))
    base = (r.doc, ("procedure", "lint", "ignore"))
    for i, ignore in enumerate(ignores):
        if ignore.rule not in RULES:
            close = difflib.get_close_matches(ignore.rule, RULES, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "'sopflow lint --rules' lists them"
            message = f"unknown lint rule '{ignore.rule}'; {hint}"
            result.diagnostics.append(Finding("unknown-rule", message, base, (i, "rule")).diagnostic())
        elif not used[i]:
            where = f" at '{ignore.where}'" if ignore.where else ""
            message = f"nothing to silence: '{ignore.rule}' finds nothing{where}; remove this entry"
            result.diagnostics.append(Finding("unused-ignore", message, base, (i,)).diagnostic())
    return result


# -- graph rules ----------------------------------------------------------------------------------


def _state_finding(r: Resolved, rule: str, message: str, state: str, *sub: str | int) -> Finding:
    base = state.split(LEVEL_SEPARATOR)[0]
    scopes = {base, state}
    if len(sub) >= 2 and sub[0] in ("on", "timers"):
        scopes.add(f"{base}.{sub[1]}")
    return Finding(rule, message, r.where("state", base), tuple(sub), frozenset(scopes))


def _graph(procedure: Procedure) -> Iterator[Finding]:
    r, ir = procedure.resolved, procedure.ir
    reachable, finishing = graph.reachable(procedure), graph.finishing(procedure)
    for base, spec in r.states.items():
        levels = [n for n, s in ir.states.items() if s.base == base]
        if not reachable.intersection(levels):
            yield _state_finding(r, "unreachable-state", f"state '{base}' is never reached", base)
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
            yield _state_finding(r, "cannot-finish", message, stuck[0])
    for name, where in _event_homes(procedure).items():
        if where and not reachable.intersection(where):
            home = sorted(where)[0]
            message = f"event '{name}' is only offered in unreachable states ({', '.join(sorted(where))})"
            yield _state_finding(r, "event-never-fires", message, home, "on", name)
    for name, state in ir.states.items():
        yield from _timers(r, state)
        for ename, way in state.events.items():
            if way.kind == "event" and not way.roles:
                message = f"event '{ename}' names no role and state '{state.base}' has none: anyone may fire it"
                yield _state_finding(r, "event-without-role", message, name, "on", ename)
    yield from _fallbacks(r)


def _event_homes(procedure: Procedure) -> dict[str, set[str]]:
    """Own (not policy) events by name, with the IR states that offer them."""
    homes: dict[str, set[str]] = {}
    for name, state in procedure.ir.states.items():
        for ename, way in state.events.items():
            if way.kind == "event":
                homes.setdefault(ename, set()).add(name)
    return homes


def _timers(r: Resolved, state: StateIR) -> Iterator[Finding]:
    """A timer after one that always leaves the state (no branch stays) can never fire."""
    leaver: WayIR | None = None
    for timer in state.timers:
        if leaver is not None:
            message = (
                f"timer '{timer.name}' (after {_wait(timer.delay)}) never fires in '{state.name}': "
                f"'{leaver.name}' (after {_wait(leaver.delay)}) always leaves first"
            )
            spec = r.states[state.base]
            if timer.name in spec.timers:
                yield _state_finding(r, "timer-never-fires", message, state.name, "timers", timer.name)
            else:
                yield _state_finding(r, "timer-never-fires", message, state.name, "ladder")
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
                yield _state_finding(r, "no-fallback", message, sname, part, name, "branches")
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
            yield _state_finding(r, "undeclared-role", message, where)
    for role in r.spec.roles:
        if role not in used:
            message = f"role '{role}' is declared but no state, event or ladder level uses it"
            yield Finding("unused-role", message, r.where("role", role), (), frozenset({role}), key=True)


# -- content --------------------------------------------------------------------------------------


class _Text(NamedTuple):
    what: str
    origin: Origin
    sub: tuple[str | int, ...]
    text: dict[str, str]
    scopes: frozenset[str]
    checked: bool = False
    """The checker already reports this text's unknown placeholders (a state's own title/say/do)."""


def _texts(r: Resolved) -> Iterator[_Text]:
    """Every localised text the procedure has."""
    yield _Text("the procedure's title", (r.doc, ("procedure",)), ("title",), r.spec.title, frozenset())
    for name in r.spec.roles:
        yield _Text(f"role '{name}'", r.where("role", name), ("title",), r.roles[name].title, frozenset({name}))
    for sname, state in r.states.items():
        origin, scope = r.where("state", sname), frozenset({sname})
        for part in ("title", "say", "do"):
            text = getattr(state, part) or {}
            yield _Text(f"{part} of state '{sname}'", origin, (part,), text, scope, checked=True)
        for ename, event in state.on.items():
            where = frozenset({sname, f"{sname}.{ename}"})
            yield _Text(f"title of event '{ename}'", origin, ("on", ename, "title"), event.title or {}, where)
        for tname, timer in state.timers.items():
            where = frozenset({sname, f"{sname}.{tname}"})
            yield _Text(f"title of timer '{tname}'", origin, ("timers", tname, "title"), timer.title or {}, where)
    for lname, ladder in r.ladders.items():
        origin, scope = r.where("ladder", lname), frozenset({lname})
        yield _Text(f"title of ladder '{lname}'", origin, ("title",), ladder.title or {}, scope)
        for i, level in enumerate(ladder.levels):
            for part in ("say", "do"):
                what = f"{part} of ladder '{lname}' level {i + 1}"
                yield _Text(what, origin, ("levels", i, part), getattr(level, part) or {}, scope)
    for ename, event in r.policy_events.items():
        origin = r.where("policy_event", ename)
        yield _Text(f"title of event '{ename}'", origin, ("title",), event.title or {}, frozenset({ename}))


def _content(procedure: Procedure) -> Iterator[Finding]:
    r = procedure.resolved
    languages = procedure.languages
    for what, origin, sub, text, scopes, checked in _texts(r):
        missing = [lang for lang in languages if lang not in text]
        if text and missing:
            message = f"{what} has no {', '.join(missing)} text (languages: {', '.join(languages)})"
            yield Finding("missing-translation", message, origin, sub, scopes)
        for lang, line in {} if checked else text.items():
            for name in _placeholders(line):
                if name not in r.fields:
                    message = f"{what} ({lang}) names '{{{name}}}', which is not a field"
                    yield Finding("unknown-placeholder", message, origin, (*sub, lang), scopes)
    for sname, state in r.states.items():
        if state.source is None and not (state.final is not None and not (state.say or state.do)):
            message = f"state '{sname}' cites no source (add 'source: {{document, section, lines}}')"
            yield _state_finding(r, "missing-source", message, sname)


def _placeholders(line: str) -> list[str]:
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(line) if f]
    except ValueError:
        return ["<malformed>"]
    return [n.split(".")[0].split("[")[0] for n in names]


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
                yield _state_finding(r, "unsatisfiable-requires", message, sname, "requires", i)
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
                yield _state_finding(r, "restarts-timers", message, sname, part, name)
