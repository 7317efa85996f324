"""The interactive walk-through: a session, its training clock, and the snapshots ``back`` returns to.

Everything it says is in the walk's language (:mod:`sopflow.render.words`),
like the desk's lines it shows; the commands typed stay English words.
Ctrl-D at any prompt leaves the walk as ``quit`` does: it is how a terminal
says "no more input", not an error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.console import Console
from rich.markup import escape

from sopflow.cli.prompts import Ask, ask_choice, ask_value
from sopflow.compile import Procedure
from sopflow.errors import RuntimeRefusal, UsageError
from sopflow.library import Library
from sopflow.model import parse_until
from sopflow.render import transcript
from sopflow.render.text import pick
from sopflow.render.words import phrase
from sopflow.runtime import EventOption, ManualClock, Session, pass_time


def say_left(console: Console, lang: str) -> None:
    """The line that ends a walk left with Ctrl-D or quit, after the unfinished prompt line."""
    console.print(f"[dim]{phrase('left', lang)}[/]")


class Walker:
    """One interactive session: the session, its clock, and the snapshots ``back`` returns to."""

    def __init__(
        self, lib: Library, session: Session, clock: ManualClock, lang: str, console: Console, ask: Ask = input
    ) -> None:
        self.lib = lib
        self.session = session
        self.clock = clock
        self.lang = lang
        self.console = console
        self.ask = ask
        self.undo: list[tuple[dict[str, Any], dt.datetime]] = []

    def role_title(self, procedure: str, role: str) -> str:
        spec = self.lib[procedure]
        found = spec.roles.get(role)
        return (pick(found.title, self.lang, spec.languages) if found else None) or role

    def procedure(self, procedure: str) -> Procedure | None:
        return self.lib[procedure] if procedure in self.lib else None  # noqa: SIM401 (a Library has no get)

    def say(self, key: str, **values: object) -> str:
        return escape(phrase(key, self.lang, **values))

    def show_step(self) -> None:
        step = self.session.step(self.lang, redact=True)  # a training screen: private values stay hidden
        self.console.print()
        self.console.print(transcript.step_view(step, self.clock.now(), self.role_title))

    def show_entries(self, before: int) -> None:
        grid = transcript.table()
        journal = self.session.journal
        since = journal[before - 1].at if 0 < before <= len(journal) else None
        for entry in journal[before:]:
            transcript.add_entry(grid, entry, self.procedure(entry.procedure), self.lang, since)
            since = entry.at
        self.console.print(grid)

    def run(self) -> None:
        """Show the start and the first step, then take commands until quit or Ctrl-D."""
        self.show_entries(0)
        self.show_step()
        while True:
            try:
                line = self.ask("> ").strip()
                if line in ("quit", "q", "exit"):
                    break
                self.command(line)
            except EOFError:
                self.console.print()
                break
            except RuntimeRefusal as exc:
                self.console.print(f"[red]{self.say('refused_because', reason=exc.message)}[/]")
        say_left(self.console, self.lang)

    def command(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        if not line:
            self.show_step()
        elif word in ("help", "?"):
            self.console.print(self.say("commands"), highlight=False)
        elif word == "wait":
            self.wait(rest)
        elif word == "back":
            self.back()
        elif word == "journal":
            lines = transcript.journal_lines(self.session.journal, self.procedure, self.lang)
            self.console.print("\n".join(escape(x) for x in lines), soft_wrap=True)
        elif word == "data":
            given = {k: v for k, v in self.session.data.items() if v not in (None, [], "")}
            here = self.lib[self.session.step().procedure]
            data = transcript.values(given, here.private, self.lang, here.fields)
            self.console.print(escape(data) or self.say("no_data"))
        else:
            self.fire(line)

    def remember(self) -> None:
        self.undo.append((self.session.snapshot(), self.clock.now()))

    def wait(self, text: str) -> None:
        """Let time pass; each timer fires at its own deadline, as it would at the desk."""
        try:
            when = parse_until(text.strip())
        except ValueError:
            self.console.print(self.say("how_long"))
            return
        began = self.clock.now()
        try:
            until = self.lib.calendar.until(began, when, self.session.procedure.resolved.spec.hours)
        except UsageError:
            self.console.print(self.say("no_hours", wait=text.strip()))
            return
        self.remember()
        before = len(self.session.journal)
        for _ in pass_time(self.session, self.clock, until):
            pass
        self.console.print(f"[dim]⏱ {transcript.clock(until, began)} (+{escape(text.strip())})[/]")
        if len(self.session.journal) > before:
            self.show_entries(before)
        else:
            self.console.print(f"[dim]{self.say('no_timer')}[/]")
        self.show_step()

    def back(self) -> None:
        if not self.undo:
            self.console.print(self.say("nothing_to_undo"))
            return
        snapshot, at = self.undo.pop()
        self.clock = ManualClock(at)
        self.session = self.lib.restore(snapshot, self.clock)
        self.console.print(f"[dim]{self.say('back_to', at=transcript.clock(at))}[/]")
        self.show_step()

    def option(self, line: str) -> EventOption | None:
        """The event ``line`` names (by number or name); otherwise say what is allowed now."""
        options = self.session.step(self.lang).events
        if line.isdigit() and 0 < int(line) <= len(options):
            return options[int(line) - 1]
        found = next((o for o in options if o.name == line), None)
        if found is None and options:
            allowed = ", ".join(f"{i} {o.name}" for i, o in enumerate(options, 1))
            self.console.print(self.say("not_an_event", line=line, count=len(options)))
            self.console.print(f"  {self.say('allowed_now', events=allowed)}")
        elif found is None:
            self.console.print(self.say("nothing_allowed"))
        return found

    def fire(self, line: str) -> None:
        if self.session.outcome is not None:
            self.console.print(self.say("has_ended", outcome=self.session.outcome))
            return
        option = self.option(line)
        if option is None:
            return
        procedure = self.lib[option.procedure]
        step = self.session.step(self.lang)
        choices = list(option.roles) or list(procedure.roles)
        default = step.role if step.role in choices else choices[0]
        role = ask_choice(self.ask, phrase("role", self.lang), choices, default, self.lang)
        data: dict[str, Any] = {}
        for name in (*option.data, *option.optional):
            spec = procedure.fields[name]
            required = name in option.data
            given, value = ask_value(
                self.ask,
                name,
                spec,
                required=required,
                lang=self.lang,
                languages=procedure.languages,
                zone=self.clock.now().tzinfo,
            )
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
