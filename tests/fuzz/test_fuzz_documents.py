"""Mutated procedure files: only located SopflowErrors, each document answered within a time budget."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sopflow
from sopflow.errors import ProcedureInvalid, SopflowError
from tests.fuzz.junk import mutated

ROOT = Path(__file__).resolve().parent.parent.parent
SEEDS = sorted((ROOT / "procedures").rglob("*.yaml")) + sorted((ROOT / "tests" / "fixtures").glob("*.yaml"))
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in SEEDS}
BUDGET = 3.0
"""Seconds one document may take, on this shared machine, before it counts as a hang."""


def unlocated(text: str, source: str) -> list[str]:
    """Load ``text``; the problems reported without a line (none expected). Anything but a SopflowError escapes."""
    try:
        sopflow.load_string(text, source=source)
    except ProcedureInvalid as exc:
        return [d.format() for d in exc.diagnostics if d.line is None]
    except SopflowError:
        return []
    return []


@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=mutated(TEXTS))
def test_a_mutated_document_gets_located_sopflow_errors_fast(text: str) -> None:
    """Whatever the mutation: it loads, or every problem is a SopflowError with a line; never slow."""
    began = time.perf_counter()
    assert [] == unlocated(text, "mutant.yaml")
    assert time.perf_counter() - began < BUDGET


@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=400))
def test_arbitrary_text_gets_a_sopflow_error(text: str) -> None:
    """Not even YAML: a located SopflowError, never a Python exception."""
    assert [] == unlocated(text, "noise.yaml")


def test_the_billion_laughs_is_refused_at_once() -> None:
    """Nine levels of nine aliases each: refused before anything is expanded."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    began = time.perf_counter()
    with pytest.raises(ProcedureInvalid, match="past 1,000,000"):
        sopflow.load_string("\n".join(lines))
    assert time.perf_counter() - began < 0.5


VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.sampled_from(["", "x", "done", "a > 0", "{unit}", "3 minutes", "zh-Hant", "completed", "9" * 50]),
        st.text(max_size=12),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*path, i))
    return out


@st.composite
def reshaped(draw: st.DrawFn) -> str:
    """A document whose data (not its text) was changed: a value replaced, a key dropped or renamed."""
    data = yaml.safe_load(TEXTS[draw(st.sampled_from(sorted(TEXTS)))])
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        how = draw(st.sampled_from(["replace", "drop", "rename"]))
        if how == "replace":
            parent[path[-1]] = draw(VALUES)
        elif how == "drop":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = parent.pop(path[-1])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=reshaped())
def test_a_reshaped_document_gets_located_sopflow_errors(text: str) -> None:
    """Wrong types, missing and unknown keys reach the schema and the checker: located errors only."""
    began = time.perf_counter()
    assert [] == unlocated(text, "reshaped.yaml")
    assert time.perf_counter() - began < BUDGET
