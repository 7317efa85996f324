"""YAML text to plain data, keeping the line and column of every node.

PyYAML's safe loader composes the node tree (which carries marks); we build
the Python values from it ourselves so positions survive, and so duplicate
keys — which PyYAML silently overwrites — become errors.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from sopflow.diagnostics import Diagnostic
from sopflow.io.positions import Path, Positions


class _Loader(yaml.SafeLoader):
    """The safe loader, with YAML 1.2 booleans.

    Under YAML 1.1 an event called ``on``, ``yes`` or ``no`` would silently
    become a boolean; procedures say ``on:`` in every state.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser (about 6x faster) under the same resolvers and safe constructor.

    It gives the same nodes and marks as ``_Loader``; only its syntax-error wording differs,
    so a document it refuses is parsed again by ``_Loader``, whose words the diagnostics keep.
    """


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def parse_yaml(text: str, source: str) -> tuple[Any, Positions, list[Diagnostic]]:
    """Parse one YAML document; on a syntax error return no data and one located diagnostic."""
    if yaml.__with_libyaml__:
        parsed = _parse(_FastLoader, text, source)
        if not any(d.code == "yaml" for d in parsed[2]):
            return parsed
    return _parse(_Loader, text, source)


def _parse(kind: Any, text: str, source: str) -> tuple[Any, Positions, list[Diagnostic]]:
    positions = Positions(source)
    loader = kind(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return (
                None,
                positions,
                [Diagnostic("error", "yaml", "expected a document, found an empty file", source, 1, 1)],
            )
        problems: list[Diagnostic] = []
        data = _build(loader, node, (), positions, problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        return None, positions, [Diagnostic("error", "yaml", f"invalid YAML: {what}", source, line, col)]
    except yaml.YAMLError as exc:
        return None, positions, [Diagnostic("error", "yaml", f"invalid YAML: {exc}", source)]
    finally:
        loader.dispose()
    return data, positions, problems


_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


def _build(loader: _Loader, node: yaml.Node, path: Path, pos: Positions, problems: list[Diagnostic]) -> Any:
    pos.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        # The safe constructor would refuse these; building the mapping ourselves must too.
        raise yaml.constructor.ConstructorError(
            None, None, f"could not determine a constructor for the tag {node.tag!r}", node.start_mark
        )
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolve `<<` merge keys the way the safe loader does
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            # Keys are names in this language: keep the text as written (`1` stays "1").
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            child = (*path, key)
            at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                first = pos.keys[child]
                problems.append(
                    Diagnostic(
                        "error",
                        "duplicate-key",
                        f"duplicate key '{key}' (first at line {first[0]}); expected each key once",
                        pos.source,
                        at[0],
                        at[1],
                        _dotted(child),
                    )
                )
                continue
            pos.keys[child] = at
            result[key] = _build(loader, value_node, child, pos, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), pos, problems) for i, item in enumerate(node.value)]
    # Only scalars remain here; the isinstance narrows for mypy (collections have no ``style``).
    if isinstance(node, yaml.ScalarNode) and node.style in ('"', "'"):
        pos.quoted.add(path)
    return loader.construct_object(node, deep=True)


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)
