"""The library's glossary: gathering its documents, and holding every procedure's entries against it.

A name the glossary defines means the glossary's entry everywhere in the
library. A procedure (or policy) lists the entries it uses under ``roles`` and
``fields`` (``front_desk:``) and may narrow one for its own context — its
words for the title, a description, fewer enum values, a default, privacy — but
may not contradict it: a different type, values the glossary does not have, or
a private field made public are errors, and so are two glossaries that define
one name differently. What a procedure repeats of the glossary is reported, so
copies never come back to drift.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, get_args

from pydantic import BaseModel

from sopflow.check.locate import Origin, at, finding, hint
from sopflow.diagnostics import Diagnostic
from sopflow.io import LoadedDocument
from sopflow.model import (
    Citation,
    FieldNarrowing,
    FieldSpec,
    Glossary,
    Role,
    RoleNarrowing,
    SharedField,
    SharedRole,
    SourceDocument,
    State,
    Tip,
)
from sopflow.model.values import coerce

KINDS = {"role": "roles", "field": "fields", "tip": "tips", "document": "documents"}
"""Kind of glossary entry -> the key that holds them."""


@dataclass
class SharedEntries:
    """Every glossary of a library merged: entries by kind and name, where each is defined, which are used."""

    glossaries: list[tuple[Glossary, LoadedDocument]] = field(default_factory=list)
    roles: dict[str, SharedRole] = field(default_factory=dict)
    fields: dict[str, SharedField] = field(default_factory=dict)
    tips: dict[str, Tip] = field(default_factory=dict)
    documents: dict[str, SourceDocument] = field(default_factory=dict)
    origin: dict[tuple[str, str], Origin] = field(default_factory=dict)
    used: set[tuple[str, str]] = field(default_factory=set)
    broken: dict[str, set[str]] = field(default_factory=dict)
    """Names (by kind) of glossary entries that failed validation: their own error is reported."""

    def failed(self, kind: str, name: str) -> bool:
        names = self.broken.get(kind, ())
        return name in names or "*" in names

    def entries(self, kind: str) -> Mapping[str, Any]:
        found: Mapping[str, Any] = getattr(self, KINDS[kind])
        return found


def gather(docs: list[LoadedDocument]) -> tuple[SharedEntries, list[Diagnostic]]:
    """Merge the glossaries among ``docs``; a name defined twice is a warning, or an error if the two differ."""
    shared = SharedEntries()
    problems: list[Diagnostic] = []
    for doc in docs:
        document = doc.checkable
        if document is None or document.glossary is None:
            continue
        glossary = document.glossary
        shared.glossaries.append((glossary, doc))
        for kind, names in doc.broken.items():
            shared.broken.setdefault(kind, set()).update(names)
        for kind, key in KINDS.items():
            target: dict[str, Any] = getattr(shared, key)
            for name, entry in getattr(glossary, key).items():
                origin: Origin = (doc, ("glossary", key, name))
                first = target.get(name)
                if first is None:
                    target[name] = entry
                    shared.origin[(kind, name)] = origin
                    problems += _default(kind, name, entry, origin, shared)
                    continue
                elsewhere = at(shared.origin[(kind, name)])
                differ = _differences(first, entry)
                if differ:
                    message = f"{kind} '{name}' is defined differently at {elsewhere} ({differ})"
                    problems.append(finding("error", "glossary-conflict", message, origin, key=True))
                else:
                    message = f"{kind} '{name}' is already defined, the same, at {elsewhere}; keep one"
                    problems.append(finding("warning", "duplicate-glossary-entry", message, origin, key=True))
    return shared, problems


def _default(kind: str, name: str, entry: Any, origin: Origin, shared: SharedEntries) -> list[Diagnostic]:
    """A shared field's default must be a value of its type: said once, at the glossary.

    The field then counts as broken, so the procedures naming it add no error of their own.
    """
    if kind != "field" or entry.default is None:
        return []
    try:
        coerce(entry, entry.default)
    except ValueError as exc:
        shared.broken.setdefault("field", set()).add(name)
        return [finding("error", "field-default", f"default of '{name}': {exc}", origin, "default")]
    return []


def _differences(a: BaseModel, b: BaseModel) -> str:
    left, right = a.model_dump(exclude={"source"}), b.model_dump(exclude={"source"})
    return ", ".join(key for key in left if left[key] != right.get(key))


@dataclass
class Narrowed:
    """A procedure's or policy's roles or fields, each as it applies there, with the glossary's part noted."""

    values: dict[str, Any] = field(default_factory=dict)
    shared: dict[str, Origin] = field(default_factory=dict)
    """Names that come from the glossary -> where the glossary defines them."""
    broken: set[str] = field(default_factory=set)
    """Names that could not be resolved (reported): references to them are not reported again."""
    problems: list[Diagnostic] = field(default_factory=list)


def narrow(kind: str, entries: Mapping[str, Any], origin: Origin, shared: SharedEntries) -> Narrowed:
    """Resolve ``entries`` (a body's ``roles`` or ``fields``, written at ``origin``) against the glossary."""
    out = Narrowed()
    known = shared.entries(kind)
    for name, entry in entries.items():
        here: Origin = (origin[0], (*origin[1], name))
        base = known.get(name)
        if base is not None and shared.failed(kind, name):
            shared.used.add((kind, name))
            out.broken.add(name)  # its error is reported at the glossary
            continue
        if base is None:
            if entry is None or isinstance(entry, (RoleNarrowing, FieldNarrowing)):
                out.broken.add(name)
                if not shared.failed(kind, name):
                    out.problems.append(_not_shared(kind, name, here, known, shared))
            else:
                out.values[name] = entry
            continue
        shared.used.add((kind, name))
        out.shared[name] = shared.origin[(kind, name)]
        rules = _Rules(kind, name, here, shared.origin[(kind, name)], out.problems)
        out.values[name] = rules.role(base, entry) if kind == "role" else rules.field(base, entry)
    return out


def _not_shared(kind: str, name: str, here: Origin, known: Mapping[str, Any], shared: SharedEntries) -> Diagnostic:
    needs = "a 'title'" if kind == "role" else "a 'type'"
    if not shared.glossaries:
        message = f"{kind} '{name}' is not defined: give it {needs} (the library has no glossary)"
    else:
        message = f"{kind} '{name}' is not in the glossary{hint(name, known)} (a {kind} of its own needs {needs})"
    return finding("error", f"unknown-{kind}", message, here, key=True)


@dataclass
class _Rules:
    """What one narrowing may change of one glossary entry, and the findings when it oversteps or repeats."""

    kind: str
    name: str
    here: Origin
    there: Origin
    problems: list[Diagnostic]
    repeated: list[tuple[str, tuple[str | int, ...]]] = field(default_factory=list)
    narrowed: bool = False

    def error(self, message: str, *sub: str | int) -> None:
        self.problems.append(finding("error", "glossary-conflict", message, self.here, *sub, key=True))

    def done(self) -> None:
        """Report what repeats the glossary: the whole entry at once when it narrows nothing."""
        if not self.repeated:
            return
        there = at(self.there)
        if not self.narrowed:
            message = f"{self.kind} '{self.name}' repeats the glossary ({there}); write '{self.name}:' to use it"
            self.problems.append(finding("warning", "glossary-repeat", message, self.here, key=True))
            return
        for what, sub in self.repeated:
            message = f"{what} of {self.kind} '{self.name}' repeats the glossary ({there}); leave it out"
            self.problems.append(finding("warning", "glossary-repeat", message, self.here, *sub, key=True))

    def texts(self, part: str, base: dict[str, str] | None, given: dict[str, str] | None) -> dict[str, str] | None:
        """The glossary's text with the languages this entry gives replaced: narrowing one language keeps the rest."""
        if given is None:
            return base
        same = [lang for lang, line in given.items() if base is not None and base.get(lang) == line]
        if len(same) == len(given):
            self.repeated.append((part, (part,)))
        else:
            self.narrowed = True
            self.repeated += [(f"{part}.{lang}", (part, lang)) for lang in same]
        return {**(base or {}), **given}

    def role(self, base: SharedRole, entry: Role | RoleNarrowing | None) -> Role:
        title = self.texts("title", base.title, entry.title) if isinstance(entry, Role) else base.title
        assert title is not None  # a glossary role always has a title
        description = self.texts("description", base.description, entry.description if entry else None)
        self.done()
        return Role(title=title, description=description)

    def field(self, base: SharedField, entry: FieldSpec | FieldNarrowing | None) -> FieldSpec:
        spec = FieldSpec.model_validate(base.model_dump(exclude={"source"}, exclude_unset=True))
        if entry is None:
            return spec
        if isinstance(entry, FieldSpec):
            if entry.type != base.type:
                article = "an" if entry.type[0] in "aeiou" else "a"
                message = (
                    f"field '{self.name}' is {base.type} in the glossary ({at(self.there)}), not {article} {entry.type}"
                )
                self.error(message, "type")
                return spec
            self.repeated.append(("type", ("type",)))
        written = entry.model_fields_set
        changes: dict[str, Any] = {}
        if "values" in written and entry.values is not None:
            changes |= self.values(base, entry.values)
        if "private" in written and entry.private is not None:
            if base.private and not entry.private:
                message = f"field '{self.name}' is private in the glossary ({at(self.there)}): it stays private"
                self.error(message, "private")
            elif entry.private == base.private:
                self.repeated.append(("private", ("private",)))
            else:
                changes["private"] = True
        if "default" in written:
            if entry.default == base.default:
                self.repeated.append(("default", ("default",)))
            else:
                changes["default"] = entry.default
        self.narrowed = self.narrowed or bool(changes)
        changes["title"] = self.texts("title", base.title, entry.title)
        changes["description"] = self.texts("description", base.description, entry.description)
        self.done()
        return spec.model_copy(update=changes)

    def values(self, base: SharedField, values: list[str]) -> dict[str, Any]:
        """Narrowing an enum: some of its values, never one it does not have."""
        if base.type != "enum":
            self.error(f"only an enum's values can be narrowed; '{self.name}' is {base.type} in the glossary", "values")
            return {}
        for i, value in enumerate(values):
            if value not in (base.values or ()):
                allowed = ", ".join(base.values or ())
                close = hint(value, base.values or ())
                message = f"'{value}' is not a value of glossary field '{self.name}'{close} (its values: {allowed})"
                self.error(message, "values", i)
                return {}
        if values == base.values:
            self.repeated.append(("values", ("values",)))
            return {}
        return {"values": list(values)}


def tips_cited(
    states: Mapping[str, State], origin: Origin, shared: SharedEntries
) -> tuple[dict[str, Tip], list[Diagnostic]]:
    """The glossary tips the states cite; an unknown one is an error once the glossary declares any tips."""
    found: dict[str, Tip] = {}
    problems: list[Diagnostic] = []
    for sname, state in states.items():
        for i, tip in enumerate(state.tips):
            if tip in shared.tips:
                shared.used.add(("tip", tip))
                found[tip] = shared.tips[tip]
            elif shared.tips and not shared.failed("tip", tip):
                message = f"unknown tip '{tip}'{hint(tip, shared.tips)}"
                problems.append(finding("error", "unknown-tip", message, (origin[0], (*origin[1], sname)), "tips", i))
    return found, problems


def unused(shared: SharedEntries) -> list[Diagnostic]:
    """A warning for each glossary role, field or tip that no procedure, policy or state uses.

    Source documents are not reported: a glossary lists the library's sources before
    procedures cite them, as a bibliography does.
    """
    problems = []
    for (kind, name), origin in shared.origin.items():
        if kind != "document" and (kind, name) not in shared.used:
            what = "cites" if kind == "tip" else "uses"
            message = f"glossary {kind} '{name}' is not used: no procedure or policy {what} it"
            problems.append(finding("warning", "unused-glossary-entry", message, origin, key=True))
    return problems


def citations(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[Citation, tuple[str | int, ...]]]:
    """Every citation in a document body, with its path below the body."""
    if isinstance(node, Citation):
        yield node, path
    elif isinstance(node, BaseModel):
        for name, key in _citing_fields(type(node)):
            yield from citations(getattr(node, name), (*path, key))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from citations(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from citations(value, (*path, i))


@cache
def _citing_fields(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """The fields of ``model`` whose declared type can hold a citation, with their keys.

    Walking every field of every model visits texts, numbers and checklists by the
    thousand; the declared types say once, per model, where citations can be.
    """
    return tuple(
        (name, info.alias or name) for name, info in model.model_fields.items() if _may_cite(info.annotation, {model})
    )


def _may_cite(annotation: Any, seen: set[Any]) -> bool:
    if annotation is Citation:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return False  # a cycle: the model's other fields answer for it where it is walked
        seen.add(annotation)
        return any(_may_cite(f.annotation, seen) for f in annotation.model_fields.values())
    return any(_may_cite(arg, seen) for arg in get_args(annotation))


def check_citations(doc: LoadedDocument, shared: SharedEntries) -> list[Diagnostic]:
    """Each citation must name a source document the glossary declares, when it declares any."""
    document = doc.checkable
    if document is None or not shared.documents:
        return []
    kind = "procedure" if document.procedure else "policy" if document.policy else "glossary"
    problems = []
    for citation, path in citations(document.body):
        if citation.document in shared.documents:
            shared.used.add(("document", citation.document))
            continue
        message = f"unknown source document '{citation.document}'{hint(citation.document, shared.documents)}"
        problems.append(finding("error", "unknown-document", message, (doc, (kind, *path)), "document"))
    return problems
