"""``sopflow validate``: every problem on its own located line, a summary, and an exit status for CI."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import Invoke, Run

BROKEN = """\
sopflow: 1
procedure:
  id: test.broken
  version: 1
  title: {en: Broken}
  languages: [en]
  roles: {front_desk: {title: {en: Front desk}}}
  initial: start
  states:
    start:
      role: front_desk
      on: {go: dnoe}
    done: {final: completed}
"""


def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def test_valid_files_exit_zero_with_a_summary(sopflow: Run, fixtures: Path) -> None:
    """The fixture library is valid: exit 0 and a one-line summary."""
    done = sopflow("validate", fixtures)
    assert (0, "0 errors, 0 warnings in 4 files\n", "") == (done.returncode, done.stdout, done.stderr)


def test_a_problem_is_printed_at_its_line_and_exits_one(cli: Invoke, tmp_path: Path) -> None:
    """An unknown state is reported as file:line:col: path: message, with a did-you-mean."""
    path = broken(tmp_path)
    result = cli("validate", path)
    expected = (
        f"{path}:12:16: procedure.states.start.on.go.to: unknown state 'dnoe'; did you mean 'done'? "
        "[error unknown-state]\n1 error, 0 warnings in 1 file\n"
    )
    assert (1, expected) == (result.exit_code, result.stdout)


def test_json_format_lists_diagnostics_and_counts(cli: Invoke, tmp_path: Path) -> None:
    """--format json gives editors the same findings as data."""
    result = cli("validate", "--format", "json", broken(tmp_path))
    body = json.loads(result.stdout)
    summary = (body["files"], body["counts"], [d["code"] for d in body["diagnostics"]])
    assert (1, (1, {"error": 1, "warning": 0, "info": 0}, ["unknown-state"])) == (result.exit_code, summary)


def test_malformed_yaml_is_a_located_problem(cli: Invoke, tmp_path: Path) -> None:
    """YAML that does not parse is reported at its line, not as a traceback."""
    path = tmp_path / "bad.yaml"
    path.write_text("sopflow: 1\nprocedure: [unclosed\n", encoding="utf-8")
    result = cli("validate", path)
    assert (1, True) == (result.exit_code, result.stdout.startswith(f"{path}:3:1: invalid YAML"))


def test_a_missing_path_is_a_usage_error(cli: Invoke) -> None:
    """A path that does not exist exits 2 with one clear line."""
    result = cli("validate", "no/such/folder")
    assert (2, "error: no such file or folder: no/such/folder\n") == (result.exit_code, result.stderr)


def test_no_path_is_a_usage_error(cli: Invoke) -> None:
    """validate needs something to validate."""
    result = cli("validate")
    assert (2, True) == (result.exit_code, "give at least one procedure file or folder" in result.stderr)


def test_a_folder_without_yaml_is_a_usage_error(cli: Invoke, tmp_path: Path) -> None:
    """An empty folder is probably the wrong folder."""
    result = cli("validate", tmp_path)
    assert (2, f"error: no .yaml or .yml files in {tmp_path}\n") == (result.exit_code, result.stderr)
