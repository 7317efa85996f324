"""The state graph's questions, answered in time linear in its size."""

from __future__ import annotations

import pytest

from sopflow.analysis.graph import on_cycles


@pytest.mark.parametrize(
    ("edges", "cyclic"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, set()),  # a chain
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, {"a", "b", "c"}),  # a ring
        ({"a": {"a"}, "b": {"a"}}, {"a"}),  # a state back to itself
        ({"a": {"b"}, "b": {"a", "c"}, "c": {"d"}, "d": {"c", "e"}}, {"a", "b", "c", "d"}),  # two rings in a row
        ({"a": {"b"}}, set()),  # a state only ever a target
    ],
    ids=["chain", "ring", "self", "two rings", "target only"],
)
def test_the_states_on_a_cycle(edges: dict[str, set[str]], cyclic: set[str]) -> None:
    assert cyclic == on_cycles(edges)


def test_a_chain_of_a_hundred_thousand_states_needs_no_recursion() -> None:
    """Without recursion: a depth-first search by recursion would stop at Python's limit of about a thousand."""
    n = 100_000
    chain = {f"s{i}": {f"s{i + 1}"} for i in range(n)}
    assert set() == on_cycles(chain)
    chain[f"s{n}"] = {"s0"}
    assert n + 1 == len(on_cycles(chain))
