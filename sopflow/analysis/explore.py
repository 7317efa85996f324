"""Exhaustive exploration: every configuration a procedure can reach, on the step kernel itself.

Model checking a procedure means asking every question of every reachable situation,
not of the few a person thought to test. The explorer starts the procedure with each
combination of start data worth trying (:mod:`sopflow.analysis.domains`), then from each
configuration tries every event the rules allow — by every role allowed, with each
combination of event data its guards can tell apart — every checklist item, every
running timer that may fire next and every running promise that may be missed. It steps
with :func:`sopflow.runtime.kernel.step`, the same rules sessions and replay use, so what
it proves is about the procedure that runs, not a model of it.

Time is abstract: each move happens at one fixed instant, and the explorer decides which
timer fires next. Within one running procedure the shortest elapsed timer of a state
always fires before the longer ones, as in real time; timers counted on the calendar,
and timers of different frames, may fire in any order. Configurations are compared
without their deadlines or journal length, so a loop through the same states is one
configuration, and exploration ends.

It is bounded twice: past ``limit`` configurations, or ``budget`` kernel steps, it stops
and says so, with the figures so far; nothing it reports is then claimed for the whole
space. The second bound is for procedures whose few configurations each offer hundreds
of moves (many events, each with many data combinations): a 260-line file of that shape
took 7 million steps, minutes, from 4,433 configurations.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from sopflow.analysis.args import count_arg, procedure_arg
from sopflow.analysis.domains import ABSENT, bounds, field_domains, relevant_fields
from sopflow.analysis.hashable import frozen
from sopflow.analysis.monitors import IDLE, Monitor, monitors_of, named
from sopflow.compile import Procedure, WayIR
from sopflow.errors import SopflowError
from sopflow.model import Property
from sopflow.runtime.config import Check, Configuration, Fire, Frame, Move, Tick
from sopflow.runtime.journal import Entry
from sopflow.runtime.kernel import EVALUATION_ERRORS, allowed, start, step

NOW = dt.datetime(2026, 3, 2, 3, 17, 31, tzinfo=dt.timezone(dt.timedelta(hours=8)))
"""The instant every explored move happens at: one no moment of the day ("08:30") falls on, so a
timer started at it is never due at once and only runs out when the explorer chooses it."""
FAR = NOW + dt.timedelta(days=36500)
"""Where deadlines are parked: a timer fires only when the explorer chooses it."""
MAX_COMBINATIONS = 64
"""Event data combinations tried per event before falling back to one field at a time."""
_SEEN_DATA = 65_536
"""Data mappings whose keys are remembered at once (see ``_Relevant``); past it they start afresh."""
BUDGET = 1_000_000
"""Kernel steps after which an exploration stops, once the configuration it is on is done (about
20 s here); exploring the whole bundled library takes 24,000."""

ActionKind = Literal["start", "fire", "check", "timer", "miss"]


class Action(NamedTuple):
    """One move of the exploration, enough to replay it as a scenario step."""

    kind: ActionKind
    name: str
    """The event, checklist item, timer trigger (``timer:x``) or promise; the procedure for the start."""
    role: str | None = None
    data: tuple[tuple[str, Any], ...] = ()
    depth: int = 0
    """For a timer or promise: the frame it runs in (0 the session, 1 a procedure it called)."""

    def payload(self) -> dict[str, Any]:
        """The data as a host sends it (lists are kept as tuples inside an action, to be hashable)."""
        return _thawed(self.data)

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.data)
        if self.kind == "start":
            return f"start {self.name} as {self.role}" + (f" with {shown}" if shown else "")
        if self.kind == "fire":
            return f"{self.role} fires {self.name}" + (f" with {shown}" if shown else "")
        if self.kind == "check":
            return f"{self.role} ticks {self.name}"
        if self.kind == "timer":
            return f"timer {self.name.removeprefix('timer:')} runs out"
        return f"promise {self.name} is missed"


class Node(NamedTuple):
    """A configuration reached, and how it was first reached (the shortest way, breadth first)."""

    config: Configuration
    parent: int | None
    action: Action
    depth: int
    watch: tuple[int, ...] = ()
    """The state of each property's monitor."""


@dataclass
class StateSpace:
    """Every configuration reached, the moves between them, and what the moves covered."""

    procedure: Procedure
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)
    """(from, to) node indexes of every move that changed the configuration."""
    moves: list[tuple[int, int, Action, frozenset[tuple[str, str, str, str]]]] = field(default_factory=list)
    """Every move taken, stays included: (from, to, action, the arrows it took)."""
    refused: int = 0
    steps: int = 0
    """Kernel steps taken, refused ones included: the explorer's unit of work."""
    stopped_by: Literal["configurations", "steps"] | None = None
    """Which bound stopped it before every configuration was seen: ``limit`` configurations, or
    the ``budget`` of kernel steps; None when it saw everything."""
    taken_sets: dict[frozenset[tuple[str, str, str, str]], frozenset[tuple[str, str, str, str]]] = field(
        default_factory=dict, repr=False
    )
    """Each distinct set of arrows a move took, kept once and shared by the moves that took it."""
    frontier: set[int] = field(default_factory=set)
    """Configurations not all of whose moves were followed, because a bound stopped them: no
    claim that a session is stuck there, or cannot finish from there, can be made."""
    states: set[tuple[str, str]] = field(default_factory=set)
    """(procedure, IR state) entered."""
    arrows: set[tuple[str, str, str, str]] = field(default_factory=set)
    """(procedure, state, trigger, target) of every move taken."""
    fired: set[tuple[str, str]] = field(default_factory=set)
    """(procedure, event or timer trigger) that moved a session."""
    roles: set[tuple[str, str]] = field(default_factory=set)
    """(procedure, role) that fired an event or ticked an item."""
    promises: set[tuple[str, str, str]] = field(default_factory=set)
    """(procedure, promise, made|kept|missed) seen."""
    failures: list[tuple[int, Action, str]] = field(default_factory=list)
    """Moves the kernel could not take for a reason other than a refusal (should be none)."""
    monitors: tuple[Monitor, ...] = ()
    broken: dict[str, tuple[int, Action]] = field(default_factory=dict)
    """Property -> (node before, move) of the first move found to break it: the shortest way."""

    @property
    def complete(self) -> bool:
        """Every reachable configuration was seen and every move from it followed."""
        return self.stopped_by is None

    @property
    def transitions(self) -> int:
        return len(self.edges)

    @property
    def depth(self) -> int:
        return max((n.depth for n in self.nodes), default=0)

    def path(self, index: int) -> list[Action]:
        """The actions from the start to node ``index``, shortest first found."""
        actions: list[Action] = []
        at: int | None = index
        while at is not None:
            node = self.nodes[at]
            actions.append(node.action)
            at = node.parent
        return actions[::-1]


def key(config: Configuration, relevant: _Relevant) -> tuple[Any, ...]:
    """A configuration without what cannot change its future: deadlines' times, journal length, idle data."""
    return tuple(
        [
            (
                f.procedure.id,
                f.procedure.version,
                f.state,
                relevant.data(f),
                tuple(sorted(f.deadlines)) if f.deadlines else (),
                f.outcome,
                f.call,
                tuple(sorted(f.promises)) if f.promises else (),
                f.ticked,
            )
            for f in config.frames
        ]
    )


def _thawed(data: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data}


def _parked(config: Configuration) -> Configuration:
    frames = tuple(
        f._replace(
            deadlines=dict.fromkeys(f.deadlines, FAR) if f.deadlines else f.deadlines,
            promises=dict.fromkeys(f.promises, FAR) if f.promises else f.promises,
        )
        if f.deadlines or f.promises
        else f
        for f in config.frames
    )
    return Configuration(config.session, frames, 0)


def explore(
    procedure: Procedure,
    *,
    limit: int = 100_000,
    properties: Mapping[str, Property] | None = None,
    budget: int = BUDGET,
) -> StateSpace:
    """Breadth-first over every reachable configuration, up to ``limit`` of them and ``budget`` kernel steps.

    ``properties`` (default: the procedure's own) are watched on every move.
    """
    procedure_arg(procedure)
    count_arg("limit", limit)
    count_arg("budget", budget)
    watched = properties if properties is not None else procedure.resolved.spec.properties
    space = StateSpace(procedure, monitors=monitors_of(procedure.id, watched))
    domains = _Domains()
    relevant = _Relevant()
    seen: dict[tuple[Any, ...], int] = {}
    queue: deque[int] = deque()

    def reach(move: Move, parent: int | None, action: Action, depth: int) -> None:
        # Deadlines are parked only for a configuration not seen before: neither the key nor a
        # monitor reads their times, and most moves lead somewhere already seen.
        config = move.config
        watch = space.nodes[parent].watch if parent is not None else (IDLE,) * len(space.monitors)
        if space.monitors:
            states = []
            names = named(move.entries)
            for monitor, state in zip(space.monitors, watch, strict=True):
                if monitor.words.isdisjoint(names):  # nothing it speaks of happened
                    states.append(state)
                    continue
                state, broken = monitor.advance(state, move.entries, config)
                states.append(state)
                if broken and monitor.name not in space.broken and parent is not None:
                    space.broken[monitor.name] = (parent, action)
            watch = tuple(states)
        k = (key(config, relevant), watch)
        found = seen.get(k)
        if found is None:
            if len(space.nodes) >= limit:
                space.stopped_by = "configurations"
                if parent is not None:
                    space.frontier.add(parent)
                return
            found = seen[k] = len(space.nodes)
            space.nodes.append(Node(_parked(config), parent, action, depth, watch))
            queue.append(found)
        if parent is not None and found != parent:
            space.edges.append((parent, found))
        taken = _cover(space, move.entries)
        if parent is not None:
            space.moves.append((parent, found, action, taken))

    for action in _starts(procedure):
        try:
            move = start(procedure, session="explore", at=NOW, role=action.role or "", data=action.payload(), lang="en")
        except SopflowError:
            space.refused += 1
            continue
        reach(move, None, action, 0)
    while queue:
        if space.steps >= budget:
            space.stopped_by = "steps"
            space.frontier.update(queue)
            break
        index = queue.popleft()
        node = space.nodes[index]
        for action, config, trigger in _moves(node.config, domains):
            space.steps += 1
            try:
                move = step(config, trigger)
            except SopflowError as exc:  # a kernel fault, not a refusal: reported, never fatal
                space.failures.append((index, action, f"{type(exc).__name__}: {exc}"))
                continue
            if move.refusal is not None:
                space.refused += 1
                continue
            reach(move, index, action, node.depth + 1)
    return space


class _Domains:
    """The event moves of each place the frames stand, once per exploration (field domains are the procedure's)."""

    def __init__(self) -> None:
        self._events: dict[tuple[Any, ...], tuple[tuple[Action, Fire], ...]] = {}

    def events(self, frames: tuple[Frame, ...]) -> tuple[tuple[Action, Fire], ...]:
        """Every event by every role with every data combination: it depends on the states alone.

        A configuration is reached many times over, with other data in the same states; the
        moves tried from it are worked out once. The triggers' data dictionaries are shared
        by every move that tries them: the kernel reads them and keeps copies.
        """
        k = (frames[0].outcome, *[(id(f.procedure), f.state) for f in frames])
        found = self._events.get(k)
        if found is None:
            moves = []
            for offer in offers(frames):
                if offer.way is None:
                    continue  # checklist items depend on what is ticked: tried where they stand
                event, role = offer.name, offer.role
                for data in combinations(offer.way.data, field_domains(offer.frame.procedure)):
                    moves.append((Action("fire", event, role, data), Fire(event, role, NOW, None, _thawed(data))))
            found = self._events[k] = tuple(moves)
        return found


class _Relevant:
    """The data of a frame that can change its future, per procedure, computed once."""

    def __init__(self) -> None:
        self.cache: dict[int, tuple[tuple[tuple[str, Any], ...], tuple[str, ...]]] = {}
        self._seen: dict[tuple[int, int], tuple[Mapping[str, Any], tuple[Any, ...]]] = {}
        """(procedure, data mapping) -> the mapping, kept so its id is not reused, and its key.

        A step that changes no data keeps the very same mapping, so most configurations
        reached share their data with the one they were reached from."""

    def data(self, frame: Frame) -> tuple[Any, ...]:
        procedure = frame.procedure
        data = frame.data
        seen = self._seen.get((id(procedure), id(data)))
        if seen is not None:
            return seen[1]
        found = self.cache.get(id(procedure))
        if found is None:
            values, presence = relevant_fields(procedure)
            limits = bounds(procedure)
            found = self.cache[id(procedure)] = (
                tuple((n, limits.get(n)) for n in sorted(values)),
                tuple(sorted(presence)),
            )
        values_, presence_ = found
        key = (
            tuple([_held(data.get(n), limit) for n, limit in values_]),
            tuple([data.get(n) is not None for n in presence_]),
        )
        if len(self._seen) >= _SEEN_DATA:
            self._seen.clear()  # each kept mapping holds a step's data alive: a long exploration must not keep them all
        self._seen[(id(procedure), id(data))] = (data, key)
        return key


def _held(value: Any, limit: tuple[Any, Any] | None) -> Any:
    """A value as the configuration compares it: numbers past their guards' constants held at the edge."""
    if value is None or value.__class__ is str or value.__class__ is bool:
        return value
    if limit is not None and isinstance(value, (int, Decimal)):
        # Compared, not converted: 3 and Decimal(3) are equal and hash alike, so keys still meet.
        low, high = limit
        return low if value < low else high if value > high else value
    return frozen(value)


def start_role(procedure: Procedure) -> str:
    """The role a session is started as: the first state's own, or the procedure's first role."""
    initial = procedure.ir.states[procedure.ir.initial]
    if initial.role is not None and initial.role in procedure.roles:
        return initial.role
    return next(iter(procedure.roles), "")


def _starts(procedure: Procedure) -> Iterator[Action]:
    role = start_role(procedure)
    fields = [(name, required) for name, required in procedure.start_data]
    for data in combinations(fields, field_domains(procedure)):
        yield Action("start", procedure.id, role, data)


def combinations(
    fields: Sequence[tuple[str, bool]], domain: Mapping[str, list[Any]]
) -> Iterator[tuple[tuple[str, Any], ...]]:
    """Every combination of the fields' values, or, past MAX_COMBINATIONS, each field's values in turn."""
    choices = [[*domain.get(name, ["x"]), *(() if required else (ABSENT,))] for name, required in fields]
    total = 1
    for c in choices:
        total *= len(c)
    names = [name for name, _ in fields]
    if total <= MAX_COMBINATIONS:
        picks: Iterator[tuple[Any, ...]] = itertools.product(*choices)
    else:
        base = tuple(c[0] for c in choices)
        picks = iter([base, *((*base[:i], value, *base[i + 1 :]) for i, c in enumerate(choices) for value in c[1:])])
    for values in picks:
        yield tuple(
            (n, tuple(v) if isinstance(v, list) else v) for n, v in zip(names, values, strict=True) if v is not ABSENT
        )


class Offer(NamedTuple):
    """An event (by one role) or a checklist item the rules offer now; the event's data is still to choose."""

    kind: Literal["fire", "check"]
    name: str
    role: str
    frame: Frame
    """The running procedure the event or item belongs to."""
    way: WayIR | None = None
    """For an event: the way out that declares its data."""


def offers(frames: tuple[Frame, ...]) -> Iterator[Offer]:
    """Every event by every role allowed, then every unticked item of the current checklist.

    Shared with :mod:`sopflow.testing.strategies`, so a property test offers exactly what the
    explorer tries.
    """
    if frames[0].outcome is not None:
        return
    for event in allowed(frames):
        frame, way = _owner(frames, event)
        for role in _roles(frame, way):
            yield Offer("fire", event, role, frame, way)
    current = frames[-1]
    here = current.here
    for item in here.checklist:
        if item.name not in current.ticked:
            yield Offer("check", item.name, here.role or next(iter(current.procedure.roles), ""), current)


def _moves(config: Configuration, domains: _Domains) -> Iterator[tuple[Action, Configuration, Fire | Tick | Check]]:
    frames = config.frames
    for action, fire in domains.events(frames):
        yield action, config, fire
    current = frames[-1]
    here = current.here
    if here.checklist and frames[0].outcome is None:
        role = here.role or next(iter(current.procedure.roles), "")
        for item in here.checklist:
            if item.name not in current.ticked:
                yield Action("check", item.name, role), config, Check(item.name, role, NOW)
    for depth, frame in enumerate(frames):
        for trigger in _next_timers(frame):
            due = _due(config, depth, deadlines={**frame.deadlines, trigger: NOW})
            yield Action("timer", trigger, depth=depth), due, Tick(NOW)
        for name in frame.promises:
            due = _due(config, depth, promises={**frame.promises, name: NOW})
            yield Action("miss", name, depth=depth), due, Tick(NOW)


def _next_timers(frame: Frame) -> list[str]:
    """The timers of a frame that may fire first: the shortest elapsed one, and every calendar one."""
    if not frame.deadlines:
        return []
    here = frame.here
    timers = [t for t in here.timers if t.trigger in frame.deadlines]
    elapsed = [t for t in timers if t.delay is not None]
    first = [min(elapsed, key=lambda t: t.delay or 0.0)] if elapsed else []
    return [t.trigger for t in first] + [t.trigger for t in timers if t.delay is None]


def _due(
    config: Configuration,
    depth: int,
    deadlines: Mapping[str, dt.datetime] | None = None,
    promises: Mapping[str, dt.datetime] | None = None,
) -> Configuration:
    frames = list(config.frames)
    frame = frames[depth]
    frames[depth] = frame._replace(
        deadlines=frame.deadlines if deadlines is None else deadlines,
        promises=frame.promises if promises is None else promises,
    )
    return config._replace(frames=tuple(frames))


def _owner(frames: tuple[Frame, ...], event: str) -> tuple[Frame, WayIR]:
    for frame in reversed(frames):
        way = frame.here.events.get(event)
        if way is not None:
            return frame, way
    raise KeyError(event)  # allowed() only names events some frame has


def _roles(frame: Frame, way: WayIR) -> list[str]:
    if way.roles:
        return sorted(way.roles)
    if frame.here.role is not None:
        return [frame.here.role]
    return [next(iter(frame.procedure.roles), "")]


def _cover(space: StateSpace, entries: Sequence[Entry]) -> frozenset[tuple[str, str, str, str]]:
    taken: set[tuple[str, str, str, str]] = set()
    for e in entries:
        pid = e.procedure
        if e.target is not None:
            space.states.add((pid, e.target))
        if e.kind in ("fire", "timer") and e.event is not None and e.detail is None:
            trigger = e.event if e.kind == "fire" else f"timer:{e.event}"
            space.fired.add((pid, trigger))
            if e.source is not None and e.target is not None:
                taken.add((pid, e.source, trigger, e.target))
        if e.kind in ("fire", "check") and e.role is not None:
            space.roles.add((pid, e.role))
        if e.kind == "promise" and e.event is not None and e.detail is not None:
            space.promises.add((pid, e.event, e.detail))
    space.arrows |= taken
    # Moves by the thousand take the same arrows: they share one set, not a copy each.
    frozen_ = frozenset(taken)
    return space.taken_sets.setdefault(frozen_, frozen_)


def invariant_breaches(config: Configuration) -> Iterator[tuple[int, str, str]]:
    """(frame, invariant name, text) of every invariant false in ``config``."""
    for depth, frame in enumerate(config.frames):
        scope = {**frame.data, "state": frame.state}
        for name, text, evaluate in frame.procedure.invariants:
            try:
                holds = evaluate(scope)
            except EVALUATION_ERRORS:
                continue  # a field not yet set: the invariant says nothing about it yet
            if not holds:
                yield depth, name, text
