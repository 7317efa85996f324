"""Scenarios: a customer visit written down in YAML, replayed against a procedure and checked.

Compliance staff describe a visit the way the written SOP tells it: who did
what, how long everyone waited, and what the desk had to say and do at each
step. :func:`load_scenario` reads such a file with sopflow's own YAML loader,
so every mistake in it is reported at ``file:line:col``; :func:`run_scenario`
drives a real session on a :class:`~sopflow.runtime.ManualClock`, checks every
expectation, and returns a :class:`Transcript` a person can read.

Two errors, both located in the scenario file:

* :class:`ScenarioError` — the file is malformed, or does not fit the
  procedure (an unknown procedure, event, role, state or field): fix the
  scenario before anything runs.
* :class:`ScenarioFailed` — the scenario ran and the procedure did not do
  what it says: the message names the file, the step, the language, what
  was expected and what was found, and carries the transcript so far.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path as FsPath
from types import MappingProxyType, UnionType
from typing import Annotated, Any, Literal, NoReturn, Union, get_args, get_origin, overload

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
)

from sopflow import errors
from sopflow.compile import Procedure
from sopflow.diagnostics import Diagnostic
from sopflow.errors import DefinitionError, RuntimeRefusal, UnknownProcedure
from sopflow.io.positions import Path, Positions
from sopflow.io.yaml_source import parse_yaml
from sopflow.library import Library
from sopflow.model import Language, ProcedureId, parse_duration
from sopflow.model.base import LANGUAGE_PATTERN, PROCEDURE_ID_PATTERN
from sopflow.model.values import coerce
from sopflow.runtime import Entry, ManualClock, Session
from sopflow.runtime.journal import REDACTED
from sopflow.runtime.step import render as render_text

__all__ = [
    "DEFAULT_START",
    "REFUSALS",
    "End",
    "Expect",
    "FireStep",
    "Mismatch",
    "Scenario",
    "ScenarioError",
    "ScenarioFailed",
    "Start",
    "Transcript",
    "TranscriptEntry",
    "WaitStep",
    "check_scenario",
    "collect_scenarios",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
    "scenario_languages",
]

DEFAULT_START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
"""When a scenario starts if it does not say: a Monday, 09:00 at the service centre."""

REFUSALS: Mapping[str, type[RuntimeRefusal]] = MappingProxyType(
    {
        name: value
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, RuntimeRefusal)
    }
)
"""Refusals a step may expect, by class name; ``RuntimeRefusal`` itself accepts any of them."""

SCENARIO_SUFFIXES = (".yaml", ".yml")


# -- errors ------------------------------------------------------------------------------------


class ScenarioError(DefinitionError):
    """A scenario file is malformed or does not fit its procedure; every problem is in :attr:`diagnostics`."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        first = self.diagnostics[0]
        if len(self.diagnostics) == 1:
            message = first.message
        else:
            body = "\n".join(f"  {d.format()}" for d in self.diagnostics)
            message = f"{len(self.diagnostics)} problems in the scenario:\n{body}"
        super().__init__(message, source=first.source, line=first.line, column=first.column, path=first.path)

    def _located(self) -> str:
        if len(self.diagnostics) == 1:
            return self.diagnostics[0].format()
        return f"{self.source or '<scenario>'}: {self.message}"


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
    return f"step {step} (wait {entry.wait})"


# -- the format --------------------------------------------------------------------------------


class _Spec(BaseModel):
    """Unknown keys are errors (a misspelt ``expect`` must not silently check nothing)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Substrings = Annotated[list[str], BeforeValidator(_one_or_many)]
"""One text, or several, each of which must occur in the rendered text."""


def _refusal_name(value: Any) -> Any:
    if isinstance(value, str) and value not in REFUSALS:
        close = difflib.get_close_matches(value, REFUSALS, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(sorted(REFUSALS))}"
        raise ValueError(f"unknown refusal '{value}'; {hint}")
    return value


RefusalName = Annotated[str, BeforeValidator(_refusal_name)]


def _duration_as_written(value: Any) -> Any:
    parse_duration(value)  # raises ValueError with the message authors need
    return value if isinstance(value, str) else f"{value}s"


WaitDuration = Annotated[str, BeforeValidator(_duration_as_written)]
"""A duration such as ``3 minutes``, kept as written so transcripts show it that way."""


class Start(_Spec):
    """How the visit begins: who opens the session, when, and with what data."""

    at: AwareDatetime | None = Field(default=None, description="Start time with its zone; default DEFAULT_START.")
    role: str
    actor: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class Expect(_Spec):
    """What must hold after a step; every key is optional and only the keys given are checked."""

    state: str | None = None
    path: list[str] | None = None
    says: dict[Language, Substrings] | None = None
    does: dict[Language, Substrings] | None = None
    allowed: list[str] | None = None
    allowed_include: list[str] | None = None
    data: dict[str, Any] | None = None
    outcome: str | None = None
    """Checked whenever the key is present; ``outcome: null`` means "not finished yet"."""
    timers: list[str] | None = None


class End(Expect):
    """What must hold when every step has run, plus checks over the whole journal."""

    journal_includes: list[str] | None = None
    journal_excludes: list[str] | None = None
    calls: list[str] | None = None


class FireStep(_Spec):
    """Someone reports an event."""

    fire: str
    as_: str = Field(alias="as")
    actor: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    refused: RefusalName | None = None
    expect: Expect | None = None


class WaitStep(_Spec):
    """Time passes; timers that fall due fire, each at its own deadline."""

    wait: WaitDuration
    expect: Expect | None = None


def _step_kind(value: Any) -> str | None:
    if isinstance(value, FireStep):
        return "fire"
    if isinstance(value, WaitStep):
        return "wait"
    if isinstance(value, dict):
        kinds = [kind for kind in ("fire", "wait") if kind in value]
        if len(kinds) == 1:
            return kinds[0]
    return None


ScenarioStep = Annotated[
    Annotated[FireStep, Tag("fire")] | Annotated[WaitStep, Tag("wait")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message="a step is either 'fire: <event>' or 'wait: <duration>' (exactly one of them)",
    ),
]


class Scenario(_Spec):
    """One scenario file: a visit through one procedure, step by step, with what must hold."""

    name: str = Field(alias="scenario")
    procedure: ProcedureId
    languages: Annotated[list[Language], Field(min_length=1)] | None = None
    start: Start
    steps: list[ScenarioStep] = Field(default_factory=list)
    end: End | None = None

    _source: str = PrivateAttr(default="<scenario>")
    _positions: Positions | None = PrivateAttr(default=None)

    @property
    def source(self) -> str:
        """The file the scenario came from (``<scenario>`` when built in Python)."""
        return self._source

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of ``path`` in the file (or of its nearest ancestor), if known."""
        found = self._positions.locate(path, key=key) if self._positions is not None else None
        return found or (None, None)


# -- loading -----------------------------------------------------------------------------------


def parse_scenario(text: str, source: str = "<string>") -> Scenario:
    """A scenario from YAML text; raise :class:`ScenarioError` with every problem located."""
    data, positions, problems = parse_yaml(text, source)
    found = [p for p in problems if p.severity == "error"]
    if data is None or found:
        raise ScenarioError([_relabel(d) for d in found])
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                Diagnostic(
                    "error",
                    "schema",
                    "expected a mapping with 'scenario', 'procedure', 'start' and 'steps', "
                    f"found {type(data).__name__}",
                    source,
                    1,
                    1,
                )
            ]
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        found = _unique([_diagnostic(err, data, positions) for err in exc.errors(include_url=False)])
        raise ScenarioError(sorted(found, key=lambda d: (d.line or 0, d.column or 0))) from None
    scenario._source = source
    scenario._positions = positions
    return scenario


def load_scenario(path: str | FsPath) -> Scenario:
    """Read one scenario file (UTF-8); raise :class:`ScenarioError` if it cannot be used."""
    try:
        text = FsPath(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError([Diagnostic("error", "io", f"cannot read file: {reason}", str(path))]) from None
    return parse_scenario(text, str(path))


def collect_scenarios(folder: str | FsPath) -> list[FsPath]:
    """Scenario files below ``folder``, in a stable order (none if the folder does not exist)."""
    root = FsPath(folder)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.suffix in SCENARIO_SUFFIXES and p.is_file())


def _relabel(diagnostic: Diagnostic) -> Diagnostic:
    """The YAML reader's ``steps.0.as`` said the way scenarios count: ``step 1 › as``."""
    if not diagnostic.path:
        return diagnostic
    path = tuple(int(p) if p.isdigit() else p for p in diagnostic.path.split("."))
    return dataclasses.replace(diagnostic, path=label(path))


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The same problem once, though pydantic may report it for each arm of a union."""
    return list(dict.fromkeys(diagnostics))


def _diagnostic(err: Any, data: Any, positions: Positions) -> Diagnostic:
    path, owner = _walk(err["loc"], data)
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _keys(owner)
        close = difflib.get_close_matches(key, allowed, n=1)
        message = f"unknown key '{key}'"
        message += f"; did you mean '{close[0]}'?" if close else f"; expected one of: {', '.join(allowed)}"
        line_col = positions.locate(path, key=True)
    elif kind == "missing":
        message = f"missing required key '{path[-1]}'"
        line_col = positions.locate(path[:-1])
    else:
        message = _message(err)
        if "input" in err and not isinstance(err["input"], (dict, list)) and repr(err["input"]) not in message:
            message += f", found {err['input']!r}"
        line_col = positions.locate(path)
    line, column = line_col or (None, None)
    return Diagnostic("error", "scenario", message, positions.source, line, column, label(path) or None)


_PATTERNS = {
    PROCEDURE_ID_PATTERN: "expected a procedure id such as 'business.release_tenant'",
    LANGUAGE_PATTERN: "expected a language tag such as 'en' or 'zh-Hant'",
}


def _message(err: Any) -> str:
    """pydantic's wording, said the way the rest of sopflow says it."""
    context = err.get("ctx") or {}
    if err["type"] == "string_pattern_mismatch" and context.get("pattern") in _PATTERNS:
        return _PATTERNS[context["pattern"]]
    if err["type"] == "too_short":
        return f"expected at least {context.get('min_length', 1)} item(s), found none"
    message: str = err["msg"].removeprefix("Value error, ")
    return message.replace("Input should be", "expected").replace("Input should have", "expected")


def label(path: Sequence[str | int]) -> str:
    """A path in a scenario as authors count: ``step 3 › expect.state`` (steps from 1)."""
    if len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int):
        rest = _dotted(path[2:])
        return f"step {path[1] + 1}" + (f" › {rest}" if rest else "")
    return _dotted(path)


def _walk(loc: Sequence[Any], data: Any) -> tuple[Path, Any]:
    """The data path of a pydantic error location, and the type that owns its last key.

    pydantic's ``loc`` mixes real keys with union tags (``fire``/``wait`` of a
    step); following the model's types alongside the data tells them apart,
    even though ``fire`` is also a key of every fire step.
    """
    annotation: Any = Scenario
    owner: Any = None
    node: Any = data
    path: list[str | int] = []
    for index, part in enumerate(loc):
        annotation = _strip(annotation)
        arms = _tagged_arms(annotation)
        if arms is not None and part in arms:
            annotation = arms[part]
            continue
        if index == len(loc) - 1:
            owner = annotation
        annotation = _below(annotation, part)
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str):
            path.append(part)  # a missing or unknown key: nothing below it
            node = None
    return tuple(path), _strip(owner)


def _strip(annotation: Any) -> Any:
    """Drop ``| None`` and ``Annotated`` wrappers, keeping a discriminated union whole."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            if any(isinstance(m, Discriminator) for m in annotation.__metadata__):
                return annotation
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            arms = [a for a in get_args(annotation) if a is not type(None)]
            if len(arms) != 1:
                return annotation
            annotation = arms[0]
        else:
            return annotation


def _tagged_arms(annotation: Any) -> dict[str, Any] | None:
    if get_origin(annotation) is not Annotated:
        return None
    arms: dict[str, Any] = {}
    for arm in get_args(get_args(annotation)[0]):
        if get_origin(arm) is Annotated:
            for meta in arm.__metadata__:
                if isinstance(meta, Tag):
                    arms[meta.tag] = get_args(arm)[0]
    return arms


def _below(annotation: Any, part: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if (info.alias or name) == part:
                return info.annotation
        return None
    origin = get_origin(annotation)
    if origin is list:
        return get_args(annotation)[0]
    if origin is dict:
        return get_args(annotation)[1]
    return None


def _keys(model: Any) -> list[str]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return sorted(info.alias or name for name, info in model.model_fields.items())
    return []


def _dotted(path: Sequence[str | int]) -> str:
    return ".".join(map(str, path))


# -- does the scenario fit the procedure? ------------------------------------------------------


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


def scenario_languages(scenario: Scenario, library: Library) -> tuple[str, ...]:
    """The languages a scenario runs in: its own list, or every language of its procedure."""
    if scenario.languages:
        return tuple(scenario.languages)
    return library[scenario.procedure].languages


# -- the transcript ----------------------------------------------------------------------------

RecordKind = Literal["start", "fire", "wait", "timer"]


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One thing that happened while a scenario ran, as the desk would have seen it.

    Data and texts are stored with private fields already shown as ``***``:
    transcripts are printed and pasted into tickets, journals are not.
    """

    step: int
    """Scenario step that caused it: 0 for the start, then 1, 2, …"""
    kind: RecordKind
    at: dt.datetime
    role: str | None
    actor: str | None
    event: str | None
    """The event fired, the timer that ran out, the wait as written, or the procedure started."""
    data: Mapping[str, Any]
    """JSON form of the data it carried, private fields redacted."""
    procedure: str
    """The procedure that handled it (a timer may run out in a called procedure)."""
    state: str
    """The innermost state afterwards."""
    path: tuple[str, ...]
    say: str | None
    """What the desk says now, in the language of the run."""
    do: str | None
    refusal: str | None
    """``ErrorClass: message`` if the session refused the step."""
    outcome: str | None
    notes: tuple[str, ...] = ()
    """What it set off: calls, returns and cancellations of other procedures."""


@dataclass(frozen=True)
class Transcript(Sequence[TranscriptEntry]):
    """What happened in one run of a scenario, in order; :meth:`render` makes it readable."""

    scenario: str
    procedure: str
    lang: str
    entries: tuple[TranscriptEntry, ...]

    @overload
    def __getitem__(self, index: int) -> TranscriptEntry: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[TranscriptEntry]: ...

    def __getitem__(self, index: int | slice) -> TranscriptEntry | Sequence[TranscriptEntry]:
        return self.entries[index]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[TranscriptEntry]:
        return iter(self.entries)

    def render(self) -> list[str]:
        """Plain-text lines: one per action, indented lines for what followed from it."""
        width = max([10, *(len(_who(e)) for e in self.entries)])
        indent = " " * 10
        lines: list[str] = []
        outcome: str | None = None
        for entry in self.entries:
            lines.append(f"{entry.at:%H:%M:%S}  {_who(entry).ljust(width)}  {_action(entry, self.procedure)}")
            lines += [f"{indent}↳ {note}" for note in entry.notes]
            if entry.refusal is not None:
                lines.append(f"{indent}✗ refused: {entry.refusal}")
            elif entry.kind != "wait":
                line = f"{indent}→ {' › '.join(entry.path) or entry.state}"
                if entry.say:
                    line += f"  {_quote(entry.say, self.lang)}"
                lines.append(line)
                if entry.do:
                    lines.append(f"{indent}  do: {entry.do}")
            if entry.outcome is not None and entry.outcome != outcome:
                lines.append(f"{indent}■ outcome: {entry.outcome}")
            outcome = entry.outcome
        return lines

    def __str__(self) -> str:
        return "\n".join(self.render())


def _who(entry: TranscriptEntry) -> str:
    if entry.role is None:
        return ""
    if entry.actor and entry.actor != entry.role:
        return f"{entry.actor} ({entry.role})"
    return entry.role


def _action(entry: TranscriptEntry, root: str) -> str:
    data = f" {_flow(dict(entry.data))}" if entry.data else ""
    if entry.kind == "start":
        return f"starts {entry.event}{data}"
    if entry.kind == "wait":
        return f"waits {entry.event}"
    if entry.kind == "timer":
        where = f" in {entry.procedure}" if entry.procedure != root else ""
        return f"timer {entry.event}{where} runs out"
    return f"fires {entry.event}{data}"


def _quote(text: str, lang: str) -> str:
    if lang.split("-")[0] in ("zh", "ja", "ko"):
        return f"「{text}」"
    return f'"{text}"'


def _flow(value: Any) -> str:
    """YAML flow style, as authors write data in scenarios: ``{unit: 3-1201, items: [TV, sofa]}``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        plain = value and value == value.strip() and not any(c in value for c in ",:{}[]#\"'\n")
        return value if plain else json.dumps(value, ensure_ascii=False)
    return str(value)


# -- running -----------------------------------------------------------------------------------


def run_scenario(scenario: Scenario, library: Library, lang: str) -> Transcript:
    """Run the scenario in ``lang`` on a manual clock; raise on the first step whose expectations fail.

    Sessions run in strict mode, so a step that would break one of the
    procedure's invariants is refused (and the scenario says whether it
    expected that). Raises :class:`ScenarioError` if the scenario does not
    fit the procedure and :class:`ScenarioFailed` if the procedure does not
    do what the scenario says.
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
    return _Run(scenario, library[scenario.procedure], lang).run()


class _Run:
    """One run of one scenario in one language."""

    session: Session

    def __init__(self, scenario: Scenario, procedure: Procedure, lang: str) -> None:
        self.scenario = scenario
        self.procedure = procedure
        self.lang = lang
        self.private = frozenset(name for p in family(procedure) for name in p.private)
        self.clock = ManualClock(scenario.start.at or DEFAULT_START)
        self.entries: list[TranscriptEntry] = []

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
        self.record(0, self.session.journal)
        for number, step in enumerate(self.scenario.steps, 1):
            at: Path = ("steps", number - 1)
            mismatches = self.fire(number, step, at) if isinstance(step, FireStep) else self.wait(number, step)
            if not mismatches and step.expect is not None:
                mismatches = self.expect(step.expect, (*at, "expect"))
            if mismatches:
                self.fail(number, mismatches)
        end = self.scenario.end
        if end is not None:
            mismatches = self.expect(end, ("end",)) + self.journal(end)
            if mismatches:
                self.fail(None, mismatches)
        return self.transcript()

    # -- steps ---------------------------------------------------------------------------------

    def fire(self, number: int, step: FireStep, at: Path) -> list[Mismatch]:
        session = self.session
        before = session.snapshot(journal=False)
        mark = len(session.journal)
        refusal: RuntimeRefusal | None = None
        try:
            session.fire(step.fire, role=step.as_, actor=step.actor, data=step.data)
        except RuntimeRefusal as exc:
            refusal = exc
        self.record(number, session.journal[mark:])
        if step.refused is None:
            if refusal is None:
                return []
            return [Mismatch("fire", f"'{step.fire}' to be accepted", _refusal(refusal), (*at, "fire"))]
        where = (*at, "refused")
        if refusal is None:
            found = f"the step accepted (now in '{session.state}')"
            return [Mismatch("refused", step.refused, found, where)]
        if not isinstance(refusal, REFUSALS[step.refused]):
            return [Mismatch("refused", step.refused, _refusal(refusal), where)]
        after = session.snapshot(journal=False)
        if after != before:
            expected = "the session unchanged by the refused step"
            return [Mismatch("refused", expected, _first_difference(before, after), where)]
        return []

    def wait(self, number: int, step: WaitStep) -> list[Mismatch]:
        """Advance to each deadline in turn, so every timer's entry shows the state it led to."""
        session, clock = self.session, self.clock
        began = clock.now()
        until = began + dt.timedelta(seconds=parse_duration(step.wait))
        self.entries.append(self.entry(number, "wait", began, None, None, step.wait, {}, self.procedure.id, None))
        while True:
            due = [t.due for t in session.step().timers if t.due <= until]
            if not due:
                break
            clock.set(max(min(due), clock.now()))
            mark = len(session.journal)
            session.advance()
            if len(session.journal) == mark:
                break
            self.record(number, session.journal[mark:])
        clock.set(until)
        mark = len(session.journal)
        session.advance()
        self.record(number, session.journal[mark:])
        return []

    # -- expectations --------------------------------------------------------------------------

    def expect(self, expect: Expect, at: Path) -> list[Mismatch]:
        session, lang = self.session, self.lang
        step = session.step(lang)
        out: list[Mismatch] = []
        if expect.state is not None and expect.state != session.state:
            out.append(Mismatch("state", repr(expect.state), repr(session.state), (*at, "state")))
        if expect.path is not None and tuple(expect.path) != session.path:
            out.append(Mismatch("path", _names(expect.path), _names(session.path), (*at, "path")))
        for key, text in (("says", step.say), ("does", step.do)):
            wanted: dict[str, list[str]] = getattr(expect, key) or {}
            for part in wanted.get(lang, ()):
                if text is None or part not in text:
                    found = repr(text) if text is not None else f"no '{key}' text in '{step.state}'"
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

    # -- the transcript ------------------------------------------------------------------------

    def record(self, number: int, entries: Sequence[Entry]) -> None:
        """Transcript entries for journal entries: one per start, fire, refusal or timer.

        Calls, returns and cancellations become notes on the entry that set
        them off. The last entry shows the session as it is now; an earlier
        one (two timers due at the same instant) shows the state it moved to.
        """
        groups: list[tuple[Entry, list[str]]] = []
        for entry in entries:
            if entry.kind in ("start", "fire", "refused", "timer") or not groups:
                groups.append((entry, []))
            else:
                groups[-1][1].append(self.note(entry))
        for index, (entry, notes) in enumerate(groups):
            last = index == len(groups) - 1
            shown = entry.redacted(self.private)
            kind: RecordKind = "start" if entry.kind == "start" else "timer" if entry.kind == "timer" else "fire"
            event = self.procedure.id if entry.kind == "start" else entry.event
            refusal = _mask(entry.detail, entry.data, self.private) if entry.detail else None
            record = self.entry(
                number,
                kind,
                entry.at,
                entry.role,
                entry.actor,
                event,
                shown.get("data", {}),
                entry.procedure,
                refusal,
                tuple(notes),
            )
            if not last and entry.target is not None:
                depth = entry.depth
                record = _replace_state(record, entry.target, (*self.session.path[:depth], entry.target))
            self.entries.append(record)

    def entry(
        self,
        number: int,
        kind: RecordKind,
        at: dt.datetime,
        role: str | None,
        actor: str | None,
        event: str | None,
        data: Mapping[str, Any],
        procedure: str,
        refusal: str | None,
        notes: tuple[str, ...] = (),
    ) -> TranscriptEntry:
        session = self.session
        frame = session.root.frames()[-1]
        masked = {k: REDACTED if k in frame.procedure.private and v is not None else v for k, v in frame.data.items()}
        langs = frame.procedure.languages
        return TranscriptEntry(
            step=number,
            kind=kind,
            at=at,
            role=role,
            actor=actor if actor != role else None,
            event=event,
            data=MappingProxyType(dict(data)),
            procedure=procedure,
            state=session.state,
            path=session.path,
            say=render_text(frame.here.say, self.lang, langs, masked),
            do=render_text(frame.here.do, self.lang, langs, masked),
            refusal=refusal,
            outcome=session.outcome,
            notes=notes,
        )

    def note(self, entry: Entry) -> str:
        if entry.kind == "call":
            shown = entry.redacted(self.private).get("data")
            return f"calls {entry.procedure}" + (f" {_flow(shown)}" if shown else "")
        if entry.kind == "return":
            child = next(
                (
                    e.procedure
                    for e in reversed(self.session.journal)
                    if e.kind == "call" and e.depth == entry.depth + 1 and e.seq < entry.seq
                ),
                "the called procedure",
            )
            return f"{child} ended: {entry.event}"
        if entry.kind == "cancel":
            return f"cancels {entry.procedure} (it was in '{entry.source}')"
        return entry.describe()

    def transcript(self) -> Transcript:
        return Transcript(self.scenario.name, self.procedure.id, self.lang, tuple(self.entries))

    def fail(self, step: int | None, mismatches: list[Mismatch]) -> NoReturn:
        raise ScenarioFailed(self.scenario, self.lang, step, mismatches, self.transcript())


def _replace_state(entry: TranscriptEntry, state: str, path: tuple[str, ...]) -> TranscriptEntry:
    return dataclasses.replace(entry, state=state, path=path, say=None, do=None, outcome=None)


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


def _mask(text: str, data: Mapping[str, Any], private: frozenset[str]) -> str:
    """Hide private values a refusal message quotes (the engine names the value it refused)."""
    for name, value in data.items():
        if name in private and value is not None:
            for form in (repr(value), str(value)):
                if len(form) > 1:
                    text = text.replace(form, REDACTED)
    return text


def _refusal(exc: RuntimeRefusal) -> str:
    return f"{type(exc).__name__}: {exc.message}"


def _first_difference(before: Any, after: Any, where: str = "") -> str:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                return _first_difference(before.get(key), after.get(key), f"{where}.{key}" if where else key)
    return f"{where or 'session'} changed from {before!r} to {after!r}"
