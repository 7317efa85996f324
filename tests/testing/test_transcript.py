"""Transcripts: readable, immutable, and free of private data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import sopflow
from sopflow.testing import Transcript, load_scenario, run_scenario

SCENARIOS = Path(__file__).parent / "scenarios" / "passing"


def transcript(name: str, library: sopflow.Library, lang: str) -> Transcript:
    """The transcript of a passing scenario in ``lang``."""
    return run_scenario(load_scenario(SCENARIOS / name), library, lang)


def test_render_release_in_english(runner_library: sopflow.Library) -> None:
    """One line per action, what it set off and where it led below; `sopflow walk --script` prints this."""
    expected = [
        "09:00:00  desk-1 (front_desk)      starts test.release {unit: 3-1201}",
        '          → check_id  "Please show your ID."',
        "09:00:00  front_desk               fires id_copied {id_copy: ***}",
        '          → check_id  "Please show your ID."',
        "09:00:00  front_desk               fires checked",
        "          → check_fees",
        "09:00:00  front_desk               fires fees_checked {arrears_months: 0}",
        '          → list_items  "Which items?"',
        "09:00:00  front_desk               fires items_listed {items: [TV, sofa]}",
        "          ↳ calls test.owner_call {unit: 3-1201, items: [TV, sofa]}",
        '          → call_owner › ask  "Unit 3-1201 is moving out TV, sofa; do you agree?"',
        "09:00:00  owner-of-3-1201 (owner)  fires owner_answers {consent: true}",
        "          ↳ test.owner_call ended: completed",
        '          → sign  "Please sign here."',
        "09:00:00  tenant                   fires signed",
        "          → done",
        "          ■ outcome: completed",
    ]
    assert expected == transcript("release_owner_agrees.yaml", runner_library, "en").render()


def test_render_waits_timers_and_chinese_quotes(runner_library: sopflow.Library) -> None:
    """Chinese texts are quoted 「…」; a timer that runs out inside a call says which procedure it was."""
    expected = [
        "14:30:00  front_desk  fires items_listed {items: [bed, desk]}",
        "          ↳ calls test.owner_call {unit: 5-0803, items: [bed, desk]}",
        "          → call_owner › ask  「5-0803 需要搬出 bed、desk,您是否同意?」",
        "14:30:00              waits 20 minutes",
        "14:35:00              timer no_answer in test.owner_call runs out",
        "          ↳ test.owner_call ended: refused",
        "          → no_consent",
        "          ■ outcome: refused",
    ]
    assert expected == transcript("release_owner_silent.yaml", runner_library, "zh-Hant").render()[-8:]


def test_render_refusals(runner_library: sopflow.Library) -> None:
    """A refused step shows why, and no arrow: the session did not move."""
    lines = transcript("release_refusals.yaml", runner_library, "en").render()
    expected = [
        "09:00:00  front_desk  fires checked",
        "          ✗ refused: RequiredDataMissing: state 'check_id' needs 'id_copy' before 'checked'",
        "09:00:00  tenant      fires id_copied {id_copy: ***}",
        "          ✗ refused: RoleNotAllowed: role 'tenant' may not fire 'id_copied' in state 'check_id'; "
        "it is for: front_desk",
    ]
    assert expected == lines[2:6]


def test_render_shows_do_texts(runner_library: sopflow.Library) -> None:
    """What the desk must do is shown under what it says, in the language of the run."""
    lines = transcript("greeting_private.yaml", runner_library, "zh-Hant").render()
    expected = [
        "09:00:00  front_desk  starts testing.greeting {visitor_name: Chan}",
        "          → greet  「Chan,早上好。」",
    ]
    expected.append("            do: 起身微笑。")
    assert expected == lines[:3]


def test_private_fields_are_redacted_in_data_and_texts(runner_library: sopflow.Library) -> None:
    """A phone number is private: the step's data and the sentence that quotes it both show ***."""
    rendered = str(transcript("greeting_private.yaml", runner_library, "en"))
    expected = (False, True, True)
    actual = (
        "9123" in rendered,
        "fires phone_taken {phone: ***}" in rendered,
        '→ confirm  "We will call you on ***."' in rendered,
    )
    assert expected == actual


def test_private_value_quoted_by_a_refusal_is_redacted(runner_library: sopflow.Library) -> None:
    """A refusal about a private field never quotes the refused value (the engine leaves it out)."""
    entries = transcript("release_refusals.yaml", runner_library, "en")
    refusal = next(e.refusal for e in entries if e.refusal and e.refusal.startswith("InvalidEventData"))
    expected = "InvalidEventData: 'id_copied' field 'id_copy': expected str"
    assert expected == refusal


def test_entries_are_immutable(runner_library: sopflow.Library) -> None:
    """A transcript is a record of what happened; nothing may edit it afterwards."""
    entry = transcript("release_owner_agrees.yaml", runner_library, "en")[1]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.state = "done"  # type: ignore[misc]


def test_entry_data_is_read_only(runner_library: sopflow.Library) -> None:
    """The data mapping of an entry is a read-only view, not a dict a caller could change."""
    entry = transcript("release_owner_agrees.yaml", runner_library, "en")[1]
    with pytest.raises(TypeError):
        entry.data["id_copy"] = "x"  # type: ignore[index]


def test_transcript_is_a_sequence(runner_library: sopflow.Library) -> None:
    """Length, indexing, slicing and iteration work like a tuple of entries."""
    result = transcript("release_owner_agrees.yaml", runner_library, "en")
    expected = (7, "start", "signed", ["start", "fire"], 7)
    actual = (len(result), result[0].kind, result[-1].event, [e.kind for e in result[:2]], len(list(result)))
    assert expected == actual


def test_str_is_the_rendered_lines(runner_library: sopflow.Library) -> None:
    """`print(transcript)` prints exactly what render() returns."""
    result = transcript("inquiry_ladder.yaml", runner_library, "en")
    assert "\n".join(result.render()) == str(result)
