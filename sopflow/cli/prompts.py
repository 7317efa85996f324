"""Typed answers from a person at a prompt: ``yes`` is a bool, ``sofa, tv`` is a list.

The walk-through asks for an event's data one field at a time; what is typed
is turned into the field's type here and checked with the engine's own
coercion, so a typo is asked again instead of refused after the fact.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sopflow.model import FieldSpec
from sopflow.model.values import coerce

_TRUE = {"y", "yes", "true", "1", "是", "對", "对"}
_FALSE = {"n", "no", "false", "0", "否", "不"}


def parse_value(spec: FieldSpec, raw: str) -> Any:
    """The value ``raw`` means for ``spec``; raise ``ValueError`` saying what was expected."""
    text = raw.strip()
    if spec.type == "int":
        try:
            value: Any = int(text)
        except ValueError:
            raise ValueError(f"expected a whole number, found {text!r}") from None
    elif spec.type == "bool":
        if text.lower() not in _TRUE | _FALSE:
            raise ValueError(f"expected yes or no, found {text!r}")
        value = text.lower() in _TRUE
    elif spec.type == "list[str]":
        value = [part.strip() for part in re.split(r"[,，、]", text) if part.strip()]
    elif spec.type == "enum" and text.isdigit() and spec.values and 0 < int(text) <= len(spec.values):
        value = spec.values[int(text) - 1]
    else:
        value = text
    return coerce(spec, value)


def describe(spec: FieldSpec) -> str:
    """``bool: yes/no``, ``enum: 1 relevant_person, 2 cs_supervisor``: what a prompt should say."""
    if spec.type == "enum":
        return "choose: " + ", ".join(f"{i} {v}" for i, v in enumerate(spec.values or (), 1))
    hint = {"bool": "yes/no", "list[str]": "comma-separated", "date": "YYYY-MM-DD", "time": "HH:MM"}
    kind = f"{spec.type}, {hint[spec.type]}" if spec.type in hint else spec.type
    return f"{kind}, private" if spec.private else kind


def ask_value(ask: Callable[[str], str], name: str, spec: FieldSpec, *, required: bool) -> tuple[bool, Any]:
    """Ask until the answer fits; ``(False, None)`` when an optional field is skipped with Enter."""
    label = f"{name} ({describe(spec)}{'' if required else ', optional: Enter to skip'}): "
    while True:
        raw = ask(label)
        if not raw.strip():
            if not required:
                return False, None
            print(f"  {name} is needed for this event")
            continue
        try:
            return True, parse_value(spec, raw)
        except ValueError as exc:
            print(f"  {exc}")


def ask_choice(ask: Callable[[str], str], label: str, choices: list[str], default: str | None) -> str:
    """Pick one of ``choices`` by number or name; Enter takes the default."""
    numbered = ", ".join(f"{i} {c}" for i, c in enumerate(choices, 1))
    while True:
        raw = ask(f"{label} ({numbered})" + (f" [{default}]" if default else "") + ": ").strip()
        if not raw and default:
            return default
        if raw.isdigit() and 0 < int(raw) <= len(choices):
            return choices[int(raw) - 1]
        if raw in choices:
            return raw
        print(f"  choose one of: {', '.join(choices)}")
