"""Every scenario under tests/scenarios, in every language it runs in, against the bundled library.

Compliance staff add a YAML file and it becomes a test: the id is the file's
path below tests/scenarios and the language, e.g.
``business.release_tenant/owner_agrees[en]``, so ``pytest -k owner_agrees``
picks one. See docs/testing.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sopflow
from sopflow.testing import (
    ScenarioError,
    ScenarioFailed,
    collect_scenarios,
    load_scenario,
    run_scenario,
    scenario_languages,
)
from sopflow.testing.plugin import bundled_library

SCENARIOS = Path(__file__).parent / "scenarios"
UNKNOWN = "?"
"""Language of a case whose languages could not be found (the file or the library does not load)."""


def cases() -> list[object]:
    """(file, language) pairs, one per language the scenario runs in.

    Collection must not fail: a scenario that does not load, or a library
    that does not load, still yields one case per file, and that case fails
    with the located error instead of hiding every other test of the run.
    """
    try:
        library: sopflow.Library | None = bundled_library()
    except sopflow.SopflowError:
        library = None  # the fixture raises the same error when a case asks for it
    out: list[object] = []
    for path in collect_scenarios(SCENARIOS):
        name = path.relative_to(SCENARIOS).with_suffix("").as_posix()
        languages: tuple[str, ...] = (UNKNOWN,)
        if library is not None:
            try:
                scenario = load_scenario(path)
                if scenario.procedure in library:
                    languages = scenario_languages(scenario, library)
            except ScenarioError:
                pass  # reported by the case itself
        out += [pytest.param(path, lang, id=f"{name}[{lang}]") for lang in languages]
    return out


@pytest.fixture(scope="session")
def bundled() -> sopflow.Library:
    """The bundled library, the same object the `sopflow_library` fixture of the plugin gives.

    Asked for through the plugin's loader rather than its fixture, so this
    file runs whether or not sopflow is installed with its pytest entry point.
    """
    try:
        return bundled_library()
    except sopflow.SopflowError as exc:
        problem = str(exc)
    pytest.fail(f"the bundled procedures do not load, so no scenario can run:\n{problem}", pytrace=False)


@pytest.mark.parametrize(("path", "lang"), cases())
def test_scenario(path: Path, lang: str, bundled: sopflow.Library) -> None:
    """The procedure does what the scenario file says, in this language."""
    problem = check(path, lang, bundled)
    if problem is not None:
        pytest.fail(problem, pytrace=False)  # the message is the report; a traceback would bury it


def shown(path: Path) -> Path:
    """The path as typed from the current folder, when it is below it: shorter, and what editors open."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def check(path: Path, lang: str, library: sopflow.Library) -> str | None:
    """Why the scenario fails, or None; kept apart so pytest.fail is not raised inside an except."""
    try:
        scenario = load_scenario(shown(path))
        folder = path.parent
        if folder != SCENARIOS and folder.name != scenario.procedure:
            line, column = scenario.locate(("procedure",))
            return (
                f"{shown(path)}:{line}:{column}: procedure: the scenario is for '{scenario.procedure}' "
                f"but sits in the folder of '{folder.name}'; move it to tests/scenarios/{scenario.procedure}/"
            )
        run_scenario(scenario, library, lang)
    except (ScenarioError, ScenarioFailed) as exc:
        return str(exc)
    return None
