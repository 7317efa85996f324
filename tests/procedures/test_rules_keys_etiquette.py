"""Document 003's rules, keys and etiquette: what a console shows beside the steps.

The scenario files tick the checklists and follow every promise to kept or missed; what they
cannot see is checked here through the Python API: when each promise falls due (17:20 the same
day or the next, three minutes, a week), the checklist texts in each language, and the standing
rules that the procedures and their policies show beside every step.
"""

from __future__ import annotations

import datetime as dt

import pytest

import sopflow

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
LIBRARY = sopflow.load_library()
LANGUAGES = ["zh-Hant", "zh-Hans", "en"]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def start(pid: str, when: str, role: str) -> sopflow.Session:
    return LIBRARY.start(pid, clock=sopflow.ManualClock(at(when)), role=role)


def staff_key(when: str) -> sopflow.Session:
    """A work key taken at ``when``: both checks ticked, the checkout recorded by the assistant."""
    session = start("keys.staff_checkout_return", when, "employee")
    session.check("key_intact", role="employee")
    session.check("label_correct", role="employee")
    session.fire("key_checked_out", role="cs_assistant", data={"key_label": "B座-设备间-03"})
    return session


def sealed_key(when: str) -> sopflow.Session:
    """An owner's key, confirmed by the specialist and issued at ``when``."""
    session = start("keys.sealed_key_issue", when, "key_custodian")
    session.fire("owner_requests", role="key_custodian")
    session.fire("specialist_confirmed", role="butler")
    data = {"key_label": "5-2-801", "collector_name": "业主 韩", "issued_at": at(when)}
    session.fire("key_issued", role="key_custodian", data=data)
    return session


@pytest.mark.parametrize(
    ("when", "due"),
    [
        ("2026-03-02T08:40", "2026-03-02T17:20"),  # taken in the morning: today's 17:20
        ("2026-03-02T17:19", "2026-03-02T17:20"),
        ("2026-03-02T17:21", "2026-03-03T17:20"),  # once 17:20 has passed: the next day's
        ("2026-03-02T19:00", "2026-03-03T17:20"),
    ],
)
def test_a_key_is_due_back_at_1720(when: str, due: str) -> None:
    """Both key procedures promise the return by 17:20: the same day's, or the next day's once it has passed."""
    assert [("returned_same_day", at(due))] * 2 == [
        (p.name, p.due) for s in (staff_key(when), sealed_key(when)) for p in s.step().promises
    ]


def test_a_personal_call_is_due_to_end_three_minutes_after_it_starts() -> None:
    """The promise is made on entering the call, due three minutes later."""
    session = start("front_desk.service_rules", "2026-03-02T11:00", "front_desk")
    session.fire("personal_call_started", role="front_desk")
    assert [("personal_call_within_3_minutes", at("2026-03-02T11:03"))] == [
        (p.name, p.due) for p in session.step().promises
    ]


def test_the_weekly_check_is_due_a_week_after_the_session_starts() -> None:
    """Started on Monday 08:30: due the next Monday 08:30."""
    session = start("keys.weekly_check", "2026-03-02T08:30", "cs_supervisor")
    assert [("checked_this_week", at("2026-03-09T08:30"))] == [(p.name, p.due) for p in session.step().promises]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_promise_is_titled(lang: str) -> None:
    """A console shows what was promised: each running promise has its title in the language asked for."""
    sessions = [staff_key("2026-03-02T08:40"), sealed_key("2026-03-02T08:40")]
    call = start("front_desk.service_rules", "2026-03-02T11:00", "front_desk")
    call.fire("personal_call_started", role="front_desk")
    sessions += [call, start("keys.weekly_check", "2026-03-02T08:30", "cs_supervisor")]
    assert all(p.title for s in sessions for p in s.step(lang).promises)


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("zh-Hant", ["檢查鑰匙的完好性", "確認鑰匙標識是否正確"]),
        ("zh-Hans", ["检查钥匙的完好性", "确认钥匙标识是否正确"]),
        ("en", ["Check that the key is intact.", "Check that the key's label is right."]),
    ],
)
def test_the_key_checkout_checklist_in_each_language(lang: str, texts: list[str]) -> None:
    """The two checks of a staff key's checkout, both required, unticked at first."""
    step = start("keys.staff_checkout_return", "2026-03-02T08:40", "employee").step(lang)
    assert [(t, True, False) for t in texts] == [(c.text, c.required, c.ticked) for c in step.checklist]


@pytest.mark.parametrize(
    ("lang", "first", "last"),
    [
        ("zh-Hant", "關掉自用電腦、電器", "完成自己負責的公共衛生工作"),
        ("zh-Hans", "关掉自用电脑、电器", "完成自己负责的公共卫生工作"),
        (
            "en",
            "Switch off your computer and electrical appliances.",
            "Finish the public-area cleaning you are responsible for.",
        ),
    ],
)
def test_the_after_work_checklist_in_each_language(lang: str, first: str, last: str) -> None:
    """The after-work routine lists the source's five acts, in its order."""
    session = start("etiquette.image_and_office", "2026-03-02T08:05", "employee")
    session.check("uniform_on", role="employee")
    session.check("computer_on", role="employee")
    session.fire("shift_started", role="employee")
    session.fire("work_over", role="employee")
    texts = [c.text for c in session.step(lang).checklist]
    assert (5, first, last) == (len(texts), texts[0], texts[-1])


def test_the_image_rules_are_shown_all_day() -> None:
    """Service awareness, the office, dress, grooming and bearing: ten rules beside every step of the day."""
    session = start("etiquette.image_and_office", "2026-03-02T08:05", "employee")
    names = [r.name for r in session.step().rules]
    assert (10, "image_represents_company", "deportment") == (len(names), names[0], names[-1])


def test_the_desk_shows_its_own_rules_and_both_policies() -> None:
    """第六节's and 第一章's rules, 第三节's (policy.reception_conduct) and the report-upward rules."""
    names = {r.name for r in start("front_desk.service_rules", "2026-03-02T08:30", "front_desk").step().rules}
    expected = {"never_leave_post", "never_unattended", "personal_calls", "stand_when_receiving_owner"}
    expected |= {"handover_and_major_events", "complaint_to_supervisor", "special_situation"}
    assert set() == expected - names


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh-Hant", "接待業主時要起立,做到微笑服務、不急不躁。"),
        ("zh-Hans", "接待业主时要起立,做到微笑服务、不急不躁。"),
        ("en", "Stand up when you receive an owner; serve with a smile, calm and unhurried."),
    ],
)
def test_the_greeting_carries_the_reception_rules(lang: str, text: str) -> None:
    """policy.reception_conduct's rules are shown beside the greeting of every kind of visitor."""
    session = start("front_desk.greeting_by_visitor_type", "2026-03-02T08:30", "front_desk")
    session.fire("owner_entered", role="front_desk")
    rules = {r.name: r.text for r in session.step(lang).rules}
    assert (text, True) == (rules["stand_when_receiving_owner"], "warm_to_visitors" in rules)


@pytest.mark.parametrize(
    ("pid", "forbidden"),
    [("etiquette.phone", "喂,找誰?"), ("keys.staff_checkout_return", "不得轉借他人")],
)
def test_the_forbidden_acts_are_rules_beside_every_step(pid: str, forbidden: str) -> None:
    """The telephone's forbidden openings and the key's keeping rules show in the first step already."""
    role = "employee"
    session = LIBRARY.start(
        pid,
        clock=sopflow.ManualClock(at("2026-03-02T09:00")),
        role=role,
        data={"company_name": "玉宏"} if pid == "etiquette.phone" else None,
    )
    assert any(forbidden in r.text for r in session.step("zh-Hant").rules)
