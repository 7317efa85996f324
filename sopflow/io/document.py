"""Plain data to the procedure model, with pydantic's errors turned into located diagnostics."""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path as FsPath

from pydantic import ValidationError

from sopflow.diagnostics import Diagnostic
from sopflow.io.collector import collector_paused
from sopflow.io.positions import Positions
from sopflow.io.salvage import Broken, Partial, salvage
from sopflow.io.utf8 import not_utf8
from sopflow.io.validation import validation_diagnostics
from sopflow.io.yaml_source import parse_yaml
from sopflow.model import Document


@dataclass(frozen=True)
class LoadedDocument:
    """A document as loaded: the model (if it validated), where each node is, and what was wrong."""

    source: str
    document: Document | None
    positions: Positions
    diagnostics: tuple[Diagnostic, ...]
    partial: Partial | None = None
    """For a document that did not validate: the parts that did, for the checker to look at."""

    @property
    def checkable(self) -> Document | None:
        """The document as far as it validated: whole, or without its invalid parts."""
        if self.document is None and self.partial is not None:
            return self.partial.document
        return self.document

    @property
    def broken(self) -> Broken:
        """Names whose entries did not validate (by kind); empty for a valid document."""
        return self.partial.broken if self.partial is not None else {}


def load_text(text: str, source: str = "<string>") -> LoadedDocument:
    """Parse and validate one document from text; never raises for bad input."""
    with collector_paused():
        return _load(text, source)


def _load(text: str, source: str, reread: Callable[[], str | None] | None = None) -> LoadedDocument:
    data, positions, problems = parse_yaml(text, source, plain=True, reread=reread)
    if data is None:
        return LoadedDocument(source, None, positions, tuple(problems))
    if not isinstance(data, dict):
        found = type(data).__name__
        problems.append(
            Diagnostic("error", "schema", f"expected a mapping with 'sopflow: 1', found {found}", source, 1, 1)
        )
        return LoadedDocument(source, None, positions, tuple(problems))
    try:
        document = Document.model_validate(data)
    except ValidationError as exc:
        problems += validation_diagnostics(exc, data, positions, Document)
        return LoadedDocument(source, None, positions, tuple(problems), salvage(exc, data))
    return LoadedDocument(source, document, positions, tuple(problems))


def load_file(path: str | FsPath) -> LoadedDocument:
    """Read one file as UTF-8 and load it; unreadable files become diagnostics too."""
    try:
        raw = FsPath(path).read_bytes()
    except OSError as exc:
        diagnostic = Diagnostic("error", "io", f"cannot read file: {exc.strerror or exc}", str(path))
        return LoadedDocument(str(path), None, Positions(str(path)), (diagnostic,))
    return load_bytes(path, raw)


def load_bytes(path: str | FsPath, raw: bytes) -> LoadedDocument:
    """Load a file's bytes, read already (to be hashed, say); ``path`` is where they came from."""
    p = FsPath(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col, message = not_utf8(raw, exc)
        diagnostic = Diagnostic("error", "io", f"the file is {message}", str(path), line, col)
        return LoadedDocument(str(path), None, Positions(str(path)), (diagnostic,))
    with collector_paused():
        return _load(text, str(path), partial(_reread, os.path.abspath(p), (len(raw), zlib.crc32(raw))))


def _reread(path: str, stamp: tuple[int, int]) -> str | None:
    """The file's text again, for positions a finding asks for later; ``None`` once it has changed.

    Reading the file again when a position is first asked for (rarely: most documents load
    without a finding) costs less than keeping every text in memory, or compressing it.
    A file edited since it was loaded has no positions: a finding then names the file only.
    """
    try:
        raw = FsPath(path).read_bytes()
    except OSError:
        return None
    return raw.decode("utf-8") if (len(raw), zlib.crc32(raw)) == stamp else None
