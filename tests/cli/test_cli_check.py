"""``sopflow check``: validate, lint and explore in one command; findings located, counterexamples replayable."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import Invoke

from sopflow.analysis.verify import CODES


def test_a_seeded_mistake_is_found_at_its_line_and_fails_the_run(cli: Invoke, data: Path) -> None:
    """The fee release lets exactly 100 through unpaid: an error at the line of the state it breaks in."""
    result = cli("check", data / "check")
    errors = [line for line in result.stdout.splitlines() if "[error" in line]
    assert 1 == result.exit_code
    assert [
        "fee_release.yaml:43:5: procedure.states.released: invariant 'paid_before_release' (state != 'released' "
        "or paid or amount < 100) is broken in 'released' (shortest way: 3 steps) [error invariant-broken]"
    ] == [line.rsplit("/check/", 1)[1] for line in errors]
    assert "check.fee_release              22     21      4       yes" in result.stdout


def test_the_counterexample_replays_with_walk(cli: Invoke, data: Path, tmp_path: Path) -> None:
    """The written scenario walks the shortest way and ends with the step refused for breaking the invariant."""
    result = cli("check", data / "check", "--counterexamples", tmp_path / "cx")
    [written] = sorted((tmp_path / "cx").glob("*.yaml"))
    text = written.read_text(encoding="utf-8")
    replay = cli("walk", "--script", written, "-L", data / "check")
    assert (1, "check.fee_release.invariant-broken.1.yaml") == (result.exit_code, written.name)
    assert ("amount: '100'" in text, "refused: InvariantViolated" in text) == (True, True)
    assert (0, True) == (replay.exit_code, "✗ refused (as the scenario expects): InvariantViolated" in replay.stdout)


def test_sarif_locates_each_finding_for_code_scanning(cli: Invoke, data: Path) -> None:
    result = cli("check", data / "check", "--format", "sarif")
    sarif = json.loads(result.stdout)
    run = sarif["runs"][0]
    [broken] = [r for r in run["results"] if r["ruleId"] == "invariant-broken"]
    where = broken["locations"][0]["physicalLocation"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ("2.1.0", "error", 43, "tests/cli/data/check/fee_release.yaml") == (
        sarif["version"],
        broken["level"],
        where["region"]["startLine"],
        where["artifactLocation"]["uri"],
    )
    assert rules[broken["ruleIndex"]] == "invariant-broken"
    assert (
        CODES["invariant-broken"][1] == run["tool"]["driver"]["rules"][broken["ruleIndex"]]["shortDescription"]["text"]
    )


def test_json_gives_the_figures_of_every_procedure(cli: Invoke, data: Path) -> None:
    body = json.loads(cli("check", data / "check", "--format", "json").stdout)
    assert {"configurations": 22, "transitions": 21, "depth": 4, "refused": 0, "complete": True} == body["exploration"][
        "check.fee_release"
    ]
    assert 1 == body["counts"]["error"]


def test_the_bundled_library_checks_clean(cli: Invoke) -> None:
    """No error anywhere in the bundled library, every procedure explored completely."""
    result = cli("check", "procedures", "--format", "json")
    body = json.loads(result.stdout)
    assert (0, 0) == (result.exit_code, body["counts"]["error"])
    assert all(figures["complete"] for figures in body["exploration"].values())


def test_a_broken_file_stops_before_exploring(cli: Invoke, data: Path) -> None:
    result = cli("check", data / "broken")
    assert (1, True) == (
        result.exit_code,
        "fix the errors first: exploring needs procedures that load" in result.stdout,
    )
