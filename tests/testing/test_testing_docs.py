"""docs/testing.md shows real output: every scenario and message on the page is re-run here."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

import sopflow
from sopflow.testing import (
    ScenarioError,
    ScenarioFailed,
    collect_scenarios,
    load_scenario,
    parse_scenario,
    run_scenario,
    scenario_languages,
)
from sopflow.testing.host import HostDisagrees

pytest_plugins = ["pytester"]

ROOT = Path(__file__).parent.parent.parent
DOC = ROOT / "docs" / "testing.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
BLOCKS: list[tuple[str, str]] = FENCE.findall(DOC.read_text(encoding="utf-8"))
FILE = "# file: "


def outcome_of(text: str, source: str, library: sopflow.Library) -> str:
    """What running a scenario in every language prints: the English transcript, or the first error."""
    try:
        scenario = parse_scenario(text, source)
        transcripts = [run_scenario(scenario, library, lang) for lang in scenario_languages(scenario, library)]
    except (ScenarioError, ScenarioFailed) as exc:
        return str(exc)
    return str(next(t for t in transcripts if t.lang == "en"))


def shown() -> list[tuple[str, str, str]]:
    """(file name, scenario text, output block) for each complete scenario followed by its output."""
    out = []
    for (lang, body), (next_lang, next_body) in itertools.pairwise(BLOCKS):
        if lang == "yaml" and body.startswith(FILE) and next_lang == "text":
            name, _, text = body.partition("\n")  # the label is not part of the file
            out.append((name.removeprefix(FILE), text, next_body))
    return out


@pytest.mark.parametrize(("source", "text", "output"), shown(), ids=[s[0] for s in shown()])
def test_output_on_the_page_is_real(source: str, text: str, output: str, runner_library: sopflow.Library) -> None:
    """Each scenario on the page prints exactly the output the page shows under it."""
    assert output.rstrip("\n") == outcome_of(text, source, runner_library)


def test_page_shows_four_scenarios_with_output() -> None:
    """The pass, the failure, the malformed file and the misfit; a lost fence would drop one silently."""
    assert 4 == len(shown())


def test_listed_failure_lines_are_real(runner_library: sopflow.Library) -> None:
    """Each line of the "other failures" list is a message the runner gives for a file under failing/."""
    listed = next(body for lang, body in BLOCKS if lang == "text" and body.startswith("  state: expected"))
    real = set()
    for path in collect_scenarios(Path(__file__).parent / "scenarios" / "failing"):
        scenario = load_scenario(path)
        for lang in scenario_languages(scenario, runner_library):
            try:
                run_scenario(scenario, runner_library, lang)
            except ScenarioFailed as exc:
                real |= {m.format() for m in exc.mismatches}
    assert [] == [line for line in listed.splitlines() if line.strip() not in real]


def fragment(body: str) -> str:
    """A complete scenario around a fragment of the page (a start, a step, an expect or an end)."""
    head = "scenario: fragment\nprocedure: test.release\n"
    if body.startswith("start:"):
        return head + body
    head += "start: {role: front_desk}\n"
    if body.startswith("  - "):
        return head + "steps:\n" + body
    if body.startswith("    expect:"):
        return head + "steps:\n  - wait: 1s\n" + body
    return head + body


def test_fragments_on_the_page_are_valid() -> None:
    """Every key the page explains is spelt as the loader expects (the runner is not involved)."""
    fragments = [b for lang, b in BLOCKS if lang == "yaml" and not b.startswith((FILE, "scenario:", "# Generated"))]
    loaded = [parse_scenario(fragment(b), "docs/testing.md") for b in fragments]
    assert len(fragments) == len(loaded) >= 6


def test_python_example_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The Python example prints a transcript from the repository root."""
    monkeypatch.chdir(ROOT)
    code = next(body for lang, body in BLOCKS if lang == "python")
    exec(compile(code, str(DOC), "exec"), {})  # our own docs, not user input
    assert capsys.readouterr().out.startswith("09:00:00  desk-1 (front_desk)  ")


def test_documented_refusal_names_exist() -> None:
    """The refusals the page lists are the ones a step may expect."""
    page = DOC.read_text(encoding="utf-8")
    section = page[page.index("### Steps: `refused`") : page.index("### Steps: `wait`")]
    named = set(re.findall(r"`([A-Z][A-Za-z]+)`", section))
    assert set() == named - set(sopflow.testing.scenario.REFUSALS)


def console_run() -> tuple[list[str], list[str]]:
    """The arguments of the page's pytest run, and the lines it shows from the progress to the FAILED line."""
    body = next(b for lang, b in BLOCKS if lang == "console" and "FAILURES" in b)
    command, _, shown_lines = body.partition("\n…\n")
    return command.removeprefix("$ pytest ").split(), shown_lines.splitlines()[:-1]


def test_pytest_run_on_the_page_is_real(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's settings collect its failing scenario, and pytest prints what the page shows (but the time)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("COLUMNS", "80")  # the page's width, whatever the terminal running this test
    for name in ("CI", "BUILD_NUMBER"):  # on CI pytest stops cutting the summary line to the width
        monkeypatch.delenv(name, raising=False)
    pytester.makepyprojecttoml(next(body for lang, body in BLOCKS if lang == "toml"))
    shutil.copytree(ROOT / "tests" / "fixtures", pytester.path / "procedures")
    source, text, _ = next(s for s in shown() if "什麼" in s[1])
    (pytester.path / source).parent.mkdir(parents=True)
    (pytester.path / source).write_text(text, encoding="utf-8")
    args, expected = console_run()
    lines = pytester.runpytest("-p", "sopflow.testing.plugin", "-p", "no:cacheprovider", *args).outlines
    start = next(i for i, line in enumerate(lines) if line.startswith("tests/scenarios/"))
    assert expected == lines[start : start + len(expected)]


def host_blocks() -> tuple[str, str, str]:
    """The section "Hypothesis for hosts": its example file, the failure it shows, the file's continuation."""
    python = [body for lang, body in BLOCKS if lang == "python"]
    example = next(body for body in python if body.startswith("# file: tests/test_desk_host.py\n"))
    more = next(body for body in python if body.startswith("# file: tests/test_desk_host.py, continued\n"))
    failure = next(body for lang, body in BLOCKS if lang == "text" and body.startswith("HostDisagrees: "))
    return example, failure, more


def imported(code: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The page's file written to ``folder`` and imported, as pytest would import it; forgotten afterwards."""
    (folder / "test_desk_host.py").write_text(code, encoding="utf-8")
    monkeypatch.syspath_prepend(folder)
    monkeypatch.delitem(sys.modules, "test_desk_host", raising=False)
    module = importlib.import_module("test_desk_host")
    monkeypatch.setitem(sys.modules, "test_desk_host", module)
    return module


HOST_RUN = settings(max_examples=30, stateful_step_count=20, deadline=None, derandomize=True, database=None)


def test_host_example_passes_and_its_broken_worker_fails_as_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's host passes its state machine; without its timer worker it fails with the page's report."""
    example, failure, _ = host_blocks()
    machine = imported(example, tmp_path, monkeypatch).DeskVisitsMachine
    run_state_machine_as_test(machine, settings=HOST_RUN)

    class DeskVisitsWithoutWorker(machine):
        def advance_host(self, now: dt.datetime) -> None:
            pass

    with pytest.raises(HostDisagrees) as caught:
        run_state_machine_as_test(DeskVisitsWithoutWorker, settings=settings(HOST_RUN, max_examples=50))
    message, _, steps = failure.partition("\nFailing test case: <state machine>\n")
    notes = "\n".join(getattr(caught.value, "__notes__", ())).splitlines()
    # The invariant's own lines ('state.agrees()') come and go with how far shrinking got; the rules do not.
    shown = [line for line in steps.splitlines() if line != "state.agrees()"]
    assert (message, shown) == (f"HostDisagrees: {caught.value}", [line for line in notes if line in shown])


def test_host_rows_example_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's property test over visits runs green on the page's host."""
    example, _, more = host_blocks()
    imported(example + more, tmp_path, monkeypatch).test_every_visit_survives_the_rows()
