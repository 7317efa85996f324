"""pydantic's validation errors as located diagnostics: the key, its line and column, a did-you-mean.

Shared by every YAML format sopflow reads (procedures, scenarios), so all of
them report mistakes the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from types import MappingProxyType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Discriminator, Tag, ValidationError

from sopflow.diagnostics import Diagnostic
from sopflow.io.positions import Path, Positions
from sopflow.model.base import LANGUAGE_PATTERN, NAME_PATTERN, PROCEDURE_ID_PATTERN

PATTERN_WORDS: Mapping[str, str] = MappingProxyType(
    {
        PROCEDURE_ID_PATTERN: "expected a procedure id such as 'business.release_tenant'",
        LANGUAGE_PATTERN: "expected a language tag such as 'en' or 'zh-Hant'",
        NAME_PATTERN: "expected a lower_snake_case name such as 'sign_slip'",
    }
)
"""What a pattern asks for, in words: authors should not have to read regular expressions."""


def validation_diagnostics(
    exc: ValidationError,
    data: Any,
    positions: Positions,
    root: type[BaseModel],
    code: str = "schema",
) -> list[Diagnostic]:
    """Each of pydantic's errors as a located diagnostic, once (unions may repeat one).

    Patterns and minimum lengths are said in words (``expected a language tag
    such as 'en'`` rather than the regular expression).
    """
    found = [_diagnostic(err, data, positions, root, code) for err in exc.errors(include_url=False)]
    return list(dict.fromkeys(found))


def data_path(loc: Sequence[Any], data: Any, root: type[BaseModel]) -> Path:
    """Where in the data one of pydantic's error locations points (union arms and tags dropped)."""
    return _walk(loc, data, root)[0]


def _diagnostic(err: Any, data: Any, positions: Positions, root: type[BaseModel], code: str) -> Diagnostic:
    path, owner = _walk(err["loc"], data, root)
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _keys(owner)
        hint = difflib.get_close_matches(key, allowed, n=1)
        message = f"unknown key '{key}'"
        message += f"; did you mean '{hint[0]}'?" if hint else f"; expected one of: {', '.join(allowed)}"
        line_col = positions.locate(path, key=True)
    elif kind == "missing":
        message = f"missing required key '{path[-1]}'"
        line_col = positions.locate(path[:-1])
    else:
        message = _message(err)
        if "input" in err and not isinstance(err["input"], (dict, list)) and not _says_found(message, err["input"]):
            message += f", found {err['input']!r}"
        line_col = positions.locate(path)
    line, col = line_col or (None, None)
    return Diagnostic("error", code, message, positions.source, line, col, ".".join(map(str, path)) or None)


def _message(err: Any) -> str:
    """pydantic's wording, said the way the rest of sopflow says it."""
    context = err.get("ctx") or {}
    if err["type"] == "string_pattern_mismatch" and context.get("pattern") in PATTERN_WORDS:
        return PATTERN_WORDS[context["pattern"]]
    if err["type"] == "too_short":
        found = context.get("actual_length") or "none"
        return f"expected at least {context.get('min_length', 1)} item(s), found {found}"
    message: str = err["msg"].removeprefix("Value error, ")
    return message.replace("Input should be", "expected").replace("Input should have", "expected")


def _says_found(message: str, value: Any) -> bool:
    """Whether a message already says what it found (a validator's own words usually do)."""
    return "found" in message or repr(value) in message


def _walk(loc: Sequence[Any], data: Any, root: type[BaseModel]) -> tuple[Path, Any]:
    """The data path of a pydantic error location, and the type that owns its last key.

    pydantic's ``loc`` mixes real keys with the arms of unions: the tags of a
    discriminated union (``fire``/``wait`` of a scenario step) and the type
    names of a plain one (``str``, ``list[str]``, ``[key]``). Following the
    model's types alongside the data tells them apart, even where a tag is
    also a key (``fire`` is a key of every fire step).
    """
    annotation: Any = root
    owner: Any = None
    node: Any = data
    path: list[str | int] = []
    for index, part in enumerate(loc):
        annotation = _strip(annotation)
        arms = _tagged_arms(annotation)
        if arms is not None and part in arms:
            annotation = arms[part]
            continue
        present = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not present and isinstance(part, str) and _is_tag(part):
            continue
        if index == len(loc) - 1:
            owner = annotation
        annotation = _below(annotation, part)
        if present:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str):
            path.append(part)  # a missing or unknown key: there is nothing below it
            node = None
    return tuple(path), _strip(owner)


def _is_tag(part: str) -> bool:
    return "[" in part or part in {"str", "int", "float", "bool", "list", "dict", "none"}


def _strip(annotation: Any) -> Any:
    """Drop ``| None`` and ``Annotated``; keep the arm of a union that has structure.

    A discriminated union stays whole, so that its tags can be told apart.
    """
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            if any(isinstance(m, Discriminator) for m in annotation.__metadata__):
                return annotation
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            arms = [a for a in get_args(annotation) if a is not type(None)]
            structured = [a for a in arms if _has_structure(_strip(a))]
            if len(arms) != 1 and not structured:
                return annotation
            annotation = arms[0] if len(arms) == 1 else structured[0]
        else:
            return annotation


def _has_structure(annotation: Any) -> bool:
    return get_origin(annotation) in (dict, list) or (
        isinstance(annotation, type) and issubclass(annotation, BaseModel)
    )


def _tagged_arms(annotation: Any) -> dict[str, Any] | None:
    """The arms of a discriminated union by tag; ``None`` for any other type."""
    if get_origin(annotation) is not Annotated:
        return None
    arms: dict[str, Any] = {}
    for arm in get_args(get_args(annotation)[0]):
        if get_origin(arm) is Annotated:
            for meta in arm.__metadata__:
                if isinstance(meta, Tag):
                    arms[meta.tag] = get_args(arm)[0]
    return arms


def _below(annotation: Any, part: Any) -> Any:
    """The annotation one step below ``annotation`` along a data path."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if (info.alias or name) == part:
                return info.annotation
        return None
    origin = get_origin(annotation)
    if origin is list:
        return get_args(annotation)[0]
    if origin is dict:
        return get_args(annotation)[1]
    return None


def _keys(model: Any) -> list[str]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return sorted(info.alias or name for name, info in model.model_fields.items())
    return []
