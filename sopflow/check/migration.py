"""A version's `migrate` section is checked against the version it moves sessions from.

The checker proves the mapping complete and type-safe before any session moves: every
non-final state of the old version goes somewhere (or is pinned), every target exists,
every field keeps its type, and no value is dropped unless the author said so.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from sopflow.check.resolve import Origin, Resolved, finding
from sopflow.diagnostics import Diagnostic
from sopflow.model import FieldSpec


def check_migrations(procedures: dict[tuple[str, int], Resolved]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for (pid, version), new in procedures.items():
        plan = new.spec.migrate
        if plan is None:
            continue
        base = (new.doc, ("procedure", "migrate"))
        old = procedures.get((pid, plan.from_))
        if plan.from_ >= version:
            problems.append(
                finding("error", "migration", f"a version migrates from an earlier one, not {plan.from_}", base, "from")
            )
            continue
        if old is None:
            message = f"version {plan.from_} of '{pid}' is not in the library, so this migration cannot be checked"
            problems.append(finding("error", "migration", message, base, "from"))
            continue
        problems += _states(old, new, base)
        problems += _fields(old, new, base)
    return problems


def _states(old: Resolved, new: Resolved, base: Origin) -> list[Diagnostic]:
    plan = new.spec.migrate
    assert plan is not None
    out: list[Diagnostic] = []
    open_states = {n for n, s in old.states.items() if s.final is None}
    for name, target in plan.states.items():
        if name not in old.states:
            out.append(
                finding(
                    "error",
                    "migration",
                    f"version {plan.from_} has no state '{name}'{_hint(name, old.states)}",
                    base,
                    "states",
                    name,
                )
            )
        if target not in new.states:
            out.append(
                finding(
                    "error",
                    "migration",
                    f"this version has no state '{target}'{_hint(target, new.states)}",
                    base,
                    "states",
                    name,
                )
            )
        elif new.states[target].final is not None and name in open_states:
            out.append(
                finding(
                    "error",
                    "migration",
                    f"an open session cannot move into the final state '{target}'",
                    base,
                    "states",
                    name,
                )
            )
    for i, name in enumerate(plan.pin):
        if name not in old.states:
            out.append(
                finding(
                    "error",
                    "migration",
                    f"version {plan.from_} has no state '{name}'{_hint(name, old.states)}",
                    base,
                    "pin",
                    i,
                )
            )
        elif name in plan.states:
            out.append(finding("error", "migration", f"state '{name}' is both moved and pinned", base, "pin", i))
    missing = sorted(open_states - set(plan.states) - set(plan.pin))
    if missing:
        message = (
            f"open sessions of version {plan.from_} may be in {', '.join(map(repr, missing))}: "
            "map each under 'states', or list it under 'pin'"
        )
        out.append(finding("error", "migration", message, base, "states", key=True))
    return out


def _fields(old: Resolved, new: Resolved, base: Origin) -> list[Diagnostic]:
    plan = new.spec.migrate
    assert plan is not None
    out: list[Diagnostic] = []
    renamed = dict(plan.fields)
    for name, target in renamed.items():
        if name not in old.fields:
            out.append(
                finding(
                    "error",
                    "migration",
                    f"version {plan.from_} has no field '{name}'{_hint(name, old.fields)}",
                    base,
                    "fields",
                    name,
                )
            )
        elif target not in new.fields:
            out.append(
                finding(
                    "error",
                    "migration",
                    f"this version has no field '{target}'{_hint(target, new.fields)}",
                    base,
                    "fields",
                    name,
                )
            )
        elif not compatible(old.fields[name], new.fields[target]):
            out.append(
                finding(
                    "error",
                    "migration",
                    _type_message(name, old.fields[name], target, new.fields[target]),
                    base,
                    "fields",
                    name,
                )
            )
    for i, name in enumerate(plan.drop):
        if name not in old.fields:
            out.append(finding("error", "migration", f"version {plan.from_} has no field '{name}'", base, "drop", i))
    for name, spec in old.fields.items():
        if name in renamed or name in plan.drop:
            continue
        if name not in new.fields:
            message = (
                f"field '{name}' of version {plan.from_} is gone: rename it under 'fields', or list it under 'drop'"
            )
            out.append(finding("error", "migration", message, base, key=True))
        elif not compatible(spec, new.fields[name]):
            out.append(finding("error", "migration", _type_message(name, spec, name, new.fields[name]), base, key=True))
    return out


def compatible(old: FieldSpec, new: FieldSpec) -> bool:
    """Every value the old field may hold is a value of the new one (and privacy is never lost)."""
    if old.type != new.type or (old.private and not new.private):
        return False
    return old.type != "enum" or set(old.values or ()) <= set(new.values or ())


def _type_message(old_name: str, old: FieldSpec, new_name: str, new: FieldSpec) -> str:
    if old.private and not new.private:
        return f"field '{old_name}' is private; '{new_name}' must stay private"
    return f"field '{old_name}' ({old.type}) cannot hold as '{new_name}' ({new.type}): every old value must fit"


def _hint(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
