"""Business time: working days on a real calendar, moments of the day, promises kept or missed, checklists, rules."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pytest

import sopflow
from sopflow.calendar import Calendar
from sopflow.errors import ChecklistIncomplete, InvalidEventData, ProcedureInvalid, UsageError
from sopflow.model import TimeOfDay, Wait, parse_moment, parse_until, parse_wait
from sopflow.render.transcript import clock
from sopflow.testing import ScenarioError, ScenarioFailed, parse_scenario, run_scenario

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_mainland_china_works_on_its_adjusted_sunday() -> None:
    """Sunday 4 January 2026 is a working day; 1 and 2 January are not (the holidays package knows)."""
    c = Calendar(region="CN")
    days = [c.is_working_day(dt.date(2026, 1, d), "letters_and_visits") for d in (1, 2, 3, 4, 5)]
    assert [False, False, False, True, True] == days


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"region": "XX"}, "knows no region 'XX'"),
        ({"region": "CN", "subdivision": "ZZ"}, "region 'CN'"),
        ({"zone": "Mars/Olympus"}, "unknown time zone"),
        ({"zone": None}, "zone: expected text, found NoneType"),
        ({"region": ["CN"]}, "region: expected text or None, found list"),
        ({"closures": "2026-10-01"}, "closures: expected dates, found str"),
        ({"closures": ["2026-10-01"]}, r"closures: expected dates \(datetime.date\), found str"),
        ({"hours": "24h"}, "hours: expected a mapping of name -> hours, found str"),
        ({"hours": {"desk": 24}}, "hours: expected names and hours as text"),
    ],
)
def test_a_calendar_that_cannot_be_is_refused_when_it_is_built(options: dict[str, Any], words: str) -> None:
    """The region is checked against the holidays registry at once, though its holidays load at first use."""
    with pytest.raises(UsageError, match=words):
        Calendar(**options)


def test_the_regions_taken_on_trust_are_regions_the_holidays_package_knows() -> None:
    """The calendar names CN and HK valid without importing holidays; holidays must agree."""
    from holidays.registry import EntityLoader

    from sopflow.calendar.calendar import KNOWN_REGIONS

    assert KNOWN_REGIONS <= set(EntityLoader.get_country_codes())


def test_holidays_and_transitions_wait_for_the_first_question_that_needs_them() -> None:
    """A host that loads, starts and steps pays for neither; a working-day question imports holidays."""
    code = (
        "import sys, datetime as dt, sopflow\n"
        "lib = sopflow.load_library()\n"
        "s = lib.start('business.release_tenant', clock=sopflow.ManualClock('2026-03-02T09:00:00+08:00'), "
        "role='front_desk', data={'estate_name': 'Harbour View'})\n"
        "s.step('en'); s.fire('id_copied', role='front_desk', data={'tenant_id_copy': 'scan-001'})\n"
        "print(sorted(m for m in ('holidays', 'transitions') if m in sys.modules))\n"
        "lib.calendar.is_working_day(dt.date(2026, 1, 4), 'office')\n"
        "print(sorted(m for m in ('holidays', 'transitions') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (done.stderr, done.stdout) == ("", "[]\n['holidays']\n")


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ([], "a calendar is a mapping of zone, region, closures and hours, found list"),
        ({"closures": ["1 October"]}, "closures: '1 October' is not a date such as 2026-10-01"),
        ({"closures": 5}, "closures: expected a list of dates, found int"),
        ({"hours": ["24h"]}, "hours: expected a mapping of name -> hours, found list"),
    ],
)
def test_a_calendar_from_deployment_data_says_what_is_wrong(raw: Any, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        Calendar.from_mapping(raw)


def test_the_calendar_asked_with_the_wrong_kinds_says_so() -> None:
    """A naive moment would silently be the machine's local time: refused, as a string for a date is."""
    calendar, wait = Calendar(), parse_wait("3 working days")
    asked = [
        lambda: calendar.is_working_day("2026-01-04", "office"),  # type: ignore[arg-type]
        lambda: calendar.add(dt.datetime(2026, 3, 2, 9), wait, "office"),
        lambda: calendar.add(at("2026-03-02T09:00"), "3 working days", "office"),  # type: ignore[arg-type]
        lambda: calendar.moment("2026-03-02T09:00", parse_moment("next working day 09:00"), "office"),  # type: ignore[arg-type]
    ]
    said = []
    for ask in asked:
        with pytest.raises(UsageError) as caught:
            ask()
        said.append(str(caught.value).split(",")[0].split(";")[0])
    assert [
        "expected a date (datetime.date)",
        "2026-03-02T09:00:00 has no time zone",
        "expected a Wait (parse_wait('3 working days'))",
        "expected a date and time (datetime.datetime)",
    ] == said


def test_three_working_days_cross_new_year() -> None:
    """A letter on 31 December is answered by the close of 6 January: 4, 5 and 6 January count."""
    due = Calendar().add(at("2025-12-31T10:00"), parse_wait("3 working days"), "letters_and_visits")
    assert at("2026-01-06T16:00") == due


def test_three_working_days_cross_the_spring_festival() -> None:
    """Received Friday 13 February 2026: the 14th is an adjusted working Saturday, then the holiday week."""
    due = Calendar().add(at("2026-02-13T15:00"), parse_wait("3 working days"), "letters_and_visits")
    assert at("2026-02-25T16:00") == due


def test_working_hours_count_only_open_time() -> None:
    """Two working hours from 15:00 on Monday (desk closes at 16:00) end at 09:00 on Tuesday."""
    due = Calendar().add(at("2026-01-05T15:00"), parse_wait("2 working hours"), "letters_and_visits")
    assert at("2026-01-06T09:00") == due


@pytest.mark.parametrize(
    ("moment", "now", "expected"),
    [
        ("08:30", "2026-01-05T07:00", "2026-01-05T08:30"),
        ("08:30", "2026-01-05T09:00", "2026-01-06T08:30"),
        ("next day 09:00", "2026-01-05T23:00", "2026-01-06T09:00"),
        ("next working day 09:00", "2025-12-31T10:00", "2026-01-04T09:00"),
        ("next working day", "2026-01-09T10:00", "2026-01-12T08:00"),
        ("08:30 on a working day", "2026-01-03T07:00", "2026-01-04T08:30"),
    ],
)
def test_moments_of_the_day(moment: str, now: str, expected: str) -> None:
    """A moment is the next one on the wall clock, working days counted by the hours named."""
    assert at(expected) == Calendar().moment(at(now), parse_moment(moment), "letters_and_visits")


def test_hong_kong_holidays() -> None:
    """Christmas Day is not a working day in Hong Kong."""
    assert False is Calendar(zone="Asia/Hong_Kong", region="HK").is_working_day(
        dt.date(2026, 12, 25), "letters_and_visits"
    )


LETTER = """
sopflow: 1
procedure:
  id: t.letter
  version: 1
  title: {en: Letter}
  languages: [en]
  roles: {staff: {title: {en: staff}}}
  hours: letters_and_visits
  initial: received
  promises:
    reply:
      title: {en: reply within 3 working days}
      within: 3 working days
      kept: [replied]
  rules:
    polite: {text: {en: "Listen patiently, record carefully, answer carefully, use polite language."}}
  states:
    received:
      role: staff
      checklist:
        logged: {text: {en: Register the letter in the ledger}}
        read: {text: {en: Read it twice}, required: false}
      timers:
        chase: {at: next working day 09:00, to: chased}
      on: {answered: replied}
    chased:
      role: staff
      on: {answered: replied}
    replied: {final: completed}
"""


def letter(calendar: Calendar | None = None) -> sopflow.Library:
    return sopflow.load_string(LETTER, calendar=calendar)


def test_a_promise_kept_in_time_is_journaled_kept() -> None:
    """Made at the start, kept by reaching 'replied' before the deadline."""
    clock = sopflow.ManualClock(at("2025-12-31T10:00"))
    session = letter().start("t.letter", clock=clock, role="staff")
    assert at("2026-01-06T16:00") == session.step().promises[0].due
    session.check("logged", role="staff")
    session.fire("answered", role="staff")
    promise = [(e.event, e.detail) for e in session.journal if e.kind == "promise"]
    assert [("reply", "made"), ("reply", "kept")] == promise


def test_a_missed_promise_is_journaled_without_a_state_change() -> None:
    """Past the deadline, advance() journals the miss at the deadline; the state stays where it is."""
    clock = sopflow.ManualClock(at("2025-12-31T10:00"))
    lib = letter()
    session = lib.start("t.letter", clock=clock, role="staff")
    clock.set(at("2026-01-08T10:00"))
    session.advance()
    missed = [e for e in session.journal if e.kind == "promise" and e.detail == "missed"]
    assert ([at("2026-01-06T16:00")], "chased", ()) == (
        [e.at for e in missed],
        session.state,
        session.step().promises,
    )
    assert session.snapshot() == lib.replay(session.journal).snapshot()


def test_the_chase_timer_waits_for_the_next_working_day() -> None:
    """Received on New Year's Eve, chased at 09:00 on the adjusted working Sunday, 4 January."""
    clock = sopflow.ManualClock(at("2025-12-31T10:00"))
    session = letter().start("t.letter", clock=clock, role="staff")
    assert [("chase", at("2026-01-04T09:00"))] == [(t.name, t.due) for t in session.step().timers]


def test_a_required_checklist_item_holds_the_state() -> None:
    """'logged' must be ticked before leaving; 'read' is optional; ticks are journaled and restored."""
    clock = sopflow.ManualClock(at("2026-01-05T10:00"))
    lib = letter()
    session = lib.start("t.letter", clock=clock, role="staff")
    with pytest.raises(ChecklistIncomplete, match="items to tick before 'answered': logged"):
        session.fire("answered", role="staff")
    step = session.check("logged", role="staff")
    restored = lib.restore(session.snapshot(), clock)
    assert ([("logged", True, True), ("read", False, False)], "completed") == (
        [(c.name, c.required, c.ticked) for c in step.checklist],
        restored.fire("answered", role="staff").outcome,
    )


def test_ticking_an_item_that_is_not_there_is_refused() -> None:
    """A typo gets a did-you-mean, and the refusal is journaled."""
    session = letter().start("t.letter", clock=sopflow.ManualClock(at("2026-01-05T10:00")), role="staff")
    with pytest.raises(InvalidEventData, match="did you mean 'logged'"):
        session.check("loged", role="staff")
    assert "refused" == session.journal[-1].kind


def test_standing_rules_are_in_every_step() -> None:
    """The procedure's rules travel with each step, in the step's language."""
    session = letter().start("t.letter", clock=sopflow.ManualClock(at("2026-01-05T10:00")), role="staff")
    assert ["polite"] == [r.name for r in session.step().rules]


def test_hours_the_calendar_lacks_are_a_located_error() -> None:
    """A deployment calendar without 'letters_and_visits' refuses the procedure, at the line that names it."""
    with pytest.raises(ProcedureInvalid, match="the calendar has no hours 'letters_and_visits'") as caught:
        letter(Calendar(hours={"service_desk": "every day 08:00-17:30"}))
    assert caught.value.diagnostics[0].line is not None


def test_working_time_without_hours_is_a_located_error() -> None:
    """A working-days wait with no hours named anywhere cannot be counted."""
    with pytest.raises(ProcedureInvalid, match="name them with 'hours:'"):
        sopflow.load_string(LETTER.replace("  hours: letters_and_visits\n", ""))


# -- time passing in rehearsals -----------------------------------------------------------------


def letter_scenario(wait: str) -> str:
    return f"""
scenario: a letter over the New Year
procedure: t.letter
start: {{role: staff, at: "2025-12-31T10:00:00+08:00"}}
steps:
  - wait: {wait}
    expect: {{state: chased}}
"""


def test_a_scenario_waits_in_working_time_and_its_transcript_dates_the_new_day() -> None:
    """'2 working days' from New Year's Eve ends at the close of Monday 5 January; the chase fired on the 4th."""
    transcript = run_scenario(parse_scenario(letter_scenario("2 working days")), letter(), "en")
    times = [(e.kind, e.at) for e in transcript]
    assert ("timer", at("2026-01-04T09:00")) in times
    lines = transcript.render()
    assert "── Sun 2026-01-04 ──" in lines
    assert lines.index("── Sun 2026-01-04 ──") < next(i for i, line in enumerate(lines) if "chase" in line)


def test_a_scenario_may_wait_until_a_moment() -> None:
    """'next working day 09:00' names the moment the chase timer also waits for."""
    transcript = run_scenario(parse_scenario(letter_scenario("next working day 09:00")), letter(), "en")
    assert at("2026-01-04T09:00") == max(e.at for e in transcript)


def test_a_scenario_counting_working_time_needs_hours() -> None:
    """A procedure with no opening hours cannot say when '2 working days' ends: a located scenario error."""
    plain = LETTER.replace("  hours: letters_and_visits\n", "").replace("3 working days", "3 days")
    lib = sopflow.load_string(plain.replace("at: next working day 09:00", "after: 1 day"))
    with pytest.raises(ScenarioError) as caught:
        run_scenario(parse_scenario(letter_scenario("2 working days")), lib, "en")
    assert "names no opening hours" in str(caught.value)
    assert ":6:" in str(caught.value)  # the wait's line


def test_an_unreadable_wait_is_refused_with_the_forms_it_takes() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(letter_scenario("a fortnight"))
    assert "next working day 09:00" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 minutes", Wait(180, "seconds")),
        ("2 working days", Wait(2, "working_days")),
        ("next working day 09:00", TimeOfDay(dt.time(9), "next_working_day")),
        ("08:30", TimeOfDay(dt.time(8, 30), "today_or_next")),
    ],
)
def test_parse_until_reads_waits_and_moments(text: str, expected: object) -> None:
    assert expected == parse_until(text)


def test_transcript_clock_shows_the_day_once_it_changes() -> None:
    friday, monday = at("2026-03-06T17:00"), at("2026-03-09T09:05")
    assert ("17:00", "17:00", "Mon 03-09 09:05") == (clock(friday), clock(friday, friday), clock(monday, friday))


KEYS = """
sopflow: 1
procedure:
  id: t.keys
  version: 1
  title: {en: Staff key}
  languages: [en]
  roles: {staff: {title: {en: staff}}}
  hours: office
  initial: out
  promises:
    same_day:
      title: {en: returned the same day}
      by: "17:20"
      kept: [returned]
  states:
    out:
      role: staff
      on: {return_key: returned}
    returned: {final: completed}
"""


@pytest.mark.parametrize(("returned", "detail"), [("2026-03-02T17:00", "kept"), ("2026-03-02T18:00", "missed")])
def test_a_promise_by_a_moment_is_due_that_day(returned: str, detail: str) -> None:
    """A key taken at 09:00 must be back by 17:20 the same day."""
    clock = sopflow.ManualClock(at("2026-03-02T09:00"))
    session = sopflow.load_string(KEYS).start("t.keys", clock=clock, role="staff")
    assert at("2026-03-02T17:20") == session.step().promises[0].due
    clock.set(at(returned))
    session.fire("return_key", role="staff")
    assert [("same_day", "made"), ("same_day", detail)] == [
        (e.event, e.detail) for e in session.journal if e.kind == "promise"
    ]


def test_a_promise_has_one_deadline() -> None:
    with pytest.raises(ProcedureInvalid, match="exactly one of 'within'"):
        sopflow.load_string(KEYS.replace('by: "17:20"', 'by: "17:20"\n      within: 2 days'))


def test_a_scenario_ticks_checklists_and_follows_promises() -> None:
    """'check:' ticks an item; 'promises:' says where each stands; a miss is a transcript line of its own."""
    text = """
scenario: a letter answered late
procedure: t.letter
start: {role: staff, at: "2025-12-31T10:00:00+08:00"}
steps:
  - fire: answered
    as: staff
    refused: ChecklistIncomplete
  - check: logged
    as: staff
    expect: {promises: {reply: made}}
  - wait: 7 days
    expect: {state: chased, promises: {reply: missed}}
  - fire: answered
    as: staff
end: {outcome: completed, promises: {reply: missed}}
"""
    transcript = run_scenario(parse_scenario(text), letter(), "en")
    lines = transcript.render()
    assert any("ticks logged" in line for line in lines)
    missed = [line for line in lines if "promise reply missed" in line]
    assert [True] == [line.startswith("16:00:00") for line in missed]  # at the deadline, 6 January 16:00
    assert not any("refused: missed" in line for line in lines)


def test_a_promise_expectation_that_fails_says_where_it_stands() -> None:
    text = """
scenario: expects a kept promise
procedure: t.letter
start: {role: staff, at: "2025-12-31T10:00:00+08:00"}
steps:
  - wait: 7 days
    expect: {promises: {reply: kept}}
"""
    with pytest.raises(ScenarioFailed) as caught:
        run_scenario(parse_scenario(text), letter(), "en")
    assert "promises.reply: expected kept, found missed" in str(caught.value)


def test_scenario_names_an_unknown_checklist_item_or_promise() -> None:
    text = """
scenario: typos
procedure: t.letter
start: {role: staff}
steps:
  - check: loged
    as: staff
    expect: {promises: {replied: kept}}
"""
    with pytest.raises(ScenarioError) as caught:
        run_scenario(parse_scenario(text), letter(), "en")
    report = str(caught.value)
    assert "no checklist item 'loged' in 't.letter'; did you mean 'logged'?" in report
    assert "no promise 'replied' in 't.letter'; did you mean 'reply'?" in report
