"""The deal page as a review meeting reads it: red flags on top, the buyer map, alternatives, the
action plan and indicators; and which date "today" is. Built through the real CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from html_tree import Element, page

from playbook import __version__

from conftest import VALID_DEAL, run_playbook, snapshot

MINUS = "\u2212"  # the pages write negative scores with a real minus sign

RED_FLAGS_PAGE = """\
---
title: Red flags
order: 6
---

## No coach

Find someone who wants us to win.

## Buyer not contacted recently

Book a conversation.

## No competition listed

There is always doing nothing.
"""

# VALID_DEAL with three weak spots: no coach (high), Tom not contacted since September (medium)
# and no competition listed (low).
FLAGGED_DEAL = (
    VALID_DEAL.replace("role: [technical, coach]", "role: technical")
    .replace("last_contact: 2026-11-01", "last_contact: 2026-09-01")
    .replace(
        "competition:\n  - name: Cloud warehouse reseller\n    kind: competitor\n"
        "    standing: front-runner\n",
        "",
    )
)

Build = Callable[..., Path]


@pytest.fixture
def build_site(make_playbook: Callable[..., Path]) -> Build:
    """Write a playbook, build it with the CLI, return the site folder."""

    def build(files: dict[str, str], *args: str, env: dict[str, str] | None = None) -> Path:
        root = make_playbook(files)
        result = run_playbook("build", root, *args, env=env)
        assert result.returncode == 0, result.stderr
        return root / "site"

    return build


def deal_page(site: Path, slug: str = "acme") -> Element:
    return page(site / "deals" / slug / "index.html")


def flag_items(doc: Element) -> list[Element]:
    return doc.find("section", id="red-flags").find_all("li", class_="flag")


# ----------------------------------------------------------------------------- red flags


def test_flagged_deal_shows_its_flags_first_with_severity_and_method_links(
    build_site: Build,
) -> None:
    site = build_site(
        {"content/deals/acme.md": FLAGGED_DEAL, "content/method/red-flags.md": RED_FLAGS_PAGE}
    )
    doc = deal_page(site)
    sections = [s.attrs["id"] for s in doc.find("article").find_all("section")]
    assert sections[0] == "red-flags"
    items = flag_items(doc)
    # Worst first; the severity is a word and a shape, not only a colour.
    assert [i.attrs["data-rule"] for i in items] == ["no-coach", "stale-contact", "no-competition"]
    assert [i.find("span", class_="sev").text() for i in items] == ["● high", "◐ medium", "○ low"]
    assert items[1].find("span", class_="message").text() == (
        "Tom Janssens has not been contacted for 75 days (limit 30)"
    )
    assert [i.find("a", class_="fix-link").attrs["href"] for i in items] == [
        "../../method/red-flags/index.html#no-coach",
        "../../method/red-flags/index.html#buyer-not-contacted-recently",
        "../../method/red-flags/index.html#no-competition-listed",
    ]
    assert items[0].find("a").text() == "How to fix: no coach"
    headings = page(site / "method" / "red-flags" / "index.html").find_all("h2")
    assert {h.attrs["id"] for h in headings} == {
        "no-coach",
        "buyer-not-contacted-recently",
        "no-competition-listed",
    }


def test_flag_link_points_at_the_page_when_it_has_no_section_for_the_rule(
    build_site: Build,
) -> None:
    only_coach = RED_FLAGS_PAGE.split("## Buyer not contacted")[0]
    site = build_site(
        {"content/deals/acme.md": FLAGGED_DEAL, "content/method/red-flags.md": only_coach}
    )
    links = [i.find("a", class_="fix-link").attrs["href"] for i in flag_items(deal_page(site))]
    assert links == [
        "../../method/red-flags/index.html#no-coach",
        "../../method/red-flags/index.html",
        "../../method/red-flags/index.html",
    ]


def test_no_fix_links_when_the_playbook_has_no_red_flags_page(build_site: Build) -> None:
    site = build_site({"content/deals/acme.md": FLAGGED_DEAL})
    items = flag_items(deal_page(site))
    assert len(items) == 3
    assert [i.find_all("a") for i in items] == [[], [], []]


def test_a_healthy_deal_says_it_has_no_red_flags(build_site: Build) -> None:
    section = deal_page(build_site({"content/deals/acme.md": VALID_DEAL})).find(
        "section", id="red-flags"
    )
    assert section.find_all("li") == []
    assert section.find("p", class_="no-flags").text() == "No red flags as of 2026-11-15."


def test_disabled_rule_disappears_from_page_overview_and_export(build_site: Build) -> None:
    settings = 'as_of = 2026-11-15\n\n[red_flags]\ndisable = ["stale-contact", "no-competition"]\n'
    site = build_site({"content/deals/acme.md": FLAGGED_DEAL, "playbook.toml": settings})
    assert [i.attrs["data-rule"] for i in flag_items(deal_page(site))] == ["no-coach"]
    row = page(site / "index.html").find("tr", class_="deal-row")
    assert row.attrs["data-flags"] == "1"
    assert row.find("td", class_="flags-cell").text() == "1 · worst ● high"
    exported = json.loads((site / "deals.json").read_text(encoding="utf-8"))
    assert [f["rule"] for f in exported["deals"][0]["red_flags"]] == ["no-coach"]


def test_without_disabling_the_overview_counts_every_flag(build_site: Build) -> None:
    site = build_site({"content/deals/acme.md": FLAGGED_DEAL})
    cell = page(site / "index.html").find("td", class_="flags-cell")
    assert cell.text() == "3 · worst ● high"


# ----------------------------------------------------------------------------- as_of


def footer_date(site: Path) -> str:
    return page(site / "index.html").find("footer").text()


EPOCH_2026_06_01 = str(int(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC).timestamp()))


@pytest.mark.parametrize(
    ("toml", "cli", "epoch", "expected"),
    [
        ("as_of = 2026-11-15\n", ["--as-of", "2026-12-24"], EPOCH_2026_06_01, "2026-12-24"),
        ("as_of = 2026-11-15\n", [], EPOCH_2026_06_01, "2026-11-15"),
        ("", [], EPOCH_2026_06_01, "2026-06-01"),
        ("", ["--as-of", "2026-12-24"], EPOCH_2026_06_01, "2026-12-24"),
    ],
    ids=["cli-over-toml-and-env", "toml-over-env", "env", "cli-over-env"],
)
def test_as_of_precedence(
    build_site: Build, toml: str, cli: list[str], epoch: str, expected: str
) -> None:
    site = build_site(
        {"playbook.toml": toml, "content/deals/acme.md": FLAGGED_DEAL},
        *cli,
        env={"SOURCE_DATE_EPOCH": epoch},
    )
    assert f"As of {expected}" in footer_date(site)
    assert json.loads((site / "deals.json").read_text(encoding="utf-8"))["as_of"] == expected
    # "Today" drives the flags too: who counts as not contacted recently depends on it.
    today = dt.date.fromisoformat(expected)
    stale = [i for i in flag_items(deal_page(site)) if i.attrs["data-rule"] == "stale-contact"]
    contacts = [("Marie Dubois", dt.date(2026, 11, 2)), ("Tom Janssens", dt.date(2026, 9, 1))]
    assert [i.find("span", class_="message").text() for i in stale] == [
        f"{name} has not been contacted for {(today - last).days} days (limit 30)"
        for name, last in contacts
        if (today - last).days > 30
    ]


def test_as_of_falls_back_to_the_current_date(build_site: Build) -> None:
    before = dt.date.today()
    site = build_site({"playbook.toml": "", "content/deals/acme.md": VALID_DEAL})
    after = dt.date.today()
    assert footer_date(site) in {
        f"As of {d.isoformat()} · built with playbook {__version__}" for d in {before, after}
    }


def test_same_epoch_gives_a_byte_identical_site(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook({"playbook.toml": "", "content/deals/acme.md": FLAGGED_DEAL})
    sites = []
    for name in ("one", "two"):
        out = root / name
        result = run_playbook("build", root, "--out", out, env={"SOURCE_DATE_EPOCH": "1794700800"})
        assert result.returncode == 0, result.stderr
        sites.append(snapshot(out))
    assert sites[0] == sites[1]
    assert b"As of 2026-11-15" in sites[0]["index.html"]


def test_a_malformed_source_date_epoch_is_an_error_and_leaves_the_site(
    make_playbook: Callable[..., Path],
) -> None:
    root = make_playbook({"playbook.toml": "", "content/deals/acme.md": VALID_DEAL})
    first = run_playbook("build", root, "--as-of", "2026-11-15")
    assert first.returncode == 0, first.stderr
    before = snapshot(root / "site")
    result = run_playbook("build", root, env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "environment: SOURCE_DATE_EPOCH: 'yesterday' is not a number of seconds since "
        "1970-01-01 (for example 1794700800 for 2026-11-15); fix or unset it, or give --as-of",
        "playbook: 1 error; nothing was written",
    ]
    assert "Traceback" not in result.stderr
    assert snapshot(root / "site") == before
    # The same variable does not matter when a date is given some other way.
    assert (
        run_playbook(
            "build", root, "--as-of", "2026-11-15", env={"SOURCE_DATE_EPOCH": "x"}
        ).returncode
        == 0
    )


# ----------------------------------------------------------------------------- buyer map

MAPPED_BUYERS = """\
buyers:
  - name: Marie Dubois
    role: economic
    influence: high
    mode: even-keel
    rating: -1
  - name: Tom Janssens
    role: [technical, user]
    influence: medium
    mode: trouble
    rating: 3
  - name: Ann Peeters
    role: user
    mode: growth
  - name: Bob <Boss> & Co
    role: technical
    influence: low
    mode: overconfident
    rating: -4
competition:"""


def buyer_map_deal() -> str:
    start = VALID_DEAL.index("buyers:")
    end = VALID_DEAL.index("competition:")
    deal = VALID_DEAL[:start] + MAPPED_BUYERS + VALID_DEAL[end + len("competition:") :]
    return deal.replace("    buyer: Tom Janssens\n", "")


def test_buyer_map_places_each_buyer_by_role_and_influence(build_site: Build) -> None:
    doc = deal_page(build_site({"content/deals/acme.md": buyer_map_deal()}))
    table = doc.find("table", class_="buyer-map")
    header = [th.text() for th in table.find("thead").find_all("th")]
    assert header == ["Influence", "Economic buyer", "User buyer", "Technical buyer", "Coach"]
    titles = [chip.attrs["title"] for chip in table.find_all("li", class_="buyer-chip")]
    assert titles == [
        f"Marie Dubois: even keel mode, rating {MINUS}1",
        "Tom Janssens: trouble mode, rating +3",  # Tom holds two roles: shown in both columns
        "Tom Janssens: trouble mode, rating +3",
        f"Bob <Boss> & Co: overconfident mode, rating {MINUS}4",
        "Ann Peeters: growth mode, rating not set",
    ]
    rows = {}
    for row in table.find("tbody").find_all("tr"):
        rows[row.find("th").text()] = [
            [c.text().split(":")[0] for c in cell.find_all("li")] for cell in row.find_all("td")
        ]
    assert rows == {
        "high": [[f"= Marie Dubois {MINUS}1"], [], [], []],
        "medium": [[], ["! Tom Janssens +3"], ["! Tom Janssens +3"], []],
        "low": [[], [], [f"◆ Bob <Boss> & Co {MINUS}4"], []],
        "not set": [[], ["▲ Ann Peeters ?"], [], []],
    }


def test_buyer_map_marks_mode_and_rating_in_text_and_class(build_site: Build) -> None:
    table = deal_page(build_site({"content/deals/acme.md": buyer_map_deal()})).find(
        "table", class_="buyer-map"
    )
    chips = table.find_all("li", class_="buyer-chip")
    by_name = {chip.attrs["title"].split(":")[0]: chip for chip in chips}
    marie = by_name["Marie Dubois"]
    assert "rating-against" in marie.classes
    assert marie.find("span", class_="mode-mark").attrs["aria-hidden"] == "true"
    assert (
        marie.find("span", class_="visually-hidden").text() == f": even keel mode, rating {MINUS}1"
    )
    assert "rating-strong-for" in by_name["Tom Janssens"].classes
    assert "rating-strong-against" in by_name["Bob <Boss> & Co"].classes
    ann = by_name["Ann Peeters"]
    assert "rating-unknown" in ann.classes
    assert ann.find("span", class_="visually-hidden").text() == ": growth mode, rating not set"


def test_buyer_map_says_which_roles_nobody_holds(build_site: Build) -> None:
    table = deal_page(build_site({"content/deals/acme.md": buyer_map_deal()})).find(
        "table", class_="buyer-map"
    )
    footer = [td.text() for td in table.find("tfoot").find_all("td")]
    assert footer == ["1 buyer", "2 buyers", "2 buyers", "✕ no coach identified"]
    coach_cells = [row.find_all("td")[3] for row in table.find_all("tr")[1:]]
    assert all("role-missing" in cell.classes for cell in coach_cells)
    assert not any(
        "role-missing" in row.find_all("td")[0].classes for row in table.find_all("tr")[1:]
    )


def test_buyer_map_of_a_deal_without_buyers_is_all_empty(build_site: Build) -> None:
    start, end = VALID_DEAL.index("buyers:"), VALID_DEAL.index("competition:")
    deal = (VALID_DEAL[:start] + VALID_DEAL[end:]).replace("    buyer: Tom Janssens\n", "")
    table = deal_page(build_site({"content/deals/acme.md": deal})).find("table", class_="buyer-map")
    assert [row.find("th").text() for row in table.find("tbody").find_all("tr")] == [
        "high",
        "medium",
        "low",
    ]
    assert [td.text() for td in table.find("tfoot").find_all("td")] == [
        "✕ no economic buyer identified",
        "✕ no user buyer identified",
        "✕ no technical buyer identified",
        "✕ no coach identified",
    ]


# ----------------------------------------------------------------------------- alternatives, plan

ALTERNATIVES = """\
alternatives:
  - name: Lite edition
    approach: cheaper
    chance: 40
  - name: Pilot first
    approach: simpler
  - name: Premium
    approach: more-sophisticated
    chance: 70
  - name: Co-design workshop
    approach: more-participative
    chance: 65
    selected: true
actions:"""


def test_alternatives_show_the_selected_one_first_against_the_others(build_site: Build) -> None:
    start, end = VALID_DEAL.index("alternatives:"), VALID_DEAL.index("actions:")
    deal = VALID_DEAL[:start] + ALTERNATIVES + VALID_DEAL[end + len("actions:") :]
    section = deal_page(build_site({"content/deals/acme.md": deal})).find(
        "section", id="alternatives"
    )
    assert section.find("p").text() == "Selected: Co-design workshop, 65% chance."
    rows = [
        [cell.text() for cell in row.find_all("th") + row.find_all("td")]
        for row in section.find("tbody").find_all("tr")
    ]
    assert rows == [
        ["✔ selected: Co-design workshop", "more participative", "65%", "—", ""],
        ["Premium", "more sophisticated", "70%", "+5 points", ""],
        ["Lite edition", "cheaper", "40%", f"{MINUS}25 points", ""],
        ["Pilot first", "simpler", "not estimated", "", ""],
    ]
    bars = [s.attrs["style"] for s in section.find_all("span") if "style" in s.attrs]
    assert bars == ["width: 65%", "width: 70%", "width: 40%"]
    assert "selected" in section.find("tbody").find_all("tr")[0].classes


def test_overdue_actions_are_marked_in_words_and_style(build_site: Build) -> None:
    deal = VALID_DEAL.replace(
        "actions:\n",
        "actions:\n  - what: Send the reference list\n    due: 2026-11-01\n"
        "  - what: Old call\n    due: 2026-10-01\n    status: done\n",
    )
    section = deal_page(build_site({"content/deals/acme.md": deal})).find("section", id="actions")
    assert section.find("p", class_="overdue-note").text() == (
        "1 overdue: planned and past the due date as of 2026-11-15."
    )
    rows = section.find("tbody").find_all("tr")
    assert [("overdue" in r.classes, r.find_all("td")[3].text()) for r in rows] == [
        (True, "planned ⚠ overdue"),
        (False, "done"),
        (False, "planned"),
    ]


# ----------------------------------------------------------------------------- indicators

INDICATOR = """\
indicators:
  - name: Technical buyer rating
    target: 3
    values:
      - {date: 2026-11-01, value: 1}
      - {date: 2026-09-01, value: 2}
  - name: Not measured yet
    target: 5
---
"""


def test_each_indicator_has_a_chart_and_its_trend_in_words(build_site: Build) -> None:
    deal = VALID_DEAL.replace("---\n\n## Where", INDICATOR + "\n## Where")
    section = deal_page(build_site({"content/deals/acme.md": deal})).find(
        "section", id="indicators"
    )
    first, second = section.find_all("div", class_="indicator")
    assert first.find("p", class_="trend").text() == (
        "↘ Moving away from the target of 3 (last 1, before 2)"
    )
    assert "trend-away" in first.find("p", class_="trend").classes
    svg = first.find("svg")
    assert svg.attrs["role"] == "img"
    assert svg.attrs["aria-label"] == (
        "Technical buyer rating: moving away from the target of 3 (last 1, before 2)"
    )
    assert len(svg.find_all("circle")) == 2
    assert second.find_all("svg") == []
    assert second.find("p", class_="trend").text() == "· No values yet (target 5)"


# ----------------------------------------------------------------------------- links


def test_deal_page_links_its_owner_and_tags_to_their_pages(build_site: Build) -> None:
    site = build_site({"content/deals/acme.md": VALID_DEAL.replace("[renewal]", "[renewal, Zoë]")})
    doc = deal_page(site)
    owner = doc.find("dl", class_="figures").find("a")
    assert (owner.text(), owner.attrs["href"]) == (
        "Jan Peeters",
        "../../owners/jan-peeters/index.html",
    )
    tags = [(a.text(), a.attrs["href"]) for a in doc.find("ul", class_="tags").find_all("a")]
    assert tags == [
        ("renewal", "../../tags/renewal/index.html"),
        ("Zoë", "../../tags/zoe/index.html"),
    ]
    assert (site / "owners" / "jan-peeters" / "index.html").is_file()
    assert (site / "tags" / "zoe" / "index.html").is_file()
