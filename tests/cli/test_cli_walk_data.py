"""``sopflow walk`` data: ``--data`` converted by the field's type, and the start data asked before a walk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from cli_helpers import DATA, Invoke, finish, spawn

from sopflow.cli.convert import Unfit, parse_value
from sopflow.model import FieldSpec

TYPED = DATA / "walk"
"""``test.typed``: a field of every type; ``desk_name`` is required at start, ``visitor`` optional."""
PROMPT = "\r\n> "


def journal(output: str) -> list[str]:
    """The journal lines a walk printed (they start with ``#``, the first after the ``> `` prompt)."""
    lines = (line.removeprefix("> ") for line in output.splitlines())
    return [line for line in lines if line.startswith("#")]


HK = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("kind", "typed", "value"),
    [
        ("str", " Mr Chan ", "Mr Chan"),
        ("int", "2", 2),
        ("decimal", "1200.50", Decimal("1200.50")),
        ("bool", "yes", True),
        ("bool", "False", False),
        ("bool", "否", False),
        ("list[str]", "TV, sofa", ["TV", "sofa"]),
        ("list[str]", "沙發、電視機,冰箱", ["沙發", "電視機", "冰箱"]),
        ("list[str]", '["TV, 42 inch", "sofa"]', ["TV, 42 inch", "sofa"]),
        ("date", "2026-03-02", dt.date(2026, 3, 2)),
        ("time", "09:30", dt.time(9, 30)),
        ("datetime", "2026-03-02 09:30", dt.datetime(2026, 3, 2, 9, 30, tzinfo=HK)),
        ("datetime", "2026-03-02 09:30+00:00", dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)),
    ],
)
def test_typed_text_becomes_the_fields_value(kind: str, typed: str, value: Any) -> None:
    """One conversion serves prompts and --data: each type from the way a person writes it, in the walk's zone."""
    assert value == parse_value(FieldSpec(type=kind), typed, zone=HK)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "typed", "message"),
    [
        (FieldSpec(type="int"), "two", "expected a whole number, found 'two'"),
        (FieldSpec(type="decimal"), "NaN", "expected a number such as 1200.50, found 'NaN'"),
        (FieldSpec(type="enum", values=["repair"]), "fix", "expected one of repair, found 'fix'"),
        (
            FieldSpec(type="list[str]"),
            '["TV", 3]',
            """expected a comma-separated list, or a JSON list such as ["TV", "sofa"], found '["TV", 3]'""",
        ),
        (FieldSpec(type="int", private=True), "12a", "expected a whole number"),
        (  # nested past Python's stack, and quoted cut short
            FieldSpec(type="list[str]"),
            "[" * 100_000 + "]" * 100_000,
            """expected a comma-separated list, or a JSON list such as ["TV", "sofa"], found '""" + "[" * 38 + "…",
        ),
    ],
)
def test_a_wrong_value_says_what_was_expected(spec: FieldSpec, typed: str, message: str) -> None:
    """The message names the expected form, and never repeats a private value."""
    with pytest.raises(Unfit) as caught:
        parse_value(spec, typed)
    assert message == str(caught.value)


def test_data_options_are_converted_by_the_field_type(cli: Invoke) -> None:
    """Every type can be given with --data; the journal shows the values as a person writes them."""
    given = [
        "desk_name=North",
        "visitor=Chan",
        "count=2",
        "amount=1200.50",
        "agreed=yes",
        "kind=repair",
        "items=TV, sofa",
        "day=2026-03-02",
        "at_time=09:30",
        "moment=2026-03-02T09:30+08:00",
    ]
    result = cli("walk", "test.typed", "-L", TYPED, *(a for g in given for a in ("--data", g)), input="journal\nquit\n")
    expected = (
        "#1   09:00 start by desk (desk): · -> record  data: desk_name=North visitor=*** count=2 amount=1200.50 "
        "agreed=yes kind=repair items=TV, sofa day=2026-03-02 at_time=09:30 moment=2026-03-02 09:30"
    )
    assert (0, [expected]) == (result.exit_code, journal(result.stdout))


def test_a_json_list_keeps_a_comma_inside_an_item(cli: Invoke) -> None:
    """items='["TV, 42 inch","sofa"]' is two items, written with 、 between them in Chinese."""
    args = ["--data", "desk_name=North", "--data", 'items=["TV, 42 inch","sofa"]', "--lang", "zh-Hant"]
    result = cli("walk", "test.typed", "-L", TYPED, *args, input="\ndata\nquit\n")
    assert (0, True) == (result.exit_code, "desk_name=North items=TV, 42 inch、sofa" in result.stdout)


def test_the_tenant_release_takes_its_arrears_as_a_number(cli: Invoke) -> None:
    """The bundled tenant release accepts --data arrears_months=2 (it used to refuse the text '2')."""
    args = ["--data", "arrears_months=2", "--data", "estate_name=海濱花園"]
    result = cli("walk", "business.release_tenant", "--lang", "en", *args, input="\n" * 5 + "journal\nquit\n")
    expected = "#1   09:00 start by front_desk (front_desk): · -> ask_id  data: arrears_months=2 estate_name=海濱花園"
    assert (0, [expected]) == (result.exit_code, journal(result.stdout))


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("count", "error: --data takes field=value, found 'count'"),
        ("=2", "error: --data takes field=value, found '=2'"),
        ("cuont=2", "error: --data cuont: 'test.typed' has no field 'cuont'; did you mean 'count'?"),
        ("count=two", "error: --data count: expected a whole number, found 'two'"),
        ("agreed=maybe", "error: --data agreed: expected yes or no, found 'maybe'"),
        ("kind=other", "error: --data kind: expected one of repair, complaint, found 'other'"),
        ("day=2/3/2026", "error: --data day: expected a date such as 2026-03-02, found '2/3/2026'"),
    ],
)
def test_wrong_data_options_are_usage_errors(cli: Invoke, given: str, message: str) -> None:
    """A malformed pair, an unknown field or a value of the wrong type exits 2 before the walk starts."""
    result = cli("walk", "test.typed", "-L", TYPED, "--data", given)
    assert (2, message + "\n", "") == (result.exit_code, result.stderr, result.stdout)


def test_an_unknown_starting_role_is_a_usage_error(cli: Invoke) -> None:
    """--role must name a role of the procedure."""
    result = cli("walk", "test.typed", "-L", TYPED, "--role", "boss")
    assert (2, "error: --role: 'test.typed' has no role 'boss'; roles: desk\n") == (result.exit_code, result.stderr)


def test_start_data_is_asked_before_the_walk_starts(cli: Invoke) -> None:
    """A required start field is asked until given, an optional one is skipped with Enter."""
    result = cli("walk", "test.typed", "-L", TYPED, input="\nNorth\n\nquit\n")
    shown = result.stdout.splitlines()
    expected = [
        "Start data, from the desk's records (Enter skips an optional one):",
        "desk_name · name of the desk (str):   desk_name is needed to start",
        "desk_name · name of the desk (str): visitor (str, private, optional: Enter to skip): Type an event's "
        "number or name, or wait 3m, back, journal, data, help, quit.",
        "09:00 ▶ start as desk  desk_name=North → record",
    ]
    assert (0, expected, True) == (result.exit_code, shown[2:6], "Say     “Welcome to North.”" in shown)


def test_start_data_given_with_data_is_not_asked(cli: Invoke) -> None:
    """--data desk_name=… leaves only the optional visitor to offer."""
    result = cli("walk", "test.typed", "-L", TYPED, "--data", "desk_name=North", input="Chan\njournal\nquit\n")
    expected = "#1   09:00 start by desk (desk): · -> record  data: desk_name=North visitor=***"
    assert (0, False, [expected]) == (result.exit_code, "desk_name ·" in result.stdout, journal(result.stdout))


def test_a_chinese_walk_through_the_tenant_release_reaches_the_end() -> None:
    """With the estate asked at start, an interactive zh-Hant walk gets past the owner call to the release."""
    child = spawn("walk", "business.release_tenant", "--lang", "zh-Hant")
    answers = [
        ("estate_name · 管理處名稱 (文字): ", "海濱花園"),
        ("unit · 單元 (文字, 選填:按 Enter 跳過): ", "3"),
        ("flat · 戶 (文字, 選填:按 Enter 跳過): ", "1201"),
        ("tenant_name · 租戶姓氏 (文字, 選填:按 Enter 跳過): ", "陳"),
        ("(文字, 選填:按 Enter 跳過): ", "李"),
        ("(文字, 隱私, 選填:按 Enter 跳過): ", "+852 5555 0101"),
    ]
    events = [
        ("id_copied", ["", "scan-001", "", "", ""]),
        ("fees_checked", ["", "0", "0"]),
        ("items_recorded", ["", "沙發、電視機", "否"]),
        ("stepped_away", [""]),
        ("identity_confirmed", [""]),
        ("awareness_answered", ["", "是"]),
        ("rent_answered", ["", "否"]),
        ("items_answered", ["", "否"]),
        ("consent_answered", ["", "是"]),
        ("hung_up", [""]),
        ("tenant_signed", [""]),
        ("slip_handed", [""]),
    ]
    for prompt, answer in answers:
        child.expect_exact(prompt)
        child.sendline(answer)
    for event, replies in events:
        child.expect_exact(PROMPT)
        child.sendline(event)
        for reply in replies:
            child.expect_exact(": ")
            child.sendline(reply)
    child.expect_exact("已結束:completed")
    child.expect_exact(PROMPT)
    child.sendline("quit")
    status, screen = finish(child)
    said = "話術    「您好,這里是中海物業 海濱花園管理處,請問您是 3 單元 1201 戶業主李"
    assert (0, True, True) == (status, said in screen, "items=沙發、電視機" in screen)
