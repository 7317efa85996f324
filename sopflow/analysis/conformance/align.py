"""The fewest changes that make a case fit: a shortest-path search over (position, configuration).

Reporting only the first refusal would let one early slip hide everything after it, and
replaying on regardless would report every later event as wrong. An alignment instead
finds the cheapest explanation of the whole case. From each node — how far into the log,
and the kernel's configuration — the moves are:

* synchronous: the logged event, stepped by the kernel at its timestamp (cost 0, plus 1
  for each promise missed on the way: a ``time`` deviation);
* the logged event with a repair of one kind (cost 1): by a role allowed to fire it
  (``role``), with the data its guards would have needed or past the invariant it breaks
  (``data``), or at the previous event's time, before a timer moved the procedure on (``time``);
* a log move: the event skipped, as if it had not happened (cost 1, ``order``);
* a model move: an event the procedure allowed there, inserted (cost 1, ``missing``).

An escalation (a policy event) is never inserted: one the log does not show did not happen.
A case opened by a role the procedure lacks, or with start data it refuses, costs 1 and is
aligned from a start the procedure takes.

Every move is a call to :func:`sopflow.runtime.kernel.step` (through :class:`.memo.Steps`,
which remembers steps when no clock can matter); nothing here knows a rule. Dijkstra's
search finds a cheapest alignment; among equally cheap ones it prefers fewer skipped rows
(it believes the log), then the furthest position. It is bounded by ``limit`` nodes
expanded, and a case that hits the bound says so.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from sopflow.analysis.conformance.explain import clause_at, merged, spoken, target_of
from sopflow.analysis.conformance.memo import Steps
from sopflow.analysis.conformance.replay import (
    LogEvent,
    Trace,
    Vocabulary,
    begin,
    owner,
    roles_for,
    trigger,
)
from sopflow.analysis.conformance.result import CaseResult, Clause, Deviation, Kind
from sopflow.analysis.domains import field_domains
from sopflow.compile import Procedure, WayIR
from sopflow.errors import (
    EventNotAllowed,
    InvariantViolated,
    RoleNotAllowed,
    SessionFinished,
    SopflowError,
)
from sopflow.runtime import kernel
from sopflow.runtime.config import Check, Configuration, Fire, Frame, Move, Tick

LIMIT = 20_000
"""Nodes a case's search may expand before it settles for its best partial alignment."""
COMBINATIONS = 16
"""Data combinations tried per inserted event or data repair."""


Found = tuple[Deviation, ...] | Callable[[], tuple[Deviation, ...]]
"""A move's deviations, or a call that writes them: most moves a search tries are never on the
path it settles for, and a deviation's message and clause cost more to write than the move."""


def _after(lost: tuple[Deviation, ...], found: Callable[[], tuple[Deviation, ...]]) -> tuple[Deviation, ...]:
    return (*lost, *found())


def _later(write: Callable[..., Deviation], *args: Any) -> Callable[[], tuple[Deviation, ...]]:
    return functools.partial(_one, write, *args)


def _one(write: Callable[..., Deviation], *args: Any) -> tuple[Deviation, ...]:
    return (write(*args),)


class _Node(NamedTuple):
    at: int
    """How many of the case's events are behind."""
    config: Configuration
    cost: tuple[int, int]
    """(deviations, of which rows skipped): among equally cheap alignments, the one that believes more of the log."""
    parent: int | None
    found: Found
    """The deviations of the move that reached this node, or how to write them (see :data:`Found`)."""


class Aligner:
    """Aligns cases of one procedure; keeps the field domains it tries between cases."""

    def __init__(self, words: Vocabulary, steps: Steps, *, complete: bool = True, limit: int = LIMIT) -> None:
        self.words = words
        self.steps = steps
        self._offered: dict[tuple[Any, ...], list[tuple[Configuration, Frame, str]]] = {}
        self._offered_events: dict[tuple[Any, ...], tuple[tuple[str, tuple[str, ...]], ...]] = {}
        self.complete = complete
        self.limit = limit
        self.read = words.read
        """Fields a guard, invariant or call reads: the data a message about a guard shows."""

    def _key(self, config: Configuration) -> tuple[Any, ...]:
        return self.steps.key(config)

    def _allowed(self, frames: Sequence[Frame]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Events offered where the frames stand, with their roles; it depends on the states alone."""
        k = (frames[0].outcome, *((f.procedure.id, f.state) for f in frames))
        found = self._offered_events.get(k)
        if found is None:
            out = []
            for name in kernel.allowed(tuple(frames)):
                owned = owner(tuple(frames), name)
                if owned is not None:
                    out.append((name, roles_for(*owned)))
            found = self._offered_events[k] = tuple(out)
        return found

    def align(self, trace: Trace) -> CaseResult:
        """The case's cheapest alignment (see the module's note), as deviations in log order."""
        if not self.steps.timeless or len(self._offered) > 50_000:
            self._offered = {}
        return self._align(trace)

    def _align(self, trace: Trace) -> CaseResult:
        result = CaseResult(trace.case, trace.procedure.id, trace.rows)
        procedure = trace.procedure
        opened: tuple[Deviation, ...] = ()
        if trace.role not in procedure.roles:
            # Opened by someone the procedure has no role for: a role deviation, then the case as if
            # the first state's role had opened it.
            initial = procedure.ir.states[procedure.ir.initial]
            role = initial.role or next(iter(procedure.roles), "")
            clause = Clause.of(procedure.id, procedure.ir.initial, initial.source or procedure.source, f"role: {role}")
            message = f"the case was opened by role '{trace.role}', which '{procedure.id}' does not have"
            opened = (Deviation(trace.case, "role", 0, trace.at, None, message, clause, None, None, trace.role),)
            trace = trace._replace(role=role)
        try:
            first = begin(trace)
        except SopflowError as exc:
            # Start data the procedure refuses: a data deviation, then the case started on data it takes.
            clause = Clause.of(procedure.id, procedure.ir.initial, procedure.source, "start data")
            message = f"the case cannot start as logged: {getattr(exc, 'message', str(exc))}"
            opened = (*opened, Deviation(trace.case, "data", 0, trace.at, None, message, clause))
            try:
                first = begin(trace._replace(data=self._start_data(procedure, trace.data)))
            except SopflowError:
                result.deviations = list(opened)
                result.cost = len(opened)
                result.aligned = False
                return result
        events = trace.events
        nodes: list[_Node] = [_Node(0, first.config, (len(opened), 0), None, opened)]
        best: dict[tuple[int, Any], tuple[int, int]] = {(0, self._key(first.config)): nodes[0].cost}
        counter = itertools.count()
        # A node is expanded in two goes: first the moves that may cost nothing, then (queued at
        # its cost + 1, a bound on what they cost) all the others. Most nodes of a case that
        # deviates once are on its cheap path and never need the second go: partial expansion,
        # which still pops every node in the order of its cost.
        heap: list[tuple[tuple[int, int], int, int, int, bool]] = [(nodes[0].cost, 0, next(counter), 0, True)]
        expanded = 0
        furthest = 0
        goal: int | None = None
        while heap:
            _, _, _, current, cheap = heapq.heappop(heap)
            node = nodes[current]
            cost = node.cost
            if best.get((node.at, self._key(node.config)), cost) < cost:
                continue
            if cheap:
                if node.at > nodes[furthest].at:
                    furthest = current
                if node.at == len(events) and (not self.complete or node.config.frames[0].outcome is not None):
                    goal = current
                    break
                expanded += 1
                if expanded > self.limit:
                    break
                heapq.heappush(heap, ((cost[0] + 1, cost[1]), -node.at, next(counter), current, False))
            for config, step_cost, index, found in self._moves(trace, node, cheap):
                skipped = index > node.at and config is node.config
                total = (cost[0] + step_cost, cost[1] + skipped)
                k = (index, self._key(config))
                known = best.get(k)
                if known is not None and known <= total:
                    continue
                best[k] = total
                nodes.append(_Node(index, config, total, current, found))
                heapq.heappush(heap, (total, -index, next(counter), len(nodes) - 1, True))
        end = goal if goal is not None else furthest
        result.aligned = goal is not None
        path: list[Deviation] = []
        walk: int | None = end
        while walk is not None:
            written = nodes[walk].found
            path[:0] = written() if callable(written) else written
            walk = nodes[walk].parent
        if goal is None:
            for event in events[nodes[end].at :]:
                path.append(self._skipped(trace, nodes[end].config, event, "the search stopped before this row"))
        result.deviations = merged(path)
        result.cost = sum(d.cost for d in path)
        result.outcome = nodes[end].config.frames[0].outcome
        return result

    # -- moves ----------------------------------------------------------------------------------

    def _moves(self, trace: Trace, node: _Node, cheap: bool) -> Iterator[tuple[Configuration, int, int, Found]]:
        """The node's moves: ``cheap``, those that may cost nothing (the row as logged, time
        passing after the last row); otherwise every other move, each costing at least 1."""
        events = trace.events
        config = node.config
        i = node.at
        now = events[i - 1].at if i else trace.at
        base: Configuration = config
        lost: tuple[Deviation, ...] = ()
        if cheap:
            if i < len(events):
                event = events[i]
                if any(f.deadlines or f.promises for f in config.frames):
                    base = self.steps.step(config, Tick(event.at), strict=True).config
                move = self.steps.step(config, trigger(base, event), strict=True)
                if move.refusal is None:
                    missed_too = self._missed(trace, config, move, event)
                    yield move.config, len(missed_too), i + 1, missed_too
            elif config.frames[0].outcome is None:
                yield from self._waited(trace, config, i)
            return
        if i < len(events):
            event = events[i]
            # What stands when the row comes: timers and promises due by its time have run.
            if any(f.deadlines or f.promises for f in config.frames):
                seen = self.steps.step(config, Tick(event.at), strict=True)
                base, lost = seen.config, self._missed(trace, config, seen, event)
            move = self.steps.step(config, trigger(base, event), strict=True)
            if move.refusal is not None:
                yield from self._repairs(trace, config, base, i, move, now)
            if event.kind == "fire":
                yield from self._rerouted(trace, config, base, i, move)
            if event.kind != "tick":
                reason = move.refusal.message if move.refusal is not None else "the procedure did not need it here"
                yield config, 1, i + 1, _later(self._skipped, trace, base, event, reason)
        # A step the log lacks happened right after the previous row, or (when timers fell due
        # in between) just before the next one.
        inserted: set[Any] = set()
        if config.frames[0].outcome is None:
            for after, found in self._inserted(trace, config, i, now):
                k = self._key(after)
                if k not in inserted:
                    inserted.add(k)
                    yield after, 1, i, found
        if base is not config and base.frames[0].outcome is None:
            for after, found in self._inserted(trace, base, i, events[i].at):
                k = self._key(after)
                if k not in inserted:
                    inserted.add(k)
                    yield after, 1 + len(lost), i, functools.partial(_after, lost, found)

    def _repairs(
        self,
        trace: Trace,
        config: Configuration,
        view: Configuration,
        position: int,
        refused: Move,
        now: dt.datetime,
    ) -> Iterator[tuple[Configuration, int, int, tuple[Deviation, ...]]]:
        """The logged event, repaired in one way: role, invariant, or time.

        ``view`` is ``config`` once time has come to the row: where the event was tried.
        """
        refusal = refused.refusal
        event = trace.events[position]
        if isinstance(refusal, (EventNotAllowed, SessionFinished, RoleNotAllowed)) and event.at > now:
            moved = self.steps.step(config, Tick(event.at), strict=True)
            timers = [e for e in moved.entries if e.kind == "timer"]
            if timers:
                move = self.steps.step(config, trigger(config, event, now), strict=True)
                if move.refusal is None:
                    first = timers[0]
                    frame = config.frames[min(first.depth, len(config.frames) - 1)]
                    timer = next((t for t in frame.here.timers if t.name == first.event), None)
                    wait = timer.wait if timer is not None and timer.wait else spoken(timer.delay if timer else None)
                    clause = clause_at(frame, f"timer {first.event}: {wait}")
                    message = (
                        f"'{event.name}' came at {event.at:%Y-%m-%d %H:%M}, after timer '{first.event}' ({wait}) "
                        f"fell due at {first.at:%Y-%m-%d %H:%M} in '{frame.state}'"
                    )
                    dev = self._deviation(trace, config, event, "time", message, clause)
                    yield move.config, 1, position + 1, (dev,)

        if isinstance(refusal, RoleNotAllowed) and event.kind == "fire":
            found = owner(view.frames, event.name)
            if found is not None:
                frame, way = found
                roles = roles_for(frame, way)
                move = self.steps.step(
                    config, Fire(event.name, roles[0], event.at, event.actor, event.data), strict=True
                )
                if move.refusal is None:
                    clause = clause_at(frame, f"role: {', '.join(roles)}")
                    message = (
                        f"'{event.name}' was done by role '{event.role}'; the procedure gives it to {', '.join(roles)}"
                    )
                    dev = self._deviation(trace, view, event, "role", message, clause)
                    lost = self._missed(trace, config, move, event)
                    yield move.config, 1 + len(lost), position + 1, (dev, *lost)
        if isinstance(refusal, InvariantViolated):
            move = self.steps.step(config, trigger(config, event), strict=False)
            if move.refusal is None:
                frame = view.frames[-1]
                found = owner(view.frames, event.name)
                if found is not None:
                    frame = found[0]
                name = refusal.message.split("invariant '", 1)[-1].split("'", 1)[0]
                text = next((t for n, t, _ in frame.procedure.invariants if n == name), "")
                clause = clause_at(frame, f"invariant {name}: {text}")
                message = f"'{event.name}' breaks invariant '{name}' ({text}) with the data the log shows"
                dev = self._deviation(trace, view, event, "data", message, clause)
                lost = self._missed(trace, config, move, event)
                yield move.config, 1 + len(lost), position + 1, (dev, *lost)

    def _rerouted(
        self, trace: Trace, config: Configuration, view: Configuration, position: int, logged: Move
    ) -> Iterator[tuple[Configuration, int, int, tuple[Deviation, ...]]]:
        """The logged event with data its guards would need to go where the log went next."""
        event = trace.events[position]
        found = owner(view.frames, event.name)
        if found is None:
            return
        frame, way = found
        if len(way.branches) < 2 and (logged.refusal is None or isinstance(logged.refusal, EventNotAllowed)):
            return
        went = target_of(logged, event.name)
        seen = {self._key(logged.config)} if logged.refusal is None else set()
        for data in self._combinations(frame.procedure, way, event.data):
            move = self.steps.step(
                config,
                Fire(event.name, event.role or roles_for(frame, way)[0], event.at, event.actor, data),
                strict=True,
            )
            if move.refusal is not None:
                continue
            target = target_of(move, event.name)
            k = self._key(move.config)
            if k in seen:
                continue
            seen.add(k)
            guards = [b.guard_text for b in way.branches if b.guard_text]
            rule = f"guard: {guards[0]}" if guards else "data"
            if logged.refusal is not None:
                reason = logged.refusal.message
            else:
                reason = f"with the data the log shows, the procedure goes to '{went}', not '{target}'"
            shown = self.words.redacted({k: v for k, v in event.data.items() if k in self.read})
            message = f"'{event.name}' with {shown or 'no data'}: {reason}"
            dev = self._deviation(trace, view, event, "data", message, clause_at(frame, rule))
            lost = self._missed(trace, config, move, event)
            yield move.config, 1 + len(lost), position + 1, (dev, *lost)

    def _inserted(
        self, trace: Trace, config: Configuration, i: int, at: dt.datetime
    ) -> Iterator[tuple[Configuration, Callable[[], tuple[Deviation, ...]]]]:
        """Model moves: each event (and checklist item) the procedure offers, done at ``at``."""
        index = trace.events[i].position if i < len(trace.events) else trace.rows
        for after, frame, name in self._offers(config, at):
            yield after, _later(self._missing, trace, config, frame, name, index, at)

    def _offers(self, config: Configuration, at: dt.datetime) -> list[tuple[Configuration, Frame, str]]:
        """What each offered event (and item) does from ``config``; the same for every row when no clock runs."""
        frames = config.frames
        timeless = not any(f.deadlines or f.promises for f in frames)
        k = self._key(config) if timeless else None
        if k is not None and k in self._offered:
            return self._offered[k]
        found: list[tuple[Configuration, Frame, str]] = []
        seen: set[Any] = set()
        for name in kernel.allowed(frames):
            owned = owner(frames, name)
            if owned is None:
                continue
            frame, way = owned
            if way.kind == "policy":
                continue  # an escalation the log does not show did not happen: never an explanation
            role = roles_for(frame, way)[0]
            for data in self._combinations(frame.procedure, way, {}, every=True):
                move = self.steps.step(config, Fire(name, role, at, None, data), strict=True)
                if move.refusal is not None:
                    continue
                after = self._key(move.config)
                if after in seen:
                    continue
                seen.add(after)
                found.append((move.config, frame, name))
        current = frames[-1]
        for item in current.here.checklist:
            if item.name in current.ticked:
                continue
            role = current.here.role or next(iter(current.procedure.roles), "")
            move = self.steps.step(config, Check(item.name, role, at), strict=True)
            if move.refusal is None:
                found.append((move.config, current, item.name))
        if k is not None:
            self._offered[k] = found
        return found

    def _waited(
        self, trace: Trace, config: Configuration, i: int
    ) -> Iterator[tuple[Configuration, int, int, tuple[Deviation, ...]]]:
        """After the last row, time may pass until the next timer: the procedure moves by itself."""
        deadlines = [d for f in config.frames for d in f.deadlines.values()]
        if not deadlines:
            return
        move = self.steps.step(config, Tick(min(deadlines)), strict=True)
        if move.refusal is None and move.entries:
            last = trace.events[-1] if trace.events else None
            lost = self._missed(trace, config, move, last)
            yield move.config, len(lost), i, lost

    # -- deviations -----------------------------------------------------------------------------

    def _skipped(self, trace: Trace, config: Configuration, event: LogEvent, reason: str) -> Deviation:
        frame = config.frames[-1]
        found = owner(config.frames, event.name)
        kind: Kind = "order"
        rule = "order"
        if config.frames[0].outcome is not None:
            message = f"'{event.name}' after the procedure ended ({config.frames[0].outcome})"
        elif found is None:
            message = f"'{event.name}' is not allowed in '{frame.state}'"
        else:
            frame = found[0]
            message = f"'{event.name}' was recorded but does not fit here: {reason}"
        return self._deviation(trace, config, event, kind, message, clause_at(frame, rule))

    def _missing(
        self, trace: Trace, config: Configuration, frame: Frame, name: str, index: int, now: dt.datetime
    ) -> Deviation:
        message = f"'{name}' is required in '{frame.state}' but the log does not show it"
        clause = clause_at(frame, "step")
        return Deviation(
            trace.case, "missing", index, now, None, message, clause, None, name, None, self._allowed(config.frames)
        )

    def _missed(self, trace: Trace, config: Configuration, move: Move, event: LogEvent | None) -> tuple[Deviation, ...]:
        found: list[Deviation] = []
        for entry in move.entries:
            if entry.kind != "promise" or entry.detail != "missed":
                continue
            frames = config.frames
            frame = frames[min(entry.depth, len(frames) - 1)]
            promise = next((p for p in frame.procedure.ir.promises if p.name == entry.event), None)
            wait = promise.wait if promise is not None else "?"
            citation = promise.source if promise is not None and promise.source else frame.here.source
            clause = Clause.of(
                frame.procedure.id, entry.source or frame.state, citation, f"promise {entry.event}: {wait}"
            )
            message = f"promise '{entry.event}' ({wait}) was missed at {entry.at:%Y-%m-%d %H:%M}"
            if event is not None:
                message += f"; the log's next step came at {event.at:%Y-%m-%d %H:%M}"
            index = event.position if event is not None else trace.rows
            found.append(
                Deviation(
                    trace.case,
                    "time",
                    index,
                    entry.at,
                    event.row if event else None,
                    message,
                    clause,
                    event.activity if event else None,
                    event.name if event else None,
                    None,
                    self._allowed(frames),
                )
            )
        return tuple(found)

    def _deviation(
        self, trace: Trace, config: Configuration, event: LogEvent, kind: Kind, message: str, clause: Clause
    ) -> Deviation:
        return Deviation(
            trace.case,
            kind,
            event.position,
            event.at,
            event.row,
            message,
            clause,
            event.activity,
            event.name,
            event.role,
            self._allowed(config.frames),
        )

    def _start_data(self, procedure: Procedure, given: Mapping[str, Any]) -> dict[str, Any]:
        """The logged start data the procedure takes, with each missing required field given a value it takes."""
        data = {}
        for name, value in given.items():
            try:
                if name in procedure.fields:
                    procedure.coerce(name, value)
                    data[name] = value
            except ValueError:
                continue
        domains = field_domains(procedure)
        for name, required in procedure.start_data:
            if required and data.get(name) is None:
                data[name] = domains.get(name, ["x"])[0]
        return data

    def _combinations(
        self, procedure: Procedure, way: WayIR, given: Mapping[str, Any], every: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Data for ``way``: what was given, with each field the procedure's guards tell apart tried in turn.

        ``every``: optional fields too (an inserted event may have to bring what its state requires).
        """
        domains = field_domains(procedure)
        names = [n for n, required in way.data if every or required or n in given]
        choices = [domains.get(n, ["x"]) for n in names]
        for count, values in enumerate(itertools.product(*choices)):
            if count >= COMBINATIONS:
                return
            data = dict(given)
            data.update(zip(names, values, strict=True))
            yield data
