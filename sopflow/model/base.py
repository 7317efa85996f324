"""Shared building blocks of the procedure language: names, texts, durations, citations.

The model package is the contract between parsing and everything after it, so
it imports nothing else of sopflow.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from sopflow.model.limits import MAX_WAIT_DAYS

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
PROCEDURE_ID_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
LEVEL_SEPARATOR = "@"
"""Joins a laddered state and a level's role into the level's state name: ``explain@cs_supervisor``."""

Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
"""A state, event, field, role, timer or ladder name: lower_snake_case."""

ProcedureId = Annotated[str, StringConstraints(pattern=PROCEDURE_ID_PATTERN)]
"""A procedure or policy id: dotted lower_snake_case, e.g. ``business.release_tenant``."""

Language = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]
"""A BCP 47 language tag such as ``zh-Hant``, ``zh-Hans`` or ``en``."""

Text = dict[Language, str]
"""A localised text: one string per language, with ``{field}`` placeholders."""

DURATION_UNITS = "weeks?|w|days?|d|hours?|h|minutes?|mins?|m|seconds?|secs?|s"
_DURATION = re.compile(rf"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>{DURATION_UNITS})\b")
_UNIT_SECONDS = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(value: Any) -> float:
    """Turn ``"3 minutes"``, ``"3m"``, ``"1h 30m"``, ``"20s"``, ``"30 days"`` or a number of seconds into seconds.

    Authors write durations the way the SOPs say them; the engine only ever
    needs seconds.
    """
    if isinstance(value, bool):
        raise ValueError("expected a duration such as '3 minutes' or '20s', found a boolean")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        pos, seconds = 0, 0.0
        for match in _DURATION.finditer(text):
            if text[pos : match.start()].strip():
                break
            seconds += float(match["n"]) * _UNIT_SECONDS[match["unit"][0]]
            pos = match.end()
        if pos == 0 or text[pos:].strip():
            raise ValueError(f"expected a duration such as '3 minutes', '20s' or '2 days', found {value!r}")
    else:
        raise ValueError(f"expected a duration such as '3 minutes' or '20s', found {value!r}")
    if not seconds > 0:  # also NaN
        raise ValueError(f"a duration must be positive, found {value!r}")
    if seconds > MAX_WAIT_DAYS * 86400:  # also infinity
        raise ValueError(f"a duration may be at most {MAX_WAIT_DAYS:,} days (a hundred years), found {value!r}")
    return seconds


_UNITS_ANY_CASE = re.sub("[a-z]", lambda m: f"[{m[0]}{m[0].upper()}]", DURATION_UNITS)
DURATION_PATTERN = rf"^\s*(\d+(\.\d+)?\s*({_UNITS_ANY_CASE})\b\s*)+$"
"""What ``parse_duration`` reads, for editors: JSON Schema patterns have no case-insensitive flag."""

Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    Field(
        json_schema_extra={
            "type": ["string", "number"],
            "pattern": DURATION_PATTERN,
            "exclusiveMinimum": 0,
            "examples": ["3 minutes", "20s"],
        }
    ),
]
"""A positive duration in seconds, written as ``3 minutes``, ``20s`` or ``1h 30m``."""


def _non_empty_text(value: Text) -> Text:
    if not value:
        raise ValueError("a text needs at least one language")
    return value


NonEmptyText = Annotated[Text, AfterValidator(_non_empty_text)]


def at_most_one(*keys: str) -> dict[str, Any]:
    """JSON Schema for a model validator's "at most one of these keys" (a null value counts as absent)."""
    given = {"not": {"type": "null"}}
    pairs = [(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :]]
    return {"not": {"anyOf": [{"required": [a, b], "properties": {a: given, b: given}} for a, b in pairs]}}


def exactly_one(*keys: str) -> list[Any]:
    """JSON Schema (``allOf`` items) for a model validator's "exactly one of these keys"."""
    return [at_most_one(*keys), {"anyOf": [{"required": [key]} for key in keys]}]


class Spec(BaseModel):
    """Base of every node: unknown keys are errors and nodes never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Citation(Spec):
    """Where in the written SOPs a procedure or state comes from, so an auditor can follow it."""

    document: str = Field(description="Source document key, e.g. '000'.")
    section: str = Field(description="Section as the document names it, e.g. '標準3 場景五 租戶放行'.")
    lines: str | None = Field(default=None, description="Line range in the source file, e.g. '125-144'.")


class LintIgnore(Spec):
    """Silence one lint rule for this procedure or glossary, with the reason on record."""

    rule: str
    reason: str = Field(min_length=3)
    where: str | None = Field(
        default=None, description="Only this state (or state.event), role, ladder, or glossary entry."
    )


class Lint(Spec):
    ignore: list[LintIgnore] = Field(default_factory=list)
