"""Compiled libraries kept on disk, so that a process loading the same files again skips load, check and compile.

Loading a library parses every YAML file, validates it, checks the whole library and
compiles each procedure: most of a fresh process's start, and seconds for a library of
a thousand procedures. Like Python's own ``__pycache__``, the result is kept, here in the
user's cache folder, and used again by the next process that loads exactly the same files
with exactly the same sopflow.

What makes an entry: one file per loaded set, named by a hash of everything the result
depends on — the bytes and names of every file, the calendar's settings, the Python and
library versions, and the size and time of every sopflow module (so an edited checkout
never meets a library compiled by older code). Any change is a new name; nothing is
ever compared or patched, and the folder keeps the newest :data:`MAX_ENTRIES`, within
:data:`MAX_BYTES` (a thousand procedures make an entry of about 20 MB).

What keeps it safe: a pickle can run code, so an entry is read only from a folder that
belongs to this user and no one else may write to, and only through an unpickler that
builds the classes of the loading stages and a short list of standard ones (anything else
refuses the entry). A damaged or refused entry is loaded afresh and replaced, never trusted.
The deployment's calendar is not stored: the library given back uses the calendar passed in.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import hashlib
import io
import os
import pickle
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pydantic
import pydantic_core
import yaml

from sopflow.__about__ import __version__
from sopflow.calendar import Calendar
from sopflow.expr.evaluate import compile_expression, source_of

DIR_VARIABLE = "SOPFLOW_CACHE_DIR"
"""Where to keep compiled libraries instead of the user's cache folder."""
OFF_VARIABLE = "SOPFLOW_NO_CACHE"
"""Set (to anything but empty or ``0``), libraries are always loaded afresh and nothing is written."""
MAX_ENTRIES = 32
"""Entries kept; writing one more removes the oldest."""
MAX_BYTES = 256_000_000
"""What the entries may take together; past it the oldest go (the newest always stays)."""
_FORMAT = b"sopflow compiled library 2\n"
_SUFFIX = ".library"

_ALLOWED: dict[str, frozenset[str]] = {
    "builtins": frozenset({"frozenset", "set"}),
    "datetime": frozenset({"date", "datetime", "time", "timedelta", "timezone"}),
    "decimal": frozenset({"Decimal"}),
    "functools": frozenset({"partial"}),
}
"""Standard globals an entry may name; with sopflow's own classes and :data:`_FUNCTIONS`, nothing else."""
_FUNCTIONS = frozenset(
    {
        (__name__, "_proxy"),
        (__name__, "_zone"),
        ("sopflow.expr.evaluate", "compile_expression"),
        ("sopflow.compile.build", "_in_field"),
        ("sopflow.compile.build", "_at_moment"),
        ("sopflow.compile.build", "_after_wait"),
        ("sopflow.io.document", "_reread"),
        ("sopflow.io.yaml_source", "_unpack"),
        ("sopflow.io.yaml_source", "_marks_later"),
    }
)
"""The functions of sopflow an entry may name: those a compiled library holds as partials."""
_BUILT_BY = (
    "sopflow.model.",
    "sopflow.expr.",
    "sopflow.io.",
    "sopflow.check.",
    "sopflow.compile.",
    "sopflow.calendar.",
    "sopflow.diagnostics",
    "sopflow.library",
)
"""The stages of loading: an entry may build their classes (never a store's, a command's, a report's)."""


def cache_dir() -> Path | None:
    """The folder compiled libraries are kept in, or ``None`` when the cache is switched off."""
    if os.environ.get(OFF_VARIABLE, "") not in ("", "0"):
        return None
    given = os.environ.get(DIR_VARIABLE)
    if given:
        return Path(given)
    if sys.platform == "linux":
        # platformdirs' own rule on Linux (the XDG base directories; a test holds the two equal),
        # without importing it: its import costs more than the rest of a cache hit.
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        return Path(xdg if os.path.isabs(xdg) else os.path.expanduser("~/.cache"), "sopflow")
    import platformdirs

    return Path(platformdirs.user_cache_dir("sopflow", appauthor=False))


def entry_name(files: Sequence[tuple[str, bytes]], calendar: Calendar) -> str:
    """The name of the entry for these files (as named, with their bytes) loaded on ``calendar``."""
    digest = hashlib.blake2b(_FORMAT + _code_stamp() + _calendar_stamp(calendar), digest_size=20)
    for name, raw in files:
        # As named (the name findings cite) and absolute (where positions are read again from).
        encoded = f"{name}\0{os.path.abspath(name)}".encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "little") + encoded + len(raw).to_bytes(8, "little"))
        digest.update(raw)
    return digest.hexdigest() + _SUFFIX


def read(folder: Path, name: str, calendar: Calendar) -> Any | None:
    """The library kept under ``name``, bound to ``calendar``; ``None`` if there is none to trust."""
    path = folder / name
    try:
        with open(path, "rb") as handle:
            if not (_private(os.fstat(handle.fileno())) and _private(os.stat(folder))):
                return None
            blob = handle.read()
    except OSError:
        return None
    payload = unsealed(blob)
    if payload is None:
        return None
    try:
        return _Unpickler(io.BytesIO(payload), calendar).load()
    except Exception:  # damaged, refused, or made by other code: whatever broke, it is compiled afresh
        return None


def write(folder: Path, name: str, library: object, calendar: Calendar) -> None:
    """Keep ``library`` under ``name``, if the folder can be made private; never fails the load."""
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, calendar).dump(library)
        blob = sealed(buffer.getvalue())
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(os.stat(folder)):
            return
        import tempfile  # a few milliseconds that only a process writing an entry pays

        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(blob)
            os.replace(temporary, folder / name)  # whole or not at all, whatever other workers do
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(folder)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return  # a library that cannot be kept is still loaded; the next process compiles it again


def sealed(payload: bytes) -> bytes:
    """An entry's bytes: the format, the payload's length and CRC-32, the payload."""
    return _FORMAT + len(payload).to_bytes(8, "little") + zlib.crc32(payload).to_bytes(4, "little") + payload


def unsealed(blob: bytes) -> bytes | None:
    """The payload of an entry written whole and unchanged since; ``None`` for anything else.

    A flipped bit inside a pickle can still unpickle, into a library with another state
    name in it: the CRC refuses the entry instead (what no one may write to is kept out by
    the folder's owner and mode, not by this).
    """
    head = len(_FORMAT) + 12
    if not blob.startswith(_FORMAT) or len(blob) < head:
        return None
    length = int.from_bytes(blob[len(_FORMAT) : len(_FORMAT) + 8], "little")
    crc = int.from_bytes(blob[len(_FORMAT) + 8 : head], "little")
    payload = blob[head:]
    return payload if len(payload) == length and zlib.crc32(payload) == crc else None


def entries(folder: Path) -> list[Path]:
    """The compiled libraries kept in ``folder``, newest first."""
    return [path for path, _ in sized(folder)]


def sized(folder: Path) -> list[tuple[Path, int]]:
    """The compiled libraries kept in ``folder`` with their sizes in bytes, newest first (one stat each)."""
    found = []
    for path in folder.glob("*" + _SUFFIX):
        try:
            status = path.stat()
        except OSError:
            continue  # removed meanwhile, by another process pruning
        found.append((status.st_mtime_ns, path, status.st_size))
    return [(path, size) for _, path, size in sorted(found, reverse=True)]


def clear(folder: Path) -> tuple[int, int]:
    """Remove every kept library (and any write left half done); (entries removed, bytes freed)."""
    count = size = 0
    for path in [*folder.glob("*" + _SUFFIX), *folder.glob("*.tmp")]:
        try:
            freed = path.stat().st_size
            path.unlink()
        except OSError:
            continue  # gone already: another process pruned it
        size += freed
        if path.suffix == _SUFFIX:
            count += 1
    return count, size


def _private(status: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (always true where there are no owners)."""
    getuid: Callable[[], int] | None = getattr(os, "getuid", None)
    return getuid is None or (status.st_uid == getuid() and not status.st_mode & 0o022)


def usable(folder: Path) -> bool:
    """Whether entries are read from and written to ``folder``: it belongs to this user, and no one
    else may write to it (a folder that does not exist yet is made so)."""
    try:
        return _private(os.stat(folder))
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _prune(folder: Path) -> None:
    for left in folder.glob("*.tmp"):  # a write cut short by a process killed mid-way
        with contextlib.suppress(OSError):
            if left.stat().st_mtime < time.time() - 3600:
                left.unlink()
    total = 0
    for rank, (entry, size) in enumerate(sized(folder)):
        total += size
        if rank >= MAX_ENTRIES or (rank > 0 and total > MAX_BYTES):
            entry.unlink(missing_ok=True)  # or removed meanwhile, by another process pruning


@cache
def _code_stamp() -> bytes:
    """What the compiled result depends on besides the files: the code that compiled it."""
    parts = [sys.version, __version__, pydantic.VERSION, pydantic_core.__version__, yaml.__version__]
    folders = [os.path.dirname(os.path.abspath(__file__))]
    while folders:  # os.scandir, not pathlib: this runs at every start and should cost well under a millisecond
        with os.scandir(folders.pop()) as found:
            for item in found:
                if item.name.endswith(".py"):
                    status = item.stat()
                    parts.append(f"{item.path}:{status.st_size}:{status.st_mtime_ns}")
                elif item.is_dir() and item.name not in ("__pycache__", "_bundled"):
                    folders.append(item.path)
    return "\n".join(sorted(parts)).encode("utf-8", "surrogatepass")


def _calendar_stamp(calendar: Calendar) -> bytes:
    kind = type(calendar)
    hours = sorted((name, repr(spec)) for name, spec in calendar.hours.items())
    settings = (kind.__module__, kind.__qualname__, calendar.zone.key, calendar.region, calendar.subdivision)
    return repr((settings, sorted(calendar.closures), hours)).encode("utf-8", "surrogatepass")


def _proxy(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


def _zone(key: str) -> ZoneInfo:
    """A time zone by name: what ZoneInfo pickles as goes through ``getattr``, which no entry may name."""
    return ZoneInfo(key)


_CALENDAR = "calendar"


class _Pickler(pickle.Pickler):
    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[MappingProxyType] = lambda proxy: (_proxy, (dict(proxy),))
    dispatch_table[ZoneInfo] = lambda zone: (_zone, (zone.key,))

    def __init__(self, file: io.BytesIO, calendar: Calendar) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.calendar = calendar

    def persistent_id(self, obj: Any) -> str | None:
        return _CALENDAR if obj is self.calendar else None

    def reducer_override(self, obj: Any) -> Any:
        kind: Any = type(obj)
        names = _positional(kind)
        if names is not None:
            return kind, tuple([getattr(obj, name) for name in names])
        # A guard is a closure, which pickle cannot keep; its expression can be compiled again.
        node = source_of(obj) if callable(obj) and kind is not type else None
        return NotImplemented if node is None else (compile_expression, (node,))


@cache
def _positional(kind: type) -> tuple[str, ...] | None:
    """The fields of a frozen, slotted dataclass of sopflow's that its constructor takes in order.

    Such a class is rebuilt by calling it: several times faster than the setstate dataclasses
    give it, which looks its fields up again for every object (the IR has thousands).
    """
    if not kind.__module__.startswith("sopflow.") or "__slots__" not in kind.__dict__:
        return None
    if not dataclasses.is_dataclass(kind) or not kind.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        return None
    fields = dataclasses.fields(kind)
    if any(not f.init or f.kw_only for f in fields) or hasattr(kind, "__post_init__"):
        return None
    return tuple(f.name for f in fields)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, calendar: Calendar) -> None:
        super().__init__(file)
        self.calendar = calendar

    def persistent_load(self, pid: Any) -> Any:
        if pid != _CALENDAR:
            raise pickle.UnpicklingError(f"unknown reference {pid!r}")
        return self.calendar

    def find_class(self, module: str, name: str) -> Any:
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        if module.startswith(_BUILT_BY) and "." not in name:  # a dotted name could walk to anything
            found = super().find_class(module, name)
            if isinstance(found, type) or (module, name) in _FUNCTIONS:
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not among what a compiled library holds")
