"""The pytest plugin: collects scenario files when a project asks, offers `sopflow_library`, never breaks pytest."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sopflow
from sopflow.testing import ScenarioFailed, collect_scenarios, load_scenario, plugin, run_scenario, scenario_languages

pytest_plugins = ["pytester"]

ROOT = Path(__file__).parent.parent.parent
HERE = Path(__file__).parent
CONFIG = """
[tool.pytest.ini_options]
sopflow_procedures = ["procedures"]
sopflow_scenarios = ["scenarios"]
"""
USES_FIXTURE = """
import sopflow

def test_library(sopflow_library):
    assert isinstance(sopflow_library, sopflow.Library)
    assert ["test.inquiry", "test.owner_call", "test.release", "testing.greeting"] == list(sopflow_library)

def test_same_object(sopflow_library):
    import sopflow.testing.plugin as plugin
    assert plugin.bundled_library() is sopflow_library
"""


@pytest.fixture
def isolated(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, runner_library: sopflow.Library
) -> pytest.Pytester:
    """A pytester with the plugin loaded by `-p` only, and the bundled library swapped for the fixtures.

    Entry-point autoloading is switched off so the plugin is registered once
    whether or not sopflow is installed; the swap keeps these tests
    independent of the real procedures, which may not load while being written.
    """
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setattr(plugin, "bundled_library", lambda: runner_library)
    return pytester


@pytest.fixture
def project(isolated: pytest.Pytester) -> pytest.Pytester:
    """A third-party project: its own procedures, two scenarios of one of them, and YAML that is no scenario."""
    isolated.makepyprojecttoml(CONFIG)
    shutil.copytree(ROOT / "tests" / "fixtures", isolated.path / "procedures")
    scenarios = isolated.mkdir("scenarios")
    release = scenarios / "test.release"
    release.mkdir()
    shutil.copy(HERE / "scenarios" / "passing" / "release_owner_agrees.yaml", release / "owner_agrees.yaml")
    shutil.copy(HERE / "scenarios" / "failing" / "says.yaml", release / "says.yaml")
    (scenarios / "units.yaml").write_text("units: ['3-1201', '3-1202']\n", encoding="utf-8")
    return isolated


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "sopflow.testing.plugin", "-p", "no:cacheprovider", *args)


def outcomes(result: pytest.RunResult) -> dict[str, int]:
    return {k: v for k, v in result.parseoutcomes().items() if k not in ("seconds", "second")}


def collected(result: pytest.RunResult) -> list[str]:
    """The node ids `--collect-only -q` prints."""
    return [line for line in result.outlines if "::" in line]


def failure_section(result: pytest.RunResult) -> list[str]:
    """The lines pytest prints for the one failure, below its `___ name ___` heading."""
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if line.startswith("____"))
    end = next(i for i, line in enumerate(lines) if "short test summary info" in line)
    return lines[start + 1 : end]


def test_fixture_offers_the_bundled_library(isolated: pytest.Pytester) -> None:
    """A test asking for `sopflow_library` gets the library `bundled_library()` loads."""
    isolated.makepyfile(USES_FIXTURE)
    assert {"passed": 2} == outcomes(run(isolated))


def test_fixture_offers_the_configured_procedures(project: pytest.Pytester) -> None:
    """With `sopflow_procedures` set, the fixture is the library the scenarios run against."""
    project.makepyfile(
        test_library="def test_ids(sopflow_library):\n"
        "    assert ['test.inquiry', 'test.owner_call', 'test.release'] == list(sopflow_library)\n"
    )
    assert {"passed": 1} == outcomes(run(project, "test_library.py"))


def test_plugin_collects_nothing_unless_asked(isolated: pytest.Pytester) -> None:
    """Without `sopflow_scenarios`, scenario files are not collected behind the project's back."""
    isolated.makefile(".yaml", scenario="scenario: x\nprocedure: test.release\nstart: {role: front_desk}\n")
    assert pytest.ExitCode.NO_TESTS_COLLECTED == run(isolated).ret


def test_one_item_per_scenario_and_language(project: pytest.Pytester) -> None:
    """Each scenario file is one item per language of its procedure; other YAML is left alone."""
    expected = [
        "scenarios/test.release/owner_agrees.yaml::en",
        "scenarios/test.release/owner_agrees.yaml::zh-Hant",
        "scenarios/test.release/says.yaml::en",
        "scenarios/test.release/says.yaml::zh-Hant",
    ]
    assert expected == collected(run(project, "--collect-only", "-q"))


def test_passing_and_failing_scenarios(project: pytest.Pytester) -> None:
    """The scenario that holds passes in both languages; the wrong Chinese text fails only in Chinese."""
    result = run(project, "-rf")
    assert ({"passed": 3, "failed": 1}, pytest.ExitCode.TESTS_FAILED) == (outcomes(result), result.ret)
    result.stdout.fnmatch_lines(["FAILED scenarios/test.release/says.yaml::zh-Hant - *"])


def test_failure_report_is_the_scenario_report(project: pytest.Pytester) -> None:
    """A failure prints the runner's own report (file:line:col, step, expected and found), no traceback."""
    library = sopflow.load_library("procedures")
    with pytest.raises(ScenarioFailed) as failed:
        run_scenario(load_scenario("scenarios/test.release/says.yaml"), library, "zh-Hant")
    result = run(project)
    assert str(failed.value).splitlines() == failure_section(result)


def test_failure_report_names_the_scenario_and_language(project: pytest.Pytester) -> None:
    """The heading is the scenario's path below its folder and the language; the report starts at the failing step."""
    result = run(project)
    result.stdout.re_match_lines([r"^_+ test\.release/says \[zh-Hant\] _+$"])
    assert ["scenarios/test.release/says.yaml", "18", "9"] == failure_section(result)[0].split(":")[:3]


def test_command_line_paths_replace_the_ini(project: pytest.Pytester) -> None:
    """`--sopflow-scenarios` picks the files to collect, from where pytest runs."""
    result = run(project, "--collect-only", "-q", "--sopflow-scenarios", "scenarios/test.release/owner_agrees.yaml")
    assert ["scenarios/test.release/owner_agrees.yaml::en", "scenarios/test.release/owner_agrees.yaml::zh-Hant"] == (
        collected(result)
    )


def test_bundled_library_by_default(isolated: pytest.Pytester) -> None:
    """Without `sopflow_procedures`, scenarios run against the bundled library."""
    isolated.makepyprojecttoml('[tool.pytest.ini_options]\nsopflow_scenarios = ["scenarios"]\n')
    isolated.mkdir("scenarios")
    shutil.copy(HERE / "scenarios" / "passing" / "greeting_private.yaml", isolated.path / "scenarios")
    assert {"passed": 2} == outcomes(run(isolated))


def test_procedures_that_do_not_load_fail_every_scenario(project: pytest.Pytester) -> None:
    """A broken procedure fails each scenario file once, with the procedure errors; collection goes on."""
    release = project.path / "procedures" / "release.yaml"
    release.write_text(release.read_text(encoding="utf-8").replace("initial: check_id", "initial: nowhere"))
    result = run(project)
    assert {"failed": 2} == outcomes(result)
    result.stdout.fnmatch_lines(
        [
            "the procedures in procedures do not load, so no scenario can run:",
            "1 problem found:",
            "procedures/release.yaml:23:12: procedure.initial: unknown state 'nowhere'",
        ]
    )


def test_malformed_scenario_is_one_failing_item(project: pytest.Pytester) -> None:
    """A scenario that does not load is one item, named '?', that fails with every problem located."""
    shutil.copy(HERE / "scenarios" / "malformed" / "typos.yaml", project.path / "scenarios" / "test.release")
    result = run(project, "--sopflow-scenarios", "scenarios/test.release/typos.yaml")
    assert {"failed": 1} == outcomes(result)
    result.stdout.fnmatch_lines(
        [
            "scenarios/test.release/typos.yaml: 3 problems in the scenario:",
            "FAILED scenarios/test.release/typos.yaml::? - *",
        ]
    )


def test_scenario_in_another_procedures_folder_fails(project: pytest.Pytester) -> None:
    """A file in the folder of another procedure is told where it belongs."""
    shutil.move(project.path / "scenarios" / "test.release", project.path / "scenarios" / "test.owner_call")
    result = run(project, "-k", "owner_agrees")
    result.stdout.fnmatch_lines(
        [
            "scenarios/test.owner_call/owner_agrees.yaml:2:12: procedure: the scenario is for 'test.release' "
            "but sits in the folder of 'test.owner_call'; move it to scenarios/test.release/"
        ]
    )


def test_project_suite_collects_each_scenario_once() -> None:
    """sopflow's own suite runs tests/scenarios through the plugin: every file in every language, once."""
    library = sopflow.load_library()
    expected = sorted(
        f"tests/scenarios/{path.relative_to(ROOT / 'tests' / 'scenarios').as_posix()}::{lang}"
        for path in collect_scenarios(ROOT / "tests" / "scenarios")
        for lang in scenario_languages(load_scenario(path), library)
    )
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    ids = [line for line in ran.stdout.splitlines() if "::" in line]
    assert (expected, []) == (
        sorted(i for i in ids if i.startswith("tests/scenarios/")),
        [i for i in ids if "test_scenario[" in i],
    )


def test_bundled_library_is_loaded_once() -> None:
    """Collection and the fixture share one load: the cache returns the same object."""
    assert plugin.bundled_library() is plugin.bundled_library()
