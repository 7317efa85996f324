"""``sopflow coverage``: run scenario files and report what of each procedure they exercised."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cli_helpers import ROOT, Invoke

PASSING = ROOT / "tests" / "testing" / "scenarios" / "passing"
AGREES = PASSING / "release_owner_agrees.yaml"


def test_the_table_of_one_scenario(cli: Invoke, fixtures: Path) -> None:
    """Per procedure run, covered/total of each kind and the share of everything; the totals below."""
    result = cli("coverage", AGREES, "-L", fixtures)
    assert (0, ["test.owner_call", "2/4", "1/2", "1/4", "0/1", "36%"]) == (
        result.exit_code,
        result.stdout.splitlines()[1].split(),
    )
    assert ["total", "8/13", "6/8", "7/19", "0/2", "50%"] == result.stdout.splitlines()[-2].split()


def test_show_missing_lists_the_arrows_not_taken(cli: Invoke, fixtures: Path) -> None:
    out = cli("coverage", AGREES, "-L", fixtures, "--show-missing").stdout
    assert ("test.release missed:" in out, "  timers  walked_off" in out) == (True, True)
    assert "sign --timer:walked_off--> no_consent" in out


def test_a_folder_is_searched_for_scenarios_only(cli: Invoke, fixtures: Path, tmp_path: Path) -> None:
    """YAML that is not a scenario is left alone; two scenarios add up."""
    shutil.copy(AGREES, tmp_path / "agrees.yaml")
    shutil.copy(PASSING / "release_owner_silent.yaml", tmp_path / "silent.yaml")
    (tmp_path / "units.yaml").write_text("units: ['3-1201']\n", encoding="utf-8")
    data = json.loads(cli("coverage", tmp_path, "-L", fixtures, "-f", "json").stdout)
    owner_call = data["procedures"]["test.owner_call"]["kinds"]
    assert (2, [{"timer": "no_answer"}], []) == (
        data["totals"]["scenarios"],
        [u for u in owner_call["timers"]["units"] if u.pop("scenarios")],
        owner_call["timers"]["missed"],
    )


def test_fail_under_exits_1_with_the_figure(cli: Invoke, fixtures: Path) -> None:
    low = cli("coverage", AGREES, "-L", fixtures, "--fail-under", "50.01")
    high = cli("coverage", AGREES, "-L", fixtures, "--fail-under", "50")
    assert (1, "error: scenario coverage 50.0% is below the required 50.01%", 0) == (
        low.exit_code,
        low.stderr.strip(),
        high.exit_code,
    )


def test_a_failing_scenario_exits_1_and_still_counts(cli: Invoke, fixtures: Path) -> None:
    result = cli("coverage", ROOT / "tests" / "testing" / "scenarios" / "failing" / "state.yaml", "-L", fixtures)
    assert (1, "2/9") == (result.exit_code, result.stdout.splitlines()[1].split()[1])
    assert (
        "failed: tests/testing/scenarios/failing/state.yaml [en] at step 2: state: expected 'list_items', "
        "found 'check_fees'"
    ) in result.stderr.replace(str(ROOT) + "/", "")


def test_html_needs_a_path_and_writes_one_page(cli: Invoke, fixtures: Path, tmp_path: Path) -> None:
    missing = cli("coverage", AGREES, "-L", fixtures, "-f", "html")
    written = cli("coverage", AGREES, "-L", fixtures, "-f", "html", "-o", tmp_path / "cov.html")
    page = (tmp_path / "cov.html").read_text(encoding="utf-8")
    assert (2, 0, True) == (missing.exit_code, written.exit_code, "sign --timer:walked_off--&gt; no_consent" in page)


def test_usage_errors(cli: Invoke, fixtures: Path, tmp_path: Path) -> None:
    assert [2, 2, 2, 2] == [
        cli("coverage", tmp_path / "nothing.yaml").exit_code,
        cli("coverage", tmp_path).exit_code,
        cli("coverage", AGREES, "-L", fixtures, "--fail-under", "high").exit_code,
        cli("coverage", AGREES, "-L", fixtures, "-o", tmp_path / "table.txt").exit_code,
    ]
