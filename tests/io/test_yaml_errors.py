"""YAML that does not parse is explained in plain words, at the line and column the parser stopped."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sopflow.io import load_file, load_text, yaml_source
from sopflow.io.yaml_source import parse_yaml

FIXTURES = Path(__file__).parents[1] / "fixtures"
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


def test_a_file_is_read_again_for_positions_and_not_at_all_once_it_has_changed(tmp_path: Path) -> None:
    """Positions come from the file as it was loaded: asked after an edit, there are none, never wrong ones."""
    text = (FIXTURES / "inquiry.yaml").read_text(encoding="utf-8")
    path = tmp_path / "inquiry.yaml"
    path.write_text(text, encoding="utf-8")
    kept, changed = load_file(path), load_file(path)
    assert [] == [*kept.diagnostics, *changed.diagnostics]
    where = kept.positions.locate(("procedure", "initial"))
    assert where is not None
    path.write_text("\n\n" + text, encoding="utf-8")
    assert changed.positions.locate(("procedure", "initial")) is None
    assert where == kept.positions.locate(("procedure", "initial"))  # worked out once, before the edit
    path.unlink()
    assert where == load_text(text).positions.locate(("procedure", "initial"))  # a text is kept


def _tree(node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value, node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, [_tree(child) for child in node.value])
    return (node.tag, [(_tree(k), _tree(v)) for k, v in node.value])


SCALARS = "yes, no, on, off, true, False, ~, null, Null, '', 0, -1, +2, 0x1f, 0o17, 1_000, 3.5, .inf, -.Inf, .nan, 1e3"
SCALARS += ", 2026-03-02, 2026-03-02T09:00:00+08:00, '09:00', 09:00, 12:30:00, <<, =, '3', \"x\", a b, 否, -, .5, 1."


@pytest.mark.parametrize(
    "source",
    [pytest.param(p, id=p.name) for p in sorted((Path(__file__).parents[2] / "procedures").rglob("*.yaml"))]
    + [pytest.param(f"a: [{SCALARS}]\nb: {{<<: {{c: 1}}, d: ~}}\n? [k]\n: v\n", id="tricky-scalars")],
)
def test_libyaml_gives_the_nodes_the_python_parser_gives(source: Path | str) -> None:
    """The fast loader resolves tags its own way: every node, tag and mark must match the reference loader's."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    trees = []
    for kind in (yaml_source._FastLoader, yaml_source._Loader):
        loader = kind(text)
        trees.append(_tree(loader.get_single_node()))
        loader.dispose()
    assert trees[0] == trees[1]
