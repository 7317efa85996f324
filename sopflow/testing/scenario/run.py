"""Running a scenario: a real session on a manual clock, every expectation checked step by step.

:func:`run_scenario` raises :class:`ScenarioFailed` at the first step whose
expectations do not hold; the message names the file, the step, the
language, what was expected and what was found, and carries the transcript so
far.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NoReturn

from sopflow.calendar import Calendar
from sopflow.compile import Procedure
from sopflow.diagnostics import Diagnostic
from sopflow.errors import DefinitionError, RuntimeRefusal, TimersRunaway
from sopflow.io.positions import Path
from sopflow.library import Library
from sopflow.model import parse_until
from sopflow.runtime import ManualClock, Session, pass_time
from sopflow.runtime.journal import REDACTED
from sopflow.testing.scenario.fit import check_scenario, family, scenario_languages
from sopflow.testing.scenario.load import ScenarioError
from sopflow.testing.scenario.model import (
    DEFAULT_START,
    REFUSALS,
    CheckStep,
    End,
    Expect,
    FireStep,
    Scenario,
    WaitStep,
)
from sopflow.testing.scenario.transcript import Recorder, Transcript

if TYPE_CHECKING:
    from sopflow.testing.coverage.record import ScenarioCoverage


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One expectation that did not hold: which key, what it said, what the session showed."""

    what: str
    """The expectation, e.g. ``state``, ``says[en]``, ``data.arrears_months``."""
    expected: str
    found: str
    where: Path
    """Path of the expectation in the scenario file, for its line and column."""

    def format(self) -> str:
        return f"{self.what}: expected {self.expected}, found {self.found}"


class ScenarioFailed(DefinitionError):
    """The procedure did not do what the scenario says; located at the first expectation that failed.

    Derived from :class:`DefinitionError` because the finding is about texts
    (the procedure, or the scenario), never about a visit at a desk, and it
    carries a file position like every other definition error.
    """

    def __init__(
        self,
        scenario: Scenario,
        lang: str,
        step: int | None,
        mismatches: Sequence[Mismatch],
        transcript: Transcript,
    ) -> None:
        self.scenario = scenario
        self.lang = lang
        self.step = step
        """1-based step number; 0 for the start, ``None`` for the ``end`` checks."""
        self.mismatches = tuple(mismatches)
        self.transcript = transcript
        line, column = scenario.locate(self.mismatches[0].where, key=True)
        count = len(self.mismatches)
        lines = [
            f"scenario '{scenario.name}' [{lang}], {_step_label(scenario, step)}: "
            f"{count} expectation{'s' if count != 1 else ''} failed",
            *(f"  {m.format()}" for m in self.mismatches),
            f"transcript [{lang}]:",
            *(f"  {t}" for t in transcript.render()),
        ]
        super().__init__("\n".join(lines), source=scenario.source, line=line, column=column)


def _step_label(scenario: Scenario, step: int | None) -> str:
    if step is None:
        return "end"
    if step == 0:
        return f"start as {scenario.start.role}"
    entry = scenario.steps[step - 1]
    if isinstance(entry, FireStep):
        return f"step {step} (fire {entry.fire} as {entry.as_})"
    if isinstance(entry, CheckStep):
        return f"step {step} (check {entry.check} as {entry.as_})"
    return f"step {step} (wait {entry.wait})"


def run_scenario(
    scenario: Scenario, library: Library, lang: str, *, coverage: ScenarioCoverage | None = None
) -> Transcript:
    """Run the scenario in ``lang`` on a manual clock; raise on the first step whose expectations fail.

    Sessions run in strict mode, so a step that would break one of the
    procedure's invariants is refused (and the scenario says whether it
    expected that). Raises :class:`ScenarioError` if the scenario does not
    fit the procedure and :class:`ScenarioFailed` if the procedure does not
    do what the scenario says. Given ``coverage``, the session's journal is
    handed to it once the run ends, passed or failed: what a failing run did
    before it stopped was exercised all the same.
    """
    problems = check_scenario(scenario, library)
    if problems:
        raise ScenarioError(problems)
    languages = scenario_languages(scenario, library)
    if lang not in languages:
        key = "languages" if scenario.languages else "procedure"
        line, column = scenario.locate((key,))
        message = f"the scenario runs in {', '.join(languages)}; it cannot run in '{lang}'"
        raise ScenarioError([Diagnostic("error", "scenario", message, scenario.source, line, column, key)])
    run = _Run(scenario, library[scenario.procedure], lang, library.calendar)
    try:
        return run.run()
    finally:
        if coverage is not None and run.started is not None:
            coverage.record(run.started.journal, scenario.source)


class _Run:
    """One run of one scenario in one language."""

    session: Session

    def __init__(self, scenario: Scenario, procedure: Procedure, lang: str, calendar: Calendar) -> None:
        self.scenario = scenario
        self.procedure = procedure
        self.calendar = calendar
        self.lang = lang
        self.clock = ManualClock(scenario.start.at or DEFAULT_START)
        self.private = frozenset(name for p in family(procedure) for name in p.private)
        self.recorder = Recorder(scenario.name, procedure, lang, self.private)
        self.started: Session | None = None
        """The session, once it has started: its journal is what coverage reads."""

    def run(self) -> Transcript:
        start = self.scenario.start
        try:
            self.session = Session.start(
                self.procedure,
                clock=self.clock,
                role=start.role,
                actor=start.actor,
                data=start.data,
                lang=self.lang,
                strict=True,
            )
        except RuntimeRefusal as exc:
            self.fail(0, [Mismatch("start", "the session to start", _refusal(exc), ("start",))])
        self.started = self.session
        self.recorder.record(self.session, 0, self.session.journal)
        for number, step in enumerate(self.scenario.steps, 1):
            at: Path = ("steps", number - 1)
            mismatches = self.wait(number, step, at) if isinstance(step, WaitStep) else self.fire(number, step, at)
            if not mismatches and step.expect is not None:
                mismatches = self.expect(step.expect, (*at, "expect"))
            if mismatches:
                self.fail(number, mismatches)
        end = self.scenario.end
        if end is not None:
            mismatches = self.expect(end, ("end",)) + self.journal(end)
            if mismatches:
                self.fail(None, mismatches)
        return self.recorder.transcript()

    # -- steps ---------------------------------------------------------------------------------

    def fire(self, number: int, step: FireStep | CheckStep, at: Path) -> list[Mismatch]:
        """Fire the step's event, or tick its checklist item; either may be expected to be refused."""
        session = self.session
        # A refusal is journaled, so only the entry count ("seq") may move; the rest must not.
        before = _unchanged_part(session)
        mark = len(session.journal)
        refusal: RuntimeRefusal | None = None
        key, name = ("fire", step.fire) if isinstance(step, FireStep) else ("check", step.check)
        try:
            if isinstance(step, FireStep):
                session.fire(step.fire, role=step.as_, actor=step.actor, data=step.data)
            else:
                session.check(step.check, role=step.as_, actor=step.actor)
        except RuntimeRefusal as exc:
            refusal = exc
        self.recorder.record(session, number, session.journal[mark:])
        if step.refused is None:
            if refusal is None:
                return []
            return [Mismatch(key, f"'{name}' to be accepted", _refusal(refusal), (*at, key))]
        where = (*at, "refused")
        if refusal is None:
            found = f"the step accepted (now in '{session.state}')"
            return [Mismatch("refused", step.refused, found, where)]
        if not isinstance(refusal, REFUSALS[step.refused]):
            return [Mismatch("refused", step.refused, _refusal(refusal), where)]
        after = _unchanged_part(session)
        if after != before:
            expected = "the session unchanged by the refused step"
            return [Mismatch("refused", expected, _first_difference(before, after, self.private), where)]
        return []

    def wait(self, number: int, step: WaitStep, at: Path) -> list[Mismatch]:
        """Advance to each deadline in turn, so every timer's entry shows the state it led to."""
        session, clock = self.session, self.clock
        began = clock.now()
        hours = self.procedure.resolved.spec.hours  # check_scenario made sure working time has some
        until = self.calendar.until(began, parse_until(step.wait), hours)
        self.recorder.wait(session, number, began, step.wait)
        try:
            for entries in pass_time(session, clock, until):
                self.recorder.record(session, number, entries)
        except TimersRunaway as exc:  # timers that go round, waited on for too long
            return [Mismatch("wait", f"{step.wait} to pass", _refusal(exc), (*at, "wait"))]
        return []

    # -- expectations --------------------------------------------------------------------------

    def expect(self, expect: Expect, at: Path) -> list[Mismatch]:
        session, lang = self.session, self.lang
        step = session.step(lang)
        shown = session.step(lang, redact=True)  # what a failure report may quote
        out: list[Mismatch] = []
        if expect.state is not None and expect.state != session.state:
            out.append(Mismatch("state", repr(expect.state), repr(session.state), (*at, "state")))
        if expect.path is not None and tuple(expect.path) != session.path:
            out.append(Mismatch("path", _names(expect.path), _names(session.path), (*at, "path")))
        for key, text, quoted in (("says", step.say, shown.say), ("does", step.do, shown.do)):
            wanted: dict[str, list[str]] = getattr(expect, key) or {}
            for part in wanted.get(lang, ()):
                if text is None or part not in text:
                    found = repr(quoted) if quoted is not None else f"no '{key}' text in '{step.state}'"
                    out.append(Mismatch(f"{key}[{lang}]", f"text containing {part!r}", found, (*at, key, lang)))
        allowed = session.allowed()
        if expect.allowed is not None and set(expect.allowed) != set(allowed):
            gaps = _gaps(expect.allowed, allowed)
            out.append(Mismatch("allowed", _names(expect.allowed), f"{_names(allowed)} ({gaps})", (*at, "allowed")))
        if expect.allowed_include is not None:
            missing = [e for e in expect.allowed_include if e not in allowed]
            if missing:
                out.append(
                    Mismatch(
                        "allowed_include",
                        f"{_names(expect.allowed_include)} among the allowed events",
                        f"{_names(allowed)} (missing: {', '.join(missing)})",
                        (*at, "allowed_include"),
                    )
                )
        data = session.data
        for name, value in (expect.data or {}).items():
            if name not in data:
                found = f"no field '{name}' in '{step.procedure}', which is running now"
                out.append(Mismatch(f"data.{name}", _show(value), found, (*at, "data", name)))
            elif not _same(value, data[name]):
                if name in self.private:  # never quote a private value, expected or found
                    out.append(Mismatch(f"data.{name}", "another value (private)", REDACTED, (*at, "data", name)))
                else:
                    out.append(Mismatch(f"data.{name}", _show(value), _show(data[name]), (*at, "data", name)))
        if "outcome" in expect.model_fields_set and expect.outcome != session.outcome:
            out.append(
                Mismatch(
                    "outcome",
                    _outcome(expect.outcome, None),
                    _outcome(session.outcome, session.state),
                    (*at, "outcome"),
                )
            )
        if expect.timers is not None:
            running = list(dict.fromkeys(t.name for t in step.timers))
            if set(expect.timers) != set(running):
                gaps = _gaps(expect.timers, running)
                out.append(Mismatch("timers", _names(expect.timers), f"{_names(running)} ({gaps})", (*at, "timers")))
        if expect.promises:
            stands = {e.event: e.detail for e in session.journal if e.kind == "promise"}
            for name, status in expect.promises.items():
                if stands.get(name) != status:
                    now = stands.get(name) or "not made"
                    out.append(Mismatch(f"promises.{name}", status, now, (*at, "promises", name)))
        return out

    def journal(self, end: End) -> list[Mismatch]:
        journal = self.session.journal
        fired = [e.event for e in journal if e.kind == "fire" and e.event is not None]
        summary = f"(fired: {', '.join(dict.fromkeys(fired)) or 'nothing'})"
        out: list[Mismatch] = []
        for index, event in enumerate(end.journal_includes or ()):
            if event not in fired:
                out.append(
                    Mismatch(
                        "journal_includes",
                        f"a fire entry for '{event}'",
                        f"none {summary}",
                        ("end", "journal_includes", index),
                    )
                )
        for index, event in enumerate(end.journal_excludes or ()):
            if event in fired:
                out.append(
                    Mismatch(
                        "journal_excludes",
                        f"no fire entry for '{event}'",
                        f"one {summary}",
                        ("end", "journal_excludes", index),
                    )
                )
        if end.calls is not None:
            called = [e.procedure for e in journal if e.kind == "call"]
            if called != list(end.calls):
                out.append(Mismatch("calls", _names(end.calls), _names(called), ("end", "calls")))
        return out

    def fail(self, step: int | None, mismatches: list[Mismatch]) -> NoReturn:
        raise ScenarioFailed(self.scenario, self.lang, step, mismatches, self.recorder.transcript())


# -- comparing and showing values --------------------------------------------------------------


def _same(expected: Any, actual: Any) -> bool:
    """Equal as the scenario author means it: money as a number or a string, dates as ISO text.

    Booleans never equal numbers (``1`` is not ``true``), which plain Python
    equality would allow.
    """
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(actual, Decimal):
        if not isinstance(expected, (int, float, str, Decimal)):
            return False
        try:
            return Decimal(str(expected)) == actual
        except InvalidOperation:
            return False
    if isinstance(actual, (list, tuple)):
        return (
            isinstance(expected, (list, tuple))
            and len(expected) == len(actual)
            and all(_same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(actual, dt.datetime):
        if isinstance(expected, str):
            try:
                expected = dt.datetime.fromisoformat(expected)
            except ValueError:
                return False
        return isinstance(expected, dt.datetime) and expected == actual
    if isinstance(actual, (dt.date, dt.time)):
        text = expected if isinstance(expected, str) else getattr(expected, "isoformat", lambda: None)()
        return bool(text == actual.isoformat())
    if isinstance(actual, (int, float)):
        return isinstance(expected, (int, float)) and expected == actual
    return bool(expected == actual)


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _names(names: Sequence[str]) -> str:
    return "[" + ", ".join(names) + "]"


def _gaps(expected: Sequence[str], found: Sequence[str]) -> str:
    missing = [n for n in expected if n not in found]
    extra = [n for n in found if n not in expected]
    parts = []
    if missing:
        parts.append(f"missing: {', '.join(missing)}")
    if extra:
        parts.append(f"not expected: {', '.join(extra)}")
    return "; ".join(parts)


def _outcome(outcome: str | None, state: str | None) -> str:
    if outcome is not None:
        return repr(outcome)
    return f"no outcome (still in '{state}')" if state else "no outcome yet"


def _refusal(exc: RuntimeRefusal) -> str:
    return f"{type(exc).__name__}: {exc.message}"


def _unchanged_part(session: Session) -> dict[str, Any]:
    snapshot = session.snapshot(journal=False)
    del snapshot["seq"]
    return snapshot


def _first_difference(before: Any, after: Any, private: frozenset[str], where: str = "") -> str:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                inner = f"{where}.{key}" if where else key
                if key in private and where.endswith("data"):
                    return f"{inner} changed (a private value)"
                return _first_difference(before.get(key), after.get(key), private, inner)
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for i, (old, new) in enumerate(zip(before, after, strict=True)):
            if old != new:
                return _first_difference(old, new, private, f"{where}.{i}" if where else str(i))
    return f"{where or 'session'} changed from {before!r} to {after!r}"
