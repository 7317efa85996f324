"""The scenario format: what a scenario file may say, as pydantic models.

Unknown keys are errors, durations are kept as written, and a step is told
apart by its ``fire`` or ``wait`` key. Reading files and reporting their
mistakes is :mod:`.load`'s job; these models only say what is allowed.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
)

from sopflow import errors
from sopflow.errors import RuntimeRefusal
from sopflow.io.positions import Positions
from sopflow.model import Language, ProcedureId, parse_until

DEFAULT_START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
"""When a scenario starts if it does not say: a Monday, 09:00 at the service centre."""

REFUSALS: Mapping[str, type[RuntimeRefusal]] = MappingProxyType(
    {
        name: value
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, RuntimeRefusal)
    }
)
"""Refusals a step may expect, by class name; ``RuntimeRefusal`` itself accepts any of them."""


class _Spec(BaseModel):
    """Unknown keys are errors (a misspelt ``expect`` must not silently check nothing)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Substrings = Annotated[list[str], BeforeValidator(_one_or_many)]
"""One text, or several, each of which must occur in the rendered text."""


def _refusal_name(value: Any) -> Any:
    if isinstance(value, str) and value not in REFUSALS:
        close = difflib.get_close_matches(value, REFUSALS, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(sorted(REFUSALS))}"
        raise ValueError(f"unknown refusal '{value}'; {hint}")
    return value


RefusalName = Annotated[str, BeforeValidator(_refusal_name)]


def _wait_as_written(value: Any) -> Any:
    parse_until(value)  # raises ValueError with the message authors need
    return value if isinstance(value, str) else f"{value}s"


PromiseStatus = Literal["made", "kept", "missed"]

WaitDuration = Annotated[str, BeforeValidator(_wait_as_written)]
"""``3 minutes``, ``2 working days`` or ``next working day 09:00``, kept as written for transcripts."""


class Start(_Spec):
    """How the visit begins: who opens the session, when, and with what data."""

    at: AwareDatetime | None = Field(default=None, description="Start time with its zone; default DEFAULT_START.")
    role: str
    actor: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class Expect(_Spec):
    """What must hold after a step; every key is optional and only the keys given are checked."""

    state: str | None = None
    path: list[str] | None = None
    says: dict[Language, Substrings] | None = None
    does: dict[Language, Substrings] | None = None
    allowed: list[str] | None = None
    allowed_include: list[str] | None = None
    data: dict[str, Any] | None = None
    outcome: str | None = None
    """Checked whenever the key is present; ``outcome: null`` means "not finished yet"."""
    timers: list[str] | None = None
    promises: dict[str, PromiseStatus] | None = None
    """Each promise named and where it stands: ``made`` (still open), ``kept`` or ``missed``."""


class End(Expect):
    """What must hold when every step has run, plus checks over the whole journal."""

    journal_includes: list[str] | None = None
    journal_excludes: list[str] | None = None
    calls: list[str] | None = None


class FireStep(_Spec):
    """Someone reports an event."""

    fire: str
    as_: str = Field(alias="as")
    actor: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    refused: RefusalName | None = None
    expect: Expect | None = None


class CheckStep(_Spec):
    """Someone ticks an item of the current step's checklist."""

    check: str
    as_: str = Field(alias="as")
    actor: str | None = None
    refused: RefusalName | None = None
    expect: Expect | None = None


class WaitStep(_Spec):
    """Time passes; timers that fall due fire, each at its own deadline."""

    wait: WaitDuration
    expect: Expect | None = None


def _step_kind(value: Any) -> str | None:
    if isinstance(value, FireStep):
        return "fire"
    if isinstance(value, WaitStep):
        return "wait"
    if isinstance(value, CheckStep):
        return "check"
    if isinstance(value, dict):
        kinds = [kind for kind in ("fire", "wait", "check") if kind in value]
        if len(kinds) == 1:
            return kinds[0]
    return None


ScenarioStep = Annotated[
    Annotated[FireStep, Tag("fire")] | Annotated[WaitStep, Tag("wait")] | Annotated[CheckStep, Tag("check")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message=(
            "a step is one of 'fire: <event>', 'wait: <duration>' or 'check: <checklist item>' (exactly one)"
        ),
    ),
]


class Scenario(_Spec):
    """One scenario file: a visit through one procedure, step by step, with what must hold."""

    name: str = Field(alias="scenario")
    procedure: ProcedureId
    languages: Annotated[list[Language], Field(min_length=1)] | None = None
    start: Start
    steps: list[ScenarioStep] = Field(default_factory=list)
    end: End | None = None

    _source: str = PrivateAttr(default="<scenario>")
    _positions: Positions | None = PrivateAttr(default=None)

    @property
    def source(self) -> str:
        """The file the scenario came from (``<scenario>`` when built in Python)."""
        return self._source

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of ``path`` in the file (or of its nearest ancestor), if known."""
        found = self._positions.locate(path, key=key) if self._positions is not None else None
        return found or (None, None)


def label(path: Sequence[str | int]) -> str:
    """A path in a scenario as authors count: ``step 3 › expect.state`` (steps from 1)."""
    if len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int):
        rest = _dotted(path[2:])
        return f"step {path[1] + 1}" + (f" › {rest}" if rest else "")
    return _dotted(path)


def _dotted(path: Sequence[str | int]) -> str:
    return ".".join(map(str, path))
