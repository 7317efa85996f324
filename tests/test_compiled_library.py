"""The bundled library compiles to exactly the recorded form: rewriting its YAML changes nothing that runs."""

from __future__ import annotations

import json
from typing import Any

import pytest

import sopflow
from tests.compiled import DUMPS, canonical

LIBRARY = sopflow.load_library()
VERSIONS = [(pid, version) for pid in LIBRARY for version in LIBRARY.versions(pid)]


def test_every_procedure_has_a_recorded_form() -> None:
    """One dump per bundled procedure version, and no dump of a procedure the library lost."""
    expected = sorted(f"{pid}.v{version}.json" for pid, version in VERSIONS)
    assert expected == sorted(p.name for p in DUMPS.glob("*.json"))


@pytest.mark.parametrize(("pid", "version"), VERSIONS, ids=[f"{p}.v{v}" for p, v in VERSIONS])
def test_compiled_form_is_unchanged(pid: str, version: int) -> None:
    """The compiled procedure equals its recorded canonical JSON form (regenerate: python -m tests.compiled)."""
    recorded = json.loads((DUMPS / f"{pid}.v{version}.json").read_text(encoding="utf-8"))
    now = json.loads(json.dumps(canonical(LIBRARY.get(pid, version)), ensure_ascii=False))
    assert _pruned(recorded) == _pruned(now)


def _pruned(value: Any) -> Any:
    """Without empty containers and nulls: a key the language gained later, left empty, is no change."""
    if isinstance(value, dict):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ({}, [], None)}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value
