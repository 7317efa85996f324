"""Where a finding is: an origin (a document and a path in it) turned into file, line and column.

Every check reports through these, so a finding about a policy's event or a
glossary's role points into the file that holds it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from sopflow.diagnostics import Diagnostic, Severity
from sopflow.io import LoadedDocument

Origin = tuple[LoadedDocument, tuple[str | int, ...]]


def locate(origin: Origin, *sub: str | int, key: bool = False) -> tuple[str, int | None, int | None, str]:
    doc, base = origin
    path = (*base, *sub)
    line_col = doc.positions.locate(path, key=key)
    line, col = line_col or (None, None)
    return doc.source, line, col, ".".join(map(str, path))


def finding(
    severity: Severity, code: str, message: str, origin: Origin, *sub: str | int, key: bool = False
) -> Diagnostic:
    source, line, col, path = locate(origin, *sub, key=key)
    return Diagnostic(severity, code, message, source, line, col, path)


def at(origin: Origin) -> str:
    """``file:line``, for a message that points at a second place."""
    source, line, _, _ = locate(origin, key=True)
    return f"{source}:{line}" if line is not None else source


def hint(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
