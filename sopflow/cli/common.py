"""What every command shares: consoles, exit codes, loading, and turning errors into messages.

A person at a desk or a CI job should see one clear line about what went
wrong and get a meaningful exit status — never a Python traceback, unless
they asked for it with ``--debug``.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from sopflow.diagnostics import Diagnostic
from sopflow.errors import (
    CommandError,
    CommandFailed,
    DefinitionError,
    ProcedureInvalid,
    SopflowError,
    UnknownProcedure,
)
from sopflow.library import Library, load_library

EXIT_OK = 0
"""Everything is fine."""
EXIT_PROBLEMS = 1
"""The input was understood, and something in it is wrong (a procedure, a scenario, a refusal)."""
EXIT_USAGE = 2
"""The command itself was wrong: a missing file, an unknown id or option."""

LANGUAGES = ("zh-Hant", "zh-Hans", "en")
"""The languages of the service centre; procedures may declare fewer."""


@dataclass
class Settings:
    """Global options, set by the top-level callback before any command runs."""

    debug: bool = False


SETTINGS = Settings()


class Out(Console):
    """Standard output: rich drops colours when piped and honours ``NO_COLOR``.

    When piped, lines lose the trailing blanks rich pads table cells with, so
    the text pastes cleanly into docs and diffs cleanly in tests.
    """

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if self.is_terminal or self._buffer_index:  # already capturing: let rich do it
            super().print(*objects, **kwargs)
            return
        with self.capture() as captured:
            super().print(*objects, **kwargs)
        text = "\n".join(line.rstrip() for line in captured.get().split("\n"))
        self.file.write(text)
        self.file.flush()


def stdout() -> Console:
    """A console on standard output (see :class:`Out`)."""
    return Out(highlight=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def debugging() -> bool:
    return SETTINGS.debug or os.environ.get("SOPFLOW_DEBUG", "") not in ("", "0")


def report(exc: BaseException) -> int:
    """Print ``exc`` for a person and return the exit status it deserves.

    Every sopflow error has a message written for the user; anything else
    is a bug in sopflow, said as such.
    """
    err = stderr()
    if debugging():
        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, ProcedureInvalid):
        print_diagnostics(err, exc.diagnostics)
        count = len(exc.diagnostics)
        err.print(
            f"[bold red]error:[/] the procedures do not load: {count} problem{'s' if count != 1 else ''} "
            "(run 'sopflow validate' on them for details)"
        )
        return EXIT_PROBLEMS
    if isinstance(exc, (CommandError, UnknownProcedure)):
        message = exc.message if isinstance(exc, DefinitionError) else str(exc)
        err.print(f"[bold red]error:[/] {escape(message)}")
        return EXIT_USAGE
    if isinstance(exc, SopflowError):
        kind = "" if isinstance(exc, (CommandFailed, DefinitionError)) else f"{type(exc).__name__}: "
        err.print(f"[bold red]error:[/] {escape(kind + str(exc))}")
        return EXIT_PROBLEMS
    if isinstance(exc, BrokenPipeError):
        return EXIT_PROBLEMS
    err.print(
        f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}\n"
        "This is a bug in sopflow; run again with --debug for the traceback and report it."
    )
    return EXIT_PROBLEMS


def print_diagnostics(console: Console, diagnostics: Sequence[Diagnostic]) -> None:
    """One line per finding, ``file:line:col: path: message [severity code]``.

    The prefix is what editors and CI problem matchers parse; the suffix
    tells a person which rule spoke and how much it matters.
    """
    colours = {"error": "red", "warning": "yellow", "info": "blue"}
    for d in diagnostics:
        colour = colours.get(d.severity, "white")
        console.print(f"{escape(d.format())} [{colour}]\\[{d.severity} {d.code}][/]", overflow="ignore", crop=False)


def summary(diagnostics: Sequence[Diagnostic], files: int, extra: str = "") -> str:
    """``3 errors, 1 warning in 12 files``: the last line a CI log shows."""
    counts = {s: sum(d.severity == s for d in diagnostics) for s in ("error", "warning", "info")}
    parts = [f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n or s != "info"]
    return f"{', '.join(parts)} in {files} file{'s' if files != 1 else ''}{extra}"


def existing(paths: Sequence[Path]) -> list[Path]:
    """The paths, refusing any that does not exist (a usage error, not a finding)."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise CommandError(f"no such file or folder: {', '.join(missing)}")
    return list(paths)


def library(paths: Sequence[Path] | None) -> Library:
    """The procedures of ``paths``, or the bundled library when none are given."""
    if paths:
        return load_library(*existing(paths))
    return load_library()


def language(lang: str | None, languages: Sequence[str], what: str) -> str:
    """The language to show ``what`` in: as asked, else the procedure's first.

    A language the centre uses but the procedure lacks is shown with a note
    (texts fall back to the procedure's languages); anything else is a typo.
    """
    if lang is None:
        return languages[0]
    if lang not in languages:
        if lang not in LANGUAGES:
            known = ", ".join(dict.fromkeys([*languages, *LANGUAGES]))
            raise CommandError(f"unknown language '{lang}'; choose one of: {known}")
        stderr().print(f"note: {what} has no {lang} texts; showing {', '.join(languages)} instead")
    return lang


def write_out(text: str, output: Path | None, *, say: bool = False) -> None:
    """A report to standard output, or to ``output`` (saying so when ``say``); a file that cannot
    be written is a usage error naming it, not a traceback."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
    if say:
        stdout().print(f"wrote {escape(str(output))}")
