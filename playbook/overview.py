"""Figures of the pages that list many deals: totals per stage and currency, stage, owner and tag
groups, and the red flags of the whole pipeline by rule.

Computed only from DealViews (the validated deal and its analysed figures), never by reading
files, so that these pages can be rebuilt from per-deal data alone.

Weighted value is a forecast, so it is given for open deals only: an open deal counts at its
value times the chance of its selected alternative, or at its full value when it has no such
chance (and the pages say which). Amounts in different currencies are never added together.

The overview's script (templates/static/filters.js) recounts these totals for the deals a filter
shows, so amounts are added as it adds them: left to right, in the order the deal table lists
them, whole numbers exactly until the first fraction.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from playbook.analysis import RULES, RedFlag, Rule
from playbook.schema import Settings

if TYPE_CHECKING:
    from playbook.render import DealView


@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    """The deals of one currency in a group, and how their weighted value was reached."""

    currency: str
    deals: int
    value: float
    weighted: float | None  # None for a group of closed deals: a forecast of a result is moot
    by_chance: int  # open deals with a value, weighted by their selected alternative's chance
    at_full_value: int  # open deals with a value but no chance: counted unweighted
    without_value: int

    @property
    def basis(self) -> str:
        """How the weighted value was reached, in words: ``2 by chance · 1 at full value``."""
        parts = [
            (self.by_chance, "by chance"),
            (self.at_full_value, "at full value"),
            (self.without_value, "without value"),
        ]
        return " · ".join(f"{count} {words}" for count, words in parts if count)

    @property
    def has_value(self) -> bool:
        """Whether any deal of the group states a value (else there is no amount to show)."""
        return self.deals > self.without_value


@dataclass(frozen=True, slots=True)
class StageGroup:
    stage: str
    closed: bool
    deals: list[DealView]
    totals: list[CurrencyTotal]


@dataclass(frozen=True, slots=True)
class NamedGroup:
    """The deals of one stage, owner or tag, with the slug and site path of their page."""

    name: str
    slug: str
    url: str
    deals: list[DealView]

    @property
    def open_deals(self) -> int:
        return sum(1 for view in self.deals if view.fig.is_open)

    @property
    def red_flags(self) -> int:
        return sum(len(view.fig.flags) for view in self.deals)

    @property
    def open_totals(self) -> list[CurrencyTotal]:
        return open_totals(self.deals)


def added(amounts: Iterable[float | int]) -> float | int:
    """The amounts added left to right, as a browser adds them.

    Python 3.12's ``sum()`` compensates the rounding of floats, which the overview's script cannot
    do; adding one by one keeps the page's recount and the build's figures equal to the cent.
    """
    return functools.reduce(operator.add, amounts, 0)


def currency_totals(views: Iterable[DealView]) -> list[CurrencyTotal]:
    """Totals per currency, in currency order; closed deals add to the value, not the weighted."""
    by_currency: dict[str, list[DealView]] = {}
    for view in views:
        by_currency.setdefault(view.deal.currency, []).append(view)
    totals = []
    for currency, deals in sorted(by_currency.items()):
        valued = [view for view in deals if view.deal.value is not None]
        forecast = [view for view in valued if view.fig.is_open]
        by_chance = [view for view in forecast if view.fig.weighted_value is not None]
        weighted = added(
            view.fig.weighted_value if view.fig.weighted_value is not None else view.deal.value
            for view in forecast
        )
        totals.append(
            CurrencyTotal(
                currency=currency,
                deals=len(deals),
                value=added(view.deal.value for view in valued),
                weighted=weighted if any(view.fig.is_open for view in deals) else None,
                by_chance=len(by_chance),
                at_full_value=len(forecast) - len(by_chance),
                without_value=len(deals) - len(valued),
            )
        )
    return totals


def stage_groups(views: list[DealView], settings: Settings) -> list[StageGroup]:
    """Every stage of the playbook, in its order, with its deals (possibly none) and totals."""
    closed = settings.stages.closed_stages
    groups = []
    for stage in settings.stages.order:
        deals = [view for view in views if view.stage == stage]
        groups.append(StageGroup(stage, stage in closed, deals, currency_totals(deals)))
    return groups


def open_totals(views: list[DealView]) -> list[CurrencyTotal]:
    """The open pipeline: every deal that is neither won nor lost, per currency.

    Pages that show these totals pass the deals in the order of their deal table (``listed``).
    """
    return currency_totals(view for view in views if view.fig.is_open)


def listed(groups: list[StageGroup]) -> list[DealView]:
    """The deals of ``groups`` in the order the deal table lists them: by stage, then as given."""
    return [view for group in groups for view in group.deals]


def named_groups(
    views: list[DealView],
    names_of: Callable[[DealView], Iterable[str]],
    slugs: dict[str, str],
    url_of: Callable[[str], str],
) -> list[NamedGroup]:
    """One group per name (owner or tag), sorted by name without regard to case.

    ``slugs`` maps each name to its slug, ``url_of`` a slug to the site path of its page.
    """
    members: dict[str, list[DealView]] = {}
    for view in views:
        for name in dict.fromkeys(names_of(view)):
            members.setdefault(name, []).append(view)
    return [
        NamedGroup(name, slugs[name], url_of(slugs[name]), deals)
        for name, deals in sorted(members.items(), key=lambda item: (item[0].casefold(), item[0]))
    ]


def stage_named_groups(
    views: list[DealView], settings: Settings, slugs: dict[str, str], url_of: Callable[[str], str]
) -> list[NamedGroup]:
    """One group per stage of the playbook, in the playbook's order, empty stages included."""
    return [
        NamedGroup(
            stage, slugs[stage], url_of(slugs[stage]), [v for v in views if v.stage == stage]
        )
        for stage in settings.stages.order
    ]


@dataclass(frozen=True, slots=True)
class RuleHits:
    """One red-flag rule across the pipeline: the deals it fires on, each with its flags."""

    rule: Rule
    enabled: bool
    deals: list[tuple[DealView, list[RedFlag]]]

    @property
    def flags(self) -> int:
        return sum(len(flags) for _, flags in self.deals)


def flags_by_rule(views: list[DealView], settings: Settings) -> list[RuleHits]:
    """Every rule in ``RULES`` order, with its deals in stage order (then by slug, as given)."""
    position = {stage: index for index, stage in enumerate(settings.stages.order)}
    ordered = sorted(views, key=lambda view: position.get(view.stage, len(position)))
    disabled = set(settings.red_flags.disable)
    by_rule: dict[str, list[tuple[DealView, list[RedFlag]]]] = {rule.id: [] for rule in RULES}
    for view in ordered:  # one pass over the flags: ten thousand deals, seventeen rules
        of_deal: dict[str, list[RedFlag]] = {}
        for flag in view.fig.flags:
            of_deal.setdefault(flag.rule, []).append(flag)
        for rule_id, flags in of_deal.items():
            if rule_id in by_rule:
                by_rule[rule_id].append((view, flags))
    return [RuleHits(rule, rule.id not in disabled, by_rule[rule.id]) for rule in RULES]
