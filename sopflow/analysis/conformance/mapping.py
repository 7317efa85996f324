"""How a host's log speaks about a procedure: which columns hold what, which activity is which event.

Logs come from systems that never heard of sopflow: a ticketing tool calls the fee check
"Fees verified" and its role "CS desk". The mapping is the one place that translation is
written down, so an auditor can read (and sign off) what the checker assumed. It is a small
YAML file validated by a pydantic model; every mistake is reported with the file and field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sopflow.errors import SopflowError
from sopflow.io.positions import Positions
from sopflow.io.utf8 import not_utf8
from sopflow.io.yaml_source import parse_yaml

START = "start"
"""An activity mapped to this opens the case: its row's data and role start the session."""
TICK = "tick"
"""An activity mapped to this is a timer or wait marker: time passes to its timestamp, nothing is fired."""
IGNORE = "ignore"
"""An activity mapped to this is not part of the procedure (a note, an e-mail sent): skipped."""
CHECK = "check:"
"""``check:<item>``: the activity ticks a checklist item."""


class LogError(SopflowError):
    """A log or its mapping is malformed; the message says where (file, row or line) and what was expected."""

    def __init__(
        self, message: str, *, source: str | None = None, row: int | None = None, column: int | None = None
    ) -> None:
        self.message = message
        self.source = source
        self.row = row
        """The log's row, or the mapping file's line."""
        self.column = column
        """In a mapping file, the column on that line."""
        where = source or ""
        if row is not None:
            where += f":{row}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {message}" if where else message)


class Columns(BaseModel):
    """The log's column (or XES attribute) holding each part of an event."""

    model_config = ConfigDict(extra="forbid")

    case: str = Field(default="case", description="The case id: one case is one session of the procedure.")
    activity: str = Field(default="activity", description="What happened, in the log's own words.")
    timestamp: str = Field(default="timestamp", description="When: ISO 8601; without a zone, in `timezone`.")
    role: str | None = Field(default="role", description="Who, as a role (mapped through `roles`).")
    actor: str | None = Field(default=None, description="Who, as a person (kept as the actor; never judged).")


class StartSpec(BaseModel):
    """How a case opens when the log has no start row, and what every case starts with."""

    model_config = ConfigDict(extra="forbid")

    role: str | None = Field(default=None, description="The role that starts the session (default: the first state's).")
    data: dict[str, Any] = Field(
        default_factory=dict, description="Start data every case shares (deployment settings)."
    )


class LogMapping(BaseModel):
    """A declared mapping from one host log to one procedure."""

    model_config = ConfigDict(extra="forbid")

    procedure: str = Field(description="The procedure id every case of the log is checked against.")
    version: int | None = Field(default=None, description="Its version (default: the newest in the library).")
    columns: Columns = Field(default_factory=Columns)
    data: dict[str, str] = Field(
        default_factory=dict, description="Log column -> procedure field, for the data an event carries."
    )
    activities: dict[str, str] = Field(
        default_factory=dict,
        description="Log activity -> event name, or start, tick, ignore, check:<item>. "
        "An activity not listed is taken as the event of the same name.",
    )
    roles: dict[str, str] = Field(default_factory=dict, description="Log role -> procedure role; others as written.")
    start: StartSpec = Field(default_factory=StartSpec)
    timezone: str | None = Field(
        default=None, description="IANA zone of timestamps written without one (default: the library calendar's)."
    )
    unmapped: Literal["error", "ignore"] = Field(
        default="error", description="An activity that is neither listed nor an event: stop with an error, or skip it."
    )
    complete: bool = Field(
        default=True, description="Cases in the log are finished: a case that stops before an outcome misses steps."
    )

    def zone(self, default: dt.tzinfo) -> dt.tzinfo:
        if self.timezone is None:
            return default
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise LogError(f"mapping: unknown time zone '{self.timezone}'; use an IANA name") from None


def load_mapping(path: str | Path) -> LogMapping:
    """Read and validate a mapping file; a mistake is a :class:`LogError` naming the file, line and field.

    Read as procedure files are (YAML 1.2 booleans, so an activity called ``on`` or ``yes``
    stays a name; sizes and aliases bounded; duplicate keys refused).
    """
    where = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise LogError(f"cannot read the mapping ({exc.strerror})", source=where) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column, message = not_utf8(data, exc)
        raise LogError(message, source=where, row=line, column=column) from None
    raw, positions, problems = parse_yaml(text, where, plain=True)
    if problems:
        first = problems[0]
        raise LogError(first.message, source=where, row=first.line, column=first.column)
    return mapping_from(raw, where, positions)


def mapping_from(raw: Any, where: str = "<mapping>", positions: Positions | None = None) -> LogMapping:
    """A mapping from its parsed YAML or JSON form (``positions``: where each part stands in its file)."""
    if not isinstance(raw, dict):
        raise LogError("a mapping is a YAML mapping with at least 'procedure'", source=where)
    try:
        return LogMapping.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = [part for part in first["loc"] if part != "[key]"]
        field = ".".join(str(p) for p in loc) or "(top)"
        # A key that should not be there is pointed at, not its value.
        key = first["loc"][-1:] == ("[key]",) or first["type"] == "extra_forbidden"
        found = positions.locate(loc, key=key) if positions is not None else None
        line, column = found if found else (None, None)
        raise LogError(f"{field}: {first['msg']}", source=where, row=line, column=column) from None
