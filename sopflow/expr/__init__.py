"""The guard language: parse, type-check and compile side-effect-free expressions."""

from sopflow.expr.evaluate import Evaluator, compile_expression
from sopflow.expr.nodes import Node, constants_in, names_in
from sopflow.expr.parse import parse
from sopflow.expr.types import Type, assignable, check, field_type

__all__ = [
    "Evaluator",
    "Node",
    "Type",
    "assignable",
    "check",
    "compile_expression",
    "constants_in",
    "field_type",
    "names_in",
    "parse",
]
