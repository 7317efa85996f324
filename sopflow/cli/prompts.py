"""Asking a person at the walk's prompts: one field at a time, again until the answer fits.

What is typed is converted by :mod:`sopflow.cli.convert`, the same conversion
``--data`` uses, so a typo is asked again instead of refused after the fact.
Prompts and hints are in the walk's language; field names, enum values and
role names stay as the procedure spells them, since that is what is typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sopflow.cli.convert import Unfit, parse_value
from sopflow.model import FieldSpec
from sopflow.render.text import pick
from sopflow.render.words import phrase

Ask = Callable[[str], str]
"""Shows a prompt and returns the line typed; raises ``EOFError`` on Ctrl-D."""


def describe(spec: FieldSpec, lang: str = "en") -> str:
    """``bool, yes/no``, ``choose: 1 relevant_person, 2 cs_supervisor``: what a prompt should say."""
    if spec.type == "enum":
        kind = phrase("choose", lang, choices=", ".join(f"{i} {v}" for i, v in enumerate(spec.values or (), 1)))
    else:
        kind = phrase(f"type_{spec.type}", lang)
    return f"{kind}, {phrase('private', lang)}" if spec.private else kind


def field_label(name: str, spec: FieldSpec, lang: str, languages: tuple[str, ...], *, required: bool) -> str:
    """``arrears_months · 欠交管理費月數 (整數): ``: the name to type, what it is, and its form."""
    title = pick(spec.title, lang, languages)
    hint = describe(spec, lang) + ("" if required else f", {phrase('optional', lang)}")
    return f"{name}{f' · {title}' if title else ''} ({hint}): "


def ask_value(
    ask: Ask,
    name: str,
    spec: FieldSpec,
    *,
    required: bool,
    lang: str = "en",
    languages: tuple[str, ...] = (),
    needed: str = "needed_for_event",
    zone: dt.tzinfo | None = None,
) -> tuple[bool, object]:
    """Ask until the answer fits; ``(False, None)`` when an optional field is skipped with Enter."""
    label = field_label(name, spec, lang, languages, required=required)
    while True:
        raw = ask(label)
        if not raw.strip():
            if not required:
                return False, None
            print(f"  {phrase(needed, lang, name=name)}")
            continue
        if spec.type == "enum" and raw.strip().isdigit() and 0 < int(raw) <= len(spec.values or ()):
            raw = (spec.values or [])[int(raw) - 1]
        try:
            return True, parse_value(spec, raw, lang, zone)
        except Unfit as exc:
            print(f"  {exc}")


def ask_choice(ask: Ask, label: str, choices: list[str], default: str | None, lang: str = "en") -> str:
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
        print(f"  {phrase('choose_one', lang, choices=', '.join(choices))}")
