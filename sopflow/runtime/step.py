"""What a host shows at the desk: immutable records of the current step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sopflow.compile import Procedure
from sopflow.model import Citation, Text


@dataclass(frozen=True, slots=True)
class EventOption:
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


@dataclass(frozen=True, slots=True)
class TimerInfo:
    name: str
    due: dt.datetime
    procedure: str


@dataclass(frozen=True, slots=True)
class Step:
    """The current step of the innermost running procedure, rendered in one language."""

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


def pick(text: Text | None, lang: str, fallback: tuple[str, ...]) -> str | None:
    if not text:
        return None
    return text.get(lang) or next((text[x] for x in fallback if x in text), next(iter(text.values())))


def state_options(procedure: Procedure, state: str, lang: str) -> tuple[EventOption, ...]:
    """The events of one state as offered in ``lang``: static, so built once per procedure, state and language."""
    key = ("options", state, lang)
    found: tuple[EventOption, ...] | None = procedure.memo.get(key)
    if found is None:
        found = procedure.memo[key] = tuple(
            EventOption(
                name,
                tuple(sorted(way.roles)),
                tuple(f for f, req in way.data if req),
                tuple(f for f, req in way.data if not req),
                pick(way.title, lang, procedure.languages),
                procedure.id,
            )
            for name, way in procedure.ir.states[state].events.items()
        )
    return found
