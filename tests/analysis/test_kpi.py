"""KPI targets: declared as data, checked against the procedures, measured from journals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import sopflow
from sopflow.analysis.kpi import Figure, measure, period_of, runs
from sopflow.errors import ProcedureInvalid

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

COMPLAINT = """
sopflow: 1
procedure:
  id: t.complaint
  version: 1
  title: {en: Complaint}
  languages: [en]
  roles: {staff: {title: {en: staff}}}
  fields:
    major: {type: bool, default: false}
    owed: {type: decimal, default: 0}
    paid: {type: decimal, default: 0}
    note: {type: str}
  initial: received
  promises:
    reply:
      within: 3 days
      starts: received
      kept: [replied]
  states:
    received:
      role: staff
      on:
        reply: {to: replied, data: [paid]}
        drop: dropped
    replied:
      role: staff
      on: {follow_up: followed_up, close: closed}
    followed_up: {final: completed}
    closed: {final: completed}
    dropped: {final: refused}
"""

TARGETS = """
sopflow: 1
targets:
  id: targets.t
  title: {en: Targets}
  languages: [en]
  kpis:
    follow_up:
      title: {en: complaint follow-up rate}
      target: {at_least: 100%}
      measure:
        count: {procedure: t.complaint, reached: [followed_up]}
        of: {procedure: t.complaint, outcome: [completed]}
      raw: "1100%"
    replied_in_time:
      title: {en: replies within 3 days}
      period: quarter
      target: {at_least: "95 %"}
      measure:
        count: {procedure: t.complaint, promise: reply, result: [kept]}
        of: {procedure: t.complaint, promise: reply, result: [kept, missed]}
    collected:
      title: {en: collection rate}
      target: {at_least: 85%}
      measure:
        count: {procedure: t.complaint, sum: paid}
        of: {procedure: t.complaint, sum: owed}
    major_dropped:
      title: {en: major complaints dropped}
      target: {at_most: 5%}
      measure:
        count: {procedure: t.complaint, where: "major", outcome: [refused]}
        of: {procedure: t.complaint, where: "major", finished: true}
    owner_files:
      title: {en: owner file completion rate}
      target: {at_least: 100%}
      unmeasured: {en: "No procedure of the library keeps owner files."}
      confidence: high
"""


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def library(targets: str = TARGETS) -> sopflow.Library:
    return sopflow.load_string(COMPLAINT, targets)


def case(lib: sopflow.Library, when: str, *steps: str, major: bool = False, owed: str = "0", paid: str = "0") -> list:
    """One complaint, started at ``when``; each step fires an event, a ``+`` step waits that many days."""
    clock = sopflow.ManualClock(at(when))
    session = lib.start("t.complaint", clock=clock, role="staff", data={"major": major, "owed": owed})
    for step in steps:
        if step.startswith("+"):
            clock.advance(dt.timedelta(days=int(step[1:])))
            session.advance()
        else:
            session.fire(step, role="staff", data={"paid": paid} if step == "reply" else None)
    return list(session.journal)


def test_targets_load_with_the_library() -> None:
    targets = library().targets["targets.t"]
    kpi = targets.kpis["follow_up"]
    assert (Decimal(100), "month", "1100%", "high") == (kpi.target.at_least, kpi.period, kpi.raw, kpi.confidence)
    assert "≤ 5%" == str(targets.kpis["major_dropped"].target)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("reached: [followed_up]", "reached: [follwed_up]"),
        ("outcome: [completed]", "outcome: [complete]"),
        ("promise: reply, result: [kept]}", "promise: answer, result: [kept]}"),
        ("count: {procedure: t.complaint, sum: paid}", "count: {procedure: t.complaint, sum: note}"),
        ('where: "major", outcome', 'where: "owed + 1", outcome'),
        ("of: {procedure: t.complaint, sum: owed}", "of: {procedure: t.complaint, finished: true}"),
        ("procedure: t.complaint, reached", "procedure: t.complaints, reached"),
    ],
    ids=["state", "outcome", "promise", "sum-of-text", "where-not-bool", "units", "procedure"],
)
def test_a_measure_naming_what_the_procedure_lacks_is_a_located_error(change: str, message: str) -> None:
    with pytest.raises(ProcedureInvalid) as caught:
        library(TARGETS.replace(change, message, 1))
    report = str(caught.value)
    expected = {
        "reached: [follwed_up]": "'t.complaint' has no state 'follwed_up'; did you mean 'followed_up'?",
        "outcome: [complete]": "'t.complaint' has no outcome 'complete'; did you mean 'completed'?",
        "promise: answer, result: [kept]}": "'t.complaint' makes no promise 'answer'",
        "count: {procedure: t.complaint, sum: note}": "'note' of 't.complaint' is str; only int and decimal fields",
        'where: "owed + 1", outcome': "a condition must be true or false",
        "of: {procedure: t.complaint, finished: true}": "'count' counts a sum of values and 'of' counts sessions",
        "procedure: t.complaints, reached": "unknown procedure 't.complaints'; did you mean 't.complaint'?",
    }[message]
    assert expected in report
    assert "<string>[1]:" in report  # located in the targets document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("{at_least: 85%}", "{at_least: 185%}"),
        ("{at_least: 85%}", "{at_least: 85%, at_most: 90%}"),
        (
            "      unmeasured:",
            "      measure: {count: {procedure: t.complaint}, of: {procedure: t.complaint}}\n      unmeasured:",
        ),
        ("promise: reply, result: [kept]}", "promise: reply}"),
    ],
    ids=["over-100", "two-bounds", "measured-and-not", "promise-without-result"],
)
def test_malformed_targets_are_refused_where_written(change: str, message: str) -> None:
    with pytest.raises(ProcedureInvalid) as caught:
        library(TARGETS.replace(change, message, 1))
    expected = {
        "{at_least: 185%}": "a percentage lies between 0% and 100%",
        "{at_least: 85%, at_most: 90%}": "exactly one of 'at_least' or 'at_most'",
        "promise: reply}": "'promise' and 'result' go together",
    }.get(message, "exactly one of 'measure' or 'unmeasured'")
    assert expected in str(caught.value)


def test_rates_are_counted_per_period_with_the_target_judged() -> None:
    lib = library()
    journals = [
        case(lib, "2026-03-02T09:00", "reply", "follow_up"),
        case(lib, "2026-03-10T09:00", "reply", "close"),
        case(lib, "2026-03-31T23:30", "reply", "follow_up"),  # still March in Shanghai
        case(lib, "2026-04-01T10:00", "reply", "follow_up"),
        case(lib, "2026-04-02T10:00", "reply"),  # not finished: not in the denominator
    ]
    kpi = lib.targets["targets.t"].kpis["follow_up"]
    assert [
        Figure("2026-03", Decimal(2), Decimal(3), Decimal("66.7"), False),
        Figure("2026-04", Decimal(1), Decimal(1), Decimal("100.0"), True),
    ] == measure(kpi, journals, lib)


def test_promises_are_counted_in_the_period_they_were_made() -> None:
    """Made on 30 March, missed on 2 April: a miss of the first quarter."""
    lib = library()
    journals = [
        case(lib, "2026-03-30T09:00", "+3", "reply"),
        case(lib, "2026-03-02T09:00", "reply"),
        case(lib, "2026-04-01T09:00", "reply"),
        case(lib, "2026-04-01T09:00"),  # neither kept nor missed yet: not counted
    ]
    kpi = lib.targets["targets.t"].kpis["replied_in_time"]
    assert [("2026-Q1", 1, 2, False), ("2026-Q2", 1, 1, True)] == [
        (f.period, f.count, f.of, f.met) for f in measure(kpi, journals, lib)
    ]


def test_sums_and_conditions_on_the_data() -> None:
    lib = library()
    journals = [
        case(lib, "2026-03-02T09:00", "reply", "close", owed="100", paid="90"),
        case(lib, "2026-03-03T09:00", "reply", "close", owed="50.50", paid="0"),
        case(lib, "2026-03-04T09:00", "drop", major=True, owed="10"),
        case(lib, "2026-03-05T09:00", "reply", "close", major=True),
        case(lib, "2026-03-06T09:00", "drop"),  # not major
    ]
    kpis = lib.targets["targets.t"].kpis
    collected = measure(kpis["collected"], journals, lib)
    dropped = measure(kpis["major_dropped"], journals, lib)
    assert [("2026-03", Decimal(90), Decimal("160.50"), Decimal("56.1"), False)] == [
        (f.period, f.count, f.of, f.percent, f.met) for f in collected
    ]
    assert [(Decimal(1), Decimal(2), False)] == [(f.count, f.of, f.met) for f in dropped]


def test_journals_read_back_from_json_measure_the_same() -> None:
    """A store keeps entries as JSON; the measure reads them back into the fields' types."""
    lib = library()
    journal = case(lib, "2026-03-04T09:00", "drop", major=True, owed="10")
    reread = [sopflow.Entry.from_dict(e.as_dict()) for e in journal]
    kpi = lib.targets["targets.t"].kpis["major_dropped"]
    assert measure(kpi, [journal], lib) == measure(kpi, [reread], lib)


def test_an_unmeasured_kpi_has_no_figures() -> None:
    lib = library()
    assert [] == measure(lib.targets["targets.t"].kpis["owner_files"], [case(lib, "2026-03-02T09:00")], lib)


CALLER = """
sopflow: 1
procedure:
  id: t.visit
  version: 1
  title: {en: Visit}
  languages: [en]
  roles: {staff: {title: {en: staff}}}
  initial: visiting
  states:
    visiting:
      role: staff
      on: {complain: complaint, leave: left}
    complaint:
      call: {procedure: t.complaint, outcomes: {completed: left, refused: left}}
    left: {final: completed}
"""


def test_runs_of_a_called_procedure_are_counted_on_their_own() -> None:
    """A complaint taken during a visit is a run of the complaint procedure, counted by its KPIs."""
    lib = sopflow.load_string(COMPLAINT, CALLER, TARGETS)
    clock = sopflow.ManualClock(at("2026-03-02T09:00"))
    session = lib.start("t.visit", clock=clock, role="staff")
    for event in ("complain", "reply", "follow_up"):
        session.fire(event, role="staff", data={"paid": "0"} if event == "reply" else None)
    found = [(r.procedure, r.outcome, sorted(r.reached)) for r in runs(session.journal, lib)]
    assert [
        ("t.visit", "completed", ["complaint", "left", "visiting"]),
        ("t.complaint", "completed", ["followed_up", "received", "replied"]),
    ] == found
    kpi = lib.targets["targets.t"].kpis["follow_up"]
    assert [(Decimal(1), Decimal(1))] == [(f.count, f.of) for f in measure(kpi, [session.journal], lib)]


@pytest.mark.parametrize(
    ("period", "expected"),
    [("day", "2026-03-02"), ("week", "2026-W10"), ("month", "2026-03"), ("quarter", "2026-Q1"), ("year", "2026")],
)
def test_periods(period: str, expected: str) -> None:
    assert expected == period_of(at("2026-03-02T09:00"), period)  # type: ignore[arg-type]
