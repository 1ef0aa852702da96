"""Search in a real browser: type in the header's box, reach the deal or method page by keyboard
and by mouse, over HTTP and from file://, on the sample and on a generated 300-deal playbook,
also built with 100 documents per chunk so that the index has several chunks.

Uses the shared Chromium fixture ``browser`` and the built sites of conftest.py.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import open_page

from playbook import search as search_index
from playbook.pipeline import build

from conftest import serving


@pytest.fixture(params=["http", "file"])
def sample_base(request: pytest.FixtureRequest, sample_build: Path) -> str:
    """The sample site's base URL, served over HTTP or opened from disk."""
    if request.param == "http":
        return str(request.getfixturevalue("sample_site"))
    return sample_build.as_uri() + "/"


def search(page: Any, query: str) -> list[str]:
    """Type ``query`` into the header's search box; the titles of the results, once shown.

    The status line names the query its results are for, so this waits for this query's.
    """
    page.get_by_role("searchbox", name="Search").fill(query)
    page.locator("[data-search-status]").filter(has_text=f"\u201c{query.strip()}\u201d").wait_for()
    return page.locator("[data-search-results] .result-title").all_inner_texts()


def test_a_buyers_surname_finds_the_deal_and_the_keyboard_reaches_its_buyers(
    browser: Any, sample_base: str
) -> None:
    page, errors = open_page(browser, sample_base + "method/index.html")
    assert search(page, "halvorsen") == ["Lab results analytics starter"]
    assert (
        page.locator("[data-search-status]").inner_text() == "1 result for \u201chalvorsen\u201d."
    )
    assert page.locator(".result-detail").inner_text() == (
        "Halden Biosciences · qualify · Emma Foster · matches buyer"
    )
    page.keyboard.press("ArrowDown")
    assert page.locator(":focus").inner_text().startswith("Lab results analytics starter")
    page.keyboard.press("Enter")
    page.wait_for_url("**/deals/halden-lab-analytics/index.html#buyers")
    assert page.locator("h1").inner_text() == "Lab results analytics starter"
    assert errors == []
    page.close()


def test_a_competitor_finds_the_deal_and_a_click_opens_its_competition(
    browser: Any, sample_base: str
) -> None:
    page, errors = open_page(browser, sample_base + "index.html")
    assert search(page, "Trackw") == ["Fleet telematics for 600 vans"]  # a prefix is enough
    assert page.locator(".result-detail").inner_text().endswith("matches competitor")
    page.get_by_role("link", name="Fleet telematics for 600 vans").first.click()
    page.wait_for_url("**/deals/kestrel-fleet-telematics/index.html#competition")
    assert errors == []
    page.close()


def test_a_word_of_a_method_page_finds_that_page(browser: Any, sample_base: str) -> None:
    page, errors = open_page(browser, sample_base + "deals/acme-data-platform/index.html")
    assert search(page, "veto") == ["Buyer roles"]
    assert page.locator(".result-detail").inner_text().endswith("matches text")
    page.get_by_role("searchbox", name="Search").press("Enter")  # Enter opens the first result
    page.wait_for_url("**/method/buyer-roles/index.html")
    assert errors == []
    page.close()


def test_every_word_must_match_and_the_status_says_how_many(browser: Any, sample_site: str) -> None:
    page, errors = open_page(browser, sample_site + "index.html")
    both = search(page, "renewal")
    assert "Data platform renewal" in both and "CRM renewal with service module" in both
    # The deal names both words in its title and customer; the method page's example in its text.
    assert search(page, "renewal acme") == ["Data platform renewal", "Writing a deal file"]
    assert search(page, "renewal zzzz") == []
    status = page.locator("[data-search-status]")
    assert status.inner_text() == "No results for \u201crenewal zzzz\u201d."
    assert page.locator("[data-search-results]").is_hidden()
    assert errors == []
    page.close()


def test_escape_clears_the_search_and_arrow_keys_move_through_the_results(
    browser: Any, sample_site: str
) -> None:
    page, _ = open_page(browser, sample_site + "index.html")
    titles = search(page, "coach")
    assert len(titles) > 2
    box = page.get_by_role("searchbox", name="Search")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator(":focus").locator(".result-title").inner_text() == titles[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert box.evaluate("el => el === document.activeElement")
    page.keyboard.press("Escape")
    assert box.input_value() == ""
    assert page.locator("[data-search-results]").is_hidden()
    assert page.locator("[data-search-status]").inner_text() == ""
    page.close()


def test_a_query_loads_only_the_index_files_it_needs(browser: Any, sample_site: str) -> None:
    page, _ = open_page(browser, sample_site + "index.html")
    loaded: list[str] = []
    page.on(
        "request",
        lambda r: loaded.append(r.url.split("/search/")[-1]) if "/search/" in r.url else None,
    )
    search(page, "halvorsen")
    assert sorted(loaded) == ["docs-0.js", "shards.js", "terms-h-0.js"]
    page.close()


def test_a_word_whose_shard_is_empty_loads_its_empty_file_and_finds_nothing(
    browser: Any, sample_base: str, sample_build: Path
) -> None:
    empty = (sample_build / "search" / "terms-x-0.js").read_text(encoding="utf-8")
    assert empty.endswith('["x-0"]={};\n')  # no word of the sample starts with x
    page, errors = open_page(browser, sample_base + "index.html")
    assert search(page, "xylophone") == []
    assert (
        page.locator("[data-search-status]").inner_text() == "No results for \u201cxylophone\u201d."
    )
    assert errors == []
    page.close()


def test_without_scripts_the_search_form_stays_hidden(browser: Any, sample_build: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((sample_build / "index.html").as_uri())
    assert page.locator("form[data-search]").count() == 1
    assert not page.locator("form[data-search]").is_visible()
    context.close()


def plain(text: str) -> str:
    """Without accents, as a person without the right keyboard types: 'Zoë' → 'Zoe'."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def test_a_buyer_of_the_generated_playbook_is_found_by_name_and_customer(
    browser: Any, generated_site: str, generated_build: Path
) -> None:
    deals = json.loads((generated_build / "deals.json").read_text(encoding="utf-8"))["deals"]
    deal = next(
        d for d in deals if any(plain(b["name"]) != b["name"] for b in d["fields"]["buyers"])
    )
    buyer = next(b["name"] for b in deal["fields"]["buyers"] if plain(b["name"]) != b["name"])
    customer = deal["fields"]["customer"].split()[0]
    page, errors = open_page(browser, generated_site + "index.html")
    titles = search(page, f"{plain(buyer)} {customer}")
    assert deal["fields"]["title"] in titles
    link = page.locator("[data-search-results] a", has_text=deal["fields"]["title"]).first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{deal['url']}*")
    assert page.locator("h1").inner_text().startswith(deal["fields"]["title"])
    assert page.get_by_role("row", name=buyer).count() >= 1  # the buyer is on the page
    assert errors == []
    page.close()


def test_a_query_matching_hundreds_of_deals_shows_the_first_twenty(
    browser: Any, generated_site: str
) -> None:
    page, errors = open_page(browser, generated_site + "stages/index.html")
    titles = search(page, "seats")  # every generated objective counts seats
    assert len(titles) == 20
    assert (
        page.locator("[data-search-status]").inner_text()
        == "The first 20 of 300 results for \u201cseats\u201d."
    )
    assert errors == []
    page.close()


# ----------------------------------------------------------------- an index of several chunks
CHUNK = 100  # 300 deals and 8 method pages: four chunks, the last of 8 documents


@pytest.fixture(scope="module")
def chunked_build(generated_playbook: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated playbook built in this process with ``CHUNK`` documents per chunk."""
    out = tmp_path_factory.mktemp("chunked") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_index, "CHUNK", CHUNK)
        build(generated_playbook, out, jobs=1, use_cache=False)
    return out


@pytest.fixture(scope="module")
def chunked_site(chunked_build: Path) -> Iterator[str]:
    with serving(chunked_build) as base:
        yield base


def chunk_of(site: Path) -> dict[str, int]:
    """Which chunk each page's document is in, read from the built ``docs-N.js`` files."""
    found = {}
    for path in (site / "search").glob("docs-*.js"):
        chunk = int(re.fullmatch(r"docs-(\d+)\.js", path.name)[1])  # type: ignore[index]
        table = json.loads(path.read_text(encoding="utf-8").split("=", 2)[2].rstrip(";\n"))
        found.update({folder + "index.html": chunk for folder, _, _ in table})
    return found


def test_the_chunked_build_has_four_chunks(chunked_build: Path) -> None:
    chunks = chunk_of(chunked_build)
    assert sorted(set(chunks.values())) == [0, 1, 2, 3]
    assert chunks["deals/deal-00101/index.html"] == 1
    assert chunks["method/red-flags/index.html"] == 3
    names = {path.name for path in (chunked_build / "search").iterdir()}
    assert {f"terms-{shard}-3.js" for shard in search_index.SHARDS} <= names
    assert "terms-a-4.js" not in names


@pytest.mark.parametrize("over", ["http", "file"])
def test_a_deal_in_the_third_chunk_is_found_by_its_buyer_and_opened(
    browser: Any, chunked_site: str, chunked_build: Path, generated_build: Path, over: str
) -> None:
    deals = json.loads((generated_build / "deals.json").read_text(encoding="utf-8"))["deals"]
    deal = deals[250]
    assert chunk_of(chunked_build)[deal["url"]] == 2
    buyer = deal["fields"]["buyers"][0]["name"]
    base = chunked_site if over == "http" else chunked_build.as_uri() + "/"
    page, errors = open_page(browser, base + "index.html")
    titles = search(page, f"{plain(buyer)} {deal['fields']['customer'].split()[0]}")
    assert deal["fields"]["title"] in titles
    page.locator("[data-search-results] a", has_text=deal["fields"]["title"]).first.click()
    page.wait_for_url(f"**/{deal['url']}*")
    assert page.locator("h1").inner_text().startswith(deal["fields"]["title"])
    assert errors == []
    page.close()


def test_a_query_loads_its_shards_words_from_every_chunk_and_the_chunks_it_shows(
    browser: Any, chunked_site: str, chunked_build: Path
) -> None:
    page, _ = open_page(browser, chunked_site + "index.html")
    loaded: list[str] = []
    page.on(
        "request",
        lambda r: loaded.append(r.url.split("/search/")[-1]) if "/search/" in r.url else None,
    )
    search(page, "fjord")
    links = page.locator("[data-search-results] a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    shown = {chunk_of(chunked_build)[href.split("#")[0]] for href in links}
    assert len(shown) > 1  # the results come from more than one chunk
    assert sorted(loaded) == sorted(
        ["shards.js", *(f"terms-f-{n}.js" for n in range(4)), *(f"docs-{n}.js" for n in shown)]
    )
    page.close()


@pytest.mark.parametrize("query", ["seats", "fjord", "ingrid", "smit renewal", "zoe", "xylophone"])
def test_chunks_change_nothing_of_what_a_query_finds_nor_its_order(
    browser: Any, chunked_site: str, generated_site: str, query: str
) -> None:
    found = []
    for base in (generated_site, chunked_site):  # one chunk, then four
        page, errors = open_page(browser, base + "index.html")
        titles = search(page, query)
        links = page.locator("[data-search-results] a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        found.append((titles, links, page.locator("[data-search-status]").inner_text()))
        assert errors == []
        page.close()
    assert found[0] == found[1]
    assert query == "xylophone" or found[0][0]  # the other queries do find something
