"""Arguments of every wrong kind, for fuzzing what a host can pass to a public function."""

from __future__ import annotations

from typing import Any

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
