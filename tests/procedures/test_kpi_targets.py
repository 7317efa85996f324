"""The department's KPI targets (003 第一章第一节), measured from sessions of the procedures that do the work.

Each test drives a few sessions of complaint.handling, revisit, fee_collection and
satisfaction_survey through the Python API, as a month of the department's work, and checks
the figures ``sopflow.analysis.kpi.measure`` gives for the KPIs of
procedures/targets/service_department.yaml.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import opencc
import pytest

import sopflow
from sopflow.analysis.kpi import measure
from sopflow.model import Kpi

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
LIBRARY = sopflow.load_library()
TARGETS = LIBRARY.targets["targets.service_department"]
KPIS = TARGETS.kpis

Journal = Sequence[sopflow.Entry]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Case:
    """One session on its own clock: ``fire`` events, ``wait`` for timers and promises."""

    def __init__(self, procedure: str, when: str, role: str, data: Mapping[str, Any] | None = None) -> None:
        self.clock = sopflow.ManualClock(at(when))
        self.session = LIBRARY.start(procedure, clock=self.clock, role=role, data=dict(data or {}))

    def fire(self, event: str, role: str, **data: Any) -> Case:
        self.session.fire(event, role=role, data=data or None)
        return self

    def wait(self, **delta: float) -> Case:
        self.clock.advance(dt.timedelta(**delta))
        self.session.advance()
        return self

    @property
    def journal(self) -> Journal:
        return list(self.session.journal)


def figures(kpi: Kpi, journals: Sequence[Journal]) -> list[tuple[str, Decimal, Decimal, Decimal | None, bool | None]]:
    return [(f.period, f.count, f.of, f.percent, f.met) for f in measure(kpi, journals, LIBRARY)]


# -- complaints -----------------------------------------------------------------------------------


def complaint(when: str, *, major: bool = False, subject: str = "other") -> Case:
    """A complaint accepted and registered at the desk."""
    case = Case("complaint.handling", when, "front_desk")
    case.fire("complaint_accepted", "front_desk", complaint_channel="front_counter", first_contact="王")
    return case.fire(
        "complaint_recorded", "front_desk", complaint_details="…", complaint_subject=subject, major_complaint=major
    )


def closed(case: Case, *, valid: bool = True, satisfied: bool = True) -> Case:
    case.fire("solved_and_replied", "front_desk", complaint_valid=valid)
    return case.fire("followed_up", "butler", handling_satisfied=satisfied).fire("filed", "front_desk")


def test_complaint_follow_up_counts_the_complaints_due_a_follow_up() -> None:
    """投诉回访率 100%: followed up, out of the complaints handled; one still being handled is not due one."""
    journals = [
        closed(complaint("2026-03-02T09:00")).journal,
        closed(complaint("2026-03-05T09:00")).journal,
        complaint("2026-03-09T09:00").fire("solved_and_replied", "front_desk", complaint_valid=True).journal,
        complaint("2026-03-20T09:00").fire("reply_given", "front_desk").journal,  # not handled yet
        closed(complaint("2026-04-01T09:00")).journal,
    ]
    assert [
        ("2026-03", Decimal(2), Decimal(3), Decimal("66.7"), False),
        ("2026-04", Decimal(1), Decimal(1), Decimal("100.0"), True),
    ] == figures(KPIS["complaint_follow_up"], journals)
    # 投诉处理率 (no target): handled out of every complaint registered.
    assert [
        ("2026-03", Decimal(3), Decimal(4), Decimal("75.0"), None),
        ("2026-04", Decimal(1), Decimal(1), Decimal("100.0"), None),
    ] == figures(KPIS["complaint_handling_rate"], journals)


def test_satisfaction_is_counted_over_valid_complaints_followed_up() -> None:
    """有效投诉处理满意率 100%: an invalid complaint counts on neither side."""
    journals = [
        closed(complaint("2026-03-02T09:00"), satisfied=True).journal,
        closed(complaint("2026-03-03T09:00"), satisfied=False).journal,
        closed(complaint("2026-03-04T09:00"), valid=False, satisfied=True).journal,
        closed(complaint("2026-03-05T09:00"), valid=False, satisfied=False).journal,
    ]
    assert [("2026-03", Decimal(1), Decimal(2), Decimal("50.0"), False)] == figures(
        KPIS["valid_complaint_satisfaction"], journals
    )


def test_major_complaints_reply_in_three_days_and_handling_in_five() -> None:
    """重大问题三天内有回复,五天内处理: the promises kept out of those kept or missed."""
    in_time = complaint("2026-03-02T09:00", major=True).wait(days=2).fire("reply_given", "front_desk")
    in_time.wait(days=2).fire("handled", "relevant_department", complaint_valid=True)
    late = complaint("2026-03-09T09:00", major=True).wait(days=4).fire("reply_given", "front_desk")
    late.wait(hours=12).fire("handled", "cs_supervisor", complaint_valid=True)  # 4.5 days: in time
    running = complaint("2026-03-30T09:00", major=True)  # neither kept nor missed yet
    not_major = complaint("2026-03-10T09:00").wait(days=10).fire("reply_given", "front_desk")
    journals = [in_time.journal, late.journal, running.journal, not_major.journal]
    assert [("2026-03", Decimal(1), Decimal(2), Decimal("50.0"), False)] == figures(
        KPIS["major_complaint_reply"], journals
    )
    assert [("2026-03", Decimal(2), Decimal(2), Decimal("100.0"), True)] == figures(
        KPIS["major_complaint_handled"], journals
    )


# -- revisits, and the complaints about repairs ---------------------------------------------------


def repair(when: str) -> Case:
    """A repair completed at ``when``: its revisit starts."""
    return Case("revisit", when, "butler", {"repair_items": ["水龙头"]})


def test_repair_follow_up_and_repair_complaints_count_the_completed_repairs() -> None:
    """报修回访率 25% and 维修投诉率 ≤ 5%: both out of the revisits, one per completed repair."""
    made = repair("2026-03-02T16:00").wait(hours=19).fire("revisit_made", "butler", in_normal_use=True)
    raised = repair("2026-03-03T16:00").wait(hours=19)
    raised.fire("revisit_made", "technician", in_normal_use=False, complaint_raised=True)
    raised.fire("complaint_accepted", "butler", first_contact="管家孙")
    raised.fire(
        "complaint_recorded", "butler", complaint_details="…", complaint_subject="house_repair", major_complaint=False
    )
    pending = [repair(f"2026-03-{day:02d}T10:00").wait(days=3) for day in (10, 11, 12, 13, 14, 15)]
    other = complaint("2026-03-20T09:00", subject="facility")
    journals = [made.journal, raised.journal, *(p.journal for p in pending), other.journal]
    assert [("2026-03", Decimal(2), Decimal(8), Decimal("25.0"), True)] == figures(KPIS["repair_follow_up"], journals)
    # The complaint called inside a revisit is a run of complaint.handling: 1 repair complaint of 8 repairs.
    assert [("2026-03", Decimal(1), Decimal(8), Decimal("12.5"), False)] == figures(
        KPIS["repair_complaint_rate"], journals
    )


# -- fees -----------------------------------------------------------------------------------------


def notice(when: str, fee_type: str = "property", **amounts: Any) -> Case:
    case = Case("fee_collection", when, "cs_supervisor", {"unit": "3-1201", "fee_type": fee_type})
    return case.fire("notice_delivered", "cs_supervisor", **amounts)


def ledger(case: Case, fees: str, arrears: str = "0") -> Case:
    return case.fire("ledger_updated", "butler", paid_fees=fees, paid_arrears=arrears)


def collected_by_butler(case: Case, fees: str, arrears: str = "0") -> Case:
    return ledger(case.fire("fees_collected", "butler").fire("handed_in", "butler"), fees, arrears)


def test_collection_and_arrears_clearance_add_up_the_notices_of_the_month() -> None:
    """物业管理费收缴率 ≥ 85% and 清欠率 ≥ 80%: sums of the property-fee notices; other fees apart."""
    paid = collected_by_butler(notice("2026-03-02T09:00", amount_due="1000"), "1000")
    partly = collected_by_butler(notice("2026-03-02T09:05", amount_due="1000"), "700")
    with_arrears = notice("2026-03-02T09:10", amount_due="2000", arrears_amount="500")
    collected_by_butler(with_arrears, "1200", "500")
    collected_by_butler(with_arrears, "500")
    release = Case(
        "fee_collection",
        "2026-03-04T16:00",
        "front_desk",
        {"unit": "9-1102", "fee_type": "property", "started_from": "release_tenant", "arrears_amount": "900"},
    ).fire("arrears_stated_at_release", "front_desk")
    release.fire("carried_forward", "cs_supervisor")
    heating = collected_by_butler(notice("2026-03-02T10:00", "heating", amount_due="900"), "900")
    energy = notice("2026-03-02T10:05", "energy", amount_due="300")
    journals = [j.journal for j in (paid, partly, with_arrears, release, heating, energy)]
    assert [("2026-03", Decimal(3400), Decimal(4000), Decimal("85.0"), True)] == figures(
        KPIS["fee_collection_rate"], journals
    )
    assert [("2026-03", Decimal(500), Decimal(1400), Decimal("35.7"), False)] == figures(
        KPIS["arrears_clearance"], journals
    )
    assert [("2026-03", Decimal(900), Decimal(900), Decimal("100.0"), None)] == figures(
        KPIS["heating_fee_collection"], journals
    )
    assert [("2026-03", Decimal(0), Decimal(300), Decimal("0.0"), None)] == figures(
        KPIS["other_fee_collection"], journals
    )


# -- the survey -----------------------------------------------------------------------------------


def survey(when: str) -> Case:
    return Case("satisfaction_survey", when, "butler").fire("survey_distributed", "butler")


def test_survey_return_and_reception_satisfaction() -> None:
    """意见调查回收率 ≥ 95%; 业主接待满意率 ≥ 95% over the returned surveys that answer it."""
    journals = [
        survey("2026-03-02T09:00").fire("survey_returned", "butler", owner_satisfied=True).journal,
        survey("2026-03-02T09:01").fire("survey_returned", "butler", owner_satisfied=True).journal,
        survey("2026-03-02T09:02").fire("survey_returned", "butler", owner_satisfied=False).journal,
        survey("2026-03-02T09:03").fire("survey_returned", "butler", survey_opinions="…").journal,
        survey("2026-03-02T09:04").journal,  # never returned
        survey("2026-03-02T09:05").fire("survey_not_returned", "cs_supervisor").journal,
    ]
    assert [("2026-03", Decimal(4), Decimal(6), Decimal("66.7"), False)] == figures(KPIS["survey_return"], journals)
    assert [("2026-03", Decimal(2), Decimal(3), Decimal("66.7"), False)] == figures(
        KPIS["reception_satisfaction"], journals
    )


# -- the patrol visits (owner_visit, 003 第二章第七节) ----------------------------------------------

VISITOR = {"visit_company": "玉宏物业", "visit_department": "客服部", "visit_staff_name": "刘"}


def owner_visit(when: str, basis: str, *, received: bool) -> Case:
    case = Case("owner_visit", when, "butler", {"visit_basis": basis, **VISITOR})
    case.fire("appointment_made", "butler", visit_time=when + ":00+08:00", visit_place="7-1502", visit_matter="…")
    case.session.check("record_form", role="butler")
    case.fire("arrived", "butler")
    if not received:
        return case.fire("owner_unwilling", "butler")
    case.fire("owner_receives", "butler").fire("dealt_with_on_the_spot", "butler")
    for item in ("thanked", "contact_offered"):
        case.session.check(item, role="butler")
    return case.fire("visit_ended", "butler").fire("registration_filed", "butler")


def test_patrol_visits_count_the_plan_visits_made() -> None:
    """每月巡访率 ≥ 80%: the work plan's visits made, out of those started; ad-hoc visits apart."""
    journals = [
        owner_visit("2026-03-02T09:30", "work_plan", received=True).journal,
        owner_visit("2026-03-03T09:30", "work_plan", received=True).journal,
        owner_visit("2026-03-04T09:30", "work_plan", received=True).journal,
        owner_visit("2026-03-05T09:30", "work_plan", received=True).journal,
        owner_visit("2026-03-06T09:30", "work_plan", received=False).journal,
        owner_visit("2026-03-09T09:30", "ad_hoc", received=False).journal,
    ]
    assert [("2026-03", Decimal(4), Decimal(5), Decimal("80.0"), True)] == figures(KPIS["patrol_visits"], journals)


# -- the targets file itself ----------------------------------------------------------------------

SECTION_16 = {
    # KPI: (target, confidence) as CATALOGUE §16 reads them
    "reception_satisfaction": ("≥ 95%", "low"),
    "owner_files": ("≥ 100%", "high"),
    "valid_complaint_satisfaction": ("≥ 100%", "high"),
    "survey_return": ("≥ 95%", "high"),
    "repair_follow_up": ("≥ 25%", "medium"),
    "complaint_follow_up": ("≥ 100%", "high"),
    "fee_collection_rate": ("≥ 85%", "high"),
    "arrears_clearance": ("≥ 80%", "high"),
    "repair_complaint_rate": ("≤ 5%", "high"),
    "facility_complaint_rate": ("≤ 5%", "high"),
    "patrol_visits": ("≥ 80%", "high"),
    "major_complaint_reply": ("≥ 100%", "high"),
    "major_complaint_handled": ("≥ 100%", "high"),
}
NO_TARGET = [
    "heating_fee_collection",
    "other_fee_collection",
    "complaint_rate",
    "complaint_handling_rate",
    "follow_up_rate",
    "house_intact_rate",
    "house_repair_rate",
    "heating_intact_rate",
]


def test_every_kpi_of_the_catalogue_is_declared_with_its_reading() -> None:
    declared = {name: (str(k.target), k.confidence) for name, k in KPIS.items() if k.target is not None}
    assert SECTION_16 == declared
    assert sorted(NO_TARGET) == sorted(name for name, k in KPIS.items() if k.target is None)
    assert all(k.source is not None and k.raw for k in KPIS.values())


@pytest.mark.parametrize("name", [n for n, k in KPIS.items() if k.measure is None])
def test_an_unmeasured_kpi_says_why_and_has_no_figures(name: str) -> None:
    kpi = KPIS[name]
    assert kpi.unmeasured is not None
    assert set(TARGETS.languages) <= set(kpi.unmeasured)
    assert [] == measure(kpi, [survey("2026-03-02T09:00").journal], LIBRARY)


def test_the_chinese_lines_of_the_targets_are_opencc_conversions() -> None:
    """003 is written in Simplified characters: each zh-Hant line is OpenCC's conversion of its zh-Hans line."""
    convert = opencc.OpenCC("s2t").convert
    texts = [TARGETS.title] + [t for k in KPIS.values() for t in (k.title, k.unmeasured) if t is not None]
    assert [] == [t["zh-Hans"] for t in texts if convert(t["zh-Hans"]) != t["zh-Hant"]]
