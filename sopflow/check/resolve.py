"""A procedure as it will run: its own declarations merged with the glossary and the policies it uses.

Checking and compiling both work on this view. Every element remembers the
document it came from, so a finding about a policy's event used by a
procedure still points into the policy's file. A role or field named from the
glossary is where the procedure names it (its ``origin``) and where the
glossary defines it (``shared``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sopflow.check.glossary import Narrowed, SharedEntries, narrow, tips_cited
from sopflow.check.locate import Origin, finding, hint, locate
from sopflow.diagnostics import Diagnostic
from sopflow.io import LoadedDocument
from sopflow.model import Event, FieldSpec, Ladder, Policy, Procedure, Role, Rule, State, Tip

__all__ = ["Origin", "Resolved", "finding", "locate", "resolve"]

_T = TypeVar("_T")


@dataclass
class Resolved:
    """The merged view of one procedure. ``*_origin`` maps each name to where it was written."""

    spec: Procedure
    doc: LoadedDocument
    roles: dict[str, Role] = field(default_factory=dict)
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    states: dict[str, State] = field(default_factory=dict)
    ladders: dict[str, Ladder] = field(default_factory=dict)
    policy_events: dict[str, Event] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    """The procedure's standing rules and those of the policies it uses."""
    origin: dict[tuple[str, str], Origin] = field(default_factory=dict)
    """(kind, name) -> origin; kind is role, field, state, ladder or policy_event."""
    broken: dict[str, set[str]] = field(default_factory=dict)
    """Names (by kind) whose entries failed validation, here or in a policy used; see :mod:`sopflow.io.salvage`."""
    glossary: SharedEntries = field(default_factory=SharedEntries)
    """The library's glossary, which this procedure's roles, fields and tips were resolved against."""
    shared: dict[tuple[str, str], Origin] = field(default_factory=dict)
    """(kind, name) -> where the glossary defines it, for the roles and fields that come from the glossary."""
    tips: dict[str, Tip] = field(default_factory=dict)
    """The glossary tips its states cite, by id."""

    @property
    def complete(self) -> bool:
        """Whether every part validated; only complete procedures are compiled."""
        return not self.broken

    @property
    def id(self) -> str:
        return self.spec.id

    def where(self, kind: str, name: str) -> Origin:
        return self.origin[(kind, name)]


def resolve(
    doc: LoadedDocument,
    policies: dict[str, tuple[Policy, LoadedDocument]],
    glossary: SharedEntries | None = None,
) -> tuple[Resolved, list[Diagnostic]]:
    """Merge ``doc``'s procedure with the glossary and its policies; report unknown names and clashes.

    Findings about a policy's own entries are left to the caller, which reports them once,
    not once per procedure that uses the policy.
    """
    document = doc.checkable
    assert document is not None
    assert document.procedure is not None
    spec = document.procedure
    shared = glossary if glossary is not None else SharedEntries()
    resolved = Resolved(spec, doc, glossary=shared)
    _merge_broken(resolved, doc.broken, kinds=None)
    problems: list[Diagnostic] = []
    base: tuple[str | int, ...] = ("procedure",)
    for kind, key, target in (("role", "roles", resolved.roles), ("field", "fields", resolved.fields)):
        narrowed = narrow(kind, getattr(spec, key), (doc, (*base, key)), shared)
        problems += narrowed.problems
        _take(resolved, kind, narrowed, target, (doc, (*base, key)), problems)
    _merge(resolved, "state", spec.states, resolved.states, (doc, (*base, "states")), problems)
    _merge(resolved, "ladder", spec.ladders, resolved.ladders, (doc, (*base, "ladders")), problems)
    _merge(resolved, "rule", spec.rules, resolved.rules, (doc, (*base, "rules")), problems)
    resolved.tips, cited = tips_cited(spec.states, (doc, (*base, "states")), shared)
    problems += cited
    for i, policy_id in enumerate(spec.uses):
        if policy_id not in policies:
            message = f"unknown policy '{policy_id}'{hint(policy_id, policies)}"
            problems.append(finding("error", "unknown-policy", message, (doc, base), "uses", i))
            continue
        policy, pdoc = policies[policy_id]
        _merge_broken(resolved, pdoc.broken, kinds=_POLICY_KINDS)
        pbase: tuple[str | int, ...] = ("policy",)
        # The procedure's own declarations win for roles and fields (they may refine titles);
        # a policy's states, ladders and events must not clash with the procedure's.
        for kind, key, target in (("role", "roles", resolved.roles), ("field", "fields", resolved.fields)):
            narrowed = narrow(kind, getattr(policy, key), (pdoc, (*pbase, key)), shared)
            _take(resolved, kind, narrowed, target, (pdoc, (*pbase, key)), problems, quiet=True)
        _merge(resolved, "state", policy.states, resolved.states, (pdoc, (*pbase, "states")), problems)
        _merge(resolved, "ladder", policy.ladders, resolved.ladders, (pdoc, (*pbase, "ladders")), problems)
        _merge(resolved, "rule", policy.rules, resolved.rules, (pdoc, (*pbase, "rules")), problems)
        _merge(
            resolved,
            "policy_event",
            policy.events,
            resolved.policy_events,
            (pdoc, (*pbase, "events")),
            problems,
        )
        resolved.tips |= tips_cited(policy.states, (pdoc, (*pbase, "states")), shared)[0]
    return resolved, problems


def _take(
    resolved: Resolved,
    kind: str,
    narrowed: Narrowed,
    target: dict[str, Any],
    origin: Origin,
    problems: list[Diagnostic],
    *,
    quiet: bool = False,
) -> None:
    """Merge resolved roles or fields, noting which come from the glossary and which failed to resolve."""
    for name in _merge(resolved, kind, narrowed.values, target, origin, problems, quiet=quiet):
        if name in narrowed.shared:
            resolved.shared[(kind, name)] = narrowed.shared[name]
    if narrowed.broken:
        resolved.broken.setdefault(kind, set()).update(narrowed.broken)


_POLICY_KINDS = frozenset({"role", "field", "state", "ladder", "policy_event"})
"""What a policy lends a procedure; its own keys (title, version ...) are no concern of the user."""


def _merge_broken(resolved: Resolved, broken: Mapping[str, frozenset[str]], kinds: frozenset[str] | None) -> None:
    for kind, names in broken.items():
        if kinds is None or kind in kinds:
            resolved.broken.setdefault(kind, set()).update(names)


def _merge(
    resolved: Resolved,
    kind: str,
    source: Mapping[str, _T],
    target: dict[str, _T],
    origin: Origin,
    problems: list[Diagnostic],
    *,
    quiet: bool = False,
) -> list[str]:
    """Add ``source``'s entries to ``target`` (first declaration wins); the names added."""
    added = []
    for name, value in source.items():
        if name in target:
            if not quiet:
                first = locate(resolved.origin[(kind, name)], key=True)
                problems.append(
                    finding(
                        "error",
                        f"duplicate-{kind.replace('_', '-')}",
                        f"{kind.replace('_', ' ')} '{name}' is already declared at {first[0]}:{first[1]}",
                        origin,
                        name,
                        key=True,
                    )
                )
            continue
        target[name] = value
        resolved.origin[(kind, name)] = (origin[0], (*origin[1], name))
        added.append(name)
    return added
