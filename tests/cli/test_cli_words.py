"""The walk speaks the walk's language, and every view writes values as people write them."""

from __future__ import annotations

import re
import string
from pathlib import Path

import opencc
import pytest
from cli_helpers import DATA, Invoke

from sopflow.render.text import value_text
from sopflow.render.words import WORDS

TYPED = DATA / "walk"
T2S = opencc.OpenCC("t2s")
"""Traditional to Simplified, as the chinese-script lint rule converts."""


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_the_three_languages_with_the_same_placeholders() -> None:
    """Each entry is in en, zh-Hant and zh-Hans, and each fills the same {names}."""
    found = {key: (sorted(texts), *(placeholders(t) for t in texts.values())) for key, texts in WORDS.items()}
    expected = {key: (["en", "zh-Hans", "zh-Hant"], *[placeholders(texts["en"])] * 3) for key, texts in WORDS.items()}
    assert expected == found


def test_simplified_messages_are_the_conversion_of_the_traditional_ones() -> None:
    """zh-Hans is zh-Hant converted by OpenCC: the two scripts never drift apart."""
    found = {key: T2S.convert(texts["zh-Hant"]) for key, texts in WORDS.items()}
    assert {key: texts["zh-Hans"] for key, texts in WORDS.items()} == found


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "zh-Hant",
            [
                "開始資料,來自前台的記錄(選填的按 Enter 跳過):",
                "話術    「歡迎來到North。」",
                "事件    1. recorded (前台) 需要 count, agreed, items; 可加 amount, kind, day,",
                "> 角色 (1 desk) [desk]: count (整數):   應為整數,輸入的是 'two'",
                "count (整數): agreed (是/否): items (清單,以逗號或頓號分隔): amount (數值, 選填:按",
                "09:00 desk: recorded  count=2 agreed=是 items=TV、沙發 → done",
                "已結束:completed ",
                "> 流程已結束(completed);請輸入 back、journal 或 quit",
                "> 已離開演練",
            ],
        ),
        (
            "zh-Hans",
            [
                "开始资料,来自前台的记录(选填的按 Enter 跳过):",
                "话术    「欢迎来到North。」",
                "事件    1. recorded (前台) 需要 count, agreed, items; 可加 amount, kind, day,",
                "> 角色 (1 desk) [desk]: count (整数):   应为整数,输入的是 'two'",
                "count (整数): agreed (是/否): items (清单,以逗号或顿号分隔): amount (数值, 选填:按",
                "09:00 desk: recorded  count=2 agreed=是 items=TV、沙发 → done",
                "已结束:completed ",
                "> 流程已结束(completed);请输入 back、journal 或 quit",
                "> 已离开演练",
            ],
        ),
    ],
)
def test_a_chinese_walk_speaks_chinese(cli: Invoke, lang: str, lines: list[str]) -> None:
    """Headings, prompts, hints and values of a zh-Hant or zh-Hans walk are in that language."""
    answers = ["North", "", "1", "", "two", "2", "是", "TV、" + ("沙發" if lang == "zh-Hant" else "沙发")]
    answers += [""] * 5 + ["1", "quit"]
    result = cli("walk", "test.typed", "-L", TYPED, "--lang", lang, input="\n".join(answers) + "\n")
    shown = [line for line in lines if any(line in x for x in result.stdout.splitlines())]
    assert (0, lines) == (result.exit_code, shown)


def test_an_unknown_event_lists_what_is_allowed_now(cli: Invoke) -> None:
    """A word that is no event here is answered with the events allowed now, in the walk's language."""
    result = cli("walk", "test.typed", "-L", TYPED, "--lang", "zh-Hant", "-d", "desk_name=N", input="\nfoo\nquit\n")
    expected = ["> 「foo」不是這一步的事件;請輸入 1 至 1 的編號,或 help", "  現在可以:1 recorded"]
    lines = result.stdout.splitlines()
    start = lines.index(expected[0])
    assert expected == lines[start : start + 2]


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (True, "en", "yes"),
        (False, "zh-Hant", "否"),
        (["TV", "sofa"], "en", "TV, sofa"),
        (["TV", "沙發"], "zh-Hant", "TV、沙發"),
        ([], "en", ""),
        (None, "en", "—"),
    ],
)
def test_values_are_written_as_people_write_them(value: object, lang: str, text: str) -> None:
    """Booleans are yes/no (是/否), lists are joined with ', ' (、 in Chinese), never Python's reprs."""
    assert text == value_text(value, lang)


def test_walk_data_and_journal_show_no_python_reprs(cli: Invoke) -> None:
    """The data and journal commands write booleans and lists as people do."""
    given = ["-d", "desk_name=N", "-d", "visitor=Chan", "-d", "agreed=no", "-d", "items=TV,sofa", "-d", "count=1"]
    result = cli("walk", "test.typed", "-L", TYPED, *given, input="data\njournal\nquit\n")
    reprs = re.findall(r"True|False|\['", result.stdout)
    wanted = ["desk_name=N visitor=*** count=1 agreed=no items=TV, sofa", "agreed=no items=TV, sofa"]
    assert ([], [True, True]) == (reprs, [w in result.stdout for w in wanted])


def test_show_writes_a_boolean_default_as_no(cli: Invoke, fixtures: Path) -> None:
    """show lists a field's default the way a person writes it."""
    out = " ".join(cli("show", "test.release", "-L", fixtures).stdout.split())
    assert (True, False) == ("slip_issued (bool, default no)" in out, "False" in out)


def test_a_played_transcript_writes_lists_without_brackets(cli: Invoke) -> None:
    """walk --script shows event data lists as a person writes them, 、-joined in Chinese."""
    scenario = Path("tests/scenarios/business.release_tenant/owner_agrees.yaml")
    out = cli("walk", "--script", scenario, "--lang", "zh-Hant").stdout
    wanted = ["items_recorded  items=沙發、電視機、冰箱", "awareness_answered  owner_aware=是"]
    assert [True, True] == [w in out for w in wanted]


def test_a_played_transcript_writes_a_time_as_the_desk_does(cli: Invoke) -> None:
    """A date and time kept in its JSON form (2026-03-05T14:00:00+08:00) is written 2026-03-05 14:00."""
    scenario = Path("tests/scenarios/business.repair/rescheduled_visit_accepted.yaml")
    out = " ".join(cli("walk", "--script", scenario, "--lang", "en").stdout.split())
    assert (True, False, False) == ("appointment_time=2026-03-05 14:00" in out, "14:00:00" in out, "+08:00" in out)
