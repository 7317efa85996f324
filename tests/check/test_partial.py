"""A file with schema errors still has the names and types of its valid parts checked, in the same run."""

from __future__ import annotations

from pathlib import Path

import pytest

import sopflow
from sopflow.check import check_documents
from sopflow.errors import ProcedureInvalid
from sopflow.io import load_file, load_text

FIXTURES = Path(__file__).parent.parent / "fixtures"
RELEASE = (FIXTURES / "release.yaml").read_text(encoding="utf-8")
POLICY = (FIXTURES / "policy.yaml").read_text(encoding="utf-8")
OWNER_CALL = (FIXTURES / "owner_call.yaml").read_text(encoding="utf-8")

BAD_FINAL = ("no_consent: {final: refused}", "no_consent: {final: refusd}")
UNKNOWN_TARGET = ('slip_issued: "true"}, to: done}', 'slip_issued: "true"}, to: dnoe}')
UNKNOWN_TARGET_FOUND = (
    "release.yaml:57:50: procedure.states.sign.on.signed.to: unknown state 'dnoe'; did you mean 'done'?"
)


def problems(release: str = RELEASE, policy: str = POLICY, owner_call: str = OWNER_CALL) -> list[str]:
    """Errors of the fixture library, each document given as text."""
    docs = [
        load_text(policy, "policy.yaml"),
        load_text(owner_call, "owner_call.yaml"),
        load_text(release, "release.yaml"),
    ]
    return [d.format() for d in check_documents(docs).diagnostics if d.severity == "error"]


def edit(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    return text


def test_a_schema_error_and_an_unknown_state_are_reported_together() -> None:
    """One bad state does not hide a wrong reference in another, nor make references to it 'unknown'."""
    assert [
        UNKNOWN_TARGET_FOUND,
        "release.yaml:63:25: procedure.states.no_consent.final: expected 'completed', 'refused', 'escalated', "
        "'handed_over', 'pending_follow_up' or 'referred', found 'refusd'",
    ] == problems(edit(RELEASE, BAD_FINAL, UNKNOWN_TARGET))


def test_an_unknown_key_in_a_state_leaves_the_rest_checked() -> None:
    """A misspelt key sets its state aside; a wrong reference in another state is still found."""
    text = edit(
        RELEASE,
        ('say: {en: "Please sign here."', 'sya: {en: "Please sign here."'),
        ("{data: [items], to: call_owner}", "{data: [items], to: cal_owner}"),
    )
    assert [
        "release.yaml:45:43: procedure.states.list_items.on.items_listed.to: unknown state 'cal_owner'; "
        "did you mean 'call_owner'?",
        "release.yaml:55:7: procedure.states.sign.sya: unknown key 'sya'; did you mean 'say'?",
    ] == problems(text)


def test_a_field_that_failed_is_not_unknown_to_guards() -> None:
    """A field with a schema error is reported once; guards and data naming it are not 'unknown field'."""
    text = edit(
        RELEASE,
        ("arrears_months: {type: int, default: 0}", "arrears_months: {type: integer, default: 0}"),
        ("initial: check_id", "initial: chek_id"),
    )
    assert [
        "release.yaml:14:28: procedure.fields.arrears_months.type: expected 'str', 'int', 'decimal', 'bool', "
        "'enum', 'list[str]', 'date', 'time' or 'datetime', found 'integer'",
        "release.yaml:23:12: procedure.initial: unknown state 'chek_id'; did you mean 'check_id'?",
    ] == problems(text)


def test_an_invalid_initial_is_reported_once() -> None:
    """An initial state that is not a name is a schema error, not also an unknown state."""
    text = edit(RELEASE, ("initial: check_id", "initial: Check ID"), UNKNOWN_TARGET)
    assert [
        "release.yaml:23:12: procedure.initial: expected a lower_snake_case name such as 'sign_slip', found 'Check ID'",
        UNKNOWN_TARGET_FOUND,
    ] == problems(text)


def test_a_broken_policy_state_is_not_unknown_to_its_users() -> None:
    """A procedure naming a policy's state that failed validation gets no 'unknown state'."""
    policy = edit(POLICY, ("final: escalated", "final: escalate"))
    found = problems(edit(RELEASE, UNKNOWN_TARGET), policy=policy)
    assert [UNKNOWN_TARGET_FOUND] == [f for f in found if f.startswith("release.yaml")]
    assert [True] == [f.startswith("policy.yaml:18:14: policy.states.escalated.final:") for f in found[:-1]]


def test_a_callee_with_a_broken_state_may_end_in_outcomes_not_seen() -> None:
    """Calls into a procedure with a state that failed are not told their outcomes are unmapped."""
    owner_call = edit(OWNER_CALL, ("declined: {final: refused}", "declined: {final: refusd}"))
    found = problems(edit(RELEASE, UNKNOWN_TARGET), owner_call=owner_call)
    assert [UNKNOWN_TARGET_FOUND] == [f for f in found if f.startswith("release.yaml")]


def test_a_callee_too_broken_to_check_is_not_an_unknown_procedure() -> None:
    """A document whose language version is wrong is reported; calls to its id are not 'unknown'."""
    owner_call = edit(OWNER_CALL, ("sopflow: 1", "sopflow: 2"))
    found = problems(edit(RELEASE, UNKNOWN_TARGET), owner_call=owner_call)
    assert ["owner_call.yaml:1:10: sopflow: expected 1, found 2", UNKNOWN_TARGET_FOUND] == found


def test_partial_procedures_are_checked_but_never_published() -> None:
    """Only procedures that validated whole are handed on to be compiled."""
    docs = [load_file(FIXTURES / "policy.yaml"), load_text(edit(RELEASE, BAD_FINAL), "release.yaml")]
    checked = check_documents(docs)
    assert ([], False) == (list(checked.procedures), checked.ok)


def test_load_string_lists_the_schema_error_and_the_name_error() -> None:
    """The library refuses the file once, with both problems in the one error."""
    with pytest.raises(ProcedureInvalid) as caught:
        sopflow.load_string(POLICY, OWNER_CALL, edit(RELEASE, BAD_FINAL, UNKNOWN_TARGET), source="lib")
    assert ["schema", "unknown-state"] == sorted(d.code for d in caught.value.diagnostics)
