"""Sessions as a host drives them: steps, refusals, timers, calls, snapshots and replay."""

from __future__ import annotations

import datetime as dt

import pytest

import sopflow
from sopflow.errors import (
    ClockError,
    EventNotAllowed,
    InvalidEventData,
    InvariantViolated,
    NoBranchMatched,
    RequiredDataMissing,
    RoleNotAllowed,
    SessionFinished,
    SnapshotError,
)
from tests.conftest import FIXTURES, drive_to_owner_call

FIXTURE_RELEASE = (FIXTURES / "release.yaml").read_text(encoding="utf-8")
POLICY = (FIXTURES / "policy.yaml").read_text(encoding="utf-8")
OWNER_CALL = (FIXTURES / "owner_call.yaml").read_text(encoding="utf-8")


def without_journal(session: sopflow.Session) -> dict[str, object]:
    """What a refusal must leave alone: the snapshot but for its journal and entry count."""
    snapshot = session.snapshot(journal=False)
    del snapshot["seq"]
    return snapshot


def test_step_says_what_to_do_in_each_language(release: sopflow.Session) -> None:
    """The current step is rendered in the language asked for."""
    assert ("Please show your ID.", "請您出示身份證。") == (release.step("en").say, release.step("zh-Hant").say)


def test_step_lists_events_roles_and_missing_data(release: sopflow.Session) -> None:
    """A step lists what may happen next, who may fire it, and what data the state still needs."""
    step = release.step()
    assert (("id_copied", "checked", "customer_dissatisfied"), ("front_desk",), ("id_copy",)) == (
        tuple(e.name for e in step.events),
        step.events[0].roles,
        step.missing,
    )


def test_allowed_filters_by_role(release: sopflow.Session) -> None:
    """Asking for a role's events leaves out what that role may not fire."""
    assert ([], ["id_copied", "checked", "customer_dissatisfied"]) == (
        release.allowed("tenant"),
        release.allowed("front_desk"),
    )


def test_placeholders_are_filled_from_data(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """Placeholders show session data; lists are joined the way each language writes them."""
    session = library.start("test.release", clock=clock, role="front_desk", data={"unit": "3-1201"})
    drive_to_owner_call(session)
    assert ("Unit 3-1201 is moving out TV, sofa; do you agree?", "3-1201 需要搬出 TV、sofa,您是否同意?") == (
        session.step("en").say,
        session.step("zh-Hant").say,
    )


def test_unset_placeholder_is_marked(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """A field not captured yet shows as [name], never as 'None'."""
    session = library.start("test.owner_call", clock=clock, role="front_desk", lang="en")
    assert "Unit [unit] is moving out ; do you agree?" == session.step().say


@pytest.mark.parametrize(
    ("event", "role", "data", "error"),
    [
        ("signed", "front_desk", None, EventNotAllowed),
        ("checked", "tenant", None, RoleNotAllowed),
        ("id_copied", "front_desk", {"id_copy": 42}, InvalidEventData),
        ("id_copied", "front_desk", {"id_cpy": "x"}, InvalidEventData),
        ("id_copied", "front_desk", None, InvalidEventData),
        ("checked", "front_desk", None, RequiredDataMissing),
    ],
)
def test_refusal_changes_nothing_and_is_journaled(
    release: sopflow.Session, event: str, role: str, data: dict[str, object] | None, error: type[Exception]
) -> None:
    """Every kind of refusal raises its own error, leaves the session as it was, and is journaled."""
    before = without_journal(release)
    with pytest.raises(error):
        release.fire(event, role=role, data=data)
    assert (before, "refused", event) == (without_journal(release), release.journal[-1].kind, release.journal[-1].event)


def test_refusal_says_what_is_allowed(release: sopflow.Session) -> None:
    """A refused event tells the host what is possible instead, with a did-you-mean."""
    with pytest.raises(EventNotAllowed) as caught:
        release.fire("id_copy", role="front_desk")
    assert (
        "'id_copy' is not possible in state 'check_id'; did you mean 'id_copied'?; allowed now: "
        "id_copied, checked, customer_dissatisfied"
    ) == caught.value.message
    assert ("check_id", ("id_copied", "checked", "customer_dissatisfied")) == (caught.value.state, caught.value.allowed)


def test_guarded_branches_pick_the_first_that_holds(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """Arrears take the refusal branch; the message names months and amount."""
    session = library.start("test.release", clock=clock, role="front_desk", lang="en")
    session.fire("id_copied", role="front_desk", data={"id_copy": "x"})
    session.fire("checked", role="front_desk")
    step = session.fire("fees_checked", role="front_desk", data={"arrears_months": 2, "arrears_amount": "1200.50"})
    assert ("refused", "You still owe 2 months, 1200.50 yuan.") == (step.outcome, step.say)


def test_no_branch_matched_is_a_refusal(clock: sopflow.ManualClock) -> None:
    """When every guard is false and there is no fallback, the event is refused."""
    lib = sopflow.load_string(
        """\
sopflow: 1
procedure:
  id: t.guard
  version: 1
  title: {en: G}
  languages: [en]
  roles: {desk: {title: {en: Desk}}}
  fields: {n: {type: int}}
  initial: a
  states:
    a:
      role: desk
      on:
        go: {data: [n], branches: [{if: "n > 5", to: b}]}
    b: {final: completed}
"""
    )
    session = lib.start("t.guard", clock=clock, role="desk")
    with pytest.raises(NoBranchMatched):
        session.fire("go", role="desk", data={"n": 1})
    assert "b" == session.fire("go", role="desk", data={"n": 6}).state


def test_timers_fire_on_advance_at_their_deadline(release: sopflow.Session, clock: sopflow.ManualClock) -> None:
    """A timer fires when the host advances past its deadline, journaled at the deadline itself."""
    drive_to_owner_call(release)
    release.fire("owner_answers", role="front_desk", data={"consent": True})
    clock.advance("9 minutes")
    assert [] == release.advance()
    clock.advance("2 minutes")
    fired = release.advance()
    assert (["timer"], dt.datetime(2026, 3, 2, 9, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), "refused") == (
        [e.kind for e in fired],
        fired[0].at,
        release.outcome,
    )


def test_due_timers_are_noticed_on_the_next_fire(release: sopflow.Session, clock: sopflow.ManualClock) -> None:
    """A fire after a deadline first applies the timer; the late event is then refused."""
    drive_to_owner_call(release)
    release.fire("owner_answers", role="front_desk", data={"consent": True})
    clock.advance("15 minutes")
    with pytest.raises(SessionFinished):
        release.fire("signed", role="tenant")
    assert ["timer", "refused"] == [e.kind for e in release.journal[-2:]]


def test_ladder_escalates_every_three_minutes(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """The inquiry ladder moves to the CS supervisor after 3 minutes and the director after 3 more."""
    session = library.start("test.inquiry", clock=clock, role="front_desk")
    session.fire("found", role="front_desk")
    seen = [session.state]
    for _ in range(3):
        clock.advance("3 minutes")
        session.advance()
        seen.append(session.state)
    assert ["explain@colleague", "explain@cs_supervisor", "explain@office_director", "explain@office_director"] == seen
    assert ("Director handles it.", "office_director") == (session.step().say, session.step().role)


def test_ladder_level_role_may_answer(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """Explained in time: no escalation, and the colleague fires the answer."""
    session = library.start("test.inquiry", clock=clock, role="front_desk")
    session.fire("found", role="front_desk")
    clock.advance("2 minutes")
    assert "completed" == session.fire("explained", role="colleague").outcome


def test_call_runs_a_child_and_returns_its_result(release: sopflow.Session) -> None:
    """The owner call runs nested; its answer is copied back and its outcome picks the next state."""
    drive_to_owner_call(release)
    assert ("call_owner", "ask") == release.path
    step = release.fire("owner_answers", role="front_desk", data={"consent": True})
    assert (("sign",), True) == (step.path, release.frames[0].data["owner_consent"])
    assert ["call", "fire", "return"] == [e.kind for e in release.journal[-3:]]


def test_child_refusal_leaves_parent_and_child_unchanged(release: sopflow.Session) -> None:
    """The tenant cannot answer for the owner: refused inside the child, nothing changes."""
    drive_to_owner_call(release)
    before = without_journal(release)
    with pytest.raises(RoleNotAllowed):
        release.fire("owner_answers", role="tenant", data={"consent": True})
    assert before == without_journal(release)


def test_policy_event_inside_a_child_maps_its_outcome(release: sopflow.Session) -> None:
    """Escalating during the owner call ends the child as escalated, and the parent follows."""
    drive_to_owner_call(release)
    step = release.fire("customer_dissatisfied", role="front_desk", data={"escalate_to": "cs_supervisor"})
    assert ("escalated", "Passing you to cs_supervisor.") == (step.outcome, step.say)


def test_strict_mode_refuses_a_step_that_breaks_an_invariant(
    library: sopflow.Library, clock: sopflow.ManualClock
) -> None:
    """An invariant broken by a step refuses the step in strict mode and changes nothing."""
    lib = sopflow.load_string(
        """\
sopflow: 1
procedure:
  id: t.inv
  version: 1
  title: {en: I}
  languages: [en]
  roles: {desk: {title: {en: Desk}}}
  fields: {slip: {type: bool, default: false}, consent: {type: bool, default: false}}
  invariants: {slip_needs_consent: "not slip or consent"}
  initial: a
  states:
    a:
      role: desk
      on: {issue: {set: {slip: "true"}, to: b}}
    b: {final: completed}
"""
    )
    strict = lib.start("t.inv", clock=clock, role="desk", strict=True)
    before = without_journal(strict)
    with pytest.raises(InvariantViolated, match="slip_needs_consent"):
        strict.fire("issue", role="desk")
    lenient = lib.start("t.inv", clock=clock, role="desk")
    assert (before, "completed") == (without_journal(strict), lenient.fire("issue", role="desk").outcome)


def test_finished_session_refuses_everything(release: sopflow.Session) -> None:
    """After the outcome, any fire is refused with SessionFinished."""
    release.fire("customer_dissatisfied", role="front_desk", data={"escalate_to": "relevant_person"})
    with pytest.raises(SessionFinished):
        release.fire("checked", role="front_desk")


def test_snapshot_restore_gives_an_equal_session(
    library: sopflow.Library, release: sopflow.Session, clock: sopflow.ManualClock
) -> None:
    """A snapshot is JSON; restoring it gives an equal session that carries on identically."""
    import json

    drive_to_owner_call(release)
    restored = library.restore(json.loads(json.dumps(release.snapshot())), clock)
    assert restored == release
    for session in (release, restored):
        session.fire("owner_answers", role="owner", data={"consent": False})
    assert restored.snapshot() == release.snapshot()


def test_replay_reproduces_the_snapshot(
    library: sopflow.Library, release: sopflow.Session, clock: sopflow.ManualClock
) -> None:
    """Replaying the journal, refusals and timers included, gives exactly the same snapshot."""
    drive_to_owner_call(release)
    with pytest.raises(RoleNotAllowed):
        release.fire("owner_answers", role="tenant", data={"consent": True})
    release.fire("owner_answers", role="front_desk", data={"consent": True})
    clock.advance("12 minutes")
    release.advance()
    assert release.snapshot() == library.replay(release.snapshot()["journal"]).snapshot()


def test_restore_refuses_another_version(
    library: sopflow.Library, release: sopflow.Session, clock: sopflow.ManualClock
) -> None:
    """A snapshot of another procedure version is refused with a clear error."""
    snapshot = release.snapshot()
    snapshot["frames"][0]["version"] = 7
    with pytest.raises(SnapshotError, match=r"frames\.0: 'test.release' has no version 7; the library holds version 1"):
        library.restore(snapshot, clock)


def test_private_fields_are_redacted_in_rendered_journal(release: sopflow.Session) -> None:
    """The ID copy is in the session but never in a rendered log."""
    release.fire("id_copied", role="front_desk", data={"id_copy": "scan-001"})
    entry = release.journal[-1]
    assert ({"id_copy": "scan-001"}, {"id_copy": "***"}) == (
        entry.as_dict()["data"],
        entry.redacted(release.procedure.private)["data"],
    )


def test_clock_refuses_to_go_backwards(clock: sopflow.ManualClock) -> None:
    """A manual clock never goes back in time."""
    with pytest.raises(ClockError):
        clock.set(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))


def test_naive_times_are_refused() -> None:
    """A time without a zone is ambiguous at a desk and refused."""
    with pytest.raises(ClockError, match="timezone-aware"):
        sopflow.ManualClock(dt.datetime(2026, 1, 1))


def test_start_refuses_unknown_fields_and_roles(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """Start data and the starting role are validated like event data."""
    with pytest.raises(InvalidEventData, match="has no field 'unti'"):
        library.start("test.release", clock=clock, role="front_desk", data={"unti": "x"})
    with pytest.raises(InvalidEventData, match="has no role 'owner'"):
        library.start("test.release", clock=clock, role="owner")


def test_unknown_procedure_suggests_the_nearest(library: sopflow.Library) -> None:
    """Asking the library for a misspelt id suggests the right one."""
    with pytest.raises(sopflow.DefinitionError, match=r"did you mean 'test\.release'"):
        library["test.relase"]


STATE_AWARE = """\
sopflow: 1
procedure:
  id: t.state_aware
  version: 1
  title: {en: S}
  languages: [en]
  roles: {desk: {title: {en: Desk}}, supervisor: {title: {en: Supervisor}}}
  fields:
    answered_in: {type: str}
    visit_at: {type: time}
  ladders:
    ladder:
      levels: [{role: desk, within: 3 minutes}, {role: supervisor}]
  initial: explain
  states:
    explain:
      ladder: ladder
      say: {en: "Visit at {visit_at}."}
      on:
        explained:
          roles: [desk, supervisor]
          optional: [visit_at]
          set: {answered_in: state}
          branches:
            - {if: "state == 'explain@desk'", to: done}
            - {to: late}
    done: {final: completed}
    late: {final: escalated}
"""


def test_guards_and_assignments_read_the_current_state(clock: sopflow.ManualClock) -> None:
    """`state` in a guard is the expanded state the event leaves; it can be stored in a text field."""
    library = sopflow.load_string(STATE_AWARE)
    early = library.start("t.state_aware", clock=clock, role="desk")
    late = library.start("t.state_aware", clock=clock, role="desk")
    early_outcome = early.fire("explained", role="desk").outcome
    clock.advance("4 minutes")
    late.advance()
    assert ("completed", "escalated") == (early_outcome, late.fire("explained", role="supervisor").outcome)
    assert ("explain@desk", "explain@supervisor") == (
        early.frames[0].data["answered_in"],
        late.frames[0].data["answered_in"],
    )
    assert "done" == library["t.state_aware"].ir.step("explain@desk", "explained")


def test_times_render_as_a_desk_says_them(clock: sopflow.ManualClock) -> None:
    """A time on the hour and minute renders as 14:00, not 14:00:00."""
    session = sopflow.load_string(STATE_AWARE).start(
        "t.state_aware", clock=clock, role="desk", data={"visit_at": "14:00"}
    )
    assert "Visit at 14:00." == session.step().say


def test_refusal_never_quotes_a_private_value(release: sopflow.Session) -> None:
    """Bad data for a private field is refused without the value reaching the journal."""
    with pytest.raises(InvalidEventData):
        release.fire("id_copied", role="front_desk", data={"id_copy": 12345678})
    assert "12345678" not in (release.journal[-1].detail or "")


def test_requires_does_not_block_an_event_that_stays(library: sopflow.Library, clock: sopflow.ManualClock) -> None:
    """Capturing the required data is allowed; only leaving the state needs it."""
    session = library.start("test.release", clock=clock, role="front_desk")
    assert "check_id" == session.fire("id_copied", role="front_desk", data={"id_copy": "x"}).state


def test_strict_sessions_cross_check_the_transitions_machine(
    library: sopflow.Library, clock: sopflow.ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In strict mode every step also runs on the transitions machine; a disagreement is an error."""
    from sopflow.compile import machine
    from sopflow.errors import EngineDisagreement

    session = library.start("test.release", clock=clock, role="front_desk", strict=True)
    session.fire("id_copied", role="front_desk", data={"id_copy": "x"})
    monkeypatch.setattr(machine, "fire", lambda *args: ("no_consent", True, None))
    with pytest.raises(EngineDisagreement, match="the transitions machine went to 'no_consent'"):
        session.fire("checked", role="front_desk")


def test_bare_placeholder_is_a_load_error() -> None:
    """`{}` names no field: refused when loading, not when the desk renders the line."""
    broken = (FIXTURE_RELEASE).replace("Which items?", "Which items {}?")
    with pytest.raises(sopflow.DefinitionError, match="must be a field's name"):
        sopflow.load_string(POLICY, OWNER_CALL, broken)


INTERRUPTIBLE = """\
sopflow: 1
procedure:
  id: t.serving_a
  version: 1
  title: {en: Serving A}
  languages: [en]
  roles: {desk: {title: {en: Desk}}}
  initial: serving
  states:
    serving:
      role: desk
      say: {en: "Serving A."}
      on:
        b_arrives:
          call: {procedure: t.greet_b, outcomes: {handed_over: resume, refused: b_left}}
        a_done: done
      timers:
        a_too_long: {after: 10 minutes, to: done}
    b_left: {final: refused}
    done: {final: completed}
---
sopflow: 1
procedure:
  id: t.greet_b
  version: 1
  title: {en: Greet B}
  languages: [en]
  roles: {desk: {title: {en: Desk}}}
  initial: b_waiting
  states:
    b_waiting:
      role: desk
      say: {en: "Please have a seat."}
      on: {colleague_found: handed, b_gives_up: gone}
    handed: {final: handed_over}
    gone: {final: refused}
"""


def interruptible(clock: sopflow.ManualClock) -> sopflow.Session:
    library = sopflow.load_string(*INTERRUPTIBLE.split("---\n"))
    return library.start("t.serving_a", clock=clock, role="desk")


def test_an_interruption_resumes_the_interrupted_state_with_its_timers(clock: sopflow.ManualClock) -> None:
    """An event-level call runs the interruption; 'resume' returns to the same state, timers intact."""
    session = interruptible(clock)
    deadline = session.step().timers[0].due
    clock.advance("2 minutes")
    assert ("serving", "b_waiting") == session.fire("b_arrives", role="desk").path
    step = session.fire("colleague_found", role="desk")
    assert (("serving",), "Serving A.", deadline) == (step.path, step.say, step.timers[0].due)


def test_an_interruption_outcome_can_move_the_parent(clock: sopflow.ManualClock) -> None:
    """An outcome mapped to a state moves the interrupted procedure there."""
    session = interruptible(clock)
    session.fire("b_arrives", role="desk")
    assert "refused" == session.fire("b_gives_up", role="desk").outcome


def test_a_parent_event_cancels_the_interruption(clock: sopflow.ManualClock) -> None:
    """An event only the parent has is handled by the parent and cancels the child, journaled."""
    session = interruptible(clock)
    session.fire("b_arrives", role="desk")
    step = session.fire("a_done", role="desk")
    assert ("completed", ["call", "fire", "cancel"]) == (
        step.outcome,
        [e.kind for e in session.journal[-3:]],
    )


def test_a_call_that_ends_without_an_answer_empties_the_parents_field(clock: sopflow.ManualClock) -> None:
    """``returns`` copies the child's field even when it is empty: an older answer does not survive a new call."""
    lib = sopflow.load_string(
        """\
sopflow: 1
procedure:
  id: t.parent
  version: 1
  title: {en: Parent}
  languages: [en]
  roles: {desk: {title: {en: Desk}}}
  fields: {consent: {type: bool}}
  initial: note
  states:
    note:
      role: desk
      on: {noted: {data: [consent], to: ask}}
    ask:
      role: desk
      call:
        procedure: t.child
        returns: {consent: answer}
        outcomes: {completed: done, pending_follow_up: done}
    done: {final: completed}
""",
        """\
sopflow: 1
procedure:
  id: t.child
  version: 1
  title: {en: Child}
  languages: [en]
  roles: {desk: {title: {en: Desk}}}
  fields: {answer: {type: bool}}
  initial: dial
  states:
    dial:
      role: desk
      on:
        picked_up: {data: [answer], to: answered}
        no_answer: {to: unreachable}
    answered: {final: completed}
    unreachable: {final: pending_follow_up}
""",
    )
    session = lib.start("t.parent", clock=clock, role="desk")
    session.fire("noted", role="desk", data={"consent": True})
    session.fire("no_answer", role="desk")
    assert ("completed", None) == (session.outcome, session.frames[0].data["consent"])
    assert {"consent": None} == dict(session.journal[-1].changes)
