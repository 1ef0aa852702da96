"""The built site in a real browser: headless Chromium driven by Playwright, over HTTP and file://.

These tests need Debian's Chromium (``/usr/bin/chromium``); the test tool's own browser download
does not work on our machines. Locally they skip with the reason when no Chromium is found; in CI
(``CI`` set) a missing browser is a failure, so they can never be skipped silently there.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from conftest import REPO, run_playbook

ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium()
    reason = "no Chromium found (install Debian's chromium package)"
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("browser tests must run in CI: playwright is not installed")
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@functools.cache
def _corpus_generator() -> Any:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import gen_corpus
    finally:
        sys.path.pop(0)
    return gen_corpus


def _serve(folder: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


def _build(project: Path, out: Path) -> Path:
    result = run_playbook("build", project, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = _build(REPO, tmp_path_factory.mktemp("sample") / "site")
    base, server = _serve(out)
    yield base
    server.shutdown()


@pytest.fixture(scope="session")
def generated_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "gen_corpus.py"), str(project), "300"],
        check=True,
        capture_output=True,
    )
    out = _build(project, project / "site")
    base, server = _serve(out)
    yield base
    server.shutdown()


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
    queue = [urljoin(base, "index.html")]
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
    pages = [url for url in statuses if url.endswith(".html")]
    assert any("/deals/" in url for url in pages)
    assert any("/method/" in url for url in pages)
    assert any(url.endswith(".css") for url in statuses)


def _open(browser: Any, url: str) -> tuple[Any, list[str]]:
    """A page at ``url``, with a list that collects its console errors and uncaught exceptions."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(url)
    assert response is None or response.ok, url
    return page, errors


KEY_PAGES = {
    "overview": "index.html",
    "deal": "deals/acme-data-platform/index.html",
    "method": "method/buyer-roles/index.html",
}


@pytest.mark.parametrize("name", sorted(KEY_PAGES))
def test_key_pages_load_without_console_errors_and_save_screenshots(
    browser: Any, sample_site: str, name: str
) -> None:
    page, errors = _open(browser, sample_site + KEY_PAGES[name])
    page.wait_for_load_state("load")
    assert page.locator("h1").count() == 1
    assert errors == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert (ARTIFACTS / f"{name}.png").stat().st_size > 1000
    page.close()


@pytest.mark.parametrize("name", sorted(KEY_PAGES))
def test_key_pages_have_no_serious_accessibility_violations(
    browser: Any, sample_site: str, name: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page, _ = _open(browser, sample_site + KEY_PAGES[name])
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    page.close()


def test_site_works_from_disk(browser: Any, tmp_path: Path) -> None:
    out = _build(REPO, tmp_path / "site")
    page, errors = _open(browser, (out / "index.html").as_uri())
    page.get_by_role("link", name="Data platform renewal").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/deals/acme-data-platform/index.html")
    assert page.locator("h1").inner_text().startswith("Data platform renewal")
    stylesheet_applied = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert stylesheet_applied not in ("", "rgba(0, 0, 0, 0)")
    assert errors == []
    page.close()
