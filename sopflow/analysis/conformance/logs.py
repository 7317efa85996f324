"""Reading host logs one case at a time: CSV, JSON Lines, XES, Parquet and sopflow's own journals.

A company's event log can hold years of cases, so nothing here reads a whole file: each
reader yields rows as the file is read, and :func:`cases` gathers consecutive rows of one
case id. That needs the log grouped by case (every row of a case together, as an export
sorted by case id and time is); a case id seen again after another case has begun is an
error at the row where it reappears, never silently a second case. Memory is one case's
rows plus the hashes of the case ids already seen. Within a case, rows are put in time order (a stable sort, so
rows of the same instant keep the log's order).

XES is read with ``xml.etree.ElementTree.iterparse``, each ``<trace>`` freed once read;
the standard library's expat refuses external entities and entity expansion bombs, so
no extra XML library is needed. Trace attributes are given to each event prefixed
``case:`` (``case:concept:name`` is the case id), as process-mining tools name them.

Parquet is read with pyarrow (the ``[parquet]`` extra), one batch of rows at a time, so a
file larger than memory streams as the text formats do; its typed columns arrive typed
(times as datetimes, lists as lists), and a row's "line" is its number in the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple
from xml.etree.ElementTree import Element, ParseError, iterparse

from sopflow.analysis.conformance.mapping import LogError, LogMapping
from sopflow.errors import SnapshotError, SopflowError
from sopflow.io.utf8 import not_utf8_in
from sopflow.model.limits import MAX_NESTING
from sopflow.model.values import short
from sopflow.runtime.journal import Entry
from sopflow.runtime.snapshot import entry_from


class Row(NamedTuple):
    """One line of a log: its values by column, and where it was read."""

    values: dict[str, Any]
    source: str
    line: int


class LogCase(NamedTuple):
    """The rows of one case, in time order."""

    id: str
    rows: tuple[Row, ...]


FORMATS = ("csv", "jsonl", "xes", "parquet")
SUFFIXES = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xes": "xes",
    ".parquet": "parquet",
    ".pq": "parquet",
}
PARQUET = 'reading Parquet needs pyarrow: pip install "sopflow[parquet]"'
"""What a host without the ``[parquet]`` extra is told."""
_BATCH = 4096
"""Parquet rows converted to Python at a time: memory stays one batch, whatever the file's size."""


def read_rows(path: str | Path, fmt: str | None = None) -> Iterator[Row]:
    """Rows of a log file as they are read; ``fmt`` defaults to the file's suffix."""
    path = Path(path)
    kind = fmt or SUFFIXES.get(path.suffix.lower())
    if kind not in FORMATS:
        raise LogError(
            f"unknown log format; expected one of {', '.join(FORMATS)} (or a .csv, .jsonl, .xes, .parquet file)",
            source=str(path),
        )
    try:
        if kind == "csv":
            yield from _csv(path)
        elif kind == "jsonl":
            yield from _jsonl(path)
        elif kind == "parquet":
            yield from _parquet(path)
        else:
            yield from _xes(path)
    except OSError as exc:
        raise LogError(f"cannot read the log ({exc.strerror})", source=str(path)) from None
    except UnicodeDecodeError:
        raise _not_utf8(path) from None


def _not_utf8(path: Path) -> LogError:
    """Where the first byte that is not UTF-8 sits, as line and column (found only on this error path)."""
    found = not_utf8_in(path)
    if found is None:
        return LogError("not UTF-8 text; save the log as UTF-8", source=str(path))
    line, column, message = found
    return LogError(message, source=str(path), row=line, column=column)


def _csv(path: Path) -> Iterator[Row]:
    where = str(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            return
        width = len(header)
        try:
            for cells in reader:
                if len(cells) > width:
                    raise LogError("more cells than the header has columns", source=where, row=reader.line_num)
                # An empty cell is absent; a cell written as a JSON list (``["sofa"]``) is that list.
                try:
                    values = {k: (_cell(v) if v[0] == "[" else v) for k, v in zip(header, cells, strict=False) if v}
                except (_TooDeep, RecursionError):
                    raise _deep_cell(header, cells, where, reader.line_num) from None
                yield Row(values, where, reader.line_num)
        except csv.Error as exc:  # a cell past the csv module's size limit, a NUL in a quoted cell
            raise LogError(f"not CSV: {exc}", source=where, row=reader.line_num) from None


class _TooDeep(SopflowError):
    """A list cell nested past the limit; :func:`_csv` names its column."""


def _deep_cell(header: list[str], cells: list[str], where: str, number: int) -> LogError:
    """The first list cell nested too deep (found again only on this error path)."""
    for name, text in zip(header, cells, strict=False):
        if text[:1] == "[":
            try:
                _cell(text)
            except (_TooDeep, RecursionError):
                return LogError(_DEEP.format(where=f"column '{name}'"), source=where, row=number)
    return LogError(_DEEP.format(where="a cell"), source=where, row=number)  # pragma: no cover


_DEEP = "{where}: values nest more than " + f"{MAX_NESTING} deep"


def _row(values: dict[str, Any], where: str, number: int) -> Row:
    """A row whose list and mapping values nest at most ``MAX_NESTING`` deep, as a procedure file's may.

    Everything downstream (variants, replay, the journal) walks values recursively; a cell
    nested a thousand deep is refused here, at its row, instead of exhausting the stack there.
    """
    for name, value in values.items():
        if value.__class__ in (list, dict) and _too_deep(value, 1):
            raise LogError(_DEEP.format(where=f"column '{name}'"), source=where, row=number)
    return Row(values, where, number)


def _too_deep(value: Any, depth: int) -> bool:
    inner = value if isinstance(value, list) else value.values() if isinstance(value, dict) else None
    if inner is None:
        return False
    return depth > MAX_NESTING or any(_too_deep(v, depth + 1) for v in inner)


def _cell(text: str) -> Any:
    if text.endswith("]"):
        try:
            value = json.loads(text)
        except ValueError:  # not a list after all: the text
            return text
        if _too_deep(value, 1):
            raise _TooDeep
        return value
    return text


def _jsonl(path: Path) -> Iterator[Row]:
    where = str(path)
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                values = json.loads(line)
            except ValueError as exc:
                raise LogError(f"not JSON: {exc}", source=where, row=number) from None
            except RecursionError:
                raise LogError(_DEEP.format(where="the line"), source=where, row=number) from None
            if not isinstance(values, dict):
                raise LogError("each line must be a JSON object of column -> value", source=where, row=number)
            yield _row(values, where, number)


def _parquet(path: Path) -> Iterator[Row]:
    where = str(path)
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise LogError(PARQUET, source=where) from None
    try:
        file = pyarrow.parquet.ParquetFile(path)
    except pyarrow.ArrowException as exc:
        raise LogError(f"not a Parquet file: {exc}", source=where) from None
    number = 0
    try:
        for batch in file.iter_batches(batch_size=_BATCH):
            for values in batch.to_pylist():
                number += 1
                # As in CSV, an empty cell is absent.
                yield _row({k: v for k, v in values.items() if v is not None and v != ""}, where, number)
    except pyarrow.ArrowException as exc:
        raise LogError(f"cannot read the Parquet file: {exc}", source=where, row=number + 1) from None


_XES_TYPES = {"string", "date", "int", "float", "boolean", "id"}


def _xes(path: Path) -> Iterator[Row]:
    where = str(path)
    trace: dict[str, Any] = {}
    stack: list[str] = []
    number = 0
    try:
        for event, element in iterparse(str(path), events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start":
                stack.append(tag)
                if tag == "trace":
                    trace = {}
                continue
            stack.pop()
            parent = stack[-1] if stack else None
            if tag == "event" and parent == "trace":
                number += 1
                values = {f"case:{k}": v for k, v in trace.items()}
                values.update(_attributes(element))
                yield Row(values, where, number)
                element.clear()
            elif tag in _XES_TYPES and parent == "trace" and element.get("key") is not None:
                key = element.get("key", "")
                trace[key] = _typed(tag, element.get("value"), key)
            elif tag == "trace":
                element.clear()
    except ParseError as exc:
        raise LogError(f"not well-formed XES: {exc}", source=where, row=exc.position[0]) from None
    except _Untyped as exc:  # located as XES rows are, by event number
        if tag == "event":
            raise LogError(str(exc), source=where, row=number) from None
        raise LogError(f"a trace's own attribute, after event {number}: {exc}", source=where) from None


def _attributes(element: Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in _XES_TYPES and child.get("key") is not None:
            key = child.get("key", "")
            out[key] = _typed(tag, child.get("value"), key)
    return out


class _Untyped(SopflowError):
    """An XES attribute whose value is not of its declared type; :func:`_xes` locates it."""


def _typed(tag: str, value: str | None, key: str) -> Any:
    if value is None:
        return None
    try:
        if tag == "int":
            return int(value)
        if tag == "float":
            return float(value)
    except ValueError:
        raise _Untyped(f"<{tag} key={short(key)}> holds {short(value)}, which is no {tag}") from None
    if tag == "boolean":
        return value.lower() == "true"
    return value


def cases(rows: Iterable[Row], mapping: LogMapping, zone: dt.tzinfo) -> Iterator[LogCase]:
    """Consecutive rows of one case id, each case in time order; see the module's note on grouping."""
    column = mapping.columns.case
    stamp = mapping.columns.timestamp
    seen: set[int] = set()  # hashes, not ids: a hundred thousand cases cost a few megabytes
    current: str | None = None
    held: list[tuple[dt.datetime, Row]] = []
    for row in rows:
        raw = row.values.get(column)
        if raw is None or raw == "":
            raise LogError(f"no case id in column '{column}'", source=row.source, row=row.line)
        case = str(raw)
        if case != current:
            if current is not None:
                yield _case(current, held)
            if hash(case) in seen:
                raise LogError(
                    f"case '{case}' appears again after other cases: "
                    "the log must be grouped by case id (sort it by case, then time)",
                    source=row.source,
                    row=row.line,
                )
            seen.add(hash(case))
            current, held = case, []
        at = timestamp(row.values.get(stamp), zone, row, stamp)
        row.values[stamp] = at  # read once: the translation reads it again
        held.append((at, row))
    if current is not None:
        yield _case(current, held)


def _case(case: str, held: list[tuple[dt.datetime, Row]]) -> LogCase:
    held.sort(key=lambda pair: pair[0])
    return LogCase(case, tuple(row for _, row in held))


def timestamp(value: Any, zone: dt.tzinfo, row: Row, column: str) -> dt.datetime:
    """An event's time, aware; a time written without a zone is in ``zone``."""
    if isinstance(value, dt.datetime):
        found = value
    elif isinstance(value, str):
        try:
            found = dt.datetime.fromisoformat(value)  # the common case, "Z" included
        except ValueError:
            found = _lenient(value, row, column)
    else:
        raise LogError(f"column '{column}': no timestamp", source=row.source, row=row.line)
    return found if found.tzinfo is not None else found.replace(tzinfo=zone)


def _lenient(value: str, row: Row, column: str) -> dt.datetime:
    """A time with blanks around it or a lower-case ``z``; anything else is a located error."""
    try:
        return dt.datetime.fromisoformat(value.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise LogError(
            f"column '{column}': expected an ISO 8601 time such as 2026-03-02T09:00:00+08:00, found {value!r}",
            source=row.source,
            row=row.line,
        ) from None


def journal_cases(entries: Iterable[Entry | Mapping[str, Any]], source: str = "<journal>") -> Iterator[LogCase]:
    """Cases from sopflow journals (a store's ``journal`` rows, or several sessions' entries, in order).

    Only what the host did is kept — the start, fired events, ticked items — since timers,
    calls and promises are what the procedure did itself. Refused events changed nothing and
    are left out. Columns are named as the default mapping expects them.
    """
    current: str | None = None
    rows: list[Row] = []
    number = 0
    for raw in entries:
        number += 1
        try:
            entry = entry_from(raw, "entry")  # a journal row in its JSON form is checked as restore checks it
        except SnapshotError as exc:
            raise LogError(exc.message, source=source, row=number) from None
        if entry.kind == "start" and entry.meta is not None:
            if current is not None:
                yield LogCase(current, tuple(rows))
            current, rows = entry.meta.session, []
        if current is None or entry.kind not in ("start", "fire", "check"):
            continue
        activity = "start" if entry.kind == "start" else entry.event or ""
        if entry.kind == "check":
            activity = f"check:{entry.event}"
        values: dict[str, Any] = {
            "case": current,
            "activity": activity,
            "timestamp": entry.at,
            "role": entry.role,
            "actor": entry.actor,
            **dict(entry.data),
        }
        rows.append(Row(values, source, number))
    if current is not None:
        yield LogCase(current, tuple(rows))
