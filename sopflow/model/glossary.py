"""The glossary: roles, common fields, warm tips and source documents, declared once for a whole library.

Forty procedures that each spell out who the front desk is drift apart the
first time one of them is corrected. A glossary document holds the shared
definition; procedures and policies name an entry (``front_desk:``) and may
narrow it for their own context (:class:`RoleNarrowing`, :class:`FieldNarrowing`),
but never contradict it: the checker holds each narrowing against the entry.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, StringConstraints, Tag

from sopflow.model.base import Citation, Language, Lint, Name, NonEmptyText, ProcedureId, Spec, Text
from sopflow.model.fields import FieldSpec

TIP_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]*$"
TipId = Annotated[str, StringConstraints(pattern=TIP_PATTERN)]
"""A warm tip's id as the SOPs cite it: ``A1``, ``C6``."""


class Role(Spec):
    """Someone who acts in the procedure (front desk, tenant, owner, supervisor)."""

    title: NonEmptyText
    description: Text | None = None


class RoleNarrowing(Spec):
    """A glossary role as one procedure sees it: only a description of its part here.

    Give ``title`` (without anything else a role has) to title the shared role for this
    procedure, e.g. the customer who is the owner; that is written as a :class:`Role`.
    """

    description: Text | None = None


class FieldNarrowing(Spec):
    """A glossary field as one procedure narrows it; the type and anything left out come from the glossary."""

    values: list[str] | None = Field(default=None, description="Some of the glossary enum's values, in any order.")
    default: Any = None
    private: bool | None = Field(default=None, description="May make a shared field private; never the reverse.")
    title: Text | None = Field(default=None, description="This procedure's words, per language; others stay shared.")
    description: Text | None = None


def _arm(kind: str, narrowing: str) -> Any:
    def discriminate(value: Any) -> str:
        if value is None:
            return "glossary"
        if isinstance(value, dict) and kind not in value:
            return narrowing
        return "own"

    return Discriminator(discriminate)


RoleEntry = Annotated[
    Annotated[Role, Tag("own")] | Annotated[RoleNarrowing, Tag("narrowing")] | Annotated[None, Tag("glossary")],
    _arm("title", "narrowing"),
]
"""What a procedure writes under ``roles``: its own role, or a glossary role named (``front_desk:``) or narrowed."""

FieldEntry = Annotated[
    Annotated[FieldSpec, Tag("own")] | Annotated[FieldNarrowing, Tag("narrowing")] | Annotated[None, Tag("glossary")],
    _arm("type", "narrowing"),
]
"""What a procedure writes under ``fields``: its own field, or a glossary field named (``unit:``) or narrowed."""


class SharedRole(Role):
    """A role of the glossary, with where the SOPs name it."""

    source: Citation | None = None


class SharedField(FieldSpec):
    """A common field of the glossary, with where the SOPs speak of it."""

    source: Citation | None = None


class Tip(Spec):
    """A warm tip (溫馨貼士) the SOPs cite by id; its own text may be absent from the sources."""

    title: NonEmptyText = Field(description="What the citing sentence says the tip is about.")
    description: Text | None = None
    source: Citation | None = Field(default=None, description="Where the tip is cited (or written).")


class SourceDocument(Spec):
    """A written SOP that citations name, and the script it is written in.

    The script says which Chinese text of a line is the authority and which the
    conversion (lint rule ``chinese-script``).
    """

    title: Text | None = None
    script: Language = Field(description="The language tag of the original's own script, e.g. zh-Hant.")


class Glossary(Spec):
    """Definitions every procedure and policy of the library shares."""

    id: ProcedureId
    title: NonEmptyText
    languages: list[Language] = Field(min_length=1)
    source: Citation | None = None
    documents: dict[str, SourceDocument] = Field(default_factory=dict, description="Source documents, by key.")
    roles: dict[Name, SharedRole] = Field(default_factory=dict)
    fields: dict[Name, SharedField] = Field(default_factory=dict)
    tips: dict[TipId, Tip] = Field(default_factory=dict, description="Warm tips (溫馨貼士), by the id states cite.")
    notes: str | list[str] | None = None
    lint: Lint = Field(default_factory=Lint)
