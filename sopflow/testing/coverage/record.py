"""What scenarios exercised, read from the journals their runs already keep.

A scenario run leaves a journal; every unit of coverage is something a journal entry
shows happening. Arrows are (state, trigger, target) as the explorer
(:mod:`sopflow.analysis.explore`) names the arrows it takes, so "the scenarios never take
this arrow" and "the explorer takes it" speak of the same arrow. Nothing is re-run and no
listener is attached: the runner hands over the journal once, when the run ends, and one
pass over it is all recording costs.

The universe — what *could* be covered — comes from each procedure's IR, so a state no
scenario reaches, an escalation no scenario tries, a promise no scenario lets lapse, all
show as missed rather than going unnoticed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sopflow.analysis.monitors import Monitor, monitors_of
from sopflow.compile import Procedure
from sopflow.library import Library
from sopflow.model import Occurrence
from sopflow.runtime import Entry
from sopflow.runtime.kernel import EVALUATION_ERRORS

Kind = Literal["states", "events", "arrows", "timers", "checklist", "promises", "properties"]
KINDS: tuple[Kind, ...] = get_args(Kind)
"""The kinds of unit, in the order every report lists them."""

Unit = tuple[str, ...]
"""One thing that can be covered, within its procedure and kind (see :data:`FIELDS`)."""

FIELDS: Mapping[Kind, tuple[str, ...]] = {
    "states": ("state",),
    "events": ("event",),
    "arrows": ("state", "trigger", "target"),
    "timers": ("timer",),
    "checklist": ("state", "item"),
    "promises": ("promise", "status"),
    "properties": ("property",),
}
"""What each position of a unit means; the JSON report writes a unit as an object with these keys."""

PROMISE_STATUSES = ("made", "kept", "missed")

_ENTERING = frozenset({"start", "fire", "timer", "call", "return", "migrate"})
"""Entry kinds whose target is a state just entered (a tick or a promise names the state it is in)."""


@dataclass(frozen=True)
class Universe:
    """Everything one procedure version offers to be covered, in the IR's order."""

    procedure: str
    version: int
    units: Mapping[Kind, tuple[Unit, ...]]
    monitors: tuple[Monitor, ...]
    """The procedure's declared properties, ready to match journal entries."""

    @classmethod
    def of(cls, procedure: Procedure) -> Universe:
        ir = procedure.ir
        units: dict[Kind, dict[Unit, None]] = {kind: {} for kind in KINDS}
        for name, state in ir.states.items():
            units["states"][(name,)] = None
            for event in state.events:
                units["events"][(event,)] = None
            for timer in state.timers:
                units["timers"][(timer.name,)] = None
            for way in (*state.events.values(), *state.timers, *state.returns.values()):
                for branch in way.branches:
                    units["arrows"][(name, way.trigger, branch.target)] = None
            for item in state.checklist:
                units["checklist"][(name, item.name)] = None
        for promise in ir.promises:
            units["promises"][(promise.name, "made")] = None
            if promise.kept:  # a promise nothing keeps can only be made and missed
                units["promises"][(promise.name, "kept")] = None
            units["promises"][(promise.name, "missed")] = None
        properties = procedure.resolved.spec.properties
        for name in properties:
            units["properties"][(name,)] = None
        return cls(
            procedure.id,
            procedure.version,
            {kind: tuple(found) for kind, found in units.items()},
            monitors_of(procedure.id, properties),
        )


Hit = tuple[str, Kind, Unit]
"""(procedure, kind, unit): one unit a run covered."""


class ScenarioCoverage:
    """Collects what scenario runs exercised, per procedure, for the reports.

    Give it to :func:`~sopflow.testing.run_scenario` (``coverage=``) for every run,
    then ask for :meth:`report`. Procedures a scenario called count for themselves:
    every journal entry names the procedure that took the step.
    """

    def __init__(self, library: Library) -> None:
        self.library = library
        self.hits: dict[Hit, set[str]] = {}
        """Every unit covered, with the scenarios whose runs covered it."""
        self.runs: dict[str, int] = {}
        """Procedure -> runs that exercised it (a scenario in two languages is two runs)."""
        self.scenarios: dict[str, set[str]] = {}
        """Procedure -> scenarios whose runs exercised it."""
        self.procedures: Mapping[str, Procedure] = {pid: library[pid] for pid in library}
        """The version of each procedure the reports describe: the library's."""
        self._universes: dict[str, Universe] = {}

    def universe(self, procedure_id: str) -> Universe:
        """The units of the library's version of ``procedure_id``, worked out once."""
        found = self._universes.get(procedure_id)
        if found is None:
            found = self._universes[procedure_id] = Universe.of(self.procedures[procedure_id])
        return found

    def dump(self) -> dict[str, Any]:
        """What was recorded, in plain lists and numbers: a pytest-xdist worker sends it to the controller."""
        return {
            "hits": [[pid, kind, list(unit), sorted(names)] for (pid, kind, unit), names in self.hits.items()],
            "runs": dict(self.runs),
            "scenarios": {pid: sorted(names) for pid, names in self.scenarios.items()},
        }

    def merge(self, dumped: Mapping[str, Any]) -> None:
        """Add what another process recorded (:meth:`dump`); procedures this library lacks are left out."""
        for pid, kind, unit, names in dumped.get("hits", ()):
            if pid in self.procedures:
                self.hits.setdefault((pid, kind, tuple(unit)), set()).update(names)
        for pid, count in dumped.get("runs", {}).items():
            if pid in self.procedures:
                self.runs[pid] = self.runs.get(pid, 0) + count
        for pid, names in dumped.get("scenarios", {}).items():
            if pid in self.procedures:
                self.scenarios.setdefault(pid, set()).update(names)

    def record(self, journal: Sequence[Entry], scenario: str) -> None:
        """Take in the journal of one run of ``scenario`` (a file path, as reports name it)."""
        hits = covered(journal, self.procedures)
        for procedure in {e.procedure for e in journal if e.procedure in self.procedures}:
            self.runs[procedure] = self.runs.get(procedure, 0) + 1
            self.scenarios.setdefault(procedure, set()).add(scenario)
            monitors = self.universe(procedure).monitors
            hits.update(
                (procedure, "properties", (m.name,)) for m in monitors if exercised(m, journal, self.procedures)
            )
        for hit in hits:
            found = self.hits.get(hit)
            if found is None:
                self.hits[hit] = {scenario}
            else:
                found.add(scenario)


def covered(journal: Iterable[Entry], procedures: Mapping[str, Procedure]) -> set[Hit]:
    """The units one run's journal shows happening (properties aside: they need the whole run).

    ``procedures`` are those the report describes, by id. Entries of other procedures, or
    written by another version, are left out: their names may mean something else there.
    """
    hits: set[Hit] = set()
    where: dict[int, tuple[Procedure, str]] = {}
    """Depth -> (procedure, state) of the frame running there."""
    event_call: dict[int, str] = {}
    """Depth -> the key of the call an event fired there makes next (``event:<name>``)."""
    calls: dict[int, str] = {}
    """Depth -> the key of the call that made the frame running there, for its return's trigger."""
    for e in journal:
        pid = e.procedure
        procedure = procedures.get(pid)
        if procedure is None or (e.version is not None and e.version != procedure.version):
            continue
        kind, target, depth = e.kind, e.target, e.depth
        if target is not None and kind in _ENTERING:
            hits.add((pid, "states", (target,)))
            where[depth] = (procedure, target)
        if kind == "fire":
            event = e.event or ""
            hits.add((pid, "events", (event,)))
            if e.source is not None and target is not None:
                hits.add((pid, "arrows", (e.source, event, target)))
                way = procedure.ir.states[e.source].events.get(event)
                if way is not None and way.call is not None:
                    event_call[depth] = way.call.key
        elif kind == "timer":
            if e.detail is None and e.source is not None and target is not None:  # a spent timer moved nothing
                hits.add((pid, "timers", (e.event or "",)))
                hits.add((pid, "arrows", (e.source, f"timer:{e.event}", target)))
        elif kind == "call":
            # An event's call is made right after its fire entry; otherwise the state just
            # entered makes it. The key names the return triggers of that call.
            key = event_call.pop(depth - 1, None)
            if key is None and depth - 1 in where:
                parent, state = where[depth - 1]
                call = parent.ir.states[state].call
                key = call.key if call is not None else None
            if key is not None:
                calls[depth] = key
        elif kind == "return":
            key = calls.pop(depth + 1, None)
            if key is not None and e.source is not None and target is not None:
                hits.add((pid, "arrows", (e.source, f"return:{key}:{e.event}", target)))
        elif kind == "cancel":
            calls.pop(depth, None)
        elif kind == "check":
            if e.source is not None and e.event is not None:
                hits.add((pid, "checklist", (e.source, e.event)))
        elif kind == "promise" and e.event is not None and e.detail in PROMISE_STATUSES:
            hits.add((pid, "promises", (e.event, e.detail)))
    return hits


def exercised(monitor: Monitor, journal: Sequence[Entry], procedures: Mapping[str, Procedure]) -> bool:
    """Whether one run passes through what the property is about (see docs/testing.md, "Coverage").

    ``first``/``then`` and ``after``/``eventually``: both, in that order. ``never``: what it
    forbids is attempted — done, or tried and refused — while its ``while`` condition holds
    (for a state, which is entered and never tried: the condition holds at some step).
    ``always_available``: the event is fired while the condition holds. ``only``: it is
    attempted, by anyone (done by a role it allows, or tried and refused). Whether the property
    *holds* is the explorer's question (:mod:`sopflow.analysis.verify`), not coverage's.
    """
    prop = monitor.prop
    pattern = prop.pattern
    if pattern in ("first", "after"):
        one, two = (prop.first, prop.then) if pattern == "first" else (prop.after, prop.eventually)
        # One entry can be both when an event enters a state: the event comes first.
        together = one is not None and two is not None and one.event is not None and two.event is None
        seen = False
        for e in journal:
            if monitor.matches(one, e):
                seen = True
                if together and monitor.matches(two, e):
                    return True
            elif seen and monitor.matches(two, e):
                return True
        return False
    if pattern == "only":
        return any(monitor.matches(prop.only, e) or _tried(prop.only, e) for e in journal)
    if pattern == "never" and prop.never is not None and prop.never.reached is not None:
        # Entering a state is never attempted, only done: a run meets such a property when its
        # condition holds somewhere on the way (and the state is, as it must be, not entered then).
        hits = iter(journal)
    elif pattern == "never":
        hits = (e for e in journal if monitor.matches(prop.never, e) or _tried(prop.never, e))
    else:
        event = prop.always_available
        hits = (e for e in journal if e.kind == "fire" and e.event == event and e.procedure == monitor.procedure)
    first = next(hits, None)
    if first is None:
        return False
    if monitor.condition is None:
        return True
    frames = _Frames(procedures)
    wanted = {first.seq, *(e.seq for e in hits)}
    for e in journal:
        frames.follow(e)
        if e.seq in wanted and frames.holds(monitor, e.depth):
            return True
    return False


class _Frames:
    """The state and data of each frame, followed entry by entry: what a ``while`` condition reads."""

    def __init__(self, procedures: Mapping[str, Procedure]) -> None:
        self.procedures = procedures
        self.states: dict[int, str] = {}
        self.data: dict[int, dict[str, Any]] = {}

    def follow(self, e: Entry) -> None:
        procedure = self.procedures.get(e.procedure)
        if procedure is None:
            return
        if e.kind in ("start", "call"):
            values = dict(procedure.defaults)
            for name, value in e.data.items():
                with contextlib.suppress(KeyError, ValueError, TypeError):
                    values[name] = procedure.coerce(name, value)
            self.data[e.depth] = values
        if e.changes:
            self.data.setdefault(e.depth, dict(procedure.defaults)).update(e.changes)
        if e.target is not None and e.kind in _ENTERING:
            self.states[e.depth] = e.target

    def holds(self, monitor: Monitor, depth: int) -> bool:
        """The condition on the frame at ``depth``, as it stands after the entry (as the explorer reads it)."""
        assert monitor.condition is not None
        try:
            return bool(monitor.condition({**self.data.get(depth, {}), "state": self.states.get(depth)}))
        except EVALUATION_ERRORS:
            return False


def _tried(occurrence: Occurrence | None, entry: Entry) -> bool:
    """A refused attempt at the occurrence's event (journaled in whichever frame was innermost)."""
    return (
        occurrence is not None
        and occurrence.event is not None
        and entry.kind == "refused"
        and entry.event == occurrence.event
    )
