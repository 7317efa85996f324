"""Which files validate and lint read: scenario files are skipped and counted, ``--exclude`` leaves out more."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import DATA, FIXTURES, ROOT, Invoke

from sopflow.cli.files import excluded, is_scenario

SCENARIO = DATA / "release_agrees.yaml"


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A folder as repositories have them: the fixture procedures, with a scenario beside them."""
    folder = tmp_path / "lib"
    shutil.copytree(FIXTURES, folder)
    (folder / "scenarios").mkdir()
    shutil.copy(SCENARIO, folder / "scenarios" / "owner_agrees.yaml")
    return folder


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_scenario_files_are_skipped_and_counted(cli: Invoke, mixed: Path, command: str) -> None:
    """A scenario among the procedures is not reported as a broken procedure; the summary counts it."""
    result = cli(command, mixed)
    last = result.stdout.splitlines()[-1]
    assert (0, "in 4 files (1 scenario file skipped)") == (result.exit_code, last[last.index("in ") :])


def test_validating_the_repository_scenarios_reports_nothing(cli: Invoke) -> None:
    """The bundled procedures with every scenario of the test suite: no finding, every scenario skipped."""
    result = cli("validate", ROOT / "procedures", ROOT / "tests" / "scenarios")
    files = len(list((ROOT / "procedures").rglob("*.yaml")))
    scenarios = len(list((ROOT / "tests" / "scenarios").rglob("*.yaml")))
    expected = f"0 errors, 0 warnings in {files} files ({scenarios} scenario files skipped)\n"
    assert (0, expected) == (result.exit_code, result.stdout)


def test_json_lists_the_skipped_files(cli: Invoke, mixed: Path) -> None:
    """--format json names each skipped file and why."""
    body = json.loads(cli("validate", "-f", "json", mixed).stdout)
    skipped = [{"source": str(mixed / "scenarios" / "owner_agrees.yaml"), "reason": "scenario"}]
    assert (4, skipped) == (body["files"], body["skipped"])


def test_a_folder_of_scenarios_only_is_a_usage_error(cli: Invoke) -> None:
    """Nothing to validate is the wrong folder: exit 2, saying what was found."""
    result = cli("validate", ROOT / "tests" / "scenarios" / "reception.farewell")
    expected = (
        f"error: no procedure or policy files in {ROOT / 'tests' / 'scenarios' / 'reception.farewell'}, only "
        "scenarios (1 scenario file skipped); play one with 'sopflow walk --script FILE'\n"
    )
    assert (2, expected) == (result.exit_code, result.stderr)


@pytest.mark.parametrize(
    ("text", "scenario"),
    [
        ("scenario: x\nprocedure: test.release\nstart: {}\nsteps: []\n", True),
        ("scenario: half written\nsteps: []\n", True),
        ("sopflow: 1\nscenario: x\nprocedure: test.release\n", False),
        ("scenario: x\nprocedure: {id: test.release}\n", False),
        ("policy: {id: p}\nscenario: x\n", False),
        ("sopflow: 1\nprocedure: {id: scenario}\n", False),
        ("- scenario\n", False),
        ("scenario: [unclosed\n", False),
    ],
)
def test_only_what_is_clearly_a_scenario_is_skipped(text: str, scenario: bool) -> None:
    """A top-level scenario key without sopflow, policy or a procedure body; anything else is still checked."""
    assert scenario == is_scenario(text)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("broken", True),
        ("broken/", True),
        ("tests/cli/data/broken", True),
        ("*/broken/*", True),
        ("release_typos.yaml", True),
        ("*_typos.yaml", True),
        ("data/broken", True),
        ("*.yml", False),
        ("tests/cli/broken", False),
        ("cli/broken", False),
        ("release", False),
    ],
)
def test_exclude_matches_a_folder_a_path_or_a_name(pattern: str, expected: bool) -> None:
    """A glob matches the file's path as found or any run of its parts: folders, the name, or both."""
    assert expected == excluded(Path("tests/cli/data/broken/release_typos.yaml"), [pattern])


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_exclude_option_leaves_out_files(cli: Invoke, command: str) -> None:
    """--exclude (repeatable) drops the broken and lint demos: what is left is valid."""
    result = cli(
        command, "tests/cli/data", "--exclude", "broken", "-x", "tests/cli/data/lint", "-x", "tests/cli/data/check"
    )
    last = result.stdout.splitlines()[-1]
    assert (0, "in 1 file (1 scenario file skipped)") == (result.exit_code, last[last.index("in ") :])


def test_excluding_everything_is_a_usage_error(cli: Invoke) -> None:
    """A glob that leaves nothing is said to have done so."""
    result = cli("validate", "tests/cli/data", "--exclude", "*.yaml")
    assert (2, "error: no .yaml or .yml files in tests/cli/data (after --exclude)\n") == (
        result.exit_code,
        result.stderr,
    )
