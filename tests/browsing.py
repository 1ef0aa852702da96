"""Helpers of the browser tests: open a page that records its console errors, run axe-core.

The ``browser`` fixture and the built, served sites are in conftest.py.
"""

from __future__ import annotations

from typing import Any

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
PROJECTOR = {"width": 1920, "height": 1080}


def open_page(
    browser: Any, url: str, viewport: dict[str, int] | None = None
) -> tuple[Any, list[str]]:
    """A new page at ``url``, and a list that collects its console errors and exceptions."""
    page = browser.new_page(viewport=viewport or DESKTOP)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(url)
    assert response is None or response.ok, url  # file:// URLs have no response
    page.wait_for_load_state("load")
    return page, errors


def serious_violations(page: Any) -> list[str]:
    """What axe-core finds at the serious and critical levels, one line per rule."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
