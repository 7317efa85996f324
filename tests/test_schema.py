"""The published JSON Schema matches the models, and real procedures validate against it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from sopflow.io.yaml_source import parse_yaml
from sopflow.library import collect
from sopflow.model.schema import json_schema

ROOT = Path(__file__).parent.parent
PUBLISHED = ROOT / "docs" / "sopflow.schema.json"


def test_published_schema_is_current() -> None:
    """docs/sopflow.schema.json is regenerated whenever the models change."""
    assert json_schema() == json.loads(PUBLISHED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", collect([ROOT / "procedures"]), ids=lambda p: p.name)
def test_bundled_procedures_validate_against_the_schema(path: Path) -> None:
    """What an editor checks agrees with what sopflow loads."""
    data, _, problems = parse_yaml(path.read_text(encoding="utf-8"), str(path))  # YAML 1.2, as editors read it
    assert [] == problems
    document = json.loads(json.dumps(data, default=str))  # the schema sees JSON, as an editor does
    jsonschema.validate(document, json_schema())
