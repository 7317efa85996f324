"""A procedure as it will run: its own declarations merged with the policies it uses.

Checking and compiling both work on this view. Every element remembers the
document it came from, so a finding about a policy's event used by a
procedure still points into the policy's file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from sopflow.diagnostics import Diagnostic, Severity
from sopflow.io import LoadedDocument
from sopflow.model import Event, FieldSpec, Ladder, Policy, Procedure, Role, Rule, State

Origin = tuple[LoadedDocument, tuple[str | int, ...]]
_T = TypeVar("_T")


def locate(origin: Origin, *sub: str | int, key: bool = False) -> tuple[str, int | None, int | None, str]:
    doc, base = origin
    path = (*base, *sub)
    line_col = doc.positions.locate(path, key=key)
    line, col = line_col or (None, None)
    return doc.source, line, col, ".".join(map(str, path))


def finding(
    severity: Severity, code: str, message: str, origin: Origin, *sub: str | int, key: bool = False
) -> Diagnostic:
    source, line, col, path = locate(origin, *sub, key=key)
    return Diagnostic(severity, code, message, source, line, col, path)


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
    doc: LoadedDocument, policies: dict[str, tuple[Policy, LoadedDocument]]
) -> tuple[Resolved, list[Diagnostic]]:
    """Merge ``doc``'s procedure with its policies; report unknown policies and clashes."""
    document = doc.checkable
    assert document is not None
    assert document.procedure is not None
    spec = document.procedure
    resolved = Resolved(spec, doc)
    _merge_broken(resolved, doc.broken, kinds=None)
    problems: list[Diagnostic] = []
    base: tuple[str | int, ...] = ("procedure",)
    _merge(resolved, "role", spec.roles, resolved.roles, (doc, (*base, "roles")), problems)
    _merge(resolved, "field", spec.fields, resolved.fields, (doc, (*base, "fields")), problems)
    _merge(resolved, "state", spec.states, resolved.states, (doc, (*base, "states")), problems)
    _merge(resolved, "ladder", spec.ladders, resolved.ladders, (doc, (*base, "ladders")), problems)
    _merge(resolved, "rule", spec.rules, resolved.rules, (doc, (*base, "rules")), problems)
    for i, policy_id in enumerate(spec.uses):
        if policy_id not in policies:
            hint = _hint(policy_id, policies)
            problems.append(
                finding("error", "unknown-policy", f"unknown policy '{policy_id}'{hint}", (doc, base), "uses", i)
            )
            continue
        policy, pdoc = policies[policy_id]
        _merge_broken(resolved, pdoc.broken, kinds=_POLICY_KINDS)
        pbase: tuple[str | int, ...] = ("policy",)
        # The procedure's own declarations win for roles and fields (they may refine titles);
        # a policy's states, ladders and events must not clash with the procedure's.
        _merge(resolved, "role", policy.roles, resolved.roles, (pdoc, (*pbase, "roles")), problems, quiet=True)
        _merge(
            resolved,
            "field",
            policy.fields,
            resolved.fields,
            (pdoc, (*pbase, "fields")),
            problems,
            quiet=True,
        )
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
    return resolved, problems


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
) -> None:
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


def _hint(name: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
