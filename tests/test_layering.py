"""Imports flow one way, down the pipeline: load → check → compile → run → store → analyse → show."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sopflow"

LEAVES = {"__about__", "diagnostics", "errors", "model", "expr"}
"""Modules every layer may import; they import nothing of sopflow above them."""

ALLOWED: dict[str, set[str]] = {
    "__about__": set(),
    "model": set(),
    "diagnostics": set(),
    "errors": {"diagnostics"},
    "expr": {"errors", "diagnostics", "model"},
    "io": {"model", "errors", "diagnostics"},
    "calendar": set(),
    "check": {"io"},
    "compile": {"check", "calendar"},
    "runtime": {"compile", "calendar"},
    "library_cache": {"calendar"},
    "library": {"io", "check", "compile", "runtime", "calendar", "library_cache"},
    "store": {"compile", "runtime", "library", "calendar"},
    "analysis": {"io", "check", "compile", "runtime", "library", "store", "calendar"},
    "render": {"compile", "runtime", "analysis", "calendar"},
    "testing": {"io", "check", "compile", "runtime", "library", "store", "analysis", "render", "calendar"},
    "translate": {"io", "check", "analysis"},
    "cli": {
        "io",
        "check",
        "compile",
        "runtime",
        "library",
        "store",
        "analysis",
        "render",
        "testing",
        "translate",
        "calendar",
        "library_cache",
    },
    "__init__": {"compile", "runtime", "library", "store", "calendar"},
    "__main__": {"cli"},
}
"""Layer -> the layers above the leaves it may import."""


def layer_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def imported_layers(path: Path) -> set[str]:
    """Every sopflow layer a module imports, at module level, in functions or under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] != "sopflow" or len(parts) == 1:
                continue
            target = PACKAGE / parts[1]
            if target.is_dir() or target.with_suffix(".py").exists():
                found.add(parts[1])
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "_bundled" not in p.parts)


def test_every_layer_is_known() -> None:
    """A new top-level module or package must be placed in the layering before it lands."""
    assert set() == {layer_of(p) for p in MODULES} - set(ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_down(path: Path) -> None:
    """A module imports only its own layer, the leaves, and the layers below it."""
    layer = layer_of(path)
    allowed = ALLOWED[layer] | LEAVES | {layer}
    if layer in LEAVES:
        allowed = ALLOWED[layer] | {layer}
    assert set() == imported_layers(path) - allowed
