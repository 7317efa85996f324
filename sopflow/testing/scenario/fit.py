"""Does a scenario fit its procedure? Every name it uses, checked before anything runs."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sopflow.compile import Procedure
from sopflow.diagnostics import Diagnostic
from sopflow.errors import UnknownProcedure
from sopflow.io.positions import Path
from sopflow.library import Library
from sopflow.model import Wait, parse_until
from sopflow.model.values import coerce
from sopflow.testing.scenario.model import CheckStep, Expect, FireStep, Scenario, WaitStep, label


def family(procedure: Procedure) -> list[Procedure]:
    """The procedure and every procedure it may call, directly or not, root first."""
    seen: dict[str, Procedure] = {}
    todo = [procedure]
    while todo:
        current = todo.pop(0)
        if current.id not in seen:
            seen[current.id] = current
            todo += list(current.callees.values())
    return list(seen.values())


@dataclass(frozen=True)
class _Vocabulary:
    """Every name a scenario may use for one procedure (and the procedures it calls)."""

    procedure: Procedure
    ids: tuple[str, ...]
    events: tuple[str, ...]
    roles: tuple[str, ...]
    states: tuple[str, ...]
    fields: tuple[str, ...]
    timers: tuple[str, ...]
    languages: tuple[str, ...]
    items: tuple[str, ...]
    promises: tuple[str, ...]

    @classmethod
    def of(cls, procedure: Procedure) -> _Vocabulary:
        members = family(procedure)

        def names(get: Any) -> tuple[str, ...]:
            return tuple(dict.fromkeys(name for p in members for name in get(p)))

        return cls(
            procedure=procedure,
            ids=tuple(p.id for p in members),
            events=names(lambda p: p.events),
            roles=names(lambda p: p.roles),
            states=names(lambda p: p.states),
            fields=names(lambda p: p.fields),
            timers=names(lambda p: (t.name for s in p.ir.states.values() for t in s.timers)),
            languages=names(lambda p: p.languages),
            items=names(lambda p: (c.name for s in p.ir.states.values() for c in s.checklist)),
            promises=names(lambda p: (promise.name for promise in p.ir.promises)),
        )

    def where(self) -> str:
        if len(self.ids) == 1:
            return f"'{self.procedure.id}'"
        return f"'{self.procedure.id}' or the procedures it calls"


def check_scenario(scenario: Scenario, library: Library) -> list[Diagnostic]:
    """Names in the scenario that the procedure does not have, each located in the file.

    Run before anything is fired, so a typo in an event or a state reads as
    "no such event, did you mean …" at its line rather than as a puzzling
    refusal or mismatch three steps later. A step that expects a refusal may
    use unknown names: that is how a scenario shows junk is refused.
    """
    try:
        procedure = library[scenario.procedure]
    except UnknownProcedure as exc:
        line, column = scenario.locate(("procedure",))
        return [Diagnostic("error", "scenario", exc.message, scenario.source, line, column, "procedure")]
    fit = _Fit(scenario, _Vocabulary.of(procedure))
    words = fit.words
    for index, lang in enumerate(scenario.languages or ()):
        if lang not in procedure.languages:
            fit.problem(
                f"'{procedure.id}' has no language '{lang}'; it is written in {', '.join(procedure.languages)}",
                ("languages", index),
            )
    start = scenario.start
    fit.known("role", start.role, tuple(procedure.roles), ("start", "role"), procedure.id)
    for name, value in start.data.items():
        if fit.known("field", name, tuple(procedure.fields), ("start", "data", name), procedure.id):
            try:
                coerce(procedure.fields[name], value)
            except ValueError as exc:
                fit.problem(f"field '{name}': {exc}", ("start", "data", name))
    for index, step in enumerate(scenario.steps):
        at: Path = ("steps", index)
        if isinstance(step, WaitStep) and procedure.resolved.spec.hours is None and _needs_hours(step.wait):
            fit.problem(
                f"'{step.wait}' counts working time, and '{procedure.id}' names no opening hours to count it in",
                (*at, "wait"),
            )
        if isinstance(step, CheckStep) and step.refused is None:
            fit.known("checklist item", step.check, words.items, (*at, "check"))
            fit.known("role", step.as_, words.roles, (*at, "as"))
        if isinstance(step, FireStep) and step.refused is None:
            fit.known("event", step.fire, words.events, (*at, "fire"))
            fit.known("role", step.as_, words.roles, (*at, "as"))
            for name in step.data:
                fit.known("field", name, words.fields, (*at, "data", name))
        if step.expect is not None:
            fit.expect(step.expect, (*at, "expect"))
    end = scenario.end
    if end is not None:
        fit.expect(end, ("end",))
        for key, events in (("journal_includes", end.journal_includes), ("journal_excludes", end.journal_excludes)):
            for index, event in enumerate(events or ()):
                fit.known("event", event, words.events, ("end", key, index))
        for index, called in enumerate(end.calls or ()):
            fit.known("procedure", called, words.ids, ("end", "calls", index))
    return fit.problems


def _needs_hours(text: str) -> bool:
    when = parse_until(text)
    if isinstance(when, Wait):
        return when.working
    return when.day in ("working_day", "next_working_day")


class _Fit:
    """Collects the names a scenario uses that its procedure does not have."""

    def __init__(self, scenario: Scenario, words: _Vocabulary) -> None:
        self.scenario = scenario
        self.words = words
        self.problems: list[Diagnostic] = []

    def problem(self, message: str, path: Path) -> None:
        line, column = self.scenario.locate(path)
        self.problems.append(Diagnostic("error", "scenario", message, self.scenario.source, line, column, label(path)))

    def known(self, kind: str, name: str, choices: Sequence[str], path: Path, owner: str | None = None) -> bool:
        """Whether ``name`` is one of ``choices``; if not, a problem with the closest one as a hint."""
        if name in choices:
            return True
        close = difflib.get_close_matches(name, choices, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"{kind}s: {', '.join(choices) or 'none'}"
        where = f"'{owner}'" if owner else self.words.where()
        self.problem(f"no {kind} '{name}' in {where}; {hint}", path)
        return False

    def expect(self, expect: Expect, at: Path) -> None:
        words = self.words
        if expect.state is not None:
            self.known("state", expect.state, words.states, (*at, "state"))
        for index, state in enumerate(expect.path or ()):
            self.known("state", state, words.states, (*at, "path", index))
        for key, texts in (("says", expect.says), ("does", expect.does)):
            for lang in texts or {}:
                self.known("language", lang, words.languages, (*at, key, lang))
        for key, events in (("allowed", expect.allowed), ("allowed_include", expect.allowed_include)):
            for index, event in enumerate(events or ()):
                self.known("event", event, words.events, (*at, key, index))
        for name in expect.data or {}:
            self.known("field", name, words.fields, (*at, "data", name))
        if expect.outcome is not None:
            outcomes = tuple(sorted(words.procedure.outcomes))
            self.known("outcome", expect.outcome, outcomes, (*at, "outcome"), words.procedure.id)
        for index, timer in enumerate(expect.timers or ()):
            self.known("timer", timer, words.timers, (*at, "timers", index))
        for name in expect.promises or {}:
            self.known("promise", name, words.promises, (*at, "promises", name))


def scenario_languages(scenario: Scenario, library: Library) -> tuple[str, ...]:
    """The languages a scenario runs in: its own list, or every language of its procedure."""
    if scenario.languages:
        return tuple(scenario.languages)
    return library[scenario.procedure].languages
