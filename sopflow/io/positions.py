"""Where every node of a YAML document stands, so any later finding can be located."""

from __future__ import annotations

from collections.abc import Callable, Sequence

Path = tuple[str | int, ...]
Marks = tuple[dict[Path, tuple[int, int]], dict[Path, tuple[int, int]], set[Path]]
"""Positions of values, positions of mapping keys, and the scalars written in quotes."""


class Positions:
    """1-based line and column of each value and each mapping key, by path.

    Most documents load without a single finding, so the positions are worked
    out from the text the first time one is asked for, not while loading:
    keeping a position for every node costs more than parsing the file.
    """

    __slots__ = ("_keys", "_pending", "_quoted", "_values", "source")

    def __init__(self, source: str, marks: Marks | None = None, *, later: Callable[[], Marks] | None = None) -> None:
        self.source = source
        self._values, self._keys, self._quoted = marks or ({}, {}, set())
        self._pending = later

    def _ensure(self) -> None:
        if self._pending is not None:
            compute, self._pending = self._pending, None
            self._values, self._keys, self._quoted = compute()

    @property
    def values(self) -> dict[Path, tuple[int, int]]:
        self._ensure()
        return self._values

    @property
    def keys(self) -> dict[Path, tuple[int, int]]:
        self._ensure()
        return self._keys

    @property
    def quoted(self) -> set[Path]:
        """Scalars written in quotes: their text starts one column after the node."""
        self._ensure()
        return self._quoted

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int] | None:
        """Position of ``path``, or of its nearest ancestor that exists in the text."""
        self._ensure()
        p = tuple(path)
        while True:
            if key and p in self._keys:
                return self._keys[p]
            if p in self._values:
                return self._values[p]
            if not p:
                return None
            p = p[:-1]
