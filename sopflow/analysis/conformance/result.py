"""What checking one case finds: deviations, each tied to the SOP clause it breaks.

An auditor reads a deviation as "case 1042, row 5, 14:02: the slip was handed out
before the owner was called — 標準3 場景五 L131-132 says the owner is called first".
So each carries the position in the log, what the log did, what the procedure allowed
there (events with the roles that may fire them), and the clause: the citation of the
state (document, section, lines) and the rule broken (order, a guard, an invariant, a
role, a promise or timer).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from sopflow.model import Citation

Kind = Literal["order", "missing", "role", "data", "time"]
KINDS: tuple[Kind, ...] = ("order", "missing", "role", "data", "time")


@dataclass(frozen=True, slots=True)
class Clause:
    """The SOP text a deviation breaks: where it is written, and which rule of it."""

    procedure: str
    state: str
    document: str | None
    section: str | None
    lines: str | None
    rule: str
    """``order``, ``step``, ``role: a, b``, ``guard: <text>``, ``invariant <name>: <text>``,
    ``promise <name>: <wait>`` or ``timer <name>: <wait>``."""

    @classmethod
    def of(cls, procedure: str, state: str, citation: Citation | None, rule: str) -> Clause:
        if citation is None:
            return cls(procedure, state, None, None, None, rule)
        return cls(procedure, state, citation.document, citation.section, citation.lines, rule)

    @property
    def where(self) -> str:
        """The citation as people quote it: ``000 標準3 場景五 租戶放行 L127``."""
        if self.document is None:
            return f"{self.procedure} {self.state} (no citation)"
        lines = f" L{self.lines}" if self.lines else ""
        return f"{self.document} {self.section}{lines}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "procedure": self.procedure,
            "state": self.state,
            "document": self.document,
            "section": self.section,
            "lines": self.lines,
            "rule": self.rule,
        }


@dataclass(frozen=True, slots=True)
class Deviation:
    """One way a case departs from its procedure, at one position of the log."""

    case: str
    kind: Kind
    index: int
    """Position in the case's rows (0 is the first); a missing step sits before the row at ``index``."""
    at: dt.datetime
    row: int | None
    """The log's line (CSV, JSON Lines) or event number (XES); ``None`` for a step the log lacks."""
    message: str
    clause: Clause
    activity: str | None = None
    """What the log recorded, in its own words."""
    event: str | None = None
    role: str | None = None
    allowed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """What the procedure allowed there: (event, roles that may fire it)."""
    cost: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "kind": self.kind,
            "index": self.index,
            "at": self.at.isoformat(),
            "row": self.row,
            "activity": self.activity,
            "event": self.event,
            "role": self.role,
            "message": self.message,
            "allowed": [{"event": e, "roles": list(r)} for e, r in self.allowed],
            "clause": self.clause.as_dict(),
            "cost": self.cost,
        }


@dataclass(slots=True)
class CaseResult:
    """One case checked: fitting or not, its alignment's cost, and its deviations in log order."""

    case: str
    procedure: str
    events: int
    deviations: list[Deviation] = field(default_factory=list)
    cost: int = 0
    """Moves of the minimal alignment that are not synchronous (plus promises missed)."""
    aligned: bool = True
    """False when the search hit its bound: the deviations are those of the best partial alignment."""
    outcome: str | None = None

    @property
    def fitting(self) -> bool:
        return not self.deviations

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "procedure": self.procedure,
            "events": self.events,
            "fitting": self.fitting,
            "cost": self.cost,
            "aligned": self.aligned,
            "outcome": self.outcome,
            "deviations": [d.as_dict() for d in self.deviations],
        }
