"""PyYAML's syntax errors said in an author's words.

The parser speaks of tokens ("expected <block end>, but found '<block mapping
start>'"); the person fixing a procedure needs to hear what is wrong with the
line in front of them: an indentation, a missing ':', a quote never closed.
Messages we do not recognise are kept as PyYAML wrote them, so nothing is lost.
"""

from __future__ import annotations

import re

import yaml

_FOUND = re.compile(r"(?:found|got)[^']*'(?P<what>.*)'")
_QUOTED = re.compile(r"'(?P<what>.*)'")
_INDENT_TOKENS = frozenset(
    {"<block mapping start>", "<block sequence start>", "<block end>", "<scalar>", "-", "?", ":", "<alias>", "<anchor>"}
)
_CLOSERS = {"]": "[", "}": "{"}
_YAML_TAG = "tag:yaml.org,2002:"


def plain_message(exc: yaml.YAMLError) -> str:
    """One sentence about what is wrong at the error's location, prefixed ``invalid YAML:``."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return f"invalid YAML: {exc}"
    return f"invalid YAML: {_explain(exc)}"


def _explain(exc: yaml.MarkedYAMLError) -> str:
    context, problem = exc.context or "", exc.problem or ""
    found = _found(problem)
    where = _at(exc.context_mark)
    if "that cannot start any token" in problem:
        if found in ("\\t", "\t"):
            return "a tab character: YAML indents and separates with spaces, never tabs"
        return f"'{found}' cannot start a value; put the value in quotes"
    if problem.startswith("expected <block end>"):
        if found in _CLOSERS:
            return f"'{found}' closes nothing: its '{_CLOSERS[found]}' is missing"
        if found == ",":
            return "a ',' outside '[...]' or '{...}'; put the value in quotes"
        return "the indentation of this line does not match the lines above"
    if problem == "mapping values are not allowed here":
        return "a ':' cannot stand here: check this line's indentation, or quote a value that contains ': '"
    if problem in ("sequence entries are not allowed here", "block sequence entries are not allowed here"):
        return "a '- ' list item cannot start here: put it on its own line, indented under its key"
    if problem == "mapping keys are not allowed here":
        return "a '?' cannot start a value; put the value in quotes"
    if context == "while scanning a simple key":
        return f"a ':' is missing after the key{where}"
    if context == "while scanning a quoted scalar":
        return f"an unclosed quote: the quote{where} is never closed"
    if "unknown escape character" in problem:
        return f"'\\{found}' is not an escape in double quotes; write '\\\\' for a backslash, or use single quotes"
    if "hexadecimal numbers" in problem:
        digits = re.search(r"of (\d+) hexadecimal", problem)
        return f"an escape such as '\\x41' needs {digits[1] if digits else 'more'} hexadecimal digits"
    if context == "while parsing a flow sequence":
        return f"the list '['{where} needs a ',' between items or a closing ']'"
    if context == "while parsing a flow mapping":
        return f"the mapping '{{'{where} needs a ',' between entries or a closing '}}'"
    if problem.startswith("expected the node content"):
        if found == "<stream end>":
            return "the file ends where a value should be: a '[' or '{' is not closed"
        return f"a value is expected here, found '{found}'"
    if context == "expected a single document in the stream":
        return "a second document starts here ('---'); a file holds one document"
    if problem.startswith("expected '<document start>'"):
        return "text after the end of the document; a file holds one document"
    if problem.startswith("found undefined alias"):
        return f"'*{found}' names no anchor: write '&{found}' on a value above it first"
    if context.startswith("found duplicate anchor"):
        name = _quoted(context)
        return f"the anchor '&{name}' is defined twice (first{where})"
    if problem.startswith(("found undefined tag handle", "could not determine a constructor")):
        tag = _quoted(problem).replace(_YAML_TAG, "!!")
        return f"the tag '{tag}' is not allowed: sopflow reads plain YAML values only"
    if context == "while scanning a block scalar":
        return "after '|' or '>' only '+', '-' or an indentation digit may follow"
    if context in ("while scanning an anchor", "while scanning an alias"):
        return "an anchor or alias ('&name', '*name') is named with letters, digits, '-' or '_'"
    return " ".join(p for p in (context, problem) if p)


def _found(text: str) -> str:
    match = _FOUND.search(text)
    return match["what"] if match else ""


def _quoted(text: str) -> str:
    match = _QUOTED.search(text)
    return match["what"] if match else ""


def _at(mark: yaml.Mark | None) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
