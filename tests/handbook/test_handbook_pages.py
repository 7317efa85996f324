"""The handbook's pages: every procedure in every language, its citations, its times in words, nothing unescaped."""

from __future__ import annotations

import html
import json
import re
import string
from pathlib import Path

import pytest

import sopflow
from sopflow.cli.graph import graphviz
from sopflow.cli.handbook import policy_titles
from sopflow.render.handbook import LANGUAGES, Shelf, html_pages, markdown_pages
from sopflow.render.handbook.pages import md_escape
from sopflow.render.handbook.words import WORDS, promise_words, property_words, timer_words
from sopflow.render.outline import OccurrenceLine, PropertyLine

BUNDLED = sopflow.load_library()
SHELF = Shelf([BUNDLED[pid] for pid in BUNDLED], policy_titles(BUNDLED))


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """The bundled library's HTML handbook, diagrams drawn by Graphviz."""
    return html_pages(SHELF, lambda source: graphviz(source, "svg").decode())


@pytest.fixture(scope="module")
def markdown() -> dict[str, str]:
    return markdown_pages(SHELF)


def links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'(?:href|src)="([^"#]*)[^"]*"', page) if h]


def test_every_procedure_has_a_page_in_every_language(pages: dict[str, str], markdown: dict[str, str]) -> None:
    """Each bundled procedure is on each language's index and has its own page, HTML and Markdown."""
    missing = [
        (lang, pid, kind)
        for lang in LANGUAGES
        for pid in BUNDLED
        for kind, found in (
            ("page", f"{lang}/{pid}.html" in pages),
            ("index", f'href="{pid}.html"' in pages[f"{lang}/index.html"]),
            ("markdown", f"{lang}/{pid}.md" in markdown),
            ("markdown index", f"]({pid}.md)" in markdown[f"{lang}/index.md"]),
        )
        if not found
    ]
    assert [] == missing


def test_every_link_and_script_of_every_page_exists(pages: dict[str, str]) -> None:
    """Language switches, procedure links, calls, the stylesheet and the scripts all resolve offline."""
    broken = []
    for name, page in pages.items():
        if not name.endswith(".html"):
            continue
        for target in links(page):
            resolved = Path(name).parent / target
            if not target.startswith(("http:", "https:")) and str(Path(*_normal(resolved.parts))) not in pages:
                broken.append((name, target))
    assert [] == broken


def _normal(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            out.pop()
        elif part != ".":
            out.append(part)
    return out


def test_pages_name_their_language_and_the_index_groups_by_family(pages: dict[str, str]) -> None:
    """Each page set carries its lang; the index has one section per folder, titles in its language."""
    index = pages["zh-Hans/index.html"]
    families = re.findall(r'<section class="family" id="family-([^"]+)">', index)
    assert (
        ['<html lang="zh-Hant">', '<html lang="en">'],
        sorted({pid.split(".")[0] for pid in BUNDLED}),
        True,
    ) == (
        [pages[f"{lang}/business.repair.html"].split("\n")[1] for lang in ("zh-Hant", "en")],
        families,
        '<a href="business.release_tenant.html">租户放行</a>' in index,
    )


def test_a_procedure_page_says_and_cites_each_step(pages: dict[str, str]) -> None:
    """Roles by their glossary title, the say and do lines, tips with their words, and each citation."""
    page = pages["zh-Hant/business.release_tenant.html"]
    step = page.split('id="step-ask_id"', 1)[1].split("</section>", 1)[0]
    expected = [
        "服務人員",
        "「您請坐,請您出示身份證,我們要復印留底。」",
        "復印身份證,加蓋說明專用章",
        '<strong class="tip-id">A3</strong> 資料復印留底: 加蓋說明專用章',
        "文件 000 · 標準3 場景五 租戶放行 · 第 126 行",
    ]
    assert [True] * 5 == [text in step for text in expected]
    assert "文件 000 · 標準3 場景五 租戶放行 · 第 125-144 行" in page


def test_a_procedure_page_lists_what_it_guarantees(pages: dict[str, str], markdown: dict[str, str]) -> None:
    """Each declared property in the page's language, with what exactly is checked and its source; each invariant."""
    page = html.unescape(pages["zh-Hans/business.release_tenant.html"])
    section = page.split('<section class="guarantees">', 1)[1].split("</section>", 1)[0]
    spec = BUNDLED["business.release_tenant"].resolved.spec
    for name, prop in spec.properties.items():
        item = section.split(f'id="property-{name}"', 1)[1].split("</li>", 1)[0]
        assert prop.text is not None
        assert prop.source is not None
        assert prop.text["zh-Hans"] in item
        assert f"第 {prop.source.lines} 行" in item
    line = section.split('id="property-owner_called_on_the_records_number"', 1)[1].split("</li>", 1)[0]
    assert "(当 owner_phone_on_record == null 时,绝不 到达 call_owner)" in line
    assert [f"<code>{n}</code>: <code>{e}</code>" in section for n, e in spec.invariants.items()] == [True] * 4
    md = markdown["en/business.release_tenant.md"]
    assert "## What the procedure guarantees" in md
    assert "(never reaching call\\_owner while owner\\_phone\\_on\\_record == null)" in md
    assert "- `slip_issued_requires_consent`: `not slip_issued or owner_consent`" in md
    # A procedure that declares nothing has no such section.
    bare = [
        pid
        for pid in BUNDLED
        if not BUNDLED[pid].resolved.spec.properties and not BUNDLED[pid].resolved.spec.invariants
    ]
    assert bare
    assert '<section class="guarantees">' not in pages[f"en/{bare[0]}.html"]


def _line(
    pattern: str, *subjects: OccurrenceLine, roles: tuple[str, ...] = (), condition: str | None = None
) -> PropertyLine:
    return PropertyLine("p", None, pattern, subjects, roles, condition, None)


@pytest.mark.parametrize(
    ("line", "lang", "said"),
    [
        (
            _line("first", OccurrenceLine("owner_called", False, None), OccurrenceLine("slip_issued", False, None)),
            "en",
            "slip_issued only after owner_called",
        ),
        (
            _line("first", OccurrenceLine("owner_called", False, None), OccurrenceLine("issue", True, None)),
            "zh-Hant",
            "先 owner_called,才可 到達 issue",
        ),
        (
            _line(
                "after", OccurrenceLine("complaint_received", False, None), OccurrenceLine("closed", True, "x.follow")
            ),
            "en",
            "once complaint_received, always reaching closed in x.follow in the end",
        ),
        (
            _line("never", OccurrenceLine("released", True, None), condition="arrears_months > 0"),
            "zh-Hans",
            "当 arrears_months > 0 时,绝不 到达 released",
        ),
        (
            _line("always_available", OccurrenceLine("escalate", False, None)),
            "en",
            "escalate is possible at every step",
        ),
        (
            _line("only", OccurrenceLine("owner_answered", False, None), roles=("front_desk", "owner")),
            "zh-Hant",
            "owner_answered 只限 front_desk, owner",
        ),
    ],
)
def test_a_property_without_words_is_said_from_its_pattern(line: PropertyLine, lang: str, said: str) -> None:
    assert said == property_words(line, lang)


def test_every_step_and_its_source_is_on_the_page(pages: dict[str, str]) -> None:
    """No step is left out, and every step with a source cites its document, section and lines."""
    missing = []
    for pid in BUNDLED:
        procedure = BUNDLED[pid]
        page = html.unescape(pages[f"en/{pid}.html"])
        for state in procedure.ir.states.values():
            if f'id="step-{state.base}"' not in page:
                missing.append((pid, state.base))
            if state.source is not None and state.source.lines and f"lines {state.source.lines}" not in page:
                missing.append((pid, f"{state.base} lines {state.source.lines}"))
    assert [] == missing


def test_times_and_promises_are_in_words(pages: dict[str, str]) -> None:
    """Timers and promises read as people say them, in the page's language."""
    en, hant = pages["en/complaint.handling.html"], pages["zh-Hant/complaint.handling.html"]
    fees = pages["en/fee_collection.html"]
    assert (True, True, True) == (
        '<span class="when">within 3 days</span>' in en,
        '<span class="when">3 天內</span>' in hant,
        '<span class="when">by 11:50</span>' in fees,
    )


@pytest.mark.parametrize(
    ("delay", "wait", "lang", "said"),
    [
        (180, None, "en", "after 3 minutes"),
        (5400, None, "zh-Hant", "1 小時 30 分鐘後"),
        (None, "3 working days", "en", "after 3 working days"),
        (None, "next working day 09:00", "zh-Hans", "于 下一个工作日 09:00"),
        (None, "next working day", "en", "at opening time on the next working day"),
    ],
)
def test_timer_words(delay: float | None, wait: str | None, lang: str, said: str) -> None:
    assert said == timer_words(delay, wait, lang)


def test_promise_words() -> None:
    assert ["within 1 working day", "3 個工作日內", "次日 23:59前"] == [
        promise_words("1 working day", "en"),
        promise_words("3 working days", "zh-Hant"),
        promise_words("next day 23:59", "zh-Hans"),
    ]


def test_every_word_is_in_every_language_with_the_same_placeholders() -> None:
    def holes(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    bad = [
        key
        for key, texts in WORDS.items()
        if set(texts) != set(LANGUAGES) or len({frozenset(holes(t)) for t in texts.values()}) != 1
    ]
    assert [] == bad


def test_policies_used_are_named_and_their_events_apply_at_any_step(pages: dict[str, str]) -> None:
    page = pages["en/business.release_tenant.html"]
    policies = page.split('<section class="policies">', 1)[1].split("</section>", 1)[0]
    any_step = page.split('<section class="any-step">', 1)[1]
    assert (True, True) == (
        "<code>policy.escalate_on_dissatisfaction</code>" in policies
        and "Move the service up when the customer is dissatisfied" in policies,
        "<code>escalate</code>" in any_step,
    )


def test_search_index_lists_every_procedure_in_its_language(pages: dict[str, str]) -> None:
    script = pages["zh-Hans/search-index.js"]
    entries = json.loads(script.removeprefix("window.SOPFLOW_SEARCH = ").removesuffix(";\n"))
    by_id = {e["id"]: e for e in entries}
    assert (sorted(BUNDLED), "租户放行", "business.release_tenant.html") == (
        sorted(by_id),
        by_id["business.release_tenant"]["title"],
        by_id["business.release_tenant"]["url"],
    )


def test_diagrams_are_inline_svg_or_a_visible_note(pages: dict[str, str]) -> None:
    """With Graphviz the diagram is inline SVG (no XML prolog); without it the page says it was left out."""
    bare = html_pages(Shelf([BUNDLED["reception.farewell"]], {}), None)["en/reception.farewell.html"]
    figure = pages["en/reception.farewell.html"].split("<figure>", 1)[1]
    assert (True, False, True, False) == (
        figure.startswith("<svg"),
        "<?xml" in pages["en/reception.farewell.html"],
        "Diagram left out: this handbook was built without Graphviz." in bare,
        "<svg" in bare,
    )


HOSTILE = """
sopflow: 1
procedure:
  id: x.hostile
  version: 1
  title: {en: "<script>alert('t')</script> & co"}
  languages: [en]
  roles:
    desk: {title: {en: "<b>Desk</b>"}}
  fields:
    secret: {type: str, private: true, default: "S3CRET-VALUE", title: {en: "the *secret* [x](y)"}}
  initial: ask
  states:
    ask:
      role: desk
      say: {en: "Say <img src=x onerror=alert(1)> # not a heading"}
      on:
        done: {data: [secret], to: end}
    end: {final: completed}
"""


def test_text_is_escaped_and_private_values_never_shown() -> None:
    """Authors' text is shown as text in HTML and Markdown; a private field shows its title, never a value."""
    library = sopflow.load_string(HOSTILE)
    shelf = Shelf([library["x.hostile"]], {})
    page = html_pages(shelf, None)["en/x.hostile.html"]
    md = markdown_pages(shelf)["en/x.hostile.md"]
    assert (False, True, False, True, False, False) == (
        "<script>alert" in page or "<b>Desk" in page or "<img" in page,
        "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; &amp; co" in page,
        "<script>" in md or "<img" in md,
        r"the \*secret\* \[x\](y)" in md,
        "S3CRET" in page,
        "S3CRET" in md,
    )


def test_md_escape_keeps_text_literal() -> None:
    assert r"\# a \*b\* &lt;i&gt; \[c\]" == md_escape("# a *b* <i> [c]")
