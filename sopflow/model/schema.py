"""The JSON Schema of the procedure language, for editors that validate and complete YAML."""

from __future__ import annotations

from collections.abc import Mapping
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


Names = Mapping[str, str]
"""A name the library's glossary defines -> what it is, for the editor to show beside it."""


def library_schema(roles: Names, fields: Names, tips: Names, documents: Names) -> dict[str, Any]:
    """The schema of a document in one library: the generic one, plus the names its glossary defines.

    A procedure's schema cannot know a library's names, so this one is written per library
    (``sopflow schema --library PATH``). Editors then complete glossary role and field names
    under ``roles`` and ``fields`` and wherever a role or field is named, while names of a
    procedure's own still validate; tips and cited documents must be the glossary's, as the
    checker requires once the glossary declares any.
    """
    schema = json_schema()
    defs = schema["$defs"]
    for body in ("Procedure", "Policy"):
        for key, names in (("roles", roles), ("fields", fields)):
            entry = defs[body]["properties"][key]
            arm = next(iter(entry["patternProperties"].values()))
            entry["properties"] = {name: {**arm, "description": about} for name, about in names.items()}
    _names(_properties(defs["State"]), "role", roles)
    _names(_properties(defs["LadderLevel"]), "role", roles)
    _names(_properties(defs["Event"]), "roles", roles)
    for owner, key in (("State", "requires"), ("Event", "data"), ("Event", "optional")):
        _names(_properties(defs[owner]), key, fields)
    for key in ("data", "optional"):
        _names(_properties(defs["Start"]), key, fields)
    if tips:
        items = _properties(defs["State"])["tips"]["items"]
        items["enum"] = list(tips)
        items["description"] = "; ".join(f"{tip}: {about}" for tip, about in tips.items())
    if documents:
        citation = _properties(defs["Citation"])["document"]
        citation["enum"] = list(documents)
    return schema


def _properties(definition: dict[str, Any]) -> dict[str, Any]:
    """A definition's properties, also where it is wrapped in ``anyOf`` with a shorthand (events)."""
    if "properties" in definition:
        found: dict[str, Any] = definition["properties"]
        return found
    return next(arm["properties"] for arm in definition["anyOf"] if "properties" in arm)


def _names(properties: dict[str, Any], key: str, names: Names) -> None:
    """Offer ``names`` for a name (or a list of names) while still accepting any well-formed one."""
    if not names:
        return
    prop = properties[key]
    known = {"enum": list(names), "description": "; ".join(f"{n}: {about}" for n, about in names.items())}
    if prop.get("type") == "array":
        prop["items"] = {"anyOf": [known, prop["items"]]}
    elif "anyOf" in prop:
        prop["anyOf"] = [known, *prop["anyOf"]]
    else:
        written = {k: prop.pop(k) for k in ("type", "pattern") if k in prop}
        prop["anyOf"] = [known, written]
