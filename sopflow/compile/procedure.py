"""The compiled procedure: immutable, built once per version, shared by every session."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sopflow.calendar import Calendar
from sopflow.check.resolve import Resolved
from sopflow.compile.build import build_ir
from sopflow.compile.ir import IR
from sopflow.expr import Evaluator, compile_expression, parse
from sopflow.model import Citation, FieldSpec, Role, Text, Tip
from sopflow.model import Procedure as ProcedureSpec
from sopflow.model.values import coerce

if TYPE_CHECKING:
    from transitions import Machine


@dataclass(frozen=True)
class MigrationIR:
    """How sessions of ``from_version`` move onto this version (checked complete and type-safe)."""

    from_version: int
    states: Mapping[str, str]
    """Old state (as written, ladder levels folded) -> new state as written."""
    pin: frozenset[str]
    renames: Mapping[str, str]
    drop: frozenset[str]


@dataclass(frozen=True, eq=False)
class Procedure:
    """A procedure ready to run: the IR table, the declarations, and (on demand) the transitions machine.

    Sessions point at it by ``(id, version)``; it never changes after compiling.
    """

    id: str
    version: int
    title: Text
    languages: tuple[str, ...]
    source: Citation | None
    roles: Mapping[str, Role]
    fields: Mapping[str, FieldSpec]
    ir: IR
    invariants: tuple[tuple[str, str, Evaluator], ...] = field(repr=False)
    defaults: MappingProxyType[str, Any] = field(repr=False)
    private: frozenset[str] = field(repr=False)
    policy_fields: frozenset[str] = field(repr=False)
    """Fields a policy contributes; a child that shares the policy hands them back on return."""
    resolved: Resolved = field(repr=False)
    start_data: tuple[tuple[str, bool], ...] = ()
    migration: MigrationIR | None = None
    """Present when this version says how open sessions of an earlier one move onto it."""
    """(field, required) pairs the host gives at start, as the procedure's ``start`` declares them."""
    callees: dict[str, Procedure] = field(default_factory=dict, repr=False)
    """Procedures this one calls, linked by the library after all are compiled."""
    tips: Mapping[str, Tip] = field(default_factory=dict, repr=False)
    """The glossary's warm tips its states cite, by id (empty when the library's glossary has none)."""
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)
    """Per-procedure caches of the runtime (a state's event options by language): they live and die
    with the procedure, so a library of a thousand procedures never thrashes a shared cache."""

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (into the library cache) without its memo: caches are rebuilt where they are used."""
        return self.__dict__ | {"memo": {}}

    @property
    def machine(self) -> Machine:
        """The shared transitions machine, built from the IR the first time a strict session or a
        diagram asks: most hosts never need it, and it is the largest part of a compiled procedure."""
        built: Machine | None = self.memo.get("machine")
        if built is None:
            from sopflow.compile.machine import build_machine  # transitions is imported when first needed

            built = self.memo["machine"] = build_machine(self.ir)
        return built

    def coerce(self, name: str, value: Any) -> Any:
        """Validate ``value`` for field ``name``; ``ValueError`` says what was expected."""
        return coerce(self.fields[name], value)

    def family(self) -> dict[str, Procedure]:
        """This procedure and every procedure it calls, directly or not, by id."""
        found: dict[str, Procedure] = {self.id: self}
        todo = [self]
        while todo:
            for callee in todo.pop().callees.values():
                if callee.id not in found:
                    found[callee.id] = callee
                    todo.append(callee)
        return found

    @property
    def initial(self) -> str:
        return self.ir.initial

    @property
    def states(self) -> list[str]:
        return list(self.ir.states)

    @property
    def events(self) -> list[str]:
        """Every event a host may fire somewhere in this procedure."""
        seen: dict[str, None] = {}
        for state in self.ir.states.values():
            seen.update(dict.fromkeys(state.events))
        return list(seen)

    @property
    def outcomes(self) -> set[str]:
        return {s.final for s in self.ir.states.values() if s.final is not None}


def compile_procedure(resolved: Resolved, outcomes_of: dict[str, set[str]], calendar: Calendar) -> Procedure:
    """Compile one checked procedure (the checker must have found no errors)."""
    spec = resolved.spec
    ir = build_ir(resolved, outcomes_of, calendar)
    invariants = tuple((name, text, compile_expression(parse(text))) for name, text in spec.invariants.items())
    defaults = {name: coerce(f, f.default) for name, f in resolved.fields.items()}
    return Procedure(
        id=spec.id,
        version=spec.version,
        title=spec.title,
        languages=tuple(spec.languages),
        source=spec.source,
        roles=MappingProxyType(dict(resolved.roles)),
        fields=MappingProxyType(dict(resolved.fields)),
        ir=ir,
        invariants=invariants,
        defaults=MappingProxyType(defaults),
        private=frozenset(name for name, f in resolved.fields.items() if f.private),
        policy_fields=frozenset(name for name in resolved.fields if _declared_in_policy(resolved, name)),
        resolved=resolved,
        start_data=_start_data(spec),
        migration=_migration(spec),
        tips=MappingProxyType(dict(resolved.tips)),
    )


def _migration(spec: ProcedureSpec) -> MigrationIR | None:
    plan = spec.migrate
    if plan is None:
        return None
    return MigrationIR(
        plan.from_,
        MappingProxyType(dict(plan.states)),
        frozenset(plan.pin),
        MappingProxyType(dict(plan.fields)),
        frozenset(plan.drop),
    )


def _start_data(spec: ProcedureSpec) -> tuple[tuple[str, bool], ...]:
    if spec.start is None:
        return ()
    declared = tuple((d.rstrip("?"), not d.endswith("?")) for d in spec.start.data)
    return declared + tuple((d, False) for d in spec.start.optional)


def _declared_in_policy(resolved: Resolved, name: str) -> bool:
    document = resolved.where("field", name)[0].document
    assert document is not None, "resolve() only merges documents that validated"
    return document.policy is not None
