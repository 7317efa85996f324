"""``sopflow cache``: where compiled libraries are kept, how much they take, and clearing them.

Loading a library keeps it compiled in the user's cache folder (see
:mod:`sopflow.library_cache`); like ``pip cache`` or ``ruff clean``, this is the one
place a person sees that folder and empties it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from sopflow import library_cache
from sopflow.cli.common import stdout


def cache_command(
    clear: Annotated[bool, typer.Option("--clear", help="Remove every compiled library kept.")] = False,
) -> None:
    """Show the compiled-library cache (folder, entries, size), or clear it."""
    console = stdout()
    folder = library_cache.cache_dir()
    if folder is None:
        console.print(f"the compiled-library cache is off ({library_cache.OFF_VARIABLE} is set)")
        return
    if clear:
        count, size = library_cache.clear(folder) if folder.is_dir() else (0, 0)
        console.print(f"removed {_entries(count)} ({_size(size)}) from {folder}", highlight=False, soft_wrap=True)
        return
    if not library_cache.usable(folder):
        console.print(
            f"not used: {folder} must belong to you and be writable by no one else (entries are pickles)",
            highlight=False,
            soft_wrap=True,
        )
        return
    kept = library_cache.sized(folder) if folder.is_dir() else []
    size = sum(size for _, size in kept)
    console.print(f"compiled libraries: {folder}", highlight=False, soft_wrap=True)  # a path pastes whole
    console.print(f"{_entries(len(kept))}, {_size(size)} (the newest {library_cache.MAX_ENTRIES} are kept)")


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"
