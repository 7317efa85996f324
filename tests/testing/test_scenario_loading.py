"""Loading scenario files: the format, its defaults, and errors located at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from sopflow.errors import DefinitionError
from sopflow.testing import DEFAULT_START, ScenarioError, load_scenario, parse_scenario
from sopflow.testing.scenario import FireStep, WaitStep

MINIMAL = """\
scenario: minimal
procedure: test.release
start: {role: front_desk}
"""


def problems(error: ScenarioError) -> list[str]:
    """Each diagnostic in its `file:line:col: path: message` form."""
    return [d.format() for d in error.diagnostics]


def test_minimal_scenario_has_defaults() -> None:
    """Only `scenario`, `procedure` and `start.role` are required; everything else has a default."""
    scenario = parse_scenario(MINIMAL, "minimal.yaml")
    expected: tuple[object, ...] = (
        "minimal",
        "test.release",
        None,
        None,
        "front_desk",
        None,
        {},
        [],
        None,
        "minimal.yaml",
    )
    actual = (
        scenario.name,
        scenario.procedure,
        scenario.languages,
        scenario.start.at,
        scenario.start.role,
        scenario.start.actor,
        scenario.start.data,
        scenario.steps,
        scenario.end,
        scenario.source,
    )
    assert expected == actual


def test_default_start_is_a_monday_morning_at_the_centre() -> None:
    """A fixed default time keeps transcripts identical from run to run, in the centre's time zone."""
    assert "2026-03-02T09:00:00+08:00" == DEFAULT_START.isoformat()


def test_steps_are_fires_or_waits(scenarios_dir: Path) -> None:
    """Each step becomes a FireStep or a WaitStep, told apart by its `fire` or `wait` key."""
    scenario = load_scenario(scenarios_dir / "passing" / "release_tenant_walks_off.yaml")
    expected = ["fire"] * 4 + ["wait", "fire", "wait", "wait"]
    actual = ["fire" if isinstance(s, FireStep) else "wait" for s in scenario.steps]
    assert expected == actual


def test_wait_keeps_the_duration_as_written() -> None:
    """Transcripts show `waits 3 minutes`, not `waits 180.0`; bare numbers are seconds."""
    text = MINIMAL + "steps:\n  - wait: 3 minutes\n  - wait: 20\n"
    steps = parse_scenario(text).steps
    assert ["3 minutes", "20s"] == [s.wait for s in steps if isinstance(s, WaitStep)]


def test_as_is_the_role_of_the_actor() -> None:
    """`as` is a Python keyword, so the model calls it `as_`; the file still says `as`."""
    text = MINIMAL + "steps:\n  - {fire: checked, as: tenant, actor: t-1, data: {x: 1}}\n"
    step = parse_scenario(text).steps[0]
    assert isinstance(step, FireStep)
    assert ("checked", "tenant", "t-1", {"x": 1}) == (step.fire, step.as_, step.actor, step.data)


def test_says_takes_one_text_or_several() -> None:
    """A list lets one step check several fragments of the same sentence."""
    text = MINIMAL + "steps:\n  - wait: 1s\n    expect: {says: {en: [Unit, sofa], zh-Hant: 單位}}\n"
    step = parse_scenario(text).steps[0]
    assert step.expect is not None
    assert {"en": ["Unit", "sofa"], "zh-Hant": ["單位"]} == step.expect.says


def test_outcome_null_is_told_apart_from_no_outcome_key() -> None:
    """`outcome: null` checks that the visit is still running; leaving the key out checks nothing."""
    text = MINIMAL + "steps:\n  - {wait: 1s, expect: {outcome: null}}\n  - {wait: 1s, expect: {state: x}}\n"
    steps = parse_scenario(text).steps
    assert [True, False] == ["outcome" in (s.expect.model_fields_set if s.expect else ()) for s in steps]


def test_scenario_errors_are_definition_errors() -> None:
    """Hosts and the CLI already handle DefinitionError with its location; scenarios reuse that."""
    with pytest.raises(DefinitionError):
        parse_scenario("scenario: x\n", "x.yaml")


def test_misspelt_keys_bad_duration_unknown_refusal(scenarios_dir: Path) -> None:
    """Every problem of the file is reported at once, each at its line and column, with a hint."""
    path = scenarios_dir / "malformed" / "typos.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    expected = [
        f"{path}:9:5: step 1 › expct: unknown key 'expct'; did you mean 'expect'?",
        f"{path}:10:11: step 2 › wait: expected a wait such as '3 minutes', '2 working days' "
        "or 'next working day 09:00', found '3 minuts'",
        f"{path}:13:14: step 3 › refused: unknown refusal 'RoleNotAlowed'; did you mean 'RoleNotAllowed'?",
    ]
    assert expected == problems(caught.value)


def test_step_must_be_exactly_one_kind(scenarios_dir: Path) -> None:
    """A step with both `fire` and `wait`, or a bare string, is neither kind of step."""
    path = scenarios_dir / "malformed" / "step_kind.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    kinds = "a step is one of 'fire: <event>', 'wait: <duration>' or 'check: <checklist item>' (exactly one)"
    expected = [f"{path}:5:5: step 1: {kinds}", f"{path}:7:5: step 2: {kinds}, found 'id_copied'"]
    assert expected == problems(caught.value)


def test_missing_keys_naive_time_empty_languages(scenarios_dir: Path) -> None:
    """A start time without a zone is ambiguous at a desk, so it is refused like in the engine."""
    path = scenarios_dir / "malformed" / "missing_keys.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    expected = [
        f"{path}:1:1: procedure: missing required key 'procedure'",
        f"{path}:2:12: languages: expected at least 1 item(s), found none",
        f"{path}:4:7: start.at: expected timezone info, found '2026-03-02T09:00:00'",
    ]
    assert expected == problems(caught.value)


def test_yaml_syntax_error_is_located(scenarios_dir: Path) -> None:
    """A YAML that does not parse names the line where the parser gave up."""
    path = scenarios_dir / "malformed" / "bad_yaml.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    expected = (
        f"{path}:4:1: invalid YAML: the mapping '{{' at line 3, column 8 needs a ',' between entries or a closing '}}'"
    )
    assert expected == str(caught.value)


def test_duplicate_key_is_an_error(scenarios_dir: Path) -> None:
    """PyYAML would keep the second `as` silently; sopflow's reader refuses it."""
    path = scenarios_dir / "malformed" / "duplicate_key.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    expected = f"{path}:7:5: step 1 › as: duplicate key 'as' (first at line 6); expected each key once"
    assert expected == str(caught.value)


def test_several_problems_are_listed_under_one_heading(scenarios_dir: Path) -> None:
    """The message of a many-problem error starts with the file and a count, then one line each."""
    path = scenarios_dir / "malformed" / "typos.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    expected = (f"{path}: 3 problems in the scenario:", 9, 5)
    actual = (str(caught.value).splitlines()[0], caught.value.line, caught.value.column)
    assert expected == actual


def test_not_a_mapping() -> None:
    """A list at the top is a common slip when copying steps; say what a scenario looks like."""
    with pytest.raises(ScenarioError) as caught:
        parse_scenario("- fire: checked\n", "list.yaml")
    expected = "list.yaml:1:1: expected a mapping with 'scenario', 'procedure', 'start' and 'steps', found list"
    assert expected == str(caught.value)


def test_empty_file() -> None:
    """An empty file is not a scenario that checks nothing."""
    with pytest.raises(ScenarioError) as caught:
        parse_scenario("", "empty.yaml")
    assert "empty.yaml:1:1: expected a document, found an empty file" == str(caught.value)


def test_unreadable_file(tmp_path: Path) -> None:
    """A missing file is a ScenarioError too, so callers need one except clause."""
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert f"{path}: cannot read file: No such file or directory" == str(caught.value)


def test_bad_procedure_id_and_calls_type() -> None:
    """Wrong shapes are reported in the words the rest of sopflow uses."""
    text = "scenario: x\nprocedure: Test.Release\nstart: {role: front_desk}\nend: {calls: test.owner_call}\n"
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "x.yaml")
    expected = [
        "x.yaml:2:12: procedure: expected a procedure id such as 'business.release_tenant', found 'Test.Release'",
        "x.yaml:4:14: end.calls: expected a valid list, found 'test.owner_call'",
    ]
    assert expected == problems(caught.value)


def test_a_byte_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    """As in procedure files and logs: the line and column of the byte, not the codec's position."""
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"scenario: x\nprocedure: caf\xe9\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert f"{path}:2:15: the file is not UTF-8 text: byte 0xe9 cannot start a character; save it as UTF-8" == str(
        caught.value
    )
