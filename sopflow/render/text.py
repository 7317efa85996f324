"""Small text helpers shared by every rendering: durations, languages, role names.

They live in one place so that ``show``, ``graph`` and ``walk`` say "3m" and
"Front desk" the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from contextlib import suppress
from decimal import Decimal
from typing import Any

from sopflow.model import FieldSpec, Role, Text, parse_when
from sopflow.model.values import from_json
from sopflow.render.words import list_separator, phrase

OUTCOME_STYLE: Mapping[str, str] = {
    "completed": "green",
    "refused": "red",
    "escalated": "dark_orange",
    "handed_over": "blue",
    "pending_follow_up": "yellow",
    "referred": "magenta",
}
"""Rich colour of each outcome class, so a reader learns one colour code for every view."""


def duration(seconds: float | None) -> str:
    """``180`` → ``3m``, ``5400`` → ``1h 30m``: the way the SOPs write waits, not raw seconds."""
    if seconds is None:
        return "-"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "", f"{secs}s" if secs else ""]
    return " ".join(p for p in parts if p) or "0s"


def when(delay: float | None, wait: str | None) -> str:
    """``after 3m``, ``after 3 working days``, ``at next working day 09:00``: a timer as people read it."""
    if delay is not None or wait is None:
        return f"after {duration(delay)}"
    try:
        parse_when(wait)  # a moment of the clock, or the field holding one
    except ValueError:
        return f"after {wait}"
    return f"at {wait}"


def pick(text: Text | None, lang: str, fallback: tuple[str, ...] = ()) -> str | None:
    """The text in ``lang``, else in the first fallback language it has, else any.

    A training view should still show something when a translation is missing;
    ``sopflow lint`` is where missing translations are reported.
    """
    if not text:
        return None
    if lang in text:
        return text[lang]
    for other in fallback:
        if other in text:
            return text[other]
    return next(iter(text.values()))


def role_title(roles: Mapping[str, Role], role: str | None, lang: str, fallback: tuple[str, ...]) -> str:
    """A role's title in ``lang`` (``Front desk``), or its name if the procedure has no such role."""
    if role is None:
        return "anyone"
    spec = roles.get(role)
    return (pick(spec.title, lang, fallback) if spec else None) or role


def value_text(value: Any, lang: str = "en") -> str:
    """A field value as a person writes it: ``yes`` (``是``), ``TV, sofa`` (``TV、sofa``), ``09:30``.

    Python's own forms (``True``, ``['TV', 'sofa']``) mean nothing to the
    person at the desk; this is the one place every view turns values into text.
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return phrase("yes" if value else "no", lang)
    if isinstance(value, (list, tuple)):
        return list_separator(lang).join(value_text(v, lang) for v in value)
    if isinstance(value, Mapping):
        return list_separator(lang).join(f"{k}: {value_text(v, lang)}" for k, v in value.items())
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        # The wall time where it was given; the zone is the desk's own, not worth a column.
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    return str(value)


def field_text(value: Any, spec: FieldSpec | None, lang: str = "en") -> str:
    """:func:`value_text` of a field's value, native or in its JSON form.

    Journals and transcripts may hold a time as ``"14:00:00"``; read by the
    field's type it is written ``14:00`` like the same value anywhere else.
    """
    if spec is not None and value is not None:
        with suppress(ValueError):  # a value not of the field's type is shown as it is
            value = from_json(spec, value)
    return value_text(value, lang)


def quoted(text: str, lang: str = "en") -> str:
    """``“text”`` (``「text」`` in Chinese), unless the text already opens with a quotation mark.

    SOPs often quote several alternatives themselves (“Take care”, “Goodbye”);
    wrapping those again would read ““Take care”, “Goodbye””.
    """
    if text[:1] in "“「\"'‘『":
        return text
    return f"「{text}」" if lang.startswith(("zh", "ja", "ko")) else f"“{text}”"
