"""The walk-through's own words in the desk's three languages.

A trainee walking a procedure in Chinese reads the desk's lines in Chinese;
the labels, prompts and hints around them must not switch to English. They
are kept in one table so a translation is checked in one place: every entry
has the same placeholders in each language, and the Simplified line is the
character-by-character conversion of the Traditional one (a test holds both).
Command words a trainee types (``wait``, ``back``, ``quit``…) stay as they are.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    # heading and help
    "clock": {
        "en": "Training clock at {at}; time only moves when you type wait.",
        "zh-Hant": "練習時鐘:{at};只有輸入 wait 時,時間才會前進。",
        "zh-Hans": "练习时钟:{at};只有输入 wait 时,时间才会前进。",
    },
    "help_line": {
        "en": "Type an event's number or name, or wait 3m, back, journal, data, help, quit.",
        "zh-Hant": "輸入事件的編號或名稱,或 wait 3m、back、journal、data、help、quit。",
        "zh-Hans": "输入事件的编号或名称,或 wait 3m、back、journal、data、help、quit。",
    },
    "commands": {
        "en": (
            "  1, 2, …    fire that event (you are asked for the role and the data it needs)\n"
            "  found      fire an event by its name\n"
            "  wait 3m    let time pass (30s, 3m, 2 working days, next working day 09:00); timers that fall due fire\n"
            "  back       undo the last event or wait\n"
            "  journal    the session's journal, private data shown as ***\n"
            "  data       the data captured so far (private data shown as ***)\n"
            "  quit       leave the walk-through (Ctrl-D too)"
        ),
        "zh-Hant": (
            "  1, 2, …    觸發該事件(會問角色和事件需要的資料)\n"
            "  found      以名稱觸發事件\n"
            "  wait 3m    讓時間過去(30s、3m、2 working days、next working day 09:00);到期的計時器會觸發\n"
            "  back       撤銷上一個事件或等待\n"
            "  journal    流程日誌,隱私資料顯示為 ***\n"
            "  data       目前已記錄的資料(隱私資料顯示為 ***)\n"
            "  quit       離開演練(也可按 Ctrl-D)"
        ),
        "zh-Hans": (
            "  1, 2, …    触发该事件(会问角色和事件需要的资料)\n"
            "  found      以名称触发事件\n"
            "  wait 3m    让时间过去(30s、3m、2 working days、next working day 09:00);到期的计时器会触发\n"
            "  back       撤销上一个事件或等待\n"
            "  journal    流程日志,隐私资料显示为 ***\n"
            "  data       目前已记录的资料(隐私资料显示为 ***)\n"
            "  quit       离开演练(也可按 Ctrl-D)"
        ),
    },
    "start_data": {
        "en": "Start data, from the desk's records (Enter skips an optional one):",
        "zh-Hant": "開始資料,來自前台的記錄(選填的按 Enter 跳過):",
        "zh-Hans": "开始资料,来自前台的记录(选填的按 Enter 跳过):",
    },
    "left": {
        "en": "left the walk-through",
        "zh-Hant": "已離開演練",
        "zh-Hans": "已离开演练",
    },
    # the current step
    "Step": {"en": "Step", "zh-Hant": "步驟", "zh-Hans": "步骤"},
    "Say": {"en": "Say", "zh-Hant": "話術", "zh-Hans": "话术"},
    "Do": {"en": "Do", "zh-Hant": "動作", "zh-Hans": "动作"},
    "Tips": {"en": "Tips", "zh-Hant": "貼士", "zh-Hans": "贴士"},
    "Needs": {"en": "Needs", "zh-Hant": "尚缺", "zh-Hans": "尚缺"},
    "Timer": {"en": "Timer", "zh-Hant": "計時", "zh-Hans": "计时"},
    "Events": {"en": "Events", "zh-Hant": "事件", "zh-Hans": "事件"},
    "capture": {
        "en": "(capture before leaving)",
        "zh-Hant": "(離開此步前要記錄)",
        "zh-Hans": "(离开此步前要记录)",
    },
    "timer_due": {
        "en": "{name} at {due} (in {left})",
        "zh-Hant": "{name} 於 {due}({left}後)",
        "zh-Hans": "{name} 于 {due}({left}后)",
    },
    "needs": {"en": "needs {fields}", "zh-Hant": "需要 {fields}", "zh-Hans": "需要 {fields}"},
    "may_add": {"en": "may add {fields}", "zh-Hant": "可加 {fields}", "zh-Hans": "可加 {fields}"},
    "anyone": {"en": "anyone", "zh-Hant": "任何人", "zh-Hans": "任何人"},
    "ended": {"en": "ended: {outcome}", "zh-Hant": "已結束:{outcome}", "zh-Hans": "已结束:{outcome}"},
    "not_finished": {"en": "not finished", "zh-Hant": "未結束", "zh-Hans": "未结束"},
    # what happened
    "started": {"en": "▶ start as {role}", "zh-Hant": "▶ 開始,角色 {role}", "zh-Hans": "▶ 开始,角色 {role}"},
    "timer": {"en": "⏱ timer {name}", "zh-Hant": "⏱ 計時器 {name}", "zh-Hans": "⏱ 计时器 {name}"},
    "calls": {"en": "↳ calls {procedure}", "zh-Hant": "↳ 調用 {procedure}", "zh-Hans": "↳ 调用 {procedure}"},
    "returned": {
        "en": "↲ back from the call: {outcome}",
        "zh-Hant": "↲ 調用結束:{outcome}",
        "zh-Hans": "↲ 调用结束:{outcome}",
    },
    "cancelled": {
        "en": "↲ cancelled {procedure}",
        "zh-Hant": "↲ 已取消 {procedure}",
        "zh-Hans": "↲ 已取消 {procedure}",
    },
    "refused": {"en": "✗ refused", "zh-Hant": "✗ 被拒絕", "zh-Hans": "✗ 被拒绝"},
    # answers to commands
    "no_hours": {
        "en": "'{wait}' counts working time, and this procedure names no opening hours; try 2 days",
        "zh-Hant": "「{wait}」按工作時間計算,但這個程序沒有指定辦公時間;請改用 2 days 這類時間",
        "zh-Hans": "「{wait}」按工作时间计算,但这个程序没有指定办公时间;请改用 2 days 这类时间",
    },
    "no_timer": {"en": "no timer was due", "zh-Hant": "沒有到期的計時器", "zh-Hans": "没有到期的计时器"},
    "how_long": {
        "en": "say how long, or until when: wait 3m, wait 1h 30m, wait 2 working days, wait next working day 09:00",
        "zh-Hant": "請說明等多久或等到何時,例如 wait 3m、wait 1h 30m、wait 2 working days、wait next working day 09:00",
        "zh-Hans": "请说明等多久或等到何时,例如 wait 3m、wait 1h 30m、wait 2 working days、wait next working day 09:00",
    },
    "nothing_to_undo": {
        "en": "nothing to undo: this is where the walk started",
        "zh-Hant": "沒有可撤銷的:演練從這裡開始",
        "zh-Hans": "没有可撤销的:演练从这里开始",
    },
    "back_to": {"en": "↶ back to {at}", "zh-Hant": "↶ 回到 {at}", "zh-Hans": "↶ 回到 {at}"},
    "not_an_event": {
        "en": "'{line}' is not an event here; type a number from 1 to {count}, or help",
        "zh-Hant": "「{line}」不是這一步的事件;請輸入 1 至 {count} 的編號,或 help",
        "zh-Hans": "「{line}」不是这一步的事件;请输入 1 至 {count} 的编号,或 help",
    },
    "allowed_now": {"en": "allowed now: {events}", "zh-Hant": "現在可以:{events}", "zh-Hans": "现在可以:{events}"},
    "nothing_allowed": {
        "en": "no event can be fired now; type wait 3m, back or help",
        "zh-Hant": "現在沒有可觸發的事件;請輸入 wait 3m、back 或 help",
        "zh-Hans": "现在没有可触发的事件;请输入 wait 3m、back 或 help",
    },
    "has_ended": {
        "en": "the session has ended ({outcome}); type back, journal or quit",
        "zh-Hant": "流程已結束({outcome});請輸入 back、journal 或 quit",
        "zh-Hans": "流程已结束({outcome});请输入 back、journal 或 quit",
    },
    "no_data": {"en": "(no data yet)", "zh-Hant": "(尚無資料)", "zh-Hans": "(尚无资料)"},
    "refused_because": {"en": "✗ refused: {reason}", "zh-Hant": "✗ 被拒絕:{reason}", "zh-Hans": "✗ 被拒绝:{reason}"},
    # prompts
    "role": {"en": "role", "zh-Hant": "角色", "zh-Hans": "角色"},
    "choose_one": {
        "en": "choose one of: {choices}",
        "zh-Hant": "請從以下選一個:{choices}",
        "zh-Hans": "请从以下选一个:{choices}",
    },
    "needed_for_event": {
        "en": "{name} is needed for this event",
        "zh-Hant": "這個事件需要 {name}",
        "zh-Hans": "这个事件需要 {name}",
    },
    "needed_at_start": {
        "en": "{name} is needed to start",
        "zh-Hant": "開始時需要 {name}",
        "zh-Hans": "开始时需要 {name}",
    },
    "optional": {
        "en": "optional: Enter to skip",
        "zh-Hant": "選填:按 Enter 跳過",
        "zh-Hans": "选填:按 Enter 跳过",
    },
    "private": {"en": "private", "zh-Hant": "隱私", "zh-Hans": "隐私"},
    "choose": {"en": "choose: {choices}", "zh-Hant": "選擇:{choices}", "zh-Hans": "选择:{choices}"},
    "type_str": {"en": "str", "zh-Hant": "文字", "zh-Hans": "文字"},
    "type_int": {"en": "int", "zh-Hant": "整數", "zh-Hans": "整数"},
    "type_decimal": {"en": "decimal", "zh-Hant": "數值", "zh-Hans": "数值"},
    "type_bool": {"en": "bool, yes/no", "zh-Hant": "是/否", "zh-Hans": "是/否"},
    "type_list[str]": {
        "en": "list[str], comma-separated",
        "zh-Hant": "清單,以逗號或頓號分隔",
        "zh-Hans": "清单,以逗号或顿号分隔",
    },
    "type_date": {"en": "date, YYYY-MM-DD", "zh-Hant": "日期 YYYY-MM-DD", "zh-Hans": "日期 YYYY-MM-DD"},
    "type_time": {"en": "time, HH:MM", "zh-Hant": "時間 HH:MM", "zh-Hans": "时间 HH:MM"},
    "type_datetime": {
        "en": "datetime, YYYY-MM-DD HH:MM",
        "zh-Hant": "日期時間 YYYY-MM-DD HH:MM",
        "zh-Hans": "日期时间 YYYY-MM-DD HH:MM",
    },
    # what an answer should have been
    "expected_int": {"en": "expected a whole number", "zh-Hant": "應為整數", "zh-Hans": "应为整数"},
    "expected_decimal": {
        "en": "expected a number such as 1200.50",
        "zh-Hant": "應為數值,例如 1200.50",
        "zh-Hans": "应为数值,例如 1200.50",
    },
    "expected_bool": {"en": "expected yes or no", "zh-Hant": "應為是或否(yes/no)", "zh-Hans": "应为是或否(yes/no)"},
    "expected_date": {
        "en": "expected a date such as 2026-03-02",
        "zh-Hant": "應為日期,例如 2026-03-02",
        "zh-Hans": "应为日期,例如 2026-03-02",
    },
    "expected_time": {
        "en": "expected a time such as 09:30",
        "zh-Hant": "應為時間,例如 09:30",
        "zh-Hans": "应为时间,例如 09:30",
    },
    "expected_datetime": {
        "en": "expected a date and time such as 2026-03-02 09:30",
        "zh-Hant": "應為日期時間,例如 2026-03-02 09:30",
        "zh-Hans": "应为日期时间,例如 2026-03-02 09:30",
    },
    "expected_enum": {
        "en": "expected one of {values}",
        "zh-Hant": "應為以下之一:{values}",
        "zh-Hans": "应为以下之一:{values}",
    },
    "expected_list[str]": {
        "en": 'expected a comma-separated list, or a JSON list such as ["TV", "sofa"]',
        "zh-Hant": '應為以逗號分隔的清單,或 JSON 清單,例如 ["TV", "sofa"]',
        "zh-Hans": '应为以逗号分隔的清单,或 JSON 清单,例如 ["TV", "sofa"]',
    },
    "found": {
        "en": "{expected}, found {found}",
        "zh-Hant": "{expected},輸入的是 {found}",
        "zh-Hans": "{expected},输入的是 {found}",
    },
    # values
    "yes": {"en": "yes", "zh-Hant": "是", "zh-Hans": "是"},
    "no": {"en": "no", "zh-Hant": "否", "zh-Hans": "否"},
}
"""Message key -> language -> text; ``{name}`` placeholders are filled by :func:`phrase`."""


def phrase(key: str, lang: str, **values: object) -> str:
    """The message ``key`` in ``lang``; a language the desk does not use gets English."""
    texts = WORDS[key]
    return texts.get(lang, texts["en"]).format(**values)


def list_separator(lang: str) -> str:
    """``、`` between Chinese list items, ``, `` otherwise: ``沙發、電視機`` but ``sofa, TV``."""
    return "、" if lang.startswith("zh") else ", "
