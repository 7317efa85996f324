"""``sopflow kpi``: the department's targets measured from a store's journals, or from journal files.

A manager wants the month's figures without asking anyone to compute them: each KPI the
library declares, against its target, with its trend and the sessions behind it. The
journals are read one session at a time, so a year in a store is measured without holding it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table

from sopflow.analysis.conformance import load_mapping, mapped_journals
from sopflow.analysis.kpi_report import KpiReport, kpi_report
from sopflow.cli.common import language, library, stdout, write_out
from sopflow.cli.sessions import StoreOpt, existing_store
from sopflow.cli.show import LangOpt, LibraryOpt
from sopflow.errors import CommandError, SnapshotError
from sopflow.io.utf8 import not_utf8_in
from sopflow.library import Library
from sopflow.model import Targets
from sopflow.model.targets import Period
from sopflow.render.kpi import figure_text, report_html, report_json, target_text, verdict, words
from sopflow.runtime import Entry
from sopflow.runtime.snapshot import entry_of
from sopflow.store import JournalQuery, SessionQuery, open_store

KpiFormat = Literal["text", "json", "html"]
ALL = 10**9


def kpi_command(
    targets_id: Annotated[
        str | None, typer.Argument(metavar="[TARGETS]", help="The targets document (when the library has several).")
    ] = None,
    store_url: StoreOpt = "",
    journal_files: Annotated[
        list[Path] | None,
        typer.Option("--journal", "-j", metavar="FILE", help="A journal file (JSON or JSON Lines); repeatable."),
    ] = None,
    log: Annotated[
        Path | None, typer.Option("--log", metavar="FILE", help="A host's event log (CSV, JSON Lines, XES)...")
    ] = None,
    mapping_file: Annotated[
        Path | None, typer.Option("--mapping", "-m", metavar="MAP", help="...read through this mapping.")
    ] = None,
    since: Annotated[
        dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day counted.")
    ] = None,
    to: Annotated[dt.datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day counted.")] = None,
    by: Annotated[Period | None, typer.Option("--by", help="The trend's period (default: each KPI's own).")] = None,
    fmt: Annotated[KpiFormat, typer.Option("--format", "-f", help="text, json, or html with charts.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    lang: LangOpt = None,
    library_paths: LibraryOpt = None,
) -> None:
    """Measure the department's KPI targets from journals: value, target, met or not, trend, cases."""
    lib = library(library_paths)
    targets = _targets(lib, targets_id)
    shown = language(lang, targets.languages, f"targets '{targets.id}'")
    zone = lib.calendar.zone
    start = since.replace(tzinfo=zone) if since is not None else None
    until = to.replace(tzinfo=zone) + dt.timedelta(days=1) if to is not None else None
    if not store_url and not journal_files and log is None:
        raise CommandError(
            "name the journals: --store (a SQLite file or postgresql:// URL), --journal FILE,"
            " or --log FILE --mapping MAP"
        )
    if (log is None) != (mapping_file is None):
        raise CommandError("--log and --mapping go together: the host's log, and how its columns read")
    journals = _journals(store_url, journal_files or [], lib, until)
    if log is not None and mapping_file is not None:
        journals = itertools.chain(journals, mapped_journals(lib, log, load_mapping(mapping_file)))
    report = kpi_report(targets, journals, lib, since=start, until=until, by=by)
    if fmt == "text":
        _text(report, shown)
        return
    text = (
        json.dumps(report_json(report, shown), ensure_ascii=False, indent=2) + "\n"
        if fmt == "json"
        else report_html(report, shown)
    )
    write_out(text, output, say=True)


def _targets(lib: Library, targets_id: str | None) -> Targets:
    if targets_id is not None:
        if targets_id not in lib.targets:
            known = ", ".join(sorted(lib.targets)) or "none"
            raise CommandError(f"no targets '{targets_id}' in the library (targets documents: {known})")
        return lib.targets[targets_id]
    if len(lib.targets) != 1:
        known = ", ".join(sorted(lib.targets)) or "none"
        raise CommandError(f"name the targets document to measure (the library has: {known})")
    return next(iter(lib.targets.values()))


def _journals(url: str, files: Sequence[Path], lib: Library, until: dt.datetime | None) -> Iterator[list[Entry]]:
    """Each session's journal in turn, from the store and then the files."""
    if url:
        with open_store(existing_store(url), lib) as store:
            for row in store.sessions(SessionQuery(started_before=until, limit=ALL)):
                yield store.journal(JournalQuery(session=row.id, limit=ALL))
    for path in files:
        yield from _file_journals(path)


def _file_journals(path: Path) -> Iterator[list[Entry]]:
    """``{"journal": [...]}`` (what ``sopflow sessions journal -f json`` writes), a list of entries,
    or JSON Lines of entries or of such documents, read a line at a time; a start entry begins
    the next session."""
    current: list[Entry] = []
    for where, document in _documents(path):
        raws = document.get("journal") if isinstance(document, dict) and "journal" in document else document
        for raw in raws if isinstance(raws, list) else [raws]:
            if not isinstance(raw, dict):
                raise CommandError(f"{where}: not a journal entry: {str(raw)[:80]}")
            try:
                entry = entry_of(raw, where)  # type: ignore[arg-type]  # checked by entry_of itself
            except SnapshotError as exc:
                raise CommandError(str(exc)) from None
            if entry.kind == "start" and entry.depth == 0 and current:
                yield current
                current = []
            current.append(entry)
    if current:
        yield current


def _documents(path: Path) -> Iterator[tuple[str, Any]]:
    """Each JSON document of the file with where it stands: one per line, or the whole file as one."""
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    document = json.loads(line)
                except json.JSONDecodeError as exc:
                    if number > 1:
                        raise CommandError(f"{path}:{number}:{exc.colno}: not JSON: {exc.msg}") from None
                    break  # the first line is not a whole document: the file is one, spread over lines
                except RecursionError:
                    raise CommandError(f"{path}:{number}: JSON nested past reason") from None
                yield f"{path}:{number}", document
            else:
                return
        try:
            whole = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
        except RecursionError:
            raise CommandError(f"{path}: JSON nested past reason") from None
        yield str(path), whole
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        found = not_utf8_in(path)
        if found is None:
            raise CommandError(f"{path}: not UTF-8 text") from None
        row, column, message = found
        raise CommandError(f"{path}:{row}:{column}: {message}") from None


def _text(report: KpiReport, lang: str) -> None:
    console = stdout()
    console.print(escape(f"{words(report.targets.title, lang)} — {report.sessions} sessions read"))
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in ("KPI", "target", "value", "", "trend (%)"):
        table.add_column(name, justify="left" if name in ("KPI", "trend (%)") else "right", overflow="fold")
    for r in report.results:
        if r.total is None:
            table.add_row(escape(words(r.kpi.title, lang)), escape(target_text(r)), "not measured", "", "")
            continue
        trend = " ".join(f"{f.percent:.0f}" if f.percent is not None else "·" for f in r.trend[-6:])
        shown = verdict(r.total)
        style = {"met": "green", "missed": "red"}.get(shown, "")
        mark = f"[{style}]{shown}[/{style}]" if style else shown
        title, value = escape(words(r.kpi.title, lang)), escape(figure_text(r.total))
        table.add_row(title, escape(target_text(r)), value, mark, trend)
    console.print(table)
