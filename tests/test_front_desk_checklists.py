"""The front desk's opening and closing checklists (document 001 三.1, 三.3), ticked through.

Scenario files can fire events and let time pass but cannot tick a checklist item, so the
scenarios of front_desk.opening and front_desk.closing stop at the refusal
ChecklistIncomplete. These tests tick the items through the Session API, as a host does, in
each language, and open and close the desk.
"""

from __future__ import annotations

import pytest

import sopflow
from sopflow.errors import ChecklistIncomplete, InvalidEventData, NoBranchMatched, RoleNotAllowed

LANGUAGES = ["zh-Hant", "zh-Hans", "en"]
OPENING = [
    "doors_and_lights",
    "meeting_room_doors",
    "desk_cleaned",
    "desk_sound",
    "cupboards_and_drawers",
    "desktop",
    "area_opposite",
    "phone_booth",
    "carpets",
]
OPENING_FIRST_ITEM = {"zh-Hans": "要做好开门、开灯工作。", "zh-Hant": "要做好開門、開燈工作。", "en": "Open the doors"}
CLOSING = ["meeting_rooms_dark_and_shut", "telephones_and_keys", "bins"]


@pytest.fixture(scope="module")
def library() -> sopflow.Library:
    return sopflow.load_library()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_desk_opens_once_every_required_item_is_ticked(library: sopflow.Library, lang: str) -> None:
    """At 8:30 the routine begins; each required item is needed, the downlights are not."""
    clock = sopflow.ManualClock("2026-03-06T17:45:00+08:00")
    session = library.start("front_desk.opening", clock=clock, role="front_desk", lang=lang, strict=True)
    clock.advance("14h 45m")
    session.advance()
    step = session.step()
    assert "open_up" == step.state
    assert [*OPENING[:2], "downlights", *OPENING[2:]] == [c.name for c in step.checklist]
    assert ["downlights"] == [c.name for c in step.checklist if not c.required]
    assert OPENING_FIRST_ITEM[lang] in step.checklist[0].text
    for item in OPENING:
        with pytest.raises(ChecklistIncomplete):
            session.fire("desk_open", role="front_desk")
        step = session.check(item, role="front_desk")
    assert all(c.ticked for c in step.checklist if c.required)
    assert not next(c for c in step.checklist if c.name == "downlights").ticked
    step = session.fire("desk_open", role="front_desk")
    assert ("desk_opened", "completed") == (step.state, step.outcome)
    assert OPENING == [e.event for e in session.journal if e.kind == "check"]


def test_only_the_front_desk_ticks_an_opening_item_and_only_once(library: sopflow.Library) -> None:
    clock = sopflow.ManualClock("2026-03-02T08:20:00+08:00")
    session = library.start("front_desk.opening", clock=clock, role="front_desk", strict=True)
    with pytest.raises(InvalidEventData):
        session.check("doors_and_lights", role="front_desk")  # not before the routine
    session.fire("arrived_at_post", role="front_desk")
    with pytest.raises(RoleNotAllowed):
        session.check("doors_and_lights", role="foreman")
    session.check("downlights", role="front_desk")
    with pytest.raises(InvalidEventData):
        session.check("downlights", role="front_desk")
    with pytest.raises(ChecklistIncomplete):
        session.fire("desk_open", role="front_desk")  # the optional item does not open the desk


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_desk_closes_once_every_item_is_ticked(library: sopflow.Library, lang: str) -> None:
    clock = sopflow.ManualClock("2026-03-02T17:20:00+08:00")
    session = library.start("front_desk.closing", clock=clock, role="front_desk", lang=lang, strict=True)
    step = session.step()
    assert CLOSING == [c.name for c in step.checklist]
    assert all(c.required for c in step.checklist)
    for item in CLOSING:
        with pytest.raises(ChecklistIncomplete):
            session.fire("desk_closed", role="front_desk")
        session.check(item, role="front_desk")
    step = session.fire("desk_closed", role="front_desk")
    assert ("closed", "completed") == (step.state, step.outcome)


def test_closing_ticks_survive_the_carpet_events(library: sopflow.Library) -> None:
    """A stain found after the items are ticked keeps the ticks, and holds the desk until the PA team is told."""
    clock = sopflow.ManualClock("2026-03-02T17:20:00+08:00")
    session = library.start("front_desk.closing", clock=clock, role="front_desk", strict=True)
    for item in CLOSING:
        session.check(item, role="front_desk")
    session.fire("carpet_stains_found", role="front_desk", data={"stained_carpets": "一号会议室门口地毯"})
    assert all(c.ticked for c in session.step().checklist)
    with pytest.raises(NoBranchMatched):
        session.fire("desk_closed", role="front_desk")
    session.fire("pa_team_notified", role="pa_team")
    step = session.fire("desk_closed", role="front_desk")
    assert ("closed", "completed") == (step.state, step.outcome)
