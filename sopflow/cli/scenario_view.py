"""A played scenario as a readable transcript: time, who, what they did, where it led, what to say.

Renders the :class:`~sopflow.testing.Transcript` that
:func:`~sopflow.testing.run_scenario` returns, so the command line shows
exactly the run the test suite checks. It is what a trainer projects and the
first thing a newcomer runs, so it favours the desk's words (role titles,
what to say in the chosen language) over engine names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from sopflow.model import FieldSpec
from sopflow.render.text import OUTCOME_STYLE, duration, field_text, quoted
from sopflow.render.transcript import clock
from sopflow.testing import Mismatch, Transcript, TranscriptEntry

RoleTitle = Callable[[str], str]
FieldsOf = Callable[[str], Mapping[str, FieldSpec]]
"""A procedure id -> its fields."""


def _flow(data: dict[str, Any], lang: str, fields: Mapping[str, FieldSpec]) -> str:
    """``unit=3-1201 items=TV, sofa agreed=yes``: data as an author would scan it."""
    return " ".join(f"{k}={field_text(v, fields.get(k), lang)}" for k, v in data.items())


class _Rows:
    def __init__(self, transcript: Transcript, role_title: RoleTitle, fields_of: FieldsOf) -> None:
        self.t = transcript
        self.role_title = role_title
        self.fields_of = fields_of
        self.shown: tuple[tuple[str, ...], str | None] | None = None
        self.outcome: str | None = None

    def who(self, entry: TranscriptEntry) -> str:
        if entry.kind == "timer":
            return "⏱ timer"
        if entry.kind == "promise":
            return "⌛ promise"
        if entry.role is None:
            return ""
        title = self.role_title(entry.role)
        return f"{title} ({entry.actor})" if entry.actor else title

    def body(self, entry: TranscriptEntry) -> RenderableType:
        """The action, what it set off, where the session is now and what to say there."""
        parts: list[RenderableType] = []
        for line in self.lines(entry):
            if isinstance(line, tuple):
                said = Table.grid(padding=(0, 1))
                said.add_column(no_wrap=True, style="italic")
                said.add_column(overflow="fold")
                said.add_row(line[0], Text.from_markup(line[1]))
                parts.append(Padding(said, (0, 0, 0, 2)))
            else:
                parts.append(Text.from_markup(line))
        return Group(*parts)

    def lines(self, entry: TranscriptEntry) -> list[str | tuple[str, str]]:
        flow = _flow(dict(entry.data), self.t.lang, self.fields_of(entry.procedure))
        data = f"  [dim]{escape(flow)}[/]" if entry.data else ""
        lines: list[str | tuple[str, str]]
        if entry.kind == "wait":
            return [f"[dim]… {escape(entry.event or '')} later[/]"]
        if entry.kind == "start":
            lines = [f"[bold]starts[/] {escape(self.t.procedure)}{data}"]
        elif entry.kind == "timer":
            where = f" in {entry.procedure}" if entry.procedure != self.t.procedure else ""
            lines = [f"[cyan]{escape(entry.event or '')}[/] runs out{escape(where)}"]
        elif entry.kind == "check":
            lines = [f"ticks [cyan]{escape(entry.event or '')}[/]"]
        elif entry.kind == "promise":
            lines = [f"[yellow]promise {escape(entry.event or '')}[/]"]
        else:
            lines = [f"[cyan]{escape(entry.event or '')}[/]{data}"]
        lines += [f"[dim]↳ {escape(note)}[/]" for note in entry.notes]
        if entry.refusal is not None:
            lines.append(f"[red]✗ refused[/] [dim](as the scenario expects)[/]: {escape(entry.refusal)}")
            return lines
        lines.append(f"→ [bold]{escape(' › '.join(entry.path) or entry.state)}[/]")
        if (entry.path, entry.say) != self.shown and (entry.say or entry.do):
            self.shown = (entry.path, entry.say)
            if entry.say:
                lines.append(("says", escape(quoted(entry.say, self.t.lang))))
            if entry.do:
                lines.append(("does", f"[dim]{escape(entry.do)}[/]"))
        if entry.outcome is not None and entry.outcome != self.outcome:
            self.outcome = entry.outcome
            lines.append(f"■ ends: {outcome(entry.outcome)}")
        return lines

    def table(self) -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(no_wrap=True, max_width=18, overflow="ellipsis")
        grid.add_column(overflow="fold")
        since: dt.datetime | None = None
        for entry in self.t:
            grid.add_row(clock(entry.at, since), escape(self.who(entry)), self.body(entry))
            since = entry.at
        return grid


def outcome(name: str | None) -> str:
    """An outcome in its colour (the same colours as ``show`` and ``graph``)."""
    if name is None:
        return "[yellow]not finished[/]"
    return f"[bold {OUTCOME_STYLE.get(name, 'white')}]{escape(name)}[/]"


def transcript_view(
    transcript: Transcript,
    heading: Iterable[str],
    role_title: RoleTitle,
    steps: int,
    languages: Sequence[str] = (),
    *,
    finished: bool = True,
    fields_of: FieldsOf = lambda _: {},
) -> RenderableType:
    """The whole run: a heading, one row per thing that happened, and the outcome with totals.

    ``finished`` is false for a run stopped by a failed expectation: its
    "outcome" would only be where it stopped, so no totals are shown.
    ``fields_of`` gives a procedure's fields, so data is written by its type.
    """
    entries = list(transcript)
    head = [Text.from_markup(f"[bold]▶ {escape(transcript.scenario)}[/]")]
    head += [Text.from_markup(f"[dim]{escape(line)}[/]") for line in heading]
    footer: list[RenderableType] = []
    if entries and finished:
        last = entries[-1]
        spent = duration((last.at - entries[0].at).total_seconds()) if last.at > entries[0].at else "0m"
        refused = sum(e.refusal is not None for e in entries)
        totals = [f"{steps} step{'s' if steps != 1 else ''}", f"{spent} on the clock"]
        if refused:
            totals.insert(1, f"{refused} refused as expected")
        if len(languages) > 1:
            totals.append(f"checked in {', '.join(languages)}")
        footer = [
            Rule(style="dim"),
            Text.from_markup(f"[bold]Outcome[/] {outcome(last.outcome)} · {' · '.join(totals)}"),
        ]
    return Group(*head, Text(""), _Rows(transcript, role_title, fields_of).table(), *footer)


def failure_view(where: str, label: str, mismatches: Iterable[Mismatch]) -> RenderableType:
    """Why a run stopped: the located step and each expectation with what was found instead."""
    lines = [f"[bold red]✗ {escape(where)}: {escape(label)}[/]"]
    lines += [f"  [red]{escape(m.format())}[/]" for m in mismatches]
    return Group(Rule(style="red"), Text.from_markup("\n".join(lines)))
