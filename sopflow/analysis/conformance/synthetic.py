"""Seeded synthetic logs for the bundled procedures, with deviations injected and their truth recorded.

A conformance checker is only believable if it finds what was planted and nothing else.
Clean cases are random walks on the step kernel itself (strict mode, every event refused
by the rules retried with another), so each is a case the procedure allows; deviating
cases are clean cases with one change of a known kind — two events swapped (``order``),
one dropped (``missing``), done by a wrong role (``role``), with data that sends the
procedure elsewhere (``data``), or late past a promise or a timer (``time``) — and the
truth says where and which clause. The same seed gives the same log.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sopflow.analysis.conformance.logs import LogCase, Row
from sopflow.analysis.conformance.mapping import LogMapping
from sopflow.analysis.conformance.replay import Vocabulary, fits, owner, prepare, roles_for
from sopflow.analysis.conformance.result import Clause, Kind
from sopflow.analysis.domains import field_domains
from sopflow.compile import Procedure
from sopflow.errors import SopflowError
from sopflow.runtime import kernel
from sopflow.runtime.config import Check, Configuration, Fire, Frame, Tick

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
"""Monday 2 March 2026, 09:00 in Shanghai."""
MAX_STEPS = 40


class NoCleanWalk(SopflowError):
    """The procedure's random walks keep failing to end: it cannot give clean cases to plant in."""


@dataclass(frozen=True)
class Truth:
    """A planted deviation: its kind, the row it sits at, and the clause it breaks."""

    case: str
    kind: Kind
    index: int
    clauses: tuple[str, ...]
    """The clause's citation, as :attr:`Clause.where` writes it; a swap of an optional event has two
    right answers (the first event early, or the second late), so both are listed."""
    how: str


def mapping_for(procedure: Procedure) -> LogMapping:
    """The mapping of a synthetic log: columns named by default, every field a column of its own name."""
    fields = {name for p in procedure.family().values() for name in p.fields}
    return LogMapping(procedure=procedure.id, data={f: f for f in sorted(fields)})


class _Walk:
    """One clean case: its rows, and the configuration before each row (for planting deviations)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.before: list[Configuration | None] = []


class Generator:
    """Cases of one procedure, clean or with one deviation, from one seed."""

    def __init__(self, procedure: Procedure, seed: int = 0) -> None:
        self.procedure = procedure
        self.random = random.Random(seed)
        self.words = Vocabulary(procedure)
        self.mapping = mapping_for(procedure)
        self.domains = {p.id: field_domains(p) for p in procedure.family().values()}
        self.secret = 0

    def log(self, cases: int, deviating: float) -> Iterator[tuple[list[dict[str, Any]], Truth | None]]:
        """``cases`` cases, about ``deviating`` (0..1) of them with one planted deviation each."""
        at = START
        for number in range(cases):
            case = f"c{number:06d}"
            at += dt.timedelta(minutes=self.random.randint(1, 90))
            walk = self.clean(case, at)
            truth = None
            if self.random.random() < deviating:
                planted = self.plant(case, walk)
                if planted is not None:
                    walk.rows, truth = planted
            yield walk.rows, truth

    # -- clean cases ----------------------------------------------------------------------------

    def clean(self, case: str, at: dt.datetime) -> _Walk:
        for _ in range(200):
            walk = self._walk(case, at)
            if walk is not None:
                return walk
        raise NoCleanWalk(f"no random walk of '{self.procedure.id}' reached an outcome within {MAX_STEPS} steps")

    def _walk(self, case: str, at: dt.datetime) -> _Walk | None:
        procedure = self.procedure
        rng = self.random
        initial = procedure.ir.states[procedure.ir.initial]
        role = initial.role or next(iter(procedure.roles))
        data: dict[str, Any] = {}
        for name, required in procedure.start_data:
            if required or rng.random() < 0.8:
                data[name] = self._value(procedure, name)
        config = kernel.start(
            procedure, session=case, at=at, role=role, data=data, lang=procedure.languages[0], strict=True
        ).config
        walk = _Walk()
        walk.rows.append(self._row(case, "start", at, role, data))
        walk.before.append(None)
        for _ in range(MAX_STEPS):
            if config.frames[0].outcome is not None:
                return walk
            at += dt.timedelta(minutes=rng.randint(1, 20))
            ticked = kernel.step(config, Tick(at), strict=True)
            if any(e.kind == "promise" and e.detail == "missed" for e in ticked.entries):
                return None
            config = ticked.config
            if config.frames[0].outcome is not None:
                return walk
            current = config.frames[-1]
            unticked = [c.name for c in current.here.checklist if c.name not in current.ticked]
            if unticked:
                role = current.here.role or next(iter(current.procedure.roles))
                move = kernel.step(config, Check(unticked[0], role, at), strict=True)
                if move.refusal is None:
                    walk.before.append(config)
                    walk.rows.append(self._row(case, f"check:{unticked[0]}", at, role, {}))
                    config = move.config
                    continue
            stepped = self._fire(case, config, at)
            if stepped is None:
                return None
            row, config_after = stepped
            walk.before.append(config)
            walk.rows.append(row)
            config = config_after
        return None

    def _fire(self, case: str, config: Configuration, at: dt.datetime) -> tuple[dict[str, Any], Configuration] | None:
        rng = self.random
        names = list(kernel.allowed(config.frames))
        own = [n for n in names if (o := owner(config.frames, n)) is not None and o[1].kind == "event"]
        for _ in range(12):
            if not names:
                return None
            name = rng.choice(own if own and rng.random() < 0.97 else names)
            found = owner(config.frames, name)
            if found is None:
                continue
            frame, way = found
            role = rng.choice(roles_for(frame, way))
            data = {
                field: self._value(frame.procedure, field)
                for field, required in way.data
                if required or rng.random() < 0.5
            }
            move = kernel.step(config, Fire(name, role, at, None, data), strict=True)
            if move.refusal is None and not any(e.detail == "missed" for e in move.entries):
                return self._row(case, name, at, role, data), move.config
        return None

    def _value(self, procedure: Procedure, name: str) -> Any:
        if name in procedure.private and procedure.fields[name].type == "str":
            return f"private-{name}"  # one value per field, so equality invariants hold
        values = self.domains.get(procedure.id, {}).get(name, ["x"])
        return self.random.choice(values)

    def _row(self, case: str, activity: str, at: dt.datetime, role: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"case": case, "activity": activity, "timestamp": at.isoformat(), "role": role, **data}

    # -- planting -------------------------------------------------------------------------------

    def plant(self, case: str, walk: _Walk) -> tuple[list[dict[str, Any]], Truth] | None:
        """The walk with one deviation of a kind chosen at random (others tried if it cannot be planted)."""
        kinds: list[Kind] = ["order", "missing", "role", "data", "time"]
        self.random.shuffle(kinds)
        for kind in kinds:
            positions = list(range(1, len(walk.rows)))
            self.random.shuffle(positions)
            for k in positions:
                planted: tuple[list[dict[str, Any]], Truth] | None = getattr(self, f"_{kind}")(case, walk, k)
                if planted is not None and not self._fits(case, planted[0]):
                    return planted
        return None

    def _fits(self, case: str, rows: list[dict[str, Any]]) -> bool:
        log = LogCase(case, tuple(Row(r, "<synthetic>", i) for i, r in enumerate(rows)))
        trace = prepare(log, self.mapping, self.words, START.tzinfo or dt.UTC)
        return trace is None or fits(trace, True)

    def _order(self, case: str, walk: _Walk, k: int) -> tuple[list[dict[str, Any]], Truth] | None:
        rows = walk.rows
        if k + 1 >= len(rows) or rows[k]["activity"] == rows[k + 1]["activity"]:
            return None
        before = walk.before[k]
        if before is None or rows[k]["activity"].startswith("check:"):
            return None
        changed = [dict(r) for r in rows]
        for key in ("activity", "role"):
            changed[k][key], changed[k + 1][key] = rows[k + 1][key], rows[k][key]
        keep = {"case", "activity", "timestamp", "role"}
        data_k = {x: v for x, v in rows[k].items() if x not in keep}
        data_n = {x: v for x, v in rows[k + 1].items() if x not in keep}
        changed[k] = {**{x: v for x, v in changed[k].items() if x in keep}, **data_n}
        changed[k + 1] = {**{x: v for x, v in changed[k + 1].items() if x in keep}, **data_k}
        clauses = [self._where(before.frames[-1])]
        early = changed[k]
        data = {x: v for x, v in early.items() if x not in keep}
        at = dt.datetime.fromisoformat(early["timestamp"])
        move = kernel.step(before, Fire(early["activity"], early["role"], at, None, data), strict=True)
        if move.refusal is None:
            clauses.append(self._where(move.config.frames[-1]))
        how = f"swapped rows {k} and {k + 1}"
        return changed, Truth(case, "order", k, tuple(clauses), how)

    def _missing(self, case: str, walk: _Walk, k: int) -> tuple[list[dict[str, Any]], Truth] | None:
        before = walk.before[k]
        name = walk.rows[k]["activity"]
        if before is None or name.startswith("check:"):
            return None
        found = owner(before.frames, name)
        if found is None or found[1].kind == "policy":
            return None  # an escalation the log lacks is taken as one that did not happen
        changed = [dict(r) for i, r in enumerate(walk.rows) if i != k]
        return changed, self._truth(case, "missing", k, found[0], f"dropped row {k} ({name})")

    def _role(self, case: str, walk: _Walk, k: int) -> tuple[list[dict[str, Any]], Truth] | None:
        before = walk.before[k]
        name = walk.rows[k]["activity"]
        if before is None or name.startswith("check:"):
            return None
        found = owner(before.frames, name)
        if found is None or not found[1].roles:
            return None
        frame, way = found
        others = sorted(set(frame.procedure.roles) - way.roles)
        if not others:
            return None
        changed = [dict(r) for r in walk.rows]
        changed[k]["role"] = self.random.choice(others)
        return changed, self._truth(case, "role", k, frame, f"row {k} ({name}) by role {changed[k]['role']}")

    def _data(self, case: str, walk: _Walk, k: int) -> tuple[list[dict[str, Any]], Truth] | None:
        before = walk.before[k]
        row = walk.rows[k]
        name = row["activity"]
        if before is None or name.startswith("check:"):
            return None
        found = owner(before.frames, name)
        if found is None or len(found[1].branches) < 2 or not found[1].data:
            return None
        frame, way = found
        at = dt.datetime.fromisoformat(row["timestamp"])
        keep = {"case", "activity", "timestamp", "role"}
        given = {x: v for x, v in row.items() if x not in keep}
        went = _target(kernel.step(before, Fire(name, row["role"], at, None, given), strict=True).entries, name)
        domains = self.domains[frame.procedure.id]
        for field, _ in way.data:
            for value in domains.get(field, []):
                data = {**given, field: value}
                move = kernel.step(before, Fire(name, row["role"], at, None, data), strict=True)
                if move.refusal is None and _target(move.entries, name) != went:
                    changed = [dict(r) for r in walk.rows]
                    changed[k] = {**{x: v for x, v in row.items() if x in keep}, **data}
                    return changed, self._truth(case, "data", k, frame, f"row {k} ({name}) with {field}={value!r}")
        return None

    def _time(self, case: str, walk: _Walk, k: int) -> tuple[list[dict[str, Any]], Truth] | None:
        before = walk.before[k]
        row = walk.rows[k]
        if before is None:
            return None
        at = dt.datetime.fromisoformat(row["timestamp"])
        due: list[tuple[dt.datetime, str, Frame]] = []
        for frame in before.frames:
            for promise in frame.procedure.ir.promises:
                deadline = frame.promises.get(promise.name)
                if deadline is not None and promise.source is not None:
                    where = Clause.of(frame.procedure.id, frame.state, promise.source, "").where
                    due.append((deadline, where, frame))
            for deadline in frame.deadlines.values():
                due.append((deadline, self._where(frame), frame))
        if not due:
            return None
        deadline, where, frame = min(due, key=lambda t: t[0])
        late = deadline - at + dt.timedelta(hours=1)
        changed = [dict(r) for r in walk.rows]
        for i in range(k, len(changed)):
            changed[i]["timestamp"] = (dt.datetime.fromisoformat(changed[i]["timestamp"]) + late).isoformat()
        return changed, Truth(case, "time", k, (where,), f"rows from {k} on {late} late")

    def _truth(self, case: str, kind: Kind, k: int, frame: Frame, how: str) -> Truth:
        return Truth(case, kind, k, (self._where(frame),), how)

    @staticmethod
    def _where(frame: Frame) -> str:
        return Clause.of(frame.procedure.id, frame.state, frame.here.source or frame.procedure.source, "").where


def _target(entries: Any, event: str) -> str | None:
    for entry in entries:
        if entry.kind == "fire" and entry.event == event:
            return str(entry.target)
    return None


def log_cases(rows_of: Iterator[tuple[list[dict[str, Any]], Truth | None]], truths: list[Truth]) -> Iterator[LogCase]:
    """The generated cases as the checker reads them, rows numbered as lines of one file.

    Each planted truth is appended to ``truths``.
    """
    line = 1
    for rows, truth in rows_of:
        if truth is not None:
            truths.append(truth)
        case = str(rows[0]["case"])
        yield LogCase(case, tuple(Row(r, "<synthetic>", line + i) for i, r in enumerate(rows)))
        line += len(rows)
