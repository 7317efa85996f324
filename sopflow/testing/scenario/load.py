"""Reading scenario files: every mistake reported at ``file:line:col``, all of them at once.

Files are read with sopflow's own YAML loader, so duplicate keys and YAML 1.1
surprises are caught as in procedures, and pydantic's errors become located
diagnostics by the same code that reports a procedure's
(:func:`sopflow.io.validation.validation_diagnostics`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path as FsPath

from pydantic import ValidationError

from sopflow.diagnostics import Diagnostic
from sopflow.errors import DefinitionError
from sopflow.io.utf8 import not_utf8
from sopflow.io.validation import validation_diagnostics
from sopflow.io.yaml_source import parse_yaml
from sopflow.testing.scenario.model import Scenario, label

SCENARIO_SUFFIXES = (".yaml", ".yml")


class ScenarioError(DefinitionError):
    """A scenario file is malformed or does not fit its procedure; every problem is in :attr:`diagnostics`."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        first = self.diagnostics[0]
        if len(self.diagnostics) == 1:
            message = first.message
        else:
            body = "\n".join(f"  {d.format()}" for d in self.diagnostics)
            message = f"{len(self.diagnostics)} problems in the scenario:\n{body}"
        super().__init__(message, source=first.source, line=first.line, column=first.column, path=first.path)

    def _located(self) -> str:
        if len(self.diagnostics) == 1:
            return self.diagnostics[0].format()
        return f"{self.source or '<scenario>'}: {self.message}"


def parse_scenario(text: str, source: str = "<string>") -> Scenario:
    """A scenario from YAML text; raise :class:`ScenarioError` with every problem located."""
    data, positions, problems = parse_yaml(text, source, plain=True)
    found = [p for p in problems if p.severity == "error"]
    if data is None or found:
        raise ScenarioError([_relabel(d) for d in found])
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                Diagnostic(
                    "error",
                    "schema",
                    "expected a mapping with 'scenario', 'procedure', 'start' and 'steps', "
                    f"found {type(data).__name__}",
                    source,
                    1,
                    1,
                )
            ]
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        found = [_relabel(d) for d in validation_diagnostics(exc, data, positions, Scenario, "scenario")]
        raise ScenarioError(sorted(found, key=lambda d: (d.line or 0, d.column or 0))) from None
    scenario._source = source
    scenario._positions = positions
    return scenario


def load_scenario(path: str | FsPath) -> Scenario:
    """Read one scenario file (UTF-8); raise :class:`ScenarioError` if it cannot be used."""
    try:
        raw = FsPath(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError([Diagnostic("error", "io", f"cannot read file: {reason}", str(path))]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column, message = not_utf8(raw, exc)
        raise ScenarioError([Diagnostic("error", "io", f"the file is {message}", str(path), line, column)]) from None
    return parse_scenario(text, str(path))


def collect_scenarios(folder: str | FsPath) -> list[FsPath]:
    """Scenario files below ``folder``, in a stable order (none if the folder does not exist)."""
    root = FsPath(folder)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.suffix in SCENARIO_SUFFIXES and p.is_file())


def _relabel(diagnostic: Diagnostic) -> Diagnostic:
    """The YAML reader's and the validator's ``steps.0.as`` said the way scenarios count: ``step 1 › as``."""
    if not diagnostic.path:
        return diagnostic
    path = tuple(int(p) if p.isdigit() else p for p in diagnostic.path.split("."))
    return dataclasses.replace(diagnostic, path=label(path))
