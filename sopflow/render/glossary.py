"""A glossary as a person reads it: each role, field, tip and source document, and who uses it.

A manager about to rename a role or correct a tip's title sees here every
procedure the change reaches, in the language of the desk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from sopflow.model import Glossary
from sopflow.render.text import pick

Usage = Mapping[tuple[str, str], Sequence[str]]
"""(kind, name) -> the ids of the procedures and policies that use the entry."""


def _table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold")
    table.add_column()
    return table


def glossary_view(glossary: Glossary, usage: Usage, lang: str | None = None) -> RenderableType:
    """The whole glossary in ``lang`` (default: its first language)."""
    chosen = lang or glossary.languages[0]
    langs = tuple(glossary.languages)

    def text(value: Mapping[str, str] | None) -> str:
        return escape(pick(dict(value) if value else None, chosen, langs) or "")

    def used(kind: str, name: str, verb: str = "used by") -> str:
        found = usage.get((kind, name), ())
        if not found:
            return "[yellow]not used[/]"
        return f"[dim]{verb} {len(found)}: {escape(', '.join(found))}[/]"

    parts: list[RenderableType] = [
        Text.from_markup(f"[bold]{text(glossary.title) or glossary.id}[/]"),
        Text(f"Id         {glossary.id}\nLanguages  {', '.join(glossary.languages)}"),
        Text(""),
    ]
    sections: list[tuple[str, Table]] = []
    if glossary.roles:
        table = _table()
        for name, role in glossary.roles.items():
            table.add_row(name, f"{text(role.title)}\n{used('role', name)}")
        sections.append(("Roles", table))
    if glossary.fields:
        table = _table()
        for name, spec in glossary.fields.items():
            kind = spec.type + (", private" if spec.private else "")
            table.add_row(name, f"{text(spec.title)} [dim]({kind})[/]\n{used('field', name)}")
        sections.append(("Fields", table))
    if glossary.tips:
        table = _table()
        for name, tip in glossary.tips.items():
            table.add_row(escape(name), f"{text(tip.title)}\n{used('tip', name, 'cited by')}")
        sections.append(("Warm tips", table))
    if glossary.documents:
        table = _table()
        for key, document in glossary.documents.items():
            table.add_row(escape(key), f"{text(document.title)} [dim]({document.script})[/]")
        sections.append(("Source documents", table))
    for heading, table in sections:
        parts += [Rule(Text.from_markup(f"[bold]{heading}[/]"), align="left", style="dim"), table, Text("")]
    return Group(*parts)
