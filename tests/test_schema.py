"""The published JSON Schema matches the models, and accepts exactly what sopflow loads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sopflow.io import load_text
from sopflow.io.yaml_source import parse_yaml
from sopflow.library import collect
from sopflow.model.schema import json_schema

ROOT = Path(__file__).parent.parent
PUBLISHED = ROOT / "docs" / "sopflow.schema.json"
FENCE = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)
VALIDATOR = jsonschema.Draft202012Validator(json_schema())


def as_editor_sees(text: str) -> Any:
    """The document as JSON, read as YAML 1.2 (as editors read it)."""
    data, _, problems = parse_yaml(text, "<schema test>")
    assert [] == problems
    return json.loads(json.dumps(data, default=str))


def schema_errors(text: str) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(as_editor_sees(text))]


def loader_errors(text: str) -> list[str]:
    return [d.message for d in load_text(text, "<schema test>").diagnostics if d.severity == "error"]


def doc_examples() -> list[pytest.ParameterSet]:
    """Every complete document in docs/*.md: the blocks tests/test_docs.py loads."""
    found = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        blocks = [b for b in FENCE.findall(page.read_text(encoding="utf-8")) if b.startswith("sopflow: 1")]
        found += [pytest.param(block, id=f"{page.name}-{i}") for i, block in enumerate(blocks, 1)]
    return found


def test_published_schema_is_current() -> None:
    """docs/sopflow.schema.json is regenerated whenever the models change."""
    assert json_schema() == json.loads(PUBLISHED.read_text(encoding="utf-8"))


def test_the_schema_is_valid_json_schema() -> None:
    """Editors can use the schema: it is itself a valid draft 2020-12 schema."""
    jsonschema.Draft202012Validator.check_schema(json_schema())


@pytest.mark.parametrize("path", collect([ROOT / "procedures"]), ids=lambda p: p.name)
def test_bundled_procedures_validate_against_the_schema(path: Path) -> None:
    """What an editor checks agrees with what sopflow loads."""
    assert [] == schema_errors(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", doc_examples())
def test_documented_examples_validate_against_the_schema(text: str) -> None:
    """The examples of the docs, `on: {agree: sign_slip}` shorthand included, are valid for editors too."""
    assert ([], []) == (loader_errors(text), schema_errors(text))


MINIMAL = """\
sopflow: 1
procedure:
  id: demo.minimal
  version: 1
  title: {en: Minimal}
  languages: [en]
  roles: {front_desk: {title: {en: Front desk}}}
  fields:
    kind: {type: enum, values: [a, b]}
  initial: greet
  states:
    greet:
      role: front_desk
      on:
        helped: done
        asked: {to: done}
      timers:
        waited: {after: 3 minutes, to: done}
    done: {final: completed}
"""

VALID = {
    "shorthand and mapping events": MINIMAL,
    "a duration in hours and minutes": MINIMAL.replace("after: 3 minutes", "after: 1H 30m"),
    "a duration in seconds as a number": MINIMAL.replace("after: 3 minutes", "after: 20"),
    "a null way out besides a target": MINIMAL.replace("asked: {to: done}", "asked: {to: done, branches: null}"),
    "a policy beside a null procedure": "sopflow: 1\nprocedure: null\npolicy:\n  id: demo.policy\n  version: 1\n"
    "  title: {en: Policy}\n  languages: [en]\n",
    "glossary references and a narrowing": MINIMAL.replace(
        "  roles: {front_desk: {title: {en: Front desk}}}", "  roles: {front_desk, customer: {description: {en: x}}}"
    ).replace(
        "    kind: {type: enum, values: [a, b]}",
        "    kind: {type: enum, values: [a, b]}\n    unit:\n    need: {values: [a]}",
    ),
    "a glossary": "sopflow: 1\nglossary:\n  id: demo.glossary\n  title: {en: Glossary}\n  languages: [en]\n"
    "  roles: {desk: {title: {en: desk}}}\n  tips: {A1: {title: {en: tea}}}\n"
    "  documents: {'000': {script: zh-Hant}}\n",
}

INVALID = {
    "a shorthand that is not a state name": MINIMAL.replace("helped: done", "helped: Done Now"),
    "an event given as a number": MINIMAL.replace("helped: done", "helped: 3"),
    "an event with two ways out": MINIMAL.replace("asked: {to: done}", "asked: {to: done, branches: [{to: done}]}"),
    "an event with no branches": MINIMAL.replace("asked: {to: done}", "asked: {branches: []}"),
    "a timer with two ways out": MINIMAL.replace("to: done}\n    done", "to: done, branches: [{to: done}]}\n    done"),
    "a duration in parsecs": MINIMAL.replace("after: 3 minutes", "after: 3 parsecs"),
    "a duration of no time": MINIMAL.replace("after: 3 minutes", "after: 0"),
    "an enum without values": MINIMAL.replace("{type: enum, values: [a, b]}", "{type: enum}"),
    "values on a text field": MINIMAL.replace("{type: enum, values: [a, b]}", "{type: str, values: [a, b]}"),
    "an unknown key": MINIMAL.replace("role: front_desk", "rol: front_desk"),
    "a missing initial state": MINIMAL.replace("  initial: greet\n", ""),
    "an outcome outside the language": MINIMAL.replace("final: completed", "final: complete"),
    "a procedure and a policy": MINIMAL + "policy: {id: demo.policy, version: 1, title: {en: P}, languages: [en]}\n",
    "a procedure and a glossary": MINIMAL + "glossary: {id: demo.glossary, title: {en: G}, languages: [en]}\n",
    "a misspelt type key": MINIMAL.replace("{type: enum, values: [a, b]}", "{typ: enum}"),
    "neither procedure nor policy": "sopflow: 1\n",
    "another language version": MINIMAL.replace("sopflow: 1", "sopflow: 2"),
}


@pytest.mark.parametrize("text", VALID.values(), ids=VALID)
def test_the_schema_accepts_what_the_loader_accepts(text: str) -> None:
    """Forms the loader reads are not underlined by an editor."""
    assert ([], []) == (loader_errors(text), schema_errors(text))


@pytest.mark.parametrize("text", INVALID.values(), ids=INVALID)
def test_the_schema_rejects_what_the_loader_rejects(text: str) -> None:
    """A mistake the loader refuses is underlined by an editor too."""
    assert (True, True) == (bool(loader_errors(text)), bool(schema_errors(text)))


def library_errors(text: str) -> list[str]:
    from sopflow.cli.checks import schema_document

    validator = jsonschema.Draft202012Validator(schema_document([ROOT / "procedures"]))
    return [error.message for error in validator.iter_errors(as_editor_sees(text))]


@pytest.mark.parametrize("path", collect([ROOT / "procedures"]), ids=lambda p: p.name)
def test_the_library_schema_accepts_the_bundled_procedures(path: Path) -> None:
    """With the glossary's names offered, every bundled file still validates."""
    assert [] == library_errors(path.read_text(encoding="utf-8"))


def test_the_library_schema_knows_the_glossary() -> None:
    """It completes glossary role names, accepts a procedure's own, and refuses a tip the glossary lacks."""
    from sopflow.cli.checks import schema_document

    defs = schema_document([ROOT / "procedures"])["$defs"]
    own = MINIMAL.replace("role: front_desk", "role: cleaner").replace("front_desk: {title", "cleaner: {title")
    tip = MINIMAL.replace("role: front_desk", "role: front_desk\n      tips: [A9]")
    expected = (
        True,
        "服務人員 / 服务人员 / front-desk staff",
        [],
        True,
    )
    assert expected == (
        "front_desk" in defs["State"]["properties"]["role"]["anyOf"][0]["enum"],
        defs["Procedure"]["properties"]["roles"]["properties"]["front_desk"]["description"],
        library_errors(own),
        bool(library_errors(tip)),
    )
