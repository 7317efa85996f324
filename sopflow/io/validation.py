"""pydantic's validation errors as located diagnostics: the key, its line and column, a did-you-mean.

Shared by every YAML format sopflow reads (procedures, scenarios), so all of
them report mistakes the same way.
"""

from __future__ import annotations

import difflib
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from sopflow.diagnostics import Diagnostic
from sopflow.io.positions import Path, Positions


def validation_diagnostics(
    exc: ValidationError, data: Any, positions: Positions, root: type[BaseModel], code: str = "schema"
) -> list[Diagnostic]:
    """Each of pydantic's errors as a located diagnostic, once (unions may repeat one)."""
    found = [_diagnostic(err, data, positions, root, code) for err in exc.errors(include_url=False)]
    return list(dict.fromkeys(found))


def _diagnostic(err: Any, data: Any, positions: Positions, root: type[BaseModel], code: str) -> Diagnostic:
    path = _data_path(err["loc"], data)
    kind = err["type"]
    if kind == "extra_forbidden":
        key = path[-1]
        allowed = _allowed_keys(path[:-1], root)
        hint = difflib.get_close_matches(str(key), allowed, n=1)
        message = f"unknown key '{key}'"
        message += f"; did you mean '{hint[0]}'?" if hint else f"; expected one of: {', '.join(allowed)}"
        line_col = positions.locate(path, key=True)
    elif kind == "missing":
        message = f"missing required key '{path[-1]}'"
        line_col = positions.locate(path[:-1])
    else:
        message = _clean(err["msg"])
        if "input" in err and not isinstance(err["input"], (dict, list)) and "found" not in message:
            message += f", found {err['input']!r}"
        line_col = positions.locate(path)
    line, col = line_col or (None, None)
    return Diagnostic("error", code, message, positions.source, line, col, ".".join(map(str, path)) or None)


def _data_path(loc: tuple[Any, ...], data: Any) -> Path:
    """Keep only the parts of pydantic's ``loc`` that name real keys (drop union tags)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
            path.append(part)  # a missing or unknown key: keep it, there is nothing below
            node = None
    return tuple(path)


def _is_tag(part: str) -> bool:
    return "[" in part or part in {"str", "int", "float", "bool", "list", "dict", "none"}


def _allowed_keys(path: Path, root: type[BaseModel]) -> list[str]:
    annotation: Any = root
    for part in path:
        annotation = _step(_unwrap(annotation), part)
    model = _unwrap(annotation)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return []
    return sorted(f.alias or name for name, f in model.model_fields.items())


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation one step below ``annotation`` along a data path."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = {f.alias or n: f for n, f in annotation.model_fields.items()}
        return fields[part].annotation if part in fields else None
    origin = get_origin(annotation)
    if origin is dict:
        return get_args(annotation)[1]
    if origin is list:
        return get_args(annotation)[0]
    return None


def _unwrap(annotation: Any) -> Any:
    """From ``X | None`` or ``Annotated[X, ...]`` keep the arm that has structure."""
    if get_origin(annotation) in (Union, UnionType, Annotated):
        for arg in get_args(annotation):
            inner = _unwrap(arg)
            if get_origin(inner) in (dict, list) or (isinstance(inner, type) and issubclass(inner, BaseModel)):
                return inner
    return annotation


def _clean(message: str) -> str:
    return message.removeprefix("Value error, ").replace("Input should be", "expected")
