"""The KPI report: every target of the department over a stretch, with trend and cases, from a real store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sopflow
from sopflow.analysis.kpi_report import kpi_report
from sopflow.render.kpi import chart, report_html, report_json
from sopflow.store import JournalQuery, SessionQuery, SQLiteStore

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
LIBRARY = sopflow.load_library()
TARGETS = LIBRARY.targets["targets.service_department"]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def complaint(store: SQLiteStore, when: str, *, followed: bool, name: str) -> str:
    """A complaint accepted, recorded, solved and (or not) followed up, kept in the store."""
    clock = sopflow.ManualClock(at(when))
    sid = store.start("complaint.handling", clock=clock, role="front_desk", session_id=name).id
    steps: list[tuple[str, str, dict[str, object]]] = [
        ("complaint_accepted", "front_desk", {"complaint_channel": "front_counter", "first_contact": "王"}),
        (
            "complaint_recorded",
            "front_desk",
            {"complaint_details": "…", "complaint_subject": "other", "major_complaint": False},
        ),
        ("solved_and_replied", "front_desk", {"complaint_valid": True}),
    ]
    if followed:
        steps.append(("followed_up", "butler", {"handling_satisfied": True}))
    for event, role, data in steps:
        store.fire(sid, event, role=role, clock=clock, data=data)
    return sid


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    """March: three complaints, two followed up; April: one, followed up; May: one before the stretch ends."""
    kept = SQLiteStore(LIBRARY, tmp_path / "desk.db")
    complaint(kept, "2026-03-02T09:00", followed=True, name="c-0302")
    complaint(kept, "2026-03-09T09:00", followed=True, name="c-0309")
    complaint(kept, "2026-03-23T09:00", followed=False, name="c-0323")
    complaint(kept, "2026-04-06T09:00", followed=True, name="c-0406")
    complaint(kept, "2026-05-04T09:00", followed=False, name="c-0504")
    return kept


def journals(store: SQLiteStore) -> list[list[sopflow.Entry]]:
    rows = store.sessions(SessionQuery(limit=100))
    return [store.journal(JournalQuery(session=r.id)) for r in rows]


def test_value_target_trend_and_cases_over_a_stretch(store: SQLiteStore) -> None:
    report = kpi_report(TARGETS, journals(store), LIBRARY, since=at("2026-03-01T00:00"), until=at("2026-05-01T00:00"))
    follow_up = next(r for r in report.results if r.name == "complaint_follow_up")
    assert follow_up.total is not None
    assert (
        (3, 4, "75.0", False),
        [("2026-03", 2, 3, False), ("2026-04", 1, 1, True)],
        ["c-0302", "c-0309", "c-0406"],
        ["c-0302", "c-0309", "c-0323", "c-0406"],
        5,
    ) == (
        (int(follow_up.total.count), int(follow_up.total.of), str(follow_up.total.percent), follow_up.total.met),
        [(f.period, int(f.count), int(f.of), f.met) for f in follow_up.trend],
        sorted(follow_up.counted),
        sorted(follow_up.against),
        report.sessions,
    )


def test_by_week_regroups_the_trend_and_unmeasured_kpis_say_why(store: SQLiteStore) -> None:
    report = kpi_report(TARGETS, journals(store), LIBRARY, by="week", until=at("2026-04-01T00:00"))
    follow_up = next(r for r in report.results if r.name == "complaint_follow_up")
    owner_files = next(r for r in report.results if r.name == "owner_files")
    assert (["2026-W10", "2026-W11", "2026-W13"], None, True) == (
        [f.period for f in follow_up.trend],
        owner_files.total,
        "owner" in (owner_files.unmeasured or {}).get("en", ""),
    )


def test_json_and_html_show_figures_and_ids_never_data(store: SQLiteStore) -> None:
    """The month's figure, the title in the language asked, the cases by id, no field's value anywhere."""
    report = kpi_report(TARGETS, journals(store), LIBRARY)
    english, chinese = report_json(report, "en"), report_json(report, "zh-Hans")
    page = report_html(report, "zh-Hans")
    follow_up = next(k for k in english["kpis"] if k["name"] == "complaint_follow_up")
    title = next(k["title"] for k in chinese["kpis"] if k["name"] == "complaint_follow_up")
    everything = json.dumps(english, ensure_ascii=False) + page
    assert (
        {"period": "2026-03", "count": 2, "of": 3, "percent": 66.7, "met": False},
        "投诉回访率",
        (True, True, True),
        (False, False),
    ) == (
        follow_up["trend"][0],
        title,
        ("<svg" in page, "c-0323" in page, "投诉回访率" in page),
        ("王" in everything, "front_counter" in everything),
    )


def test_the_chart_draws_one_bar_per_period_coloured_by_the_target(store: SQLiteStore) -> None:
    report = kpi_report(TARGETS, journals(store), LIBRARY, until=at("2026-05-01T00:00"))
    follow_up = next(r for r in report.results if r.name == "complaint_follow_up")
    svg = chart(follow_up)
    assert (2, 1, 1, 1) == (
        svg.count("<rect"),
        svg.count('fill="#c62828"'),
        svg.count('fill="#2e7d32"'),
        svg.count('stroke-dasharray="6 4"'),
    )


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.sampled_from(["12.5", "NaN", "1e999", "-0", "property"]),
    st.text(max_size=5),
    st.lists(st.text(max_size=3)),
)
FIELDS = st.sampled_from(
    [
        "major_complaint",
        "complaint_valid",
        "handling_satisfied",
        "amount_due",
        "amount_collected",
        "arrears_amount",
        "arrears_collected",
        "owner_satisfied",
        "visit_basis",
        "fee_type",
        "x",
    ]
)


@st.composite
def journal(draw: st.DrawFn) -> list[sopflow.Entry]:
    """A journal no session wrote: any procedure, version, kind, target and data, in any order."""
    procedures = st.sampled_from(["complaint.handling", "fee_collection", "revisit", "owner_visit", "nope"])
    events = st.sampled_from(["followed_up", "reply", "survey_returned", "ledger_updated", "notice_delivered"])
    kinds = st.sampled_from(["start", "call", "fire", "timer", "return", "promise", "refused", "tick"])
    entries = []
    for seq in range(draw(st.integers(0, 8))):
        entries.append(
            sopflow.Entry(
                seq=seq,
                at=at("2026-03-02T09:00") + dt.timedelta(days=draw(st.integers(0, 60))),
                kind=draw(kinds),
                procedure=draw(procedures),
                version=draw(st.sampled_from([None, 1, 7])),
                depth=draw(st.integers(0, 2)),
                event=draw(st.one_of(st.none(), events)),
                target=draw(st.one_of(st.none(), st.sampled_from(["follow_up", "archive", "nowhere", "handle@x"]))),
                data=draw(st.dictionaries(FIELDS, VALUES, max_size=3)),
                changes=draw(st.dictionaries(FIELDS, VALUES, max_size=3)),
                detail=draw(st.one_of(st.none(), st.sampled_from(["made", "kept", "missed", "?"]))),
            )
        )
    return entries


@settings(max_examples=200, deadline=None)
@given(st.lists(journal(), max_size=4))
def test_any_journal_is_measured_without_a_crash(journals: list[list[sopflow.Entry]]) -> None:
    """Journals from elsewhere (a wrong type, an unknown version or procedure) are counted or left out."""
    report = kpi_report(TARGETS, journals, LIBRARY, by="week")
    assert len(TARGETS.kpis) == len(report.results)
    report_html(report, "en")


def test_values_of_the_wrong_type_count_as_unset() -> None:
    """A fee sum that is not a number adds nothing, a flag that is not a boolean fails its condition."""
    start = at("2026-03-02T09:00")

    def entry(seq: int, kind: str, procedure: str, **more: object) -> sopflow.Entry:
        return sopflow.Entry(seq=seq, at=start, kind=kind, procedure=procedure, version=1, depth=0, **more)

    fees = [
        entry(0, "start", "fee_collection", data={"fee_type": "property", "amount_due": "100"}),
        entry(1, "fire", "fee_collection", event="x", changes={"amount_collected": "lots"}),
    ]
    complaint = [
        entry(0, "start", "complaint.handling"),
        entry(
            1,
            "fire",
            "complaint.handling",
            event="followed_up",
            changes={"complaint_valid": True, "handling_satisfied": "maybe"},
        ),
    ]
    report = kpi_report(TARGETS, [fees, complaint], LIBRARY)
    figures = {r.name: r.total for r in report.results}
    collection, satisfaction = figures["fee_collection_rate"], figures["valid_complaint_satisfaction"]
    assert collection is not None
    assert satisfaction is not None
    assert ((0, 100), (0, 1)) == (
        (int(collection.count), int(collection.of)),
        (int(satisfaction.count), int(satisfaction.of)),
    )
