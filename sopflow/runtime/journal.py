"""The journal: every start, fire, refusal, timer, call, return and cancel, in order.

Entries keep native values; :meth:`Entry.as_dict` gives the JSON form that
snapshots, stores and log files keep, and :meth:`Entry.redacted` hides
personal data before anything is shown or written. Every entry is built by
the step kernel with keyword arguments, so mypy checks what goes in.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, NamedTuple, get_args

from sopflow.model.limits import INT_RANGE, MAX_LIST_ITEMS, MAX_VALUE_CHARS

EntryKind = Literal["start", "fire", "refused", "timer", "call", "return", "cancel", "migrate", "check", "promise"]
ENTRY_KINDS: tuple[str, ...] = get_args(EntryKind)
REDACTED = "***"
_EMPTY: Mapping[str, Any] = {}
"""The one empty mapping entries and frames share. A plain dict, never written to: unlike a
mappingproxy it is invisible to the cycle collector, so a journal of a hundred thousand live
sessions costs a full collection nothing."""


@dataclass(frozen=True, slots=True)
class StartMeta:
    """What the start entry records about the session itself."""

    session: str
    lang: str
    strict: bool

    def as_dict(self) -> dict[str, Any]:
        return {"session": self.session, "lang": self.lang, "strict": self.strict}


class Entry(NamedTuple):
    """One thing that happened to a session.

    A named tuple rather than a frozen dataclass: sessions write one or more per
    step, and a tuple is built in a fraction of the time.
    """

    seq: int
    at: dt.datetime
    kind: EntryKind
    procedure: str
    version: int | None
    """The version of ``procedure`` that took the step (``None`` in journals older than versions)."""
    depth: int
    """0 for the session itself, 1 for a procedure it called, and so on."""
    actor: str | None = None
    role: str | None = None
    event: str | None = None
    """The event, timer, or (for a return) the called procedure's outcome."""
    source: str | None = None
    target: str | None = None
    data: Mapping[str, Any] = _EMPTY
    """The data the event carried (or the start data, or a call's arguments)."""
    changes: Mapping[str, Any] = _EMPTY
    """Fields whose value this entry changed, with their new values."""
    detail: str | None = None
    """For a refusal: the error class and its message."""
    meta: StartMeta | None = None
    """For the start entry: the session id, its language and strict mode."""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "kind": self.kind,
            "procedure": self.procedure,
        }
        if self.version is not None:
            out["version"] = self.version
        out["depth"] = self.depth
        for name in ("actor", "role", "event", "source", "target", "detail"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.data:
            out["data"] = {k: jsonable(v) for k, v in self.data.items()}
        if self.changes:
            out["changes"] = {k: jsonable(v) for k, v in self.changes.items()}
        if self.meta is not None:
            out["meta"] = self.meta.as_dict()
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Entry:
        """An entry from its JSON form; the caller has checked the shape (see ``snapshot.py``)."""
        meta = raw.get("meta")
        return cls(
            seq=int(raw["seq"]),
            at=dt.datetime.fromisoformat(raw["at"]),
            kind=raw["kind"],
            procedure=raw["procedure"],
            version=raw.get("version"),
            depth=int(raw.get("depth", 0)),
            actor=raw.get("actor"),
            role=raw.get("role"),
            event=raw.get("event"),
            source=raw.get("source"),
            target=raw.get("target"),
            data=dict(raw.get("data") or {}),
            changes=dict(raw.get("changes") or {}),
            detail=raw.get("detail"),
            meta=StartMeta(str(meta["session"]), str(meta["lang"]), bool(meta["strict"])) if meta else None,
        )

    def redacted(self, private: Collection[str], fields: Collection[str] | None = None) -> dict[str, Any]:
        """The JSON form with the value of every field in ``private`` replaced by ``***``.

        ``private`` must be the private fields of this entry's own procedure: a call entry
        carries the called procedure's fields, not the caller's. Given ``fields`` (that
        procedure's fields), a key it does not declare is hidden too: a refused entry keeps
        what the host sent, which may name a private field of another procedure.
        """
        out = self.as_dict()
        for part in ("data", "changes"):
            if part in out:
                out[part] = {
                    k: REDACTED if v is not None and (k in private or (fields is not None and k not in fields)) else v
                    for k, v in out[part].items()
                }
        return out

    def describe(self) -> str:
        """One line for a transcript: ``09:03:00 timer b_waited: serving_a -> excuse_to_a``."""
        at = self.at.strftime("%H:%M:%S")
        who = f" by {self.actor} ({self.role})" if self.role else ""
        move = f": {self.source} -> {self.target}" if self.source and self.target else ""
        what = {
            "start": "start",
            "call": f"call {self.procedure}",
            "return": f"return {self.event}",
            "cancel": f"cancel {self.procedure}",
        }.get(self.kind, f"{self.kind} {self.event}")
        text = f"{at} {'  ' * self.depth}{what}{who}{move}"
        if self.detail:
            text += f" [{self.detail}]"
        return text


_PLAIN = frozenset({str, int, bool, float, type(None)})
MAX_LIST_NESTING = 8
"""How deep lists in event data may nest: deeper is refused at the door, and in a restored journal."""


def json_problem(value: Any, depth: int = 0) -> str | None:
    """Why ``value`` cannot be journaled as JSON, or ``None`` if it can."""
    if value.__class__ is int and value not in INT_RANGE:
        return f"a whole number must fit in 64 bits (±{2**63 - 1:,})"
    if value is None or isinstance(value, (bool, int, Decimal, dt.date, dt.time)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "a number must be finite"
    if isinstance(value, str):
        if len(value) > MAX_VALUE_CHARS:
            return f"a text may be {MAX_VALUE_CHARS:,} characters long, found {len(value):,}"
        if "\0" in value:
            return "the text holds a NUL character, which no store keeps"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "the text is not valid Unicode (a lone surrogate)"
        return None
    if isinstance(value, (list, tuple)):
        if depth >= MAX_LIST_NESTING:
            return f"lists nest more than {MAX_LIST_NESTING} deep"
        if len(value) > MAX_LIST_ITEMS:
            return f"a list may hold {MAX_LIST_ITEMS:,} items, found {len(value):,}"
        return next((p for p in (json_problem(v, depth + 1) for v in value) if p is not None), None)
    return f"expected a JSON value (text, number, true/false, list), found {type(value).__name__}"


def jsonable(value: Any) -> Any:
    """The JSON form of a field value (money as a string, so no digit is lost)."""
    if value.__class__ in _PLAIN:
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)
