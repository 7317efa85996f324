"""The handbook's own words in the desk's three languages, and times said as people say them.

A trainee reading the Chinese handbook reads Chinese labels around the procedure's Chinese
lines: "3 分鐘後", not "after 3m". Every entry has the same placeholders in each language
(a test holds it); a language the handbook does not know reads English.
"""

from __future__ import annotations

from collections.abc import Callable

from sopflow.model.waits import FieldTime, TimeOfDay, Wait, When, parse_wait, parse_when
from sopflow.render.outline import OccurrenceLine, PropertyLine

WORDS: dict[str, dict[str, str]] = {
    "handbook": {"en": "Procedure handbook", "zh-Hant": "程序手冊", "zh-Hans": "程序手册"},
    "language_name": {"en": "English", "zh-Hant": "繁體中文", "zh-Hans": "简体中文"},
    "search": {"en": "Search", "zh-Hant": "搜尋", "zh-Hans": "搜索"},
    "search_hint": {
        "en": "Search titles, steps and warm tips…",
        "zh-Hant": "搜尋標題、步驟和溫馨貼士…",
        "zh-Hans": "搜索标题、步骤和温馨贴士…",
    },
    "no_results": {"en": "No procedure matches.", "zh-Hant": "沒有相符的程序。", "zh-Hans": "没有相符的程序。"},
    "all_procedures": {"en": "All procedures", "zh-Hant": "全部程序", "zh-Hans": "全部程序"},
    "count": {"en": "{count} procedures", "zh-Hant": "共 {count} 個程序", "zh-Hans": "共 {count} 个程序"},
    "roles": {"en": "Roles", "zh-Hant": "角色", "zh-Hans": "角色"},
    "data": {"en": "Data recorded", "zh-Hant": "記錄的資料", "zh-Hans": "记录的资料"},
    "private": {"en": "private", "zh-Hant": "隱私", "zh-Hans": "隐私"},
    "steps": {"en": "Steps", "zh-Hant": "步驟", "zh-Hans": "步骤"},
    "say": {"en": "Say", "zh-Hant": "話術", "zh-Hans": "话术"},
    "do": {"en": "Do", "zh-Hant": "動作", "zh-Hans": "动作"},
    "checklist": {"en": "Checklist", "zh-Hant": "核對清單", "zh-Hans": "核对清单"},
    "optional": {"en": "optional", "zh-Hant": "選填", "zh-Hans": "选填"},
    "tips": {"en": "Warm tips", "zh-Hant": "溫馨貼士", "zh-Hans": "温馨贴士"},
    "next": {"en": "Next", "zh-Hant": "下一步", "zh-Hans": "下一步"},
    "ends": {"en": "Ends: {outcome}", "zh-Hant": "結束:{outcome}", "zh-Hans": "结束:{outcome}"},
    "stays": {"en": "stays at this step", "zh-Hant": "留在此步", "zh-Hans": "留在此步"},
    "if": {"en": "if {guard}", "zh-Hant": "如果 {guard}", "zh-Hans": "如果 {guard}"},
    "otherwise": {"en": "otherwise", "zh-Hant": "否則", "zh-Hans": "否则"},
    "needs": {"en": "needs {fields}", "zh-Hant": "需要 {fields}", "zh-Hans": "需要 {fields}"},
    "may_add": {"en": "may add {fields}", "zh-Hant": "可加 {fields}", "zh-Hans": "可加 {fields}"},
    "calls": {"en": "calls {procedure}", "zh-Hant": "調用 {procedure}", "zh-Hans": "调用 {procedure}"},
    "call": {"en": "Calls", "zh-Hant": "調用", "zh-Hans": "调用"},
    "requires": {"en": "Needs before leaving", "zh-Hant": "離開前要記錄", "zh-Hans": "离开前要记录"},
    "ladder": {"en": "Escalation ladder", "zh-Hant": "逐級上報", "zh-Hans": "逐级上报"},
    "for": {"en": "for {wait}", "zh-Hant": "限 {wait}", "zh-Hans": "限 {wait}"},
    "promises": {"en": "Promises", "zh-Hant": "承諾", "zh-Hans": "承诺"},
    "kept_by": {"en": "kept by reaching {steps}", "zh-Hant": "到達 {steps} 即兌現", "zh-Hans": "到达 {steps} 即兑现"},
    "rules": {"en": "Standing rules", "zh-Hant": "常規", "zh-Hans": "常规"},
    "guarantees": {"en": "What the procedure guarantees", "zh-Hant": "程序的保證", "zh-Hans": "程序的保证"},
    "guarantees_lead": {
        "en": "sopflow check proves each of these on every way through the procedure.",
        "zh-Hant": "sopflow check 在程序的每一條路徑上驗證以下各項。",
        "zh-Hans": "sopflow check 在程序的每一条路径上验证以下各项。",
    },
    "invariants": {"en": "Always true", "zh-Hant": "始終成立", "zh-Hans": "始终成立"},
    # property patterns, for a property its author gave no words
    "p_first": {
        "en": "{then} only after {first}",
        "zh-Hant": "先 {first},才可 {then}",
        "zh-Hans": "先 {first},才可 {then}",
    },
    "p_after": {
        "en": "once {after}, always {eventually} in the end",
        "zh-Hant": "{after} 之後,最終必定 {eventually}",
        "zh-Hans": "{after} 之后,最终必定 {eventually}",
    },
    "p_never": {"en": "never {never}", "zh-Hant": "絕不 {never}", "zh-Hans": "绝不 {never}"},
    "p_always_available": {
        "en": "{event} is possible at every step",
        "zh-Hant": "每一步都可以 {event}",
        "zh-Hans": "每一步都可以 {event}",
    },
    "p_only": {"en": "{only} only by {roles}", "zh-Hant": "{only} 只限 {roles}", "zh-Hans": "{only} 只限 {roles}"},
    "p_while": {
        "en": "{rule} while {condition}",
        "zh-Hant": "當 {condition} 時,{rule}",
        "zh-Hans": "当 {condition} 时,{rule}",
    },
    "reaching": {"en": "reaching {step}", "zh-Hant": "到達 {step}", "zh-Hans": "到达 {step}"},
    "in_procedure": {
        "en": "{what} in {procedure}",
        "zh-Hant": "{what}(於 {procedure})",
        "zh-Hans": "{what}(于 {procedure})",
    },
    "any_step": {"en": "At any step", "zh-Hant": "任何步驟", "zh-Hans": "任何步骤"},
    "policies": {"en": "Policies used", "zh-Hant": "採用的政策", "zh-Hans": "采用的政策"},
    "source": {"en": "Source", "zh-Hant": "出處", "zh-Hans": "出处"},
    "document": {"en": "document {document}", "zh-Hant": "文件 {document}", "zh-Hans": "文件 {document}"},
    "lines": {"en": "lines {lines}", "zh-Hant": "第 {lines} 行", "zh-Hans": "第 {lines} 行"},
    "notes": {"en": "Notes", "zh-Hant": "備註", "zh-Hans": "备注"},
    "diagram": {"en": "Diagram", "zh-Hant": "流程圖", "zh-Hans": "流程图"},
    "no_diagram": {
        "en": "Diagram left out: this handbook was built without Graphviz.",
        "zh-Hant": "未附流程圖:建立本手冊時沒有 Graphviz。",
        "zh-Hans": "未附流程图:建立本手册时没有 Graphviz。",
    },
    "starts": {"en": "Starts at {step}", "zh-Hant": "由 {step} 開始", "zh-Hans": "由 {step} 开始"},
    "anyone": {"en": "anyone", "zh-Hant": "任何人", "zh-Hans": "任何人"},
    "who": {"en": "Who", "zh-Hant": "負責", "zh-Hans": "负责"},
    # outcomes
    "completed": {"en": "completed", "zh-Hant": "完成", "zh-Hans": "完成"},
    "refused": {"en": "refused", "zh-Hant": "拒絕", "zh-Hans": "拒绝"},
    "escalated": {"en": "escalated", "zh-Hant": "上報", "zh-Hans": "上报"},
    "handed_over": {"en": "handed over", "zh-Hant": "轉交", "zh-Hans": "转交"},
    "pending_follow_up": {"en": "pending follow-up", "zh-Hant": "待跟進", "zh-Hans": "待跟进"},
    "referred": {"en": "referred", "zh-Hant": "轉介", "zh-Hans": "转介"},
    # times
    "after": {"en": "after {wait}", "zh-Hant": "{wait}後", "zh-Hans": "{wait}后"},
    "at": {"en": "at {moment}", "zh-Hant": "於 {moment}", "zh-Hans": "于 {moment}"},
    "within": {"en": "within {wait}", "zh-Hant": "{wait}內", "zh-Hans": "{wait}内"},
    "by": {"en": "by {moment}", "zh-Hant": "{moment}前", "zh-Hans": "{moment}前"},
    "days": {"en": "{n} days", "zh-Hant": "{n} 天", "zh-Hans": "{n} 天"},
    "day": {"en": "{n} day", "zh-Hant": "{n} 天", "zh-Hans": "{n} 天"},
    "hours": {"en": "{n} hours", "zh-Hant": "{n} 小時", "zh-Hans": "{n} 小时"},
    "hour": {"en": "{n} hour", "zh-Hant": "{n} 小時", "zh-Hans": "{n} 小时"},
    "minutes": {"en": "{n} minutes", "zh-Hant": "{n} 分鐘", "zh-Hans": "{n} 分钟"},
    "minute": {"en": "{n} minute", "zh-Hant": "{n} 分鐘", "zh-Hans": "{n} 分钟"},
    "seconds": {"en": "{n} seconds", "zh-Hant": "{n} 秒", "zh-Hans": "{n} 秒"},
    "second": {"en": "{n} second", "zh-Hant": "{n} 秒", "zh-Hans": "{n} 秒"},
    "working_days": {"en": "{n} working days", "zh-Hant": "{n} 個工作日", "zh-Hans": "{n} 个工作日"},
    "working_day": {"en": "{n} working day", "zh-Hant": "{n} 個工作日", "zh-Hans": "{n} 个工作日"},
    "working_hours": {"en": "{n} working hours", "zh-Hant": "{n} 個工作小時", "zh-Hans": "{n} 个工作小时"},
    "working_hour": {"en": "{n} working hour", "zh-Hant": "{n} 個工作小時", "zh-Hans": "{n} 个工作小时"},
    "today_or_next": {"en": "{time}", "zh-Hant": "{time}", "zh-Hans": "{time}"},
    "next_day": {"en": "{time} the next day", "zh-Hant": "翌日 {time}", "zh-Hans": "次日 {time}"},
    "working_day_at": {"en": "{time} on a working day", "zh-Hant": "工作日 {time}", "zh-Hans": "工作日 {time}"},
    "next_working_day": {
        "en": "{time} on the next working day",
        "zh-Hant": "下一個工作日 {time}",
        "zh-Hans": "下一个工作日 {time}",
    },
    "opening": {"en": "opening time", "zh-Hant": "開門時", "zh-Hans": "开门时"},
}
"""Message key -> language -> text; ``{name}`` placeholders are filled by :func:`word`."""


def word(key: str, lang: str, **values: object) -> str:
    """The message ``key`` in ``lang``; a language the handbook does not know reads English."""
    texts = WORDS[key]
    return texts.get(lang, texts["en"]).format(**values)


def property_words(line: PropertyLine, lang: str, role: Callable[[str], str] = str) -> str:
    """A property in words from its pattern: ``先 owner_called,才可 slip_issued``.

    The author's own words (``text``) say it better; these are for a property without them,
    and beside them, so a reader can see exactly what is checked.
    """
    said = [_occurrence_words(o, lang) for o in line.subjects]
    if line.pattern == "first":
        rule = word("p_first", lang, first=said[0], then=said[1])
    elif line.pattern == "after":
        rule = word("p_after", lang, after=said[0], eventually=said[1])
    elif line.pattern == "never":
        rule = word("p_never", lang, never=said[0])
    elif line.pattern == "always_available":
        rule = word("p_always_available", lang, event=said[0])
    else:
        rule = word("p_only", lang, only=said[0], roles=", ".join(role(r) for r in line.roles))
    return rule if line.condition is None else word("p_while", lang, rule=rule, condition=line.condition)


def _occurrence_words(o: OccurrenceLine, lang: str) -> str:
    what = word("reaching", lang, step=o.name) if o.reached else o.name
    return what if o.procedure is None else word("in_procedure", lang, what=what, procedure=o.procedure)


def outcome(name: str, lang: str) -> str:
    """An outcome class in words (``待跟進``); an outcome the table lacks keeps its name."""
    return word(name, lang) if name in WORDS else name


def stretch(seconds: float, lang: str) -> str:
    """``5400`` → ``1 hour 30 minutes`` (``1 小時 30 分鐘``)."""
    total = round(seconds)
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        n, total = divmod(total, size)
        if n:
            parts.append(word(unit if n == 1 else f"{unit}s", lang, n=n))
    return " ".join(parts) or word("seconds", lang, n=0)


def _wait(wait: Wait, lang: str) -> str:
    if wait.unit == "seconds":
        return stretch(wait.amount, lang)
    unit = "working_day" if wait.unit == "working_days" else "working_hour"
    return word(unit if wait.amount == 1 else f"{unit}s", lang, n=f"{wait.amount:g}")


def _moment(moment: TimeOfDay, lang: str) -> str:
    time = moment.time.strftime("%H:%M") if moment.time is not None else word("opening", lang)
    key = "working_day_at" if moment.day == "working_day" else moment.day
    return word(key, lang, time=time)


def timer_words(delay: float | None, wait: str | None, lang: str, field: Callable[[str], str] = str) -> str:
    """When a timer fires, as a person says it: ``after 3 minutes``, ``於 下一個工作日 09:00``.

    A moment held in a field is said with the field's title (``field`` gives it in ``lang``).
    """
    if delay is not None or wait is None:
        return word("after", lang, wait=stretch(delay or 0, lang))
    try:
        return word("at", lang, moment=_when(parse_when(wait), lang, field))
    except ValueError:
        return word("after", lang, wait=_wait(parse_wait(wait), lang))


def promise_words(wait: str, lang: str, field: Callable[[str], str] = str) -> str:
    """When a promise falls due: ``within 3 working days``, ``by 11:50`` (``11:50前``)."""
    try:
        return word("by", lang, moment=_when(parse_when(wait), lang, field))
    except ValueError:
        return word("within", lang, wait=_wait(parse_wait(wait), lang))


def _when(moment: When, lang: str, field: Callable[[str], str]) -> str:
    return field(moment.field) if isinstance(moment, FieldTime) else _moment(moment, lang)
