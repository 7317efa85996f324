"""Deviations as an auditor reads them: merged where two moves tell one story, cited at their state.

An alignment may explain an event done too early as two moves — the row skipped where it
was logged, the same event inserted where it belonged. Either way round, that is one
event out of order, reported once at the earlier position with that position's clause.
"""

from __future__ import annotations

from dataclasses import replace

from sopflow.analysis.conformance.result import Clause, Deviation
from sopflow.runtime.config import Frame, Move


def merged(path: list[Deviation]) -> list[Deviation]:
    """An event the log skipped and the same event inserted elsewhere are one event out of order.

    Kept at the earlier of the two positions, with that position's clause, whichever of
    the equally cheap alignments the search happened to find (see the module's note).
    """
    out = list(path)
    i = 0
    while i < len(out):
        d = out[i]
        if d.kind in ("order", "missing") and d.event is not None:
            other = "missing" if d.kind == "order" else "order"
            j = next((j for j in range(i + 1, len(out)) if out[j].kind == other and out[j].event == d.event), None)
            if j is not None:
                late = out[j]
                logged = d if d.kind == "order" else late
                message = (
                    f"'{d.event}' is out of order: the log has it at row {logged.index}, "
                    f"the procedure needs it at row {min(d.index, late.index)} ({d.clause.state})"
                )
                out[i] = Deviation(
                    d.case,
                    "order",
                    d.index,
                    d.at,
                    d.row,
                    message,
                    replace(d.clause, rule="order"),
                    logged.activity,
                    d.event,
                    logged.role,
                    d.allowed,
                    d.cost + late.cost,
                )
                del out[j]
        i += 1
    return out


def target_of(move: Move, event: str) -> str | None:
    """The state the move's ``event`` went to."""
    for entry in move.entries:
        if entry.kind == "fire" and entry.event == event:
            return entry.target
    return None


def clause_at(frame: Frame, rule: str) -> Clause:
    """The clause of the state ``frame`` stands in (or of its procedure, if the state cites nothing)."""
    here = frame.here
    return Clause.of(frame.procedure.id, frame.state, here.source or frame.procedure.source, rule)


def spoken(seconds: float | None) -> str:
    """A timer's wait for people, when its author gave no words for it."""
    if seconds is None:
        return "its wait"
    minutes = int(seconds // 60)
    return f"{minutes} min" if minutes else f"{int(seconds)} s"
