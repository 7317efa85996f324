"""Typed context fields: the data a session carries and guards talk about."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, get_args

from pydantic import ConfigDict, Field, model_validator

from sopflow.model.base import NonEmptyText, Spec, Text

FieldType = Literal["str", "int", "decimal", "bool", "enum", "list[str]", "date", "time", "datetime"]
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)


class FieldSpec(Spec):
    """One piece of session data; ``private`` marks personal data that logs redact."""

    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"type": {"const": "enum"}}},
            "then": {"required": ["values"], "properties": {"values": {"type": "array", "minItems": 1}}},
            "else": {"properties": {"values": {"type": "null"}}},
        }
    )

    type: FieldType
    values: list[str] | None = Field(default=None, description="The allowed values of an enum.")
    default: Any = None
    private: bool = Field(default=False, description="Personal data: redacted in rendered logs.")
    minimum: Decimal | None = Field(default=None, description="The smallest value an int or decimal may take.")
    maximum: Decimal | None = Field(default=None, description="The largest value an int or decimal may take.")
    title: NonEmptyText | None = None
    description: Text | None = None

    @model_validator(mode="after")
    def _enum_has_values(self) -> FieldSpec:
        if self.type == "enum" and not self.values:
            raise ValueError("an enum field needs 'values'")
        if self.type != "enum" and self.values is not None:
            raise ValueError(f"'values' only goes with type enum, not {self.type}")
        if (self.minimum is not None or self.maximum is not None) and self.type not in ("int", "decimal"):
            raise ValueError(f"'minimum' and 'maximum' only go with int or decimal, not {self.type}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"'minimum' {self.minimum} is above 'maximum' {self.maximum}")
        return self

    @property
    def bounded(self) -> bool:
        return self.minimum is not None or self.maximum is not None
