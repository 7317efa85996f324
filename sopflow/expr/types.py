"""Type-check expressions against a procedure's declared fields, before any session runs.

A guard that compares a number with a word, or an enum with a value it cannot
hold, is a mistake in the procedure; it is reported with its column at load
time instead of surfacing as a wrong branch at the desk.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sopflow.errors import ExpressionError
from sopflow.expr.nodes import Binary, BoolOp, Call, Chain, Compare, Const, ListOf, Node, Unary, Var

NUMERIC = frozenset({"int", "decimal"})
ORDERED = frozenset({"int", "decimal", "str", "date", "time", "datetime"})


@dataclass(frozen=True, slots=True)
class Type:
    """A value's type; ``values`` for enums, ``item`` for lists."""

    kind: str
    values: frozenset[str] | None = None
    item: Type | None = None

    def __str__(self) -> str:
        if self.kind == "enum" and self.values is not None:
            return "enum(" + ", ".join(sorted(self.values)) + ")"
        if self.kind == "list":
            return f"list[{self.item}]"
        return self.kind


BOOL, INT, DECIMAL, STR, NULL = Type("bool"), Type("int"), Type("decimal"), Type("str"), Type("null")
LIST_STR = Type("list", item=STR)
ANY = Type("any")


def field_type(kind: str, values: list[str] | None = None) -> Type:
    """The checker's view of a declared field type."""
    if kind == "enum":
        return Type("enum", frozenset(values or ()))
    if kind == "list[str]":
        return LIST_STR
    return Type(kind)


def check(node: Node, env: dict[str, Type]) -> Type:
    """Return the type of ``node`` or raise a located :class:`ExpressionError`."""
    if isinstance(node, Const):
        return _const_type(node.value)
    if isinstance(node, Var):
        if node.name not in env:
            raise _error(node, f"unknown field '{node.name}'{_did_you_mean(node.name, env)}")
        return env[node.name]
    if isinstance(node, ListOf):
        items = [check(i, env) for i in node.items]
        item = items[0] if items else STR
        for i, t in zip(node.items, items, strict=True):
            if not _comparable(item, t):
                raise _error(i, f"a list holds one type; found {item} and {t}")
        return Type("list", item=Type("str") if item.kind == "enum" else item)
    if isinstance(node, Unary):
        operand = check(node.operand, env)
        if node.op == "not":
            return BOOL
        if operand.kind not in NUMERIC:
            raise _error(node, f"'-' needs a number, found {operand}")
        return operand
    if isinstance(node, Binary):
        return _binary(node, check(node.left, env), check(node.right, env))
    if isinstance(node, BoolOp):
        for sub in node.operands:
            check(sub, env)
        return BOOL
    if isinstance(node, Compare):
        _compare(node, check(node.left, env), check(node.right, env))
        return BOOL
    if isinstance(node, Chain):
        for part in node.parts:
            check(part, env)
        return BOOL
    if isinstance(node, Call):
        return _call(node, [check(a, env) for a in node.args])
    raise _error(node, f"unsupported expression {node!r}")  # pragma: no cover - parse() allowlists


def assignable(target: Type, value: Type, node: Node) -> None:
    """Check that ``value`` may be stored in a field of type ``target``."""
    if value.kind == "null" or target == value:
        return
    if target.kind == "decimal" and value.kind == "int":
        return
    if target.kind == "str" and value.kind == "enum":
        return  # widening: every enum value is a text (e.g. storing `state` in a note)
    if target.kind == "enum" and value.kind in {"str", "enum"}:
        _enum_literal(target, node)
        if (
            value.kind == "enum"
            and value.values is not None
            and target.values is not None
            and not value.values <= target.values
        ):
            raise _error(node, f"cannot store {value} in a field of type {target}")
        return
    if target.kind == "list" and value.kind == "list":
        return
    raise _error(node, f"cannot store {value} in a field of type {target}")


def _const_type(value: object) -> Type:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, Decimal):
        return DECIMAL
    return STR


def _binary(node: Binary, left: Type, right: Type) -> Type:
    if node.op == "+" and left.kind == right.kind and left.kind in {"str", "list"}:
        return left
    if left.kind not in NUMERIC or right.kind not in NUMERIC:
        raise _error(node, f"'{node.op}' needs numbers, found {left} and {right}")
    if node.op == "/" or DECIMAL in (left, right):
        return DECIMAL
    return INT


def _compare(node: Compare, left: Type, right: Type) -> None:
    if node.op in {"in", "not in"}:
        if right.kind == "list":
            assert right.item is not None
            if not _comparable(left, right.item):
                raise _error(node, f"'{node.op}' looks for {left} in {right}")
            if left.kind == "enum" and isinstance(node.right, ListOf):
                for item in node.right.items:
                    _enum_literal(left, item)
            return
        if right.kind == "str" and left.kind in {"str", "enum"}:
            return
        raise _error(node.right, f"'{node.op}' needs a list or text on the right, found {right}")
    if node.op in {"==", "!="}:
        if not _comparable(left, right):
            raise _error(node, f"cannot compare {left} with {right}")
        if left.kind == "enum":
            _enum_literal(left, node.right)
        if right.kind == "enum":
            _enum_literal(right, node.left)
        return
    if left.kind in NUMERIC and right.kind in NUMERIC:
        return
    if left.kind == right.kind and left.kind in ORDERED:
        return
    raise _error(node, f"'{node.op}' needs two numbers (or two texts, dates or times), found {left} and {right}")


def _comparable(left: Type, right: Type) -> bool:
    if NULL in (left, right) or left == right:
        return True
    if left.kind in NUMERIC and right.kind in NUMERIC:
        return True
    return {left.kind, right.kind} <= {"enum", "str"}


def _enum_literal(enum: Type, node: Node) -> None:
    if (
        isinstance(node, Const)
        and isinstance(node.value, str)
        and enum.values is not None
        and node.value not in enum.values
    ):
        hint = _did_you_mean(node.value, enum.values)
        raise _error(node, f"'{node.value}' is not one of {enum}{hint}")


def _call(node: Call, args: list[Type]) -> Type:
    if len(args) != 1:
        raise _error(node, f"{node.func}() takes exactly one argument, found {len(args)}")
    if args[0].kind not in {"list", "str"}:
        raise _error(node, f"{node.func}() needs a list or text, found {args[0]}")
    return INT


def _did_you_mean(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _error(node: Node, message: str) -> ExpressionError:
    return ExpressionError(message, column=node.col + 1)
