"""A procedure as a reader meets it, extracted once from the compiled IR in one language.

``sopflow show`` prints the outline to a terminal and ``sopflow handbook`` writes it as
pages; both read this one extraction, so a printed page and the desk's screen can never
disagree about who acts at a step, what they say, or where it leads. Texts are picked in
the reader's language here; the words around them (labels, "after 3 minutes") belong to
each view.
"""

from __future__ import annotations

from dataclasses import dataclass

from sopflow.compile import Procedure, StateIR, WayIR
from sopflow.model import LEVEL_SEPARATOR, Citation, Occurrence, Property
from sopflow.model.properties import PATTERNS
from sopflow.render.text import pick, role_title


@dataclass(frozen=True, slots=True)
class Target:
    """Where a way leads: a step's name, the outcome if that step ends the procedure."""

    state: str
    outcome: str | None
    internal: bool
    """The way stays in the step it leaves."""


@dataclass(frozen=True, slots=True)
class BranchLine:
    guard: str | None
    """The guard as written; ``None`` for the fallback branch (or the only one)."""
    target: Target


@dataclass(frozen=True, slots=True)
class WayLine:
    """One way out of a step: an event someone fires, a policy's event, or a timer."""

    name: str
    title: str | None
    kind: str
    roles: tuple[str, ...]
    """Role names that may fire it, sorted; empty means anyone."""
    needs: tuple[str, ...]
    may: tuple[str, ...]
    calls: str | None
    delay: float | None
    wait: str | None
    branches: tuple[BranchLine, ...]


@dataclass(frozen=True, slots=True)
class LevelLine:
    """One rung of an escalation ladder: who holds the step, for how long, and what they say."""

    role: str | None
    delay: float | None
    say: str | None


@dataclass(frozen=True, slots=True)
class TipLine:
    id: str
    title: str | None
    """``None`` when the library's glossary does not define the tip."""
    description: str | None
    source: Citation | None


@dataclass(frozen=True, slots=True)
class ItemLine:
    name: str
    text: str
    required: bool


@dataclass(frozen=True, slots=True)
class CallLine:
    procedure: str
    outcomes: tuple[tuple[str, Target], ...]


@dataclass(frozen=True, slots=True)
class StepLine:
    number: int
    base: str
    title: str | None
    role: str | None
    final: str | None
    ladder: tuple[LevelLine, ...]
    """Empty unless the step is an escalation ladder."""
    say: str | None
    do: str | None
    tips: tuple[TipLine, ...]
    checklist: tuple[ItemLine, ...]
    requires: tuple[str, ...]
    call: CallLine | None
    next: tuple[WayLine, ...]
    """Events, then timers (a ladder's own timer is in ``ladder``)."""
    source: Citation | None
    notes: str | None


@dataclass(frozen=True, slots=True)
class FieldLine:
    name: str
    type: str
    private: bool
    default: object
    title: str | None


@dataclass(frozen=True, slots=True)
class PromiseLine:
    name: str
    title: str | None
    wait: str
    kept: tuple[str, ...]
    source: Citation | None


@dataclass(frozen=True, slots=True)
class RuleLine:
    name: str
    text: str | None
    source: Citation | None


@dataclass(frozen=True, slots=True)
class OccurrenceLine:
    """Something a property speaks of: an event (or timer) that moves a session, or a state reached."""

    name: str
    reached: bool
    procedure: str | None
    """Another procedure's (one this one calls); ``None`` for the procedure itself."""


@dataclass(frozen=True, slots=True)
class PropertyLine:
    """A declared property: the author's words for it, and its pattern for a reader without them."""

    name: str
    text: str | None
    pattern: str
    """``first`` (then), ``after`` (eventually), ``never``, ``always_available`` or ``only`` (by)."""
    subjects: tuple[OccurrenceLine, ...]
    """The pattern's occurrences in its order: (first, then), (after, eventually), (never,), (the event,), (only,)."""
    roles: tuple[str, ...]
    """With ``only``: the roles that may do it."""
    condition: str | None
    """``while``, as written."""
    source: Citation | None


@dataclass(frozen=True)
class Outline:
    procedure: Procedure
    lang: str
    title: str | None
    roles: tuple[tuple[str, str], ...]
    """(role name, title in ``lang``) in the procedure's order."""
    fields: tuple[FieldLine, ...]
    promises: tuple[PromiseLine, ...]
    rules: tuple[RuleLine, ...]
    steps: tuple[StepLine, ...]
    policies: tuple[WayLine, ...]
    """The policy events that apply at any step, once each."""
    uses: tuple[str, ...]
    notes: tuple[str, ...]
    properties: tuple[PropertyLine, ...] = ()
    """What the explorer proves on every way through the procedure (``sopflow check``)."""
    invariants: tuple[tuple[str, str], ...] = ()
    """(name, expression as written): what holds in every configuration."""

    def role(self, role: str | None) -> str:
        """A role's title in the outline's language, ``anyone`` for no role."""
        p = self.procedure
        return role_title(p.roles, role, self.lang, p.languages)

    @property
    def initial(self) -> str:
        return self.procedure.initial.split(LEVEL_SEPARATOR)[0]


class _Reader:
    def __init__(self, procedure: Procedure, lang: str) -> None:
        self.p = procedure
        self.lang = lang

    def text(self, value: dict[str, str] | None) -> str | None:
        return pick(value, self.lang, self.p.languages)

    def target(self, name: str, internal: bool) -> Target:
        spec = self.p.ir.states[name]
        return Target(name.split(LEVEL_SEPARATOR)[0], spec.final, internal)

    def way(self, way: WayIR) -> WayLine:
        return WayLine(
            name=way.name,
            title=self.text(way.title),
            kind=way.kind,
            roles=tuple(sorted(way.roles)),
            needs=tuple(f for f, required in way.data if required),
            may=tuple(f for f, required in way.data if not required),
            calls=way.call.procedure if way.call is not None else None,
            delay=way.delay,
            wait=way.wait,
            branches=tuple(BranchLine(b.guard_text, self.target(b.target, b.internal)) for b in way.branches),
        )

    def step(self, number: int, base: str, levels: list[StateIR]) -> StepLine:
        first = levels[0]
        ladder_name = self.p.resolved.states[base].ladder or ""
        is_ladder = len(levels) > 1 or first.name != first.base
        ladder: list[LevelLine] = []
        if is_ladder:
            for level in levels:
                timer = next((t for t in level.timers if t.name == ladder_name), None)
                ladder.append(LevelLine(level.role, timer.delay if timer else None, self.text(level.say)))
        tips = []
        for tip in first.tips:
            shared = self.p.tips.get(tip)
            if shared is None:
                tips.append(TipLine(tip, None, None, None))
            else:
                tips.append(TipLine(tip, self.text(shared.title), self.text(shared.description), shared.source))
        call = None
        if first.call is not None:
            outcomes = tuple(
                (outcome, self.target(target or first.name, target is None))
                for outcome, target in first.call.outcomes.items()
            )
            call = CallLine(first.call.procedure, outcomes)
        ways = [w for w in first.events.values() if w.kind == "event"]
        ways += [t for t in first.timers if not (is_ladder and t.name == ladder_name)]
        return StepLine(
            number=number,
            base=base,
            title=self.text(first.title),
            role=first.role,
            final=first.final,
            ladder=tuple(ladder),
            say=None if is_ladder else self.text(first.say),
            do=None if is_ladder else self.text(first.do),
            tips=tuple(tips),
            checklist=tuple(ItemLine(i.name, self.text(i.text) or i.name, i.required) for i in first.checklist),
            requires=first.requires,
            call=call,
            next=tuple(self.way(w) for w in ways),
            source=first.source,
            notes=first.notes,
        )

    def policies(self) -> tuple[WayLine, ...]:
        seen: dict[str, WayIR] = {}
        for state in self.p.ir.states.values():
            for name, way in state.events.items():
                if way.kind == "policy":
                    seen.setdefault(name, way)
        return tuple(self.way(w) for w in seen.values())


def _occurrence(o: Occurrence) -> OccurrenceLine:
    if o.event is not None:
        return OccurrenceLine(o.event, False, o.procedure)
    return OccurrenceLine(o.reached or "", True, o.procedure)


def _property(name: str, spec: Property, reader: _Reader) -> PropertyLine:
    pattern = next(keys for keys in PATTERNS if getattr(spec, keys[0]) is not None)
    if pattern[0] == "always_available":
        subjects: tuple[OccurrenceLine, ...] = (OccurrenceLine(spec.always_available or "", False, None),)
    else:
        subjects = tuple(_occurrence(getattr(spec, k)) for k in pattern if k != "by")
    return PropertyLine(
        name=name,
        text=reader.text(spec.text),
        pattern=pattern[0],
        subjects=subjects,
        roles=tuple(spec.by or ()),
        condition=spec.while_,
        source=spec.source,
    )


def outline(procedure: Procedure, lang: str | None = None) -> Outline:
    """The procedure in ``lang`` (default: its first language), step by step."""
    p = procedure
    reader = _Reader(p, lang or p.languages[0])
    by_base: dict[str, list[StateIR]] = {}
    for state in p.ir.states.values():
        by_base.setdefault(state.base, []).append(state)
    fields = tuple(
        FieldLine(name, spec.type, spec.private, spec.default, reader.text(spec.title))
        for name, spec in p.fields.items()
    )
    promises = tuple(
        PromiseLine(
            promise.name,
            reader.text(promise.title),
            promise.wait,
            tuple(sorted({k.split(LEVEL_SEPARATOR)[0] for k in promise.kept})),
            promise.source,
        )
        for promise in p.ir.promises
    )
    notes = p.resolved.spec.notes
    return Outline(
        procedure=p,
        lang=reader.lang,
        title=reader.text(p.title),
        roles=tuple((r, role_title(p.roles, r, reader.lang, p.languages)) for r in p.roles),
        fields=fields,
        promises=promises,
        rules=tuple(RuleLine(rule.name, reader.text(rule.text), rule.source) for rule in p.ir.rules),
        steps=tuple(reader.step(n, base, levels) for n, (base, levels) in enumerate(by_base.items(), 1)),
        policies=reader.policies(),
        uses=tuple(p.resolved.spec.uses),
        notes=(notes,) if isinstance(notes, str) else tuple(notes or ()),
        properties=tuple(_property(name, spec, reader) for name, spec in p.resolved.spec.properties.items()),
        invariants=tuple(p.resolved.spec.invariants.items()),
    )
