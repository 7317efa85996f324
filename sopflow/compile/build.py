"""Resolved procedure (checked) to IR: expand ladders, policies and calls into plain ways."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import partial
from types import MappingProxyType
from typing import Any

from sopflow.calendar import Calendar
from sopflow.check.resolve import Resolved
from sopflow.compile.ir import IR, BranchIR, CallIR, ChecklistIR, Deadline, PromiseIR, RuleIR, StateIR, WayIR, WayKind
from sopflow.expr import Evaluator, compile_expression, names_in, parse
from sopflow.model import LEVEL_SEPARATOR, RESUME, Call, Event, FieldTime, Promise, State, TimeOfDay, Timer, Wait


def _expr(text: str) -> Evaluator:
    return compile_expression(parse(text))


def _assign(assignments: dict[str, str]) -> tuple[tuple[str, Evaluator], ...]:
    return tuple((name, _expr(text)) for name, text in assignments.items())


class _Builder:
    def __init__(self, r: Resolved, outcomes_of: dict[str, set[str]], calendar: Calendar) -> None:
        self.r = r
        self.outcomes_of = outcomes_of
        self.calendar = calendar
        self.entry: dict[str, str] = {}
        for name, state in r.states.items():
            ladder = r.ladders.get(state.ladder or "")
            self.entry[name] = f"{name}{LEVEL_SEPARATOR}{ladder.levels[0].role}" if ladder else name

    def target(self, name: str | None, source: str) -> tuple[str, bool]:
        if name is None:
            return source, True
        return self.entry[name], False

    def branches(self, way: Event | Timer, source: str) -> tuple[BranchIR, ...]:
        if way.branches is None:
            target, internal = self.target(way.to, source)
            return (BranchIR(0, None, None, target, internal),)
        out = []
        for i, b in enumerate(way.branches):
            target, internal = self.target(b.to, source)
            guard = _expr(b.if_) if b.if_ is not None else None
            out.append(BranchIR(i, guard, b.if_, target, internal, _assign(b.set)))
        return tuple(out)

    def call(self, call: Call, key: str) -> CallIR:
        outcomes: dict[str, str | None] = {}
        for outcome in sorted(self.outcomes_of[call.procedure]):
            target = call.outcomes.get(outcome, call.outcomes.get("*"))
            assert target is not None  # the checker made sure every outcome is mapped
            outcomes[outcome] = None if target == RESUME else self.entry[target]
        with_ = tuple((child, _expr(text)) for child, text in call.with_.items())
        return CallIR(call.procedure, with_, tuple(call.returns.items()), MappingProxyType(outcomes), key)

    def event(self, name: str, event: Event, source: str, role: str | None, kind: WayKind) -> WayIR:
        roles = frozenset(event.roles) if event.roles else frozenset([role] if role else [])
        data = tuple((d.rstrip("?"), not d.endswith("?")) for d in event.data)
        data += tuple((d, False) for d in event.optional)
        call = self.call(event.call, f"event:{name}") if event.call is not None else None
        if call is not None:
            branches: tuple[BranchIR, ...] = (BranchIR(0, None, None, source, True),)
        else:
            branches = self.branches(event, source)
        return WayIR(
            name,
            name,
            kind,
            source,
            roles,
            data,
            _assign(event.set),
            branches,
            call,
            title=event.title,
            checks_requires=kind == "event",
            accepts=frozenset(name for name, _ in data),
            required=tuple(name for name, required in data if required),
        )

    def returns(self, call: CallIR, source: str) -> dict[str, WayIR]:
        out = {}
        for outcome, target in call.outcomes.items():
            trigger = f"return:{call.key}:{outcome}"
            branch = BranchIR(0, None, None, target or source, target is None)
            out[trigger] = WayIR(
                outcome, trigger, "return", source, frozenset(), (), (), (branch,), checks_requires=False
            )
        return out

    def state(
        self, name: str, base: str, state: State, role: str | None, say: Any, do: Any, timers: list[WayIR]
    ) -> StateIR:
        events: dict[str, WayIR] = {}
        returns: dict[str, WayIR] = {}
        call = None
        if state.final is None:
            for ename, event in state.on.items():
                events[ename] = self.event(ename, event, name, role, "event")
            for ename, event in self.r.policy_events.items():
                events[ename] = self.event(ename, event, name, role, "policy")
            for way in events.values():
                if way.call is not None:
                    returns |= self.returns(way.call, name)
            for tname, timer in state.timers.items():
                elapsed = timer.after is not None and not timer.after.working
                timers.append(
                    WayIR(
                        tname,
                        f"timer:{tname}",
                        "timer",
                        name,
                        frozenset(),
                        (),
                        _assign(timer.set),
                        self.branches(timer, name),
                        delay=timer.after.amount if elapsed and timer.after is not None else None,
                        title=timer.title,
                        checks_requires=False,
                        deadline=None if elapsed else self.deadline(timer),
                        wait=str(timer.after if timer.after is not None else timer.at),
                    )
                )
            if state.call is not None:
                call = self.call(state.call, f"state:{base}")
                returns |= self.returns(call, name)
        # Elapsed timers by delay; timers counted on the calendar keep their written order, after them.
        timers.sort(key=lambda t: t.delay if t.delay is not None else float("inf"))
        checklist = tuple(
            ChecklistIR(item, spec.text, spec.required, spec.source) for item, spec in state.checklist.items()
        )
        return StateIR(
            name,
            base,
            role,
            say,
            do,
            state.title,
            tuple(state.tips),
            state.source,
            tuple(state.requires),
            state.final,
            MappingProxyType(events),
            tuple(timers),
            MappingProxyType(returns),
            call,
            state.notes,
            checklist,
            frozenset(c.name for c in checklist if c.required),
        )

    def deadline(self, timer: Timer | Promise) -> Deadline:
        """When a calendar timer or promise falls due, given when it starts and the data then: bound
        to the deployment's calendar. A moment held in a field is the field's value (``None``,
        and the timer does not run, while the field is empty)."""
        calendar, hours = self.calendar, timer.hours or self.r.spec.hours
        moment = timer.by if isinstance(timer, Promise) else timer.at
        if isinstance(moment, FieldTime):
            return partial(_in_field, moment.field)
        if moment is not None:
            return partial(_at_moment, calendar, moment, hours)
        wait = timer.within if isinstance(timer, Promise) else timer.after
        assert wait is not None  # a timer has 'after' or 'at' (the model checks)
        return partial(_after_wait, calendar, wait, hours)

    def promises(self, states: Mapping[str, StateIR]) -> tuple[PromiseIR, ...]:
        def levels(bases: list[str]) -> frozenset[str]:
            return frozenset(n for n, s in states.items() if s.base in bases)

        return tuple(
            PromiseIR(
                name,
                p.title,
                self.deadline(p),
                str(p.within if p.within is not None else p.by),
                levels([p.starts]) if p.starts is not None else frozenset(),
                levels(p.kept),
                p.source,
            )
            for name, p in self.r.spec.promises.items()
        )

    def build(self) -> IR:
        states: dict[str, StateIR] = {}
        for name, state in self.r.states.items():
            ladder = self.r.ladders.get(state.ladder or "")
            if ladder is None:
                states[name] = self.state(name, name, state, state.role, state.say, state.do, [])
                continue
            for i, level in enumerate(ladder.levels):
                level_name = f"{name}{LEVEL_SEPARATOR}{level.role}"
                timers = []
                if level.within is not None and i + 1 < len(ladder.levels):
                    nxt = f"{name}{LEVEL_SEPARATOR}{ladder.levels[i + 1].role}"
                    ladder_name = state.ladder or ""
                    branch = BranchIR(0, None, None, nxt, False)
                    timers.append(
                        WayIR(
                            ladder_name,
                            f"timer:{ladder_name}",
                            "timer",
                            level_name,
                            frozenset(),
                            (),
                            (),
                            (branch,),
                            delay=level.within,
                            title=ladder.title,
                            checks_requires=False,
                        )
                    )
                states[level_name] = self.state(
                    level_name, name, state, level.role, level.say or state.say, level.do or state.do, timers
                )
        fast: dict[str, dict[str, Any]] = {}
        for name, s in states.items():
            row: dict[str, Any] = {}
            for way in (*s.events.values(), *s.timers, *s.returns.values()):
                only = way.branches[0]
                row[way.trigger] = only.target if len(way.branches) == 1 and only.guard is None else way
            fast[name] = row
        return IR(
            self.r.id,
            self.entry[self.r.spec.initial],
            MappingProxyType(states),
            MappingProxyType({k: MappingProxyType(v) for k, v in fast.items()}),
            reads_state=_reads_state(self.r),
            promises=self.promises(states),
            rules=tuple(RuleIR(name, rule.text, rule.source) for name, rule in self.r.rules.items()),
        )


def _reads_state(r: Resolved) -> bool:
    """Whether any guard, assignment or call argument names ``state``."""
    texts: list[str] = []

    def way(w: Event | Timer) -> None:
        texts.extend(w.set.values())
        for b in w.branches or ():
            texts.extend(b.set.values())
            if b.if_ is not None:
                texts.append(b.if_)
        if isinstance(w, Event) and w.call is not None:
            texts.extend(w.call.with_.values())

    for state in r.states.values():
        for event in state.on.values():
            way(event)
        for timer in state.timers.values():
            way(timer)
        if state.call is not None:
            texts.extend(state.call.with_.values())
    for event in r.policy_events.values():
        way(event)
    return any("state" in names_in(parse(t)) for t in texts)


def build_ir(resolved: Resolved, outcomes_of: dict[str, set[str]], calendar: Calendar) -> IR:
    """The IR table of one checked procedure, its calendar timers bound to ``calendar``."""
    return _Builder(resolved, outcomes_of, calendar).build()


# A deadline is a partial of one of these (not a closure), so a compiled procedure can be
# pickled into the library cache with its calendar left out and given back.


def _in_field(name: str, at: dt.datetime, data: Mapping[str, Any]) -> Any:
    return data.get(name)


def _at_moment(calendar: Calendar, moment: TimeOfDay, hours: str | None, at: dt.datetime, data: Any) -> dt.datetime:
    return calendar.moment(at, moment, hours)


def _after_wait(calendar: Calendar, wait: Wait, hours: str | None, at: dt.datetime, data: Any) -> dt.datetime:
    return calendar.add(at, wait, hours)
