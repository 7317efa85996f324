"""The docs are executed: every procedure example loads, every hosting example runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sopflow

DOCS = Path(__file__).parent.parent / "docs"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(name: str, language: str) -> list[str]:
    return [body for lang, body in FENCE.findall((DOCS / name).read_text(encoding="utf-8")) if lang == language]


def test_language_examples_load_and_check() -> None:
    """Every complete document in language.md loads and passes the checker together."""
    documents = [b for b in blocks("language.md", "yaml") if b.startswith("sopflow: 1")]
    library = sopflow.load_string(*documents, source="docs/language.md")
    assert ["docs.farewell", "docs.inquiry", "docs.start_data"] == list(library)


def test_hosting_examples_run_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    """The hosting guide's Python runs top to bottom against the bundled library."""
    namespace: dict[str, object] = {}
    for code in blocks("hosting.md", "python"):
        exec(compile(code, "docs/hosting.md", "exec"), namespace)  # our own docs, not user input
    assert "RoleNotAllowed" not in capsys.readouterr().err
