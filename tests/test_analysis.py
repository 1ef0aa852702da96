"""Behaviour of the analysis stage: red-flag rules, indicator trends and deal figures."""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from playbook.analysis import (
    RULE_IDS,
    RULES,
    RULES_BY_ID,
    SEVERITY_ORDER,
    RedFlag,
    analyse,
    indicator_trend,
    is_open,
    red_flags,
)
from playbook.schema import Deal, Indicator, Settings

TODAY = date(2026, 11, 15)
FUNNEL = {
    "order": ["above-funnel", "in-funnel", "best-few", "won", "lost"],
    "select_alternative_from": "best-few",
}

# A deal that follows the method everywhere: the baseline every test changes a little.
HEALTHY: dict[str, Any] = {
    "title": "Data platform renewal",
    "customer": "Acme Corp",
    "owner": "Jan Peeters",
    "stage": "propose",
    "objective": "Acme renews the data platform for 250 seats by 31 March 2027",
    "value": 180000,
    "currency": "EUR",
    "close_date": "2027-03-31",
    "buyers": [
        {
            "name": "Marie Dubois",
            "role": "economic",
            "influence": "high",
            "mode": "growth",
            "rating": 2,
            "last_contact": "2026-11-01",
        },
        {
            "name": "Tom Janssens",
            "role": ["technical", "coach"],
            "influence": "medium",
            "mode": "trouble",
            "rating": 3,
            "last_contact": "2026-11-10",
        },
    ],
    "competition": [
        {"name": "Cloud reseller", "kind": "competitor", "standing": "front-runner"},
        {"name": "Keep the current platform", "kind": "do-nothing", "standing": "shared"},
    ],
    "alternatives": [
        {"name": "Lite edition", "approach": "cheaper", "chance": 40},
        {
            "name": "Phased roll-out",
            "approach": "more-participative",
            "chance": 65,
            "selected": True,
        },
    ],
    "actions": [
        {"what": "Business case with the CFO", "due": "2026-10-20", "status": "done"},
        {"what": "Live demo of lineage", "due": "2026-12-05", "status": "planned"},
    ],
    "indicators": [
        {
            "name": "Technical buyer rating",
            "target": 3,
            "values": [{"date": "2026-10-01", "value": -2}, {"date": "2026-11-01", "value": 0}],
        }
    ],
}


def make_deal(**overrides: Any) -> Deal:
    """The healthy deal with some top-level fields replaced."""
    data = copy.deepcopy(HEALTHY)
    data.update(overrides)
    return Deal.model_validate(data)


def with_buyer(index: int, **fields: Any) -> list[dict[str, Any]]:
    """The healthy buyers, with some fields of one of them replaced (None removes a field)."""
    buyers = copy.deepcopy(HEALTHY["buyers"])
    buyers[index].update(fields)
    buyers[index] = {key: value for key, value in buyers[index].items() if value is not None}
    return buyers


def buyer(name: str, role: str | list[str], **fields: Any) -> dict[str, Any]:
    return {"name": name, "role": role, **fields}


def flags_of(rule: str, deal: Deal, settings: Settings | None = None) -> list[RedFlag]:
    return [f for f in red_flags(deal, TODAY, settings or Settings()) if f.rule == rule]


def action(what: str, due: str | None, status: str = "planned") -> dict[str, Any]:
    return {"what": what, "status": status, **({"due": due} if due else {})}


def values(*points: float) -> list[dict[str, Any]]:
    return [{"date": f"2026-0{i + 1}-01", "value": v} for i, v in enumerate(points)]


# ----------------------------------------------------------------------------- rules table


def test_rules_are_listed_in_spec_order_with_stable_ids() -> None:
    assert RULE_IDS == (
        "no-economic-buyer",
        "several-economic-buyers",
        "no-coach",
        "economic-buyer-sees-no-need",
        "no-buyer-sees-need",
        "influential-buyer-against",
        "strongly-negative-buyer",
        "stale-contact",
        "zero-standing",
        "single-threaded",
        "no-competition",
        "few-alternatives",
        "no-selected-alternative",
        "overdue-actions",
        "no-planned-action",
        "indicator-moving-away",
        "close-date-passed",
    )
    assert tuple(r.id for r in RULES) == RULE_IDS
    assert RULES_BY_ID["no-coach"].severity == "high"
    assert RULES_BY_ID["no-competition"].severity == "low"
    assert RULES_BY_ID["stale-contact"].anchor == "buyer-not-contacted-recently"
    assert SEVERITY_ORDER == {"high": 0, "medium": 1, "low": 2}


def test_every_rule_anchor_is_a_heading_of_the_sample_red_flags_page() -> None:
    page = Path(__file__).parent.parent / "content" / "method" / "red-flags.md"
    if not page.is_file():
        pytest.skip("sample method page not present")
    headings = re.findall(r"^## (.+)$", page.read_text(encoding="utf-8"), flags=re.M)
    anchors = [re.sub(r"[^a-z0-9]+", "-", h.lower()).strip("-") for h in headings]
    assert anchors == [rule.anchor for rule in RULES]
    assert headings == [rule.title for rule in RULES]


def test_healthy_baseline_has_no_red_flags() -> None:
    assert red_flags(make_deal(), TODAY, Settings()) == []
    assert analyse(make_deal(), TODAY, Settings()).worst_severity is None


# ----------------------------------------------------------------------------- each rule fires

TRIGGERS: list[tuple[str, dict[str, Any], list[str | None], str]] = [
    (
        "no-economic-buyer",
        {"buyers": with_buyer(0, role="user")},
        [None],
        "No buyer is marked as economic buyer",
    ),
    (
        "several-economic-buyers",
        {"buyers": with_buyer(1, role=["economic", "coach"])},
        [None],
        "2 buyers are marked as economic buyer (Marie Dubois and Tom Janssens)",
    ),
    (
        "no-coach",
        {"buyers": with_buyer(1, role="technical")},
        [None],
        "No buyer is marked as coach",
    ),
    (
        "economic-buyer-sees-no-need",
        {"buyers": with_buyer(0, mode="even-keel")},
        ["Marie Dubois"],
        "Marie Dubois (economic buyer) is in even-keel mode and sees no gap to close",
    ),
    (
        "no-buyer-sees-need",
        {"buyers": [buyer("Bob", "coach", mode="overconfident"), buyer("Cy", "economic")]},
        [None],
        "None of the 2 buyers is in growth or trouble mode",
    ),
    (
        "influential-buyer-against",
        {"buyers": with_buyer(0, rating=0)},
        ["Marie Dubois"],
        "Marie Dubois has high influence and rates our offer 0",
    ),
    (
        "strongly-negative-buyer",
        {"buyers": with_buyer(1, rating=-4)},
        ["Tom Janssens"],
        "Tom Janssens rates our offer \u22124",
    ),
    (
        "stale-contact",
        {"buyers": with_buyer(1, last_contact="2026-10-01")},
        ["Tom Janssens"],
        "Tom Janssens has not been contacted for 45 days (limit 30)",
    ),
    (
        "zero-standing",
        {
            "competition": [
                {"name": "Cloud reseller", "kind": "competitor", "standing": "zero"},
                {"name": "Keep the current platform", "kind": "do-nothing", "standing": "zero"},
            ]
        },
        ["Cloud reseller", "Keep the current platform"],
        "We stand at zero against Cloud reseller (a competitor)",
    ),
    (
        "single-threaded",
        {"buyers": [buyer("Eva", ["economic", "coach"], mode="growth")]},
        ["Eva"],
        "Eva is the only buyer listed",
    ),
    ("no-competition", {"competition": []}, [None], "No competing option is listed"),
    (
        "few-alternatives",
        {"alternatives": [{"name": "Only", "approach": "other", "selected": True}]},
        [None],
        "Only one alternative is written down",
    ),
    (
        "no-selected-alternative",
        {
            "alternatives": [
                {"name": "A", "approach": "cheaper"},
                {"name": "B", "approach": "other"},
            ]
        },
        [None],
        "No alternative is selected, yet the deal is at stage propose (a choice is expected "
        "from propose on)",
    ),
    (
        "overdue-actions",
        {"actions": [action("Live demo of lineage", "2026-11-01"), action("Later", "2026-12-01")]},
        ["Live demo of lineage"],
        "Planned action 'Live demo of lineage' was due 2026-11-01, 14 days ago",
    ),
    (
        "no-planned-action",
        {"actions": [action("Demo", "2026-10-01", "done"), action("Trial", None, "dropped")]},
        [None],
        "No action is planned",
    ),
    (
        "indicator-moving-away",
        {
            "indicators": [
                {"name": "Rating", "target": 3, "values": values(2, 0)},
                {"name": "Calm", "values": values(1, 1)},
            ]
        },
        ["Rating"],
        "Indicator 'Rating' is moving away from the target of 3 (last 0, before 2)",
    ),
    (
        "close-date-passed",
        {"close_date": "2026-11-05"},
        [None],
        "The expected close date 2026-11-05 passed 10 days ago",
    ),
]


def test_trigger_table_covers_every_rule() -> None:
    assert sorted(case[0] for case in TRIGGERS) == sorted(RULE_IDS)


@pytest.mark.parametrize(
    ("rule", "overrides", "subjects", "fragment"), TRIGGERS, ids=[c[0] for c in TRIGGERS]
)
def test_rule_fires_on_the_weak_spot(
    rule: str, overrides: dict[str, Any], subjects: list[str | None], fragment: str
) -> None:
    flags = flags_of(rule, make_deal(**overrides))
    assert [f.subject for f in flags] == subjects
    assert fragment in flags[0].message
    assert all(f.severity == RULES_BY_ID[rule].severity for f in flags)


# ----------------------------------------------------------------------------- each rule is silent

SILENT: list[tuple[str, dict[str, Any]]] = [
    ("no-economic-buyer", {"buyers": with_buyer(1, role=["coach", "economic"])}),
    ("several-economic-buyers", {"buyers": with_buyer(1, role=["technical", "coach"])}),
    ("no-coach", {"buyers": with_buyer(0, role=["economic", "coach"])}),
    ("economic-buyer-sees-no-need", {"buyers": with_buyer(0, mode="trouble")}),
    ("economic-buyer-sees-no-need", {"buyers": with_buyer(0, mode=None)}),
    ("economic-buyer-sees-no-need", {"buyers": with_buyer(1, mode="overconfident")}),
    ("no-buyer-sees-need", {"buyers": with_buyer(0, mode="even-keel")}),
    ("influential-buyer-against", {"buyers": with_buyer(0, rating=1)}),
    ("influential-buyer-against", {"buyers": with_buyer(1, rating=-1)}),
    ("influential-buyer-against", {"buyers": with_buyer(0, rating=None)}),
    ("strongly-negative-buyer", {"buyers": with_buyer(1, rating=-3)}),
    ("stale-contact", {"buyers": with_buyer(1, last_contact="2026-10-16")}),
    ("stale-contact", {"buyers": with_buyer(1, last_contact=None)}),
    ("zero-standing", {"competition": [{"name": "X", "kind": "in-house", "standing": "shared"}]}),
    ("single-threaded", {}),
    ("no-competition", {"competition": [{"name": "Nothing", "kind": "do-nothing"}]}),
    ("few-alternatives", {}),
    ("no-selected-alternative", {"stage": "develop", "alternatives": []}),
    (
        "overdue-actions",
        {"actions": [action("Today", "2026-11-15"), action("Old", "2026-10-01", "done")]},
    ),
    ("no-planned-action", {"actions": [action("Undated", None)]}),
    (
        "indicator-moving-away",
        {"indicators": [{"name": "Rating", "target": 3, "values": values(0, 1)}]},
    ),
    ("close-date-passed", {"close_date": "2026-11-15"}),
    ("close-date-passed", {"close_date": None}),
]


def test_silent_table_covers_every_rule() -> None:
    assert {case[0] for case in SILENT} == set(RULE_IDS)


@pytest.mark.parametrize(("rule", "overrides"), SILENT, ids=[c[0] for c in SILENT])
def test_rule_is_silent_when_the_method_is_followed(rule: str, overrides: dict[str, Any]) -> None:
    deal = make_deal(**overrides)
    assert flags_of(rule, deal) == []


def test_stale_contact_counts_days_against_the_configured_limit() -> None:
    deal = make_deal(buyers=with_buyer(0, last_contact="2026-11-01"))
    assert flags_of("stale-contact", deal, Settings(stale_after_days=14)) == []
    [flag] = flags_of("stale-contact", deal, Settings(stale_after_days=13))
    assert flag.message == "Marie Dubois has not been contacted for 14 days (limit 13)"


def test_each_economic_buyer_without_a_felt_need_gets_a_flag() -> None:
    buyers = [
        buyer("Ann", "economic", mode="overconfident"),
        buyer("Bob", ["economic", "coach"], mode="even-keel"),
        buyer("Cy", "user", mode="growth"),
    ]
    flags = flags_of("economic-buyer-sees-no-need", make_deal(buyers=buyers))
    assert [f.subject for f in flags] == ["Ann", "Bob"]
    assert "Ann (economic buyer) is in overconfident mode" in flags[0].message


def test_no_buyer_sees_need_mentions_buyers_without_a_mode() -> None:
    buyers = [buyer("Ann", "economic", mode="even-keel"), buyer("Bob", "coach")]
    [flag] = flags_of("no-buyer-sees-need", make_deal(buyers=buyers))
    assert flag.message.endswith("(1 without a recorded mode)")


def test_a_deal_without_buyers_lacks_economic_buyer_and_coach_only() -> None:
    rules = {f.rule for f in red_flags(make_deal(buyers=[]), TODAY, Settings())}
    assert rules == {"no-economic-buyer", "no-coach"}


def test_few_alternatives_fires_when_none_is_written_down() -> None:
    [flag] = flags_of("few-alternatives", make_deal(stage="develop", alternatives=[]))
    assert flag.message.startswith("No alternative is written down")


# ----------------------------------------------------------------------------- open and closed

PLAN_AND_DATES: dict[str, Any] = {
    "buyers": with_buyer(0, last_contact="2026-01-01"),
    "alternatives": [{"name": "A", "approach": "cheaper"}, {"name": "B", "approach": "other"}],
    "actions": [action("Forgotten demo", "2026-10-01", "done"), action("Undated", None, "dropped")],
    "close_date": "2026-10-01",
}


def test_plan_and_date_rules_fire_on_an_open_deal() -> None:
    rules = [f.rule for f in red_flags(make_deal(**PLAN_AND_DATES), TODAY, Settings())]
    assert rules == [
        "stale-contact",
        "no-selected-alternative",
        "no-planned-action",
        "close-date-passed",
    ]


@pytest.mark.parametrize("stage", ["won", "lost"])
def test_plan_and_date_rules_are_silent_on_a_closed_deal(stage: str) -> None:
    overrides = {**PLAN_AND_DATES, "actions": [action("Late", "2026-10-01")]}
    deal = make_deal(stage=stage, **overrides)
    assert red_flags(deal, TODAY, Settings()) == []
    assert analyse(deal, TODAY, Settings()).overdue_actions == ()


def test_situation_rules_still_fire_on_a_lost_deal() -> None:
    deal = make_deal(stage="lost", buyers=with_buyer(1, role="technical"), competition=[])
    assert [f.rule for f in red_flags(deal, TODAY, Settings())] == ["no-coach", "no-competition"]


@pytest.mark.parametrize(
    ("stage", "expected"),
    [("prospect", True), ("negotiate", True), ("won", False), ("lost", False)],
)
def test_is_open_with_default_stages(stage: str, expected: bool) -> None:
    assert is_open(make_deal(stage=stage), Settings()) is expected


@pytest.mark.parametrize(
    ("stage", "expected"),
    [("above-funnel", True), ("best-few", True), ("won", False), ("lost", False)],
)
def test_is_open_with_custom_stages(stage: str, expected: bool) -> None:
    assert is_open(make_deal(stage=stage), Settings(stages=FUNNEL)) is expected


@pytest.mark.parametrize(
    ("stage", "flagged"),
    [("above-funnel", False), ("in-funnel", False), ("best-few", True), ("won", False)],
)
def test_no_selected_alternative_follows_the_playbook_stages(stage: str, flagged: bool) -> None:
    alternatives = [{"name": "A", "approach": "cheaper"}, {"name": "B", "approach": "other"}]
    deal = make_deal(stage=stage, alternatives=alternatives)
    flags = flags_of("no-selected-alternative", deal, Settings(stages=FUNNEL))
    assert [f.rule for f in flags] == (["no-selected-alternative"] if flagged else [])
    if flagged:
        assert "from best-few on" in flags[0].message


def test_no_selected_alternative_is_silent_without_a_selection_stage() -> None:
    alternatives = [{"name": "A", "approach": "cheaper"}, {"name": "B", "approach": "other"}]
    settings = Settings(stages={"order": ["open", "done"], "won": ["done"]})
    deal = make_deal(stage="open", alternatives=alternatives)
    assert settings.stages.selection_stage is None
    assert flags_of("no-selected-alternative", deal, settings) == []


# ----------------------------------------------------------------------------- disabling


def test_disabled_rule_is_silent_and_others_still_fire() -> None:
    deal = make_deal(competition=[], buyers=with_buyer(1, role="technical"))
    settings = Settings(red_flags={"disable": ["no-competition"]})
    assert [f.rule for f in red_flags(deal, TODAY, settings)] == ["no-coach"]
    assert [f.rule for f in red_flags(deal, TODAY, Settings())] == ["no-coach", "no-competition"]


def test_disabling_every_rule_silences_everything() -> None:
    deal = make_deal(buyers=[], competition=[], alternatives=[], actions=[])
    assert red_flags(deal, TODAY, Settings(red_flags={"disable": list(RULE_IDS)})) == []


# ----------------------------------------------------------------------------- order


def test_flags_come_in_rule_order_then_deal_order_and_are_deterministic() -> None:
    deal = make_deal(
        buyers=[
            buyer("Zoe", "user", influence="high", rating=-5, last_contact="2026-01-01"),
            buyer("Adam", "technical", influence="high", rating=-4),
        ],
        actions=[action("Second", "2026-11-10"), action("First", "2026-11-01")],
    )
    flags = red_flags(deal, TODAY, Settings())
    assert [(f.rule, f.subject) for f in flags] == [
        ("no-economic-buyer", None),
        ("no-coach", None),
        ("no-buyer-sees-need", None),
        ("influential-buyer-against", "Zoe"),
        ("influential-buyer-against", "Adam"),
        ("strongly-negative-buyer", "Zoe"),
        ("strongly-negative-buyer", "Adam"),
        ("stale-contact", "Zoe"),
        ("overdue-actions", "Second"),
        ("overdue-actions", "First"),
    ]
    assert red_flags(deal, TODAY, Settings()) == flags
    positions = [RULE_IDS.index(f.rule) for f in flags]
    assert positions == sorted(positions)


# ----------------------------------------------------------------------------- indicator trends

TRENDS: list[tuple[dict[str, Any], str, str]] = [
    ({"values": []}, "unknown", "no values yet"),
    ({"target": 3, "values": []}, "unknown", "no values yet (target 3)"),
    ({"values": values(2)}, "unknown", "only one value so far (2)"),
    (
        {"target": 3, "values": values(1)},
        "unknown",
        "only one value so far (1), 2 short of the target of 3",
    ),
    (
        {"target": 3, "values": values(4)},
        "unknown",
        "only one value so far (4), which meets the target of 3",
    ),
    ({"values": values(1, 2)}, "towards", "improving (last 2, before 1); higher is better"),
    ({"values": values(2, 1)}, "away", "worsening (last 1, before 2); higher is better"),
    (
        {"better": "lower", "values": values(5, 3)},
        "towards",
        "improving (last 3, before 5); lower is better",
    ),
    (
        {"better": "lower", "values": values(3, 5)},
        "away",
        "worsening (last 5, before 3); lower is better",
    ),
    ({"values": values(1.5, 1.5)}, "flat", "unchanged (last 1.5, before 1.5)"),
    (
        {"target": 3, "values": values(-2, 0)},
        "towards",
        "moving towards the target of 3 (last 0, before -2)",
    ),
    (
        {"target": 3, "values": values(2, 0)},
        "away",
        "moving away from the target of 3 (last 0, before 2)",
    ),
    (
        {"target": 3, "values": values(1, 1)},
        "flat",
        "no closer to the target of 3 (last 1, before 1)",
    ),
    (
        {"target": 3, "values": values(0, 3)},
        "reached",
        "at or beyond the target of 3 (last 3, before 0)",
    ),
    (
        {"target": 3, "values": values(5, 4)},
        "reached",
        "at or beyond the target of 3 (last 4, before 5)",
    ),
    (
        {"target": 3, "values": values(5, 1)},
        "away",
        "moving away from the target of 3 (last 1, before 5)",
    ),
    ({"target": 10, "better": "lower", "values": values(14, 12)}, "towards", "target of 10"),
    ({"target": 10, "better": "lower", "values": values(12, 14)}, "away", "(last 14, before 12)"),
    ({"target": 10, "better": "lower", "values": values(12, 10)}, "reached", "at or beyond"),
    ({"target": 10, "better": "lower", "values": values(8, 12)}, "away", "moving away"),
    (
        {"target": 0.3, "values": values(0.1, 0.1 + 0.2)},
        "reached",
        "target of 0.3 (last 0.3, before 0.1)",
    ),
    ({"target": 2.0, "values": values(1.0, 1.5)}, "towards", "target of 2 (last 1.5, before 1)"),
]


@pytest.mark.parametrize(("fields", "direction", "words"), TRENDS)
def test_indicator_trend(fields: dict[str, Any], direction: str, words: str) -> None:
    trend = indicator_trend(Indicator.model_validate({"name": "Measure", **fields}))
    assert (trend.name, trend.direction) == ("Measure", direction)
    assert words in trend.words


def test_indicator_trend_sorts_values_by_date() -> None:
    indicator = Indicator.model_validate(
        {
            "name": "Rating",
            "target": 3,
            "values": [
                {"date": "2026-11-01", "value": 2},
                {"date": "2026-09-01", "value": -3},
                {"date": "2026-10-01", "value": 0},
            ],
        }
    )
    trend = indicator_trend(indicator)
    assert trend.direction == "towards"
    assert trend.words == "moving towards the target of 3 (last 2, before 0)"


# ----------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    ("value", "alternatives", "weighted", "chance"),
    [
        (180000, None, 117000.0, 65),
        (None, None, None, 65),
        (1000, [{"name": "A", "approach": "cheaper", "chance": 40}], None, None),
        (1000, [{"name": "A", "approach": "cheaper", "selected": True}], None, None),
        (1000, [{"name": "A", "approach": "cheaper", "chance": 0, "selected": True}], 0.0, 0),
    ],
)
def test_weighted_value_uses_the_selected_alternatives_chance(
    value: float | None,
    alternatives: list[dict[str, Any]] | None,
    weighted: float | None,
    chance: int | None,
) -> None:
    overrides: dict[str, Any] = {"value": value}
    if alternatives is not None:
        overrides["alternatives"] = alternatives
    figures = analyse(make_deal(**overrides), TODAY, Settings())
    assert figures.weighted_value == weighted
    assert figures.chance == chance


def test_overdue_actions_are_indexes_of_late_planned_actions() -> None:
    deal = make_deal(
        actions=[
            action("Late", "2026-11-01"),
            action("Done late", "2026-11-01", "done"),
            action("Due today", "2026-11-15"),
            action("Undated", None),
            action("Very late", "2026-09-01"),
            action("Dropped", "2026-09-01", "dropped"),
        ]
    )
    figures = analyse(deal, TODAY, Settings())
    assert figures.overdue_actions == (0, 4)
    assert [f.subject for f in figures.flags if f.rule == "overdue-actions"] == [
        "Late",
        "Very late",
    ]


def test_overdue_by_one_day_says_day_not_days() -> None:
    [flag] = flags_of("overdue-actions", make_deal(actions=[action("Call", "2026-11-14")]))
    assert flag.message == "Planned action 'Call' was due 2026-11-14, 1 day ago"


@pytest.mark.parametrize(
    ("overrides", "worst"),
    [
        ({}, None),
        ({"competition": []}, "low"),
        ({"competition": [], "buyers": with_buyer(0, last_contact="2026-01-01")}, "medium"),
        ({"competition": [], "close_date": "2026-11-01"}, "high"),
    ],
)
def test_worst_severity_is_the_most_severe_flag(
    overrides: dict[str, Any], worst: str | None
) -> None:
    assert analyse(make_deal(**overrides), TODAY, Settings()).worst_severity == worst


def test_analyse_gathers_every_figure() -> None:
    deal = make_deal(stage="won", close_date="2026-12-01", competition=[])
    figures = analyse(deal, TODAY, Settings())
    assert (figures.is_open, figures.is_won, figures.is_lost) == (False, True, False)
    assert figures.days_to_close == 16
    assert [f.rule for f in figures.flags] == ["no-competition"]
    assert [(t.name, t.direction) for t in figures.trends] == [
        ("Technical buyer rating", "towards")
    ]


@pytest.mark.parametrize(
    ("stage", "settings", "state"),
    [
        ("lost", Settings(), (False, False, True)),
        ("develop", Settings(), (True, False, False)),
        ("won", Settings(stages=FUNNEL), (False, True, False)),
        ("best-few", Settings(stages=FUNNEL), (True, False, False)),
    ],
)
def test_open_won_and_lost_follow_the_stage(
    stage: str, settings: Settings, state: tuple[bool, bool, bool]
) -> None:
    figures = analyse(make_deal(stage=stage), TODAY, settings)
    assert (figures.is_open, figures.is_won, figures.is_lost) == state


def test_days_to_close_is_none_without_a_close_date() -> None:
    assert analyse(make_deal(close_date=None), TODAY, Settings()).days_to_close is None
    assert analyse(make_deal(close_date="2026-11-05"), TODAY, Settings()).days_to_close == -10
