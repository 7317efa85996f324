"""The command as a whole: ``python -m sopflow``, ``--version``, ``schema``, and errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import Invoke, Run

from sopflow.__about__ import __version__
from sopflow.cli import common


def test_python_m_sopflow_prints_the_version(sopflow: Run) -> None:
    """``python -m sopflow --version`` works without the installed script."""
    done = sopflow("--version")
    assert (0, f"sopflow {__version__}\n") == (done.returncode, done.stdout)


def test_no_arguments_shows_the_commands(sopflow: Run) -> None:
    """Bare ``sopflow`` explains itself and lists every command."""
    done = sopflow()
    commands = ["validate", "lint", "list", "show", "graph", "walk", "translate", "schema"]
    assert [True] * 8 == [f"│ {c} " in done.stdout for c in commands]


def test_schema_is_json_schema_with_an_id(sopflow: Run) -> None:
    """``sopflow schema`` prints a draft 2020-12 schema naming the document's three kinds."""
    done = sopflow("schema")
    schema = json.loads(done.stdout)
    summary = (schema["$schema"], schema["$id"], sorted(schema["properties"]))
    expected = (
        "https://json-schema.org/draft/2020-12/schema",
        "urn:sopflow:schema:procedure:1",
        ["glossary", "policy", "procedure", "sopflow", "targets"],
    )
    assert (0, expected) == (done.returncode, summary)


def test_schema_output_file(cli: Invoke, tmp_path: Path) -> None:
    """--output writes the schema to a file for an editor to point at."""
    target = tmp_path / "sopflow.schema.json"
    result = cli("schema", "-o", target)
    assert (0, "sopflow procedure language, version 1") == (
        result.exit_code,
        json.loads(target.read_text(encoding="utf-8"))["title"],
    )


def test_a_bug_is_reported_without_a_traceback(cli: Invoke, fixtures: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception is one line saying it is a bug and how to get the traceback."""

    def explode(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(common, "load_library", explode)
    result = cli("show", "test.release", "-L", fixtures)
    expected = (
        "internal error: RuntimeError: boom\n"
        "This is a bug in sopflow; run again with --debug for the traceback and report it.\n"
    )
    assert (1, expected) == (result.exit_code, result.stderr)


def test_debug_shows_the_traceback(sopflow: Run, fixtures: Path) -> None:
    """--debug adds the Python traceback to the message, for bug reports."""
    done = sopflow("--debug", "show", "nope", "-L", fixtures)
    assert (2, True, True) == (
        done.returncode,
        done.stderr.startswith("Traceback (most recent call last):"),
        done.stderr.endswith("error: no procedure 'nope' in the library\n"),
    )
