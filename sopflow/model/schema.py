"""The JSON Schema of the procedure language, for editors that validate and complete YAML."""

from __future__ import annotations

from typing import Any

from sopflow.model.procedure import Document

SCHEMA_ID = "urn:sopflow:schema:procedure:1"


def json_schema() -> dict[str, Any]:
    """The schema of a version-1 document, generated from the models so it never drifts."""
    schema = Document.model_json_schema(by_alias=True)
    schema.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "sopflow procedure language, version 1",
        **schema,
    }
