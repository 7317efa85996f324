"""Document 003's rules, keys and etiquette: checklists ticked, promises made, kept and missed, rules shown.

Scenario files cannot tick a checklist item and have no key for journal entries other than
fired events, so what they cannot show is checked here through the Python API: the routines
(the checklists of the working day and of a key's checkout), the same-day return of keys
(due at 17:20), the three-minute personal call, the weekly key check, and the standing rules
that policies bring to every step. Each is checked in the three languages the procedures
are written in where text is shown.
"""

from __future__ import annotations

import datetime as dt

import pytest

import sopflow
from sopflow.errors import ChecklistIncomplete, EventNotAllowed

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
LIBRARY = sopflow.load_library()
LANGUAGES = ["zh-Hant", "zh-Hans", "en"]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def start(pid: str, when: str, role: str, **data: object) -> tuple[sopflow.Session, sopflow.ManualClock]:
    clock = sopflow.ManualClock(at(when))
    return LIBRARY.start(pid, clock=clock, role=role, data=data or None), clock


def promises(session: sopflow.Session) -> list[tuple[str | None, str | None, dt.datetime]]:
    """The promise entries of the journal: (promise, made/kept/missed, when)."""
    return [(e.event, e.detail, e.at) for e in session.journal if e.kind == "promise"]


# -- keys.staff_checkout_return --------------------------------------------------------------


def checked_out(when: str) -> tuple[sopflow.Session, sopflow.ManualClock]:
    """A work key taken at ``when``: both checks ticked, the checkout recorded by the assistant."""
    session, clock = start("keys.staff_checkout_return", when, "employee")
    session.check("key_intact", role="employee")
    session.check("label_correct", role="employee")
    session.fire("key_checked_out", role="cs_assistant", data={"key_label": "B座-设备间-03"})
    return session, clock


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("zh-Hant", ["檢查鑰匙的完好性", "確認鑰匙標識是否正確"]),
        ("zh-Hans", ["检查钥匙的完好性", "确认钥匙标识是否正确"]),
        ("en", ["Check that the key is intact.", "Check that the key's label is right."]),
    ],
)
def test_staff_key_checkout_is_a_checklist(lang: str, texts: list[str]) -> None:
    """The two checks are shown in each language, both required, and the checkout waits for them."""
    session, _ = start("keys.staff_checkout_return", "2026-03-02T08:40", "employee")
    step = session.step(lang)
    assert ([(t, True, False) for t in texts]) == [(c.text, c.required, c.ticked) for c in step.checklist]
    session.check("key_intact", role="employee")
    with pytest.raises(ChecklistIncomplete):
        session.fire("key_checked_out", role="employee", data={"key_label": "B2"})
    session.check("label_correct", role="employee")
    assert "in_use" == session.fire("key_checked_out", role="employee", data={"key_label": "B2"}).state


def test_staff_key_returned_before_1720_keeps_the_promise() -> None:
    """Taken at 08:40, returned at 16:55: the same-day promise is made at checkout and kept."""
    session, clock = checked_out("2026-03-02T08:40")
    assert [("returned_same_day", at("2026-03-02T17:20"))] == [(p.name, p.due) for p in session.step().promises]
    clock.set(at("2026-03-02T16:55"))
    session.fire("key_returned", role="cs_assistant", data={"returned_at": at("2026-03-02T16:55")})
    assert (
        [
            ("returned_same_day", "made", at("2026-03-02T08:40")),
            ("returned_same_day", "kept", at("2026-03-02T16:55")),
        ],
        "completed",
    ) == (promises(session), session.outcome)


def test_staff_key_returned_late_misses_the_promise_at_1720() -> None:
    """Not back by 17:20: the miss is journaled at 17:20 while the key is still in use; it comes back later."""
    session, clock = checked_out("2026-03-02T13:00")
    clock.set(at("2026-03-02T18:10"))
    session.advance()
    assert ("in_use", [("returned_same_day", "missed", at("2026-03-02T17:20"))]) == (
        session.state,
        promises(session)[1:],
    )
    session.fire("key_returned", role="employee", data={"returned_at": at("2026-03-02T18:10")})
    assert ("completed", 2) == (session.outcome, len(promises(session)))


def test_staff_key_taken_after_1720_is_due_the_next_day() -> None:
    """Taken at 19:00 (an evening job): the same-day moment has passed, so 17:20 the next day."""
    session, _ = checked_out("2026-03-02T19:00")
    assert [at("2026-03-03T17:20")] == [p.due for p in session.step().promises]


@pytest.mark.parametrize(
    ("event", "report", "final"),
    [
        ("key_lost", "loss_reported", "loss_reported_to_superior"),
        ("key_damaged", "damage_reported", "damage_reported_to_superior"),
    ],
)
def test_staff_key_lost_or_damaged_is_reported_and_never_returned(event: str, report: str, final: str) -> None:
    """The report ends the session escalated; the key never came back, so the promise is missed at 17:20."""
    session, clock = checked_out("2026-03-02T09:00")
    session.fire(event, role="employee", data={"key_damage": "断齿"} if event == "key_damaged" else None)
    session.fire(report, role="superior")
    clock.set(at("2026-03-02T17:30"))
    session.advance()
    assert (final, "escalated", ("returned_same_day", "missed", at("2026-03-02T17:20"))) == (
        session.state,
        session.outcome,
        promises(session)[-1],
    )


# -- etiquette.image_and_office --------------------------------------------------------------


def test_a_working_day_ticks_both_routines() -> None:
    """Before work: uniform and computer; after work: five acts, every one ticked before leaving."""
    session, clock = start("etiquette.image_and_office", "2026-03-02T08:05", "employee")
    for item in ("uniform_on", "computer_on"):
        session.check(item, role="employee")
    session.fire("shift_started", role="employee")
    with pytest.raises(EventNotAllowed):
        session.fire("left_office", role="employee")
    clock.set(at("2026-03-02T17:30"))
    session.fire("work_over", role="employee")
    items = ["switch_off", "file_papers", "put_away_stationery", "clear_desk", "hygiene_duty"]
    for item in items[:-1]:
        session.check(item, role="employee")
    with pytest.raises(ChecklistIncomplete):
        session.fire("left_office", role="employee")
    session.check(items[-1], role="employee")
    assert ("day_done", "completed") == (session.fire("left_office", role="employee").state, session.outcome)


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
    session, _ = start("etiquette.image_and_office", "2026-03-02T08:05", "employee")
    session.check("uniform_on", role="employee")
    session.check("computer_on", role="employee")
    session.fire("shift_started", role="employee")
    session.fire("work_over", role="employee")
    texts = [c.text for c in session.step(lang).checklist]
    assert (5, first, last) == (len(texts), texts[0], texts[-1])


def test_the_image_rules_are_shown_all_day() -> None:
    """Service awareness, the office, dress, grooming and bearing: ten rules beside every step."""
    session, _ = start("etiquette.image_and_office", "2026-03-02T08:05", "employee")
    names = [r.name for r in session.step().rules]
    assert (10, "image_represents_company", "deportment") == (len(names), names[0], names[-1])


# -- front_desk.service_rules -----------------------------------------------------------------


def test_a_personal_call_within_3_minutes_keeps_the_promise() -> None:
    """Made when the call starts, kept when it ends 2 minutes 50 seconds later."""
    session, clock = start("front_desk.service_rules", "2026-03-02T11:00", "front_desk")
    session.fire("personal_call_started", role="front_desk")
    assert [at("2026-03-02T11:03")] == [p.due for p in session.step().promises]
    clock.set(at("2026-03-02T11:02:50"))
    session.fire("personal_call_ended", role="front_desk")
    assert [("made", at("2026-03-02T11:00")), ("kept", at("2026-03-02T11:02:50"))] == [
        (detail, when) for _, detail, when in promises(session)
    ]


def test_a_personal_call_over_3_minutes_is_journaled_as_missed_and_each_call_is_a_new_promise() -> None:
    """A five-minute call misses at 14:03 without a change of state; the next call is promised afresh."""
    session, clock = start("front_desk.service_rules", "2026-03-02T14:00", "front_desk")
    session.fire("personal_call_started", role="front_desk")
    clock.set(at("2026-03-02T14:05"))
    session.advance()
    assert "on_personal_call" == session.state
    session.fire("personal_call_ended", role="front_desk")
    session.fire("personal_call_started", role="front_desk")
    clock.set(at("2026-03-02T14:06"))
    session.fire("personal_call_ended", role="front_desk")
    assert [
        ("made", at("2026-03-02T14:00")),
        ("missed", at("2026-03-02T14:03")),
        ("made", at("2026-03-02T14:05")),
        ("kept", at("2026-03-02T14:06")),
    ] == [(detail, when) for _, detail, when in promises(session)]


def test_the_desk_shows_its_own_rules_and_both_policies() -> None:
    """第六节 and 第一章's rules, 第三节's (policy.reception_conduct) and the report-upward rules."""
    session, _ = start("front_desk.service_rules", "2026-03-02T08:30", "front_desk")
    names = {r.name for r in session.step().rules}
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
    session, _ = start("front_desk.greeting_by_visitor_type", "2026-03-02T08:30", "front_desk")
    session.fire("owner_entered", role="front_desk")
    rules = {r.name: r.text for r in session.step(lang).rules}
    assert (text, True) == (rules["stand_when_receiving_owner"], "warm_to_visitors" in rules)


# -- keys.sealed_key_issue ------------------------------------------------------------------


def issued(when: str, request: str = "owner_requests") -> tuple[sopflow.Session, sopflow.ManualClock]:
    """An owner's key confirmed by the specialist and issued at ``when``."""
    session, clock = start("keys.sealed_key_issue", when, "key_custodian")
    session.fire(request, role="key_custodian")
    session.fire("specialist_confirmed", role="butler")
    session.fire(
        "key_issued",
        role="key_custodian",
        data={"key_label": "5-2-801", "collector_name": "业主 韩", "issued_at": at(when)},
    )
    return session, clock


def test_a_sealed_key_back_the_same_day_keeps_the_promise() -> None:
    """Made on issue, kept on return; the 17:20 timer goes with the state."""
    session, clock = issued("2026-03-02T09:15")
    clock.set(at("2026-03-02T12:15"))
    session.fire("key_returned", role="key_custodian", data={"returned_at": at("2026-03-02T12:15")})
    clock.set(at("2026-03-02T18:00"))
    session.advance()
    assert [("made", at("2026-03-02T09:15")), ("kept", at("2026-03-02T12:15"))] == [
        (detail, when) for _, detail, when in promises(session)
    ]


def test_an_overdue_sealed_key_is_chased_and_the_promise_missed_at_1720() -> None:
    """At 17:20 the timer moves the key to the chase and the miss is journaled at the same moment."""
    session, clock = issued("2026-03-03T14:05")
    clock.set(at("2026-03-03T17:21"))
    session.advance()
    timer = [e for e in session.journal if e.kind == "timer"]
    assert (
        "chase_owner",
        [("not_returned_today", at("2026-03-03T17:20"))],
        ("returned_same_day", "missed", at("2026-03-03T17:20")),
    ) == (session.state, [(e.event, e.at) for e in timer], promises(session)[-1])


def test_a_damaged_sealed_key_returned_in_time_keeps_the_promise() -> None:
    """A key brought back damaged is back: the promise is kept, and the supervisor has it replaced."""
    session, clock = issued("2026-03-04T10:00")
    clock.set(at("2026-03-04T11:00"))
    session.fire(
        "key_returned_damaged",
        role="key_custodian",
        data={"returned_at": at("2026-03-04T11:00"), "key_damage": "钥匙齿弯曲"},
    )
    session.fire("replacement_arranged", role="cs_supervisor", data={"replacement_cost": "15.00"})
    assert ("completed", ("returned_same_day", "kept", at("2026-03-04T11:00"))) == (
        session.outcome,
        promises(session)[-1],
    )


def test_a_refused_request_makes_no_promise() -> None:
    """The promise starts at the issue: a key never issued is never owed."""
    session, clock = start("keys.sealed_key_issue", "2026-03-02T11:00", "key_custodian")
    session.fire("owner_requests", role="key_custodian")
    session.fire("specialist_not_confirmed", role="butler")
    clock.set(at("2026-03-03T12:00"))
    session.advance()
    assert ("refused", []) == (session.outcome, promises(session))


def test_the_warehouse_key_used_at_night_is_due_the_next_day_and_kept_when_sealed() -> None:
    """Issued at 21:35 (17:20 has passed): due 17:20 the next day; sealed under two signatures at 22:10."""
    session, clock = start("keys.sealed_key_issue", "2026-03-02T21:30", "key_custodian")
    session.fire("warehouse_emergency", role="key_custodian")
    session.fire("consent_given", role="duty_supervisor")
    clock.set(at("2026-03-02T21:35"))
    session.fire(
        "key_issued",
        role="key_custodian",
        data={"key_label": "库房-1", "collector_name": "工程部 胡", "issued_at": at("2026-03-02T21:35")},
    )
    assert [("warehouse_key_returned_same_day", at("2026-03-03T17:20"))] == [
        (p.name, p.due) for p in session.step().promises
    ]
    clock.set(at("2026-03-02T22:10"))
    session.fire("use_finished", role="duty_supervisor", data={"items_taken": ["抽水泵"]})
    session.fire("staff_signed_seal", role="cs_staff")
    session.fire("supervisor_signed_seal", role="cs_supervisor")
    assert ("resealed", ("warehouse_key_returned_same_day", "kept", at("2026-03-02T22:10"))) == (
        session.state,
        promises(session)[-1],
    )


# -- keys.weekly_check ----------------------------------------------------------------------


def test_the_weekly_check_done_within_the_week_keeps_the_promise() -> None:
    """Started Monday 08:30; the check on Wednesday keeps it."""
    session, clock = start("keys.weekly_check", "2026-03-02T08:30", "cs_supervisor")
    assert [at("2026-03-09T08:30")] == [p.due for p in session.step().promises]
    clock.set(at("2026-03-04T15:00"))
    session.fire("no_problems_found", role="cs_supervisor")
    assert ["made", "kept"] == [detail for _, detail, _ in promises(session)]


def test_a_weekly_check_not_done_in_the_week_is_missed() -> None:
    """Nothing by the next Monday 08:30: missed, and the check still waits to be done."""
    session, clock = start("keys.weekly_check", "2026-03-02T08:30", "cs_supervisor")
    clock.set(at("2026-03-10T09:00"))
    session.advance()
    assert ("check_key_management", ("checked_this_week", "missed", at("2026-03-09T08:30"))) == (
        session.state,
        promises(session)[-1],
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_promise_has_a_title_in_each_language(lang: str) -> None:
    """A console shows what was promised: each promise of these procedures is titled in every language."""
    session, _ = checked_out("2026-03-02T08:40")
    assert all(p.title for p in session.step(lang).promises)
