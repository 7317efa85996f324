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
from typing import Annotated, Any, Literal, NamedTuple, NotRequired

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from sopflow.compile import Procedure
from sopflow.errors import SnapshotError, SopflowError
from sopflow.model.limits import INT_RANGE
from sopflow.model.values import from_json, short
from sopflow.runtime.config import EMPTY, NO_TICKS, Configuration, Frame
from sopflow.runtime.journal import Entry, json_problem, jsonable

_PLAIN = frozenset({str, int, bool, type(None)})

FORMAT = 3
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
        "data": {k: v if v.__class__ in _PLAIN else jsonable(v) for k, v in frame.data.items()},
        "deadlines": {k: v.isoformat() for k, v in frame.deadlines.items()},
        "outcome": frame.outcome,
        "call": frame.call,
        "promises": {k: v.isoformat() for k, v in frame.promises.items()},
        "ticked": sorted(frame.ticked),
    }


# -- the schema ---------------------------------------------------------------------------------
# TypedDicts checked by one TypeAdapter: as strict as models, and several times cheaper to
# validate, because no model instance is built (a stateless host restores on every request).

_STRICT = ConfigDict(extra="forbid", strict=True)
_UNKNOWN: Any = object()
"""What a field the procedure does not declare maps to: no value's type is it."""


class FrameRecord(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    procedure: str
    version: Annotated[int, Field(ge=1)]
    state: str
    data: dict[str, Any]
    deadlines: dict[str, str]
    outcome: str | None
    call: str | None
    promises: dict[str, str]
    ticked: list[str]


class EntryRecord(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    seq: Annotated[int, Field(ge=1)]
    at: str
    kind: Literal["start", "fire", "refused", "timer", "call", "return", "cancel", "migrate", "check", "promise"]
    procedure: str
    version: NotRequired[Annotated[int, Field(ge=1)] | None]
    depth: Annotated[int, Field(ge=0)]
    actor: NotRequired[str | None]
    role: NotRequired[str | None]
    event: NotRequired[str | None]
    source: NotRequired[str | None]
    target: NotRequired[str | None]
    detail: NotRequired[str | None]
    data: NotRequired[dict[str, Any]]
    changes: NotRequired[dict[str, Any]]
    meta: NotRequired[dict[str, str | bool] | None]


class SnapshotRecord(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    format: Literal[3]
    id: Annotated[str, Field(min_length=1)]
    lang: str
    strict: bool
    seq: Annotated[int, Field(ge=1)]
    frames: Annotated[list[FrameRecord], Field(min_length=1, max_length=64)]
    journal: NotRequired[list[EntryRecord] | None]


_SCHEMA: TypeAdapter[SnapshotRecord] | None = None


def _schema() -> TypeAdapter[SnapshotRecord]:
    """Built on first use: building it costs milliseconds a host that never restores should not pay."""
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = TypeAdapter(SnapshotRecord)
    return _SCHEMA


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
    for i, fr in enumerate(record["frames"]):
        try:
            procedure = resolve(fr["procedure"], fr["version"])
        except SnapshotError as exc:
            raise SnapshotError(f"frames.{i}: {exc.message}") from None
        except SopflowError as exc:
            raise SnapshotError(f"frames.{i}.procedure: {exc}") from None
        frames.append(_frame(procedure, fr, i, parent=frames[-1] if frames else None))
    _check_stack(frames)
    kept = record.get("journal")
    journal = tuple(entry_of(e, f"journal.{i}") for i, e in enumerate(kept)) if kept else ()
    seq = record["seq"]
    if journal:
        if [e.seq for e in journal] != list(range(1, len(journal) + 1)):
            raise SnapshotError("journal: entries must be numbered 1, 2, 3 … without gaps")
        if journal[-1].seq != seq:
            raise SnapshotError(f"seq: the journal ends at entry {journal[-1].seq}, the snapshot says {seq}")
        if journal[0].kind != "start":
            raise SnapshotError("journal.0.kind: a journal starts with its 'start' entry")
    return Loaded(Configuration(record["id"], tuple(frames), seq), record["lang"], record["strict"], journal)


def parse(raw: Any) -> SnapshotRecord:
    try:
        # The adapter's validator itself: TypeAdapter.validate_python only adds a Python call around it.
        record: SnapshotRecord = _schema().validator.validate_python(raw)
        return record
    except ValidationError as exc:
        loc, what = _first_problem(exc)
        where = ".".join(["snapshot", *loc]) if loc and loc[0] not in SnapshotRecord.__annotations__ else ".".join(loc)
        raise SnapshotError(f"{where or 'snapshot'}: {what}") from None


def _first_problem(exc: ValidationError) -> tuple[list[str], str]:
    """The first problem's path and words, saying how many more there are; never the value."""
    first = exc.errors(include_url=False, include_input=False)[0]
    loc = [str(part) for part in first["loc"]]
    what = first["msg"]
    if first["type"] == "extra_forbidden":  # the path would end in the stray key itself
        what, loc = f"unexpected key '{loc[-1][:40]}'", loc[:-1]
    count = exc.error_count()
    more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
    return loc, what + more


_ENTRY: TypeAdapter[EntryRecord] | None = None


def entry_from(raw: Entry | Mapping[str, Any] | Any, where: str) -> Entry:
    """A journal entry a host hands back, as it is or in its JSON form, checked as a snapshot's journal is.

    Replay and log conformance take journals from a host's own storage: a row that is not an
    entry is a :class:`SnapshotError` at ``where``, never a ``KeyError`` from deep inside.
    """
    if isinstance(raw, Entry):
        return raw
    global _ENTRY
    if _ENTRY is None:
        _ENTRY = TypeAdapter(EntryRecord)
    try:
        record: EntryRecord = _ENTRY.validator.validate_python(raw)
    except ValidationError as exc:
        loc, what = _first_problem(exc)
        raise SnapshotError(f"{'.'.join([where, *loc])}: {what}") from None
    return entry_of(record, where)


def _frame(procedure: Procedure, fr: FrameRecord, index: int, parent: Frame | None) -> Frame:
    where = f"frames.{index}"  # only formatted into errors; cheap enough to keep readable
    states = procedure.ir.states
    state = fr["state"]
    if state not in states:
        raise SnapshotError(f"{where}.state: '{procedure.id}' v{procedure.version} has no such state")
    here = states[state]
    data = procedure.defaults.copy()
    exact = _exact_types(procedure)
    for key, value in fr["data"].items():
        kind = exact.get(key, _UNKNOWN)
        if (type(value) is kind and (kind is not int or value in INT_RANGE)) or value is None:
            if kind is _UNKNOWN:
                raise SnapshotError(f"{where}.data: '{procedure.id}' has no field '{key}'")
            data[key] = value
            continue
        if type(value) is int and value not in INT_RANGE:
            raise SnapshotError(f"{where}.data.{key}: a whole number must fit in 64 bits")
        spec = procedure.fields.get(key)
        if spec is None:
            raise SnapshotError(f"{where}.data: '{procedure.id}' has no field '{key}'")
        try:
            data[key] = from_json(spec, value)
        except ValueError:
            raise SnapshotError(f"{where}.data.{key}: not a {spec.type}") from None
    deadlines: dict[str, dt.datetime] = {}
    timers = {t.trigger for t in here.timers} if fr["deadlines"] else ()
    for trigger, text in fr["deadlines"].items():
        if trigger not in timers:
            raise SnapshotError(f"{where}.deadlines: state '{state}' has no timer '{trigger}'")
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            raise SnapshotError(f"{where}.deadlines.{trigger}: not an ISO date and time") from None
        if when.tzinfo is None:
            raise SnapshotError(f"{where}.deadlines.{trigger}: a deadline needs a time zone")
        deadlines[trigger] = when
    promises: dict[str, dt.datetime] = {}
    if fr["promises"]:
        known = {p.name for p in procedure.ir.promises}
        for name, text in fr["promises"].items():
            if name not in known:
                raise SnapshotError(f"{where}.promises: '{procedure.id}' makes no promise '{name}'")
            promises[name] = _aware(text, f"{where}.promises.{name}")
    ticked = frozenset(fr["ticked"]) if fr["ticked"] else NO_TICKS
    if ticked:
        items = {c.name for c in here.checklist}
        if not ticked <= items:
            raise SnapshotError(f"{where}.ticked: state '{state}' lists no item '{sorted(ticked - items)[0]}'")
    outcome, call = fr["outcome"], fr["call"]
    if here.final is not None and outcome != here.final:
        raise SnapshotError(f"{where}.outcome: the final state '{state}' ends '{here.final}'")
    if here.final is None and outcome is not None:
        raise SnapshotError(f"{where}.outcome: state '{state}' is not final, so there is no outcome yet")
    if parent is None and call is not None:
        raise SnapshotError(f"{where}.call: the outermost procedure was not called by anything")
    return Frame(procedure, state, data, deadlines or EMPTY, outcome, call, promises or EMPTY, ticked)


def _exact_types(procedure: Procedure) -> dict[str, type | None]:
    """Field -> the Python type its JSON value already has (text, whole numbers, booleans), else None."""
    found: dict[str, type | None] | None = procedure.memo.get("exact-json-types")
    if found is None:
        plain = {"str": str, "int": int, "bool": bool}
        found = procedure.memo["exact-json-types"] = {n: plain.get(f.type) for n, f in procedure.fields.items()}
    return found


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


def _aware(text: str, where: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SnapshotError(f"{where}: not an ISO date and time") from None
    if when.tzinfo is None:
        raise SnapshotError(f"{where}: a time needs its zone")
    return when


def entry_of(record: EntryRecord, where: str) -> Entry:
    """A journal entry from its JSON form, refused with ``where`` unless its time has a zone."""
    try:
        at = dt.datetime.fromisoformat(record["at"])
    except (KeyError, TypeError, ValueError):
        raise SnapshotError(f"{where}.at: not an ISO date and time") from None
    if at.tzinfo is None:
        raise SnapshotError(f"{where}.at: a journal time needs a time zone")
    # What the session would have refused at its door, a restored journal may not hold either:
    # every later snapshot, redaction and store write walks these values.
    for part, values in (("data", record.get("data")), ("changes", record.get("changes"))):
        for key, value in (values or {}).items():
            problem = json_problem(value)
            if problem is not None:
                name = key if isinstance(key, str) and key.isidentifier() else short(key)  # a key may be anything
                raise SnapshotError(f"{where}.{part}.{name}: {problem}")
    try:
        return Entry.from_dict(record)
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


def _from_format_2(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Format 3 added running promises and ticked checklist items to each frame; older ones had none."""
    frames = raw.get("frames")
    upgraded = {**raw, "format": 3}
    if isinstance(frames, list):
        upgraded["frames"] = [{**f, "promises": {}, "ticked": []} if isinstance(f, Mapping) else f for f in frames]
    return upgraded


UPGRADES: dict[int, Callable[[Mapping[str, Any]], dict[str, Any]]] = {1: _from_format_1, 2: _from_format_2}
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
