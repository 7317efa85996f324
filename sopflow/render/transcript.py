"""Sessions as people follow them: journal entries as transcript lines, and the current step.

Shared by the interactive walk-through and by scenario playback, so a
trainee sees the same lines whether they type the steps or a script does.
Private fields are shown as ``***``: a transcript is meant to be shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from sopflow.compile import Procedure
from sopflow.model import FieldSpec
from sopflow.render.text import OUTCOME_STYLE, duration, field_text, quoted
from sopflow.render.words import phrase
from sopflow.runtime import Entry, EventOption, Step
from sopflow.runtime.journal import REDACTED

RoleTitle = Callable[[str, str], str]
"""(procedure id, role) -> the role's title in the chosen language."""


def clock(at: dt.datetime, since: dt.datetime | None = None) -> str:
    """``09:03``, or ``09:03:20`` when seconds matter; ``Tue 03-03 09:03`` once the day has changed.

    ``since`` is the time of the line above (or the session's start): a transcript that runs
    over a weekend must not read as if the Monday call came minutes after Friday's.
    """
    text = at.strftime("%H:%M:%S" if at.second else "%H:%M")
    if since is not None and at.date() != since.date():
        return f"{at:%a %m-%d} {text}"
    return text


def values(
    data: Mapping[str, Any], private: Iterable[str], lang: str = "en", fields: Mapping[str, FieldSpec] | None = None
) -> str:
    """``unit=3-1201 items=TV, sofa id_copy=***``: event data on one line, private values hidden."""
    hidden = set(private)
    known = fields or {}
    parts = []
    for key, value in data.items():
        hide = key in hidden and value is not None
        parts.append(f"{key}={REDACTED if hide else field_text(value, known.get(key), lang)}")
    return " ".join(parts)


def _values(data: Mapping[str, Any], procedure: Procedure | None, lang: str) -> str:
    if procedure is None:
        return values(data, (), lang)
    return values(data, procedure.private, lang, procedure.fields)


def table() -> Table:
    """Three columns: time, what happened, where the session is now."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True, min_width=5)
    grid.add_column(overflow="fold")
    grid.add_column(overflow="fold")
    return grid


def add_entry(
    grid: Table, entry: Entry, procedure: Procedure | None, lang: str = "en", since: dt.datetime | None = None
) -> None:
    """One transcript row for a journal entry (and a second for a refusal's reason).

    ``since``: the time of the row above, so the row shows its date when the day has changed.
    """
    indent = "  " * entry.depth
    data = _values(entry.data, procedure, lang)
    where = f"→ [bold]{escape(entry.target or '')}[/]"
    if entry.kind in ("fire", "refused") and entry.source == entry.target:
        where = f"↺ [bold]{escape(entry.target or '')}[/]"
    if entry.kind == "start":
        what = f"[bold]{escape(phrase('started', lang, role=entry.role or ''))}[/]"
        what += f"  [dim]{escape(data)}[/]" if data else ""
    elif entry.kind == "fire":
        what = f"{indent}{escape(entry.actor or '')}: [cyan]{escape(entry.event or '')}[/]"
        what += f"  [dim]{escape(data)}[/]" if data else ""
    elif entry.kind == "refused":
        what = f"{indent}{escape(entry.actor or '')}: [cyan]{escape(entry.event or '')}[/]"
        where = f"[red]{phrase('refused', lang)}[/]"
    elif entry.kind == "timer":
        what = f"{indent}{escape(phrase('timer', lang, name=entry.event or ''))}"
    elif entry.kind == "call":
        what = f"{indent}{escape(phrase('calls', lang, procedure=entry.procedure))}"
    elif entry.kind == "return":
        colour = OUTCOME_STYLE.get(entry.event or "", "white")
        what = f"{indent}[{colour}]{escape(phrase('returned', lang, outcome=entry.event or ''))}[/]"
    else:
        what = f"{indent}{escape(phrase('cancelled', lang, procedure=entry.procedure))}"
        where = ""
    grid.add_row(clock(entry.at, since), what, where)
    if entry.kind == "refused" and entry.detail:
        grid.add_row("", f"[red]{escape(entry.detail)}[/]", "")


def outcome_line(outcome: str | None, lang: str = "en") -> str:
    if outcome is None:
        return f"[yellow]{phrase('not_finished', lang)}[/]"
    return f"[bold {OUTCOME_STYLE.get(outcome, 'white')}]{outcome}[/]"


def step_view(step: Step, now: dt.datetime, role_title: RoleTitle) -> RenderableType:
    """The current step for a trainee: where we are, what to say, and numbered events to choose.

    Its labels are in the step's language, like the desk's lines it frames.
    """
    lang = step.lang
    if step.finished:
        ended = phrase("ended", lang, outcome=outcome_line(step.outcome, lang))
        return Rule(Text.from_markup(ended), align="left", style="dim")
    where = " › ".join(step.path)
    who = role_title(step.procedure, step.role) if step.role else phrase("anyone", lang)
    title = f"[bold]{escape(where)}[/] · {escape(who)}"
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True, min_width=6)
    grid.add_column(overflow="fold")
    if step.title:
        grid.add_row(phrase("Step", lang), escape(step.title))
    if step.say:
        grid.add_row(phrase("Say", lang), escape(quoted(step.say, lang)))
    if step.do:
        grid.add_row(phrase("Do", lang), escape(step.do))
    if step.tips:
        grid.add_row(phrase("Tips", lang), ", ".join(step.tips))
    if step.missing:
        missing = escape(", ".join(step.missing))
        grid.add_row(phrase("Needs", lang), f"[yellow]{missing}[/] {phrase('capture', lang)}")
    for i, timer in enumerate(step.timers):
        left = duration(max((timer.due - now).total_seconds(), 0.0))
        due = phrase("timer_due", lang, name=timer.name, due=clock(timer.due, now), left=left)
        grid.add_row(phrase("Timer", lang) if i == 0 else "", escape(due))
    for i, option in enumerate(step.events, 1):
        grid.add_row(phrase("Events", lang) if i == 1 else "", _option(i, option, lang, role_title))
    return Group(Rule(Text.from_markup(title), align="left", style="dim"), grid)


def _option(number: int, option: EventOption, lang: str, role_title: RoleTitle) -> str:
    """``1. found — The person has been found (Front desk) needs name``: one event a trainee may pick."""
    roles = ", ".join(role_title(option.procedure, r) for r in option.roles) or phrase("anyone", lang)
    line = f"[bold]{number}[/]. [cyan]{escape(option.name)}[/]"
    line += f" — {escape(option.title)}" if option.title else ""
    line += f" [dim]({escape(roles)})[/]"
    if option.data:
        line += " " + phrase("needs", lang, fields=", ".join(option.data))
    if option.optional:
        line += (";" if option.data else "") + " " + phrase("may_add", lang, fields=", ".join(option.optional))
    return line


def journal_lines(
    entries: Iterable[Entry], procedure_of: Callable[[str], Procedure | None], lang: str = "en"
) -> list[str]:
    """The journal as plain lines, every private value replaced by ``***``.

    It is the auditor's record, so its words stay the journal's own; only
    the values are written as a person writes them.
    """
    lines = []
    since: dt.datetime | None = None
    for entry in entries:
        procedure = procedure_of(entry.procedure)
        raw = entry.redacted(procedure.private if procedure else frozenset())
        line = f"#{raw['seq']:<3} {clock(entry.at, since)} {'  ' * entry.depth}{raw['kind']}"
        since = entry.at
        line += f" {raw['event']}" if "event" in raw else ""
        line += f" by {raw['actor']} ({raw['role']})" if "role" in raw else ""
        if "source" in raw or "target" in raw:
            line += f": {raw.get('source', '·')} -> {raw.get('target', '·')}"
        for part in ("data", "changes"):
            given = getattr(entry, part)
            if given:
                line += f"  {part}: {_values(given, procedure, lang)}"
        if "detail" in raw:
            line += f"  [{raw['detail']}]"
        lines.append(line)
    return lines
