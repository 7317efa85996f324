"""Data-flow lint: a required field nothing can set; a way back to its own state that restarts timers."""

from __future__ import annotations

import pytest

import sopflow
from sopflow.analysis import lint
from sopflow.errors import InvalidEventData
from tests.conftest import TIMER_LOOP

DESK = """
sopflow: 1
procedure:
  id: t.desk
  version: 1
  title: {en: Desk}
  languages: [en]
  roles: {desk: {title: {en: desk}}}
  fields:
    estate: {type: str}
    unit: {type: str}
  initial: greet
  START
  states:
    greet:
      role: desk
      requires: [estate, unit]
      on:
        noted: {data: [unit]}
        done: finished
    finished: {final: completed}
"""


def findings(text: str, rule: str) -> list[str]:
    return [d.message for d in lint(sopflow.load_string(text)) if d.code == rule]


def test_a_required_field_only_start_could_give_is_reported() -> None:
    """'estate' is required, no event carries it and start does not declare it."""
    messages = findings(DESK.replace("START", ""), "unsatisfiable-requires")
    assert 1 == len(messages)
    assert "requires 'estate'" in messages[0]


def test_declaring_start_data_satisfies_the_rule() -> None:
    """Once start declares 'estate', nothing is reported."""
    assert [] == findings(DESK.replace("START", "start: {data: [estate]}"), "unsatisfiable-requires")


def test_start_refuses_missing_declared_data() -> None:
    """A session cannot start without the data its procedure says the host must give."""
    library = sopflow.load_string(DESK.replace("START", "start: {data: [estate], optional: [unit]}"))
    with pytest.raises(InvalidEventData, match="needs 'estate' at start"):
        library.start("t.desk", clock=sopflow.ManualClock(), role="desk", data={"unit": "3"})
    session = library.start("t.desk", clock=sopflow.ManualClock(), role="desk", data={"estate": "Harbour"})
    assert "greet" == session.state


def test_start_data_names_are_checked() -> None:
    """A misspelt start field is a located error with a did-you-mean."""
    with pytest.raises(sopflow.DefinitionError, match=r"start\.data\.0: unknown field 'estat'; did you mean 'estate'"):
        sopflow.load_string(DESK.replace("START", "start: {data: [estat]}"))


TIMED = """
sopflow: 1
procedure:
  id: t.timed
  version: 1
  title: {en: Timed}
  languages: [en]
  roles: {desk: {title: {en: desk}}}
  initial: wait
  states:
    wait:
      role: desk
      source: {document: "000", section: s}
      timers:
        nudge: {after: 3 minutes, to: done}
      on:
        ping: WAY
        leave: done
    done: {final: completed}
"""


def test_a_way_back_with_to_in_a_timed_state_is_flagged() -> None:
    """'to: wait' from 'wait' re-enters the state and restarts 'nudge'."""
    messages = findings(TIMED.replace("WAY", "wait"), "restarts-timers")
    assert 1 == len(messages)
    assert "'ping' goes back to 'wait'" in messages[0]


def test_staying_without_to_is_not_flagged() -> None:
    """An event with no 'to' stays in the state, timers running: nothing to report."""
    assert [] == findings(TIMED.replace("WAY", "{title: {en: ping}}"), "restarts-timers")


LOOP = TIMER_LOOP
ROUND = "on: {done: finished}\n      timers: {back: {after: 2 minutes, to: waiting}}"


def test_timers_that_go_round_with_no_one_acting_are_reported_once() -> None:
    """waiting → other → waiting by timers alone: one finding, at the first state, with how often it goes round."""
    messages = findings(LOOP.replace("BACK", "other").replace("OTHER", ROUND), "timer-cycle")
    assert ["timers alone go round waiting → other → waiting every 3 min"] == [m.split(":")[0] for m in messages]


def test_a_timer_back_to_its_own_state_is_a_cycle_of_one() -> None:
    messages = findings(LOOP.replace("BACK", "waiting").replace("OTHER", ROUND), "timer-cycle")
    assert ["timers alone go round waiting → waiting every 1 min"] == [m.split(":")[0] for m in messages]


def test_a_cycle_a_person_must_close_is_not_reported() -> None:
    """'other' goes back to 'waiting' only when the desk fires 'resume': someone acts on every pass."""
    text = LOOP.replace("BACK", "other").replace("OTHER", "on: {resume: waiting, done: finished}")
    assert [] == findings(text, "timer-cycle")
