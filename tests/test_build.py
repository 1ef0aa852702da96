"""End to end: build a real playbook folder and read the HTML a salesperson would open."""

from __future__ import annotations

import posixpath
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import run_playbook, snapshot
from pages import Element, links, read_page

# Every field of the deal format, in a deal that shows the whole page.
ACME = """\
---
title: Data platform renewal
customer: Acme Corp
owner: Jan Peeters
stage: develop
objective: Acme renews the data platform for 250 seats for three years by 31 March 2027
value: 180000
currency: EUR
close_date: 2027-03-31
updated: 2026-11-10
position: 1
tags: [renewal, data-platform]
buyers:
  - name: Marie Dubois
    title: CFO
    role: economic
    influence: high
    mode: even-keel
    rating: -1
    last_contact: 2026-10-02
    result: Lower platform cost per analyst
    win: Shows the board a cost cut this year
    notes: Met once, at the kick-off.
  - name: Tom Janssens
    title: Head of data engineering
    role: [technical, coach]
    influence: medium
    mode: trouble
    rating: 2
    last_contact: 2026-11-05
    result: Pipelines that survive schema changes
    win: Fewer weekend call-outs
competition:
  - name: Cloud warehouse reseller
    kind: competitor
    threat: high
    standing: shared
    notes: Offers a first-year discount.
  - name: Keep the current platform
    kind: do-nothing
    threat: low
    standing: front-runner
alternatives:
  - name: Lite edition, 150 seats
    approach: cheaper
    chance: 40
  - name: Co-design workshop and phased roll-out
    approach: more-participative
    chance: 65
    selected: true
    notes: Elke's team shows results first.
actions:
  - what: One-page business case for the CFO
    kind: other
    owner: Jan Peeters
    due: 2026-11-08
    status: done
    buyer: Marie Dubois
  - what: Live demo of lineage features
    kind: demo
    owner: An Wouters
    due: 2026-12-05
    buyer: Tom Janssens
  - what: Joint press release
    kind: communication
    status: dropped
indicators:
  - name: Technical buyer rating
    target: 3
    values:
      - {date: 2026-11-01, value: 2}
      - {date: 2026-09-01, value: -2}
      - {date: 2026-10-01, value: 0}
strengths:
  - Three years of clean operations
risks:
  - The CFO may decide on price alone
reviews:
  - date: 2026-11-10
    by: Lies Vermeulen
    summary: Technical side is warming up; finance is not engaged yet.
    agreed:
      - Jan books a meeting with the CFO
---

## Where we stand

The data team likes the **lineage** features; Tom acts as our
[coach](../method/buyer-roles.md#coach).
"""

GLOBEX = """\
---
title: CRM renewal
customer: Globex
owner: Lies Vermeulen
stage: develop
objective: Globex renews 400 CRM seats by 31 January 2027
value: 50000
currency: USD
close_date: 2027-01-31
position: -2
---

Short narrative.
"""

INITECH = """\
---
title: Payroll migration
customer: Initech
owner: An Wouters
stage: propose
objective: Initech moves payroll to us by 1 March 2027
value: 90000
---
"""

UMBRELLA = """\
---
title: Lab analytics
customer: Umbrella
owner: Jan Peeters
stage: won
objective: Umbrella buys lab analytics for 3 sites
value: 40000.5
close_date: 2026-10-01
position: 5
---
"""

HOOLI = """\
---
title: Search appliance
customer: Hooli
owner: Jan Peeters
stage: qualify
objective: Hooli buys a search appliance
draft: true
---
"""

BUYER_ROLES = """\
---
title: Buyer roles
order: 2
summary: Who decides, who uses, who checks, who guides.
---

## Coach

A coach guides us through the sale.
"""

ALTERNATIVES = """\
---
title: Alternatives
order: 3
---

Other approaches can raise our chances.
"""

SITUATION = """\
---
title: Situation
order: 1
---

Map the account first.
"""

# Umbrella is won with cents; Hooli is a draft; only three method pages exist, so only some
# sections of a deal page link to one.
FILES: dict[str, str | bytes] = {
    "playbook.toml": 'title = "Test playbook"\nas_of = 2026-11-15\n',
    "content/deals/acme.md": ACME,
    "content/deals/globex.md": GLOBEX,
    "content/deals/initech.md": INITECH,
    "content/deals/umbrella.md": UMBRELLA,
    "content/deals/hooli.md": HOOLI,
    "content/method/buyer-roles.md": BUYER_ROLES,
    "content/method/alternatives.md": ALTERNATIVES,
    "content/method/situation.md": SITUATION,
}


def build(root: Path, *options: str, out: Path | None = None) -> Path:
    """Build ``root`` (into ``out``, default its ``site/``) and return the site folder."""
    result = run_playbook("build", root, *options, *(["--out", out] if out else []))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return out or root / "site"


@pytest.fixture
def site(make_playbook: Callable[..., Path]) -> Path:
    return build(make_playbook(FILES, bare=True))


def section(page: Element, ident: str) -> Element:
    return page.find("section", id=ident)


def resolve(page: str, url: str) -> str:
    """The site path a relative ``url`` on site path ``page`` leads to (``#x`` stays on it)."""
    path = urlsplit(url).path
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page


# ----------------------------------------------------------------------------- overview


def stage_rows(page: Element) -> dict[str, list[list[str]]]:
    """The deal list of a page: the rows of each stage's row group, by the group's id."""
    table = page.find("table", id="deals")
    return {group.attrs["id"]: group.rows() for group in table.find_all("tbody")}


def test_overview_lists_every_non_draft_deal_by_stage(site: Path) -> None:
    page = read_page(site / "index.html")
    assert page.find("table", id="deals").rows("thead") == [
        ["Customer", "Opportunity", "Owner", "Tags", "Value", "Weighted", "Close date",
         "Position", "Red flags"]
    ]  # fmt: skip
    assert stage_rows(page) == {
        "stage-develop": [
            ["Develop (2)"],
            ["Acme Corp", "Data platform renewal", "Jan Peeters", "renewal, data-platform",
             "EUR 180,000", "EUR 117,000 (65%)", "2027-03-31", "+1", "3 · worst ● high"],
            ["Globex", "CRM renewal", "Lies Vermeulen", "", "USD 50,000",
             "USD 50,000 at full value", "2027-01-31", "\u22122", "5 · worst ● high"],
        ],
        "stage-propose": [
            ["Propose (1)"],
            ["Initech", "Payroll migration", "An Wouters", "", "EUR 90,000",
             "EUR 90,000 at full value", "", "", "6 · worst ● high"],
        ],
        "stage-won": [
            ["Won (1)"],
            ["Umbrella", "Lab analytics", "Jan Peeters", "", "EUR 40,000.50", "—", "2026-10-01",
             "+5", "4 · worst ● high"],
        ],
    }  # fmt: skip
    assert page.find("p", class_="lede").text() == (
        "4 deals as of 2026-11-15. Browse them by owner (3) or by tag (2); "
        "the data is also in deals.json."
    )


def test_overview_totals_each_stage_per_currency(site: Path) -> None:
    totals = read_page(site / "index.html").find("table", class_="stage-totals")
    assert totals.rows() == [
        ["Prospect", "0", "", "", "", ""],
        ["Qualify", "0", "", "", "", ""],
        ["Develop", "1", "EUR", "180,000", "117,000", "1 by chance"],
        ["Develop", "1", "USD", "50,000", "50,000", "1 at full value"],
        ["Propose", "1", "EUR", "90,000", "90,000", "1 at full value"],
        ["Negotiate", "0", "", "", "", ""],
        ["Won", "1", "EUR", "40,000.50", "closed", "closed deals are not weighted"],
        ["Lost", "0", "", "", "", ""],
    ]
    assert totals.rows("tfoot") == [
        ["All open deals", "2", "EUR", "270,000", "207,000", "1 by chance · 1 at full value"],
        ["All open deals", "1", "USD", "50,000", "50,000", "1 at full value"],
    ]


def test_overview_links_each_deal_to_its_page(site: Path) -> None:
    page = read_page(site / "index.html")
    rows = page.find("table", id="deals").find_all("tr", class_="deal-row")
    titles = {a.text(): a.attrs["href"] for row in rows for a in row.find_all("a")}
    assert titles == {
        "Data platform renewal": "deals/acme/index.html",
        "CRM renewal": "deals/globex/index.html",
        "Payroll migration": "deals/initech/index.html",
        "Lab analytics": "deals/umbrella/index.html",
        "Jan Peeters": "owners/jan-peeters/index.html",
        "Lies Vermeulen": "owners/lies-vermeulen/index.html",
        "An Wouters": "owners/an-wouters/index.html",
        "renewal": "tags/renewal/index.html",
        "data-platform": "tags/data-platform/index.html",
    }


def test_drafts_are_left_out_unless_asked_for(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook(FILES, bare=True)
    without = build(root)
    assert not (without / "deals" / "hooli").exists()
    assert "Hooli" not in read_page(without / "index.html").text()

    out = build(root, "--drafts", out=root.parent / "with-drafts")
    page = read_page(out / "index.html")
    assert stage_rows(page)["stage-qualify"] == [
        ["Qualify (1)"],
        ["Hooli", "Search appliance draft", "Jan Peeters", "", "", "—", "", "", "5 · worst ● high"],
    ]  # fmt: skip
    assert page.find("tbody", id="stage-qualify").find("span", class_="badge").text() == "draft"
    deal = read_page(out / "deals" / "hooli" / "index.html")
    assert deal.find("h1").text() == "Search appliance draft"


# ----------------------------------------------------------------------------- deal page


def test_deal_page_shows_objective_and_key_figures(site: Path) -> None:
    page = read_page(site / "deals" / "acme" / "index.html")
    assert page.find("p", class_="customer").text() == "Acme Corp"
    assert page.find("h1").text() == "Data platform renewal"
    assert [li.text() for li in page.find("ul", class_="tags").find_all("li")] == [
        "renewal",
        "data-platform",
    ]
    summary = section(page, "summary")
    assert summary.find("p", class_="objective").text() == (
        "Acme renews the data platform for 250 seats for three years by 31 March 2027"
    )
    figures = {
        div.find("dt").text(): div.find("dd").text()
        for div in summary.find("dl", class_="figures").find_all("div")
    }
    assert figures == {
        "Stage": "develop",
        "Owner": "Jan Peeters",
        "Value": "EUR 180,000",
        "Chance (selected alternative)": "65%",
        "Weighted value": "EUR 117,000",
        "Close date": "2027-03-31",
        "Position": "+1 (\u22125 \u2026 +5)",
        "Last reviewed": "2026-11-10",
    }


def test_deal_page_shows_buyers_competition_alternatives_actions(site: Path) -> None:
    page = read_page(site / "deals" / "acme" / "index.html")
    buyers = section(page, "buyers").find_all("table")[1]  # after the buyer map
    assert buyers.rows("thead") == [
        ["Name", "Role", "Influence", "Mode", "Rating", "Last contact", "Result", "Win"]
    ]
    assert buyers.rows() == [
        ["Marie Dubois CFO", "economic", "high", "even keel", "\u22121", "2026-10-02",
         "Lower platform cost per analyst", "Shows the board a cost cut this year"],
        ["Met once, at the kick-off."],
        ["Tom Janssens Head of data engineering", "technical, coach", "medium", "trouble", "+2",
         "2026-11-05", "Pipelines that survive schema changes", "Fewer weekend call-outs"],
    ]  # fmt: skip
    assert section(page, "competition").rows() == [
        ["Cloud warehouse reseller", "competitor", "high", "shared",
         "Offers a first-year discount."],
        ["Keep the current platform", "do nothing", "low", "front runner", ""],
    ]  # fmt: skip
    alternatives = section(page, "alternatives")
    assert alternatives.rows() == [  # the selected one first, the others against it
        ["\u2714 selected: Co-design workshop and phased roll-out", "more participative", "65%",
         "—", "Elke's team shows results first."],
        ["Lite edition, 150 seats", "cheaper", "40%", "\u221225 points", ""],
    ]  # fmt: skip
    selected = alternatives.find_all("tr", class_="selected")
    assert [row.find("th").text() for row in selected] == [
        "\u2714 selected: Co-design workshop and phased roll-out"
    ]
    actions = section(page, "actions")
    assert actions.rows() == [
        ["One-page business case for the CFO", "other", "Jan Peeters", "2026-11-08", "done",
         "Marie Dubois"],
        ["Live demo of lineage features", "demo", "An Wouters", "2026-12-05", "planned",
         "Tom Janssens"],
        ["Joint press release", "communication", "", "", "dropped", ""],
    ]  # fmt: skip
    statuses = [row.attrs["class"] for row in actions.find("tbody").find_all("tr")]
    assert statuses == ["status-done", "status-planned", "status-dropped"]


def test_deal_page_shows_indicators_reviews_and_narrative(site: Path) -> None:
    page = read_page(site / "deals" / "acme" / "index.html")
    indicators = section(page, "indicators")
    assert indicators.find("h3").text() == "Technical buyer rating"
    assert indicators.find("caption").text() == "Target: 3 (higher is better)"
    assert indicators.rows() == [["2026-09-01", "-2"], ["2026-10-01", "0"], ["2026-11-01", "2"]]
    assert indicators.find("p", class_="trend").text() == (
        "↗ Moving towards the target of 3 (last 2, before 0)"
    )
    risks = section(page, "strengths-and-risks")
    assert [li.text() for li in risks.find_all("li")] == [
        "Three years of clean operations",
        "The CFO may decide on price alone",
    ]
    reviews = section(page, "reviews")
    assert reviews.find("h3").text() == "2026-11-10 \u00b7 Lies Vermeulen"
    assert "Technical side is warming up; finance is not engaged yet." in reviews.text()
    assert [li.text() for li in reviews.find_all("li")] == ["Jan books a meeting with the CFO"]
    narrative = section(page, "narrative")
    # The narrative's own headings sit one level below the section's "Narrative" heading.
    assert narrative.find("h3", id="where-we-stand").text() == "Where we stand"
    assert narrative.find("strong").text() == "lineage"
    coach = narrative.find("a")
    assert (coach.text(), coach.attrs["href"]) == (
        "coach",
        "../../method/buyer-roles/index.html#coach",
    )


def test_deal_page_shows_its_red_flags(site: Path) -> None:
    flags = section(read_page(site / "deals" / "acme" / "index.html"), "red-flags")
    assert flags.find("h2").text() == "Red flags (3)"
    assert [li.text() for li in flags.find_all("li")] == [
        "● high Marie Dubois has high influence and rates our offer \u22121",
        "◐ medium Marie Dubois (economic buyer) is in even-keel mode and sees no gap to close",
        "◐ medium Marie Dubois has not been contacted for 44 days (limit 30)",
    ]


def test_sections_link_to_their_method_page_when_it_exists(site: Path) -> None:
    page = read_page(site / "deals" / "acme" / "index.html")
    method_links = {
        s.attrs["id"]: [a.attrs["href"] for a in s.find("h2").find_all("a", class_="method-link")]
        for s in page.find_all("section")
    }
    assert method_links == {
        "summary": ["../../method/situation/index.html"],
        "red-flags": [],
        "buyers": ["../../method/buyer-roles/index.html"],
        "competition": ["../../method/situation/index.html"],
        "alternatives": ["../../method/alternatives/index.html"],
        "actions": [],
        "indicators": [],
        "strengths-and-risks": [],
        "reviews": [],
        "narrative": [],
    }


def test_a_deal_with_only_the_required_fields_says_what_is_missing(site: Path) -> None:
    page = read_page(site / "deals" / "initech" / "index.html")
    empty = {
        s.attrs["id"]: s.find("p", class_="empty").text()
        for s in page.find_all("section")
        if s.find_all("p", class_="empty")
    }
    buyer_map = section(page, "buyers").find("table", class_="buyer-map")
    assert buyer_map.rows("tfoot") == [
        ["In this role", "✕ no economic buyer identified", "✕ no user buyer identified",
         "✕ no technical buyer identified", "✕ no coach identified"]
    ]  # fmt: skip
    assert empty == {
        "competition": "No competition listed.",
        "alternatives": "No alternatives considered yet.",
        "actions": "No action plan yet.",
        "indicators": "No indicators defined yet.",
    }


# ----------------------------------------------------------------------------- other pages


def test_method_pages_and_their_index_follow_the_order(site: Path) -> None:
    index = read_page(site / "method" / "index.html")
    items = index.find("ol", class_="method-list").find_all("li")
    assert [(li.find("a").text(), li.find("a").attrs["href"]) for li in items] == [
        ("Situation", "../method/situation/index.html"),
        ("Buyer roles", "../method/buyer-roles/index.html"),
        ("Alternatives", "../method/alternatives/index.html"),
    ]
    page = read_page(site / "method" / "buyer-roles" / "index.html")
    assert page.find("h1").text() == "Buyer roles"
    assert page.find("p", class_="lede").text() == "Who decides, who uses, who checks, who guides."
    assert page.find("h2", id="coach").text() == "Coach"
    pager = {
        a.attrs["rel"]: a.attrs["href"] for a in page.find("nav", class_="pager").find_all("a")
    }
    assert pager == {
        "prev": "../../method/situation/index.html",
        "next": "../../method/alternatives/index.html",
    }


def test_site_has_a_404_page_and_one_stylesheet(site: Path) -> None:
    page = read_page(site / "404.html")
    assert page.find("h1").text() == "Page not found"
    assert page.find("main").find("a").attrs["href"] == "index.html"
    css = (site / "static" / "style.css").read_text(encoding="utf-8")
    assert "body" in css
    assert "://" not in css and "@import" not in css
    for html in site.rglob("*.html"):
        sheets = read_page(html).find_all("link", rel="stylesheet")
        assert len(sheets) == 1
        assert resolve(html.relative_to(site).as_posix(), sheets[0].attrs["href"]) == (
            "static/style.css"
        )


def test_every_link_is_relative_and_lands_on_a_built_file(site: Path) -> None:
    pages = {p.relative_to(site).as_posix(): read_page(p) for p in sorted(site.rglob("*.html"))}
    assert len(pages) == 26
    checked = 0
    for name, page in pages.items():
        for url in links(page):
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, f"{name}: {url} leaves the site"
            assert not url.startswith("/"), f"{name}: {url} depends on the server's root"
            target = resolve(name, url)
            assert not target.startswith(".."), f"{name}: {url} climbs out of the site"
            assert (site / target).is_file(), f"{name}: {url} points to a missing file"
            if parts.fragment:
                assert pages[target].find_all(id=parts.fragment), f"{name}: {url} has no anchor"
            checked += 1
    assert checked > 50


# ----------------------------------------------------------------------------- determinism


def test_two_builds_are_byte_identical_wherever_they_go(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_playbook(FILES, bare=True)
    first = snapshot(build(root))
    assert snapshot(build(root)) == first
    elsewhere = tmp_path / "elsewhere" / "public"
    build(root, out=elsewhere)
    assert snapshot(elsewhere) == first
    moved = tmp_path / "moved"
    shutil.copytree(root / "content", moved / "content")
    shutil.copy(root / "playbook.toml", moved)
    assert snapshot(build(moved)) == first


# ----------------------------------------------------------------------------- templates


def test_own_deal_template_replaces_the_builtin_one_only(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    plain = snapshot(build(make_playbook(FILES, bare=True), out=tmp_path / "plain"))
    own = {
        "templates/deal.html": '{% extends "base.html" %}\n{% block main %}'
        '<h1 class="own">{{ view.deal.customer }}: {{ view.deal.title }}</h1>{% endblock %}\n',
        "templates/static/style.css": "body { color: rebeccapurple; }\n",
    }
    site = build(make_playbook({**FILES, **own}, bare=True))
    page = read_page(site / "deals" / "acme" / "index.html")
    assert page.find("h1", class_="own").text() == "Acme Corp: Data platform renewal"
    assert page.find("a", class_="brand").text() == "Test playbook"  # base.html is still built-in
    assert page.find_all("section") == []
    assert (site / "static" / "style.css").read_text() == "body { color: rebeccapurple; }\n"
    changed = {name for name, data in snapshot(site).items() if plain.get(name) != data}
    deal_pages = {f"deals/{slug}/index.html" for slug in ("acme", "globex", "initech", "umbrella")}
    assert changed == {*deal_pages, "static/style.css"}


def test_own_base_template_changes_every_page_around_builtin_content(
    make_playbook: Callable[..., Path],
) -> None:
    base = (
        '<!doctype html>\n<html lang="{{ settings.language }}"><head><title>{% block title %}'
        '{% endblock %}</title></head>\n<body><p class="own-banner">Internal</p>'
        "{% block breadcrumbs %}{% endblock %}<main>{% block main %}{% endblock %}</main>"
        "</body></html>\n"
    )
    site = build(make_playbook({**FILES, "templates/base.html": base}, bare=True))
    for name in ("index.html", "deals/acme/index.html", "method/situation/index.html", "404.html"):
        page = read_page(site / name)
        assert page.find("p", class_="own-banner").text() == "Internal"
        assert page.find_all("header", class_="site-header") == []
    deal = read_page(site / "deals" / "acme" / "index.html")
    buyers = section(deal, "buyers").find_all("table")[1]
    assert buyers.rows()[0][0] == "Marie Dubois CFO"  # deal.html is built-in


# ----------------------------------------------------------------------------- escaping


def test_script_in_a_name_a_title_or_the_body_comes_out_as_text(
    make_playbook: Callable[..., Path],
) -> None:
    deal = (
        ACME.replace("title: Data platform renewal", "title: <script>alert('title')</script>")
        .replace("  - name: Marie Dubois", "  - name: <script>alert('buyer')</script>")
        .replace("    buyer: Marie Dubois", "    buyer: <script>alert('buyer')</script>")
        .replace(
            "The data team likes",
            "<script>alert('body')</script>\n\n<img src=x onerror=alert('img')>\n\n"
            "The data team likes",
        )
    )
    site = build(make_playbook({**FILES, "content/deals/acme.md": deal}, bare=True))
    for name in ("deals/acme/index.html", "index.html"):
        raw = (site / name).read_text(encoding="utf-8")
        page = read_page(site / name)
        assert "<script>alert" not in raw and "<img src=x" not in raw
        assert not [s for s in page.find_all("script") if "alert" in s.text()]
        assert not [e for e in page.iter() if any(a.startswith("on") for a in e.attrs)]
    page = read_page(site / "deals" / "acme" / "index.html")
    assert page.find("h1").text() == "<script>alert('title')</script>"
    buyers = section(page, "buyers").find_all("table")[1]
    assert buyers.rows()[0][0] == "<script>alert('buyer')</script> CFO"
    assert section(page, "actions").rows()[0][-1] == "<script>alert('buyer')</script>"
    prose = section(page, "narrative").text()
    assert "<script>alert('body')</script>" in prose
    assert "<img src=x onerror=alert('img')>" in prose


# ----------------------------------------------------------------------------- --out


def test_out_refuses_a_folder_it_did_not_make(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook(FILES, bare=True)
    out = root.parent / "documents"
    (out / "plans").mkdir(parents=True)
    (out / "plans" / "q4.txt").write_text("do not lose me\n", encoding="utf-8")
    before = snapshot(out)
    neighbours = sorted(p.name for p in root.parent.iterdir())

    result = run_playbook("build", root, "--out", out)

    assert result.returncode == 1
    assert result.stderr == (
        f"playbook: {out} is not empty and was not made by playbook; refusing to replace it "
        "(choose another --out, or empty it first)\n"
    )
    assert snapshot(out) == before
    assert sorted(p.name for p in root.parent.iterdir()) == neighbours


def test_out_refuses_a_file(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook(FILES, bare=True)
    out = root.parent / "site.zip"
    out.write_bytes(b"PK")
    result = run_playbook("build", root, "--out", out)
    assert result.returncode == 1
    assert result.stderr == f"playbook: {out} is a file, not a folder; choose another --out\n"
    assert out.read_bytes() == b"PK"


def test_out_replaces_a_folder_it_made_before(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook(FILES, bare=True)
    out = root.parent / "public"
    build(root, out=out)
    assert (out / "deals" / "globex" / "index.html").is_file()
    (root / "content" / "deals" / "globex.md").unlink()
    (out / "stray.txt").write_text("left over\n", encoding="utf-8")

    build(root, out=out)

    assert not (out / "deals" / "globex").exists()
    assert not (out / "stray.txt").exists()
    assert (out / ".playbook-site").is_file()
    assert [p.name for p in root.parent.iterdir() if p.name.startswith(".")] == []


def test_out_fills_an_empty_existing_folder(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook(FILES, bare=True)
    out = root.parent / "empty"
    out.mkdir()
    build(root, out=out)
    assert read_page(out / "index.html").find("h1").text() == "Pipeline"
    assert not (root / "site").exists()
