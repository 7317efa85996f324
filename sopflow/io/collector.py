"""Keeping the cyclic garbage collector out of work that makes no cycles.

While a document is parsed, its node tree (every node with two marks) is
alive; each collection that runs meanwhile promotes it to the oldest
generation, where it dies a moment later. Those promotions are what trigger
full collections, and a full collection walks every procedure loaded so far:
loading a library of 1,000 procedures spent more time collecting than
loading. Nothing in a document's load makes a reference cycle worth
collecting, so the collector waits until the document is done.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block; a host that had disabled the collector keeps it disabled."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
