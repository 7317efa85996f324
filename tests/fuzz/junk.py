"""Junk for fuzzing: arguments of every wrong kind a host can pass, and YAML files an author mangled."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st


def junk(*near_misses: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Plain values of every JSON-ish kind and datetimes, and ``near_misses``: values of the right
    kind for some argument (an id, a clock, a procedure) that land where another one is expected."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 5),
        st.floats(),
        st.text(max_size=6),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        st.datetimes(),
        *near_misses,
    )


NASTY = [
    "\x00",
    "\x07",
    "\ud800",
    "&a [*a]",
    "[" * 300,
    "{a: " * 200,
    "9" * 5000,
    "'" + "x" * 30_000 + "'",
    '"' + "a + " * 400 + 'a > 0"',
    '"' + "not " * 300 + 'x"',
    "{unit:>20000000}",
    "{a:q}",
    "!!python/object:os.system",
    "<<: *missing",
    "\t",
    "- ",
    ": :",
    "2024-02-30",
    "1e999",
    ".nan",
]


@st.composite
def mutated(draw: st.DrawFn, texts: dict[str, str]) -> str:
    """One of ``texts`` (YAML files by name) with a few lines deleted, duplicated, cut or spiked."""
    name = draw(st.sampled_from(sorted(texts)))
    lines = texts[name].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["delete", "duplicate", "cut", "spike", "swap", "indent"]))
        if how == "delete":
            del lines[i]
        elif how == "duplicate":
            lines.insert(i, lines[i])
        elif how == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif how == "spike":
            at = draw(st.integers(0, len(lines[i])))
            spike = draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=8)))
            lines[i] = lines[i][:at] + spike + lines[i][at:]
        elif how == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = " " * draw(st.integers(0, 6)) + lines[i].lstrip()
    if draw(st.booleans()):
        cut = draw(st.integers(0, len("\n".join(lines))))
        return "\n".join(lines)[:cut]
    return "\n".join(lines)


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


def paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a parsed document, as the keys and indexes that lead to it (the root first)."""
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += paths(value, (*path, i))
    return out


@st.composite
def reshaped(draw: st.DrawFn, texts: dict[str, str]) -> str:
    """One of ``texts`` whose data (not its text) was changed: a value replaced, a key dropped or renamed."""
    data = yaml.safe_load(texts[draw(st.sampled_from(sorted(texts)))])
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in paths(data) if p]
        if not places:
            break
        path = draw(st.sampled_from(places))
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
