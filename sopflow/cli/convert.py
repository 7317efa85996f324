"""Text a person types, at a walk prompt or as ``--data field=value``, turned into a field's value.

Both ways of giving data use this one conversion, so ``--data arrears_months=2``
means what typing ``2`` at the prompt means, and a wrong value is explained
in the same words. The engine's own coercion has the last word, so nothing
accepted here can be refused later for its type.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from sopflow.errors import SopflowError
from sopflow.model import FieldSpec
from sopflow.model.values import coerce, short
from sopflow.render.words import phrase

TRUE = frozenset({"y", "yes", "true", "1", "是", "對", "对"})
FALSE = frozenset({"n", "no", "false", "0", "否", "不"})
_LIST_SEPARATORS = re.compile(r"[,，、]")


class Unfit(SopflowError):
    """What was typed does not fit the field; the message says what would, in the walk's language."""


def _int(text: str) -> Any:
    return int(text)


def _decimal(text: str) -> Any:
    value = Decimal(text)
    if not value.is_finite():
        raise ValueError(text)
    return value


def _bool(text: str) -> Any:
    word = text.lower()
    if word not in TRUE | FALSE:
        raise ValueError(text)
    return word in TRUE


def _list(text: str) -> Any:
    """``TV, sofa`` or ``TV、沙發``; a JSON list (``["TV", "sofa"]``) when an item holds a comma."""
    if text.startswith("["):
        items = json.loads(text)
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ValueError(text)
        return items
    return [part.strip() for part in _LIST_SEPARATORS.split(text) if part.strip()]


def _enum_value(spec: FieldSpec) -> Callable[[str], Any]:
    def value(text: str) -> Any:
        if text not in (spec.values or ()):
            raise ValueError(text)
        return text

    return value


_PARSERS: dict[str, Callable[[str], Any]] = {
    "int": _int,
    "decimal": _decimal,
    "bool": _bool,
    "list[str]": _list,
    "date": dt.date.fromisoformat,
    "time": dt.time.fromisoformat,
    "datetime": dt.datetime.fromisoformat,
}


def parse_value(spec: FieldSpec, raw: str, lang: str = "en", zone: dt.tzinfo | None = None) -> Any:
    """The value ``raw`` means for ``spec``; raise :class:`Unfit` saying what was expected.

    A date and time typed without a zone is in ``zone`` (the walk's clock): people at
    a desk write local times. A private field's value is not repeated in the message:
    it may be shown on a screen the customer can see.
    """
    text = raw.strip()
    parse = _enum_value(spec) if spec.type == "enum" else _PARSERS.get(spec.type, str)
    try:
        value = parse(text)
    except (ValueError, InvalidOperation, RecursionError):  # RecursionError: a list typed 100,000 deep
        expected = phrase(f"expected_{spec.type}", lang, values=", ".join(spec.values or ()))
        if spec.private:
            raise Unfit(expected) from None
        raise Unfit(phrase("found", lang, expected=expected, found=short(text))) from None
    if spec.type == "datetime" and zone is not None and value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    try:
        return coerce(spec, value)
    except ValueError as exc:
        raise Unfit(f"expected {spec.type}" if spec.private else str(exc)) from None
