"""What a host shows at the desk: immutable records of the current step."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from sopflow.compile import Procedure, StateIR
from sopflow.model import Citation, Text

_P = TypeVar("_P")


class EventOption(NamedTuple):
    """An event the host may fire now, and what it needs."""

    name: str
    roles: tuple[str, ...]
    """Roles that may fire it; empty means anyone."""
    data: tuple[str, ...]
    """Fields it must carry."""
    optional: tuple[str, ...]
    """Fields it may carry."""
    title: str | None
    procedure: str


class TimerInfo(NamedTuple):
    name: str
    due: dt.datetime
    procedure: str


class ChecklistView(NamedTuple):
    """One checklist item of the current state, in the step's language."""

    name: str
    text: str
    required: bool
    ticked: bool
    source: Citation | None


class PromiseInfo(NamedTuple):
    """A promise still running: what was promised, and when it is missed."""

    name: str
    title: str | None
    due: dt.datetime
    procedure: str


class RuleView(NamedTuple):
    """A standing rule that holds here (never say "no"; leave the desk only with approval)."""

    name: str
    text: str
    source: Citation | None


class Step(NamedTuple):
    """The current step of the innermost running procedure, rendered in one language.

    A named tuple, like journal entries: a session returns one from every ``fire``.
    """

    procedure: str
    state: str
    path: tuple[str, ...]
    """States from the outermost session down to this one."""
    role: str | None
    title: str | None
    say: str | None
    do: str | None
    tips: tuple[str, ...]
    source: Citation | None
    missing: tuple[str, ...]
    """Required fields of this state not captured yet."""
    events: tuple[EventOption, ...]
    timers: tuple[TimerInfo, ...]
    outcome: str | None
    """Set once the whole session has ended."""
    lang: str
    checklist: tuple[ChecklistView, ...] = ()
    """Items to tick in this state; required ones before it can be left."""
    promises: tuple[PromiseInfo, ...] = ()
    """Promises still running, soonest first."""
    rules: tuple[RuleView, ...] = ()
    """Standing rules of the procedure running now and of the policies it uses."""

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    def allows(self, event: str) -> bool:
        return any(e.name == event for e in self.events)


class _Values(Mapping[str, str]):
    """Placeholders filled from session data; an unset field shows as ``[name]``."""

    def __init__(self, data: Mapping[str, Any], lang: str) -> None:
        self.data = data
        self.sep = "、" if lang.startswith("zh") else ", "

    def __getitem__(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            return f"[{key}]"
        if isinstance(value, (list, tuple)):
            return self.sep.join(map(str, value))
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, bool):
            return "✓" if value else "✗"
        if isinstance(value, (dt.time, dt.datetime)) and not value.second and not value.microsecond:
            return value.strftime("%H:%M") if isinstance(value, dt.time) else value.strftime("%Y-%m-%d %H:%M")
        return str(value)

    def __iter__(self) -> Any:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def render(text: Text | None, lang: str, fallback: tuple[str, ...], data: Mapping[str, Any]) -> str | None:
    """Pick the language (or the procedure's first one that exists) and fill placeholders."""
    if not text:
        return None
    line = text.get(lang)
    if line is None:
        line = next((text[x] for x in fallback if x in text), next(iter(text.values())))
    return line.format_map(_Values(data, lang))


class StateTexts(NamedTuple):
    """A state's words in one language; a line with no placeholders is rendered once and kept."""

    title: str | None
    say: str | None
    say_fills: bool
    do: str | None
    do_fills: bool

    def render(self, lang: str, data: Mapping[str, Any]) -> tuple[str | None, str | None]:
        say, do = self.say, self.do
        if self.say_fills or self.do_fills:
            values = _Values(data, lang)
            if self.say_fills and say is not None:
                say = say.format_map(values)
            if self.do_fills and do is not None:
                do = do.format_map(values)
        return say, do


def state_texts(procedure: Procedure, state: str, lang: str) -> StateTexts:
    """The texts of one state in ``lang``, prepared once per procedure, state and language."""
    key = ("texts", state, lang)
    found: StateTexts | None = procedure.memo.get(key)
    if found is None:
        here, langs = procedure.ir.states[state], procedure.languages
        say, do = pick(here.say, lang, langs), pick(here.do, lang, langs)
        say_fills, do_fills = _fills(say), _fills(do)
        found = _remembered(
            procedure,
            key,
            lang,
            StateTexts(
                pick(here.title, lang, langs),
                say if say is None or say_fills else say.format_map({}),
                say_fills,
                do if do is None or do_fills else do.format_map({}),
                do_fills,
            ),
        )
    return found


def _fills(line: str | None) -> bool:
    return line is not None and any(name is not None for _, name, _, _ in string.Formatter().parse(line))


def pick(text: Text | None, lang: str, fallback: tuple[str, ...]) -> str | None:
    if not text:
        return None
    return text.get(lang) or next((text[x] for x in fallback if x in text), next(iter(text.values())))


def state_options(procedure: Procedure, state: str, lang: str) -> tuple[EventOption, ...]:
    """The events of one state as offered in ``lang``: static, so built once per procedure, state and language."""
    key = ("options", state, lang)
    found: tuple[EventOption, ...] | None = procedure.memo.get(key)
    if found is None:
        found = _remembered(
            procedure,
            key,
            lang,
            tuple(
                EventOption(
                    name,
                    tuple(sorted(way.roles)),
                    tuple(f for f, req in way.data if req),
                    tuple(f for f, req in way.data if not req),
                    pick(way.title, lang, procedure.languages),
                    procedure.id,
                )
                for name, way in procedure.ir.states[state].events.items()
            ),
        )
    return found


def rules_of(procedure: Procedure, lang: str) -> tuple[RuleView, ...]:
    """The standing rules in ``lang``, prepared once per procedure and language."""
    key = ("rules", lang)
    found: tuple[RuleView, ...] | None = procedure.memo.get(key)
    if found is None:
        found = _remembered(
            procedure,
            key,
            lang,
            tuple(
                RuleView(r.name, pick(r.text, lang, procedure.languages) or r.name, r.source)
                for r in procedure.ir.rules
            ),
        )
    return found


class StatePage(NamedTuple):
    """Everything a step shows about one state in one language that no session changes."""

    here: StateIR
    texts: StateTexts
    path: tuple[str, ...]
    events: tuple[EventOption, ...]
    rules: tuple[RuleView, ...]


def state_page(procedure: Procedure, state: str, lang: str) -> StatePage:
    """A state's static part of every step, prepared once per procedure, state and language."""
    key = ("page", state, lang)
    found: StatePage | None = procedure.memo.get(key)
    if found is None:
        found = _remembered(
            procedure,
            key,
            lang,
            StatePage(
                procedure.ir.states[state],
                state_texts(procedure, state, lang),
                (state,),
                state_options(procedure, state, lang),
                rules_of(procedure, lang) if procedure.ir.rules else (),
            ),
        )
    return found


def _remembered(procedure: Procedure, key: tuple[str, ...], lang: str, prepared: _P) -> _P:
    """``prepared``, kept in the procedure's memo when ``lang`` is one it declares.

    A host may pass any language (a browser's, say) and gets the nearest texts; keeping
    what it asked for would let a stream of made-up languages grow the memo without end.
    """
    if lang in procedure.languages:
        procedure.memo[key] = prepared
    return prepared
