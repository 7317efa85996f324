"""The procedure language, version 1, as immutable pydantic models.

A YAML document holds one procedure or one policy. The shapes here are what
authors write; expansion (policies into states, ladders into levels) happens
later, in :mod:`sopflow.compile`, so that error locations still point at
what the author wrote.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import ConfigDict, Field, GetJsonSchemaHandler, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from sopflow.model.base import (
    NAME_PATTERN,
    Citation,
    Duration,
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
from sopflow.model.glossary import FieldEntry, Glossary, RoleEntry
from sopflow.model.properties import Property
from sopflow.model.targets import Targets
from sopflow.model.waits import WaitSpec, WhenSpec

Outcome = Literal["completed", "refused", "escalated", "handed_over", "pending_follow_up", "referred"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
ROLES = "Who acts: a role of this procedure (with a title), or a glossary role by name (front_desk:), narrowed or not."
FIELDS = "The session's data: a field of this procedure (with a type), or a glossary field by name (unit:), narrowed."
RESUME = "resume"
"""Outcome target of an event-level call: go back to the state the call interrupted."""


def _target_shorthand(value: Any) -> Any:
    # `on: {agree: sign_slip}` is the common case; it means `{to: sign_slip}`.
    return {"to": value} if isinstance(value, str) else value


class Branch(Spec):
    """One guarded way out of an event: the first branch whose ``if`` holds is taken."""

    if_: str | None = Field(default=None, alias="if", description="Guard expression; omit for the fallback.")
    to: Name | None = Field(default=None, description="Target state; omit to stay in the current state.")
    set: dict[Name, str] = Field(default_factory=dict, description="Field assignments (expressions).")


class Call(Spec):
    """Run another procedure as a child session and continue on its outcome."""

    procedure: ProcedureId
    with_: dict[Name, str] = Field(default_factory=dict, alias="with", description="Child field: parent expression.")
    returns: dict[Name, Name] = Field(default_factory=dict, description="Parent field: child field, copied back.")
    outcomes: dict[str, str] = Field(
        description="Child outcome (or '*') -> next state, or 'resume' for an event-level call.",
    )


class Event(Spec):
    """Something a person reports to the session; it moves the procedure on."""

    model_config = ConfigDict(
        json_schema_extra={
            **at_most_one("to", "branches", "call"),
            "allOf": [{"properties": {"branches": {"minItems": 1}}}],
        }
    )

    title: Text | None = None
    roles: list[Name] = Field(default_factory=list, description="Who may fire it; empty means the state's role.")
    data: list[str] = Field(
        default_factory=list,
        description="Fields the event must capture; a trailing '?' (quoted in flow style) makes one optional.",
        json_schema_extra={"items": {"pattern": r"^[a-z][a-z0-9_]*\??$"}},
    )
    optional: list[Name] = Field(default_factory=list, description="Fields the event may capture.")
    set: dict[Name, str] = Field(default_factory=dict, description="Field assignments (expressions).")
    to: Name | None = None
    branches: list[Branch] | None = None
    call: Call | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _target_shorthand(value)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # Editors must accept the shorthand too, or they underline the most common line of a procedure.
        mapping = handler.resolve_ref_schema(handler(core_schema))
        title, description = mapping.pop("title", None), mapping.pop("description", None)
        shorthand = {"type": "string", "pattern": NAME_PATTERN, "description": "Shorthand for {to: <state>}."}
        return {"title": title, "description": description, "anyOf": [shorthand, mapping]}

    @model_validator(mode="after")
    def _one_way_out(self) -> Event:
        ways = [w for w in ("to", "branches", "call") if getattr(self, w) is not None]
        if len(ways) > 1:
            raise ValueError(f"an event has one of 'to', 'branches' or 'call', found {' and '.join(ways)}")
        if self.branches is not None and not self.branches:
            raise ValueError("'branches' needs at least one branch")
        return self


class Timer(Spec):
    """Time passing is an event too: after the wait, or at the moment named, the timer fires."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                at_most_one("to", "branches"),
                *exactly_one("after", "at"),
            ]
        }
    )

    after: WaitSpec | None = Field(
        default=None, description="How long after entering the state: '3 minutes', '2 days', '3 working days'."
    )
    at: WhenSpec | None = Field(
        default=None,
        description=(
            "When: '08:30', 'next day 09:00', '08:30 on a working day', 'next working day', "
            "or a datetime field holding the moment (appointment_time)."
        ),
    )
    hours: Name | None = Field(
        default=None, description="The opening hours working time is counted in (default: the procedure's)."
    )
    title: Text | None = None
    set: dict[Name, str] = Field(default_factory=dict)
    to: Name | None = None
    branches: list[Branch] | None = None

    @model_validator(mode="after")
    def _one_way_out(self) -> Timer:
        if self.to is not None and self.branches is not None:
            raise ValueError("a timer has 'to' or 'branches', not both")
        if (self.after is None) == (self.at is None):
            raise ValueError("a timer has exactly one of 'after' (a wait) or 'at' (a moment)")
        return self


class ChecklistItem(Spec):
    """One thing a person checks and ticks, as the source lists it."""

    text: NonEmptyText
    source: Citation | None = None
    required: bool = Field(default=True, description="The state cannot be left until it is ticked.")


class Rule(Spec):
    """A standing rule that holds in every state where it applies ("never say no")."""

    text: NonEmptyText
    source: Citation | None = None
    notes: str | None = None


class Promise(Spec):
    """A deadline promised to a customer: kept by reaching a state in time, journaled when missed."""

    model_config = ConfigDict(json_schema_extra={"allOf": exactly_one("within", "by")})

    title: Text | None = None
    within: WaitSpec | None = Field(default=None, description="How long the promise gives: '3 working days', '5 days'.")
    by: WhenSpec | None = Field(
        default=None,
        description=(
            "The moment it must be kept by: '17:20' (the same day), 'next working day 12:00', "
            "or a datetime field holding it (appointment_time)."
        ),
    )
    hours: Name | None = Field(
        default=None, description="Opening hours working time counts in (default: the procedure's)."
    )
    starts: Name | None = Field(
        default=None, description="The state whose entry makes the promise (default: the start)."
    )
    kept: list[Name] = Field(min_length=1, description="Reaching any of these states keeps the promise.")
    source: Citation | None = None

    @model_validator(mode="after")
    def _one_deadline(self) -> Promise:
        if (self.within is None) == (self.by is None):
            raise ValueError("a promise has exactly one of 'within' (a wait) or 'by' (a moment)")
        return self


class LadderLevel(Spec):
    """One rung of an escalation ladder: who handles it, and for how long."""

    role: Name
    within: Duration | None = Field(default=None, description="Time this level has before the next one takes over.")
    say: Text | None = None
    do: Text | None = None


class Ladder(Spec):
    """An escalation ladder: colleague, then CS supervisor within 3 minutes, then the director."""

    title: Text | None = None
    source: Citation | None = None
    levels: list[LadderLevel] = Field(min_length=2)


class State(Spec):
    """One step of a procedure: who acts, what they say and do, and what may happen next."""

    title: Text | None = None
    role: Name | None = Field(default=None, description="The role that acts in this state.")
    say: Text | None = None
    do: Text | None = None
    tips: list[str] = Field(default_factory=list, description="Warm tips (溫馨貼士) cited, e.g. A1, B3.")
    source: Citation | None = None
    requires: list[Name] = Field(default_factory=list, description="Fields that must be set before leaving.")
    on: dict[Name, Event] = Field(default_factory=dict)
    timers: dict[Name, Timer] = Field(default_factory=dict)
    call: Call | None = None
    checklist: dict[Name, ChecklistItem] = Field(
        default_factory=dict, description="Items ticked in this state; required ones before it can be left."
    )
    ladder: Name | None = Field(default=None, description="Run this state as the levels of a ladder.")
    final: Outcome | None = Field(default=None, description="Makes the state final with this outcome.")
    notes: str | None = None


class Start(Spec):
    """What the host must know before a session starts: data that comes from its records, not the desk."""

    data: list[str] = Field(
        default_factory=list,
        description="Fields the host must give at start; a trailing '?' (quoted in flow style) makes one optional.",
        json_schema_extra={"items": {"pattern": r"^[a-z][a-z0-9_]*\??$"}},
    )
    optional: list[Name] = Field(default_factory=list, description="Fields the host may give at start.")


class Migration(Spec):
    """How open sessions of an earlier version move onto this one (`sopflow` store migrate)."""

    from_: int = Field(alias="from", ge=1, description="The version whose open sessions move to this one.")
    states: dict[Name, Name] = Field(
        default_factory=dict, description="Old state: new state, for every non-final state of the old version."
    )
    pin: list[Name] = Field(
        default_factory=list, description="Old states whose sessions stay on the old version and finish there."
    )
    fields: dict[Name, Name] = Field(default_factory=dict, description="Renamed fields: old name: new name.")
    drop: list[Name] = Field(
        default_factory=list, description="Old fields this version no longer has; their values are not carried over."
    )


class Policy(Spec):
    """Cross-cutting rules declared once and used by many procedures.

    Its events apply in every non-final state of every procedure that uses it;
    its states and ladders are added to those procedures.
    """

    id: ProcedureId
    version: int = Field(ge=1)
    title: NonEmptyText
    languages: list[Language] = Field(min_length=1)
    source: Citation | None = None
    roles: dict[Name, RoleEntry] = Field(default_factory=dict, description=ROLES)
    fields: dict[Name, FieldEntry] = Field(default_factory=dict, description=FIELDS)
    events: dict[Name, Event] = Field(default_factory=dict)
    states: dict[Name, State] = Field(default_factory=dict)
    ladders: dict[Name, Ladder] = Field(default_factory=dict)
    rules: dict[Name, Rule] = Field(default_factory=dict, description="Standing rules every user of the policy keeps.")
    notes: str | list[str] | None = None
    lint: Lint = Field(default_factory=Lint)


class Procedure(Spec):
    """A standard operating procedure as a state machine."""

    id: ProcedureId
    version: int = Field(ge=1)
    title: NonEmptyText
    languages: list[Language] = Field(min_length=1)
    source: Citation | None = None
    roles: dict[Name, RoleEntry] = Field(min_length=1, description=ROLES)
    fields: dict[Name, FieldEntry] = Field(default_factory=dict, description=FIELDS)
    initial: Name
    start: Start | None = Field(
        default=None, description="Data the host supplies when it starts a session (from its records)."
    )
    uses: list[ProcedureId] = Field(default_factory=list, description="Policies this procedure applies.")
    hours: Name | None = Field(
        default=None, description="The deployment's opening hours its working-time timers and promises count in."
    )
    promises: dict[Name, Promise] = Field(default_factory=dict, description="Deadlines promised to the customer.")
    rules: dict[Name, Rule] = Field(default_factory=dict, description="Standing rules of this procedure.")
    migrate: Migration | None = Field(
        default=None, description="How open sessions of the previous version move onto this one."
    )
    ladders: dict[Name, Ladder] = Field(default_factory=dict)
    invariants: dict[Name, str] = Field(default_factory=dict, description="Name: boolean expression.")
    properties: dict[Name, Property] = Field(
        default_factory=dict, description="What must hold on every way through it: checked by the explorer."
    )
    states: dict[Name, State] = Field(min_length=1)
    notes: str | list[str] | None = None
    lint: Lint = Field(default_factory=Lint)


BODIES = ("procedure", "policy", "glossary", "targets")
"""The keys a document holds exactly one of."""


class Document(Spec):
    """One YAML file: the language version and exactly one procedure, policy, glossary or set of targets."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": [body], "properties": {body: {"type": "object"}}} for body in BODIES]}
    )

    sopflow: Literal[1] = Field(description="Version of the procedure language.")
    procedure: Procedure | None = None
    policy: Policy | None = None
    glossary: Glossary | None = Field(default=None, description="Roles, fields and tips the whole library shares.")
    targets: Targets | None = Field(default=None, description="KPI targets, measured from the procedures' journals.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Document:
        if sum(getattr(self, body) is not None for body in BODIES) != 1:
            raise ValueError("a document holds exactly one of 'procedure', 'policy', 'glossary' or 'targets'")
        return self

    @property
    def body(self) -> Procedure | Policy | Glossary | Targets:
        body = self.procedure or self.policy or self.glossary or self.targets
        assert body is not None  # guaranteed by _exactly_one
        return body
