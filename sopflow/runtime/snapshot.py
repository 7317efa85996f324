"""Snapshots: a session as JSON, and back — with the JSON treated as untrusted.

A snapshot comes back from a database, a file or another process, so
``load`` checks it twice: its shape against a strict, versioned schema
(pydantic), then its meaning against the procedures it names — every state,
field, deadline, outcome and call must be one the engine could have produced.
Every problem is a :class:`~sopflow.errors.SnapshotError` naming the path
inside the snapshot, and never quoting a value (it may be private).

Older formats are upgraded step by step through :data:`UPGRADES`, so a
snapshot written by an earlier sopflow keeps restoring.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sopflow.compile import Procedure
from sopflow.errors import SnapshotError, SopflowError
from sopflow.model.values import from_json
from sopflow.runtime.config import EMPTY, Configuration, Frame
from sopflow.runtime.journal import Entry, jsonable

FORMAT = 2
"""The snapshot format this sopflow writes."""

Resolver = Callable[[str, int], Procedure]


# -- writing ------------------------------------------------------------------------------------


def dump(config: Configuration, *, lang: str, strict: bool, journal: Iterable[Entry] | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "format": FORMAT,
        "id": config.session,
        "lang": lang,
        "strict": strict,
        "seq": config.seq,
        "frames": [_dump_frame(f) for f in config.frames],
    }
    if journal is not None:
        out["journal"] = [e.as_dict() for e in journal]
    return out


def _dump_frame(frame: Frame) -> dict[str, Any]:
    return {
        "procedure": frame.procedure.id,
        "version": frame.procedure.version,
        "state": frame.state,
        "data": {k: jsonable(v) for k, v in frame.data.items()},
        "deadlines": {k: v.isoformat() for k, v in frame.deadlines.items()},
        "outcome": frame.outcome,
        "call": frame.call,
    }


# -- the schema ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FrameRecord(_Strict):
    procedure: str
    version: int = Field(ge=1)
    state: str
    data: dict[str, Any]
    deadlines: dict[str, str]
    outcome: str | None
    call: str | None


class EntryRecord(_Strict):
    seq: int = Field(ge=1)
    at: str
    kind: Literal["start", "fire", "refused", "timer", "call", "return", "cancel"]
    procedure: str
    version: int | None = Field(default=None, ge=1)
    depth: int = Field(ge=0)
    actor: str | None = None
    role: str | None = None
    event: str | None = None
    source: str | None = None
    target: str | None = None
    detail: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    changes: dict[str, Any] = Field(default_factory=dict)
    meta: dict[str, str | bool] | None = None


class SnapshotRecord(_Strict):
    format: Literal[2]
    id: str = Field(min_length=1)
    lang: str
    strict: bool
    seq: int = Field(ge=1)
    frames: list[FrameRecord] = Field(min_length=1, max_length=64)
    journal: list[EntryRecord] | None = None


# -- reading ------------------------------------------------------------------------------------


class Loaded(NamedTuple):
    config: Configuration
    lang: str
    strict: bool
    journal: tuple[Entry, ...]


def load(raw: Any, resolve: Resolver) -> Loaded:
    """Check and rebuild a snapshot; raise :class:`SnapshotError` for anything the engine could not have made."""
    record = parse(upgrade(raw))
    frames: list[Frame] = []
    for i, fr in enumerate(record.frames):
        try:
            procedure = resolve(fr.procedure, fr.version)
        except SnapshotError as exc:
            raise SnapshotError(f"frames.{i}: {exc.message}") from None
        except SopflowError as exc:
            raise SnapshotError(f"frames.{i}.procedure: {exc}") from None
        frames.append(_frame(procedure, fr, f"frames.{i}", parent=frames[-1] if frames else None))
    _check_stack(frames)
    journal = tuple(_entry(e, f"journal.{i}") for i, e in enumerate(record.journal or ()))
    if journal:
        if [e.seq for e in journal] != list(range(1, len(journal) + 1)):
            raise SnapshotError("journal: entries must be numbered 1, 2, 3 … without gaps")
        if journal[-1].seq != record.seq:
            raise SnapshotError(f"seq: the journal ends at entry {journal[-1].seq}, the snapshot says {record.seq}")
        if journal[0].kind != "start":
            raise SnapshotError("journal.0.kind: a journal starts with its 'start' entry")
    return Loaded(Configuration(record.id, tuple(frames), record.seq), record.lang, record.strict, journal)


def parse(raw: Any) -> SnapshotRecord:
    try:
        return SnapshotRecord.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(map(str, first["loc"])) or "snapshot"
        count = exc.error_count()
        more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
        raise SnapshotError(f"{where}: {first['msg']}{more}") from None


def _frame(procedure: Procedure, fr: FrameRecord, where: str, parent: Frame | None) -> Frame:
    states = procedure.ir.states
    if fr.state not in states:
        raise SnapshotError(f"{where}.state: '{procedure.id}' v{procedure.version} has no such state")
    here = states[fr.state]
    data = dict(procedure.defaults)
    for key, value in fr.data.items():
        if key not in procedure.fields:
            raise SnapshotError(f"{where}.data: '{procedure.id}' has no field '{key}'")
        try:
            data[key] = from_json(procedure.fields[key], value)
        except ValueError:
            raise SnapshotError(f"{where}.data.{key}: not a {procedure.fields[key].type}") from None
    timers = {t.trigger for t in here.timers}
    deadlines: dict[str, dt.datetime] = {}
    for trigger, text in fr.deadlines.items():
        if trigger not in timers:
            raise SnapshotError(f"{where}.deadlines: state '{fr.state}' has no timer '{trigger}'")
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            raise SnapshotError(f"{where}.deadlines.{trigger}: not an ISO date and time") from None
        if when.tzinfo is None:
            raise SnapshotError(f"{where}.deadlines.{trigger}: a deadline needs a time zone")
        deadlines[trigger] = when
    if here.final is not None and fr.outcome != here.final:
        raise SnapshotError(f"{where}.outcome: the final state '{fr.state}' ends '{here.final}'")
    if here.final is None and fr.outcome is not None:
        raise SnapshotError(f"{where}.outcome: state '{fr.state}' is not final, so there is no outcome yet")
    if here.final is None and parent is None and fr.call is not None:
        raise SnapshotError(f"{where}.call: the outermost procedure was not called by anything")
    return Frame(procedure, fr.state, data, deadlines or EMPTY, fr.outcome, fr.call)


def _check_stack(frames: list[Frame]) -> None:
    """Each frame below the first is a call its caller's state really makes."""
    for i, (parent, child) in enumerate(itertools.pairwise(frames), start=1):
        here = parent.here
        calls = {c.key: c for c in (here.call, *(w.call for w in here.events.values())) if c is not None}
        call = calls.get(child.call or "")
        if call is None:
            raise SnapshotError(f"frames.{i}.call: state '{parent.state}' makes no such call")
        if call.procedure != child.procedure.id:
            raise SnapshotError(f"frames.{i}.procedure: the call from '{parent.state}' runs '{call.procedure}'")
        if parent.outcome is not None or child.outcome is not None:
            raise SnapshotError(f"frames.{i}: a finished procedure cannot have a running call")
    last = frames[-1]
    if last.outcome is None and last.here.call is not None:
        raise SnapshotError(f"frames.{len(frames) - 1}: state '{last.state}' is calling a procedure that is missing")


def _entry(record: EntryRecord, where: str) -> Entry:
    try:
        at = dt.datetime.fromisoformat(record.at)
    except ValueError:
        raise SnapshotError(f"{where}.at: not an ISO date and time") from None
    if at.tzinfo is None:
        raise SnapshotError(f"{where}.at: a journal time needs a time zone")
    raw = record.model_dump(exclude_none=True)
    raw["at"] = record.at
    try:
        return Entry.from_dict(raw)
    except (KeyError, TypeError, ValueError):
        raise SnapshotError(f"{where}.meta: a start entry records session, lang and strict") from None


# -- older formats ------------------------------------------------------------------------------


def _from_format_1(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Format 1 nested frames (``frame.child``), named the call ``call_key``, and kept the
    procedure version only in the start entry; it had no ``seq`` (a format-1 snapshot without its
    journal restarts numbering at the snapshot's own count, 1)."""
    frames: list[dict[str, Any]] = []
    frame = raw.get("frame")
    while isinstance(frame, Mapping):
        out = {k: v for k, v in frame.items() if k not in ("child", "call_key")}
        out["call"] = frame.get("call_key")
        frames.append(out)
        frame = frame.get("child")
    journal = raw.get("journal")
    upgraded: dict[str, Any] = {k: v for k, v in raw.items() if k not in ("frame", "journal")}
    upgraded.update(format=2, frames=frames, seq=1)
    if isinstance(journal, list):
        versions = {f.get("procedure"): f.get("version") for f in frames}
        entries = []
        for item in journal:
            entry = dict(item) if isinstance(item, Mapping) else item
            if isinstance(entry, dict):
                meta = entry.get("meta")
                if isinstance(meta, dict) and "version" in meta:
                    entry["meta"] = {k: v for k, v in meta.items() if k != "version"}
                    versions.setdefault(entry.get("procedure"), meta["version"])
                    entry["version"] = meta["version"]
                elif entry.get("procedure") in versions:
                    entry["version"] = versions[entry.get("procedure")]
            entries.append(entry)
        upgraded["journal"] = entries
        upgraded["seq"] = max(len(entries), 1)
    return upgraded


UPGRADES: dict[int, Callable[[Mapping[str, Any]], dict[str, Any]]] = {1: _from_format_1}
"""Format N -> a snapshot of format N + 1. Add one entry each time the format changes."""


def upgrade(raw: Any) -> Any:
    """Bring an older snapshot up to :data:`FORMAT`; refuse a format this sopflow does not know."""
    if not isinstance(raw, Mapping):
        raise SnapshotError(f"snapshot: expected a JSON object, found {type(raw).__name__}")
    fmt = raw.get("format")
    if type(fmt) is not int or not 1 <= fmt <= FORMAT:
        raise SnapshotError(f"format: unknown snapshot format; this sopflow reads formats 1 to {FORMAT}")
    while fmt < FORMAT:
        raw = UPGRADES[fmt](raw)
        fmt += 1
    return raw
