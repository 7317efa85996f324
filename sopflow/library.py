"""The front door: load procedures from files, check them, compile them, start sessions.

``load_library()`` runs the whole pipeline (load → check → compile) once; the
library then hands out compiled procedures by id and version, and starts,
restores and replays sessions against them. A library may hold several
versions of one procedure: new sessions take the newest, and a stored
session keeps running on exactly the version it started on.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Never

from sopflow import library_cache
from sopflow.calendar import Calendar
from sopflow.check import CheckedLibrary, check_documents
from sopflow.check.library import newest_versions
from sopflow.check.semantic import final_outcomes
from sopflow.compile import Procedure, compile_procedure
from sopflow.diagnostics import Diagnostic
from sopflow.errors import ProcedureInvalid, SnapshotError, UnknownProcedure, UsageError
from sopflow.io import LoadedDocument, load_bytes, load_file, load_text
from sopflow.io.collector import collector_paused
from sopflow.model import Targets
from sopflow.runtime import Clock, Entry, Listener, Session, replay
from sopflow.runtime.session import START_OPTIONS, refuse_unknown

YAML_SUFFIXES = (".yaml", ".yml")


def bundled_path() -> Path:
    """Where the procedures shipped with sopflow live (in the wheel, or in a source checkout)."""
    here = Path(__file__).resolve().parent
    packaged = here / "_bundled"
    return packaged if packaged.is_dir() else here.parent / "procedures"


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """YAML files named, or found below named folders, in a stable order."""
    files: list[Path] = []
    for raw in paths:
        if not isinstance(raw, (str, os.PathLike)) or isinstance(os.fspath(raw), bytes):
            raise UsageError(f"expected the path of a file or folder (text or a Path), found {type(raw).__name__}")
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
        else:
            files.append(path)
    return files


class Library:
    """Compiled procedures by id and version, built once and shared by every session."""

    def __init__(
        self, procedures: Mapping[str, Mapping[int, Procedure]], checked: CheckedLibrary, calendar: Calendar
    ) -> None:
        self._versions = {pid: dict(sorted(by_version.items())) for pid, by_version in procedures.items()}
        self._newest = {pid: by_version[max(by_version)] for pid, by_version in self._versions.items()}
        self.checked = checked
        self.calendar = calendar
        """The deployment's calendar the library's working-time timers and promises count on."""

    @classmethod
    def from_documents(cls, docs: list[LoadedDocument], calendar: Calendar | None = None) -> Library:
        """Check and compile; raise :class:`ProcedureInvalid` listing every error found."""
        calendar = _calendar(calendar)
        checked = check_documents(docs, calendar.hours)
        if not checked.ok:
            raise ProcedureInvalid([d for d in checked.diagnostics if d.severity == "error"])
        newest = newest_versions(checked.procedures)
        outcomes_of = {pid: final_outcomes(r) for pid, r in newest.items()}
        compiled: dict[str, dict[int, Procedure]] = {}
        for (pid, version), resolved in checked.procedures.items():
            compiled.setdefault(pid, {})[version] = compile_procedure(resolved, outcomes_of, calendar)
        latest = {pid: versions[max(versions)] for pid, versions in compiled.items()}
        for versions in compiled.values():
            for procedure in versions.values():
                # A call runs the newest version of the procedure it names.
                for state in procedure.ir.states.values():
                    for call in (state.call, *(w.call for w in state.events.values())):
                        if call is not None:
                            procedure.callees[call.procedure] = latest[call.procedure]
        return cls(compiled, checked, calendar)

    @property
    def targets(self) -> Mapping[str, Targets]:
        """The library's KPI targets by id, each measure checked against the procedures it counts."""
        return self.checked.targets

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.checked.diagnostics if d.severity != "error"]

    def __getitem__(self, procedure_id: str) -> Procedure:
        """The newest version of a procedure."""
        try:
            return self._newest[procedure_id]
        except (KeyError, TypeError):  # TypeError: not even hashable, so no id
            raise UnknownProcedure(f"no procedure '{procedure_id}' in the library{self._hint(procedure_id)}") from None

    def get(self, procedure_id: str, version: int | None = None) -> Procedure:
        """A procedure by id, at ``version`` (default: the newest)."""
        if version is None or not isinstance(procedure_id, str):
            return self[procedure_id]
        if isinstance(version, bool) or not isinstance(version, int):
            raise UnknownProcedure(f"'{procedure_id}': a version is a whole number, found {type(version).__name__}")
        found = self._versions.get(procedure_id, {}).get(version)
        if found is None:
            held = ", ".join(map(str, self.versions(procedure_id))) or "none"
            raise UnknownProcedure(f"'{procedure_id}' has no version {version}; the library holds version {held}")
        return found

    def versions(self, procedure_id: str) -> tuple[int, ...]:
        """The versions of ``procedure_id`` this library holds, oldest first."""
        if not isinstance(procedure_id, str) or procedure_id not in self._versions:
            self[procedure_id]  # raises UnknownProcedure with a hint
        return tuple(self._versions[procedure_id])

    def __contains__(self, procedure_id: object) -> bool:
        return isinstance(procedure_id, str) and procedure_id in self._newest

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._newest))

    def __len__(self) -> int:
        return len(self._newest)

    def __repr__(self) -> str:
        return f"<Library of {len(self)} procedures>"

    def _hint(self, procedure_id: str) -> str:
        if not isinstance(procedure_id, str):
            return f" (a procedure id is text, found {type(procedure_id).__name__})"
        close = difflib.get_close_matches(procedure_id, list(self._newest), n=1)
        return f"; did you mean '{close[0]}'?" if close else ""

    def resolve(self, procedure_id: str, version: int) -> Procedure:
        """The procedure a snapshot names, refusing a version this library does not hold."""
        try:
            return self.get(procedure_id, version)
        except UnknownProcedure as exc:
            raise SnapshotError(exc.message) from None

    def start(
        self,
        procedure_id: str,
        *,
        clock: Clock,
        role: str,
        version: int | None = None,
        actor: str | None = None,
        data: Mapping[str, Any] | None = None,
        lang: str | None = None,
        session_id: str | None = None,
        strict: bool = False,
        keep_journal: bool = True,
        listeners: Iterable[Listener] = (),
        **unknown: Never,
    ) -> Session:
        """Start a session of the newest version (or ``version``); see :meth:`Session.start`."""
        refuse_unknown(unknown, START_OPTIONS)
        return Session.start(
            self.get(procedure_id, version),
            clock=clock,
            role=role,
            actor=actor,
            data=data,
            lang=lang,
            session_id=session_id,
            strict=strict,
            keep_journal=keep_journal,
            listeners=listeners,
        )

    def restore(
        self,
        snapshot: Mapping[str, Any],
        clock: Clock,
        *,
        keep_journal: bool = True,
        listeners: Iterable[Listener] = (),
    ) -> Session:
        """A session from its snapshot, on exactly the procedure versions it names."""
        return Session.restore(snapshot, self.resolve, clock, keep_journal=keep_journal, listeners=listeners)

    def replay(self, journal: Iterable[Entry | Mapping[str, Any]]) -> Session:
        return replay(journal, self.resolve)

    def redact(self, entry: Entry) -> dict[str, Any]:
        """The JSON form of ``entry`` with its own procedure's private fields hidden."""
        if not isinstance(entry, Entry):
            raise UsageError(f"redact() takes a journal entry, found {type(entry).__name__}")
        known = self._versions.get(entry.procedure)
        if not known:
            # An entry of a procedure this library does not hold: hide every value, to be safe.
            return entry.redacted((), ())
        procedure = known.get(entry.version or 0) or known[max(known)]
        return entry.redacted(procedure.private, procedure.fields)


def load_library(*paths: str | Path, calendar: Calendar | None = None, cache: bool = True) -> Library:
    """Load every procedure and policy below ``paths`` (default: the bundled library).

    ``calendar`` is the deployment's: its time zone, public holidays and named opening
    hours (default: :class:`~sopflow.calendar.Calendar`'s, mainland China with the hours the
    source documents name).

    A library that loads without error is kept compiled in the user's cache folder, and the
    next process that loads exactly the same files takes it from there (see
    :mod:`sopflow.library_cache`); ``cache=False``, or ``SOPFLOW_NO_CACHE=1`` in the
    environment, always loads afresh. Either way the result is the same library.
    """
    if not isinstance(cache, bool):
        raise UsageError(f"cache: expected True or False, found {type(cache).__name__}")
    files = collect(paths or (bundled_path(),))
    calendar = _calendar(calendar)
    folder = library_cache.cache_dir() if cache else None
    with collector_paused():  # loading makes no cycles worth collecting; see sopflow.io.collector
        if folder is None:
            return Library.from_documents([load_file(f) for f in files], calendar)
        try:
            read = [(str(f), f.read_bytes()) for f in files]
        except OSError:  # reported, with the file's name, by the load that follows
            return Library.from_documents([load_file(f) for f in files], calendar)
        name = library_cache.entry_name(read, calendar)
        kept = library_cache.read(folder, name, calendar)
        if isinstance(kept, Library):
            return kept
        library = Library.from_documents([load_bytes(f, raw) for f, raw in read], calendar)
        library_cache.write(folder, name, library, calendar)
        return library


def load_string(text: str, *more: str, source: str = "<string>", calendar: Calendar | None = None) -> Library:
    """A library from YAML texts, handy in tests and notebooks."""
    for given in (text, *more):
        if not isinstance(given, str):
            raise UsageError(f"load_string() takes YAML text, found {type(given).__name__}")
    if not isinstance(source, str):
        raise UsageError(f"source: expected the text findings name the input by, found {type(source).__name__}")
    with collector_paused():
        docs = [load_text(t, f"{source}[{i}]" if more else source) for i, t in enumerate((text, *more))]
        return Library.from_documents(docs, calendar)


def _calendar(calendar: object) -> Calendar:
    """The deployment's calendar as given, or the default one; anything else is a usage error."""
    if calendar is None:
        return Calendar()
    if not isinstance(calendar, Calendar):
        raise UsageError(f"calendar: expected a sopflow.calendar.Calendar, found {type(calendar).__name__}")
    return calendar
