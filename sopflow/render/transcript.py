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

from sopflow.render.text import OUTCOME_STYLE, duration, quoted
from sopflow.runtime import Entry, Step
from sopflow.runtime.journal import REDACTED, jsonable

RoleTitle = Callable[[str, str], str]
"""(procedure id, role) -> the role's title in the chosen language."""


def clock(at: dt.datetime) -> str:
    """``09:03``, or ``09:03:20`` when seconds matter."""
    return at.strftime("%H:%M:%S" if at.second else "%H:%M")


def values(data: Mapping[str, Any], private: Iterable[str]) -> str:
    """``unit=3-1201 id_copy=***``: event data on one line, private values hidden."""
    hidden = set(private)
    parts = []
    for key, value in data.items():
        shown = REDACTED if key in hidden and value is not None else jsonable(value)
        if isinstance(shown, list):
            shown = ", ".join(map(str, shown))
        parts.append(f"{key}={shown}")
    return " ".join(parts)


def table() -> Table:
    """Three columns: time, what happened, where the session is now."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True, min_width=5)
    grid.add_column(overflow="fold")
    grid.add_column(overflow="fold")
    return grid


def add_entry(grid: Table, entry: Entry, private: Iterable[str]) -> None:
    """One transcript row for a journal entry (and a second for a refusal's reason)."""
    indent = "  " * entry.depth
    data = values(entry.data, private)
    where = f"→ [bold]{escape(entry.target or '')}[/]"
    if entry.kind in ("fire", "refused") and entry.source == entry.target:
        where = f"↺ [bold]{escape(entry.target or '')}[/]"
    if entry.kind == "start":
        what = f"[bold]▶ start[/] as {escape(entry.role or '')}" + (f"  [dim]{escape(data)}[/]" if data else "")
    elif entry.kind == "fire":
        what = f"{indent}{escape(entry.actor or '')}: [cyan]{escape(entry.event or '')}[/]"
        what += f"  [dim]{escape(data)}[/]" if data else ""
    elif entry.kind == "refused":
        what = f"{indent}{escape(entry.actor or '')}: [cyan]{escape(entry.event or '')}[/]"
        where = "[red]✗ refused[/]"
    elif entry.kind == "timer":
        what = f"{indent}⏱ timer [cyan]{escape(entry.event or '')}[/]"
    elif entry.kind == "call":
        what = f"{indent}↳ calls [bold]{escape(entry.procedure)}[/]"
    elif entry.kind == "return":
        colour = OUTCOME_STYLE.get(entry.event or "", "white")
        what = f"{indent}↲ back from the call: [{colour}]{escape(entry.event or '')}[/]"
    else:
        what = f"{indent}↲ cancelled [bold]{escape(entry.procedure)}[/]"
        where = ""
    grid.add_row(clock(entry.at), what, where)
    if entry.kind == "refused" and entry.detail:
        grid.add_row("", f"[red]{escape(entry.detail)}[/]", "")


def add_say(grid: Table, step: Step, role_title: RoleTitle) -> None:
    """What the person acting says (and does) now, in the step's language."""
    who = role_title(step.procedure, step.role) if step.role else ""
    if step.say:
        said = escape(quoted(step.say))
        grid.add_row("", f"[italic]{escape(who)}:[/] {said}" if who else said, "")
    if step.do:
        grid.add_row("", f"[dim]{escape(who + ' does: ' if who else 'Do: ')}{escape(step.do)}[/]", "")


def outcome_line(outcome: str | None) -> str:
    if outcome is None:
        return "[yellow]not finished[/]"
    return f"[bold {OUTCOME_STYLE.get(outcome, 'white')}]{outcome}[/]"


def step_view(step: Step, now: dt.datetime, role_title: RoleTitle, private: Iterable[str] = ()) -> RenderableType:
    """The current step for a trainee: where we are, what to say, and numbered events to choose."""
    if step.finished:
        return Rule(Text.from_markup(f"ended: {outcome_line(step.outcome)}"), align="left", style="dim")
    where = " › ".join(step.path)
    who = role_title(step.procedure, step.role) if step.role else "anyone"
    title = f"[bold]{escape(where)}[/] · {escape(who)}"
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True, min_width=6)
    grid.add_column(overflow="fold")
    if step.title:
        grid.add_row("Step", escape(step.title))
    if step.say:
        grid.add_row("Say", escape(quoted(step.say)))
    if step.do:
        grid.add_row("Do", escape(step.do))
    if step.tips:
        grid.add_row("Tips", ", ".join(step.tips))
    if step.missing:
        grid.add_row("Needs", "[yellow]" + ", ".join(step.missing) + "[/] (capture before leaving)")
    for i, timer in enumerate(step.timers):
        left = duration(max((timer.due - now).total_seconds(), 0.0))
        grid.add_row("Timer" if i == 0 else "", f"{escape(timer.name)} at {clock(timer.due)} (in {left})")
    for i, option in enumerate(step.events, 1):
        roles = ", ".join(role_title(option.procedure, r) for r in option.roles) or "anyone"
        line = f"[bold]{i}[/]. [cyan]{escape(option.name)}[/]"
        line += f" — {escape(option.title)}" if option.title else ""
        line += f" [dim]({escape(roles)})[/]"
        if option.data:
            line += f" needs {', '.join(option.data)}"
        if option.optional:
            line += f"{';' if option.data else ''} may add {', '.join(option.optional)}"
        grid.add_row("Events" if i == 1 else "", line)
    return Group(Rule(Text.from_markup(title), align="left", style="dim"), grid)


def journal_lines(entries: Iterable[Entry], private_of: Callable[[str], Iterable[str]]) -> list[str]:
    """The journal as plain lines, every private value replaced by ``***``."""
    lines = []
    for entry in entries:
        raw = entry.redacted(frozenset(private_of(entry.procedure)))
        line = f"#{raw['seq']:<3} {clock(entry.at)} {'  ' * entry.depth}{raw['kind']}"
        line += f" {raw['event']}" if "event" in raw else ""
        line += f" by {raw['actor']} ({raw['role']})" if "role" in raw else ""
        if "source" in raw or "target" in raw:
            line += f": {raw.get('source', '·')} -> {raw.get('target', '·')}"
        for part in ("data", "changes"):
            if raw.get(part):
                shown = " ".join(f"{k}={v}" for k, v in raw[part].items())
                line += f"  {part}: {shown}"
        if "detail" in raw:
            line += f"  [{raw['detail']}]"
        lines.append(line)
    return lines
