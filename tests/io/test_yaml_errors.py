"""YAML that does not parse is explained in plain words, at the line and column the parser stopped."""

from __future__ import annotations

import pytest

from sopflow.io import load_text
from sopflow.io.yaml_source import parse_yaml

HEAD = "sopflow: 1\nprocedure:\n  id: demo.minimal\n"


def messages(text: str) -> list[str]:
    return [d.format() for d in load_text(text, "demo.yaml").diagnostics]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            HEAD + "  states:\n    a: {final: completed}\n   b: {final: refused}\n",
            "demo.yaml:6:4: invalid YAML: the indentation of this line does not match the lines above",
            id="indentation",
        ),
        pytest.param(
            HEAD + "    version: 1\n",
            "demo.yaml:4:12: invalid YAML: a ':' cannot stand here: check this line's indentation, "
            "or quote a value that contains ': '",
            id="deeper-indentation",
        ),
        pytest.param(
            "sopflow: 1\nprocedure\n  id: demo.minimal\n",
            "demo.yaml:3:5: invalid YAML: a ':' is missing after the key at line 2, column 1",
            id="missing-colon",
        ),
        pytest.param(
            HEAD + '  title: {en: "Minimal}\n  version: 1\n',
            "demo.yaml:6:1: invalid YAML: an unclosed quote: the quote at line 4, column 15 is never closed",
            id="unclosed-quote",
        ),
        pytest.param(
            HEAD + "\tversion: 1\n",
            "demo.yaml:4:1: invalid YAML: a tab character: YAML indents and separates with spaces, never tabs",
            id="tab",
        ),
        pytest.param(
            HEAD + "  languages: [en, zh-Hant\n  version: 1\n",
            "demo.yaml:5:10: invalid YAML: the list '[' at line 4, column 14 needs a ',' between items "
            "or a closing ']'",
            id="unclosed-list",
        ),
        pytest.param(
            HEAD + "  title: {en: Minimal\n  version: 1\n",
            "demo.yaml:5:10: invalid YAML: the mapping '{' at line 4, column 10 needs a ',' between entries "
            "or a closing '}'",
            id="unclosed-mapping",
        ),
        pytest.param(
            HEAD + "  version: 1\n---\nsopflow: 1\n",
            "demo.yaml:5:1: invalid YAML: a second document starts here ('---'); a file holds one document",
            id="two-documents",
        ),
        pytest.param(
            HEAD + "  title: @home\n",
            "demo.yaml:4:10: invalid YAML: '@' cannot start a value; put the value in quotes",
            id="reserved-character",
        ),
        pytest.param(
            HEAD + "  initial: *start\n",
            "demo.yaml:4:12: invalid YAML: '*start' names no anchor: write '&start' on a value above it first",
            id="undefined-alias",
        ),
    ],
)
def test_syntax_errors_are_said_in_plain_words(text: str, expected: str) -> None:
    """Each kind of YAML mistake gets one located sentence an author can act on."""
    assert [expected] == messages(text)


def test_parser_words_stay_available() -> None:
    """Without ``plain`` the reader keeps PyYAML's own wording, for callers that quote it."""
    _, _, problems = parse_yaml(HEAD + "  states:\n    a: 1\n   b: 2\n", "demo.yaml")
    expected = "invalid YAML: while parsing a block mapping expected <block end>, but found '<block mapping start>'"
    assert [expected] == [d.message for d in problems]


def test_an_impossible_date_is_located_not_raised() -> None:
    """A date that does not exist is a located problem, not a ValueError from deep in the reader."""
    found = messages(HEAD + "  version: 2024-02-30\n")
    assert (
        "demo.yaml:4:12: procedure.version: '2024-02-30' is not a valid date: day is out of range for month; "
        "quote it to keep it as text"
    ) == found[0]


def test_an_alias_inside_its_own_value_is_refused() -> None:
    """A recursive alias is refused with a location instead of recursing until Python gives up."""
    assert ["demo.yaml:1:4: invalid YAML: an alias ('*name') stands inside the value it names"] == messages(
        "a: &x [*x]\n"
    )


def test_aliases_and_merge_keys_build_the_same_values() -> None:
    """Anchors, aliases and `<<` merges read as the safe loader reads them."""
    text = "base: &b {to: done, roles: [front_desk]}\nuse: *b\nmerged: {<<: *b, to: other}\n"
    data, positions, problems = parse_yaml(text, "demo.yaml")
    expected = {
        "base": {"to": "done", "roles": ["front_desk"]},
        "use": {"to": "done", "roles": ["front_desk"]},
        "merged": {"to": "other", "roles": ["front_desk"]},
    }
    assert (expected, [], (3, 9)) == (data, problems, positions.locate(("merged",)))


def test_positions_are_found_after_a_clean_load() -> None:
    """A document that loads without findings still locates any node asked about later."""
    _, positions, _ = parse_yaml('a:\n  b: [x, "y"]\n', "demo.yaml")
    where = (positions.locate(("a", "b", 1)), positions.locate(("a", "b"), key=True), ("a", "b", 1) in positions.quoted)
    assert ((2, 10), (2, 3), True) == where
