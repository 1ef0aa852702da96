"""The pipeline overview and the owner and tag pages: totals per stage and currency, weighted and
unweighted told apart, red flags per deal, filters that need no server, pages per owner and tag."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from playbook.slugs import ascii_slug, assign_slugs

from conftest import REPO, VALID_DEAL, run_playbook
from pages import Element
from pages import read_page as page


def deal(
    title: str,
    *,
    stage: str = "develop",
    owner: str = "Jan Peeters",
    value: float | None = 180000,
    currency: str = "EUR",
    tags: str = "[renewal]",
    chance: int | None = 65,
    draft: bool = False,
) -> str:
    """VALID_DEAL with other figures; ``chance=None`` leaves no alternative selected."""
    text = (
        VALID_DEAL.replace("title: Data platform renewal", f"title: {title}")
        .replace("stage: develop", f"stage: {stage}")
        .replace("owner: Jan Peeters", f"owner: {owner}")
        .replace("currency: EUR", f"currency: {currency}")
        .replace("tags: [renewal]", f"tags: {tags}" + ("\ndraft: true" if draft else ""))
    )
    text = text.replace("value: 180000\n", f"value: {value}\n" if value is not None else "")
    if chance is None:
        return text.replace("    selected: true\n", "")
    return text.replace("chance: 65", f"chance: {chance}")


PIPELINE = {
    "content/deals/acme.md": deal("Acme renewal"),
    "content/deals/beta.md": deal(
        "Beta roll-out", owner="Zoë Smit", value=50000, tags="[renewal, new-logo]", chance=None
    ),
    "content/deals/gamma.md": deal(
        "Gamma pilot", owner="Zoe Smit", value=20000, currency="USD", chance=50
    ),
    "content/deals/delta.md": deal("Delta metering", stage="won", value=400000, chance=80),
    "content/deals/eps.md": deal("Eps scoping", value=None, tags="[new-logo]"),
    "content/deals/zeta.md": deal("Zeta draft", owner="Nobody Yet", draft=True),
}


@pytest.fixture
def site(make_playbook: Callable[..., Path]) -> Path:
    root = make_playbook(PIPELINE)
    result = run_playbook("build", root)
    assert result.returncode == 0, result.stderr
    return root / "site"


EUR_BASIS = "1 by chance · 1 at full value · 1 without value"


def title(row: Element) -> str:
    """The deal a row of the deal list is about: its first link."""
    return row.find_all("a")[0].text()


def rows(table: Element, section: str = "tbody") -> list[list[str]]:
    return [
        [cell.text() for cell in row.find_all("th") + row.find_all("td")]
        for part in table.find_all(section)
        for row in part.find_all("tr")
    ]


# ----------------------------------------------------------------------------- totals


def test_totals_per_stage_and_currency_with_weighted_value(site: Path) -> None:
    table = page(site / "index.html").find("table", class_="stage-totals")
    assert rows(table) == [
        ["Prospect", "0", "", "", "", ""],
        ["Qualify", "0", "", "", "", ""],
        [
            "Develop",
            "3",
            "EUR",
            "230,000",
            "167,000",
            "1 by chance · 1 at full value · 1 without value",
        ],
        ["Develop", "1", "USD", "20,000", "10,000", "1 by chance"],
        ["Propose", "0", "", "", "", ""],
        ["Negotiate", "0", "", "", "", ""],
        ["Won", "1", "EUR", "400,000", "closed", "closed deals are not weighted"],
        ["Lost", "0", "", "", "", ""],
    ]
    assert rows(table, "tfoot") == [
        [
            "All open deals",
            "3",
            "EUR",
            "230,000",
            "167,000",
            "1 by chance · 1 at full value · 1 without value",
        ],
        ["All open deals", "1", "USD", "20,000", "10,000", "1 by chance"],
    ]


def test_each_deal_row_says_whether_its_value_is_weighted(site: Path) -> None:
    table = page(site / "index.html").find("table", id="deals")
    weighted = {
        title(row): row.find_all("td")[5].text() for row in table.find_all("tr", class_="deal-row")
    }
    assert weighted == {
        "Acme renewal": "EUR 117,000 (65%)",
        "Beta roll-out": "EUR 50,000 at full value",
        "Eps scoping": "—",
        "Gamma pilot": "USD 10,000 (50%)",
        "Delta metering": "—",
    }
    note = page(site / "index.html").find("p", class_="weighting-note").text()
    assert "counts at full value" in note
    assert "Won and lost deals are not weighted." in note


def test_every_deal_shows_its_red_flag_count_and_worst_severity(site: Path) -> None:
    table = page(site / "index.html").find("table", id="deals")
    flags = {
        title(row): (row.attrs["data-flags"], row.find("td", class_="flags-cell").text())
        for row in table.find_all("tr", class_="deal-row")
    }
    assert flags == {
        "Acme renewal": ("0", "none"),
        "Beta roll-out": ("0", "none"),
        "Eps scoping": ("0", "none"),
        "Gamma pilot": ("0", "none"),
        "Delta metering": ("0", "none"),
    }


def test_flag_counts_and_worst_severity_follow_the_deals(
    make_playbook: Callable[..., Path],
) -> None:
    no_coach = deal("No coach").replace("role: [technical, coach]", "role: technical")
    root = make_playbook(
        {
            "content/deals/a.md": no_coach,
            "content/deals/b.md": deal("No competition").replace(
                "competition:\n  - name: Cloud warehouse reseller\n    kind: competitor\n"
                "    standing: front-runner\n",
                "",
            ),
        }
    )
    assert run_playbook("build", root).returncode == 0
    table = page(root / "site" / "index.html").find("table", id="deals")
    cells = [
        (title(row), row.find("td", class_="flags-cell").text())
        for row in table.find_all("tr", class_="deal-row")
    ]
    assert cells == [("No coach", "1 · worst ● high"), ("No competition", "1 · worst ○ low")]
    legend = page(root / "site" / "index.html").find("p", class_="legend").text()
    assert legend == "Severity: ● high · ◐ medium · ○ low"


# ----------------------------------------------------------------------------- deal list, filters


def test_deal_list_is_complete_without_scripts_grouped_by_stage(site: Path) -> None:
    doc = page(site / "index.html")
    table = doc.find("table", id="deals")
    groups = [
        (body.attrs["id"], [title(row) for row in body.find_all("tr", class_="deal-row")])
        for body in table.find_all("tbody")
    ]
    assert groups == [
        ("stage-develop", ["Acme renewal", "Beta roll-out", "Eps scoping", "Gamma pilot"]),
        ("stage-won", ["Delta metering"]),
    ]
    assert not any("hidden" in row.attrs for row in table.find_all("tr"))
    assert "Zeta draft" not in doc.text()


def test_rows_carry_the_slugs_the_filters_match_on(site: Path) -> None:
    table = page(site / "index.html").find("table", id="deals")
    data = [
        (title(r), r.attrs["data-stage"], r.attrs["data-owner"], r.attrs["data-tags"])
        for r in table.find_all("tr", class_="deal-row")
    ]
    assert data == [
        ("Acme renewal", "develop", "jan-peeters", "renewal"),
        ("Beta roll-out", "develop", "zoe-smit-2", "renewal new-logo"),
        ("Eps scoping", "develop", "jan-peeters", "new-logo"),
        ("Gamma pilot", "develop", "zoe-smit", "renewal"),
        ("Delta metering", "won", "jan-peeters", "renewal"),
    ]


def test_rows_carry_the_figures_the_script_recounts_the_totals_from(site: Path) -> None:
    table = page(site / "index.html").find("table", id="deals")
    data = [
        (title(row), *(row.attrs.get(f"data-{name}") for name in FIGURES))
        for row in table.find_all("tr", class_="deal-row")
    ]
    assert data == [
        ("Acme renewal", "EUR", "180000", "117000.0", ""),
        ("Beta roll-out", "EUR", "50000", None, ""),  # no chance: counted at full value
        ("Eps scoping", "EUR", None, None, ""),
        ("Gamma pilot", "USD", "20000", "10000.0", ""),
        ("Delta metering", "EUR", "400000", "320000.0", None),  # won: not open
    ]


FIGURES = ("currency", "value", "weighted", "open")


def test_open_totals_are_added_in_the_order_of_the_deal_table(
    make_playbook: Callable[..., Path],
) -> None:
    # In the order of the files, 2.427 + 1.344 + 8.474 is 12.245000000000001 (12.25); in the
    # order of the table (stage, then file) it is 12.245 (12.24), as the overview's script adds.
    root = make_playbook(
        {
            "content/deals/a.md": deal("Late", stage="negotiate", value=2.427, chance=None),
            "content/deals/b.md": deal("Early", value=1.344, chance=None),
            "content/deals/c.md": deal("Early too", value=8.474, chance=None),
        }
    )
    assert run_playbook("build", root).returncode == 0
    for path in ("index.html", "owners/jan-peeters/index.html", "tags/renewal/index.html"):
        totals = page(root / "site" / path).find("table", class_="stage-totals")
        assert rows(totals, "tfoot") == [
            ["All open deals", "3", "EUR", "12.24", "12.24", "3 at full value"]
        ], path


def test_filter_form_lists_stages_owners_and_tags_and_is_hidden_without_script(
    site: Path,
) -> None:
    doc = page(site / "index.html")
    form = doc.find("form", id="filters")
    assert "hidden" in form.attrs
    options = {
        select.attrs["name"]: [(o.attrs["value"], o.text()) for o in select.find_all("option")]
        for select in form.find_all("select")
    }
    assert options == {
        "stage": [("", "all stages"), ("develop", "develop"), ("won", "won")],
        "owner": [
            ("", "all owners"),
            ("jan-peeters", "Jan Peeters"),
            ("zoe-smit", "Zoe Smit"),
            ("zoe-smit-2", "Zoë Smit"),
        ],
        "tag": [("", "all tags"), ("new-logo", "new-logo"), ("renewal", "renewal")],
    }
    assert form.attrs["data-total"] == "5"
    assert form.find("p", class_="note").text() == (
        "Filters narrow the list below and recount the totals above for the deals shown. The "
        "page's address keeps them: bookmark or share it to come back to the same view."
    )


def test_filter_script_is_our_own_loaded_relatively_and_deferred(site: Path) -> None:
    search, script = page(site / "index.html").find("head").find_all("script")
    assert search.attrs["src"] == "static/search.js"  # on every page, for the header's search
    assert script.attrs["src"] == "static/filters.js"
    assert "defer" in script.attrs and "defer" in search.attrs
    assert script.children == []
    built = (site / "static" / "filters.js").read_text(encoding="utf-8")
    assert built == (REPO / "templates" / "static" / "filters.js").read_text(encoding="utf-8")
    # What the script looks for is what the page has.
    for needle in (
        'getElementById("filters")',
        'getElementById("deals")',
        "tbody.stage-rows",
        "tr.deal-row",
        '"data-stage"',
        '"data-owner"',
        '"data-tags"',
        '"data-currency"',
        '"data-value"',
        '"data-weighted"',
        '"data-open"',
        "table.stage-totals",
        ".filter-status",
    ):
        assert needle in built
    assert "import " not in built and "require(" not in built
    # Only the overview needs it.
    scripts = page(site / "deals" / "acme" / "index.html").find("head").find_all("script")
    assert [s.attrs["src"] for s in scripts] == ["../../static/search.js"]


# ----------------------------------------------------------------------------- owner and tag pages


def listed(path: Path) -> list[str]:
    table = page(path).find("table", id="deals")
    return [title(row) for row in table.find_all("tr", class_="deal-row")]


def test_owner_pages_list_that_owners_deals(site: Path) -> None:
    assert listed(site / "owners" / "jan-peeters" / "index.html") == [
        "Acme renewal",
        "Eps scoping",
        "Delta metering",
    ]
    assert listed(site / "owners" / "zoe-smit" / "index.html") == ["Gamma pilot"]
    assert listed(site / "owners" / "zoe-smit-2" / "index.html") == ["Beta roll-out"]
    assert not (site / "owners" / "nobody-yet").exists()  # drafts are left out
    doc = page(site / "owners" / "zoe-smit-2" / "index.html")
    assert doc.find("h1").text() == "Deals of Zoë Smit"
    assert rows(doc.find("table", class_="stage-totals"), "tfoot") == [
        ["All open deals", "1", "EUR", "50,000", "50,000", "1 at full value"]
    ]


def test_tag_pages_list_the_deals_with_that_tag(site: Path) -> None:
    assert listed(site / "tags" / "new-logo" / "index.html") == ["Beta roll-out", "Eps scoping"]
    assert listed(site / "tags" / "renewal" / "index.html") == [
        "Acme renewal",
        "Beta roll-out",
        "Gamma pilot",
        "Delta metering",
    ]
    assert (
        page(site / "tags" / "renewal" / "index.html").find("h1").text() == "Deals tagged renewal"
    )


def test_owner_and_tag_indexes_link_every_page_with_counts(site: Path) -> None:
    owners = page(site / "owners" / "index.html").find("table", class_="groups")
    assert rows(owners) == [
        ["Jan Peeters", "3", "2", "0", "EUR 180,000"],
        ["Zoe Smit", "1", "1", "0", "USD 20,000"],
        ["Zoë Smit", "1", "1", "0", "EUR 50,000"],
    ]
    links = [a.attrs["href"] for a in owners.find_all("a")]
    assert links == [
        "../owners/jan-peeters/index.html",
        "../owners/zoe-smit/index.html",
        "../owners/zoe-smit-2/index.html",
    ]
    tags = page(site / "tags" / "index.html").find("table", class_="groups")
    assert [r[0] for r in rows(tags)] == ["new-logo", "renewal"]


def test_overview_links_to_owner_and_tag_pages(site: Path) -> None:
    doc = page(site / "index.html")
    lede = [a.attrs["href"] for a in doc.find("p", class_="lede").find_all("a")]
    assert lede == ["owners/index.html", "tags/index.html", "deals.json"]
    row = doc.find("table", id="deals").find_all("tr", class_="deal-row")[1]
    assert [a.attrs["href"] for a in row.find_all("a")] == [
        "deals/beta/index.html",
        "owners/zoe-smit-2/index.html",
        "tags/renewal/index.html",
        "tags/new-logo/index.html",
    ]


# ----------------------------------------------------------------------------- slugs


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Zoë Smit", "zoe-smit"),
        ("Jan  Peeters", "jan-peeters"),
        ("  R&D / C++ ", "r-d-c"),
        ("Ølaf Straße", "olaf-strasse"),
        ("new-logo", "new-logo"),
        ("2027 Q1", "2027-q1"),
    ],
)
def test_ascii_slug(name: str, slug: str) -> None:
    assert ascii_slug(name) == slug


def test_a_name_without_latin_letters_gets_a_stable_hashed_slug() -> None:
    assert ascii_slug("東京") == ascii_slug("東京")
    assert ascii_slug("東京").startswith("n-")
    assert len(ascii_slug("東京")) == 10
    assert ascii_slug("東京") != ascii_slug("大阪")


def test_colliding_names_get_numbered_slugs_whatever_their_order() -> None:
    names = ["Zoë Smit", "zoe smit", "Zoe Smit"]
    expected = {"Zoe Smit": "zoe-smit", "Zoë Smit": "zoe-smit-2", "zoe smit": "zoe-smit-3"}
    assert assign_slugs(names) == expected
    assert assign_slugs(reversed(names)) == expected
    assert assign_slugs(["a", "a", "A"]) == {"A": "a", "a": "a-2"}
