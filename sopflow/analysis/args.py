"""The analysis API's arguments checked where a host hands them over.

Compliance scripts call these functions with values read from files and command lines;
a wrong kind must be a :class:`~sopflow.errors.UsageError` that names the argument, not
an ``AttributeError`` from deep inside an exploration or a log replay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sopflow.compile import Procedure
from sopflow.errors import UsageError
from sopflow.model.values import short


def procedure_arg(value: object) -> Procedure:
    if not isinstance(value, Procedure):
        raise UsageError(f"expected a compiled procedure (library['id']), found {type(value).__name__}")
    return value


def count_arg(name: str, value: object, least: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        shown = short(value) if isinstance(value, int) else type(value).__name__
        raise UsageError(f"{name}: expected a whole number of at least {least}, found {shown}")
    return value


def iterable_arg(name: str, value: object) -> Iterable[Any]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise UsageError(f"{name}: expected a sequence, found {type(value).__name__}")
    return value


def kind_arg(name: str, value: object, kind: type | tuple[type, ...], words: str) -> Any:
    if not isinstance(value, kind):
        raise UsageError(f"{name}: expected {words}, found {type(value).__name__}")
    return value


def moment_arg(name: str, value: object) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise UsageError(f"{name}: expected a date and time with its zone, found {type(value).__name__}")
    return value
