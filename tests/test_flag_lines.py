"""Red flags point at the field they are about: ``playbook check`` prints its line and path.

Each case edits ``VALID_DEAL`` (which raises no flag) so that exactly one rule fires, and pins
the whole warning line. In ``VALID_DEAL``, as the file reads: ``close_date`` is on line 9,
``buyers`` on 12 (Marie Dubois from 13, Tom Janssens from 20), ``competition`` on 26,
``alternatives`` on 30 and ``actions`` on 38.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from playbook.pipeline import build, check

from conftest import VALID_DEAL, run_playbook

DEAL = "content/deals/acme.md"


def edit(text: str, *changes: tuple[str, str]) -> str:
    """``text`` with each ``(old, new)`` replaced; ``old`` must be there, once."""
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


MARIE_ROLE = ("    role: economic\n", "    role: [economic, coach]\n")
TOM = (
    "  - name: Tom Janssens\n    role: [technical, coach]\n    influence: medium\n"
    "    mode: trouble\n    rating: 3\n    last_contact: 2026-11-01\n",
    "",
)
NO_ACTION_BUYER = ("    buyer: Tom Janssens\n", "")
BUYERS = (VALID_DEAL[VALID_DEAL.index("buyers:") : VALID_DEAL.index("competition:")], "")
COMPETITION = (
    "competition:\n  - name: Cloud warehouse reseller\n    kind: competitor\n"
    "    standing: front-runner\n",
    "",
)
ACTIONS = (VALID_DEAL[VALID_DEAL.index("actions:") : VALID_DEAL.index("---\n\n")], "")
INDICATOR = (
    "    buyer: Tom Janssens\n",
    "    buyer: Tom Janssens\n"
    "indicators:\n"
    "  - name: Technical buyer rating\n"
    "    target: 3\n"
    "    values:\n"
    "      - {date: 2026-11-01, value: -1}\n"  # line 47: the latest by date, listed first
    "      - {date: 2026-10-01, value: 1}\n",
)

CASES = {
    "no-economic-buyer": (
        edit(VALID_DEAL, ("role: economic", "role: user")),
        "12: buyers: warning: No buyer is marked as economic buyer, so we do not know who signs",
    ),
    "several-economic-buyers": (
        edit(VALID_DEAL, ("role: [technical, coach]", "role: [economic, coach]")),
        "21: buyers[1].role: warning: 2 buyers are marked as economic buyer (Marie Dubois and "
        "Tom Janssens); only one person gives the final yes for one objective",
    ),
    "no-coach": (
        edit(VALID_DEAL, ("role: [technical, coach]", "role: technical")),
        "12: buyers: warning: No buyer is marked as coach, so nobody guides us inside the account",
    ),
    "economic-buyer-sees-no-need": (
        edit(VALID_DEAL, ("mode: growth", "mode: even-keel")),
        "17: buyers[0].mode: warning: Marie Dubois (economic buyer) is in even-keel mode and "
        "sees no gap to close",
    ),
    "no-buyer-sees-need": (
        edit(VALID_DEAL, ("    mode: growth\n", ""), ("mode: trouble", "mode: even-keel")),
        "12: buyers: warning: None of the 2 buyers is in growth or trouble mode, so nobody feels "
        "a gap to close (1 without a recorded mode)",
    ),
    "influential-buyer-against": (
        edit(VALID_DEAL, ("rating: 2", "rating: 0")),
        "18: buyers[0].rating: warning: Marie Dubois has high influence and rates our offer 0",
    ),
    "strongly-negative-buyer": (
        edit(VALID_DEAL, ("rating: 3", "rating: -4")),
        "24: buyers[1].rating: warning: Tom Janssens rates our offer \u22124, strongly against us",
    ),
    "stale-contact": (
        edit(VALID_DEAL, ("last_contact: 2026-11-01", "last_contact: 2026-10-01")),
        "25: buyers[1].last_contact: warning: Tom Janssens has not been contacted for 45 days "
        "(limit 30)",
    ),
    "zero-standing": (
        edit(VALID_DEAL, ("standing: front-runner", "standing: zero")),
        "29: competition[0].standing: warning: We stand at zero against Cloud warehouse "
        "reseller (a competitor)",
    ),
    "single-threaded": (
        edit(VALID_DEAL, MARIE_ROLE, TOM, NO_ACTION_BUYER),
        "12: buyers: warning: Marie Dubois is the only buyer listed: the deal depends on one "
        "person",
    ),
    "no-competition": (
        edit(VALID_DEAL, COMPETITION, ("alternatives:", "competition: []\nalternatives:")),
        "26: competition: warning: No competing option is listed; there is always at least "
        "doing nothing",
    ),
    "few-alternatives": (
        edit(
            VALID_DEAL,
            ("  - name: Co-design workshop\n", ""),
            ("    approach: more-participative\n    chance: 65\n    selected: true\n", ""),
        ),
        "30: alternatives: warning: Only one alternative is written down, so no approach was "
        "compared with another",
    ),
    "no-selected-alternative": (
        edit(VALID_DEAL, ("stage: develop", "stage: propose"), ("    selected: true\n", "")),
        "30: alternatives: warning: No alternative is selected, yet the deal is at stage propose "
        "(a choice is expected from propose on)",
    ),
    "overdue-actions": (
        edit(VALID_DEAL, ("due: 2026-12-05", "due: 2026-11-10")),
        "41: actions[0].due: warning: Planned action 'Live demo of lineage features' was due "
        "2026-11-10, 5 days ago",
    ),
    "no-planned-action": (
        edit(VALID_DEAL, ("    kind: demo\n", "    kind: demo\n    status: done\n")),
        "38: actions: warning: No action is planned, so nothing is scheduled to improve our "
        "position",
    ),
    "indicator-moving-away": (
        edit(VALID_DEAL, INDICATOR),
        "47: indicators[0].values[0]: warning: Indicator 'Technical buyer rating' is moving away "
        "from the target of 3 (last -1, before 1)",
    ),
    "close-date-passed": (
        edit(VALID_DEAL, ("close_date: 2027-03-31", "close_date: 2026-11-01")),
        "9: close_date: warning: The expected close date 2026-11-01 passed 14 days ago, but the "
        "deal is neither won nor lost",
    ),
}

# A flag about something absent whose list is not written at all: the opening '---' line.
ABSENT = {
    "buyers": (
        edit(VALID_DEAL, BUYERS, NO_ACTION_BUYER),
        [
            "1: buyers: warning: No buyer is marked as coach, so nobody guides us inside the "
            "account",
            "1: buyers: warning: No buyer is marked as economic buyer, so we do not know who signs",
        ],
    ),
    "competition": (
        edit(VALID_DEAL, COMPETITION),
        [
            "1: competition: warning: No competing option is listed; there is always at least "
            "doing nothing"
        ],
    ),
    "actions": (
        edit(VALID_DEAL, ACTIONS),
        [
            "1: actions: warning: No action is planned, so nothing is scheduled to improve our "
            "position"
        ],
    ),
}


def _check_both_ways(root: Path, expected: list[str]) -> None:
    """The exact warnings, exit 0 without --strict and 1 with it."""
    stdout = "".join(f"{DEAL}:{line}\n" for line in expected)
    relaxed = run_playbook("check", root)
    strict = run_playbook("check", "--strict", root)
    assert (relaxed.returncode, relaxed.stdout) == (0, stdout)
    assert (strict.returncode, strict.stdout) == (1, stdout)
    count = f"{len(expected)} warning" + ("s" if len(expected) > 1 else "")
    assert relaxed.stderr == strict.stderr == f"playbook check: 0 errors, {count}\n"


def test_every_rule_has_a_case() -> None:
    from playbook.analysis import RULE_IDS

    assert tuple(CASES) == RULE_IDS


@pytest.mark.parametrize("rule", list(CASES))
def test_check_points_at_the_field_of_the_flag(
    make_playbook: Callable[..., Path], rule: str
) -> None:
    text, expected = CASES[rule]
    _check_both_ways(make_playbook({DEAL: text}), [expected])


@pytest.mark.parametrize("missing", list(ABSENT))
def test_a_flag_about_an_unwritten_list_points_at_the_opening_line(
    make_playbook: Callable[..., Path], missing: str
) -> None:
    text, expected = ABSENT[missing]
    assert f"\n{missing}:" not in text
    _check_both_ways(make_playbook({DEAL: text}), expected)


def test_json_gives_the_line_the_field_and_the_rule(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook({DEAL: CASES["stale-contact"][0]})
    result = run_playbook("check", root, "--format", "json")
    assert result.returncode == 0
    assert result.stdout == (
        "[\n  {\n"
        f'    "path": "{DEAL}",\n'
        '    "line": 25,\n'
        '    "column": null,\n'
        '    "field": "buyers[1].last_contact",\n'
        '    "message": "Tom Janssens has not been contacted for 45 days (limit 30)",\n'
        '    "severity": "warning",\n'
        '    "code": "stale-contact"\n'
        "  }\n]\n"
    )


def test_github_titles_a_flag_by_its_rule_and_names_the_field(
    make_playbook: Callable[..., Path],
) -> None:
    root = make_playbook({DEAL: CASES["zero-standing"][0]})
    result = run_playbook("check", root, "--format", "github")
    assert result.returncode == 0
    assert result.stdout == (
        f"::warning file={DEAL},line=29,title=zero-standing::competition[0].standing: "
        "We stand at zero against Cloud warehouse reseller (a competitor)\n"
    )


def test_a_build_locates_its_warnings_as_check_does_also_from_the_cache(
    make_playbook: Callable[..., Path],
) -> None:
    text = edit(
        VALID_DEAL, ("rating: 3", "rating: -4"), ("standing: front-runner", "standing: zero")
    )
    root = make_playbook({DEAL: text})
    checked = check(root, jobs=1)
    assert [(d.line, d.field, d.code) for d in checked] == [
        (24, "buyers[1].rating", "strongly-negative-buyer"),
        (29, "competition[0].standing", "zero-standing"),
    ]
    fresh = build(root, root / "site", jobs=1)
    again = build(root, root / "site", jobs=1)  # nothing changed: warnings from the cache
    assert again.stats.cache_hits == 1
    assert fresh.warnings == again.warnings == checked
