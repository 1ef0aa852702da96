"""The overview's filters and the print stylesheet in a real browser, from file:// (no server).

Uses the shared headless Chromium fixture ``browser`` and the built sample of conftest.py (skipped
locally when no Chromium is installed, a failure in CI). Axe-core checks every kind of page in
test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import open_page


@pytest.fixture
def overview(browser: Any, sample_build: Path) -> Iterator[tuple[Any, list[str]]]:
    page, errors = open_page(browser, (sample_build / "index.html").as_uri())
    yield page, errors
    page.close()


def visible_deals(page: Any) -> list[str]:
    return page.locator("tr.deal-row:visible td:nth-child(2) a").all_inner_texts()


def test_filters_narrow_the_list_and_show_all_again(overview: tuple[Any, list[str]]) -> None:
    page, errors = overview
    form = page.locator("#filters")
    assert form.is_visible()  # shown by the script; hidden without it
    status = page.locator(".filter-status")
    assert status.inner_text() == "Showing all 7 deals."
    assert len(visible_deals(page)) == 7

    page.select_option("select[name=owner]", "jan-peeters")
    assert visible_deals(page) == ["Data platform renewal"]
    assert status.inner_text() == "Showing 1 of 7 deals."
    # Stage groups without a visible deal are hidden with their heading.
    assert page.locator("tbody.stage-rows:visible").count() == 1

    page.select_option("select[name=owner]", "")
    page.select_option("select[name=tag]", "renewal")
    assert visible_deals(page) == ["Data platform renewal", "CRM renewal with service module"]
    page.select_option("select[name=stage]", "negotiate")
    assert visible_deals(page) == ["CRM renewal with service module"]

    page.click("button[type=reset]")
    page.wait_for_function("document.querySelectorAll('tr.deal-row[hidden]').length === 0")
    assert len(visible_deals(page)) == 7
    assert status.inner_text() == "Showing all 7 deals."
    assert errors == []


def test_without_scripts_the_form_is_hidden_and_the_list_complete(
    browser: Any,
    sample_build: Path,
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((sample_build / "index.html").as_uri())
    assert not page.locator("#filters").is_visible()
    assert len(visible_deals(page)) == 7
    context.close()


def test_a_deal_page_prints_without_navigation_in_black_and_white(
    browser: Any,
    sample_build: Path,
) -> None:
    page = browser.new_page()
    page.goto((sample_build / "deals" / "acme-data-platform" / "index.html").as_uri())
    page.emulate_media(media="print")
    for hidden in (".site-header", ".breadcrumbs", ".site-footer", ".fix-link", ".method-link"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("#red-flags").is_visible()
    black = "rgb(0, 0, 0)"
    stroke = "el => getComputedStyle(el).stroke"
    assert page.locator(".chart-line").first.evaluate(stroke) == black
    assert page.locator(".chart-target").first.evaluate(stroke) == black
    assert page.locator(".chart-target").first.get_attribute("stroke-dasharray") == "6 4"
    assert page.locator(".sev").first.evaluate("el => getComputedStyle(el).color") == black
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.close()
