"""The expression tree: what a guard, assignment or invariant says, with its column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Node:
    col: int
    """0-based column of the node inside the expression text, for located errors."""


@dataclass(frozen=True, slots=True)
class Const(Node):
    value: Any


@dataclass(frozen=True, slots=True)
class Var(Node):
    name: str


@dataclass(frozen=True, slots=True)
class ListOf(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "not" | "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # + - * / %
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str  # == != < <= > >= in "not in"
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Chain(Node):
    """``a < b <= c`` — every comparison must hold, as in mathematics."""

    parts: tuple[Compare, ...]


@dataclass(frozen=True, slots=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


def names_in(node: Node) -> set[str]:
    """Every field a node reads: the checker and the model checker need them."""
    if isinstance(node, Var):
        return {node.name}
    found: set[str] = set()
    for child in _children(node):
        found |= names_in(child)
    return found


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, ListOf):
        return node.items
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, (Binary, Compare)):
        return (node.left, node.right)
    if isinstance(node, BoolOp):
        return node.operands
    if isinstance(node, Chain):
        return node.parts
    if isinstance(node, Call):
        return node.args
    return ()


def constants_in(node: Node) -> list[Any]:
    """Literal values, so the model checker can try the boundaries a guard names."""
    if isinstance(node, Const):
        return [node.value]
    found: list[Any] = []
    for child in _children(node):
        found += constants_in(child)
    return found
