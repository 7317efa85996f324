"""``sopflow walk ID``: rehearse a procedure step by step on a clock that only moves when told.

Trainees pick events by number, answer the data each needs, let time pass
(``wait 3m``) to see timers and escalation ladders fire, undo (``back``) and
read the journal as an auditor would see it. ``--script FILE`` plays a
scenario file instead and prints its transcript.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from sopflow.cli.common import UsageProblem, language, library, stdout
from sopflow.cli.prompts import ask_choice, ask_value
from sopflow.cli.show import LangOpt, LibraryOpt
from sopflow.errors import RuntimeRefusal
from sopflow.library import Library
from sopflow.model import parse_duration
from sopflow.render import transcript
from sopflow.render.text import pick
from sopflow.runtime import EventOption, ManualClock, Session

DEFAULT_START = "2026-03-02T09:00:00+08:00"
HELP = "Type an event's number or name, or wait 3m, back, journal, data, help, quit."
COMMANDS = """\
  1, 2, …    fire that event (you are asked for the role and the data it needs)
  found      fire an event by its name
  wait 3m    let time pass (30s, 3m, 1h 30m); timers that fall due fire
  back       undo the last event or wait
  journal    the session's journal, private data shown as ***
  data       the data captured so far (private data shown as ***)
  quit       leave the walk-through (Ctrl-D too)"""


class Walker:
    """One interactive session: the session, its clock, and the snapshots ``back`` returns to."""

    def __init__(self, lib: Library, session: Session, clock: ManualClock, lang: str, console: Console) -> None:
        self.lib = lib
        self.session = session
        self.clock = clock
        self.lang = lang
        self.console = console
        self.undo: list[tuple[dict[str, Any], dt.datetime]] = []

    def role_title(self, procedure: str, role: str) -> str:
        spec = self.lib[procedure]
        found = spec.roles.get(role)
        return (pick(found.title, self.lang, spec.languages) if found else None) or role

    def private(self, procedure: str) -> frozenset[str]:
        return self.lib[procedure].private if procedure in self.lib else frozenset()

    def ask(self, prompt: str) -> str:
        # The prompt goes through input() itself: readline then knows where the line starts.
        return input(prompt)

    def show_step(self) -> None:
        step = self.session.step(self.lang)
        self.console.print()
        self.console.print(transcript.step_view(step, self.clock.now(), self.role_title))

    def show_entries(self, before: int) -> None:
        grid = transcript.table()
        for entry in self.session.journal[before:]:
            transcript.add_entry(grid, entry, self.private(entry.procedure))
        self.console.print(grid)

    def run(self) -> None:
        p = self.session.procedure
        title = escape(pick(p.title, self.lang, p.languages) or p.id)
        start = f"{self.clock.now():%Y-%m-%d %H:%M %z}"
        self.console.print(f"[bold]{title}[/] ({p.id} v{p.version})")
        self.console.print(f"[dim]Training clock at {start}; time only moves when you type wait.\n{HELP}[/]")
        self.show_entries(0)
        self.show_step()
        while True:
            try:
                line = self.ask("> ").strip()
            except EOFError:
                self.console.print()
                return
            if line in ("quit", "q", "exit"):
                return
            try:
                self.command(line)
            except RuntimeRefusal as exc:
                self.console.print(f"[red]✗ refused:[/] {escape(exc.message)}")

    def command(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        if not line:
            self.show_step()
        elif word in ("help", "?"):
            self.console.print(COMMANDS, highlight=False)
        elif word == "wait":
            self.wait(rest)
        elif word == "back":
            self.back()
        elif word == "journal":
            lines = transcript.journal_lines(self.session.journal, self.private)
            self.console.print("\n".join(escape(x) for x in lines), soft_wrap=True)
        elif word == "data":
            given = {k: v for k, v in self.session.data.items() if v not in (None, [], "")}
            data = transcript.values(given, self.private(self.session.step().procedure))
            self.console.print(escape(data) or "(no data yet)")
        else:
            self.fire(line)

    def remember(self) -> None:
        self.undo.append((self.session.snapshot(), self.clock.now()))

    def wait(self, text: str) -> None:
        try:
            seconds = parse_duration(text or "")
        except ValueError:
            self.console.print("say how long, e.g. [bold]wait 3m[/], wait 30s or wait 1h 30m")
            return
        self.remember()
        before = len(self.session.journal)
        self.clock.advance(seconds)
        fired = self.session.advance()
        self.console.print(f"[dim]⏱ {transcript.clock(self.clock.now())} (+{text.strip()})[/]")
        if fired:
            self.show_entries(before)
        else:
            self.console.print("[dim]no timer was due[/]")
        self.show_step()

    def back(self) -> None:
        if not self.undo:
            self.console.print("nothing to undo: this is where the walk started")
            return
        snapshot, at = self.undo.pop()
        self.clock = ManualClock(at)
        self.session = self.lib.restore(snapshot, self.clock)
        self.console.print(f"[dim]↶ back to {transcript.clock(at)}[/]")
        self.show_step()

    def option(self, line: str) -> EventOption | None:
        options = self.session.step(self.lang).events
        if line.isdigit() and 0 < int(line) <= len(options):
            return options[int(line) - 1]
        found = next((o for o in options if o.name == line), None)
        if found is None:
            hint = f"a number from 1 to {len(options)}, " if options else ""
            self.console.print(f"'{escape(line)}' is not an event here; type {hint}or help")
        return found

    def fire(self, line: str) -> None:
        if self.session.outcome is not None:
            self.console.print(f"the session has ended ({self.session.outcome}); type back, journal or quit")
            return
        option = self.option(line)
        if option is None:
            return
        procedure = self.lib[option.procedure]
        step = self.session.step(self.lang)
        choices = list(option.roles) or list(procedure.roles)
        default = step.role if step.role in choices else choices[0]
        role = ask_choice(self.ask, "role", choices, default)
        data: dict[str, Any] = {}
        for name in (*option.data, *option.optional):
            given, value = ask_value(self.ask, name, procedure.fields[name], required=name in option.data)
            if given:
                data[name] = value
        self.remember()
        before = len(self.session.journal)
        try:
            self.session.fire(option.name, role=role, data=data)
        except RuntimeRefusal:
            self.undo.pop()
            self.show_entries(before)
            return
        self.show_entries(before)
        self.show_step()


def _start_data(pairs: list[str]) -> dict[str, str]:
    data = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageProblem(f"--data takes field=value, found '{pair}'")
        data[key.strip()] = value.strip()
    return data


def walk(
    procedure_id: Annotated[
        str | None, typer.Argument(metavar="ID", help="Procedure id (not needed with --script).")
    ] = None,
    script: Annotated[
        Path | None,
        typer.Option("--script", "-s", metavar="FILE", help="Play this scenario file and print its transcript."),
    ] = None,
    lang: LangOpt = None,
    role: Annotated[str | None, typer.Option("--role", metavar="ROLE", help="Who starts the session.")] = None,
    at: Annotated[
        str, typer.Option("--at", metavar="TIME", help="Start time of the training clock (ISO 8601).")
    ] = DEFAULT_START,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", metavar="FIELD=VALUE", help="Start data (repeatable)."),
    ] = None,
    library_paths: LibraryOpt = None,
) -> None:
    """Walk through a procedure interactively on a training clock, or play a --script scenario.

    Interactive commands: an event's number or name, wait 3m, back, journal,
    data, help, quit.
    """
    if script is not None:
        from sopflow.cli.script import play

        play(script, procedure_id, lang, library_paths)
        return
    if procedure_id is None:
        raise UsageProblem("name the procedure to walk through (e.g. 'sopflow walk business.release_tenant')")
    lib = library(library_paths)
    procedure = lib[procedure_id]
    chosen = language(lang, procedure.languages, procedure.id)
    try:
        clock = ManualClock(at)
    except ValueError:
        raise UsageProblem(f"--at expects a time such as {DEFAULT_START}, found '{at}'") from None
    starter = role or procedure.ir.states[procedure.initial].role or next(iter(procedure.roles))
    session = lib.start(procedure.id, clock=clock, role=starter, data=_start_data(data or []), lang=chosen)
    if sys.stdin.isatty():
        import readline  # noqa: F401  (line editing and history for input())
    Walker(lib, session, clock, chosen, stdout()).run()
