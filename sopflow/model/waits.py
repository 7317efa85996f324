"""How long a timer waits, and when: the ways the SOPs speak of time, as data.

"3 minutes" is elapsed time; "3 working days" and "2 working hours" count only the time a
named set of opening hours is open, on a calendar the deployment supplies; "08:30",
"next day 09:00" and "next working day" name a moment on the calendar. Parsing lives here,
with the language; the arithmetic needs a calendar and lives in ``sopflow.calendar``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from sopflow.model.base import DURATION_UNITS, NAME_PATTERN, parse_duration
from sopflow.model.limits import MAX_WORKING_DAYS, MAX_WORKING_HOURS

WaitUnit = Literal["seconds", "working_days", "working_hours"]
DayRule = Literal["today_or_next", "next_day", "working_day", "next_working_day"]


class Wait(NamedTuple):
    """A stretch of time: elapsed seconds, or working days or hours counted on opening hours."""

    amount: float
    unit: WaitUnit

    @property
    def working(self) -> bool:
        return self.unit != "seconds"

    def __str__(self) -> str:
        if self.unit == "seconds":
            return _seconds_text(self.amount)
        n = f"{self.amount:g}"
        return f"{n} working {'day' if self.unit == 'working_days' else 'hour'}{'s' if self.amount != 1 else ''}"


class TimeOfDay(NamedTuple):
    """A moment named by the clock on the wall: 08:30 today or next, on the next (working) day."""

    time: dt.time | None
    """``None`` with a working-day rule: the opening time of the hours on that day."""
    day: DayRule

    def __str__(self) -> str:
        at = self.time.strftime("%H:%M") if self.time is not None else ""
        return {
            "today_or_next": at,
            "next_day": f"next day {at}",
            "working_day": f"{at} on a working day",
            "next_working_day": f"next working day {at}".strip(),
        }[self.day]


class FieldTime(NamedTuple):
    """A moment held in one of the procedure's ``datetime`` fields: the time agreed with the user.

    The SOPs keep appointments ("be there exactly at the agreed time"); the time is data of
    the case, not of the procedure, so a timer or promise may name the field that holds it.
    """

    field: str

    def __str__(self) -> str:
        return self.field


When = TimeOfDay | FieldTime
"""When a timer fires or a promise falls due, as a moment: on the wall clock, or as held in a field."""

_FIELD = re.compile(NAME_PATTERN)
"""A field's name: no moment of the clock is one lower-case word ("08:30" and "next day 09:00" are not)."""

_WORKING = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*working\s+(?P<unit>days?|hours?)\s*$", re.IGNORECASE)
_CLOCK = r"(?P<time>\d{1,2}:\d{2})"
_MOMENTS: tuple[tuple[re.Pattern[str], DayRule], ...] = (
    (re.compile(rf"^{_CLOCK}$"), "today_or_next"),
    (re.compile(rf"^next day {_CLOCK}$"), "next_day"),
    (re.compile(rf"^{_CLOCK} on a working day$"), "working_day"),
    (re.compile(rf"^next working day(?: {_CLOCK})?$"), "next_working_day"),
)


def parse_wait(value: Any) -> Wait:
    """``3 minutes``, ``2 days``, ``3 working days``, ``4 working hours`` or seconds."""
    if isinstance(value, Wait):
        return value
    if isinstance(value, str):
        found = _WORKING.match(value)
        if found:
            amount = float(found["n"])
            if amount <= 0:
                raise ValueError(f"a wait must be positive, found {value!r}")
            unit: WaitUnit = "working_days" if found["unit"].lower().startswith("day") else "working_hours"
            if unit == "working_days" and amount != int(amount):
                raise ValueError(f"working days are counted whole, found {value!r}")
            most = MAX_WORKING_DAYS if unit == "working_days" else MAX_WORKING_HOURS
            if amount > most:
                words = unit.replace("_", " ")
                raise ValueError(f"a wait may be at most {most:,} {words}, found {value!r}")
            return Wait(amount, unit)
    try:
        return Wait(parse_duration(value), "seconds")
    except ValueError as exc:
        if "at most" in str(exc):
            raise
        raise ValueError(
            f"expected a wait such as '3 minutes', '2 days', '3 working days' or '4 working hours', found {value!r}"
        ) from None


def parse_moment(value: Any) -> TimeOfDay:
    """``08:30``, ``next day 09:00``, ``08:30 on a working day``, ``next working day [09:00]``."""
    if isinstance(value, TimeOfDay):
        return value
    if isinstance(value, str):
        text = " ".join(value.strip().lower().split())
        for pattern, rule in _MOMENTS:
            found = pattern.match(text)
            if found:
                clock = found.groupdict().get("time")
                try:
                    at = dt.time.fromisoformat(clock.zfill(5)) if clock else None
                except ValueError:
                    break
                return TimeOfDay(at, rule)
    raise ValueError(
        "expected a moment such as '08:30', 'next day 09:00', '08:30 on a working day' or "
        f"'next working day 09:00', found {value!r}"
    )


def parse_when(value: Any) -> When:
    """A moment (:func:`parse_moment`), or the name of the ``datetime`` field that holds one."""
    if isinstance(value, (TimeOfDay, FieldTime)):
        return value
    if isinstance(value, str) and _FIELD.match(value.strip()):
        return FieldTime(value.strip())
    try:
        return parse_moment(value)
    except ValueError:
        raise ValueError(
            "expected a moment such as '08:30', 'next day 09:00' or 'next working day 09:00', "
            f"or the name of a datetime field (appointment_time), found {value!r}"
        ) from None


def parse_until(value: Any) -> Wait | TimeOfDay:
    """A stretch (``2 days``, ``3 working days``) or a moment (``next working day 09:00``).

    What a person rehearsing or scripting a case writes for "time passes": the same words
    procedures use for their timers, so nobody learns a second way to say it.
    """
    if isinstance(value, (Wait, TimeOfDay)):
        return value
    try:
        return parse_wait(value)
    except ValueError:
        pass
    try:
        return parse_moment(value)
    except ValueError:
        raise ValueError(
            f"expected a wait such as '3 minutes', '2 working days' or 'next working day 09:00', found {value!r}"
        ) from None


def _seconds_text(seconds: float) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n:g} {unit[:-1] if n == 1 else unit}"
    return f"{seconds:g} seconds"


WaitSpec = Annotated[
    Wait,
    BeforeValidator(parse_wait),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0},
                {
                    "type": "string",
                    "pattern": rf"(?i)^\s*(\d+(\.\d+)?\s*(working\s+(days?|hours?)|{DURATION_UNITS})\s*)+$",
                },
            ],
            "examples": ["3 minutes", "2 days", "3 working days"],
        }
    ),
]
"""A wait as authors write it; see :func:`parse_wait`."""

MomentSpec = Annotated[
    TimeOfDay,
    BeforeValidator(parse_moment),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["08:30", "next day 09:00", "next working day 09:00"]}),
]
"""A moment as authors write it; see :func:`parse_moment`."""

WhenSpec = Annotated[
    When,
    BeforeValidator(parse_when),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "examples": ["08:30", "next day 09:00", "next working day 09:00", "appointment_time"],
        }
    ),
]
"""A moment, or the datetime field holding one; see :func:`parse_when`."""
