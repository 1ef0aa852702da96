"""Finding your way: the header of every page, breadcrumbs, stage pages and the red-flags page.

End to end: build a real playbook folder and read the HTML (the same pages in a browser:
test_browser.py).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import METHOD_PAGE, VALID_DEAL, run_playbook
from pages import Element, read_page

BARE = """\
---
title: Bare deal
customer: Zoë Bakery
owner: Zoë Smit
stage: qualify
objective: Sell bread ovens
---
"""

RED_FLAGS_PAGE = """\
---
title: Red flags
order: 2
---

## No coach

Find one.
"""

SETTINGS = (
    'title = "Test playbook"\nas_of = 2026-11-15\n[red_flags]\ndisable = ["no-competition"]\n'
)


@pytest.fixture
def site(make_playbook: Callable[..., Path]) -> Path:
    root = make_playbook(
        {
            "playbook.toml": SETTINGS,
            "content/deals/acme.md": VALID_DEAL,
            "content/deals/bare.md": BARE,
            "content/method/red-flags.md": RED_FLAGS_PAGE,
        }
    )
    result = run_playbook("build", root)
    assert result.returncode == 0, result.stderr
    return root / "site"


def pages_of(site: Path) -> dict[str, Element]:
    return {p.relative_to(site).as_posix(): read_page(p) for p in sorted(site.rglob("*.html"))}


def resolve(page: str, href: str) -> str:
    path = href.split("#")[0]
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), path))


HEADER = ["Pipeline", "Stages", "Owners", "Tags", "Red flags", "Method"]
TARGETS = [
    "index.html",
    "stages/index.html",
    "owners/index.html",
    "tags/index.html",
    "red-flags/index.html",
    "method/index.html",
]


def test_every_page_has_the_header_with_its_links_and_the_search_form(site: Path) -> None:
    pages = pages_of(site)
    assert len(pages) == 21
    for name, page in pages.items():
        nav = page.find("header", class_="site-header").find("nav")
        assert nav.attrs["aria-label"] == "Site"
        links = nav.find_all("a")
        assert [a.text() for a in links] == HEADER, name
        assert [resolve(name, a.attrs["href"]) for a in links] == TARGETS, name
        form = page.find("form", role="search")
        assert "hidden" in form.attrs  # shown by search.js; useless without it
        assert form.attrs["data-root"] == "../" * name.count("/")
        box = form.find("input", type="search")
        assert form.find("label").attrs["for"] == box.attrs["id"] == "search-input"
        assert form.find("p", role="status").attrs["aria-live"] == "polite"


@pytest.mark.parametrize(
    ("name", "current"),
    [
        ("index.html", {"Pipeline": "page"}),
        ("deals/acme/index.html", {"Pipeline": "true"}),
        ("stages/index.html", {"Stages": "page"}),
        ("stages/qualify/index.html", {"Stages": "true"}),
        ("owners/zoe-smit/index.html", {"Owners": "true"}),
        ("tags/index.html", {"Tags": "page"}),
        ("red-flags/index.html", {"Red flags": "page"}),
        ("method/buyer-roles/index.html", {"Method": "true"}),
        ("404.html", {}),
    ],
)
def test_the_header_marks_where_you_are(site: Path, name: str, current: dict[str, str]) -> None:
    nav = read_page(site / name).find("header", class_="site-header").find("nav")
    marked = {
        a.text(): a.attrs["aria-current"] for a in nav.find_all("a") if "aria-current" in a.attrs
    }
    assert marked == current


def breadcrumbs(site: Path, name: str) -> list[tuple[str, str | None]]:
    trail = read_page(site / name).find("nav", class_="breadcrumbs")
    return [
        (li.text(), resolve(name, li.find("a").attrs["href"]) if li.find_all("a") else None)
        for li in trail.find_all("li")
    ]


def test_breadcrumbs_lead_back_from_deal_method_stage_and_red_flag_pages(site: Path) -> None:
    assert breadcrumbs(site, "deals/acme/index.html") == [
        ("Pipeline", "index.html"),
        ("Develop", "stages/develop/index.html"),
        ("Data platform renewal", None),
    ]
    assert breadcrumbs(site, "method/red-flags/index.html") == [
        ("Pipeline", "index.html"),
        ("Method", "method/index.html"),
        ("Red flags", None),
    ]
    assert breadcrumbs(site, "stages/qualify/index.html") == [
        ("Pipeline", "index.html"),
        ("Stages", "stages/index.html"),
        ("Qualify", None),
    ]
    assert breadcrumbs(site, "red-flags/index.html") == [
        ("Pipeline", "index.html"),
        ("Red flags", None),
    ]


def test_method_pages_link_to_the_previous_and_next_one(site: Path) -> None:
    first = read_page(site / "method" / "buyer-roles" / "index.html").find("nav", class_="pager")
    second = read_page(site / "method" / "red-flags" / "index.html").find("nav", class_="pager")
    assert [(a.attrs["rel"], a.text()) for a in first.find_all("a")] == [("next", "Red flags →")]
    assert [(a.attrs["rel"], a.text()) for a in second.find_all("a")] == [("prev", "← Buyer roles")]


def test_stages_list_every_stage_in_the_playbooks_order(site: Path) -> None:
    index = read_page(site / "stages" / "index.html")
    assert index.find("h1").text() == "Stages"
    assert index.find("table", class_="groups").rows() == [
        ["Prospect", "0", "0", "0", ""],
        ["Qualify", "1", "1", "4", "EUR 0"],  # a deal without a value
        ["Develop", "1", "1", "0", "EUR 180,000"],
        ["Propose", "0", "0", "0", ""],
        ["Negotiate", "0", "0", "0", ""],
        ["Won", "0", "0", "0", ""],
        ["Lost", "0", "0", "0", ""],
    ]
    develop = read_page(site / "stages" / "develop" / "index.html")
    assert develop.find("h1").text() == "Stage: Develop"
    rows = develop.find("table", id="deals").find_all("tr", class_="deal-row")
    assert [row.find("a").text() for row in rows] == ["Data platform renewal"]
    assert develop.find("table", class_="stage-totals").rows() == [
        ["Develop", "1", "EUR", "180,000", "117,000", "1 by chance"]
    ]
    empty = read_page(site / "stages" / "won" / "index.html")
    assert empty.find("p", class_="empty").text() == "No deals in this stage."
    assert empty.find_all("table") == []


def test_red_flags_page_lists_every_rule_in_order_with_the_deals_it_fires_on(site: Path) -> None:
    from playbook.analysis import RULES

    page = read_page(site / "red-flags" / "index.html")
    assert page.find("p", class_="lede").text() == (
        "4 red flags on 1 of 2 deals as of 2026-11-15, by the rule that raises them. "
        "Each rule links to the part of the method that says how to fix it."
    )
    sections = page.find_all("section", class_="rule")
    assert [s.attrs["id"] for s in sections] == [f"rule-{rule.id}" for rule in RULES]
    by_id = {s.attrs["id"].removeprefix("rule-"): s for s in sections}
    no_coach = by_id["no-coach"]
    assert no_coach.find("h2").text() == "No coach (1 deal)"
    assert no_coach.find("p", class_="rule-about").text() == "● high How to fix: no coach"
    fix = no_coach.find("a", class_="fix-link")
    assert resolve("red-flags/index.html", fix.attrs["href"]) == "method/red-flags/index.html"
    assert fix.attrs["href"].endswith("#no-coach")  # the method page has a section for it
    assert no_coach.rows() == [
        [
            "Bare deal Zoë Bakery",
            "qualify",
            "Zoë Smit",
            "No buyer is marked as coach, so nobody guides us inside the account",
        ]
    ]
    assert no_coach.find("tbody").find("a").attrs["href"] == "../deals/bare/index.html#red-flags"
    # A rule with no section on the method page links to the page itself.
    assert by_id["no-economic-buyer"].find("a", class_="fix-link").attrs["href"] == (
        "../method/red-flags/index.html"
    )
    assert by_id["single-threaded"].find("p", class_="no-flags").text() == (
        "No deal raises this flag."
    )
    assert by_id["no-competition"].find("h2").text() == "No competition listed (off)"
    assert by_id["no-competition"].find("p", class_="empty").text() == (
        "This rule is switched off in playbook.toml."
    )
    summary = page.find("table", class_="rule-summary")
    assert summary.rows()[:3] == [
        ["No economic buyer", "● high", "1", "1"],
        ["More than one economic buyer", "◐ medium", "0", "0"],
        ["No coach", "● high", "1", "1"],
    ]
    assert summary.rows()[10] == ["No competition listed", "○ low", "off", ""]


def test_overview_counts_the_red_flags_and_links_to_them_by_rule(site: Path) -> None:
    line = read_page(site / "index.html").find("p", class_="flag-overview")
    assert line.text() == (
        "4 red flags across the pipeline: 2 ● high, 1 ◐ medium, 1 ○ low. See them by rule."
    )
    assert {a.attrs["href"] for a in line.find_all("a")} == {"red-flags/index.html"}


def test_a_deals_narrative_headings_sit_below_its_narrative_heading(
    make_playbook: Callable[..., Path],
) -> None:
    deal = VALID_DEAL + "\n### Detail\n\n# Too high\n"
    root = make_playbook(
        {"content/deals/acme.md": deal, "content/method/buyer-roles.md": METHOD_PAGE}
    )
    assert run_playbook("build", root).returncode == 0
    narrative = read_page(root / "site" / "deals" / "acme" / "index.html").find(
        "section", id="narrative"
    )
    headings = [(e.tag, e.text()) for e in narrative.iter() if e.tag in ("h2", "h3", "h4", "h5")]
    # The highest heading of the body becomes h3; the others keep their distance to it.
    assert headings == [
        ("h2", "Narrative"),
        ("h4", "Where we stand"),
        ("h5", "Detail"),
        ("h3", "Too high"),
    ]
    method = read_page(root / "site" / "method" / "buyer-roles" / "index.html")
    assert [e.tag for e in method.find("div", class_="prose").iter() if e.tag[0] == "h"] == ["h2"]


def test_with_a_base_url_the_404_page_links_absolutely_as_it_shows_at_any_depth(
    make_playbook: Callable[..., Path],
) -> None:
    settings = 'title = "T"\nas_of = 2026-11-15\nbase_url = "https://sales.example.com/playbook/"\n'
    root = make_playbook({"playbook.toml": settings, "content/deals/acme.md": VALID_DEAL})
    assert run_playbook("build", root).returncode == 0
    page = read_page(root / "site" / "404.html")
    base = "https://sales.example.com/playbook/"
    assert page.find("link", rel="stylesheet").attrs["href"] == base + "static/style.css"
    assert page.find("form", role="search").attrs["data-root"] == base
    nav = page.find("header", class_="site-header").find("nav")
    assert [a.attrs["href"] for a in nav.find_all("a")] == [base + t for t in TARGETS]
    # Every other page stays relative, so the site still works from disk.
    deal = read_page(root / "site" / "deals" / "acme" / "index.html")
    assert deal.find("link", rel="stylesheet").attrs["href"] == "../../static/style.css"
