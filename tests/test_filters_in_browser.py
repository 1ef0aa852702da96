"""The overview's filters in a real browser: the totals recounted for the deals shown, to the cent,
and the filters kept in the page's address.

The oracle for a recount is the build itself: filtered by owner or tag, the overview's totals must
be those of that owner's or tag's own page, which the build computed over the same deals. The
figures of the playbook below are chosen to catch a script that adds or rounds differently from
Python: ties at the half cent, fractions that do not add exactly as doubles, whole numbers past
2**53, an integral float, a weighted value past the largest double, deals without a value or
without a chance, closed stages, five currencies. Uses the shared ``browser`` fixture of
conftest.py (skipped locally without Chromium, a failure in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import open_page

from conftest import VALID_DEAL, run_playbook, serving, write_files


def deal(
    title: str,
    stage: str,
    owner: str,
    tags: str,
    value: str | None,
    currency: str = "EUR",
    chance: int | None = 65,
) -> str:
    """VALID_DEAL with other figures; ``chance=None`` leaves no alternative selected."""
    text = (
        VALID_DEAL.replace("title: Data platform renewal", f"title: {title}")
        .replace("stage: develop", f"stage: {stage}")
        .replace("owner: Jan Peeters", f"owner: {owner}")
        .replace("currency: EUR", f"currency: {currency}")
        .replace("tags: [renewal]", f"tags: {tags}")
        .replace("value: 180000\n", f"value: {value}\n" if value is not None else "")
    )
    if chance is None:
        return text.replace("    selected: true\n", "")
    return text.replace("chance: 65", f"chance: {chance}")


DEALS = {
    "a": deal("Alpha renewal", "develop", "Ana Lopez", "[emea, every]", "180000"),
    "b": deal("Bravo add-on", "develop", "Ana Lopez", "[emea, every]", "0.125", chance=None),
    "c": deal("Charlie pilot", "develop", "Ben Okafor", "[apac, every]", "12345.5", chance=33),
    "d": deal(
        "Delta platform", "propose", "Ben Okafor", "[emea, every]", str(2**53 + 1), chance=50
    ),
    "e": deal("Echo metering", "won", "Chen Wu", "[apac, every]", "0.625", "USD", chance=80),
    "f": deal("Foxtrot scoping", "negotiate", "Chen Wu", "[emea, every]", None, "USD"),
    "g": deal("Golf seats", "develop", "Chen Wu", "[every]", "0.1", "USD", chance=None),
    "h": deal("Hotel seats", "develop", "Chen Wu", "[apac, every]", "0.2", "USD", chance=100),
    "i": deal("India seats", "develop", "Ana Lopez", "[apac, every]", "1.25", "USD", chance=50),
    "j": deal("Juliet support", "lost", "Ana Lopez", "[apac, every]", "40000.5", "GBP"),
    "k": deal("Kilo licences", "propose", "Ana Lopez", "[emea, every]", "2.0", chance=None),
    "l": deal("Lima data", "propose", "Ben Okafor", "[apac, every]", "1.0e+16", "GBP", chance=10),
    # Added in the order of the deal table (stage, then file), 1.344 + 8.474 + 2.427 is 12.245
    # as a double, 12.24; in the order of the files it is 12.245000000000001, 12.25.
    "m": deal("Mike tender", "negotiate", "Dora Diaz", "[every]", "2.427", "CHF", chance=None),
    "n": deal("November seats", "develop", "Dora Diaz", "[every]", "1.344", "CHF", chance=None),
    "o": deal("Oscar seats", "develop", "Dora Diaz", "[every]", "8.474", "CHF", chance=None),
    # Weighted, 65% of it is past the largest double: Python writes "inf".
    "p": deal("Papa estate", "develop", "Ben Okafor", "[every]", "1.7e+308", "JPY"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("filters")
    files: dict[str, str | bytes] = {
        f"content/deals/{name}.md": text for name, text in DEALS.items()
    }
    write_files(root, {"playbook.toml": 'title = "Filters"\nas_of = 2026-11-15\n', **files})
    result = run_playbook("build", root, "--out", root / "site")
    assert result.returncode == 0, result.stderr
    return root / "site"


COUNT = len(DEALS)

# Each row of the totals table (body and foot) as the browser has it: where it is, its data-*
# and the exact markup of each cell.
TOTALS = """() => Array.from(
    document.querySelectorAll("table.stage-totals > tbody > tr, table.stage-totals > tfoot > tr"),
    row => [row.parentElement.tagName, row.getAttribute("data-stage"),
            row.getAttribute("data-currency"), Array.from(row.cells, cell => cell.outerHTML)])"""

# 1.7e308 has 309 digits as a whole number, every one written.
HUGE = f"{int(1.7e308):,}"

# The build's figures for the whole pipeline, as text.
WHOLE_PIPELINE = [
    ["Prospect", "0", "", "", "", ""],
    ["Qualify", "0", "", "", "", ""],
    ["Develop", "2", "CHF", "9.82", "9.82", "2 at full value"],
    ["Develop", "3", "EUR", "192,345.62", "121,074.14", "2 by chance · 1 at full value"],
    ["Develop", "1", "JPY", HUGE, "inf", "1 by chance"],
    ["Develop", "3", "USD", "1.55", "0.93", "2 by chance · 1 at full value"],
    [
        "Propose",
        "2",
        "EUR",
        "9,007,199,254,740,994",
        "4,503,599,627,370,498",
        "1 by chance · 1 at full value",
    ],
    ["Propose", "1", "GBP", "10,000,000,000,000,000", "1,000,000,000,000,000", "1 by chance"],
    ["Negotiate", "1", "CHF", "2.43", "2.43", "1 at full value"],
    ["Negotiate", "1", "USD", "0", "0", "1 without value"],
    ["Won", "1", "USD", "0.62", "closed", "closed deals are not weighted"],
    ["Lost", "1", "GBP", "40,000.50", "closed", "closed deals are not weighted"],
    ["All open deals", "3", "CHF", "12.24", "12.24", "3 at full value"],
    [
        "All open deals",
        "5",
        "EUR",
        "9,007,199,254,933,340",
        "4,503,599,627,491,572",
        "3 by chance · 2 at full value",
    ],
    [
        "All open deals",
        "1",
        "GBP",
        "10,000,000,000,000,000",
        "1,000,000,000,000,000",
        "1 by chance",
    ],
    ["All open deals", "1", "JPY", HUGE, "inf", "1 by chance"],
    [
        "All open deals",
        "4",
        "USD",
        "1.55",
        "0.93",
        "2 by chance · 1 at full value · 1 without value",
    ],
]


def totals_text(page: Any) -> list[list[str]]:
    rows = page.locator("table.stage-totals > tbody > tr, table.stage-totals > tfoot > tr")
    return [row.locator("th, td").all_inner_texts() for row in rows.all()]


def visible_deals(page: Any) -> list[str]:
    return page.locator("tr.deal-row:visible td:nth-child(2) a").all_inner_texts()


def chosen(page: Any) -> dict[str, str]:
    return {name: page.locator(f"select[name={name}]").input_value() for name in FILTERS}


FILTERS = ("stage", "owner", "tag")
CAPTION = "Deals and value per stage"


@pytest.fixture(scope="module")
def without_scripts(browser: Any) -> Iterator[Any]:
    context = browser.new_context(java_script_enabled=False)
    yield context
    context.close()


def built_totals(context: Any, path: Path) -> list[Any]:
    """The totals of a page as the build wrote them (no script runs)."""
    page = context.new_page()
    page.goto(path.as_uri())
    rows = page.evaluate(TOTALS)
    page.close()
    return rows


# ----------------------------------------------------------------------------- from the address


def test_an_address_with_filters_shows_those_deals_with_their_totals(
    browser: Any, built: Path
) -> None:
    # "proposal" is no stage of this playbook: ignored, and dropped from the address.
    url = (built / "index.html").as_uri() + "?stage=proposal&owner=ana-lopez&tag=emea"
    page, errors = open_page(browser, url)
    assert chosen(page) == {"stage": "", "owner": "ana-lopez", "tag": "emea"}
    assert page.url == (built / "index.html").as_uri() + "?owner=ana-lopez&tag=emea"
    assert visible_deals(page) == ["Alpha renewal", "Bravo add-on", "Kilo licences"]
    assert page.locator(".filter-status").inner_text() == f"Showing 3 of {COUNT} deals."
    assert page.locator("table.stage-totals caption").inner_text() == (
        f"{CAPTION}, for the deals shown"
    )
    assert totals_text(page) == [
        ["Prospect", "0", "", "", "", ""],
        ["Qualify", "0", "", "", "", ""],
        # 180000 + 0.125 is a tie at the half cent: Python rounds it to the even cent.
        ["Develop", "2", "EUR", "180,000.12", "117,000.12", "1 by chance · 1 at full value"],
        ["Propose", "1", "EUR", "2", "2", "1 at full value"],
        ["Negotiate", "0", "", "", "", ""],
        ["Won", "0", "", "", "", ""],
        ["Lost", "0", "", "", "", ""],
        ["All open deals", "3", "EUR", "180,002.12", "117,002.12", "1 by chance · 2 at full value"],
    ]
    # A stage without a deal shown links to no list, as in the build.
    assert page.locator("table.stage-totals a").all_inner_texts() == ["Develop", "Propose"]
    assert errors == []
    page.close()


@pytest.mark.parametrize(
    ("name", "value", "oracle"),
    [
        ("owner", "ana-lopez", "owners/ana-lopez/index.html"),
        ("owner", "ben-okafor", "owners/ben-okafor/index.html"),
        ("owner", "chen-wu", "owners/chen-wu/index.html"),
        ("owner", "dora-diaz", "owners/dora-diaz/index.html"),
        ("tag", "apac", "tags/apac/index.html"),
        ("tag", "emea", "tags/emea/index.html"),
        ("tag", "every", "index.html"),  # every deal: the recount must equal the build's totals
    ],
)
def test_recounted_totals_equal_the_build_s_for_the_same_deals(
    browser: Any, without_scripts: Any, built: Path, name: str, value: str, oracle: str
) -> None:
    page, errors = open_page(browser, (built / "index.html").as_uri() + f"?{name}={value}")
    assert page.evaluate(TOTALS) == built_totals(without_scripts, built / oracle)
    assert errors == []
    page.close()


@pytest.mark.parametrize("stage", ["develop", "propose", "won"])
def test_totals_filtered_by_stage_equal_the_stage_page_s(
    browser: Any, without_scripts: Any, built: Path, stage: str
) -> None:
    page, errors = open_page(browser, (built / "index.html").as_uri() + f"?stage={stage}")
    rows = page.evaluate(TOTALS)
    expected = built_totals(without_scripts, built / "stages" / stage / "index.html")
    assert [row for row in rows if row[1] == stage or row[0] == "TFOOT"] == expected
    others = [row[3] for row in rows if row[1] not in (stage, None)]
    assert others and all(
        cells[1:] == ['<td class="num">0</td>'] + ["<td></td>"] * 4 for cells in others
    )
    assert errors == []
    page.close()


# ----------------------------------------------------------------------------- the address


def test_changing_a_filter_keeps_it_in_the_address_through_reload_and_back(
    browser: Any, built: Path
) -> None:
    with serving(built) as base:
        page, errors = open_page(browser, base + "index.html?ref=mail#deal-list-title")
        entries = page.evaluate("history.length")
        page.select_option("select[name=owner]", "chen-wu")
        assert page.url == base + "index.html?ref=mail&owner=chen-wu#deal-list-title"
        page.select_option("select[name=stage]", "develop")
        assert page.url == base + "index.html?ref=mail&stage=develop&owner=chen-wu#deal-list-title"
        assert page.evaluate("history.length") == entries  # replaced, not pushed

        page.reload()
        assert chosen(page) == {"stage": "develop", "owner": "chen-wu", "tag": ""}
        assert visible_deals(page) == ["Golf seats", "Hotel seats"]
        # 0.1 + 0.2 is 0.30000000000000004 as doubles, in Python as in the browser.
        develop = ["Develop", "2", "USD", "0.30", "0.30", "1 by chance · 1 at full value"]
        assert totals_text(page)[2] == develop

        page.click("text=Golf seats")
        page.wait_for_url(base + "deals/g/index.html")
        page.go_back()
        page.wait_for_load_state("load")
        assert page.url == base + "index.html?ref=mail&stage=develop&owner=chen-wu#deal-list-title"
        assert chosen(page) == {"stage": "develop", "owner": "chen-wu", "tag": ""}
        assert visible_deals(page) == ["Golf seats", "Hotel seats"]

        page.select_option("select[name=stage]", "")
        assert page.url == base + "index.html?ref=mail&owner=chen-wu#deal-list-title"
        assert errors == []
        page.close()


def test_show_all_restores_the_build_s_totals_and_a_bare_address(
    browser: Any, without_scripts: Any, built: Path
) -> None:
    index = built / "index.html"
    page, errors = open_page(browser, index.as_uri() + "?tag=apac")
    assert page.evaluate(TOTALS) != built_totals(without_scripts, index)
    page.click("button[type=reset]")
    page.wait_for_function("!location.search")
    assert page.url == index.as_uri()
    assert page.evaluate(TOTALS) == built_totals(without_scripts, index)
    assert totals_text(page) == WHOLE_PIPELINE
    assert page.locator("table.stage-totals caption").inner_text() == CAPTION
    assert page.locator(".filter-status").inner_text() == f"Showing all {COUNT} deals."
    assert len(visible_deals(page)) == COUNT
    assert errors == []
    page.close()


def test_without_scripts_the_totals_are_the_whole_pipeline_s(
    without_scripts: Any, built: Path
) -> None:
    page = without_scripts.new_page()
    page.goto((built / "index.html").as_uri() + "?owner=ana-lopez&tag=emea")
    assert totals_text(page) == WHOLE_PIPELINE
    assert page.locator("table.stage-totals caption").inner_text() == CAPTION
    assert len(visible_deals(page)) == COUNT
    assert not page.locator("#filters").is_visible()
    page.close()
