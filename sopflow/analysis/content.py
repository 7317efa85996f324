"""Content rules: texts missing a declared language, placeholders that name no field, states citing no source.

They read the resolved procedure (what the author wrote, policies merged), so a
finding points at the line to fix.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from typing import NamedTuple

from sopflow.analysis.rules import Finding, state_finding
from sopflow.check.resolve import Origin, Resolved
from sopflow.compile import Procedure
from sopflow.model import Role


class _Text(NamedTuple):
    what: str
    origin: Origin
    sub: tuple[str | int, ...]
    text: dict[str, str]
    scopes: frozenset[str]
    checked: bool = False
    """The checker already reports this text's unknown placeholders (a state's own title/say/do)."""
    covered: frozenset[str] = frozenset()
    """Languages whose absence is reported elsewhere: the glossary's own languages, for its entries."""


def _texts(r: Resolved) -> Iterator[_Text]:
    """Every localised text the procedure has."""
    yield _Text("the procedure's title", (r.doc, ("procedure",)), ("title",), r.spec.title, frozenset())
    for name, entry in r.spec.roles.items():
        origin, scope = r.where("role", name), frozenset({name})
        if isinstance(entry, Role):  # its own, or a glossary role in this procedure's words
            yield _Text(f"role '{name}'", origin, ("title",), r.roles[name].title, scope)
        elif ("role", name) in r.shared:
            glossary = r.shared[("role", name)][0].document
            covered = frozenset(glossary.glossary.languages if glossary and glossary.glossary else ())
            yield _Text(f"glossary role '{name}'", origin, (), r.roles[name].title, scope, covered=covered)
    for sname, state in r.states.items():
        origin, scope = r.where("state", sname), frozenset({sname})
        for part in ("title", "say", "do"):
            text = getattr(state, part) or {}
            yield _Text(f"{part} of state '{sname}'", origin, (part,), text, scope, checked=True)
        for ename, event in state.on.items():
            where = frozenset({sname, f"{sname}.{ename}"})
            yield _Text(f"title of event '{ename}'", origin, ("on", ename, "title"), event.title or {}, where)
        for tname, timer in state.timers.items():
            where = frozenset({sname, f"{sname}.{tname}"})
            yield _Text(f"title of timer '{tname}'", origin, ("timers", tname, "title"), timer.title or {}, where)
    for lname, ladder in r.ladders.items():
        origin, scope = r.where("ladder", lname), frozenset({lname})
        yield _Text(f"title of ladder '{lname}'", origin, ("title",), ladder.title or {}, scope)
        for i, level in enumerate(ladder.levels):
            for part in ("say", "do"):
                what = f"{part} of ladder '{lname}' level {i + 1}"
                yield _Text(what, origin, ("levels", i, part), getattr(level, part) or {}, scope)
    for ename, event in r.policy_events.items():
        origin = r.where("policy_event", ename)
        yield _Text(f"title of event '{ename}'", origin, ("title",), event.title or {}, frozenset({ename}))


def content(procedure: Procedure) -> Iterator[Finding]:
    """Missing translations, unknown placeholders in texts the checker does not read, states citing no source."""
    r = procedure.resolved
    languages = procedure.languages
    for what, origin, sub, text, scopes, checked, covered in _texts(r):
        missing = [lang for lang in languages if lang not in text and lang not in covered]
        if text and missing:
            message = f"{what} has no {', '.join(missing)} text (languages: {', '.join(languages)})"
            yield Finding("missing-translation", message, origin, sub, scopes, key=not sub)
        for lang, line in {} if checked else text.items():
            for name in _placeholders(line):
                if name not in r.fields:
                    message = f"{what} ({lang}) names '{{{name}}}', which is not a field"
                    yield Finding("unknown-placeholder", message, origin, (*sub, lang), scopes)
    for sname, state in r.states.items():
        if state.source is None and not (state.final is not None and not (state.say or state.do)):
            message = f"state '{sname}' cites no source (add 'source: {{document, section, lines}}')"
            yield state_finding(r, "missing-source", message, sname)


def _placeholders(line: str) -> list[str]:
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(line) if f]
    except ValueError:
        return ["<malformed>"]
    return [n.split(".")[0].split("[")[0] for n in names]
