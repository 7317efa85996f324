"""KPI targets as data: what a department measures, how it is counted from journals, and the goal.

A target written in a report template is re-typed by whoever computes it, and drifts from
the procedures it is about. Declared here, each indicator names the procedure outcomes,
states, events and promises it counts, so the checker holds it against the procedures and
reports compute it from the journals without anyone re-typing a definition. Several of the
source's figures are garbled; a target keeps the source's raw text and the confidence of
its reading beside the value.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from sopflow.model.base import (
    LEVEL_SEPARATOR,
    NAME_PATTERN,
    Citation,
    Language,
    Lint,
    Name,
    NonEmptyText,
    ProcedureId,
    Spec,
    Text,
    at_most_one,
    exactly_one,
)

_NAME = NAME_PATTERN.strip("^$")
StateName = Annotated[str, StringConstraints(pattern=rf"^{_NAME}(?:{LEVEL_SEPARATOR}{_NAME})?$")]
"""A state, or one level of a ladder state: ``explain@office_director``."""

Period = Literal["day", "week", "month", "quarter", "year"]
Confidence = Literal["high", "medium", "low"]
PromiseResult = Literal["made", "kept", "missed"]


def _percent(value: Any) -> Decimal:
    """``95%``, ``100 %`` or a plain number of percent."""
    if isinstance(value, bool):
        raise ValueError(f"expected a percentage such as '95%', found {value!r}")
    text = str(value).strip()
    try:
        number = Decimal(text.removesuffix("%").strip())
    except InvalidOperation:
        raise ValueError(f"expected a percentage such as '95%', found {value!r}") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise ValueError(f"a percentage lies between 0% and 100%, found {value!r}")
    return number


Percent = Annotated[
    Decimal,
    BeforeValidator(_percent),
    PlainSerializer(lambda d: f"{d}%", return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 100},
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%$"},
            ]
        }
    ),
]
"""A percentage as people write it; kept as the number of percent (``95``)."""


class Target(Spec):
    """The goal: a rate at least (collection ≥ 85 %) or at most (repair complaints ≤ 5 %) a figure."""

    model_config = ConfigDict(json_schema_extra={"allOf": exactly_one("at_least", "at_most")})

    at_least: Percent | None = None
    at_most: Percent | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Target:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("a target has exactly one of 'at_least' or 'at_most'")
        return self

    def met(self, percent: Decimal) -> bool:
        return percent >= self.at_least if self.at_least is not None else percent <= (self.at_most or 0)

    def __str__(self) -> str:
        return f"≥ {self.at_least}%" if self.at_least is not None else f"≤ {self.at_most}%"


class Selector(Spec):
    """Which sessions (or promises) of one procedure count, and whether to count them or add up a field.

    Every condition given must hold: ``finished`` and ``outcome`` look at how the session
    ended, ``reached`` at the states it entered, ``event`` at the events and timers that
    moved it, ``where`` at its data when it was last seen. With ``promise`` the promise's
    entries are counted instead: made, kept or missed.
    """

    model_config = ConfigDict(json_schema_extra={"allOf": [at_most_one("sum", "promise")]})

    procedure: ProcedureId = Field(description="The procedure whose sessions (or called runs) are counted.")
    finished: bool = Field(default=False, description="Only sessions that have ended.")
    outcome: list[Name] = Field(default_factory=list, description="Only sessions that ended with one of these.")
    reached: list[StateName] = Field(
        default_factory=list, description="Only sessions that entered one of these states."
    )
    event: list[Name] = Field(default_factory=list, description="Only sessions one of these events or timers moved.")
    where: str | None = Field(default=None, description="Only sessions whose data make this condition true.")
    promise: Name | None = Field(default=None, description="Count this promise's entries instead of sessions.")
    result: list[PromiseResult] = Field(
        default_factory=list, description="With 'promise': which of its entries count (made, kept, missed)."
    )
    sum: Name | None = Field(default=None, description="Add up this number field instead of counting sessions.")

    @model_validator(mode="after")
    def _promise_and_result(self) -> Selector:
        if bool(self.result) != (self.promise is not None):
            raise ValueError("'promise' and 'result' go together: which promise, and which of its entries count")
        return self


class Measure(Spec):
    """A rate: what is counted, out of what. ``count: …, of: …`` reads as the sentence it is."""

    count: Selector
    of: Selector


class Kpi(Spec):
    """One indicator: its name, how it is measured, its period and goal, and how sure the reading is."""

    model_config = ConfigDict(json_schema_extra={"allOf": exactly_one("measure", "unmeasured")})

    title: NonEmptyText
    description: Text | None = None
    target: Target | None = Field(default=None, description="The goal; absent for an indicator the source gives none.")
    period: Period = Field(default="month", description="The stretch of time each figure covers.")
    measure: Measure | None = None
    unmeasured: Text | None = Field(
        default=None, description="Why no procedure of the library can measure it (yet), instead of 'measure'."
    )
    source: Citation | None = None
    raw: str | None = Field(default=None, description="The source's own text, garbling included.")
    confidence: Confidence = Field(default="high", description="How sure the reading of the source is.")
    notes: str | list[str] | None = None

    @model_validator(mode="after")
    def _measured_or_why_not(self) -> Kpi:
        if (self.measure is None) == (self.unmeasured is None):
            raise ValueError("a KPI has exactly one of 'measure' or 'unmeasured' (why nothing measures it)")
        return self


class Targets(Spec):
    """A department's KPI targets, declared once for the library."""

    id: ProcedureId
    title: NonEmptyText
    languages: list[Language] = Field(min_length=1)
    source: Citation | None = None
    kpis: dict[Name, Kpi] = Field(min_length=1)
    notes: str | list[str] | None = None
    lint: Lint = Field(default_factory=Lint)
