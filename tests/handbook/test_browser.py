"""The handbook in a real browser: Debian's chromium, headless, opening the pages from file://.

The pages must work offline, so nothing here serves them: the language switch, the search
box and the print styles are exercised as a desk would meet them. Screenshots are compared
with the references in ``screenshots/`` (taken with fonts-noto-cjk installed, so a page
whose Chinese falls back to empty boxes differs from them); a screenshot that differs is
written beside its reference as ``NAME.new.png`` for a person to look at.

A missing browser is an error, never a skip: ``scripts/debian-packages`` installs chromium and the
fonts on Debian.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

import sopflow
from sopflow.cli.graph import graphviz
from sopflow.cli.handbook import policy_titles
from sopflow.render.handbook import Shelf, html_pages

SCREENSHOTS = Path(__file__).parent / "screenshots"
INSTALL = (
    "the handbook's browser tests need Debian's chromium and the Noto CJK fonts: "
    "apt-get install -y chromium fonts-noto-cjk (scripts/debian-packages, which the README's test command "
    "runs, installs them), "
    "or set SOPFLOW_CHROMIUM to a Chromium executable"
)
VIEWPORT: ViewportSize = {"width": 900, "height": 640}
TOLERANCE = 0.01
"""The share of pixels that may differ from a reference (font hinting, anti-aliasing)."""


def chromium() -> str:
    found = os.environ.get("SOPFLOW_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(INSTALL, pytrace=False)
    return found


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled library's HTML handbook, written to a folder as ``sopflow handbook`` does."""
    library = sopflow.load_library()
    shelf = Shelf([library[pid] for pid in library], policy_titles(library))
    out = tmp_path_factory.mktemp("handbook")
    for name, text in html_pages(shelf, lambda source: graphviz(source, "svg").decode()).items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
    yield opened
    opened.close()


def url(handbook: Path, name: str) -> str:
    return (handbook / name).as_uri()


def differing(actual: Image.Image, expected: Image.Image) -> float:
    """The share of pixels whose colour differs noticeably."""
    if actual.size != expected.size:
        return 1.0
    diff = ImageChops.difference(actual.convert("RGB"), expected.convert("RGB")).convert("L")
    changed = sum(diff.histogram()[49:])  # grey levels above 48 of 255
    return changed / (actual.width * actual.height)


def matches_reference(page: Page, name: str) -> float:
    """The page's share of differing pixels against ``screenshots/NAME.png``; a new shot is kept beside."""
    reference, new = SCREENSHOTS / f"{name}.png", SCREENSHOTS / f"{name}.new.png"
    page.screenshot(path=str(new))
    if not reference.exists():
        pytest.fail(f"no reference {reference.name}: look at {new.name} and rename it to commit it", pytrace=False)
    with Image.open(new) as actual, Image.open(reference) as expected:
        share = differing(actual, expected)
    if share <= TOLERANCE:
        new.unlink()
    return share


def test_index_switches_language_and_looks_as_it_did(page: Page, handbook: Path) -> None:
    """The Traditional index matches its reference; the switch leads to the same page in English."""
    page.goto(url(handbook, "zh-Hant/index.html"))
    share = matches_reference(page, "index-zh-Hant")
    heading = page.locator("h1").inner_text()
    page.get_by_role("link", name="English").click()
    assert (True, "程序手冊", "/en/index.html", "Procedure handbook") == (
        share <= TOLERANCE,
        heading,
        page.url[-len("/en/index.html") :],
        page.locator("h1").inner_text(),
    )


def test_search_lists_what_matches_and_opens_it(page: Page, handbook: Path) -> None:
    """Typing a query shows the matching procedures; a query with no match says so; a result opens its page."""
    page.goto(url(handbook, "zh-Hans/index.html"))
    page.locator("#search").fill("放行")
    results = page.locator("#results a").all_inner_texts()
    share = matches_reference(page, "search-zh-Hans")
    page.locator("#search").fill("zzzz-nothing")
    empty = page.locator("#results").inner_text()
    page.locator("#search").fill("放行")
    page.get_by_role("link", name="租户放行", exact=True).first.click()
    assert (["业主放行", "租户放行", "租户放行:致电业主"], True, "没有相符的程序。", "租户放行") == (
        results,
        share <= TOLERANCE,
        empty,
        page.locator("h1").inner_text(),
    )


def test_procedure_page_looks_as_it_did_and_switches_language(page: Page, handbook: Path) -> None:
    """A procedure page matches its reference; its switch keeps the procedure and changes the language."""
    page.goto(url(handbook, "zh-Hans/business.release_tenant.html"))
    share = matches_reference(page, "procedure-zh-Hans")
    page.get_by_role("link", name="繁體中文").click()
    assert (True, "租戶放行", "「您請坐,請您出示身份證,我們要復印留底。」") == (
        share <= TOLERANCE,
        page.locator("h1").inner_text(),
        page.locator("#step-ask_id p.say").inner_text().split(" ", 1)[1],
    )


def test_chinese_is_drawn_with_a_cjk_font(page: Page, handbook: Path) -> None:
    """The heading's glyphs come from a Noto CJK font of the page's script, not a fallback's empty boxes."""
    fonts = {}
    for lang, expected in (("zh-Hant", "Noto Sans CJK TC"), ("zh-Hans", "Noto Sans CJK SC")):
        page.goto(url(handbook, f"{lang}/business.release_tenant.html"))
        session = page.context.new_cdp_session(page)
        session.send("DOM.enable")
        session.send("CSS.enable")
        root = session.send("DOM.getDocument")["root"]["nodeId"]
        heading = session.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
        used = session.send("CSS.getPlatformFontsForNode", {"nodeId": heading})["fonts"]
        fonts[lang] = (expected, [f["familyName"] for f in used])
    assert {lang: (expected, [expected]) for lang, (expected, _) in fonts.items()} == fonts


def test_print_shows_the_procedure_without_the_navigation(page: Page, handbook: Path) -> None:
    """Printed, a page keeps its steps and drops the header, language switch and search."""
    page.goto(url(handbook, "en/business.release_tenant.html"))
    page.emulate_media(media="print")
    assert (False, False, True, True) == (
        page.locator("header.site").is_visible(),
        page.locator("#search").is_visible(),
        page.locator("#step-ask_id").is_visible(),
        page.locator(".diagram svg").is_visible(),
    )
