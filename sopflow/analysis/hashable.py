"""Data made hashable, so configurations and cases can be compared and remembered.

The explorer keys configurations by their data, conformance remembers kernel steps and
case variants by theirs; lists and mappings in event data must become tuples first, the
same way everywhere, or two equal configurations would not meet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

_ATOMIC = frozenset({str, int, bool, float, Decimal, dt.date, dt.datetime, dt.time, type(None)})
"""Classes whose values are hashable as they are: answered by one set lookup, since conformance
and the explorer freeze every value of every step."""


def frozen(value: Any) -> Any:
    """Lists as tuples, mappings as sorted pairs, all the way down; anything else as it is."""
    if value.__class__ in _ATOMIC:
        return value
    if isinstance(value, list):
        return tuple(frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, frozen(v)) for k, v in value.items()))
    return value
