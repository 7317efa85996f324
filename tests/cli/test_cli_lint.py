"""``sopflow lint``: graph and content rules, each finding located, silenced only with a reason."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import Invoke, Run

from sopflow.analysis.lint import RULES, lint
from sopflow.library import load_library


def codes(output: str) -> list[str]:
    """The rule ids of a text report, in order."""
    return [line.rsplit(" ", 1)[1].rstrip("]") for line in output.splitlines() if line.endswith("]")]


def test_demo_procedure_trips_every_rule_but_the_silenced_ones(cli: Invoke, data: Path) -> None:
    """Each graph and content rule finds its planted problem; the ignored one is only counted."""
    result = cli("lint", data / "lint")
    expected = [
        "unused-role",
        "missing-translation",
        "unknown-placeholder",
        "missing-translation",
        "unreachable-state",
        "unknown-rule",
        "unused-ignore",
        "no-fallback",
        "timer-never-fires",
        "cannot-finish",
        "missing-translation",
        "event-without-role",
        "event-never-fires",
        "missing-source",
        "unreachable-state",
        "event-never-fires",
    ]
    last = result.stdout.splitlines()[-1]
    assert (1, expected, "2 errors, 14 warnings in 1 file (1 silenced by lint.ignore)") == (
        result.exit_code,
        codes(result.stdout),
        last,
    )


def test_findings_point_at_the_state_as_written(cli: Invoke, data: Path) -> None:
    """A stuck state is reported at its own line, with its path and the reason."""
    path = data / "lint" / "demo.yaml"
    result = cli("lint", path)
    expected = (
        f"{path}:43:7: procedure.states.limbo: state 'limbo' cannot reach any final state; "
        "a session there never ends [error cannot-finish]"
    )
    assert expected in result.stdout.splitlines()


def test_warnings_alone_pass_unless_strict(sopflow: Run, fixtures: Path) -> None:
    """The fixtures only lack source citations: exit 0, and 1 with --strict."""
    plain = sopflow("lint", fixtures)
    strict = sopflow("lint", "--strict", fixtures)
    assert (0, 1, "0 errors, 10 warnings in 4 files") == (
        plain.returncode,
        strict.returncode,
        plain.stdout.splitlines()[-1],
    )


def test_json_report_includes_what_was_silenced_and_why(cli: Invoke, data: Path) -> None:
    """The JSON form keeps silenced findings with their recorded reason."""
    body = json.loads(cli("lint", "-f", "json", data / "lint").stdout)
    silenced = [(s["code"], s["reason"]) for s in body["silenced"]]
    assert [("unreachable-state", "kept for the next version")] == silenced


def test_rules_lists_every_rule(cli: Invoke) -> None:
    """--rules prints each rule id with its severity."""
    result = cli("lint", "--rules")
    assert (0, True) == (result.exit_code, all(rule in result.stdout for rule in RULES))


def test_lint_refuses_procedures_that_do_not_load(cli: Invoke, tmp_path: Path) -> None:
    """Checker errors come first: lint reports them and says why it stopped."""
    path = tmp_path / "bad.yaml"
    path.write_text("sopflow: 1\nprocedure: {}\n", encoding="utf-8")
    result = cli("lint", path)
    assert (1, True) == (result.exit_code, "fix the errors first" in result.stdout)


def test_lint_function_reports_diagnostics_for_a_library(data: Path) -> None:
    """The Python API returns the same located diagnostics the command prints."""
    found = lint(load_library(data / "lint"))
    assert ("cannot-finish", "error") in {(d.code, d.severity) for d in found}


def test_bundled_library_lints_without_errors(cli: Invoke) -> None:
    """The procedures shipped with sopflow have no error-severity lint finding."""
    result = cli("lint", Path(__file__).parent.parent.parent / "procedures")
    assert (0, "0 errors") == (result.exit_code, result.stdout.splitlines()[-1][:8])
