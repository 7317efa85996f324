"""Mutated scenario files: whatever an author mangles, only SopflowErrors, located, and never slow.

A scenario is read by the pytest plugin and ``sopflow walk --script`` and then driven step by
step in every language, so a mangled one must stop at a located ScenarioError (or run, and
pass or fail as a scenario) — never a Python exception from the reader, the checker or the
session underneath.
"""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

import sopflow
from sopflow.errors import SopflowError
from sopflow.testing.scenario.load import ScenarioError, parse_scenario
from sopflow.testing.scenario.run import run_scenario
from tests.fuzz.junk import mutated, reshaped

ROOT = Path(__file__).resolve().parent.parent.parent
LIBRARY = sopflow.load_library()
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "scenarios").rglob("*.yaml"))}
BUDGET = 3.0
"""Seconds one scenario may take in all three languages, on this shared machine, before it counts as a hang."""


def unlocated(text: str) -> list[str]:
    """Parse ``text`` and run it in each language; the problems said without a line. Other errors escape."""
    try:
        scenario = parse_scenario(text, "mutant.yaml")
    except ScenarioError as exc:
        return [d.format() for d in exc.diagnostics if d.line is None]
    found = []
    for lang in ("en", "zh-Hant", "zh-Hans"):
        try:
            run_scenario(scenario, LIBRARY, lang)
        except ScenarioError as exc:
            found += [d.format() for d in exc.diagnostics if d.line is None]
        except SopflowError:
            pass  # the scenario ran and failed, or the session refused: a finding, not a crash
    return found


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=mutated(TEXTS))
def test_a_mutated_scenario_gets_located_sopflow_errors_fast(text: str) -> None:
    began = time.perf_counter()
    assert [] == unlocated(text)
    assert time.perf_counter() - began < BUDGET


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=reshaped(TEXTS))
def test_a_reshaped_scenario_gets_located_sopflow_errors_fast(text: str) -> None:
    """Wrong kinds, missing and unknown keys, odd waits and data reach the checker and the session."""
    began = time.perf_counter()
    assert [] == unlocated(text)
    assert time.perf_counter() - began < BUDGET
