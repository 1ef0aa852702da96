"""The built site in a real browser: headless Chromium driven by Playwright, over HTTP and file://.

These tests need Debian's Chromium (``/usr/bin/chromium``); the test tool's own browser download
does not work on our machines. Locally they skip with the reason when no Chromium is found; in CI
(``CI`` set) a missing browser is a failure, so they can never be skipped silently there. The
``browser`` fixture and the built sites are in conftest.py, shared with the other browser tests
(the overview's filters: test_intelligence_in_browser.py and test_filters_in_browser.py; search:
test_search_in_browser.py).
"""

from __future__ import annotations

import html.parser
import itertools
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from browsing import DESKTOP, PHONE, PROJECTOR, open_page, serious_violations

from conftest import REPO

ARTIFACTS = REPO / "tests" / "artifacts"

# One page of every kind the sample playbook has.
PAGE_KINDS = {
    "overview": "index.html",
    "deal": "deals/acme-data-platform/index.html",
    "deal-lost": "deals/fenwick-contact-centre/index.html",
    "method-index": "method/index.html",
    "method": "method/buyer-roles/index.html",
    "method-reference": "method/writing-a-deal/index.html",  # Markdown tables and code blocks
    "stages": "stages/index.html",
    "stage": "stages/develop/index.html",
    "owners": "owners/index.html",
    "owner": "owners/jan-peeters/index.html",
    "tags": "tags/index.html",
    "tag": "tags/renewal/index.html",
    "red-flags": "red-flags/index.html",
    "404": "404.html",
}
KINDS = sorted(PAGE_KINDS)


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("href", "src"):
                self.links.append(value)


def crawl(base: str) -> dict[str, int]:
    """Fetch every page and asset reachable by internal links from the overview: URL → status."""
    seen: dict[str, int] = {}
    queue = [urljoin(base, "index.html"), urljoin(base, "404.html")]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                seen[url] = response.status
                body = response.read()
                kind = response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            seen[url] = error.code
            continue
        if kind != "text/html":
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        for link in parser.links:
            target = urldefrag(urljoin(url, link)).url
            if urlsplit(target).netloc == urlsplit(base).netloc and target not in seen:
                queue.append(target)
    return seen


@pytest.mark.parametrize("site", ["sample_site", "generated_site"])
def test_every_internal_link_answers_200(site: str, request: pytest.FixtureRequest) -> None:
    base = request.getfixturevalue(site)
    statuses = crawl(base)
    broken = {url: status for url, status in statuses.items() if status != 200}
    assert not broken
    pages = {urlsplit(url).path.lstrip("/") for url in statuses if url.endswith(".html")}
    for kind in ("deals/", "method/", "stages/", "owners/", "tags/", "red-flags/"):
        assert any(page.startswith(kind) for page in pages), kind
    assert "static/style.css" in {urlsplit(url).path.lstrip("/") for url in statuses}
    assert "static/search.js" in {urlsplit(url).path.lstrip("/") for url in statuses}
    if site == "generated_site":
        assert sum(1 for page in pages if page.startswith("deals/")) == 300


def heading_levels(page: Any) -> list[int]:
    return page.eval_on_selector_all("h1, h2, h3, h4, h5, h6", "hs => hs.map(h => +h.tagName[1])")


@pytest.mark.parametrize("name", KINDS)
def test_every_kind_of_page_loads_without_errors_and_with_its_landmarks(
    browser: Any, sample_site: str, name: str
) -> None:
    page, errors = open_page(browser, sample_site + PAGE_KINDS[name])
    assert errors == []
    for landmark in ("banner", "main", "contentinfo", "search"):
        assert page.get_by_role(landmark).count() == 1, landmark
    assert page.get_by_role("navigation", name="Site").is_visible()
    # One h1, and going down the outline never skips a level (h2 → h4).
    levels = heading_levels(page)
    assert levels[0] == 1 and levels.count(1) == 1
    jumps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
    assert jumps == []
    page.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", KINDS)
def test_every_kind_of_page_has_no_serious_accessibility_violations(
    browser: Any, sample_site: str, name: str, viewport: dict[str, int]
) -> None:
    page, _ = open_page(browser, sample_site + PAGE_KINDS[name], viewport)
    assert serious_violations(page) == []
    page.close()


def test_search_results_have_no_serious_accessibility_violations(
    browser: Any, sample_site: str
) -> None:
    page, _ = open_page(browser, sample_site + PAGE_KINDS["deal"])
    page.fill("input[type=search]", "coach")
    page.wait_for_selector("[data-search-results] a")
    assert serious_violations(page) == []
    page.close()


@pytest.mark.parametrize("name", KINDS)
def test_every_kind_of_page_fits_a_phone_without_scrolling_sideways(
    browser: Any, sample_site: str, name: str
) -> None:
    page, _ = open_page(browser, sample_site + PAGE_KINDS[name], PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # What is wider than the screen scrolls inside its own box, never the page.
    overflowing = page.evaluate(
        """width => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 0.5)
            .filter(el => !el.closest('.table-wrap, .visually-hidden, .skip'))
            .map(el => el.tagName + '.' + el.className)""",
        PHONE["width"],
    )
    assert overflowing == []
    header_links = page.get_by_role("navigation", name="Site").get_by_role("link")
    assert header_links.count() == 6
    assert all(header_links.nth(i).is_visible() for i in range(6))
    assert page.locator("input[type=search]").is_visible()
    page.close()


def test_a_projector_gets_larger_type_than_a_laptop(browser: Any, sample_site: str) -> None:
    sizes = {}
    for name, viewport in (("laptop", DESKTOP), ("projector", PROJECTOR)):
        page, _ = open_page(browser, sample_site + PAGE_KINDS["deal"], viewport)
        sizes[name] = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        page.close()
    assert sizes == {"laptop": 16, "projector": 18}


def test_keyboard_starts_at_the_skip_link_and_shows_where_focus_is(
    browser: Any, sample_site: str
) -> None:
    page, _ = open_page(browser, sample_site + PAGE_KINDS["deal"])
    page.keyboard.press("Tab")
    # A loaded machine may take a moment to move the focus: wait for it, then look.
    page.wait_for_function("document.activeElement !== document.body")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to content"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # shown once focused
    page.keyboard.press("Enter")
    page.wait_for_url("**#main")
    page.keyboard.press("Tab")  # the first link of the main content comes next
    page.wait_for_function("document.activeElement.closest('main') !== null")
    focused = page.locator(":focus")
    assert focused.evaluate("el => el.closest('main') !== null")
    outline = focused.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    page.close()


@pytest.mark.parametrize("name", ["overview", "deal", "red-flags"])
def test_every_link_and_control_is_reachable_with_the_tab_key(
    browser: Any, sample_site: str, name: str
) -> None:
    page, _ = open_page(browser, sample_site + PAGE_KINDS[name])
    wanted = page.evaluate(
        """() => [...document.querySelectorAll('a[href], input, select, button, [tabindex="0"]')]
            .filter(el => el.getClientRects().length > 0 || el.classList.contains('skip'))
            .map((el, i) => { el.dataset.reach = i; return i; })"""
    )
    reached: set[int] = set()
    for _ in range(len(wanted) + 5):
        page.keyboard.press("Tab")
        index = page.evaluate("document.activeElement.dataset.reach")
        if index is not None:
            reached.add(int(index))
    assert reached == set(wanted)
    page.close()


@pytest.mark.parametrize("name", ["overview", "deal", "method", "red-flags"])
def test_key_pages_are_saved_as_screenshots(browser: Any, sample_site: str, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("", DESKTOP), ("-phone", PHONE)):
        page, errors = open_page(browser, sample_site + PAGE_KINDS[name], viewport)
        target = ARTIFACTS / f"{name}{label}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.read_bytes().startswith(b"\x89PNG")
        assert errors == []
        page.close()


def test_site_works_from_disk(browser: Any, sample_build: Path) -> None:
    page, errors = open_page(browser, (sample_build / "index.html").as_uri())
    page.get_by_role("link", name="Data platform renewal").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/deals/acme-data-platform/index.html")
    assert page.locator("h1").inner_text().startswith("Data platform renewal")
    stylesheet_applied = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert stylesheet_applied not in ("", "rgba(0, 0, 0, 0)")
    # The header leads everywhere from disk too: stages, red flags, method.
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Red flags").click()
    assert page.url.endswith("/red-flags/index.html")
    page.get_by_role("link", name="No coach", exact=True).click()
    assert page.url.endswith("/red-flags/index.html#rule-no-coach")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Stages").click()
    page.get_by_role("link", name="Negotiate").click()
    assert page.url.endswith("/stages/negotiate/index.html")
    assert page.locator("h1").inner_text() == "Stage: Negotiate"
    assert errors == []
    page.close()
