"""The journal: every fire, refusal, timer, data change and call, in order.

Entries keep native values; :meth:`Entry.as_dict` gives the JSON form that
snapshots and log files store, and :meth:`Entry.redacted` hides personal data
before anything is shown or written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

EntryKind = Literal["start", "fire", "refused", "timer", "call", "return", "cancel"]
REDACTED = "***"
_EMPTY: Mapping[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing that happened to a session."""

    seq: int
    at: dt.datetime
    kind: EntryKind
    procedure: str
    depth: int
    """0 for the session itself, 1 for a procedure it called, and so on."""
    actor: str | None = None
    role: str | None = None
    event: str | None = None
    source: str | None = None
    target: str | None = None
    data: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    """The data the event carried (or the start data)."""
    changes: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    """Fields whose value this entry changed, with their new values."""
    detail: str | None = None
    """For a refusal: the error class and its message."""
    meta: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    """For the start entry: session id, procedure version, language, strict mode."""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "kind": self.kind,
            "procedure": self.procedure,
            "depth": self.depth,
        }
        for name in ("actor", "role", "event", "source", "target", "detail"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.data:
            out["data"] = {k: jsonable(v) for k, v in self.data.items()}
        if self.changes:
            out["changes"] = {k: jsonable(v) for k, v in self.changes.items()}
        if self.meta:
            out["meta"] = dict(self.meta)
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Entry:
        return cls(
            seq=int(raw["seq"]),
            at=dt.datetime.fromisoformat(raw["at"]),
            kind=raw["kind"],
            procedure=raw["procedure"],
            depth=int(raw.get("depth", 0)),
            actor=raw.get("actor"),
            role=raw.get("role"),
            event=raw.get("event"),
            source=raw.get("source"),
            target=raw.get("target"),
            data=dict(raw.get("data") or {}),
            changes=dict(raw.get("changes") or {}),
            detail=raw.get("detail"),
            meta=dict(raw.get("meta") or {}),
        )

    def redacted(self, private: frozenset[str] | set[str]) -> dict[str, Any]:
        """The JSON form with every private field's value replaced by ``***``."""
        out = self.as_dict()
        for part in ("data", "changes"):
            if part in out:
                out[part] = {k: (REDACTED if k in private and v is not None else v) for k, v in out[part].items()}
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


def jsonable(value: Any) -> Any:
    """The JSON form of a field value (money as a string, so no digit is lost)."""
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
