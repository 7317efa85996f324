"""What still validates of a document that does not, so the checker can look at the rest.

A schema error in one state should not hide an unknown state named in
another: authors fix a file faster when one run lists every independent
problem. So the entries that failed (a state, a role, a field, a ladder, a
policy event, an invariant) are left out, the document is validated again
without them, and their names are remembered: a reference to a state that
failed validation is not also reported as "unknown state".

The saved document is for checking only. It is never compiled (its file has
errors) and never replaces :attr:`LoadedDocument.document`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from sopflow.io.validation import data_path
from sopflow.model import Document, Glossary, Policy, Procedure

Broken = Mapping[str, frozenset[str]]
"""Kind (``state``, ``role``, ``field``, ``ladder``, ``policy_event``, ``invariant``, ``key``) to the
names that failed validation; ``*`` stands for every name of that kind, ``key`` for body keys
(``initial``, ``start`` ...) that were left out or stood in for."""

NAMED: Mapping[str, str] = {
    "roles": "role",
    "fields": "field",
    "states": "state",
    "ladders": "ladder",
    "events": "policy_event",
    "invariants": "invariant",
    "tips": "tip",
    "documents": "document",
}
"""Collections of a procedure, policy or glossary whose entries can be left out one by one."""

STAND_INS: Mapping[str, Any] = {"version": 1, "title": {"en": "-"}, "languages": ["en"], "initial": "initial"}
BODIES: Mapping[str, type[BaseModel]] = {"procedure": Procedure, "policy": Policy, "glossary": Glossary}
"""Required keys no name or type check reads (or, for ``initial``, that the checker then skips)."""


@dataclass(frozen=True)
class Partial:
    """The parts of an invalid document that validated, and the names of those that did not."""

    document: Document | None
    """``None`` when nothing could be saved (the version, the id or ``uses`` did not validate)."""
    broken: Broken = field(default_factory=dict)
    written_id: str | None = None
    """The id as the file writes it, valid or not: calls to it are not "unknown procedure"."""


def salvage(exc: ValidationError, data: dict[str, Any]) -> Partial:
    """The document without the parts ``exc`` found invalid, validated again."""
    kind = _body_kind(data)
    body = data.get(kind) if kind else None
    written_id = body.get("id") if isinstance(body, dict) and isinstance(body.get("id"), str) else None
    if kind is None or not isinstance(body, dict):
        return Partial(None, written_id=written_id)
    model = BODIES[kind]
    kept = {**data, kind: dict(body)}
    broken: dict[str, set[str]] = {}
    for error in exc.errors(include_url=False):
        path = data_path(error["loc"], data, Document)
        if not _leave_out(path, kind, model, kept, broken):
            return Partial(None, written_id=written_id)
    try:
        document = Document.model_validate(kept)
    except ValidationError:  # leaving parts out broke a rule of the whole (no state left, say)
        return Partial(None, written_id=written_id)
    return Partial(document, {k: frozenset(v) for k, v in broken.items()}, written_id)


def _body_kind(data: dict[str, Any]) -> str | None:
    given = [k for k in BODIES if data.get(k) is not None]
    return given[0] if len(given) == 1 else None


def _leave_out(
    path: tuple[str | int, ...], kind: str, model: type[BaseModel], kept: dict[str, Any], broken: dict[str, set[str]]
) -> bool:
    """Leave out what holds the error at ``path``; ``False`` when the document cannot do without it."""
    if not path or path[0] != kind:
        if path and path[0] not in Document.model_fields:  # an unknown top-level key: nothing reads it
            kept.pop(str(path[0]), None)
            return True
        return False
    if len(path) == 1:
        return False
    body, key = kept[kind], str(path[1])
    known = {info.alias or name: info for name, info in model.model_fields.items()}
    if key in NAMED and len(path) > 2:
        entries = body.get(key)
        if isinstance(entries, dict):
            body[key] = {name: value for name, value in entries.items() if name != path[2]}
            broken.setdefault(NAMED[key], set()).add(str(path[2]))
            return True
    if key in STAND_INS:
        body[key] = STAND_INS[key]
        broken.setdefault("key", set()).add(key)
        return True
    if key not in known or (key != "uses" and not known[key].is_required()):
        body.pop(key, None)
        broken.setdefault(NAMED.get(key, "key"), set()).add("*" if key in NAMED else key)
        return True
    return False
