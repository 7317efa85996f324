"""The handbook's pages as text, by path: one page set per language, rendered by Jinja2 templates.

Each language gets its own folder of pages rather than three languages toggled in one page:
every page is then readable without JavaScript, prints in the one language the desk reads,
carries the right ``lang`` (so a browser picks Traditional or Simplified glyph forms), and
links to the same page in the other languages. Nothing here writes files or runs programs:
the caller writes the pages and, for diagrams, passes a ``draw`` that turns DOT into SVG.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from importlib.resources import files

import jinja2
from markupsafe import Markup

from sopflow.compile import Procedure
from sopflow.model import Citation, Text
from sopflow.render import dot, mermaid
from sopflow.render.handbook.words import outcome, promise_words, property_words, stretch, timer_words, word
from sopflow.render.outline import Outline, outline
from sopflow.render.text import pick, quoted

LANGUAGES = ("zh-Hant", "zh-Hans", "en")
"""The handbook's languages, in the order its language switch lists them."""

Draw = Callable[[str], str]
"""DOT source -> an SVG document (Graphviz's ``dot -Tsvg``)."""


@dataclass(frozen=True)
class Shelf:
    """What a handbook is made of: the procedures, and the titles of the policies they use."""

    procedures: Sequence[Procedure]
    policies: Mapping[str, Text]

    def families(self) -> dict[str, list[Procedure]]:
        """Procedures by family, the first part of their id (``business`` of ``business.repair``)."""
        found: dict[str, list[Procedure]] = {}
        for p in sorted(self.procedures, key=lambda p: p.id):
            found.setdefault(p.id.split(".", 1)[0], []).append(p)
        return found


def _environment(markdown: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sopflow.render.handbook", "templates"),
        autoescape=not markdown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    return env


def md_escape(text: object) -> str:
    """Text as Markdown that shows it literally: no emphasis, link, heading or raw HTML from it."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]#|":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def cite(source: Citation | None, lang: str) -> str:
    """``文件 000 · 標準3 場景五 租戶放行 · 第 125-144 行``: where in the written SOP this comes from."""
    if source is None:
        return ""
    parts = [word("document", lang, document=source.document), source.section]
    if source.lines:
        parts.append(word("lines", lang, lines=source.lines))
    return " · ".join(parts)


def _helpers(o: Outline, shelf: Shelf) -> dict[str, object]:
    lang = o.lang
    fields = {f.name: f for f in o.fields}
    known = {p.id for p in shelf.procedures}

    def field(name: str) -> str:
        spec = fields.get(name)
        return spec.title if spec is not None and spec.title else name

    return {
        "o": o,
        "p": o.procedure,
        "field": field,
        "fields_of": lambda names: ", ".join(field(n) for n in names),
        "role": o.role,
        "roles_of": lambda names: ", ".join(o.role(r) for r in names) if names else word("anyone", lang),
        "when": lambda way: timer_words(way.delay, way.wait, lang, field),
        "due": lambda wait: promise_words(wait, lang, field),
        "describe": lambda line: property_words(line, lang, o.role),
        "stretch": partial(stretch, lang=lang),
        "cite": partial(cite, lang=lang),
        "quoted": partial(quoted, lang=lang),
        "policy_title": lambda pid: pick(shelf.policies.get(pid), lang, LANGUAGES) or pid,
        "linked": lambda pid: pid in known,
    }


def _common(lang: str, page: str) -> dict[str, object]:
    return {
        "lang": lang,
        "page": page,
        "languages": LANGUAGES,
        "w": partial(word, lang=lang),
        "name": _language_name,
        "outcome": partial(outcome, lang=lang),
    }


def _svg(draw: Draw, procedure: Procedure, lang: str) -> Markup:
    """The diagram as inline SVG: Graphviz's document without its XML prolog and doctype."""
    svg = draw(dot.to_dot(procedure, lang))
    start = svg.find("<svg")
    return Markup(svg[start:] if start >= 0 else svg)  # Graphviz escapes the labels it draws


def search_index(shelf: Shelf, lang: str) -> list[dict[str, str]]:
    """What the search box matches in ``lang``: each procedure's title, id, family, steps and tips."""
    entries = []
    for family, procedures in shelf.families().items():
        for p in procedures:
            o = outline(p, lang)
            words = [s.title or s.base for s in o.steps] + [t.title or t.id for s in o.steps for t in s.tips]
            entries.append(
                {
                    "id": p.id,
                    "title": o.title or p.id,
                    "family": family,
                    "url": f"{p.id}.html",
                    "text": " ".join(dict.fromkeys(words)),
                }
            )
    return entries


def html_pages(shelf: Shelf, draw: Draw | None) -> dict[str, str]:
    """Every page, stylesheet and script of the HTML handbook, by path relative to its folder.

    ``draw`` is ``None`` when diagrams cannot be drawn; each page then says so where its
    diagram would be.
    """
    env = _environment(markdown=False)
    assets = files("sopflow.render.handbook") / "assets"
    pages = {
        "assets/handbook.css": (assets / "handbook.css").read_text(encoding="utf-8"),
        "assets/search.js": (assets / "search.js").read_text(encoding="utf-8"),
        "index.html": env.get_template("languages.html.j2").render(languages=LANGUAGES, name=_language_name),
    }
    families = shelf.families()
    for lang in LANGUAGES:
        index = json.dumps(search_index(shelf, lang), ensure_ascii=False, indent=0).replace("</", "<\\/")
        pages[f"{lang}/search-index.js"] = f"window.SOPFLOW_SEARCH = {index};\n"
        titles = {p.id: pick(p.title, lang, p.languages) or p.id for p in shelf.procedures}
        pages[f"{lang}/index.html"] = env.get_template("index.html.j2").render(
            families=families, titles=titles, count=len(shelf.procedures), **_common(lang, "index.html")
        )
        for p in shelf.procedures:
            o = outline(p, lang)
            svg = _svg(draw, p, lang) if draw is not None else None
            pages[f"{lang}/{p.id}.html"] = env.get_template("procedure.html.j2").render(
                svg=svg, **_helpers(o, shelf), **_common(lang, f"{p.id}.html")
            )
    return pages


def markdown_pages(shelf: Shelf) -> dict[str, str]:
    """The same pages as Markdown for a docs site, diagrams as ``mermaid`` fences it draws.

    A docs site brings its own search, so the Markdown set has no search index.
    """
    env = _environment(markdown=True)
    families = shelf.families()
    pages = {"index.md": env.get_template("languages.md.j2").render(languages=LANGUAGES, name=_language_name)}
    for lang in LANGUAGES:
        titles = {p.id: pick(p.title, lang, p.languages) or p.id for p in shelf.procedures}
        pages[f"{lang}/index.md"] = env.get_template("index.md.j2").render(
            families=families, titles=titles, count=len(shelf.procedures), **_common(lang, "index.md")
        )
        for p in shelf.procedures:
            o = outline(p, lang)
            pages[f"{lang}/{p.id}.md"] = env.get_template("procedure.md.j2").render(
                chart=mermaid.to_mermaid(p, lang), **_helpers(o, shelf), **_common(lang, f"{p.id}.md")
            )
    return pages


def _language_name(lang: str) -> str:
    return word("language_name", lang)
