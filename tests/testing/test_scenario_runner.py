"""Running scenarios against the fixture procedures: passes, every kind of failure, misfits."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import sopflow
from sopflow.errors import RoleNotAllowed
from sopflow.testing import (
    Scenario,
    ScenarioError,
    ScenarioFailed,
    Transcript,
    collect_scenarios,
    load_scenario,
    run_scenario,
    scenario_languages,
)

SCENARIOS = Path(__file__).parent / "scenarios"
PASSING = collect_scenarios(SCENARIOS / "passing")
FAILING_FILES = collect_scenarios(SCENARIOS / "failing")

# file stem -> (language run, file:line:col of the first failed expectation, heading, mismatch lines)
FAILING: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "allowed": (
        "en",
        "allowed.yaml:13:7",
        "scenario 'fails: allowed events are not exactly these' [en], step 2 (fire checked as front_desk)",
        (
            "allowed: expected [fees_checked, signed], found [fees_checked, customer_dissatisfied] "
            "(missing: signed; not expected: customer_dissatisfied)",
        ),
    ),
    "allowed_include": (
        "en",
        "allowed_include.yaml:13:7",
        "scenario 'fails: an event that should be possible is not' [en], step 2 (fire checked as front_desk)",
        (
            "allowed_include: expected [fees_checked, items_listed] among the allowed events, "
            "found [fees_checked, customer_dissatisfied] (missing: items_listed)",
        ),
    ),
    "calls": (
        "en",
        "calls.yaml:19:3",
        "scenario 'fails: calls differ' [en], end",
        ("calls: expected [], found [test.owner_call]",),
    ),
    "data": (
        "en",
        "data.yaml:16:33",
        "scenario 'fails: data values differ (money, and a boolean is not a number)' [en], "
        "step 3 (fire fees_checked as front_desk)",
        ("data.arrears_amount: expected '0.01', found 0.00", "data.slip_issued: expected 0, found false"),
    ),
    "data_in_call": (
        "en",
        "data_in_call.yaml:19:14",
        "scenario 'fails: the release's fields are not visible while the owner call runs' [en], "
        "step 4 (fire items_listed as front_desk)",
        (
            "data.arrears_months: expected 0, "
            "found no field 'arrears_months' in 'test.owner_call', which is running now",
        ),
    ),
    "does": (
        "en",
        "does.yaml:11:14",
        "scenario 'fails: the desk is told to do something else' [en], step 1 (fire phone_taken as front_desk)",
        (
            "does[en]: expected text containing 'Call the visitor back on 9123 4567', "
            "found 'Note the visit for [visit_day].'",
        ),
    ),
    "end_outcome": (
        "en",
        "end_outcome.yaml:17:10",
        "scenario 'fails: the visit ends differently' [en], end",
        ("data.slip_issued: expected true, found false", "outcome: expected 'completed', found 'refused'"),
    ),
    "journal_excludes": (
        "en",
        "journal_excludes.yaml:13:22",
        "scenario 'fails: an event that must not happen did' [en], end",
        ("journal_excludes: expected no fire entry for 'checked', found one (fired: id_copied, checked)",),
    ),
    "journal_includes": (
        "en",
        "journal_includes.yaml:16:36",
        "scenario 'fails: the owner was never called' [en], end",
        (
            "journal_includes: expected a fire entry for 'owner_answers', "
            "found none (fired: id_copied, checked, fees_checked)",
        ),
    ),
    "outcome": (
        "en",
        "outcome.yaml:12:14",
        "scenario 'fails: not finished yet' [en], step 2 (fire checked as front_desk)",
        ("outcome: expected 'completed', found no outcome (still in 'check_fees')",),
    ),
    "path": (
        "en",
        "path.yaml:19:7",
        "scenario 'fails: wrong path inside the owner call' [en], step 4 (fire items_listed as front_desk)",
        ("path: expected [ask], found [call_owner, ask]",),
    ),
    "refused_but_accepted": (
        "en",
        "refused_but_accepted.yaml:12:5",
        "scenario 'fails: a refusal was expected, the step was accepted' [en], step 2 (fire checked as front_desk)",
        ("refused: expected RoleNotAllowed, found the step accepted (now in 'check_fees')",),
    ),
    "says": (
        "zh-Hant",
        "says.yaml:18:9",
        "scenario 'fails: the desk says something else in Chinese' [zh-Hant], step 3 (fire fees_checked as front_desk)",
        ("says[zh-Hant]: expected text containing '請問您搬出什麼', found '請問您都搬出哪些物品呢?'",),
    ),
    "state": (
        "en",
        "state.yaml:12:14",
        "scenario 'fails: wrong state' [en], step 2 (fire checked as front_desk)",
        ("state: expected 'list_items', found 'check_fees'",),
    ),
    "timers": (
        "en",
        "timers.yaml:12:14",
        "scenario 'fails: a timer that is not running' [en], step 2 (fire checked as front_desk)",
        ("timers: expected [walked_off], found [] (missing: walked_off)",),
    ),
    "unexpected_refusal": (
        "en",
        "unexpected_refusal.yaml:10:5",
        "scenario 'fails: a step that should be accepted is refused' [en], step 2 (fire checked as tenant)",
        (
            "fire: expected 'checked' to be accepted, found RoleNotAllowed: "
            "role 'tenant' may not fire 'checked' in state 'check_id'; it is for: front_desk",
        ),
    ),
    "wrong_refusal": (
        "en",
        "wrong_refusal.yaml:12:5",
        "scenario 'fails: refused, but for another reason' [en], step 2 (fire checked as tenant)",
        (
            "refused: expected EventNotAllowed, found RoleNotAllowed: "
            "role 'tenant' may not fire 'checked' in state 'check_id'; it is for: front_desk",
        ),
    ),
}


def failure(path: Path, library: sopflow.Library, lang: str) -> ScenarioFailed:
    """The ScenarioFailed that running ``path`` in ``lang`` raises."""
    with pytest.raises(ScenarioFailed) as caught:
        run_scenario(load_scenario(path), library, lang)
    return caught.value


@pytest.mark.parametrize("path", PASSING, ids=[p.stem for p in PASSING])
def test_passing_scenario_passes_in_each_language(path: Path, runner_library: sopflow.Library) -> None:
    """A scenario that matches the procedure runs to the end in every language it runs in."""
    scenario = load_scenario(path)
    languages = scenario_languages(scenario, runner_library)
    transcripts = [run_scenario(scenario, runner_library, lang) for lang in languages]
    assert list(languages) == [t.lang for t in transcripts]


@pytest.mark.parametrize("stem", sorted(FAILING))
def test_failed_expectation_message(stem: str, runner_library: sopflow.Library) -> None:
    """Each kind of failed expectation names file:line:col, scenario, language, step, expected and found."""
    lang, where, heading, mismatches = FAILING[stem]
    path = SCENARIOS / "failing" / f"{stem}.yaml"
    error = failure(path, runner_library, lang)
    count = len(mismatches)
    expected = [
        f"{path.parent}/{where}: {heading}: {count} expectation{'s' if count != 1 else ''} failed",
        *(f"  {m}" for m in mismatches),
        f"transcript [{lang}]:",
    ]
    assert expected == str(error).splitlines()[: count + 2]


def test_every_failing_file_is_in_the_table() -> None:
    """A new file under failing/ must come with its expected message, or it would test nothing."""
    assert sorted(FAILING) == [p.stem for p in FAILING_FILES]


def test_failure_carries_step_language_and_transcript(runner_library: sopflow.Library) -> None:
    """Tools (the CLI, the pytest report) read the parts instead of parsing the message."""
    error = failure(SCENARIOS / "failing" / "path.yaml", runner_library, "en")
    expected = ("en", 4, ["path"], 5, "items_listed", (19, 7))
    actual = (
        error.lang,
        error.step,
        [m.what for m in error.mismatches],
        len(error.transcript),
        error.transcript[-1].event,
        (error.line, error.column),
    )
    assert expected == actual


def test_failure_message_ends_with_the_transcript_so_far(runner_library: sopflow.Library) -> None:
    """Seeing what the desk said up to the failure is usually enough to see why it failed."""
    error = failure(SCENARIOS / "failing" / "state.yaml", runner_library, "en")
    expected = [
        "transcript [en]:",
        "  09:00:00  front_desk  starts test.release {unit: 3-1201}",
        '            → check_id  "Please show your ID."',
        "  09:00:00  front_desk  fires id_copied {id_copy: ***}",
        '            → check_id  "Please show your ID."',
        "  09:00:00  front_desk  fires checked",
        "            → check_fees",
    ]
    assert expected == str(error).splitlines()[2:]


def test_end_failure_has_no_step_number(runner_library: sopflow.Library) -> None:
    """`step` is None for the end checks, so a report can say "at the end"."""
    assert None is failure(SCENARIOS / "failing" / "calls.yaml", runner_library, "en").step


def test_says_is_checked_only_in_the_language_run(runner_library: sopflow.Library) -> None:
    """The Chinese text is wrong, so only the zh-Hant run fails; the English run passes."""
    path = SCENARIOS / "failing" / "says.yaml"
    english = run_scenario(load_scenario(path), runner_library, "en")
    chinese = failure(path, runner_library, "zh-Hant")
    assert ("en", 3) == (english.lang, chinese.step)


def test_unknown_procedure(runner_library: sopflow.Library) -> None:
    """A misspelt procedure id is caught before any step, at its line, with the likely id."""
    path = SCENARIOS / "misfit" / "unknown_procedure.yaml"
    with pytest.raises(ScenarioError) as caught:
        run_scenario(load_scenario(path), runner_library, "en")
    expected = f"{path}:2:12: procedure: no procedure 'test.relase' in the library; did you mean 'test.release'?"
    assert expected == str(caught.value)


def test_names_the_procedure_does_not_have(runner_library: sopflow.Library) -> None:
    """Unknown events, roles, fields, states, timers, outcomes and callees are all reported, located.

    The junk event of step 2 is not reported: that step expects a refusal.
    """
    path = SCENARIOS / "misfit" / "unknown_names.yaml"
    with pytest.raises(ScenarioError) as caught:
        run_scenario(load_scenario(path), runner_library, "en")
    family = "in 'test.release' or the procedures it calls"
    expected = [
        f"{path}:3:17: languages.1: 'test.release' has no language 'fr'; it is written in en, zh-Hant",
        f"{path}:5:9: start.role: no role 'frontdesk' in 'test.release'; did you mean 'front_desk'?",
        f"{path}:6:16: start.data.unit: field 'unit': expected str, found 1201 (Input should be a valid string)",
        f"{path}:8:11: step 1 › fire: no event 'id_copid' {family}; did you mean 'id_copied'?",
        f"{path}:10:20: step 1 › data.idcopy: no field 'idcopy' {family}; did you mean 'id_copy'?",
        f"{path}:15:14: step 2 › expect.state: no state 'check_fee' {family}; did you mean 'check_fees'?",
        f"{path}:16:16: step 2 › expect.timers.0: no timer 'walk_off' {family}; did you mean 'walked_off'?",
        f"{path}:18:12: end.outcome: no outcome 'done' in 'test.release'; outcomes: completed, escalated, refused",
        f"{path}:19:22: end.journal_includes.0: no event 'signd' {family}; did you mean 'signed'?",
        f"{path}:20:11: end.calls.0: no procedure 'test.owner_cal' {family}; did you mean 'test.owner_call'?",
    ]
    assert expected == [d.format() for d in caught.value.diagnostics]


def test_languages_default_to_the_procedure(runner_library: sopflow.Library) -> None:
    """Without `languages`, a scenario runs in every language the procedure is written in."""
    scenario = load_scenario(SCENARIOS / "passing" / "release_owner_agrees.yaml")
    assert ("en", "zh-Hant") == scenario_languages(scenario, runner_library)


def test_languages_filter(runner_library: sopflow.Library) -> None:
    """`languages: [en]` limits the runs, for a scenario whose texts exist in one language only."""
    scenario = load_scenario(SCENARIOS / "passing" / "release_arrears_en.yaml")
    assert ("en",) == scenario_languages(scenario, runner_library)


def test_language_outside_the_filter_is_refused(runner_library: sopflow.Library) -> None:
    """Asking for a language the scenario excludes is a mistake of the caller, said at `languages`."""
    path = SCENARIOS / "passing" / "release_arrears_en.yaml"
    with pytest.raises(ScenarioError) as caught:
        run_scenario(load_scenario(path), runner_library, "zh-Hant")
    expected = f"{path}:3:12: languages: the scenario runs in en; it cannot run in 'zh-Hant'"
    assert expected == str(caught.value)


def test_wait_fires_timers_at_their_deadlines(runner_library: sopflow.Library) -> None:
    """A 20-minute wait shows the owner-call timer at 14:35, inside the call, and where it led."""
    scenario = load_scenario(SCENARIOS / "passing" / "release_owner_silent.yaml")
    transcript = run_scenario(scenario, runner_library, "en")
    expected = [
        ("wait", "14:30", "20 minutes", "test.release", "ask", ()),
        ("timer", "14:35", "no_answer", "test.owner_call", "no_consent", ("test.owner_call ended: refused",)),
    ]
    actual = [(e.kind, f"{e.at:%H:%M}", e.event, e.procedure, e.state, e.notes) for e in transcript if e.step == 5]
    assert expected == actual


def test_ladder_climbs_one_level_per_deadline(runner_library: sopflow.Library) -> None:
    """Each ladder timer gets its own entry with the level it reached, even within one long wait."""
    transcript = run_scenario(load_scenario(SCENARIOS / "passing" / "inquiry_ladder.yaml"), runner_library, "en")
    expected = [("09:03", "explain@cs_supervisor"), ("09:06", "explain@office_director")]
    assert expected == [(f"{e.at:%H:%M}", e.state) for e in transcript if e.kind == "timer"]


def test_call_path_and_note(runner_library: sopflow.Library) -> None:
    """Entering the owner call shows the full path and what was handed to the called procedure."""
    scenario = load_scenario(SCENARIOS / "passing" / "release_owner_agrees.yaml")
    entry = run_scenario(scenario, runner_library, "en")[4]
    expected = (
        "items_listed",
        ("call_owner", "ask"),
        ("calls test.owner_call {unit: 3-1201, items: [TV, sofa]}",),
    )
    assert expected == (entry.event, entry.path, entry.notes)


def test_refusal_that_changes_the_session_fails(
    runner_library: sopflow.Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused step must leave the session as it was; the runner checks the engine keeps that promise."""
    original = sopflow.Session.fire

    def leaky(self: sopflow.Session, event: str, **kwargs: Any) -> sopflow.Step:
        original(self, "id_copied", role="front_desk", data={"id_copy": "scan-9"})
        raise RoleNotAllowed("refused after changing the session")

    monkeypatch.setattr(sopflow.Session, "fire", leaky)
    text = "scenario: leak\nprocedure: test.release\nstart: {role: front_desk}\n"
    text += "steps:\n  - {fire: checked, as: tenant, refused: RoleNotAllowed}\n"
    scenario = sopflow.testing.parse_scenario(text, "leak.yaml")
    with pytest.raises(ScenarioFailed) as caught:
        run_scenario(scenario, runner_library, "en")
    expected = (
        "refused: expected the session unchanged by the refused step, "
        "found frames.0.data.id_copy changed (a private value)"
    )
    assert expected == caught.value.mismatches[0].format()


def test_scenario_built_in_python_runs_without_positions(runner_library: sopflow.Library) -> None:
    """Tools may build scenarios as data; errors then name the scenario but no line."""
    data: Mapping[str, Any] = {
        "scenario": "built",
        "procedure": "test.release",
        "start": {"role": "front_desk"},
        "steps": [{"fire": "checked", "as": "front_desk", "expect": {"state": "check_fees"}}],
    }
    with pytest.raises(ScenarioFailed) as caught:
        run_scenario(Scenario.model_validate(data), runner_library, "en")
    expected = (
        "<scenario>: scenario 'built' [en], step 1 (fire checked as front_desk): 1 expectation failed",
        None,
    )
    assert expected == (str(caught.value).splitlines()[0], caught.value.line)


def test_run_returns_a_transcript(runner_library: sopflow.Library) -> None:
    """The transcript names the scenario, procedure and language it was made in."""
    scenario = load_scenario(SCENARIOS / "passing" / "release_owner_agrees.yaml")
    transcript = run_scenario(scenario, runner_library, "zh-Hant")
    expected = (True, "tenant release — fees paid, owner agrees, slip signed", "test.release", "zh-Hant", 7)
    actual = (
        isinstance(transcript, Transcript),
        transcript.scenario,
        transcript.procedure,
        transcript.lang,
        len(transcript),
    )
    assert expected == actual
