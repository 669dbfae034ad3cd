"""The site in a real browser: headless Chromium through Playwright, from ``file://``.

Uses Debian's Chromium (``/usr/bin/chromium``); the tests skip with a message
where it or Playwright is missing. The site is small (a few buyers, two
languages) so the tests stay quick.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from keino_metrics.site import build_site
from keino_metrics.site.render import page_path

CHROMIUM = Path(os.environ.get("KEINO_CHROMIUM", "/usr/bin/chromium"))
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="Playwright is not installed (pip install playwright)")
pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(),
                                reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="module")
def site(small_content, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    build_site(out, content=small_content, language=["fi", "en"])
    return out


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                               args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    p = browser.new_page(viewport={"width": 1200, "height": 900})
    p.errors = []
    p.on("console", lambda m: p.errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    yield p
    p.close()


def _url(site: Path, lang: str, rel: str) -> str:
    return (site / lang / rel).as_uri()


def _buyer(content) -> dict:
    return content.buyers.iloc[0].to_dict()


def test_pages_load_without_errors_and_draw_their_charts(site, page, small_content):
    b = _buyer(small_content)
    for rel in ("index.html", page_path("region", b["region_code"]),
                page_path("group", b["buyer_group"]), page_path("buyer", b["buyer_id"]),
                page_path("indicator", "KEINO-GREEN-N")):
        page.goto(_url(site, "fi", rel))
        charts = page.locator("div.chart")
        assert charts.count() >= 1, rel
        page.wait_for_function("document.querySelectorAll('div.chart .main-svg').length"
                               " >= document.querySelectorAll('div.chart').length")
        assert page.evaluate("document.documentElement.lang") == "fi"
        assert page.errors == [], (rel, page.errors)


def test_search_finds_a_buyer_by_name_and_by_business_id(site, page, small_content):
    b = _buyer(small_content)
    page.goto(_url(site, "en", "index.html"))
    box = page.get_by_label("Find a buyer by name or business id")
    box.fill(b["name"][:5])
    link = page.locator("#search-results a", has_text=b["name"])
    assert link.count() >= 1
    box.fill(b["buyer_id"])
    assert page.locator("#search-results a").count() == 1
    box.press("Enter")
    page.wait_for_url("**/" + page_path("buyer", b["buyer_id"]))
    assert page.locator("h1").inner_text() == b["name"]
    assert page.errors == []


def test_search_is_keyboard_usable(site, page, small_content):
    b = _buyer(small_content)
    page.goto(_url(site, "en", "index.html"))
    page.focus("#search-box")
    page.keyboard.type(b["buyer_id"])
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.tagName") == "A"
    page.keyboard.press("Enter")
    page.wait_for_url("**/" + page_path("buyer", b["buyer_id"]))


def test_search_is_reached_with_tab_and_opens_a_buyer_with_enter(site, page, small_content):
    b = _buyer(small_content)
    page.goto(_url(site, "fi", "index.html"))
    for _ in range(10):  # the brand link and the language links come first
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search-box":
            break
    assert page.evaluate("document.activeElement.id") == "search-box"
    page.keyboard.type(b["name"][:6])
    assert page.locator("#search-results a").count() >= 1
    page.keyboard.type(b["name"][6:])
    page.keyboard.press("Enter")
    page.wait_for_url("**/fi/" + page_path("buyer", b["buyer_id"]))
    assert page.locator("h1").inner_text() == b["name"]
    assert page.errors == []


def test_language_switch_keeps_the_page(site, page, small_content):
    b = _buyer(small_content)
    rel = page_path("buyer", b["buyer_id"])
    page.goto(_url(site, "fi", rel))
    page.locator("nav.langs a[hreflang=en]").click()
    page.wait_for_url("**/en/" + rel)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").inner_text() == b["name"]
    assert page.errors == []


def test_links_of_a_buyer_page_resolve(site, page, small_content):
    b = _buyer(small_content)
    page.goto(_url(site, "en", page_path("buyer", b["buyer_id"])))
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    targets = sorted({h.split("#")[0] for h in hrefs})
    assert targets
    for href in targets:
        assert href.startswith("file://"), href
        path = Path(unquote(urlsplit(href).path))
        assert path.is_file(), href
    for href in [h for h in targets if h.endswith(".html")][:8]:
        page.goto(href)
        assert page.locator("h1").count() == 1, href
    assert page.errors == []
