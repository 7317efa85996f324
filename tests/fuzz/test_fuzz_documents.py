"""Mutated procedure files: only located SopflowErrors, each document answered within a time budget."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sopflow
from sopflow.errors import ProcedureInvalid, SopflowError
from tests.fuzz.junk import mutated, reshaped

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


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=reshaped(TEXTS))
def test_a_reshaped_document_gets_located_sopflow_errors(text: str) -> None:
    """Wrong types, missing and unknown keys reach the schema and the checker: located errors only."""
    began = time.perf_counter()
    assert [] == unlocated(text, "reshaped.yaml")
    assert time.perf_counter() - began < BUDGET
