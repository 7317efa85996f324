"""The checker: every reference resolves and every expression types, all found in one pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from sopflow.check import check_documents
from sopflow.io import load_file, load_text

FIXTURES = Path(__file__).parent.parent / "fixtures"
RELEASE = (FIXTURES / "release.yaml").read_text(encoding="utf-8")


def problems(release_text: str) -> list[str]:
    """Check the fixture library with the release procedure replaced by ``release_text``."""
    docs = [
        load_file(FIXTURES / "policy.yaml"),
        load_file(FIXTURES / "owner_call.yaml"),
        load_text(release_text, "release.yaml"),
    ]
    return [d.format() for d in check_documents(docs).diagnostics if d.severity == "error"]


def test_fixture_library_is_clean() -> None:
    """The unchanged fixtures have no errors."""
    assert [] == problems(RELEASE)


def test_unknown_state_suggests_the_nearest() -> None:
    """A misspelt target names file, line, column, path and the state meant."""
    text = RELEASE.replace(
        'signed: {set: {slip_issued: "true"}, to: done}', 'signed: {set: {slip_issued: "true"}, to: dnoe}'
    )
    assert [
        "release.yaml:57:50: procedure.states.sign.on.signed.to: unknown state 'dnoe'; did you mean 'done'?"
    ] == problems(text)


def test_unknown_role_in_event() -> None:
    """An event fired by an undeclared role is an error at that role."""
    text = RELEASE.replace("    sign:\n      role: tenant", "    sign:\n      role: tennant")
    assert [
        "release.yaml:54:13: procedure.states.sign.role: unknown role 'tennant'; did you mean 'tenant'?"
    ] == problems(text)


def test_unknown_policy() -> None:
    """`uses` must name a policy of the library."""
    text = RELEASE.replace("uses: [test.escalate]", "uses: [test.escalat]")
    assert [
        "release.yaml:8:10: procedure.uses.0: unknown policy 'test.escalat'; did you mean 'test.escalate'?",
        "release.yaml:52:69: procedure.states.call_owner.call.outcomes.escalated: unknown state 'escalated'",
    ] == problems(text)


def test_guard_type_error_points_inside_the_expression() -> None:
    """A guard comparing a number with text is located at the operator's column."""
    text = RELEASE.replace('if: "arrears_months > 0"', "if: \"arrears_months > 'none'\"")
    found = problems(text)
    assert 1 == len(found)
    assert found[0].startswith("release.yaml:39:21: procedure.states.check_fees.on.fees_checked.branches.0.if: ")
    assert found[0].endswith("'>' needs two numbers (or two texts, dates or times), found int and str")


def test_assignment_type_is_checked_against_the_field() -> None:
    """Storing a number in a bool field is refused at load time."""
    text = RELEASE.replace('set: {slip_issued: "true"}', 'set: {slip_issued: "1"}')
    assert [
        "release.yaml:57:38: procedure.states.sign.on.signed.set.slip_issued: in '1': "
        "cannot store int in a field of type bool"
    ] == problems(text)


def test_call_must_map_every_outcome() -> None:
    """A call that forgets an outcome the callee can reach is refused."""
    text = RELEASE.replace(
        "outcomes: {completed: sign, refused: no_consent, escalated: escalated}",
        "outcomes: {completed: sign, refused: no_consent}",
    )
    found = problems(text)
    assert 1 == len(found)
    assert "'test.owner_call' can end escalated; map each outcome (or '*') to a state" in found[0]


def test_resume_only_for_event_calls() -> None:
    """A state-level call cannot 'resume': there is no interrupted state to return to."""
    text = RELEASE.replace("refused: no_consent, escalated", "refused: resume, escalated")
    assert any("'resume' only goes with a call made by an event" in p for p in problems(text))


def test_unknown_placeholder() -> None:
    """A `{placeholder}` must name a declared field."""
    text = RELEASE.replace("Which items?", "Which items, {tenant_nmae}?")
    assert ["release.yaml:43:17: procedure.states.list_items.say.en: unknown placeholder 'tenant_nmae'"] == problems(
        text
    )


def test_final_state_cannot_have_events() -> None:
    """A final state with events is a contradiction."""
    text = RELEASE.replace("no_consent: {final: refused}", "no_consent: {final: refused, on: {x: done}}")
    assert ["release.yaml:63:34: procedure.states.no_consent.on: a final state cannot have 'on'"] == problems(text)


def test_every_problem_in_one_pass() -> None:
    """Several mistakes are all reported together, in file order."""
    text = (
        RELEASE.replace("initial: check_id", "initial: chek_id")
        .replace("data: [items]", "data: [itmes]")
        .replace("uses: [test.escalate]", "uses: [test.escalate, nope]")
    )
    found = problems(text)
    assert [
        "release.yaml:8:25: procedure.uses.1: unknown policy 'nope'",
        "release.yaml:23:12: procedure.initial: unknown state 'chek_id'; did you mean 'check_id'?",
        "release.yaml:45:31: procedure.on.items_listed.data.0: unknown field 'itmes'; did you mean 'items'?",
    ] == [p.replace("procedure.states.list_items.on", "procedure.on") for p in found]


def test_duplicate_ids_are_refused() -> None:
    """Two documents may not share an id and a version."""
    docs = [load_file(FIXTURES / "policy.yaml"), load_file(FIXTURES / "policy.yaml")]
    found = [d.format() for d in check_documents(docs).diagnostics]
    assert 1 == len(found)
    assert "'test.escalate' version 1 is already defined by" in found[0]


@pytest.mark.parametrize("invariant", ["slip_issued + 1", "unknown_field"])
def test_invariants_are_typed(invariant: str) -> None:
    """Invariants must be conditions over declared fields."""
    text = RELEASE.replace('"not slip_issued or owner_consent"', f'"{invariant}"')
    assert 1 == len(problems(text))


def test_state_is_a_reserved_field_name() -> None:
    """A field called `state` would shadow the current state's name in expressions."""
    text = RELEASE.replace("    unit: {type: str}", "    unit: {type: str}\n    state: {type: str}")
    found = problems(text)
    assert 1 == len(found)
    assert found[0].endswith("'state' is reserved: expressions read it as the current state's name")
