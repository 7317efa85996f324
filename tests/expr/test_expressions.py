"""The guard language: what it accepts, what it refuses, and where it says the mistake is."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sopflow.errors import EvaluationFailed, ExpressionError
from sopflow.expr import check, compile_expression, field_type, parse
from sopflow.expr.types import BOOL, DECIMAL, INT, STR

ENV = {
    "arrears_months": INT,
    "arrears_amount": DECIMAL,
    "consent": BOOL,
    "name": STR,
    "items": field_type("list[str]"),
    "where": field_type("enum", ["in_office", "out"]),
}


def run(text: str, **data: Any) -> Any:
    node = parse(text)
    check(node, ENV)
    return compile_expression(node)(data)


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        ("arrears_months > 3", {"arrears_months": 4}, True),
        ("arrears_months > 3", {"arrears_months": 3}, False),
        ("0 < arrears_months <= 3", {"arrears_months": 3}, True),
        ("consent and not (arrears_months > 0)", {"consent": True, "arrears_months": 0}, True),
        ("consent or arrears_months > 0", {"consent": False, "arrears_months": 0}, False),
        ("'TV' in items", {"items": ["TV"]}, True),
        ("'TV' not in items", {"items": ["TV"]}, False),
        ("len(items) == 2", {"items": ["a", "b"]}, True),
        ("where == 'out'", {"where": "out"}, True),
        ("where in ['out', 'in_office']", {"where": "out"}, True),
        ("arrears_amount * 2 + 0.5", {"arrears_amount": Decimal("1.25")}, Decimal("3.00")),
        ("arrears_months / 2", {"arrears_months": 3}, Decimal("1.5")),
        ("name + '先生'", {"name": "陳"}, "陳先生"),
        ("consent == null", {}, True),
        ("true", {}, True),
        ("-arrears_months", {"arrears_months": 2}, -2),
    ],
)
def test_expressions_evaluate(text: str, data: dict[str, Any], expected: Any) -> None:
    """Accepted expressions compute what they say."""
    assert expected == run(text, **data)


def test_decimal_literals_keep_their_digits() -> None:
    """`0.1` is the decimal 0.1, not a binary float: money must add up."""
    assert Decimal("0.3") == run("0.1 + 0.2")


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("arrears_monts > 3", "unknown field 'arrears_monts'; did you mean 'arrears_months'?", 1),
        ("where == 'in_ofice'", "'in_ofice' is not one of enum(in_office, out); did you mean 'in_office'?", 10),
        ("arrears_months > 'three'", "'>' needs two numbers (or two texts, dates or times), found int and str", 1),
        ("name * 2", "'*' needs numbers, found str and int", 1),
        ("items.pop()", "only these functions may be called: len", 1),
        ("__import__('os')", "only these functions may be called: len", 1),
        ("items[0]", "indexing is not part of the expression language", 1),
        ("consent is None", "'is' is not supported; compare with '==' or '!='", 1),
        ("len(items, items)", "len() takes exactly one argument, found 2", 1),
        ("[x for x in items]", "'[x for x in items]' is not part of the expression language", 1),
        ("lambda: 1", "'lambda: 1' is not part of the expression language", 1),
    ],
)
def test_bad_expressions_are_located(text: str, message: str, column: int) -> None:
    """Mistakes are refused at load time with a column inside the expression."""
    with pytest.raises(ExpressionError) as caught:
        check(parse(text), ENV)
    assert (message, column) == (caught.value.message, caught.value.column)


def test_syntax_error_names_the_column() -> None:
    """An unfinished expression points at where it stops making sense."""
    with pytest.raises(ExpressionError) as caught:
        parse("arrears_months >")
    assert caught.value.message.startswith("expected an expression")


def test_empty_expression_is_refused() -> None:
    """An empty guard is a mistake, not `true`."""
    with pytest.raises(ExpressionError, match="found nothing"):
        parse("   ")


def test_unset_field_in_comparison_fails_evaluation() -> None:
    """Ordering a field that is not captured yet is an evaluation failure, not a silent False."""
    with pytest.raises(EvaluationFailed, match="not set yet"):
        run("arrears_months > 3")


def test_division_by_zero_fails_evaluation() -> None:
    """Division by zero is reported as an evaluation failure."""
    with pytest.raises(EvaluationFailed, match="division by zero"):
        run("arrears_amount / arrears_months", arrears_amount=Decimal(1), arrears_months=0)
