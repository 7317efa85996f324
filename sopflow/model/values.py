"""Values of the language's field types: validating what hosts pass, and their JSON form.

A session keeps native values (``Decimal`` for money, ``date`` for dates);
snapshots and journals keep their JSON form. pydantic does both conversions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from pydantic import StrictBool, StrictInt, StrictStr, TypeAdapter, ValidationError

from sopflow.model.fields import FieldSpec

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


@lru_cache(maxsize=256)
def adapter(kind: str, values: tuple[str, ...] | None = None) -> TypeAdapter[Any]:
    """One cached adapter per field type; building adapters is the slow part."""
    if kind == "enum":
        # A Literal built at runtime from the declared values: a type form, not a static type.
        enum_type: Any = Literal[values]
        return TypeAdapter(enum_type)
    return TypeAdapter(_PYTHON_TYPES[kind] | None)


def field_adapter(spec: FieldSpec) -> TypeAdapter[Any]:
    return adapter(spec.type, tuple(spec.values) if spec.values else None)


def coerce(spec: FieldSpec, value: Any) -> Any:
    """Validate a value for a field; raise ``ValueError`` saying what was expected."""
    if value is None:
        return None
    try:
        return field_adapter(spec).validate_python(value)
    except ValidationError as exc:
        expected = f"one of {', '.join(spec.values or ())}" if spec.type == "enum" else spec.type
        detail = exc.errors(include_url=False)[0]["msg"]
        raise ValueError(f"expected {expected}, found {value!r} ({detail})") from None


def to_json(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    return field_adapter(spec).dump_python(value, mode="json")


def from_json(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    return field_adapter(spec).validate_python(value, strict=False)
