"""Every localised text a document writes, with what it is, where it is, and which line is its source.

Translators, reviewers and the Chinese-script lint all need the same list: the
texts as written (not as a policy or the glossary lends them to a procedure),
each with its path in the file, the state or entry it belongs to, and the
source document it cites — which says whether the Traditional or the
Simplified Chinese line is the original.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sopflow.check.locate import Origin
from sopflow.io import LoadedDocument
from sopflow.model import BODIES, Citation, Glossary, Policy, Procedure, SourceDocument, Targets

TEXT_KEYS = ("title", "say", "do", "description", "text", "unmeasured")
"""The keys of the language whose values are localised texts."""

Path = tuple[str | int, ...]

_WHAT = {"title": "title", "say": "what is said", "do": "what is done", "description": "description"}
_OWNERS = {
    "states": "state",
    "roles": "role",
    "fields": "field",
    "tips": "tip",
    "ladders": "ladder",
    "events": "event",
    "documents": "document",
    "on": "event",
    "timers": "timer",
    "levels": "level",
}


@dataclass(frozen=True)
class WrittenText:
    """One localised text as a file writes it."""

    doc: LoadedDocument
    body: str
    """``procedure``, ``policy`` or ``glossary``."""
    owner: str
    """The id of the procedure, policy or glossary."""
    version: int | None
    path: Path
    """Below the body: ``("states", "greet", "say")``."""
    text: Mapping[str, str]
    document: str | None
    """The source document the nearest citation names (or, for a document's own title, that document)."""
    languages: tuple[str, ...]
    """The languages the body declares."""

    @property
    def origin(self) -> Origin:
        return self.doc, (self.body, *self.path)

    @property
    def kind(self) -> str:
        return str(self.path[-1])

    @property
    def state(self) -> str | None:
        return str(self.path[1]) if len(self.path) > 2 and self.path[0] == "states" else None

    @property
    def described(self) -> str:
        """``what is said in state 'greet'``, ``title of role 'front_desk'``: for people."""
        owners: list[str] = []
        path = self.path[:-1]
        for i in range(0, len(path) - 1, 2):
            kind, name = _OWNERS.get(str(path[i]), str(path[i])), path[i + 1]
            owners.append(f"{kind} {name + 1}" if isinstance(name, int) else f"{kind} '{name}'")
        joint = " in " if self.kind in ("say", "do") else " of "
        return (
            _WHAT.get(self.kind, self.kind) + joint + (" of ".join(reversed(owners)) or f"{self.body} '{self.owner}'")
        )

    @property
    def scopes(self) -> frozenset[str]:
        """The ``where`` values of a ``lint.ignore`` entry that silence a finding about this text."""
        path = self.path
        if len(path) < 2 or not isinstance(path[1], str):
            return frozenset()
        scopes = {path[1]}
        if path[0] == "states" and len(path) > 3 and path[2] in ("on", "timers"):
            scopes.add(f"{path[1]}.{path[3]}")
        return frozenset(scopes)

    def source_language(self, documents: Mapping[str, SourceDocument]) -> str | None:
        """The language of the text's original: the cited document's script, else the first declared one present."""
        cited = documents.get(self.document or "")
        if cited is not None and cited.script in self.text:
            return cited.script
        return next((lang for lang in self.languages if lang in self.text), next(iter(self.text), None))


def written_texts(doc: LoadedDocument) -> Iterator[WrittenText]:
    """The texts of one loaded document, in file order."""
    document = doc.checkable
    if document is None:
        return
    body: Procedure | Policy | Glossary | Targets = document.body
    kind = next(k for k in BODIES if getattr(document, k) is not None)
    version = None if isinstance(body, (Glossary, Targets)) else body.version
    cited = body.source.document if body.source else None

    def walk(node: Any, path: Path, cited: str | None) -> Iterator[WrittenText]:
        if isinstance(node, SourceDocument):
            cited = str(path[-1])
        elif isinstance(node, BaseModel):
            source = getattr(node, "source", None)
            if isinstance(source, Citation):
                cited = source.document
        if isinstance(node, BaseModel):
            for name, info in type(node).model_fields.items():
                value, key = getattr(node, name), info.alias or name
                if key in TEXT_KEYS and _is_text(value):
                    yield WrittenText(doc, kind, body.id, version, (*path, key), value, cited, tuple(body.languages))
                elif value is not None:
                    yield from walk(value, (*path, key), cited)
        elif isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, (*path, key), cited)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, (*path, i), cited)

    yield from walk(body, (), cited)


def _is_text(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(isinstance(v, str) for v in value.values())


def library_documents(docs: list[LoadedDocument]) -> Mapping[str, SourceDocument]:
    """The source documents the glossaries among ``docs`` declare, by key."""
    found: dict[str, SourceDocument] = {}
    for doc in docs:
        document = doc.checkable
        if document is not None and document.glossary is not None:
            for key, entry in document.glossary.documents.items():
                found.setdefault(key, entry)
    return found
