"""``sopflow conformance``: the report in each format, exit statuses, errors that say where."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import ROOT, Invoke

EXAMPLE = ROOT / "examples" / "conformance"
LOG = str(EXAMPLE / "release_tenant_log.csv")
MAPPING = str(EXAMPLE / "release_tenant_mapping.yaml")


def test_text_report_exits_1_when_a_case_deviates(cli: Invoke) -> None:
    result = cli("conformance", LOG, "--mapping", MAPPING)
    assert result.exit_code == 1
    assert "5 cases, 1 fitting (20.0%), 4 deviating" in result.output
    assert "A123456(7)" not in result.output


def test_json_report(cli: Invoke) -> None:
    result = cli("conformance", LOG, "--mapping", MAPPING, "--format", "json")
    report = json.loads(result.output)
    assert (report["cases"], report["fitting"]) == (5, 1)
    (figures,) = report["procedures"]
    assert figures["by_kind"] == {"order": 3, "missing": 2, "role": 1, "data": 1, "time": 0}
    assert [c["case"] for c in report["deviating_cases"]] == ["R-1002", "R-1003", "R-1004", "R-1005"]


def test_html_report_to_a_file(cli: Invoke, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    result = cli("conformance", LOG, "-m", MAPPING, "-f", "html", "-o", str(page))
    assert result.exit_code == 1
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>")
    assert "guard: arrears_months &gt; 0 or arrears_amount &gt; 0" in text


def test_a_fitting_log_exits_0(cli: Invoke, tmp_path: Path) -> None:
    lines = (EXAMPLE / "release_tenant_log.csv").read_text(encoding="utf-8").splitlines()
    fitting = tmp_path / "fitting.csv"
    fitting.write_text("\n".join(line for line in lines if not line.startswith("R-100") or line.startswith("R-1001")))
    result = cli("conformance", str(fitting), "--mapping", MAPPING)
    assert result.exit_code == 0
    assert "1 cases, 1 fitting (100.0%), 0 deviating" in result.output


def test_usage_errors_exit_2(cli: Invoke, tmp_path: Path) -> None:
    missing = cli("conformance", str(tmp_path / "none.csv"), "--mapping", MAPPING)
    assert missing.exit_code == 2
    assert "no such file" in missing.output
    text_to_file = cli("conformance", LOG, "--mapping", MAPPING, "-o", str(tmp_path / "x.txt"))
    assert text_to_file.exit_code == 2
    assert "--output needs --format json or html" in text_to_file.output


def test_a_malformed_log_is_located(cli: Invoke, tmp_path: Path) -> None:
    log = tmp_path / "bad.csv"
    log.write_text("Ticket,Step,When,Staff role\nR-1,Ticket opened,soon,CS desk\n", encoding="utf-8")
    result = cli("conformance", str(log), "--mapping", MAPPING)
    assert result.exit_code == 1
    assert "bad.csv:2: column 'When': expected an ISO 8601 time" in " ".join(result.output.split())


def test_the_worked_example_in_the_docs_is_the_real_output(cli: Invoke) -> None:
    """docs/conformance.md shows what the command prints today on the example log."""
    page = (ROOT / "docs" / "conformance.md").read_text(encoding="utf-8")
    command = "sopflow conformance examples/conformance/release_tenant_log.csv"
    block = page.split(f"$ {command} --mapping examples/conformance/release_tenant_mapping.yaml\n", 1)[1]
    shown = block.split("```", 1)[0]
    output = cli("conformance", LOG, "--mapping", MAPPING).output
    assert shown.rstrip("\n") == "\n".join(line.rstrip() for line in output.splitlines()).strip("\n")


def test_a_log_that_is_not_utf8_or_empty_gets_a_clear_answer(cli: Invoke, tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are located by line and column; an empty log says there is nothing to check."""
    mapping = "examples/conformance/release_tenant_mapping.yaml"
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"case,activity\nc1,st\xe9p\n")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    bad, nothing = cli("conformance", latin, "--mapping", mapping), cli("conformance", empty, "--mapping", mapping)
    assert (
        f"error: LogError: {latin}:2:6: not UTF-8 text: byte 0xe9 cannot start a character; save it as UTF-8",
        (0, "no cases in the log: nothing to check"),
    ) == (bad.stderr.strip(), (nothing.exit_code, nothing.stdout.strip()))


def test_a_stores_sessions_are_checked_against_their_procedure(cli: Invoke, tmp_path: Path) -> None:
    """A store's sessions are replayed on the library's procedure, one journal at a time."""
    import datetime as dt

    import sopflow
    from sopflow.store import SQLiteStore

    path = tmp_path / "desk.db"
    library = sopflow.load_library()
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with SQLiteStore(library, path) as store:
        for name in ("first", "second"):
            clock = sopflow.ManualClock(start)
            sid = store.start("business.release_owner", clock=clock, role="front_desk", session_id=name).id
            store.fire(sid, "id_copied", role="front_desk", clock=clock, data={"owner_id_copy": "scan"})
            store.fire(sid, "id_returned", role="front_desk", clock=clock)
    result = cli("conformance", "--store", path, "--procedure", "business.release_owner", "-f", "json")
    document = json.loads(result.stdout)
    fits = document["fitting"] == document["cases"]
    assert (2, 0 if fits else 1, False) == (document["cases"], result.exit_code, "scan" in result.stdout)
    wrong = cli("conformance", "--store", path)
    assert (2, "error: --store checks a store's sessions of one --procedure, without a LOG or --mapping") == (
        wrong.exit_code,
        wrong.stderr.strip(),
    )
