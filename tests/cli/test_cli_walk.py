"""``sopflow walk``: the interactive training walk-through, and ``--script`` scenario playback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from cli_helpers import DATA, ROOT, Invoke, Run, finish, plain_env, spawn

SCENARIO = Path(__file__).parent / "data" / "release_agrees.yaml"
PROMPT = "\r\n> "
"""The walk's prompt, at the start of a line (a journal line holds ``-> `` too)."""


def test_script_prints_a_transcript_and_the_outcome(sopflow: Run, fixtures: Path) -> None:
    """A passing scenario prints who did what, where it led, what to say, and the outcome."""
    done = sopflow("walk", "--script", SCENARIO, "-L", fixtures)
    lines = done.stdout.splitlines()
    wanted = [
        "▶ tenant release — owner agrees",
        "09:00 Front desk starts test.release  unit=3-1201",
        "                   says “Please show your ID.”",
        "09:00 Front desk id_copied  id_copy=***",
        "                 ↳ calls test.owner_call {unit: 3-1201, items: [sofa, TV]}",
        "                 ✗ refused (as the scenario expects): RoleNotAllowed: role",
        "                 ■ ends: completed",
        "Outcome completed · 8 steps · 1 refused as expected · 3m on the clock · checked",
    ]
    assert (0, [True] * len(wanted)) == (done.returncode, [w in lines for w in wanted])


def test_script_in_chinese(cli: Invoke, fixtures: Path) -> None:
    """--lang zh-Hant shows the role titles and the words of the desk in Chinese."""
    out = cli("walk", "--script", SCENARIO, "--lang", "zh-Hant", "-L", fixtures).stdout
    assert (True, True) == ("09:00 前台" in out, "says 「請問您都搬出哪些物品呢?」" in out)


def test_script_that_fails_shows_where_and_exits_one(cli: Invoke, fixtures: Path, tmp_path: Path) -> None:
    """A wrong expectation stops the run at its step, located in the scenario file."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SCENARIO.read_text(encoding="utf-8").replace("state: check_fees,", "state: list_items,"), encoding="utf-8"
    )
    result = cli("walk", "--script", bad, "-L", fixtures)
    tail = result.stdout.splitlines()[-2:]
    assert (
        1,
        [f"✗ {bad}:11:14: 1 expectation failed at step 2 [en]", "  state: expected 'list_items', found 'check_fees'"],
    ) == (
        result.exit_code,
        tail,
    )


def test_script_that_does_not_fit_the_procedure_lists_its_problems(cli: Invoke, fixtures: Path, tmp_path: Path) -> None:
    """Unknown names in a scenario are reported at their lines before anything runs."""
    bad = tmp_path / "misfit.yaml"
    bad.write_text(SCENARIO.read_text(encoding="utf-8").replace("fire: checked", "fire: chekced"), encoding="utf-8")
    result = cli("walk", "--script", bad, "-L", fixtures)
    expected = [
        f"{bad}:9:11: step 2 › fire: no event 'chekced' in 'test.release' or the procedures it calls; "
        "did you mean 'checked'? [error scenario]",
        f"error: {bad} cannot be played: 1 problem above",
    ]
    assert (1, expected) == (result.exit_code, result.stderr.splitlines())


def test_script_file_must_exist(cli: Invoke) -> None:
    """A missing scenario file is a usage error."""
    result = cli("walk", "--script", "nowhere.yaml")
    assert (2, "error: no such scenario file: nowhere.yaml\n") == (result.exit_code, result.stderr)


def test_walk_without_an_id_is_a_usage_error(cli: Invoke) -> None:
    """walk needs a procedure or a script."""
    assert 2 == cli("walk").exit_code


def test_walk_reads_commands_from_a_pipe(cli: Invoke, fixtures: Path) -> None:
    """Piped commands drive the walk: fire by number, answer prompts, see the new step."""
    result = cli("walk", "test.inquiry", "-L", fixtures, input="1\n\nquit\n")
    assert (0, True) == (result.exit_code, "09:00 front_desk: found → explain@colleague" in result.stdout)


@pytest.fixture
def terminal(fixtures: Path) -> Iterator[pexpect.spawn]:
    """``sopflow walk`` on a pseudo-terminal, the way a trainee runs it."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "sopflow", "walk", "test.release", "-L", str(fixtures), "--data", "unit=3-1201"],
        cwd=str(ROOT),
        env=plain_env(COLUMNS="100"),
        encoding="utf-8",
        timeout=15,
        dimensions=(50, 100),
    )
    child.expect_exact(PROMPT)
    yield child
    child.close(force=True)


def test_interactive_walk_fires_events_by_number_and_asks_for_data(terminal: pexpect.spawn) -> None:
    """Picking an event by number asks for the role and its data, then shows the next step."""
    terminal.sendline("1")
    terminal.expect_exact("role (1 front_desk) [front_desk]: ")
    terminal.sendline("")
    terminal.expect_exact("id_copy (str, private): ")
    terminal.sendline("scan-001")
    terminal.expect_exact("front_desk: id_copied  id_copy=*** ↺ check_id")
    terminal.expect_exact(PROMPT)
    terminal.sendline("checked")
    terminal.expect_exact("role (1 front_desk) [front_desk]: ")
    terminal.sendline("")
    terminal.expect_exact("check_fees · Front desk")
    terminal.expect_exact(PROMPT)
    terminal.sendline("journal")
    terminal.expect_exact(PROMPT)
    journal = terminal.before
    terminal.sendline("quit")
    terminal.expect(pexpect.EOF)
    terminal.close()
    assert (True, False, 0) == ("data: id_copy=***" in journal, "scan-001" in journal, terminal.exitstatus)


def test_interactive_wait_fires_a_timer_and_back_undoes_it(terminal: pexpect.spawn) -> None:
    """``wait`` moves the training clock so a timer fires; ``back`` restores the step before it."""
    for answer in ("1", "", "scan-001", "2", "", "1", "", "0", "", "1", "", "sofa, TV"):
        terminal.sendline(answer)
    terminal.expect_exact("test.owner_call")
    terminal.expect_exact("no_answer at 09:05 (in 5m)")
    terminal.expect_exact(PROMPT)
    terminal.sendline("wait 3m")
    terminal.expect_exact("no timer was due")
    terminal.expect_exact(PROMPT)
    terminal.sendline("wait 2m")
    terminal.expect(r"09:05 +⏱ timer no_answer +→ declined")
    terminal.expect_exact("ended: refused")
    terminal.expect_exact(PROMPT)
    terminal.sendline("back")
    terminal.expect_exact("↶ back to 09:03")
    terminal.expect_exact("no_answer at 09:05 (in 2m)")
    terminal.expect_exact(PROMPT)
    terminal.sendline("quit")
    terminal.expect(pexpect.EOF)
    terminal.close()
    assert 0 == terminal.exitstatus


def test_interactive_wait_over_a_day_shows_the_date(terminal: pexpect.spawn) -> None:
    """A wait that crosses midnight shows the new day; working time needs the procedure's opening hours."""
    terminal.sendline("wait 2 working days")
    terminal.expect_exact("'2 working days' counts working time, and this procedure names no opening hours")
    terminal.expect_exact(PROMPT)
    terminal.sendline("wait 1 day")
    terminal.expect_exact("⏱ Tue 03-03 09:00 (+1 day)")
    terminal.expect_exact(PROMPT)
    terminal.sendline("quit")
    terminal.expect(pexpect.EOF)
    terminal.close()
    assert 0 == terminal.exitstatus


def test_interactive_refusal_is_explained_and_changes_nothing(terminal: pexpect.spawn) -> None:
    """A wrong role is refused with the reason; the step stays where it was."""
    terminal.sendline("customer_dissatisfied")
    terminal.expect_exact("role (1 front_desk) [front_desk]: ")
    terminal.sendline("")
    terminal.expect_exact("escalate_to (choose: 1 relevant_person, 2 cs_supervisor): ")
    terminal.sendline("7")
    terminal.expect_exact("expected one of relevant_person, cs_supervisor")
    terminal.sendline("2")
    terminal.expect_exact("ended: escalated")
    terminal.sendline("1")
    terminal.expect_exact("the session has ended (escalated); type back, journal or quit")
    terminal.sendeof()
    terminal.expect(pexpect.EOF)
    terminal.close()
    assert 0 == terminal.exitstatus


def test_interactive_wait_3m_climbs_the_escalation_ladder(fixtures: Path) -> None:
    """In a ladder, ``wait 3m`` fires the level's timer and hands the customer to the supervisor."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "sopflow", "walk", "test.inquiry", "-L", str(fixtures)],
        cwd=str(ROOT),
        env=plain_env(COLUMNS="100"),
        encoding="utf-8",
        timeout=15,
        dimensions=(50, 100),
    )
    child.expect_exact(PROMPT)
    child.sendline("1")
    child.sendline("")
    child.expect_exact("inquiry_ladder at 09:03 (in 3m)")
    child.expect_exact(PROMPT)
    child.sendline("wait 3m")
    child.expect(r"09:03 ⏱ timer inquiry_ladder +→ explain@cs_supervisor")
    child.expect_exact("explain@cs_supervisor · CS supervisor")
    child.expect_exact(PROMPT)
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert 0 == child.exitstatus


@pytest.mark.parametrize(
    ("before", "prompt"),
    [
        ([], "desk_name · name of the desk (str): "),
        (["North", ""], PROMPT),
        (["North", "", "1"], "role (1 desk) [desk]: "),
        (["North", "", "1", ""], "count (int): "),
    ],
    ids=["start data", "event", "role", "event data"],
)
def test_ctrl_d_leaves_the_walk_at_any_prompt(before: list[str], prompt: str) -> None:
    """Ctrl-D at the start data, event, role or data prompt leaves cleanly, saying so, with exit 0."""
    child = spawn("walk", "test.typed", "-L", DATA / "walk")
    for answer in before:
        child.sendline(answer)
    child.expect_exact(prompt)
    child.sendeof()
    status, screen = finish(child)
    assert (0, "left the walk-through", False) == (status, screen.splitlines()[-1], "error" in screen)


def test_quit_says_the_walk_was_left(cli: Invoke, fixtures: Path) -> None:
    """quit leaves as Ctrl-D does, with the same last line."""
    result = cli("walk", "test.inquiry", "-L", fixtures, input="quit\n")
    assert (0, "> left the walk-through") == (result.exit_code, result.stdout.splitlines()[-1])
