"""``sopflow walk ID``: rehearse a procedure step by step on a clock that only moves when told.

Trainees pick events by number, answer the data each needs, let time pass
(``wait 3m``) to see timers and escalation ladders fire, undo (``back``) and
read the journal as an auditor would see it. ``--script FILE`` plays a
scenario file instead and prints its transcript.

Before the session starts, the data a host would pass from its records (the
procedure's ``start``) is asked for, unless ``--data`` gave it: a walk must be
able to reach every step a real desk reaches.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from sopflow.cli.common import language, library, stdout
from sopflow.cli.convert import Unfit, parse_value
from sopflow.cli.prompts import Ask, ask_value
from sopflow.cli.show import LangOpt, LibraryOpt
from sopflow.cli.walker import Walker, say_left
from sopflow.compile import Procedure
from sopflow.errors import ClockError, CommandError
from sopflow.render.text import pick
from sopflow.render.words import phrase
from sopflow.runtime import ManualClock

DEFAULT_START = "2026-03-02T09:00:00+08:00"


def given_data(procedure: Procedure, pairs: list[str], zone: dt.tzinfo | None = None) -> dict[str, Any]:
    """``--data`` values converted by each field's type; a wrong one is a usage error (exit 2)."""
    data: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CommandError(f"--data takes field=value, found '{pair}'")
        spec = procedure.fields.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, procedure.fields, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"fields: {', '.join(procedure.fields) or 'none'}"
            raise CommandError(f"--data {key}: '{procedure.id}' has no field '{key}'; {hint}")
        try:
            data[key] = parse_value(spec, value, zone=zone)
        except Unfit as exc:
            raise CommandError(f"--data {key}: {exc}") from None
    return data


def ask_start_data(
    procedure: Procedure,
    given: dict[str, Any],
    lang: str,
    console: Console,
    ask: Ask = input,
    zone: dt.tzinfo | None = None,
) -> dict[str, Any]:
    """The declared start data not given with ``--data``: required fields asked until given, optional ones skippable."""
    wanted = [(name, required) for name, required in procedure.start_data if name not in given]
    if not wanted:
        return given
    console.print(escape(phrase("start_data", lang)))
    data = dict(given)
    for name, required in wanted:
        spec = procedure.fields[name]
        answered, value = ask_value(
            ask,
            name,
            spec,
            required=required,
            lang=lang,
            languages=procedure.languages,
            needed="needed_at_start",
            zone=zone,
        )
        if answered:
            data[name] = value
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
        typer.Option(
            "--data",
            "-d",
            metavar="FIELD=VALUE",
            help="Start data, converted by the field's type; lists comma-separated (repeatable).",
        ),
    ] = None,
    library_paths: LibraryOpt = None,
) -> None:
    """Walk through a procedure interactively on a training clock, or play a --script scenario.

    Interactive commands: an event's number or name, wait 3m, back, journal,
    data, help, quit (or Ctrl-D).
    """
    if script is not None:
        from sopflow.cli.script import play

        play(script, procedure_id, lang, library_paths)
        return
    if procedure_id is None:
        raise CommandError("name the procedure to walk through (e.g. 'sopflow walk business.release_tenant')")
    lib = library(library_paths)
    procedure = lib[procedure_id]
    chosen = language(lang, procedure.languages, procedure.id)
    try:
        clock = ManualClock(at)
    except (ValueError, ClockError):
        raise CommandError(f"--at expects a time such as {DEFAULT_START}, found '{at}'") from None
    starter = role or procedure.ir.states[procedure.initial].role or next(iter(procedure.roles))
    if starter not in procedure.roles:
        raise CommandError(f"--role: '{procedure.id}' has no role '{starter}'; roles: {', '.join(procedure.roles)}")
    zone = clock.now().tzinfo
    given = given_data(procedure, data or [], zone)
    if sys.stdin.isatty() and os.environ.get("TERM", "dumb") != "dumb":
        # Line editing and history for input(). Not on a dumb terminal: readline scrolls a
        # wide prompt sideways there, cutting Chinese characters in half.
        import readline  # noqa: F401
    console = stdout()
    title = escape(pick(procedure.title, chosen, procedure.languages) or procedure.id)
    console.print(f"[bold]{title}[/] ({procedure.id} v{procedure.version})")
    console.print(f"[dim]{escape(phrase('clock', chosen, at=f'{clock.now():%Y-%m-%d %H:%M %z}'))}[/]")
    try:
        start_data = ask_start_data(procedure, given, chosen, console, zone=zone)
    except EOFError:
        console.print()
        say_left(console, chosen)
        return
    console.print(f"[dim]{escape(phrase('help_line', chosen))}[/]")
    session = lib.start(procedure.id, clock=clock, role=starter, data=start_data, lang=chosen)
    Walker(lib, session, clock, chosen, console).run()
