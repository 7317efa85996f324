"""Write a text back into a YAML file by editing exactly its scalar, and nothing else of the file.

A round-trip YAML library re-emits the whole document, and with it may re-wrap
long lines, re-quote strings and re-space flow mappings; authors' comments and
layout are theirs. So the edit is made in the text: the node tree gives the
exact span of the one scalar (or the place for a missing language), the new
value is written double-quoted, and the file is parsed again to prove that
the data changed at that one place and nowhere else.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from sopflow.errors import CommandFailed
from sopflow.io.yaml_source import parse_yaml


@dataclass(frozen=True)
class Edit:
    """Set the text at ``path`` (a localised text mapping) in language ``lang`` to ``value``."""

    path: tuple[str | int, ...]
    lang: str
    value: str
    order: Sequence[str] = ()
    """The declared languages, to put a new language where it belongs among the others."""


def quoted(value: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes are YAML's, and Chinese stays as written."""
    return json.dumps(value, ensure_ascii=False)


def apply_edits(text: str, edits: Sequence[Edit], source: str = "<string>") -> str:
    """``text`` with each edit made; raises :class:`CommandFailed` if the result is not exactly that."""
    before, _, problems = parse_yaml(text, source, plain=True)
    if problems or before is None:
        raise CommandFailed(f"{source} does not load; fix it before importing translations")
    spans: list[tuple[int, int, str]] = []
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    assert root is not None  # it parsed above
    for edit in edits:
        spans.append(_span(text, _node(root, edit.path, source), edit))
    spans.sort(key=lambda span: span[0], reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    expected = copy.deepcopy(before)
    for edit in edits:
        _at(expected, edit.path)[edit.lang] = edit.value
    after, _, problems = parse_yaml(text, source, plain=True)
    if problems or after != expected:
        raise CommandFailed(f"could not write the translations into {source} safely; the file was left as it was")
    return text


def _node(root: yaml.Node, path: Sequence[str | int], source: str) -> yaml.MappingNode:
    node = root
    for part in path:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            found = node.value[part]
        else:
            found = None
        if found is None:
            raise CommandFailed(f"{source}: no text at {'.'.join(map(str, path))}")
        node = found
    if not isinstance(node, yaml.MappingNode):
        raise CommandFailed(f"{source}: {'.'.join(map(str, path))} is not a localised text")
    return node


def _span(text: str, mapping: yaml.MappingNode, edit: Edit) -> tuple[int, int, str]:
    """Where to write, and what: the value's own span, or the place of a language not yet written."""
    new = quoted(edit.value)
    keys = [k.value for k, _ in mapping.value]
    if edit.lang in keys:
        value = mapping.value[keys.index(edit.lang)][1]
        start, end = value.start_mark.index, value.end_mark.index
        if isinstance(value, yaml.ScalarNode) and value.style in ("|", ">"):
            written = text[start:end]
            new += written[len(written.rstrip()) :]  # a block scalar's span holds its line breaks
        return start, end, new
    rank = {lang: i for i, lang in enumerate(edit.order)}
    mine = rank.get(edit.lang, len(rank))
    before = [i for i, key in enumerate(keys) if rank.get(key, len(rank)) <= mine]
    if mapping.flow_style:
        if before:
            return _insert(mapping.value[before[-1]][1].end_mark.index, f", {edit.lang}: {new}")
        return _insert(mapping.value[0][0].start_mark.index, f"{edit.lang}: {new}, ")
    first = mapping.value[0][0]
    indent = " " * first.start_mark.column
    if before:
        end = mapping.value[before[-1]][1].end_mark.index
        line_end = text.find("\n", end)
        at = len(text) if line_end < 0 else line_end + 1
        return _insert(at, f"{indent}{edit.lang}: {new}\n" if line_end >= 0 else f"\n{indent}{edit.lang}: {new}")
    return _insert(first.start_mark.index - first.start_mark.column, f"{indent}{edit.lang}: {new}\n")


def _insert(at: int, new: str) -> tuple[int, int, str]:
    return at, at, new


def _at(data: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        data = data[part]
    return data
