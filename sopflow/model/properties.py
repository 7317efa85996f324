"""Properties a procedure must have, in the shapes compliance staff state them.

"The owner is called before the slip is issued", "escalation is possible at every step",
"a tenant with arrears is never released", "a complaint received is always followed up":
four patterns of the specification-pattern literature — precedence, universality of an
option, absence under a condition, response — cover what the source documents demand.
The explorer checks each one over every reachable configuration and answers a broken one
with the shortest way to break it, as a scenario.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field, model_validator

from sopflow.model.base import Citation, Name, ProcedureId, Spec, Text, exactly_one
from sopflow.model.targets import StateName

PATTERNS = (("first", "then"), ("after", "eventually"), ("never",), ("always_available",), ("only", "by"))


class Occurrence(Spec):
    """Something that happens: an event (or timer) moves a session, or a session enters a state."""

    model_config = ConfigDict(json_schema_extra={"allOf": exactly_one("event", "reached")})

    event: Name | None = Field(default=None, description="An event or timer that moves the session.")
    reached: StateName | None = Field(default=None, description="A state the session enters.")
    procedure: ProcedureId | None = Field(
        default=None, description="Only in this procedure (one the procedure calls); default: the procedure itself."
    )

    @model_validator(mode="after")
    def _one(self) -> Occurrence:
        if (self.event is None) == (self.reached is None):
            raise ValueError("an occurrence is exactly one of 'event' or 'reached'")
        return self

    def __str__(self) -> str:
        where = f" in {self.procedure}" if self.procedure else ""
        return f"event '{self.event}'{where}" if self.event is not None else f"reaching '{self.reached}'{where}"


class Property(Spec):
    """One property, in one of five patterns (give exactly one):

    - ``first`` + ``then``: *then* never happens unless *first* has happened before;
    - ``after`` + ``eventually``: once *after* has happened, every way on leads to *eventually*;
    - ``never`` (+ ``while``): it never happens (while the condition holds, as it stands after it);
    - ``always_available`` (+ ``while``): the event can be fired in every step before the end;
    - ``only`` + ``by``: when it happens, one of these roles did it (a timer is no one's act).
    """

    text: Text | None = Field(default=None, description="The property in words, as the source says it.")
    source: Citation | None = None
    first: Occurrence | None = None
    then: Occurrence | None = None
    after: Occurrence | None = None
    eventually: Occurrence | None = None
    never: Occurrence | None = None
    always_available: Name | None = Field(default=None, description="An event offered in every non-final step.")
    only: Occurrence | None = None
    by: list[Name] | None = Field(default=None, min_length=1, description="With 'only': the roles that may do it.")
    while_: str | None = Field(
        default=None, alias="while", description="With 'never' or 'always_available': only while this holds."
    )

    @model_validator(mode="after")
    def _one_pattern(self) -> Property:
        given = [keys for keys in PATTERNS if any(getattr(self, k) is not None for k in keys)]
        if len(given) != 1:
            raise ValueError(
                "a property is exactly one of: 'first' + 'then', 'after' + 'eventually', 'never', 'always_available', "
                "'only' + 'by'"
            )
        missing = [k for k in given[0] if getattr(self, k) is None]
        if missing:
            raise ValueError(f"'{given[0][0]}' needs '{missing[0]}'")
        if self.while_ is not None and given[0][0] not in ("never", "always_available"):
            raise ValueError("'while' goes with 'never' or 'always_available'")
        return self

    @property
    def pattern(self) -> str:
        return next(keys[0] for keys in PATTERNS if getattr(self, keys[0]) is not None)
