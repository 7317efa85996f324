"""Names and types: every reference resolves, every expression type-checks.

All problems are collected in one pass, each located in the file that holds
it, with a "did you mean" for near misses.
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from sopflow.check.resolve import Origin, Resolved, finding, locate
from sopflow.diagnostics import Diagnostic
from sopflow.errors import ExpressionError
from sopflow.expr import Type, assignable, check, field_type, names_in, parse
from sopflow.expr.types import BOOL
from sopflow.model import LEVEL_SEPARATOR, RESUME, Branch, Call, Event, FieldTime, Occurrence, Property, State, Timer
from sopflow.model.limits import MAX_TEXT_CHARS
from sopflow.model.values import coerce


def type_env(resolved: Resolved) -> dict[str, Type]:
    """What expressions may name: the fields, and ``state`` (an enum of every state name).

    States that failed validation are named too: a guard comparing ``state`` with one of
    them is not wrong for that.
    """
    env = {name: field_type(f.type, f.values) for name, f in resolved.fields.items()}
    states = {*all_state_names(resolved), *resolved.broken.get("state", ())}
    env["state"] = Type("enum", frozenset(states))
    return env


def all_state_names(resolved: Resolved) -> list[str]:
    """State names after ladders are expanded into one state per level."""
    names: list[str] = []
    for name, state in resolved.states.items():
        names.append(name)
        ladder = resolved.ladders.get(state.ladder or "")
        if ladder is not None:
            names += [f"{name}{LEVEL_SEPARATOR}{level.role}" for level in ladder.levels]
    return names


_KIND_OF = {"placeholder": "field"}
"""The kind of entry a looked-up name refers to, where the two differ."""


def happenings(r: Resolved) -> tuple[frozenset[str], frozenset[str]]:
    """(states, ladder levels included; events and timers) of a resolved procedure."""
    states = set(r.states) | {
        f"{name}{LEVEL_SEPARATOR}{level.role}"
        for name, state in r.states.items()
        if state.ladder is not None and state.ladder in r.ladders
        for level in r.ladders[state.ladder].levels
    }
    events = {e for s in r.states.values() for e in s.on} | set(r.policy_events)
    events |= {t for s in r.states.values() for t in s.timers}
    return frozenset(states), frozenset(events)


def final_outcomes(resolved: Resolved) -> set[str]:
    return {s.final for s in resolved.states.values() if s.final is not None}


@dataclass(frozen=True)
class Callees:
    """What a call needs to know of every procedure of the library it may name."""

    outcomes_of: Mapping[str, set[str]]
    fields_of: Mapping[str, Mapping[str, Type]]
    broken_of: Mapping[str, Mapping[str, Collection[str]]] = field(default_factory=dict)
    """Names that failed validation in each procedure (see :mod:`sopflow.io.salvage`)."""
    unloaded: frozenset[str] = frozenset()
    """Ids of documents too broken to check: calling one is not calling an unknown procedure."""
    happenings_of: Mapping[str, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)
    """Procedure id -> (its states, ladder levels included; its events and timers): what properties may name."""


class _Checker:
    def __init__(self, resolved: Resolved, callees: Callees) -> None:
        self.r = resolved
        self.callees = callees
        self.outcomes_of = callees.outcomes_of
        self.fields_of = callees.fields_of
        self.broken: Mapping[str, Collection[str]] = resolved.broken
        self.env = type_env(resolved)
        self.problems: list[Diagnostic] = []

    def error(self, code: str, message: str, origin: Origin, *sub: str | int, key: bool = False) -> None:
        self.problems.append(finding("error", code, message, origin, *sub, key=key))

    def moment_field(self, moment: FieldTime, origin: Origin, *sub: str | int) -> None:
        """A timer or promise timed by a field: the field must hold a moment (a datetime)."""
        fields = self.r.fields
        if self.name("field", moment.field, fields, origin, *sub) and fields[moment.field].type != "datetime":
            self.error(
                "type",
                f"'{moment.field}' is a {fields[moment.field].type} field; a timer or promise falls due at "
                "a moment a datetime field holds, or at one such as '08:30' or 'next working day 09:00'",
                origin,
                *sub,
            )

    def name(
        self,
        kind: str,
        name: str,
        known: Collection[str],
        origin: Origin,
        *sub: str | int,
        broken: Collection[str] | None = None,
    ) -> bool:
        """Whether ``name`` is known; report it unless it names an entry that failed validation.

        ``broken`` are the names that failed, when they are not this procedure's own of ``kind``.
        """
        # Lookups are hits almost always; sorting (for a stable did-you-mean) only on a miss keeps
        # checking linear in the size of the procedure.
        if name in known:
            return True
        failed = self.broken.get(_KIND_OF.get(kind, kind), ()) if broken is None else broken
        if name in failed or "*" in failed:
            return False  # its own schema error is reported; an "unknown" here would be noise
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        self.error(f"unknown-{kind}", f"unknown {kind} '{name}'{hint}", origin, *sub)
        return False

    def expression(self, text: str, origin: Origin, *sub: str | int, want: Type | None = None) -> None:
        try:
            node = parse(text)
            failed = self.broken.get("field", ())
            if failed and ("*" in failed or not names_in(node).isdisjoint(failed)):
                return  # a field that failed validation has no type to check against
            found = check(node, self.env)
            if want is BOOL and found.kind not in {"bool", "null"}:
                raise ExpressionError(f"a condition must be true or false, found {found}", column=1)
            if want is not None and want is not BOOL:
                assignable(want, found, node)
        except ExpressionError as exc:
            source, line, col, path = locate(origin, *sub)
            # Point inside the scalar when it sits on one line: its column plus the offset.
            if col is not None and exc.column is not None:
                doc, base = origin
                col += exc.column - 1 + ((*base, *sub) in doc.positions.quoted)
            self.problems.append(
                Diagnostic("error", "expression", f"in '{_shown(text)}': {exc.message}", source, line, col, path)
            )

    def run(self) -> list[Diagnostic]:
        r = self.r
        proc = (r.doc, ("procedure",))
        if "initial" not in self.broken.get("key", ()):
            self.name("state", r.spec.initial, r.states, proc, "initial")
        if "state" in r.fields:
            self.error(
                "reserved-name",
                "'state' is reserved: expressions read it as the current state's name",
                r.where("field", "state"),
                key=True,
            )
        for fname, spec in r.fields.items():
            if spec.default is not None:
                try:
                    coerce(spec, spec.default)
                except ValueError as exc:
                    self.error("field-default", f"default of '{fname}': {exc}", r.where("field", fname), "default")
        if r.spec.start is not None:
            for i, item in enumerate(r.spec.start.data):
                self.name("field", item.rstrip("?"), r.fields, proc, "start", "data", i)
            for i, item in enumerate(r.spec.start.optional):
                self.name("field", item, r.fields, proc, "start", "optional", i)
        for pname, promise in r.spec.promises.items():
            if isinstance(promise.by, FieldTime):
                self.moment_field(promise.by, proc, "promises", pname, "by")
            if promise.starts is not None:
                self.name("state", promise.starts, r.states, proc, "promises", pname, "starts")
            for i, kept in enumerate(promise.kept):
                self.name("state", kept, r.states, proc, "promises", pname, "kept", i)
        for name, text in r.spec.invariants.items():
            self.expression(text, proc, "invariants", name, want=BOOL)
        for name, prop in r.spec.properties.items():
            self.property(prop, (r.doc, ("procedure", "properties", name)))
        for lname, ladder in r.ladders.items():
            for i, level in enumerate(ladder.levels):
                self.name("role", level.role, r.roles, r.where("ladder", lname), "levels", i, "role")
                for part in ("say", "do"):
                    text = getattr(level, part)
                    if text:
                        self.placeholders(text, r.where("ladder", lname), "levels", i, part)
        for sname, state in r.states.items():
            self.state(sname, state, r.where("state", sname))
        for ename, event in r.policy_events.items():
            self.event(ename, event, None, r.where("policy_event", ename))
        return self.problems

    def property(self, prop: Property, origin: Origin) -> None:
        """Every occurrence names what its procedure has; a condition is true or false."""
        r = self.r
        for key in ("first", "then", "after", "eventually", "never", "only"):
            occurrence: Occurrence | None = getattr(prop, key)
            if occurrence is None:
                continue
            pid = occurrence.procedure or r.id
            if pid != r.id and pid not in self.callees.happenings_of:
                if pid not in self.callees.unloaded:
                    self.error("unknown-procedure", f"unknown procedure '{pid}'", origin, key, "procedure")
                continue
            states, events = self.callees.happenings_of.get(pid, (frozenset(), frozenset()))
            if pid == r.id:
                states, events = happenings(r)
            if occurrence.event is not None:
                self.name("event", occurrence.event, events, origin, key, "event", broken=())
            elif occurrence.reached is not None:
                self.name("state", occurrence.reached, states, origin, key, "reached", broken=())
        if prop.always_available is not None:
            self.name("event", prop.always_available, happenings(r)[1], origin, "always_available", broken=())
        if prop.only is not None and prop.only.procedure in (None, r.id):
            for i, role in enumerate(prop.by or ()):
                self.name("role", role, r.roles, origin, "by", i)
        if prop.while_ is not None:
            self.expression(prop.while_, origin, "while", want=BOOL)

    def state(self, name: str, state: State, origin: Origin) -> None:
        r = self.r
        if state.role is not None:
            self.name("role", state.role, r.roles, origin, "role")
        if state.ladder is not None:
            self.name("ladder", state.ladder, r.ladders, origin, "ladder")
        for i, fname in enumerate(state.requires):
            self.name("field", fname, r.fields, origin, "requires", i)
        if state.final is not None:
            for part in ("on", "timers", "call", "ladder"):
                if getattr(state, part):
                    self.error("final-state", f"a final state cannot have '{part}'", origin, part, key=True)
        elif not (state.on or state.timers or state.call or r.policy_events or self.broken.get("policy_event")):
            self.error(
                "dead-end",
                f"state '{name}' is not final and has no way out (no events, timers or call)",
                origin,
            )
        for ename, event in state.on.items():
            self.event(ename, event, name, (origin[0], (*origin[1], "on", ename)))
            if ename in r.policy_events:
                self.error(
                    "duplicate-event",
                    f"event '{ename}' is also a policy event of this procedure",
                    origin,
                    "on",
                    ename,
                    key=True,
                )
        for tname, timer in state.timers.items():
            self.ways_out(timer, (origin[0], (*origin[1], "timers", tname)))
            if isinstance(timer.at, FieldTime):
                self.moment_field(timer.at, origin, "timers", tname, "at")
        if state.call is not None:
            self.call(state.call, (origin[0], (*origin[1], "call")), event_level=False)
        for part in ("say", "do", "title"):
            text = getattr(state, part)
            if text:
                self.placeholders(text, origin, part)

    def event(self, name: str, event: Event, state: str | None, origin: Origin) -> None:
        r = self.r
        for i, role in enumerate(event.roles):
            self.name("role", role, r.roles, origin, "roles", i)
        for i, item in enumerate(event.data):
            self.name("field", item.rstrip("?"), r.fields, origin, "data", i)
        for i, item in enumerate(event.optional):
            self.name("field", item, r.fields, origin, "optional", i)
        self.ways_out(event, origin)
        if event.call is not None:
            self.call(event.call, (origin[0], (*origin[1], "call")), event_level=True)

    def ways_out(self, way: Event | Timer, origin: Origin) -> None:
        self.assignments(way.set, origin, "set")
        if way.to is not None:
            self.name("state", way.to, self.r.states, origin, "to")
        for i, branch in enumerate(way.branches or ()):
            self.branch(branch, i, len(way.branches or ()), origin)

    def branch(self, branch: Branch, i: int, count: int, origin: Origin) -> None:
        if branch.if_ is not None:
            self.expression(branch.if_, origin, "branches", i, "if", want=BOOL)
        elif i != count - 1:
            self.error(
                "fallback-not-last",
                "a branch without 'if' is the fallback and must come last",
                origin,
                "branches",
                i,
            )
        if branch.to is not None:
            self.name("state", branch.to, self.r.states, origin, "branches", i, "to")
        self.assignments(branch.set, origin, "branches", i, "set")

    def assignments(self, assignments: dict[str, str], origin: Origin, *sub: str | int) -> None:
        for fname, text in assignments.items():
            if self.name("field", fname, self.r.fields, origin, *sub, fname):
                self.expression(text, origin, *sub, fname, want=self.env[fname])

    def call(self, call: Call, origin: Origin, *, event_level: bool) -> None:
        callee = call.procedure
        if not self.name("procedure", callee, self.outcomes_of, origin, "procedure", broken=self.callees.unloaded):
            return
        if callee == self.r.id:
            self.error("recursive-call", "a procedure cannot call itself", origin, "procedure")
        child_fields = self.fields_of[callee]
        child_broken = self.callees.broken_of.get(callee, {})
        failed_fields = child_broken.get("field", ())
        for child_field, text in call.with_.items():
            if self.name("field", child_field, child_fields, origin, "with", child_field, broken=failed_fields):
                self.expression(text, origin, "with", child_field, want=child_fields[child_field])
        for parent_field, child_field in call.returns.items():
            ok = self.name("field", parent_field, self.r.fields, origin, "returns", parent_field)
            if (
                self.name("field", child_field, child_fields, origin, "returns", parent_field, broken=failed_fields)
                and ok
            ):
                try:
                    assignable(self.env[parent_field], child_fields[child_field], parse(child_field))
                except ExpressionError as exc:
                    self.error("expression", exc.message, origin, "returns", parent_field)
        reachable = self.outcomes_of[callee]
        # A callee with a state that failed validation may end in outcomes not seen here.
        unsure = ("*",) if child_broken.get("state") else ()
        for outcome, target in call.outcomes.items():
            if outcome != "*":
                self.name("outcome", outcome, reachable, origin, "outcomes", outcome, broken=unsure)
            if target == RESUME:
                if not event_level:
                    self.error(
                        "resume-not-allowed",
                        "'resume' only goes with a call made by an event",
                        origin,
                        "outcomes",
                        outcome,
                    )
            else:
                self.name("state", target, self.r.states, origin, "outcomes", outcome)
        missing = sorted(reachable - set(call.outcomes)) if "*" not in call.outcomes and not unsure else []
        if missing:
            self.error(
                "unmapped-outcome",
                f"'{call.procedure}' can end {', '.join(missing)}; map each outcome (or '*') to a state",
                origin,
                "outcomes",
                key=True,
            )

    def placeholders(self, text: dict[str, str], origin: Origin, *part: str | int) -> None:
        """A placeholder is a field's name and nothing more: no format spec, conversion or index.

        ``{unit:>20000000}`` would build a 20 MB string on every step and ``{a:q}`` would
        fail at the desk; both are refused here, where the author can see them.
        """
        for lang, line in text.items():
            if len(line) > MAX_TEXT_CHARS:
                message = f"a {lang} text may be {MAX_TEXT_CHARS:,} characters long, found {len(line):,}"
                self.error("text-length", message, origin, *part, lang)
                continue
            try:
                parts = list(string.Formatter().parse(line))
            except ValueError as exc:
                self.error("placeholder", f"malformed placeholder in {lang} text: {exc}", origin, *part, lang)
                continue
            names: set[str] = set()
            for _, field_name, spec, conversion in parts:
                if field_name is None:
                    continue
                if not field_name.isidentifier() or spec or conversion:
                    shown = _shown(field_name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""))
                    message = f"a placeholder in {lang} text must be a field's name, like {{unit}}; found {{{shown}}}"
                    self.error("placeholder", message, origin, *part, lang)
                    continue
                names.add(field_name)
            for fname in sorted(names):
                self.name("placeholder", fname, self.r.fields, origin, *part, lang)


def check_semantics(resolved: Resolved, callees: Callees) -> list[Diagnostic]:
    """Every located name and type problem of one resolved procedure."""
    return _Checker(resolved, callees).run()


def _shown(text: str, limit: int = 60) -> str:
    """An expression as quoted in a message: long ones cut, so one finding stays one line."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
