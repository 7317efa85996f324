"""Small text helpers shared by every rendering: durations, languages, role names.

They live in one place so that ``show``, ``graph`` and ``walk`` say "3m" and
"Front desk" the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from sopflow.model import Role, Text

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


def quoted(text: str, lang: str = "en") -> str:
    """``“text”`` (``「text」`` in Chinese), unless the text already opens with a quotation mark.

    SOPs often quote several alternatives themselves (“Take care”, “Goodbye”);
    wrapping those again would read ““Take care”, “Goodbye””.
    """
    if text[:1] in "“「\"'‘『":
        return text
    return f"「{text}」" if lang.startswith(("zh", "ja", "ko")) else f"“{text}”"
