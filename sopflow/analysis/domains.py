"""The finite data an explorer tries: for each field, the values its guards can tell apart.

A guard ``arrears > 0`` splits the integers in three — below, at and above the boundary
— so exploring -1, 0 and 1 covers every way the procedure can go; trying a thousand
other numbers would only repeat them. Each field read by a guard or an invariant gets
the boundary values of the constants it is compared with (one on each side), an enum its
values, a boolean both, a list empty and not; a field nothing reads gets one value, since
no decision depends on it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from sopflow.compile import Procedure
from sopflow.errors import ExpressionError
from sopflow.expr import constants_in, names_in, parse
from sopflow.model import FieldSpec

ABSENT = object()
"""An optional field left out of the event."""

_R = TypeVar("_R")


def _once(compute: Callable[[Procedure], _R]) -> Callable[[Procedure], _R]:
    """Worked out once per compiled procedure, which never changes: the result is shared, never to be changed.

    Exploring, generating, replaying logs and the hypothesis strategies all ask the same
    questions of one procedure; each used to walk its model and parse its guards again.
    """
    key = f"{__name__}.{compute.__name__}"

    @functools.wraps(compute)
    def once(procedure: Procedure) -> _R:
        memo = procedure.memo
        if key not in memo:
            memo[key] = compute(procedure)
        found: _R = memo[key]
        return found

    return once


_SAMPLES: Mapping[str, Any] = {
    "str": "x",
    "int": 1,
    "decimal": "1.00",
    "bool": True,
    "list[str]": ["x"],
    "date": "2026-03-02",
    "time": "09:00",
    "datetime": "2026-03-02T09:00:00+08:00",
}


@_once
def compared_constants(procedure: Procedure) -> dict[str, set[Any]]:
    """Field -> the constants the guards, invariants and call arguments that read it name."""
    read: dict[str, set[Any]] = {}
    for text in _expression_sources(procedure)[0]:
        try:
            node = parse(text)
        except ExpressionError:
            continue
        constants = [c for c in constants_in(node) if c is not None and not isinstance(c, bool)]
        for name in names_in(node):
            read.setdefault(name, set()).update(_hashable(c) for c in constants)
    return read


@_once
def field_domains(procedure: Procedure) -> dict[str, list[Any]]:
    """Field -> the JSON values worth trying, in the order a person would try them."""
    read = compared_constants(procedure)
    return {name: domain(procedure.fields[name], read.get(name)) for name in procedure.fields}


@_once
def bounds(procedure: Procedure) -> dict[str, tuple[Decimal, Decimal]]:
    """Number field -> the range outside which its guards cannot tell two values apart.

    A counter compared only with 2 behaves the same at 3, 4 or 200: configurations are
    compared with such a value held one past the outermost of its constants, zero and its
    default, so a loop that counts is one configuration per region, not one per number.
    It is an abstraction, sound for counters that move by steps of one; the docs say so.
    """
    found: dict[str, tuple[Decimal, Decimal]] = {}
    for name, constants in compared_constants(procedure).items():
        spec = procedure.fields.get(name)
        if spec is None or spec.type not in ("int", "decimal"):
            continue
        numbers = [Decimal(c) for c in constants if isinstance(c, (int, Decimal)) and not isinstance(c, bool)]
        numbers.append(Decimal(0))
        if isinstance(spec.default, (int, Decimal)) and not isinstance(spec.default, bool):
            numbers.append(Decimal(spec.default))  # a count starting at its default is never held there
        step = Decimal(1) if spec.type == "int" else Decimal("0.01")
        found[name] = (min(numbers) - step, max(numbers) + step)
    return found


def domain(spec: FieldSpec, constants: Iterable[Any] | None) -> list[Any]:
    """The values of one field to try; ``constants`` are those its guards compare it with (``None``: unread)."""
    kind = spec.type
    if constants is None:
        return [_sample(spec)]
    if kind == "bool":
        return [True, False]
    if kind == "enum":
        return list(spec.values or ())
    if kind == "list[str]":
        sizes = {0, 1} | {
            n for c in constants if isinstance(c, int) and not isinstance(c, bool) for n in (c - 1, c, c + 1)
        }
        return [[f"x{i}" for i in range(1, n + 1)] for n in sorted(n for n in sizes if 0 <= n <= 8)]
    if kind in ("int", "decimal"):
        step = Decimal(1) if kind == "int" else Decimal("0.01")
        points: set[Decimal] = {Decimal(0), Decimal(1)}  # two values, for a field compared with another
        for c in constants:
            if isinstance(c, (int, Decimal)):
                points |= {Decimal(c) - step, Decimal(c), Decimal(c) + step}
        low, high = spec.minimum, spec.maximum
        kept = [p for p in sorted(points) if (low is None or p >= low) and (high is None or p <= high)]
        edge = [b for b in (low, high) if b is not None][:1]
        return [int(p) if kind == "int" else str(p) for p in kept or edge]
    if kind == "str":
        words = sorted(str(c) for c in constants if isinstance(c, str))
        return [*words, "other"]
    if kind in ("date", "time", "datetime"):
        found = sorted({_iso(c) for c in constants if isinstance(c, (dt.date, dt.time, str))})
        return found or _LATER[kind]  # compared with another field: one earlier, one later
    return [_sample(spec)]


@_once
def relevant_fields(procedure: Procedure) -> tuple[frozenset[str], frozenset[str]]:
    """(fields whose value can change where the procedure goes, fields whose presence can).

    A counter only ever incremented (``tea_refills + 1``) decides nothing; keeping it in a
    configuration would make a loop through the same states look new each time round, and
    the exploration endless. A field matters if a guard, an invariant or a call's argument
    reads it, or if an assignment to a field that matters reads it; a field a state
    ``requires`` matters only as set or not.
    """
    guards, assignments, requires = _expression_sources(procedure)
    read: set[str] = set()
    for text in guards:
        read |= _names(text)
    changed = True
    while changed:
        changed = False
        for target, text in assignments:
            if target in read:
                new = _names(text) - read
                if new:
                    read |= new
                    changed = True
    fields = set(procedure.fields)
    return frozenset(read & fields), frozenset(requires & fields - read)


def _expression_sources(procedure: Procedure) -> tuple[list[str], list[tuple[str, str]], set[str]]:
    """Guard-like texts (guards, invariants, call arguments), assignments and required fields, as written."""
    guards = [text for _, text, _ in procedure.invariants]
    assignments: list[tuple[str, str]] = []
    requires: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, BaseModel):
            guard = getattr(node, "if_", None)
            if isinstance(guard, str):
                guards.append(guard)
            for attr in ("set", "with_"):
                value = getattr(node, attr, None)
                if isinstance(value, dict):
                    if attr == "set":
                        assignments.extend((k, v) for k, v in value.items() if isinstance(v, str))
                    else:
                        guards.extend(v for v in value.values() if isinstance(v, str))
            needed = getattr(node, "requires", None)
            if isinstance(needed, list):
                requires.update(n for n in needed if isinstance(n, str))
            for name in type(node).model_fields:
                walk(getattr(node, name))
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    resolved = procedure.resolved
    guards += [p.while_ for p in resolved.spec.properties.values() if p.while_ is not None]
    walk(list(resolved.states.values()))
    walk(list(resolved.policy_events.values()))
    return guards, assignments, requires


def _names(text: str) -> set[str]:
    try:
        return names_in(parse(text))
    except ExpressionError:
        return set()


_LATER: Mapping[str, list[Any]] = {
    "date": ["2026-03-02", "2026-03-03"],
    "time": ["09:00", "10:00"],
    "datetime": ["2026-03-02T09:00:00+08:00", "2026-03-02T10:00:00+08:00"],
}


def _sample(spec: FieldSpec) -> Any:
    if spec.default is not None:
        return _json(spec.default)
    if spec.type == "enum":
        return (spec.values or ["x"])[0]
    return _SAMPLES.get(spec.type, "x")


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else str(value)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
