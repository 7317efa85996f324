"""``sopflow kpi``: the department's targets from a store or journal files, as a table, JSON or HTML."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cli_helpers import Invoke

import sopflow
from sopflow.store import JournalQuery, SQLiteStore

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Two March complaints, one followed up; one April complaint followed up."""
    path = tmp_path / "desk.db"
    library = sopflow.load_library()
    with SQLiteStore(library, path) as kept:
        for day, followed in (("2026-03-02", True), ("2026-03-16", False), ("2026-04-06", True)):
            clock = sopflow.ManualClock(dt.datetime.fromisoformat(f"{day}T09:00").replace(tzinfo=SHANGHAI))
            sid = kept.start("complaint.handling", clock=clock, role="front_desk", session_id=f"c-{day}").id
            kept.fire(
                sid,
                "complaint_accepted",
                role="front_desk",
                clock=clock,
                data={"first_contact": "王", "complaint_channel": "front_counter"},
            )
            kept.fire(
                sid,
                "complaint_recorded",
                role="front_desk",
                clock=clock,
                data={"complaint_details": "漏水", "complaint_subject": "other", "major_complaint": False},
            )
            kept.fire(sid, "solved_and_replied", role="front_desk", clock=clock, data={"complaint_valid": True})
            if followed:
                kept.fire(sid, "followed_up", role="butler", clock=clock, data={"handling_satisfied": True})
    return path


def test_the_table_shows_value_target_verdict_and_trend(cli: Invoke, store: Path) -> None:
    result = cli("kpi", "--store", store, "--from", "2026-03-01", "--to", "2026-04-30", "--lang", "en")
    row = next(line for line in result.stdout.splitlines() if line.startswith("complaint follow-up"))
    assert (0, ["≥", "100%", "2/3", "=", "66.7%", "missed", "50", "100"]) == (result.exit_code, row.split()[3:])


def test_json_counts_only_the_stretch_and_lists_the_cases(cli: Invoke, store: Path, tmp_path: Path) -> None:
    out = tmp_path / "kpi.json"
    result = cli("kpi", "-s", store, "--to", "2026-03-31", "-f", "json", "-o", out)
    document = json.loads(out.read_text(encoding="utf-8"))
    follow_up = next(k for k in document["kpis"] if k["name"] == "complaint_follow_up")
    assert (0, {"counted": ["c-2026-03-02"], "of": ["c-2026-03-02", "c-2026-03-16"]}, 50.0) == (
        result.exit_code,
        follow_up["cases"],
        follow_up["total"]["percent"],
    )


def test_html_is_one_page_with_charts_and_no_data(cli: Invoke, store: Path, tmp_path: Path) -> None:
    out = tmp_path / "kpi.html"
    cli("kpi", "-s", store, "-f", "html", "-o", out, "--lang", "zh-Hans")
    page = out.read_text(encoding="utf-8")
    assert (True, True, False, False) == ("<svg" in page, "投诉回访率" in page, "漏水" in page, "王" in page)


def test_journal_files_measure_as_the_store_does(cli: Invoke, store: Path, tmp_path: Path) -> None:
    """A JSON Lines export of every entry gives the figures the store gives."""
    lines = []
    with SQLiteStore(sopflow.load_library(), store) as kept:
        for entry in kept.journal(JournalQuery(limit=10_000)):
            lines.append(json.dumps(entry.as_dict(), ensure_ascii=False))
    log = tmp_path / "journal.jsonl"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_store = json.loads(cli("kpi", "-s", store, "-f", "json").stdout)
    from_file = json.loads(cli("kpi", "-j", log, "-f", "json").stdout)
    assert from_store["kpis"] == from_file["kpis"]


def test_without_journals_or_with_a_broken_file_a_clear_error(cli: Invoke, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    start = '{"seq": 0, "at": "2026-03-02T09:00:00+08:00", "kind": "start", "procedure": "complaint.handling"}'
    broken.write_text(start + "\n{oops\n", encoding="utf-8")
    assert [
        (
            2,
            "error: name the journals: --store (a SQLite file or postgresql:// URL), --journal FILE,"
            " or --log FILE --mapping MAP",
        ),
        (2, f"error: {broken}:2:2: not JSON: Expecting property name enclosed in double quotes"),
    ] == [(r.exit_code, r.stderr.strip()) for r in (cli("kpi", "-s", ""), cli("kpi", "-j", broken))]
    broken.write_bytes(start.encode() + b'\n{"seq": 1, "actor": "Jos\xe9"}\n')
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    nested = cli("kpi", "-j", deep)
    assert (2, f"error: {deep}:1: JSON nested past reason") == (nested.exit_code, nested.stderr.strip())
    latin = cli("kpi", "-j", broken)
    assert (2, f"error: {broken}:2:25: not UTF-8 text: byte 0xe9 cannot start a character; save it as UTF-8") == (
        latin.exit_code,
        latin.stderr.strip(),
    )


def test_a_hosts_log_is_measured_through_its_mapping(cli: Invoke) -> None:
    """The example log of tenant releases: its cases become journals, and the KPIs count them."""
    log, mapping = "examples/conformance/release_tenant_log.csv", "examples/conformance/release_tenant_mapping.yaml"
    document = json.loads(cli("kpi", "--log", log, "--mapping", mapping, "-f", "json").stdout)
    checked = json.loads(cli("conformance", log, "--mapping", mapping, "-f", "json").stdout)
    assert (5, 5) == (checked["cases"], document["sessions"])


def test_a_journal_time_without_a_zone_is_refused_where_it_stands(cli: Invoke, tmp_path: Path) -> None:
    naive = tmp_path / "naive.jsonl"
    naive.write_text('{"seq": 0, "at": "2026-03-02T09:00:00", "kind": "start", "procedure": "x"}\n', encoding="utf-8")
    result = cli("kpi", "-j", naive, "--from", "2026-03-01")
    assert (2, f"error: {naive}:1.at: a journal time needs a time zone") == (result.exit_code, result.stderr.strip())
