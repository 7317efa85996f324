"""The explorer: every reachable configuration, what can go wrong there, and the shortest way to it."""

from __future__ import annotations

import pytest

import sopflow
from sopflow.analysis.explore import explore
from sopflow.analysis.verify import verify
from sopflow.errors import ProcedureInvalid

HEAD = """
sopflow: 1
procedure:
  id: t.x
  version: 1
  title: {en: X}
  languages: [en]
  roles: {desk: {title: {en: desk}}, boss: {title: {en: boss}}}
"""

FEES = (
    HEAD
    + """
  fields:
    amount: {type: decimal}
    paid: {type: bool, default: false}
  invariants:
    paid_before_release: "state != 'released' or paid or amount < 100"
  initial: check
  states:
    check:
      role: desk
      on:
        fees_checked:
          data: [amount]
          branches:
            - {if: "amount > 100", to: collect}
            - to: released
    collect:
      role: desk
      on: {pay: {to: released, set: {paid: "true"}}}
    released: {final: completed}
"""
)


FIGURES = (13, 12)
"""The sound fee procedure: the start, seven amounts tried at the boundaries of 0 and 100, five paid."""


def lib(text: str) -> sopflow.Library:
    return sopflow.load_string(text)


def codes(text: str, pid: str = "t.x") -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in verify(lib(text)[pid]).findings:
        found.setdefault(f.code, []).append(f.message)
    return found


def test_the_boundary_of_a_guard_finds_a_broken_invariant() -> None:
    """``amount > 100`` lets exactly 100 through unpaid, which the invariant forbids: 100 is tried as the boundary."""
    report = verify(lib(FEES)["t.x"])
    broken = [f for f in report.findings if f.code == "invariant-broken"]
    assert 1 == len(broken)
    assert ["start t.x as desk", "desk fires fees_checked with amount=100"] == [a.describe() for a in broken[0].path]
    assert (False, True) == (report.ok, report.space.complete)


def test_a_sound_procedure_has_no_findings_and_its_figures() -> None:
    sound = FEES.replace("amount > 100", "amount > 0")
    report = verify(lib(sound)["t.x"])
    assert ([], True) == ([f.code for f in report.findings], report.ok)
    assert {"configurations": FIGURES[0], "transitions": FIGURES[1], "depth": 2, "refused": 0, "complete": True} == (
        report.figures
    )


def test_stuck_sessions_are_found_with_the_way_there() -> None:
    text = (
        HEAD
        + """
  fields: {n: {type: int, default: 0}}
  initial: a
  states:
    a:
      role: desk
      on: {go: b, loop: c}
    b:
      role: desk
      on: {never: {branches: [{if: "n > 5 and n < 3", to: done}]}}
    c:
      role: desk
      on: {again: d}
    d:
      role: desk
      on: {back: c}
    done: {final: completed}
  lint:
    ignore:
      - {rule: no-fallback, where: b.never, reason: test}
"""
    )
    found = verify(lib(text)["t.x"]).findings
    stuck = [f for f in found if f.code == "deadlock"]
    endless = [f.state for f in found if f.code == "cannot-finish"]
    assert ["a session can get stuck in 'b'"] == [f.message.split(":")[0] for f in stuck]
    assert ["start", "fire"] == [a.kind for a in stuck[0].path]
    assert ["a", "c", "d"] == endless  # from the start too: every way out ends stuck or loops
    assert {"event-never": ["event 'never' never moves a session"]}.items() <= codes(text).items()


def test_a_counter_that_only_grows_is_held_at_its_guards_edge() -> None:
    """A loop that counts would be endless; past its guard's constant the count is one configuration."""
    text = (
        HEAD
        + """
  fields: {visits: {type: int, default: 0}}
  initial: visiting
  states:
    visiting:
      role: desk
      on:
        visit: {to: visiting, set: {visits: "visits + 1"}}
        close:
          branches:
            - {if: "visits > 2", to: done}
            - to: early
    done: {final: completed}
    early: {final: refused}
"""
    )
    report = verify(lib(text)["t.x"])
    assert (True, []) == (report.space.complete, [f.code for f in report.findings])
    assert len(report.space.nodes) <= 8


def test_within_one_state_the_shortest_timer_fires_first() -> None:
    """A 3-minute timer always beats a 5-minute one: the 5-minute timer never runs out."""
    text = (
        HEAD
        + """
  initial: wait
  states:
    wait:
      role: desk
      timers:
        short: {after: 3 minutes, to: early}
        long: {after: 5 minutes, to: late}
      on: {done: early}
    early: {final: completed}
    late: {final: refused}
  lint:
    ignore:
      - {rule: timer-never-fires, where: wait, reason: test}
      - {rule: unreachable-state, where: late, reason: test}
"""
    )
    found = codes(text)
    assert ["timer 'long' never runs out"] == found["timer-never"]
    assert ["'late' is never entered"] == found["state-never"]


def test_the_limit_is_reported_and_nothing_unseen_is_claimed() -> None:
    report = verify(lib(FEES.replace("amount > 100", "amount > 0"))["t.x"], limit=2)
    assert (False, ["limit-reached"]) == (report.space.complete, [f.code for f in report.findings])


BUNDLED = sopflow.load_library()


@pytest.mark.parametrize("bound", [{"limit": 3}, {"budget": 10}], ids=["configurations", "steps"])
@pytest.mark.parametrize("pid", sorted(BUNDLED))
def test_a_bound_claims_no_stuck_session_it_did_not_see_through(pid: str, bound: dict[str, int]) -> None:
    """None of the bundled procedures can get stuck: stopped early, a configuration whose moves
    were not all followed (dropped past the limit, or never tried within the step budget) is
    no deadlock and no dead end; it used to be reported as both."""
    report = verify(BUNDLED[pid], **bound)
    if report.space.complete:
        return  # small enough to finish within the bound
    which = "limit" if "limit" in bound else "step budget"
    assert [("limit-reached", which)] == [
        (f.code, which) for f in report.findings if f.code in ("limit-reached", "deadlock", "cannot-finish")
    ]
    assert f"raise the {which} to see the rest" in next(f.message for f in report.findings if f.code == "limit-reached")


def test_the_step_budget_stops_an_exploration_whose_configurations_offer_hundreds_of_moves() -> None:
    """Few configurations, each with many events and data combinations: bounded in work, not only in size."""
    space = explore(BUNDLED["business.release_tenant"], budget=100)
    assert (False, "steps") == (space.complete, space.stopped_by)
    assert 100 <= space.steps < 100 + 200  # it finishes the configuration it is on
    assert space.frontier
    assert all(i < len(space.nodes) for i in space.frontier)


PROPERTIES = (
    HEAD
    + """
  fields: {arrears: {type: bool, default: false}}
  uses: []
  properties:
    owner_called_first:
      text: {en: "The owner is called before the slip is issued"}
      first: {event: owner_agrees}
      then: {reached: slip}
    no_release_in_arrears:
      never: {event: release}
      while: "arrears"
    complaint_always_possible:
      always_available: complain
    complaint_followed_up:
      after: {event: complain}
      eventually: {reached: followed_up}
  initial: desk
  states:
    desk:
      role: desk
      on:
        note_arrears: {to: desk, set: {arrears: "true"}}
        call_owner: calling
        skip_call: slip
        complain: complaint
    calling:
      role: desk
      on: {owner_agrees: slip, complain: complaint}
    slip:
      role: desk
      on: {release: released, complain: complaint}
    complaint:
      role: boss
      on: {follow_up: followed_up, drop: dropped}
    followed_up: {final: completed}
    dropped: {final: refused}
    released: {final: completed}
"""
)


def test_each_property_pattern_is_broken_with_the_shortest_way() -> None:
    report = verify(lib(PROPERTIES)["t.x"])
    broken = {f.message.split("'")[1]: f for f in report.findings if f.code == "property-broken"}
    assert {"owner_called_first", "no_release_in_arrears", "complaint_always_possible", "complaint_followed_up"} == set(
        broken
    )
    assert ["start", "fire"] == [a.kind for a in broken["owner_called_first"].path]
    assert "skip_call" == broken["owner_called_first"].path[-1].name
    assert ["note_arrears", "skip_call", "release"] == [a.name for a in broken["no_release_in_arrears"].path[1:]]
    assert "cannot be fired in 'complaint'" in broken["complaint_always_possible"].message
    assert (
        "drop" == broken["complaint_followed_up"].path[-1].name or "complaint" in broken["complaint_followed_up"].state
    )


def test_properties_that_hold_are_not_reported() -> None:
    fixed = (
        PROPERTIES.replace("        skip_call: slip\n", "")
        .replace('        note_arrears: {to: desk, set: {arrears: "true"}}\n', "")
        .replace(
            "      on: {follow_up: followed_up, drop: dropped}",
            "      on: {follow_up: followed_up, complain: complaint}",
        )
        .replace("    dropped: {final: refused}\n", "")
    )
    assert [] == [f.message for f in verify(lib(fixed)["t.x"]).findings if f.code == "property-broken"]


def test_a_property_naming_what_the_procedure_lacks_is_a_located_error() -> None:
    with pytest.raises(ProcedureInvalid) as caught:
        lib(PROPERTIES.replace("first: {event: owner_agrees}", "first: {event: owner_agreed}"))
    assert "unknown event 'owner_agreed'; did you mean 'owner_agrees'?" in str(caught.value)
    with pytest.raises(ProcedureInvalid, match="exactly one of"):
        lib(
            PROPERTIES.replace(
                "      first: {event: owner_agrees}\n",
                "      never: {event: owner_agrees}\n      first: {event: owner_agrees}\n",
            )
        )


ONLY_BY = PROPERTIES.replace(
    """    complaint_always_possible:
      always_available: complain
""",
    """    only_the_boss_follows_up:
      only: {event: follow_up}
      by: [boss]
""",
)


def test_only_by_is_broken_when_another_role_may_do_it() -> None:
    """A follow-up the desk may record too breaks 'only the boss follows up', at the desk's firing."""
    widened = ONLY_BY.replace("on: {follow_up: followed_up,", "on: {follow_up: {to: followed_up, roles: [boss, desk]},")
    found = [f for f in verify(lib(widened)["t.x"]).findings if "only_the_boss" in f.message]
    assert (["follow_up"], "desk") == ([f.path[-1].name for f in found], found[0].path[-1].role)
    assert [] == [f for f in verify(lib(ONLY_BY)["t.x"]).findings if "only_the_boss" in f.message]
    with pytest.raises(ProcedureInvalid, match="unknown role 'bos'"):
        lib(ONLY_BY.replace("by: [boss]", "by: [bos]"))


def test_the_bundled_library_has_no_reachable_problem() -> None:
    """Every bundled procedure is explored completely, and none can break an invariant or get stuck."""
    library = sopflow.load_library()
    reports = {pid: verify(library[pid]) for pid in library}
    assert {pid: [] for pid in library} == {
        pid: [f"{f.code}: {f.message}" for f in r.findings if f.severity == "error" or f.code == "limit-reached"]
        for pid, r in reports.items()
    }


def test_explore_uses_the_kernel_refusals_without_counting_them_as_moves() -> None:
    space = explore(lib(FEES)["t.x"])
    assert space.refused == 0
    assert {("t.x", "check"), ("t.x", "collect"), ("t.x", "released")} == space.states


def test_the_data_keys_remembered_stay_bounded_however_long_the_exploration() -> None:
    """Each remembered key keeps its step's data alive: a million steps kept them all (1.4 GB, not 0.3)."""
    from sopflow.analysis.explore import _SEEN_DATA, NOW, _Relevant
    from sopflow.runtime.kernel import start

    procedure = BUNDLED["business.payment"]
    role = sorted(procedure.roles)[0]
    frame = start(procedure, session="s", at=NOW, role=role, data={}, lang="en").config.frames[0]
    relevant = _Relevant()
    keys = {relevant.data(frame._replace(data={**frame.data, "x": i % 3})) for i in range(_SEEN_DATA + 10)}
    assert len(relevant._seen) <= _SEEN_DATA
    assert 1 == len(keys)  # a field no guard reads is no part of the key, remembered or not
