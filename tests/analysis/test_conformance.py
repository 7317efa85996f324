"""Conformance of host logs: planted deviations are found with their kind and clause, clean cases pass."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import sopflow
from sopflow.analysis.conformance import (
    CaseResult,
    ConformanceReport,
    LogCase,
    LogError,
    Row,
    check_file,
    check_journals,
    check_log,
    conform,
    load_mapping,
    logs,
    mapping_from,
    read_rows,
    store_journals,
    to_html,
)
from sopflow.analysis.conformance.logs import cases
from sopflow.analysis.conformance.replay import Vocabulary, prepare
from sopflow.analysis.conformance.synthetic import Generator, Truth, log_cases
from sopflow.analysis.conformance.variants import Variants
from sopflow.errors import SopflowError
from sopflow.runtime import Entry, ManualClock
from sopflow.store import MemoryStore

LIBRARY = sopflow.load_library()
ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "examples" / "conformance"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

PROCEDURES = [
    "business.release_tenant",
    "letters_and_visits.company_staff",
    "complaint.handling",
    "keys.sealed_key_issue",
]


def _found(truth: Truth, result: CaseResult) -> bool:
    """A deviation of the planted kind at the planted clause, where the planted row is.

    A dropped step sits before the next row the procedure cannot take without it; optional
    steps that stay in the same state may come before it or after it at the same cost, so
    a missing step may be reported a few rows later.
    """
    low, high = (truth.index - 1, truth.index + 3) if truth.kind == "missing" else (truth.index - 1, truth.index + 1)
    return any(
        d.kind == truth.kind and d.clause.where in truth.clauses and low <= d.index <= high for d in result.deviations
    )


def _run(procedure_id: str, count: int, seed: int) -> tuple[dict[str, CaseResult], dict[str, Truth]]:
    generator = Generator(LIBRARY[procedure_id], seed=seed)
    truths: list[Truth] = []
    results = {r.case: r for r in conform(LIBRARY, log_cases(generator.log(count, 0.4), truths), generator.mapping)}
    return results, {t.case: t for t in truths}


@pytest.mark.parametrize("procedure_id", PROCEDURES)
def test_planted_deviations_are_found_and_clean_cases_fit(procedure_id: str) -> None:
    results, truths = _run(procedure_id, 150, seed=7)
    assert len(truths) > 30
    flagged = [c for c, r in results.items() if c not in truths and not r.fitting]
    assert flagged == []
    missed = [t for c, t in truths.items() if not _found(t, results[c])]
    assert missed == []


def test_every_kind_is_planted_and_found() -> None:
    kinds: Counter[str] = Counter()
    for procedure_id in PROCEDURES:
        results, truths = _run(procedure_id, 80, seed=3)
        kinds.update(t.kind for c, t in truths.items() if _found(t, results[c]))
    assert set(kinds) == {"order", "missing", "role", "data", "time"}


def test_the_same_seed_gives_the_same_log() -> None:
    first = list(Generator(LIBRARY["complaint.handling"], seed=5).log(20, 0.3))
    again = list(Generator(LIBRARY["complaint.handling"], seed=5).log(20, 0.3))
    other = list(Generator(LIBRARY["complaint.handling"], seed=6).log(20, 0.3))
    assert first == again
    assert first != other


def test_a_variant_seen_before_gives_what_checking_it_afresh_gives() -> None:
    """Cases told apart only by what no rule reads share one check; each keeps its own rows and times."""
    generator = Generator(LIBRARY["business.release_tenant"], seed=4)
    log = list(log_cases(generator.log(120, 0.5), []))
    together = [r.as_dict() for r in conform(LIBRARY, log, generator.mapping)]
    alone = [r.as_dict() for case in log for r in conform(LIBRARY, [case], generator.mapping)]
    assert together == alone
    variants = {tuple((r.values["activity"], r.values["role"]) for r in case.rows) for case in log}
    assert len(variants) < len(log) / 2  # so most cases were checked from a variant seen before


def test_one_off_variants_do_not_push_out_the_way_most_cases_go() -> None:
    """A long run of deviating cases, each alike to no other, leaves a variant seen twice remembered."""
    procedure = LIBRARY["business.release_tenant"]
    generator = Generator(procedure, seed=4)
    case = next(log_cases(generator.log(1, 0.0), []))
    zone = generator.mapping.zone(LIBRARY.calendar.zone)
    words = Vocabulary(procedure)
    trace = prepare(case, generator.mapping, words, zone)
    assert trace is not None
    result = CaseResult(case.id, procedure.id, len(case.rows))
    variants = Variants(words, generator.mapping, zone, size=8)
    common = variants.key(case)
    variants.put(common, case, trace, result)
    assert variants.get(common, case) is not None  # seen again: one of the ways cases go
    for i in range(50):  # 50 one-off variants, far more than the 8 remembered
        variants.put(("one-off", i), case, trace, result)
    assert variants.get(common, case) is not None
    assert variants.get(("one-off", 0), case) is None  # memory stays bounded
    assert variants.get(("one-off", 49), case) is not None


# -- the worked example ------------------------------------------------------------------------


def test_worked_example_finds_each_case_s_deviation() -> None:
    mapping = load_mapping(EXAMPLE / "release_tenant_mapping.yaml")
    report = check_file(LIBRARY, EXAMPLE / "release_tenant_log.csv", mapping)
    found = {c.case: [(d.kind, d.clause.lines, d.clause.rule) for d in c.deviations] for c in report.cases}
    assert report.total == 5
    assert report.fitting == 1
    assert found["R-1003"] == [("data", "127", "guard: arrears_months > 0 or arrears_amount > 0")]
    assert found["R-1004"] == [("role", "127", "role: front_desk")]
    assert found["R-1005"] == [("order", "126", "order")]
    assert [k for k, _, _ in found["R-1002"]] == ["missing", "missing", "order", "order"]
    figures = report.procedures["business.release_tenant"]
    assert figures.by_kind == Counter({"order": 3, "missing": 2, "role": 1, "data": 1})
    assert figures.worst_cases()[0].case == "R-1002"


def test_private_values_are_never_reported() -> None:
    mapping = load_mapping(EXAMPLE / "release_tenant_mapping.yaml")
    report = check_file(LIBRARY, EXAMPLE / "release_tenant_log.csv", mapping)
    texts = json.dumps(report.as_dict(), ensure_ascii=False) + to_html(report)
    assert "A123456(7)" not in texts  # the tenant's ID copy
    assert "91234567" not in texts  # the owner's number on record


def _letters(rows: list[tuple[str, str, str]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["case", "activity", "timestamp", "role", "petition_channel", "petition_matter", "first_contact"]
        )
        for case, activity, at in rows:
            data = ["letter", "the canteen", "Li"] if activity == "recorded" else ["", "", ""]
            writer.writerow([case, activity, at, "responsible_person", *data])
    return path


LETTERS = mapping_from(
    {
        "procedure": "letters_and_visits.company_staff",
        "data": {
            "petition_channel": "petition_channel",
            "petition_matter": "petition_matter",
            "first_contact": "first_contact",
        },
        "timezone": "Asia/Shanghai",
    }
)


def test_three_working_days_are_counted_on_the_calendar(tmp_path: Path) -> None:
    """A letter of Friday 10:00 may be answered on Tuesday; on Thursday morning it is late."""
    log = _letters(
        [
            ("L-1", "recorded", "2026-03-06T10:00:00"),
            ("L-1", "replied", "2026-03-10T15:00:00"),
            ("L-2", "recorded", "2026-03-06T10:00:00"),
            ("L-2", "replied", "2026-03-12T09:00:00"),
        ],
        tmp_path / "letters.csv",
    )
    report = check_file(LIBRARY, log, LETTERS)
    assert [c.case for c in report.cases] == ["L-2"]
    (late,) = report.cases[0].deviations
    assert late.kind == "time"
    assert (late.clause.document, late.clause.section, late.clause.lines) == ("000", "篇3 4 處理、回復", "185")
    assert late.clause.rule == "promise reply: 3 working days"
    assert late.at < dt.datetime(2026, 3, 12, 9, tzinfo=SHANGHAI)


def test_a_deviation_does_not_hide_the_next_one(tmp_path: Path) -> None:
    log = _letters(
        [
            ("L-3", "replied", "2026-03-02T09:00:00"),
            ("L-3", "recorded", "2026-03-02T09:10:00"),
            ("L-3", "replied", "2026-03-09T09:00:00"),
        ],
        tmp_path / "letters.csv",
    )
    (case,) = check_file(LIBRARY, log, LETTERS).cases
    assert [d.kind for d in case.deviations] == ["order", "time"]
    assert case.cost == 2
    assert case.deviations[0].allowed == (("recorded", ("responsible_person",)),)


# -- reading logs ------------------------------------------------------------------------------


def _example_rows() -> list[dict[str, str]]:
    with (EXAMPLE / "release_tenant_log.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_json_lines_and_xes_read_as_the_csv_does(tmp_path: Path) -> None:
    mapping = load_mapping(EXAMPLE / "release_tenant_mapping.yaml")
    rows = _example_rows()
    jsonl = tmp_path / "log.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({k: (json.loads(v) if v.startswith("[") else v) for k, v in r.items() if v}) + "\n" for r in rows
        ),
        encoding="utf-8",
    )
    xes = tmp_path / "log.xes"
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">']
    current = None
    for r in rows:
        if r["Ticket"] != current:
            if current is not None:
                parts.append("</trace>")
            current = r["Ticket"]
            parts.append(f'<trace><string key="Ticket" value="{current}"/>')
        attrs = "".join(
            f'<string key="{k}" value="{v.replace(chr(34), "&quot;")}"/>' for k, v in r.items() if v and k != "Ticket"
        )
        parts.append(f"<event>{attrs}</event>")
    parts.append("</trace></log>")
    xes.write_text("\n".join(parts), encoding="utf-8")
    xes_mapping = mapping.model_copy(update={"columns": mapping.columns.model_copy(update={"case": "case:Ticket"})})
    expected = _unlined(check_file(LIBRARY, EXAMPLE / "release_tenant_log.csv", mapping))
    assert _unlined(check_file(LIBRARY, jsonl, mapping)) == expected
    assert _unlined(check_file(LIBRARY, xes, xes_mapping)) == expected


def test_a_role_or_activity_written_as_an_object_is_read_as_its_text(tmp_path: Path) -> None:
    """JSON Lines may hold any kind in any column: a role written as an object is an unknown role, not a crash."""
    mapping = load_mapping(EXAMPLE / "release_tenant_mapping.yaml")
    rows: list[dict[str, Any]] = [{k: v for k, v in r.items() if v} for r in _example_rows()]
    rows[1]["Staff role"] = {"team": "desk"}
    rows[2]["Step"] = ["Fees verified"]
    jsonl = tmp_path / "log.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(LogError, match=r"activity '\['Fees verified'\]' is not in the mapping"):
        check_file(LIBRARY, jsonl, mapping)
    del rows[2]
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first = check_file(LIBRARY, jsonl, mapping).cases[0]
    assert first.deviations[0].kind == "role"
    assert "{'team': 'desk'}" in first.deviations[0].message


def _parquet_log(path: Path, rows: list[dict[str, str]], *, typed: bool) -> Path:
    """The example log as Parquet: ``typed`` stores times as timestamps and lists as lists, as a data team would."""
    import pyarrow as pa  # the [parquet] extra, part of the dev dependencies
    import pyarrow.parquet as pq

    columns: dict[str, list[Any]] = {k: [r[k] or None for r in rows] for k in rows[0]}
    if typed:
        columns = {
            k: [
                None
                if v is None
                else dt.datetime.fromisoformat(v).replace(tzinfo=SHANGHAI)
                if k == "When"
                else json.loads(v)
                if v.startswith("[")
                else v
                for v in values
            ]
            for k, values in columns.items()
        }
    pq.write_table(pa.table(columns), path, row_group_size=3)
    return path


def test_parquet_reads_as_the_csv_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Text columns or typed ones (zoned timestamps, lists), in batches smaller than a case."""
    monkeypatch.setattr(logs, "_BATCH", 2)
    mapping = load_mapping(EXAMPLE / "release_tenant_mapping.yaml")
    rows = _example_rows()
    expected = _unlined(check_file(LIBRARY, EXAMPLE / "release_tenant_log.csv", mapping))
    plain = _parquet_log(tmp_path / "plain.parquet", rows, typed=False)
    typed = _parquet_log(tmp_path / "typed.pq", rows, typed=True)
    assert _unlined(check_file(LIBRARY, plain, mapping)) == expected
    assert _unlined(check_file(LIBRARY, typed, mapping)) == expected
    assert list(range(1, len(rows) + 1)) == [row.line for row in read_rows(typed)]


def test_a_file_that_is_not_parquet_is_a_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "log.parquet"
    fake.write_text("Ticket,Step\nR-1,start\n", encoding="utf-8")
    with pytest.raises(LogError, match=r"log\.parquet: not a Parquet file"):
        list(read_rows(fake))
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as on a host without the [parquet] extra
    with pytest.raises(LogError, match=re.escape(logs.PARQUET)):
        list(read_rows(fake))


def _unlined(report: ConformanceReport) -> dict[str, Any]:
    """The report without the log's line numbers, which differ between formats (CSV has a header)."""
    out = report.as_dict()
    for case in out["deviating_cases"]:
        for d in case["deviations"]:
            d.pop("row")
    return out


def test_a_case_seen_again_later_is_a_located_error(tmp_path: Path) -> None:
    log = _letters(
        [
            ("A", "recorded", "2026-03-02T09:00:00"),
            ("B", "recorded", "2026-03-02T09:00:00"),
            ("A", "replied", "2026-03-02T10:00:00"),
        ],
        tmp_path / "mixed.csv",
    )
    with pytest.raises(
        LogError, match=r"mixed\.csv:4: case 'A' appears again after other cases: the log must be grouped by case id"
    ):
        check_file(LIBRARY, log, LETTERS)


def test_malformed_rows_are_located(tmp_path: Path) -> None:
    log = _letters([("A", "recorded", "yesterday")], tmp_path / "bad.csv")
    with pytest.raises(LogError, match=r"bad\.csv:2: column 'timestamp': expected an ISO 8601 time"):
        check_file(LIBRARY, log, LETTERS)
    unknown = _letters([("A", "posted", "2026-03-02T09:00:00")], tmp_path / "unknown.csv")
    with pytest.raises(LogError, match=r"unknown\.csv:2: activity 'posted' is not in the mapping's activities"):
        check_file(LIBRARY, unknown, LETTERS)
    ignored = LETTERS.model_copy(update={"unmapped": "ignore"})
    assert check_file(LIBRARY, unknown, ignored).total == 0  # a case of nothing the procedure knows
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"case": "A"}\n{not json\n', encoding="utf-8")
    with pytest.raises(LogError, match=r"broken\.jsonl:2: not JSON"):
        list(read_rows(broken))
    xes = tmp_path / "broken.xes"
    xes.write_text("<log><trace><event></trace></log>", encoding="utf-8")
    with pytest.raises(LogError, match=r"broken\.xes:1: not well-formed XES"):
        list(read_rows(xes))


def test_xes_entities_are_neither_expanded_past_reason_nor_fetched(tmp_path: Path) -> None:
    """An entity bomb is refused at once; an external entity is never read, in an attribute or in text."""
    levels = ['<!ENTITY a "aaaaaaaaaa">'] + [
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    bomb = tmp_path / "bomb.xes"
    bomb.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE log [{"".join(levels)}]>\n'
        '<log><trace><string key="concept:name" value="&i;"/><event/></trace></log>',
        encoding="utf-8",
    )
    with pytest.raises(LogError, match=r"bomb\.xes:3: not well-formed XES: limit on input amplification"):
        list(read_rows(bomb))  # refused by expat's amplification limit, not after expanding
    secret = tmp_path / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    placed = {
        '<string key="concept:name" value="&x;"/>': "reference to external entity in attribute",
        "<string key='concept:name' value='c'>&x;</string>": "undefined entity &x;",
    }
    for where, refusal in placed.items():
        log = tmp_path / "external.xes"
        log.write_text(
            f'<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'
            f"<log><trace>{where}<event/></trace></log>",
            encoding="utf-8",
        )
        with pytest.raises(LogError, match=f"external\\.xes:3: not well-formed XES: {refusal}"):
            list(read_rows(log))


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("name", "text", "refusal"),
    [
        ("deep.jsonl", f'{{"case": "A", "x": {_nested(65)}}}', r"deep\.jsonl:1: column 'x': values nest more than 64"),
        ("deeper.jsonl", f'{{"case": "A", "x": {_nested(9000)}}}', r"deeper\.jsonl:1: the line: values nest"),
        ("deep.csv", f"case,items\nA,[[1]]\nB,{_nested(65)}\n", r"deep\.csv:3: column 'items': values nest"),
        ("deeper.csv", f"case,items\nA,{_nested(9000)}\n", r"deeper\.csv:2: column 'items': values nest"),
        ("wide.csv", "case,items\nA," + "x" * 200_000 + "\n", r"wide\.csv:2: not CSV: field larger than field"),
    ],
)
def test_a_row_nested_past_reason_is_refused_at_its_row(tmp_path: Path, name: str, text: str, refusal: str) -> None:
    """Nested past what a procedure file may hold, or a cell past the CSV reader's limit: a LogError, not a crash."""
    log = tmp_path / name
    log.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(LogError, match=refusal):
        list(read_rows(log))


def test_values_nested_up_to_the_limit_are_read(tmp_path: Path) -> None:
    log = tmp_path / "deep.jsonl"
    log.write_text(f'{{"case": "A", "x": {_nested(64)}}}\n', encoding="utf-8")
    assert [json.loads(_nested(64))] == [row.values["x"] for row in read_rows(log)]


def test_a_malformed_mapping_names_its_file_line_column_and_field(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("procedure: complaint.handling\nunmapped: maybe\n", encoding="utf-8")
    with pytest.raises(LogError, match=r"map\.yaml:2:11: unmapped: Input should be 'error' or 'ignore'"):
        load_mapping(path)
    path.write_text("procedure: complaint.handling\ncolumns: {case: id, acitvity: what}\n", encoding="utf-8")
    with pytest.raises(LogError, match=r"map\.yaml:2:21: columns\.acitvity: Extra inputs are not permitted"):
        load_mapping(path)
    path.write_text("procedure: complaint.handling\nroles:\n  desk: front_desk\n  desk: owner\n", encoding="utf-8")
    with pytest.raises(LogError, match=r"map\.yaml:4:\d+: .*desk"):
        load_mapping(path)  # a key given twice is refused, not silently the second
    path.write_bytes(b"procedure: complaint.handling\n\xff\n")
    with pytest.raises(LogError, match=r"map\.yaml:2:1: not UTF-8 text: byte 0xff cannot start a character"):
        load_mapping(path)
    path.write_text(
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True)),
        encoding="utf-8",
    )
    with pytest.raises(LogError, match=r"map\.yaml:\d+:\d+: .*past 1,000,000"):
        load_mapping(path)  # aliases that would expand past the limit, refused before anything is built
    assert issubclass(LogError, SopflowError)


def test_a_mapping_reads_yaml_1_2_so_activities_called_on_or_yes_stay_names(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(
        "procedure: complaint.handling\nactivities: {on: received, yes: ignore, No: tick}\n", encoding="utf-8"
    )
    assert {"on": "received", "yes": "ignore", "No": "tick"} == load_mapping(path).activities


def test_rows_of_a_case_are_put_in_time_order() -> None:
    rows = read_rows(EXAMPLE / "release_tenant_log.csv")
    mapping = load_mapping(EXAMPLE / "release_tenant_mapping.yaml")
    first = next(cases(reversed(list(rows)), mapping, SHANGHAI))
    stamps = [r.values["When"] for r in first.rows]
    assert stamps == sorted(stamps)


# -- journals and bounds -----------------------------------------------------------------------


def test_journals_of_real_sessions_are_checked() -> None:
    clock = ManualClock(dt.datetime(2026, 3, 6, 10, tzinfo=SHANGHAI))
    entries: list[Entry] = []
    for late in (False, True):
        session = LIBRARY.start("letters_and_visits.company_staff", clock=clock, role="responsible_person")
        session.fire(
            "recorded",
            role="responsible_person",
            data={"petition_channel": "letter", "petition_matter": "private matter", "first_contact": "Li"},
        )
        clock.advance(dt.timedelta(days=7 if late else 1))
        session.fire("replied", role="responsible_person")
        entries += session.journal
    report = check_journals(LIBRARY, entries, "letters_and_visits.company_staff")
    assert report.total == 2
    assert [d.kind for c in report.cases for d in c.deviations] == ["time"]
    assert "private matter" not in json.dumps(report.as_dict(), ensure_ascii=False)
    # The same journals in their JSON form, as a host keeps them: the same report.
    rows = json.loads(json.dumps([e.as_dict() for e in entries]))
    assert report.as_dict() == check_journals(LIBRARY, rows, "letters_and_visits.company_staff").as_dict()
    rows[3]["at"] = "2026-03-06 10:00"  # no zone
    with pytest.raises(LogError, match=r"<journal>:4: entry\.at: a journal time needs a time zone"):
        check_journals(LIBRARY, rows, "letters_and_visits.company_staff")


def test_a_store_s_sessions_are_checked_one_journal_at_a_time() -> None:
    clock = ManualClock(dt.datetime(2026, 3, 6, 10, tzinfo=SHANGHAI))
    store = MemoryStore(LIBRARY)
    for late in (False, True, False):
        session = store.start("letters_and_visits.company_staff", clock=clock, role="responsible_person")
        data = {"petition_channel": "letter", "petition_matter": "the canteen", "first_contact": "Li"}
        store.fire(session.id, "recorded", role="responsible_person", clock=clock, data=data)
        clock.advance(dt.timedelta(days=7 if late else 1))
        store.fire(session.id, "replied", role="responsible_person", clock=clock)
    entries = store_journals(store, "letters_and_visits.company_staff")
    report = check_journals(LIBRARY, entries, "letters_and_visits.company_staff")
    assert (report.total, report.fitting) == (3, 2)
    assert [d.clause.rule for c in report.cases for d in c.deviations] == ["promise reply: 3 working days"]


def test_a_search_past_its_bound_says_so() -> None:
    generator = Generator(LIBRARY["business.release_tenant"], seed=11)
    truths: list[Truth] = []
    log = list(log_cases(generator.log(40, 1.0), truths))
    report = check_log(LIBRARY, log, generator.mapping, limit=1)
    figures = report.procedures["business.release_tenant"]
    assert figures.deviating > 30
    assert figures.unaligned > figures.deviating / 2
    assert all(c.deviations for c in report.cases)
    assert any("the search stopped" in d.message for c in report.cases for d in c.deviations)


def test_html_escapes_what_the_log_says(tmp_path: Path) -> None:
    log = _letters([("<script>x</script>", "replied", "2026-03-02T09:00:00")], tmp_path / "evil.csv")
    page = to_html(check_file(LIBRARY, log, LETTERS))
    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_the_report_keeps_a_bounded_number_of_cases() -> None:
    generator = Generator(LIBRARY["business.release_tenant"], seed=2)
    report = check_log(LIBRARY, log_cases(generator.log(60, 1.0), []), generator.mapping, keep=5)
    figures = report.procedures["business.release_tenant"]
    assert len(report.cases) == 5
    assert figures.deviating > 5
    assert len(figures.worst_cases()) == 10
    assert sum(figures.by_kind.values()) >= figures.deviating


def test_an_event_after_its_timer_fell_due_is_late() -> None:
    """On the phone, customer B waits three minutes; a call finished at 09:10 came after the timer moved on."""
    mapping = mapping_from({"procedure": "busy_desk.on_phone", "timezone": "Asia/Shanghai", "complete": False})

    def case(name: str, finished: str) -> LogCase:
        rows = [
            {"case": name, "activity": "start", "timestamp": "2026-03-02T09:00:00", "role": "front_desk"},
            {"case": name, "activity": "call_finished", "timestamp": finished, "role": "front_desk"},
        ]
        return LogCase(name, tuple(Row(r, "<test>", i + 2) for i, r in enumerate(rows)))

    report = check_log(LIBRARY, [case("in time", "2026-03-02T09:02:00"), case("late", "2026-03-02T09:10:00")], mapping)
    assert [c.case for c in report.cases] == ["late"]
    (late,) = report.cases[0].deviations
    assert (late.kind, late.index, late.row) == ("time", 1, 3)
    assert late.clause.rule == "timer b_waited_3_minutes: 3 minutes"
    assert (late.clause.state, late.clause.lines) == ("b_waiting", "21-24")
    assert "fell due at 2026-03-02 09:03" in late.message


XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <string key="concept:name" value="letters"/>
  <trace>
    <string key="concept:name" value="L-9"/>
    <event>
      <string key="concept:name" value="Letter recorded"/>
      <date key="time:timestamp" value="2026-03-06T10:00:00.000+08:00"/>
      <string key="org:role" value="responsible_person"/>
      <string key="channel" value="letter"/>
      <string key="matter" value="the canteen"/>
      <string key="first" value="Li"/>
    </event>
    <event>
      <string key="concept:name" value="Reply sent"/>
      <date key="time:timestamp" value="2026-03-12T09:00:00.000+08:00"/>
      <string key="org:role" value="responsible_person"/>
    </event>
  </trace>
</log>
"""


XES_MAPPING = mapping_from(
    {
        "procedure": "letters_and_visits.company_staff",
        "columns": {
            "case": "case:concept:name",
            "activity": "concept:name",
            "timestamp": "time:timestamp",
            "role": "org:role",
        },
        "data": {"channel": "petition_channel", "matter": "petition_matter", "first": "first_contact"},
        "activities": {"Letter recorded": "recorded", "Reply sent": "replied"},
    }
)


def test_xes_with_its_standard_keys(tmp_path: Path) -> None:
    log = tmp_path / "letters.xes"
    log.write_text(XES, encoding="utf-8")
    (case,) = check_file(LIBRARY, log, XES_MAPPING).cases
    assert case.case == "L-9"
    assert [(d.kind, d.row, d.clause.rule) for d in case.deviations] == [("time", 2, "promise reply: 3 working days")]


@pytest.mark.parametrize(
    ("before", "after", "row", "message"),
    [
        ('<string key="first" value="Li"/>', '<int key="n" value="three"/>', 1, "<int key='n'> holds 'three'"),
        (
            '<string key="org:role" value="responsible_person"/>\n    </event>\n  </trace>',
            '<string key="org:role" value="responsible_person"/>\n    </event>\n<float key="f" value="1,5"/>  </trace>',
            None,
            "a trace's own attribute, after event 2: <float key='f'> holds '1,5', which is no float",
        ),
    ],
)
def test_an_xes_value_not_of_its_declared_type_is_a_located_error(
    tmp_path: Path, before: str, after: str, row: int | None, message: str
) -> None:
    log = tmp_path / "letters.xes"
    assert before in XES
    log.write_text(XES.replace(before, after), encoding="utf-8")
    with pytest.raises(LogError, match=re.escape(message)) as caught:
        check_file(LIBRARY, log, XES_MAPPING)
    assert caught.value.row == row


def test_a_case_opened_by_an_unknown_role_is_still_checked(tmp_path: Path) -> None:
    log = tmp_path / "letters.csv"
    log.write_text(
        "case,activity,timestamp,role,petition_channel,petition_matter,first_contact\n"
        "L-5,start,2026-03-02T09:00:00,janitor,,,\n"
        "L-5,recorded,2026-03-02T09:05:00,responsible_person,letter,the canteen,Li\n"
        "L-5,replied,2026-03-09T09:00:00,responsible_person,,,\n",
        encoding="utf-8",
    )
    (case,) = check_file(LIBRARY, log, LETTERS).cases
    assert [(d.kind, d.clause.rule) for d in case.deviations] == [
        ("role", "role: responsible_person"),
        ("time", "promise reply: 3 working days"),
    ]
    assert case.cost == 2


def test_start_data_the_procedure_refuses_is_a_data_deviation_and_the_case_goes_on() -> None:
    """Without the estate's name (a deployment setting the mapping forgot), each case is still checked."""
    mapping = load_mapping(EXAMPLE / "release_tenant_mapping.yaml")
    forgetful = mapping.model_copy(update={"start": mapping.start.model_copy(update={"data": {}})})
    report = check_file(LIBRARY, EXAMPLE / "release_tenant_log.csv", forgetful)
    found = {c.case: [(d.kind, d.clause.rule) for d in c.deviations] for c in report.cases}
    assert report.fitting == 0
    assert found["R-1001"] == [("data", "start data")]
    assert found["R-1004"] == [("data", "start data"), ("role", "role: front_desk")]
    assert "estate_name" in report.cases[0].deviations[0].message
