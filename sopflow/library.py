"""The front door: load procedures from files, check them, compile them, start sessions.

``load_library()`` runs the whole pipeline (load → check → compile) once; the
library then hands out compiled procedures by id and starts, restores and
replays sessions against them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from sopflow.check import CheckedLibrary, check_documents
from sopflow.check.semantic import final_outcomes
from sopflow.compile import Procedure, compile_procedure
from sopflow.diagnostics import Diagnostic
from sopflow.errors import ProcedureInvalid, SnapshotError, UnknownProcedure
from sopflow.io import LoadedDocument, load_file, load_text
from sopflow.runtime import Clock, Entry, Session, replay

YAML_SUFFIXES = (".yaml", ".yml")


def bundled_path() -> Path:
    """Where the procedures shipped with sopflow live (in the wheel, or in a source checkout)."""
    packaged = resources.files("sopflow") / "_bundled"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "procedures"


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """YAML files named, or found below named folders, in a stable order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
        else:
            files.append(path)
    return files


class Library:
    """Compiled procedures by id, built once and shared by every session."""

    def __init__(self, procedures: Mapping[str, Procedure], checked: CheckedLibrary) -> None:
        self._procedures = dict(procedures)
        self.checked = checked

    @classmethod
    def from_documents(cls, docs: list[LoadedDocument]) -> Library:
        """Check and compile; raise :class:`ProcedureInvalid` listing every error found."""
        checked = check_documents(docs)
        if not checked.ok:
            raise ProcedureInvalid([d for d in checked.diagnostics if d.severity == "error"])
        outcomes_of = {pid: final_outcomes(r) for pid, r in checked.procedures.items()}
        compiled = {pid: compile_procedure(r, outcomes_of) for pid, r in checked.procedures.items()}
        for procedure in compiled.values():
            for state in procedure.ir.states.values():
                calls = [state.call, *(w.call for w in state.events.values())]
                for call in calls:
                    if call is not None:
                        procedure.callees[call.procedure] = compiled[call.procedure]
        return cls(compiled, checked)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.checked.diagnostics if d.severity != "error"]

    def __getitem__(self, procedure_id: str) -> Procedure:
        try:
            return self._procedures[procedure_id]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(procedure_id, self._procedures, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise UnknownProcedure(f"no procedure '{procedure_id}' in the library{hint}") from None

    def __contains__(self, procedure_id: object) -> bool:
        return procedure_id in self._procedures

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._procedures))

    def __len__(self) -> int:
        return len(self._procedures)

    def __repr__(self) -> str:
        return f"<Library of {len(self)} procedures>"

    def resolve(self, procedure_id: str, version: int) -> Procedure:
        """The procedure a snapshot names, refusing a version this library does not hold."""
        procedure = self[procedure_id]
        if procedure.version != version:
            raise SnapshotError(
                f"'{procedure_id}' is at version {procedure.version} here; the snapshot needs version {version}"
            )
        return procedure

    def start(self, procedure_id: str, *, clock: Clock, role: str, **options: Any) -> Session:
        """Start a session; see :meth:`Session.start` for the options."""
        return Session.start(self[procedure_id], clock=clock, role=role, **options)

    def restore(self, snapshot: Mapping[str, Any], clock: Clock) -> Session:
        return Session.restore(snapshot, self.resolve, clock)

    def replay(self, journal: Iterable[Entry | Mapping[str, Any]]) -> Session:
        return replay(journal, self.resolve)


def load_library(*paths: str | Path) -> Library:
    """Load every procedure and policy below ``paths`` (default: the bundled library)."""
    files = collect(paths or (bundled_path(),))
    return Library.from_documents([load_file(f) for f in files])


def load_string(text: str, *more: str, source: str = "<string>") -> Library:
    """A library from YAML texts, handy in tests and notebooks."""
    docs = [load_text(t, f"{source}[{i}]" if more else source) for i, t in enumerate((text, *more))]
    return Library.from_documents(docs)
