"""``sopflow sessions`` and ``sopflow timers``: a store's sessions for people, and its due timers run.

A supervisor lists the open visits, reads one's current step and its journal; an
operator runs the due timers once from cron or as a loop. Every view is redacted: a
store keeps private data (the desk needs it), a terminal never shows it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table

from sopflow.cli.common import library, stdout
from sopflow.cli.show import LangOpt, LibraryOpt
from sopflow.errors import CommandError, SessionNotFound
from sopflow.runtime import SystemClock
from sopflow.store import JournalQuery, SessionQuery, SessionRow, Store, open_store
from sopflow.store.open import store_file

Format = Literal["text", "json"]
StoreOpt = Annotated[
    str,
    typer.Option(
        "--store",
        "-s",
        envvar="SOPFLOW_STORE",
        help="The store: a SQLite file, sqlite:///file.db, postgresql://… (or set SOPFLOW_STORE).",
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="text for people, json for tools.")]

sessions_app = typer.Typer(help="The sessions a store keeps: list, show, journal, migrate.", no_args_is_help=True)
timers_app = typer.Typer(help="Run the timers that fell due in a store.", no_args_is_help=True)


def _store(url: str, library_paths: list[Path] | None) -> Store:
    return open_store(existing_store(url), library(library_paths))


def existing_store(url: str) -> str:
    """The store URL, refused when it is missing or names a SQLite file that does not exist."""
    if not url:
        raise CommandError("name the store with --store (a SQLite file or a postgresql:// URL)")
    path = store_file(url)
    if path is not None and not path.exists():
        raise CommandError(f"no store at {path}: give the SQLite file the host writes to (or a postgresql:// URL)")
    return url


def _row_json(r: SessionRow) -> dict[str, Any]:
    out = r._asdict()
    for key in ("started_at", "updated_at", "next_deadline"):
        out[key] = out[key].isoformat() if out[key] is not None else None
    return out


@sessions_app.command("list")
def list_sessions(
    store_url: StoreOpt = "",
    procedure: Annotated[str | None, typer.Option("--procedure", "-p", help="Only this procedure.")] = None,
    state: Annotated[str | None, typer.Option("--state", help="Only sessions in this state.")] = None,
    open_only: Annotated[
        bool | None, typer.Option("--open/--closed", help="Only open (or only finished) sessions.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest first.")] = 50,
    fmt: FormatOpt = "text",
    library_paths: LibraryOpt = None,
) -> None:
    """List stored sessions, newest first."""
    with _store(store_url, library_paths) as store:
        rows = store.sessions(SessionQuery(procedure=procedure, state=state, open=open_only, limit=limit))
    if fmt == "json":
        sys.stdout.write(json.dumps({"sessions": [_row_json(r) for r in rows]}, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("procedure", no_wrap=True)
    table.add_column("where", overflow="fold", min_width=12)
    table.add_column("outcome", no_wrap=True)
    table.add_column("due (UTC)", no_wrap=True)
    for r in rows:
        table.add_row(
            r.id[:12],
            f"{r.procedure} v{r.version}" + (" (pinned)" if r.pinned else ""),
            escape(r.path),
            r.outcome or "open",
            f"{r.next_deadline:%m-%d %H:%M}" if r.next_deadline else "",
        )
    console = stdout()
    console.print(table)
    console.print(f"{len(rows)} session{'s' if len(rows) != 1 else ''}")


def _find(store: Store, prefix: str) -> SessionRow:
    """A session by its id, or by the first characters ``list`` shows, if they are unambiguous."""
    try:
        return store.row(prefix)
    except SessionNotFound:
        matches = [r for r in store.sessions(SessionQuery(limit=10**6)) if r.id.startswith(prefix)]
        if len(matches) == 1:
            return matches[0]
        what = "several sessions start with" if matches else "no session"
        raise CommandError(f"{what} '{prefix}' in this store") from None


@sessions_app.command("show")
def show_session(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="The session id (or its first characters).")],
    store_url: StoreOpt = "",
    lang: LangOpt = None,
    fmt: FormatOpt = "text",
    library_paths: LibraryOpt = None,
) -> None:
    """One session: where it is, what the desk says and does now (private data hidden), its timers."""
    with _store(store_url, library_paths) as store:
        row = _find(store, session_id)
        session = store.load(row.id, SystemClock())
        step = session.step(lang, redact=True)
    if fmt == "json":
        body = {
            "session": _row_json(row),
            "step": {
                "state": step.state,
                "path": list(step.path),
                "say": step.say,
                "do": step.do,
                "events": [e.name for e in step.events],
                "timers": [{"name": t.name, "due": t.due.isoformat()} for t in step.timers],
                "outcome": step.outcome,
            },
        }
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        return
    console = stdout()
    console.print(f"[bold]{row.id}[/]  {row.procedure} v{row.version}  {row.outcome or 'open'}")
    console.print(f"at {escape(' / '.join(step.path))}")
    if step.say:
        console.print(f"  says: {escape(step.say)}")
    if step.do:
        console.print(f"  does: {escape(step.do)}")
    if step.events:
        console.print(f"  allowed: {', '.join(e.name for e in step.events)}")
    for timer in step.timers:
        console.print(f"  timer {timer.name} due {timer.due:%Y-%m-%d %H:%M:%S %z}")


@sessions_app.command("journal")
def session_journal(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="The session id (or its first characters).")],
    store_url: StoreOpt = "",
    fmt: FormatOpt = "text",
    library_paths: LibraryOpt = None,
) -> None:
    """A session's journal from the store, private data shown as ***."""
    with _store(store_url, library_paths) as store:
        row = _find(store, session_id)
        entries = store.journal(JournalQuery(session=row.id, limit=10**6))
        shown = [store.library.redact(e) for e in entries]
    if fmt == "json":
        sys.stdout.write(json.dumps({"journal": shown}, ensure_ascii=False, indent=2) + "\n")
        return
    console = stdout()
    for entry, redacted in zip(entries, shown, strict=True):
        data = " ".join(f"{k}={v}" for k, v in {**redacted.get("data", {}), **redacted.get("changes", {})}.items())
        console.print(escape(f"{entry.seq:>4} {entry.describe()}" + (f"  {data}" if data else "")), soft_wrap=True)


@sessions_app.command("migrate")
def migrate_sessions(
    procedure: Annotated[str, typer.Argument(metavar="ID", help="The procedure whose open sessions move.")],
    store_url: StoreOpt = "",
    version: Annotated[int | None, typer.Option("--version", help="The version to move to (default: newest).")] = None,
    library_paths: LibraryOpt = None,
) -> None:
    """Move open sessions onto a newer version that says how; the ones that cannot move stay pinned."""
    with _store(store_url, library_paths) as store:
        report = store.migrate(procedure, clock=SystemClock(), version=version)
    console = stdout()
    console.print(f"{report.moved} moved, {len(report.pinned)} pinned")
    for session_id, reason in report.pinned:
        console.print(f"  pinned {session_id[:12]}: {escape(reason)}")


@timers_app.command("run")
def run_timers(
    store_url: StoreOpt = "",
    every: Annotated[
        float | None, typer.Option("--every", metavar="SECONDS", help="Keep running, a pass every SECONDS.")
    ] = None,
    passes: Annotated[int | None, typer.Option("--passes", help="With --every: stop after this many passes.")] = None,
    batch: Annotated[int, typer.Option("--batch", help="Sessions per transaction.")] = 100,
    library_paths: LibraryOpt = None,
) -> None:
    """Fire the timers that fell due, once (for cron) or as a loop; several may run at once."""
    if every is not None and every <= 0:
        raise CommandError("--every takes a positive number of seconds")
    console = stdout()
    clock = SystemClock()
    done = 0
    with _store(store_url, library_paths) as store:
        try:
            while True:
                report = store.run_due(clock.now(), batch=batch)
                done += 1
                if report.sessions or every is None:
                    console.print(f"{report.sessions} sessions advanced, {report.entries} timer entries written")
                for session_id, reason in report.failed:
                    console.print(f"  could not advance {session_id[:12]}: {escape(reason)}")
                if every is None or (passes is not None and done >= passes):
                    return
                time.sleep(every)
        except KeyboardInterrupt:
            console.print("stopped")
