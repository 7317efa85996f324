"""Parse the guard language with Python's own parser, then keep only an allowlist.

``ast.parse`` only builds a tree: nothing is executed. Every node type outside
the allowlist (attribute access, subscripts, lambdas, comprehensions, calls
other than the few built-ins below) is a located error, so text from YAML can
never reach ``eval``.
"""

from __future__ import annotations

import ast
from decimal import Decimal
from functools import lru_cache

from sopflow.errors import ExpressionError
from sopflow.expr.nodes import Binary, BoolOp, Call, Chain, Compare, Const, ListOf, Node, Unary, Var
from sopflow.model.limits import MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH

FUNCTIONS = frozenset({"len"})
_LITERAL_NAMES = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}
_COMPARE = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}


class _Rejected(ExpressionError):
    """Raised deep in the conversion; ``parse`` re-raises it as a located ExpressionError."""

    def __init__(self, message: str, col: int) -> None:
        super().__init__(message, column=col + 1)
        self.col = col


@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """Parse one expression; raise :class:`ExpressionError` whose column points into ``text``."""
    source = text.strip()
    if not source:
        raise ExpressionError("expected an expression, found nothing", column=1)
    if len(source) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(
            f"an expression may be {MAX_EXPRESSION_CHARS:,} characters long, found {len(source):,}; "
            "split the rule into named fields or states",
            column=1,
        )
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        col = (exc.offset or 1) if exc.lineno == 1 else 1
        raise ExpressionError(f"expected an expression: {exc.msg}", column=col) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(
            "expected an expression Python's parser can read: it nests too deeply", column=1
        ) from None
    try:
        return _convert(tree.body, source)
    except _Rejected as exc:
        raise ExpressionError(exc.message, column=exc.col + 1) from None


def _convert(node: ast.expr, source: str, depth: int = 0) -> Node:
    if depth > MAX_EXPRESSION_DEPTH:
        raise _Rejected(
            f"operators nest more than {MAX_EXPRESSION_DEPTH} deep here; split the expression", node.col_offset
        )
    depth += 1
    col = node.col_offset
    if isinstance(node, ast.Constant):
        value: object = node.value
        if isinstance(value, float):
            # Decimal from the written digits: money must not pass through binary floats.
            value = Decimal(ast.get_source_segment(source, node) or repr(value))
        if value is not None and not isinstance(value, (bool, int, str, Decimal)):
            raise _Rejected(f"unsupported literal {value!r}", col)
        return Const(col, value)
    if isinstance(node, ast.Name):
        if node.id in _LITERAL_NAMES:
            return Const(col, _LITERAL_NAMES[node.id])
        return Var(col, node.id)
    if isinstance(node, (ast.List, ast.Tuple)):
        return ListOf(col, tuple(_convert(item, source, depth) for item in node.elts))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        return Unary(col, "not" if isinstance(node.op, ast.Not) else "-", _convert(node.operand, source, depth))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return Binary(
            col, _BINARY[type(node.op)], _convert(node.left, source, depth), _convert(node.right, source, depth)
        )
    if isinstance(node, ast.BoolOp):
        op = "and" if isinstance(node.op, ast.And) else "or"
        return BoolOp(col, op, tuple(_convert(v, source, depth) for v in node.values))
    if isinstance(node, ast.Compare):
        parts = []
        left = _convert(node.left, source, depth)
        for cmp_op, right_node in zip(node.ops, node.comparators, strict=True):
            if type(cmp_op) not in _COMPARE:
                raise _Rejected("'is' is not supported; compare with '==' or '!='", col)
            right = _convert(right_node, source, depth)
            parts.append(Compare(left.col, _COMPARE[type(cmp_op)], left, right))
            left = right
        return parts[0] if len(parts) == 1 else Chain(col, tuple(parts))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
            raise _Rejected(f"only these functions may be called: {', '.join(sorted(FUNCTIONS))}", col)
        return Call(col, node.func.id, tuple(_convert(a, source, depth) for a in node.args))
    if isinstance(node, ast.Attribute):
        raise _Rejected("attribute access is not part of the expression language", col)
    if isinstance(node, ast.Subscript):
        raise _Rejected("indexing is not part of the expression language", col)
    raise _Rejected(f"'{ast.get_source_segment(source, node)}' is not part of the expression language", col)
