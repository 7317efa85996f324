"""Every command's help reads as prose on an 80-column terminal: paragraphs flow, no stubs."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main
from cli_helpers import Invoke

from sopflow.cli.app import app


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    subs = getattr(command, "commands", None)
    if not subs:
        return [path]
    return [found for name, sub in sorted(subs.items()) for found in _commands(sub, (*path, name))]


COMMANDS = _commands(typer.main.get_command(app))


def _paragraphs(shown: str) -> list[list[str]]:
    """The description's paragraphs: the lines after ``Usage:`` and before the first box."""
    lines = shown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Usage:")) + 1
    end = next((i for i, line in enumerate(lines) if line.startswith("╭")), len(lines))
    paragraphs: list[list[str]] = [[]]
    for line in lines[start:end]:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_help_paragraphs_flow_at_the_terminal_s_width(cli: Invoke, path: tuple[str, ...]) -> None:
    """A docstring's 90-character source lines used to wrap into a full line and a stub of a word or two."""
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.output
    paragraphs = _paragraphs(result.output)
    assert paragraphs, result.output
    for paragraph in paragraphs:
        for line in paragraph[:-1]:  # a paragraph's last line may be short
            assert len(line) >= 55, f"a stub in the help of {' '.join(path)}: {line!r}\n{result.output}"
