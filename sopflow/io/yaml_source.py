"""YAML text to plain data, keeping the line and column of every node.

PyYAML's safe loader composes the node tree (which carries marks); we build
the Python values from it ourselves so positions survive, and so duplicate
keys — which PyYAML silently overwrites — become errors.

Building happens twice over only when needed: a lean pass builds the values
and nothing else; the located pass (positions, duplicate keys, values that do
not construct) runs when the lean pass meets something to report, and for
positions the first time a finding asks where it is.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from functools import partial
from typing import Any

import yaml

from sopflow.diagnostics import Diagnostic
from sopflow.errors import SopflowError
from sopflow.io.positions import Marks, Path, Positions
from sopflow.io.yaml_words import plain_message
from sopflow.model.limits import MAX_DOCUMENT_CHARS, MAX_NESTING, MAX_VALUES


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


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = frozenset({_MAP, _SEQ})
_KINDS = {"tag:yaml.org,2002:timestamp": "date", "tag:yaml.org,2002:int": "number", "tag:yaml.org,2002:float": "number"}
_Resolvers = tuple[tuple[str, re.Pattern[str]], ...]
_ANY_FIRST: _Resolvers = tuple(_Loader.yaml_implicit_resolvers.get(None, ()))
_BY_FIRST: dict[str, _Resolvers] = {
    first: (*resolvers, *_ANY_FIRST)
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
    if first is not None
}
"""The implicit resolvers to try for a plain scalar, by its first character."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser (about 6x faster) under the same resolvers and safe constructor.

    It gives the same nodes and marks as ``_Loader``; only its syntax-error wording differs,
    so a document it refuses is parsed again by ``_Loader``, whose words the diagnostics keep.
    """

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        """PyYAML's tag resolution in fewer steps: sopflow declares no path resolvers.

        libyaml calls back into Python for every node it composes; the general resolver's
        list concatenation and path checks were a sixth of parsing the bundled library.
        """
        if kind is yaml.ScalarNode:
            if implicit[0] and value is not None:
                for tag, regexp in _BY_FIRST.get(value[:1], _ANY_FIRST):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: yaml.Node | None, current_index: Any) -> None:
        """No path resolvers, so no path to follow."""

    def ascend_resolver(self) -> None:
        """No path resolvers, so no path to follow."""


def parse_yaml(
    text: str, source: str, *, plain: bool = False, reread: Callable[[], str | None] | None = None
) -> tuple[Any, Positions, list[Diagnostic]]:
    """Parse one YAML document; on a syntax error return no data and one located diagnostic.

    ``plain`` says syntax errors in an author's words ("the indentation of this line does
    not match the lines above") instead of PyYAML's ("expected <block end>"). ``reread``
    gives the text again should a finding ask where it is (``None`` if it is no longer the
    text parsed); without it the text is kept, compressed, for that.
    """
    if yaml.__with_libyaml__:
        parsed = _parse(_FastLoader, text, source, plain, reread)
        if parsed[0] is not None or not parsed[2]:
            return parsed
    return _parse(_Loader, text, source, plain, reread)


def _parse(
    kind: Any, text: str, source: str, plain: bool, reread: Callable[[], str | None] | None
) -> tuple[Any, Positions, list[Diagnostic]]:
    if len(text) > MAX_DOCUMENT_CHARS:
        message = f"a procedure file may be {MAX_DOCUMENT_CHARS:,} characters long, found {len(text):,}"
        return None, Positions(source), [Diagnostic("error", "yaml", message, source, 1, 1)]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        before = text[: exc.start]
        where = (before.count("\n") + 1, exc.start - (before.rfind("\n") + 1) + 1)
        message = "invalid YAML: a lone surrogate (half of a UTF-16 pair) is not a character; remove it"
        return None, Positions(source), [Diagnostic("error", "yaml", message, source, *where)]
    try:
        loader = kind(text)
    except yaml.reader.ReaderError as exc:
        return None, Positions(source), [_unreadable(exc, text, source)]
    try:
        node = loader.get_single_node()
        if node is None:
            problem = Diagnostic("error", "yaml", "expected a document, found an empty file", source, 1, 1)
            return None, Positions(source), [problem]
        # Without an anchor ('&') there is no alias, so the tree is no larger than the text and the
        # lean pass's own counts bound it; only a document that could repeat values is sized first.
        sized = "&" in text
        if sized:
            _check_size(node)
        try:
            data = _Lean(loader).build(node, 0)
        except _Redo:
            if not sized:
                _check_size(node)
            marks: Marks = ({}, {}, set())
            problems: list[Diagnostic] = []
            data = _Located(loader, marks, source, problems).build(node, ())
            return data, Positions(source, marks), problems
        # Without a way to read it again the text is kept compressed: positions are rarely asked
        # for, and the text would be the largest thing a loaded library holds per procedure.
        again = reread if reread is not None else partial(_unpack, zlib.compress(text.encode("utf-8"), 1))
        return data, Positions(source, later=partial(_marks_later, kind, again, source)), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        what = plain_message(exc) if plain else "invalid YAML: " + " ".join(p for p in (exc.context, exc.problem) if p)
        return None, Positions(source), [Diagnostic("error", "yaml", what, source, line, col)]
    except yaml.reader.ReaderError as exc:
        return None, Positions(source), [_unreadable(exc, text, source)]
    except yaml.YAMLError as exc:
        return None, Positions(source), [Diagnostic("error", "yaml", f"invalid YAML: {exc}", source)]
    except RecursionError:
        return None, Positions(source), [Diagnostic("error", "yaml", "invalid YAML: values nest too deeply", source)]
    finally:
        loader.dispose()


def _marks_later(kind: Any, again: Callable[[], str | None], source: str) -> Marks:
    """The positions of a document worked out when first asked for (a plain function, so that a
    cached library can keep the promise)."""
    return _marks(kind, again(), source)


def _unreadable(exc: yaml.reader.ReaderError, text: str, source: str) -> Diagnostic:
    """A character YAML does not allow (a NUL byte, a control character), at its line and column."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    col = exc.position - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
    message = f"invalid YAML: the character U+{code:04X} is not allowed in YAML text; remove it"
    return Diagnostic("error", "yaml", message, source, line, col)


def _check_size(root: yaml.Node) -> None:
    """Refuse, before building anything, a document whose aliases expand too far or that nests too deeply.

    Sizes are counted once per node (an alias is the same node object), so a "billion laughs"
    document is measured in microseconds, never expanded.
    """
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        known = sizes.get(key)
        if known is not None:
            return known
        if key in open_:
            raise _refused("an alias ('*name') stands inside the value it names", node)
        if depth >= MAX_NESTING:
            raise _refused(f"values nest more than {MAX_NESTING} deep", node)
        open_.add(key)
        depth += 1
        total = 1
        # Most nodes are scalars: counted here, without a call.
        if type(node) is yaml.SequenceNode:
            for child in node.value:
                total += 1 if type(child) is yaml.ScalarNode else size(child, depth)
        else:
            for k, v in node.value:
                total += 1 if type(k) is yaml.ScalarNode else size(k, depth)
                total += 1 if type(v) is yaml.ScalarNode else size(v, depth)
        open_.discard(key)
        if total > MAX_VALUES:
            raise _refused(f"aliases repeat values here past {MAX_VALUES:,} in all; write the values out", node)
        sizes[key] = total
        return total

    if type(root) is not yaml.ScalarNode:
        size(root, 0)


def _unpack(packed: bytes) -> str:
    return zlib.decompress(packed).decode("utf-8")


def _marks(kind: Any, text: str | None, source: str) -> Marks:
    """The positions of a document that loaded cleanly, by parsing it again (none if its text is gone)."""
    marks: Marks = ({}, {}, set())
    if text is None:
        return marks
    loader = kind(text)
    try:
        _Located(loader, marks, source, []).build(loader.get_single_node(), ())
    except yaml.YAMLError:  # pragma: no cover - the text parsed a moment ago
        pass
    finally:
        loader.dispose()
    return marks


class _Redo(SopflowError):
    """The lean pass met something only the located pass can report; it never leaves this module."""


class _Lean:
    """Values only: no paths, no positions, nothing allocated that the data does not keep."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.left = MAX_VALUES

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.left -= 1
        kind = type(node)
        if kind is yaml.ScalarNode:
            if node.tag == _STR:
                return node.value
            try:
                return self.loader.construct_object(node, deep=True)
            except ValueError:  # a date such as 2024-02-30: the located pass says where
                raise _Redo from None
        if node.tag not in _PLAIN_TAGS or self.left < 0 or depth >= MAX_NESTING:
            raise _Redo
        depth += 1
        try:
            if kind is yaml.SequenceNode:
                return [self.build(item, depth) for item in node.value]
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    raise _Redo
                key = key_node.value if type(key_node) is yaml.ScalarNode else str(key_node.value)
                if key in result:
                    raise _Redo
                result[key] = self.build(value_node, depth)
            return result
        except RecursionError:  # an alias inside the very value it names
            raise _Redo from None


class _Located:
    """Values with the position of every node, and every problem located."""

    def __init__(self, loader: Any, marks: Marks, source: str, problems: list[Diagnostic]) -> None:
        self.loader = loader
        loader.constructed_objects, loader.recursive_objects = {}, {}  # what a lean pass left behind
        self.values, self.keys, self.quoted = marks
        self.source = source
        self.problems = problems
        self.open: set[int] = set()
        self.left = MAX_VALUES

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        self.left -= 1
        if self.left < 0:
            raise _refused(f"aliases repeat values here past {MAX_VALUES:,} in all; write the values out", node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if node.tag not in _PLAIN_TAGS:
            # The safe constructor would refuse these; building the mapping ourselves must too.
            raise yaml.constructor.ConstructorError(
                None, None, f"could not determine a constructor for the tag {node.tag!r}", node.start_mark
            )
        if id(node) in self.open:
            raise _refused("an alias ('*name') stands inside the value it names", node)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        written = {id(k) for k, _ in node.value if k.tag != _MERGE}
        self.loader.flatten_mapping(node)  # `<<` merges come first; the keys written here override them
        result: dict[Any, Any] = {}
        merged: set[Any] = set()
        for key_node, value_node in node.value:
            # Keys are names in this language: keep the text as written (`1` stays "1").
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            child = (*path, key)
            at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if id(key_node) not in written:  # merged: a later merge wins, as in PyYAML
                result.pop(key, None)
                merged.add(key)
            elif key in merged:
                merged.discard(key)
                del result[key]
            if key in result:
                first = self.keys[child]
                message = f"duplicate key '{key}' (first at line {first[0]}); expected each key once"
                self.problems.append(Diagnostic("error", "duplicate-key", message, self.source, *at, _dotted(child)))
                continue
            self.keys[child] = at
            result[key] = self.build(value_node, child)
        return result

    def scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        if node.style in ('"', "'"):
            self.quoted.add(path)
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError as exc:
            line, col = self.values[path]
            kind = _KINDS.get(node.tag, "value")
            message = f"'{node.value}' is not a valid {kind}: {exc}; quote it to keep it as text"
            self.problems.append(Diagnostic("error", "yaml", message, self.source, line, col, _dotted(path) or None))
            return node.value


def _refused(message: str, node: yaml.Node) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, message, node.start_mark)


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)
