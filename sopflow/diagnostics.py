"""A located finding about a procedure: the currency of loading, checking and linting."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem, with everything an author or an editor needs to jump to it."""

    severity: Severity
    code: str
    """Stable rule id, e.g. ``schema``, ``unknown-state``, ``unreachable-state``."""
    message: str
    source: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None
    """Where inside the document, e.g. ``procedure.states.call_owner.on.agree.to``."""

    def format(self) -> str:
        """``file:line:col: path: message``, the form compilers and editors understand."""
        return located(self.message, self.source, self.line, self.column, self.path)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def located(message: str, source: str | None, line: int | None, column: int | None, path: str | None) -> str:
    """One way to say where a problem is, for diagnostics and definition errors alike."""
    where = source or "<string>"
    if line is not None:
        where += f":{line}:{column or 1}"
    if path:
        where += f": {path}"
    return f"{where}: {message}"


def has_errors(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> bool:
    return any(d.severity == "error" for d in diagnostics)
