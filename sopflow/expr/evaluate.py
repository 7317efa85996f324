"""Turn a checked expression into a plain Python closure, once, at compile time.

Closures keep a guard evaluation to a few function calls, which is what lets
the IR table step at dictionary speed. Nothing here ever calls ``eval``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from weakref import WeakKeyDictionary

from sopflow.errors import EvaluationFailed
from sopflow.expr.nodes import Binary, BoolOp, Call, Chain, Compare, Const, ListOf, Node, Unary, Var

Evaluator = Callable[[Mapping[str, Any]], Any]

_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "%": operator.mod,
}
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


_SOURCES: WeakKeyDictionary[Evaluator, Node] = WeakKeyDictionary()


def compile_expression(node: Node) -> Evaluator:
    """Build the evaluator of a parsed (and type-checked) expression.

    The closure remembers the expression it came from (see :func:`source_of`): a closure
    cannot be pickled, but a cached library can keep the expression and compile it again.
    """
    evaluator = _compile(node)
    _SOURCES[evaluator] = node
    return evaluator


def source_of(evaluator: object) -> Node | None:
    """The expression :func:`compile_expression` built ``evaluator`` from (``None`` for any other object)."""
    if not callable(evaluator):
        return None
    try:
        return _SOURCES.get(evaluator)
    except TypeError:  # not weakly referenceable, so not one of ours
        return None


def _compile(node: Node) -> Evaluator:
    if isinstance(node, Const):
        value = node.value
        return lambda ctx: value
    if isinstance(node, Var):
        name = node.name
        return lambda ctx: ctx.get(name)
    if isinstance(node, ListOf):
        items = [_compile(i) for i in node.items]
        return lambda ctx: [i(ctx) for i in items]
    if isinstance(node, Unary):
        operand = _compile(node.operand)
        if node.op == "not":
            return lambda ctx: not operand(ctx)
        return lambda ctx: -_number(operand(ctx), "-")
    if isinstance(node, Binary):
        return _binary(node.op, _compile(node.left), _compile(node.right))
    if isinstance(node, BoolOp):
        operands = [_compile(o) for o in node.operands]
        if node.op == "and":
            return lambda ctx: all(o(ctx) for o in operands)
        return lambda ctx: any(o(ctx) for o in operands)
    if isinstance(node, Compare):
        return _compare(node.op, _compile(node.left), _compile(node.right))
    if isinstance(node, Chain):
        parts = [_compile(p) for p in node.parts]
        return lambda ctx: all(p(ctx) for p in parts)
    if isinstance(node, Call):
        arg = _compile(node.args[0])
        return lambda ctx: len(_present(arg(ctx), "len()"))
    raise TypeError(f"cannot compile {node!r}")  # pragma: no cover - parse() allowlists


def _binary(op: str, left: Evaluator, right: Evaluator) -> Evaluator:
    if op == "/":

        def divide(ctx: Mapping[str, Any]) -> Any:
            divisor = Decimal(_number(right(ctx), op))
            if not divisor:
                raise EvaluationFailed("division by zero")
            return Decimal(_number(left(ctx), op)) / divisor

        return divide
    fn = _ARITHMETIC[op]

    def arithmetic(ctx: Mapping[str, Any]) -> Any:
        a, b = left(ctx), right(ctx)
        if isinstance(a, (str, list)) and op == "+":
            return fn(a, b)
        return fn(_number(a, op), _number(b, op))

    return arithmetic


def _compare(op: str, left: Evaluator, right: Evaluator) -> Evaluator:
    if op == "==":
        return lambda ctx: left(ctx) == right(ctx)
    if op == "!=":
        return lambda ctx: left(ctx) != right(ctx)
    if op in {"in", "not in"}:
        negate = op == "not in"

        def contains(ctx: Mapping[str, Any]) -> bool:
            return (left(ctx) in _present(right(ctx), op)) != negate

        return contains
    fn = _ORDER[op]
    return lambda ctx: fn(_present(left(ctx), op), _present(right(ctx), op))


def _present(value: Any, op: str) -> Any:
    if value is None:
        raise EvaluationFailed(f"'{op}' on a field that is not set yet")
    return value


def _number(value: Any, op: str) -> Any:
    if value is None:
        raise EvaluationFailed(f"'{op}' on a field that is not set yet")
    return value
