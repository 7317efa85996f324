"""The typer application: global options, and one thin function per command.

Errors are turned into messages in one place (:class:`_Group`), so every
command, run from a shell or from a test's ``CliRunner``, fails the same way.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException
from typer.models import Context

from sopflow.__about__ import __version__
from sopflow.cli import (
    cache,
    checks,
    conformance,
    coverage,
    generate,
    graph,
    handbook,
    kpi,
    listing,
    prove,
    sessions,
    show,
    translate,
    walk,
)
from sopflow.cli.common import SETTINGS, report


class _Group(TyperGroup):
    """The root group; it catches what commands raise and prints it for a person."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _flowing(command)
        return command

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (TyperException, Exit, Abort, BrokenPipeError):
            raise  # typer's own: usage errors (exit 2), exits, Ctrl-C, a closed pipe
        except Exception as exc:
            raise Exit(report(exc)) from None


def _flowing(command: Any) -> None:
    """Make a command's help (and its subcommands') flowing paragraphs.

    Typer keeps a docstring's line breaks after its first paragraph, so an 80-column terminal
    wrapped each 90-character source line into a long line and a stub; joined, the paragraphs
    wrap at the terminal's own width.
    """
    if command.help:
        text, cut, rest = inspect.cleandoc(command.help).partition("\f")
        command.help = "\n\n".join(" ".join(p.split()) for p in text.split("\n\n")) + cut + rest
    for sub in getattr(command, "commands", {}).values():
        _flowing(sub)


app = typer.Typer(
    cls=_Group,
    name="sopflow",
    help="Standard operating procedures as checked, executable state machines.",
    epilog="Exit status: 0 ok, 1 problems found, 2 usage error. Docs: docs/cli.md",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sopflow {__version__}")
        raise Exit(0)


@app.callback()
def root(
    ctx: Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show Python tracebacks (when reporting a bug).")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Standard operating procedures as checked, executable state machines."""
    SETTINGS.debug = debug


app.command("validate")(checks.validate)
app.command("lint")(checks.lint)
app.command("check")(prove.check)
app.command("generate")(generate.generate_command)
app.command("coverage")(coverage.coverage_command)
app.command("conformance")(conformance.conformance)
app.command("list")(listing.list_procedures)
app.command("show")(show.show)
app.command("graph")(graph.graph)
app.command("handbook")(handbook.handbook)
app.command("kpi")(kpi.kpi_command)
app.command("walk")(walk.walk)
app.command("schema")(checks.schema)
app.command("cache")(cache.cache_command)
app.add_typer(sessions.sessions_app, name="sessions")
app.add_typer(sessions.timers_app, name="timers")
app.add_typer(translate.app, name="translate")
