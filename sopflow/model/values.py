"""Values of the language's field types: validating what hosts pass, and reading their JSON form.

A session keeps native values (``Decimal`` for money, ``date`` for dates);
snapshots and journals keep their JSON form. pydantic does both conversions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import StrictBool, StrictInt, StrictStr, TypeAdapter, ValidationError

from sopflow.model.fields import FieldSpec
from sopflow.model.limits import INT_RANGE

_PYTHON_TYPES: dict[str, Any] = {
    "str": StrictStr,
    "int": StrictInt,
    "decimal": Decimal,
    "bool": StrictBool,
    "list[str]": list[StrictStr],
    "date": dt.date,
    "time": dt.time,
    "datetime": dt.datetime,
}
_EXACT: dict[str, type] = {"str": str, "int": int, "bool": bool}
_FROM_TEXT: dict[str, Any] = {
    "decimal": Decimal,
    "date": dt.date.fromisoformat,
    "time": dt.time.fromisoformat,
    "datetime": dt.datetime.fromisoformat,
}
_ADAPTERS: dict[str, TypeAdapter[Any]] = {}
"""One adapter per field type, built on first use: there are only eight, so the cache cannot grow."""


def adapter(kind: str) -> TypeAdapter[Any]:
    found = _ADAPTERS.get(kind)
    if found is None:
        found = _ADAPTERS[kind] = TypeAdapter(_PYTHON_TYPES[kind])
    return found


def coerce(spec: FieldSpec, value: Any) -> Any:
    """Validate a value for a field; raise ``ValueError`` saying what was expected."""
    if value is None:
        return None
    kind = spec.type
    if type(value) is _EXACT.get(kind):
        # Already exactly the type (not a subclass): nothing for pydantic to do.
        if kind == "int" and value not in INT_RANGE:
            raise ValueError(f"expected a whole number that fits in 64 bits, found {short(value)}")
        return _within(spec, value) if spec.bounded else value
    if kind == "enum":
        # An enum is a closed set of words: membership is the whole check.
        if isinstance(value, str) and value in (spec.values or ()):
            return value
        raise ValueError(f"expected one of {', '.join(spec.values or ())}, found {short(value)}")
    if kind == "list[str]" and type(value) is list and all(type(v) is str for v in value):
        return list(value)  # what pydantic would return: a copy, so the host's list stays its own
    try:
        found = _zoned(kind, adapter(kind).validate_python(value))
    except ValidationError as exc:
        detail = exc.errors(include_url=False)[0]["msg"]
        raise ValueError(f"expected {spec.type}, found {short(value)} ({detail})") from None
    return _within(spec, found) if spec.bounded else found


def _within(spec: FieldSpec, value: Any) -> Any:
    """A number inside the field's ``minimum`` and ``maximum``, or a ValueError saying which it is not."""
    if spec.minimum is not None and value < spec.minimum:
        raise ValueError(f"expected at least {spec.minimum}, found {short(value)}")
    if spec.maximum is not None and value > spec.maximum:
        raise ValueError(f"expected at most {spec.maximum}, found {short(value)}")
    return value


def from_json(spec: FieldSpec, value: Any) -> Any:
    """A value from its JSON form (money and dates arrive as text)."""
    if value is None:
        return None
    kind = spec.type
    if type(value) is _EXACT.get(kind):
        return value
    if kind == "enum":
        return coerce(spec, value)
    if kind == "list[str]" and type(value) is list and all(type(v) is str for v in value):
        return list(value)
    if type(value) is str and kind in _FROM_TEXT:
        # The forms sopflow itself writes (str(Decimal), isoformat()) read back directly;
        # anything else goes to pydantic, which explains what is wrong.
        try:
            parsed = _FROM_TEXT[kind](value)
        except (ValueError, ArithmeticError):
            pass
        else:
            if not isinstance(parsed, Decimal) or parsed.is_finite():
                return _zoned(kind, parsed)
    try:
        return _zoned(kind, adapter(kind).validate_python(value, strict=False))
    except ValidationError as exc:
        detail = exc.errors(include_url=False)[0]["msg"]
        raise ValueError(f"expected {spec.type} ({detail})") from None


def _zoned(kind: str, value: Any) -> Any:
    """A time of day has no zone and a moment always has one, so any two can be compared.

    Comparing a time with an offset to one without raises in Python; refusing the odd one
    at the door keeps every guard on times well-defined.
    """
    if kind == "time" and value.tzinfo is not None:
        raise ValueError(f"expected a time of day without a zone, like 19:30, found {value.isoformat()}")
    if kind == "datetime" and value.tzinfo is None:
        raise ValueError(
            f"expected a date and time with its zone, like 2026-03-02T19:30+08:00, found {value.isoformat()}"
        )
    return value


def short(value: Any, limit: int = 40) -> str:
    """A value as quoted in a message, cut so that a huge input cannot make a huge message."""
    if value.__class__ is int and value not in INT_RANGE:
        return "a number past 64 bits"  # past 4,300 digits Python will not even write it out
    # A long text is cut before repr, which would otherwise copy all of it to show forty characters.
    text = repr(value[:limit] if isinstance(value, str) and len(value) > limit else value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
