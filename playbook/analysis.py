"""Analysis of validated deals: red flags, indicator trends and the figures the pages show.

Pure functions, no I/O: every result depends only on the deal, the settings and ``today``, so
that a build is reproducible (``today`` is the playbook's ``as_of`` date when it sets one).

Which rules look at closed (won or lost) deals: the rules about the plan and the dates
(``stale-contact``, ``no-selected-alternative``, ``overdue-actions``, ``no-planned-action``,
``close-date-passed``) only fire on open deals, since nobody should chase a buyer or an action of
a finished deal. All the other rules fire whatever the stage: a lost deal's review should still
show that there was no coach, or that we stood at zero against a competitor.

Missing data never raises a flag by itself, except where the absence is the point (no economic
buyer, no coach, no competition, ...): a buyer without ``last_contact`` is not stale, a buyer
without ``mode`` is not an economic buyer who sees no need.

Every flag names the field it is about, as a path into the front-matter, so that ``check`` can
point at its line: the value that raised it (``buyers[2].last_contact``), or for something
absent the list it is missing from (``buyers`` for no coach, ``competition``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

from playbook.formatting import counted, signed
from playbook.schema import Alternative, Buyer, Deal, Indicator, KeyPath, Settings

Severity = Literal["high", "medium", "low"]

SEVERITY_ORDER: dict[str, int] = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True, slots=True)
class Rule:
    """A red-flag rule: what the pages show about it, and where the method page explains it."""

    id: str
    severity: Severity
    title: str
    anchor: str


@dataclass(frozen=True, slots=True)
class RedFlag:
    """One weak spot of one deal, in words a salesperson can act on."""

    rule: str
    severity: Severity
    message: str
    field: KeyPath  # what to mend: ``("buyers", 2, "last_contact")``, or a list for an absence
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class IndicatorTrend:
    """Where an indicator is heading, as a direction to test and words to show."""

    name: str
    direction: Literal["towards", "away", "reached", "flat", "unknown"]
    words: str


@dataclass(frozen=True, slots=True)
class DealFigures:
    """Everything the site derives from one deal, computed once per build."""

    is_open: bool
    is_won: bool
    is_lost: bool
    weighted_value: float | None
    chance: int | None
    overdue_actions: tuple[int, ...]
    days_to_close: int | None
    worst_severity: Severity | None
    flags: tuple[RedFlag, ...]
    trends: tuple[IndicatorTrend, ...]


# The order of the spec's list of red flags: the overview and the deal pages show them so.
RULES: tuple[Rule, ...] = (
    Rule("no-economic-buyer", "high", "No economic buyer", "no-economic-buyer"),
    Rule(
        "several-economic-buyers",
        "medium",
        "More than one economic buyer",
        "more-than-one-economic-buyer",
    ),
    Rule("no-coach", "high", "No coach", "no-coach"),
    Rule(
        "economic-buyer-sees-no-need",
        "medium",
        "Economic buyer sees no need for change",
        "economic-buyer-sees-no-need-for-change",
    ),
    Rule(
        "no-buyer-sees-need",
        "medium",
        "No buyer sees a need for change",
        "no-buyer-sees-a-need-for-change",
    ),
    Rule(
        "influential-buyer-against",
        "high",
        "Influential buyer against us",
        "influential-buyer-against-us",
    ),
    Rule("strongly-negative-buyer", "high", "Strongly negative buyer", "strongly-negative-buyer"),
    Rule(
        "stale-contact",
        "medium",
        "Buyer not contacted recently",
        "buyer-not-contacted-recently",
    ),
    Rule(
        "zero-standing",
        "high",
        "We stand at zero against a competitor",
        "we-stand-at-zero-against-a-competitor",
    ),
    Rule("single-threaded", "medium", "Single-threaded", "single-threaded"),
    Rule("no-competition", "low", "No competition listed", "no-competition-listed"),
    Rule(
        "few-alternatives",
        "low",
        "Too few alternatives considered",
        "too-few-alternatives-considered",
    ),
    Rule(
        "no-selected-alternative",
        "medium",
        "No alternative selected",
        "no-alternative-selected",
    ),
    Rule("overdue-actions", "medium", "Overdue actions", "overdue-actions"),
    Rule("no-planned-action", "medium", "No planned action", "no-planned-action"),
    Rule(
        "indicator-moving-away",
        "medium",
        "Indicator moving away from target",
        "indicator-moving-away-from-target",
    ),
    Rule("close-date-passed", "high", "Close date in the past", "close-date-in-the-past"),
)
RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

# ----------------------------------------------------------------------------- deal state


def is_open(deal: Deal, settings: Settings) -> bool:
    """A deal is open until its stage is one that closes it as won or lost."""
    return deal.stage not in settings.stages.closed_stages


def _num(value: float) -> str:
    """A number as a person writes it: 3 rather than 3.0, 0.3 rather than 0.30000000000000004."""
    if float(value).is_integer():
        return str(int(value))
    return repr(round(float(value), 6))


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _has_role(buyer: Buyer, role: str) -> bool:
    return role in buyer.role


# ----------------------------------------------------------------------------- rule checks


@dataclass(frozen=True, slots=True)
class _Context:
    deal: Deal
    today: date
    settings: Settings
    open: bool


def _flag(rule_id: str, message: str, field: KeyPath, subject: str | None = None) -> RedFlag:
    return RedFlag(rule_id, RULES_BY_ID[rule_id].severity, message, field, subject)


def _no_economic_buyer(ctx: _Context) -> Iterator[RedFlag]:
    """Fires on a deal without buyers too: nobody known to sign is the weak spot itself."""
    if not any(_has_role(buyer, "economic") for buyer in ctx.deal.buyers):
        yield _flag(
            "no-economic-buyer",
            "No buyer is marked as economic buyer, so we do not know who signs",
            ("buyers",),
        )


def _several_economic_buyers(ctx: _Context) -> Iterator[RedFlag]:
    """One flag naming them all: the fix (find who really decides) concerns them together.

    It points at the role of the second one, where there starts to be one too many.
    """
    buyers = ctx.deal.buyers
    economic = [index for index, buyer in enumerate(buyers) if _has_role(buyer, "economic")]
    if len(economic) > 1:
        names = [buyers[index].name for index in economic]
        yield _flag(
            "several-economic-buyers",
            f"{len(names)} buyers are marked as economic buyer ({_and(names)}); "
            "only one person gives the final yes for one objective",
            ("buyers", economic[1], "role"),
        )


def _no_coach(ctx: _Context) -> Iterator[RedFlag]:
    """Fires on a deal without buyers too: nobody guides us through the account."""
    if not any(_has_role(buyer, "coach") for buyer in ctx.deal.buyers):
        yield _flag(
            "no-coach",
            "No buyer is marked as coach, so nobody guides us inside the account",
            ("buyers",),
        )


def _economic_buyer_sees_no_need(ctx: _Context) -> Iterator[RedFlag]:
    for index, buyer in enumerate(ctx.deal.buyers):
        if _has_role(buyer, "economic") and buyer.mode in ("even-keel", "overconfident"):
            yield _flag(
                "economic-buyer-sees-no-need",
                f"{buyer.name} (economic buyer) is in {buyer.mode} mode and sees no gap to close",
                ("buyers", index, "mode"),
                buyer.name,
            )


def _no_buyer_sees_need(ctx: _Context) -> Iterator[RedFlag]:
    """Silent on a deal without buyers: ``no-economic-buyer`` and ``no-coach`` already say it."""
    buyers = ctx.deal.buyers
    if not buyers or any(buyer.mode in ("growth", "trouble") for buyer in buyers):
        return
    unknown = sum(1 for buyer in buyers if buyer.mode is None)
    message = (
        f"None of the {counted(len(buyers), 'buyer')} is in growth or trouble mode, "
        "so nobody feels a gap to close"
        if len(buyers) > 1
        else f"{buyers[0].name}, the only buyer, is not in growth or trouble mode, "
        "so nobody feels a gap to close"
    )
    if unknown:
        message += f" ({unknown} without a recorded mode)"
    yield _flag("no-buyer-sees-need", message, ("buyers",))


def _influential_buyer_against(ctx: _Context) -> Iterator[RedFlag]:
    for index, buyer in enumerate(ctx.deal.buyers):
        if buyer.influence == "high" and buyer.rating is not None and buyer.rating <= 0:
            yield _flag(
                "influential-buyer-against",
                f"{buyer.name} has high influence and rates our offer {signed(buyer.rating)}",
                ("buyers", index, "rating"),
                buyer.name,
            )


def _strongly_negative_buyer(ctx: _Context) -> Iterator[RedFlag]:
    for index, buyer in enumerate(ctx.deal.buyers):
        if buyer.rating is not None and buyer.rating <= -4:
            yield _flag(
                "strongly-negative-buyer",
                f"{buyer.name} rates our offer {signed(buyer.rating)}, strongly against us",
                ("buyers", index, "rating"),
                buyer.name,
            )


def _stale_contact(ctx: _Context) -> Iterator[RedFlag]:
    """Open deals only; a buyer without ``last_contact`` is not judged (no date, no age)."""
    if not ctx.open:
        return
    limit = ctx.settings.stale_after_days
    for index, buyer in enumerate(ctx.deal.buyers):
        if buyer.last_contact is None:
            continue
        days = (ctx.today - buyer.last_contact).days
        if days > limit:
            yield _flag(
                "stale-contact",
                f"{buyer.name} has not been contacted for {days} days (limit {limit})",
                ("buyers", index, "last_contact"),
                buyer.name,
            )


_KIND_WORDS = {
    "competitor": "a competitor",
    "in-house": "building it in-house",
    "do-nothing": "doing nothing",
    "other-use-of-funds": "another use of the funds",
}


def _zero_standing(ctx: _Context) -> Iterator[RedFlag]:
    for index, rival in enumerate(ctx.deal.competition):
        if rival.standing == "zero":
            yield _flag(
                "zero-standing",
                f"We stand at zero against {rival.name} ({_KIND_WORDS[rival.kind]})",
                ("competition", index, "standing"),
                rival.name,
            )


def _single_threaded(ctx: _Context) -> Iterator[RedFlag]:
    """Exactly one buyer; a deal without buyers is flagged by the economic-buyer and coach rules."""
    if len(ctx.deal.buyers) == 1:
        name = ctx.deal.buyers[0].name
        yield _flag(
            "single-threaded",
            f"{name} is the only buyer listed: the deal depends on one person",
            ("buyers",),
            name,
        )


def _no_competition(ctx: _Context) -> Iterator[RedFlag]:
    if not ctx.deal.competition:
        yield _flag(
            "no-competition",
            "No competing option is listed; there is always at least doing nothing",
            ("competition",),
        )


def _few_alternatives(ctx: _Context) -> Iterator[RedFlag]:
    count = len(ctx.deal.alternatives)
    if count < 2:
        considered = "No alternative is" if count == 0 else "Only one alternative is"
        yield _flag(
            "few-alternatives",
            f"{considered} written down, so no approach was compared with another",
            ("alternatives",),
        )


def _no_selected_alternative(ctx: _Context) -> Iterator[RedFlag]:
    """Open deals at or after the selection stage; silent when either stage is not in the order."""
    stages = ctx.settings.stages
    start = stages.selection_stage
    if not ctx.open or start is None or ctx.deal.selected_alternative is not None:
        return
    if start not in stages.order or ctx.deal.stage not in stages.order:
        return
    if stages.order.index(ctx.deal.stage) >= stages.order.index(start):
        yield _flag(
            "no-selected-alternative",
            f"No alternative is selected, yet the deal is at stage {ctx.deal.stage} "
            f"(a choice is expected from {start} on)",
            ("alternatives",),
        )


def _overdue_indexes(deal: Deal, today: date, open_deal: bool) -> tuple[int, ...]:
    if not open_deal:
        return ()
    return tuple(
        index
        for index, action in enumerate(deal.actions)
        if action.status == "planned" and action.due is not None and action.due < today
    )


def _overdue_actions(ctx: _Context) -> Iterator[RedFlag]:
    for index in _overdue_indexes(ctx.deal, ctx.today, ctx.open):
        action = ctx.deal.actions[index]
        assert action.due is not None
        late = counted((ctx.today - action.due).days, "day")
        yield _flag(
            "overdue-actions",
            f"Planned action '{action.what}' was due {action.due.isoformat()}, {late} ago",
            ("actions", index, "due"),
            action.what,
        )


def _no_planned_action(ctx: _Context) -> Iterator[RedFlag]:
    if ctx.open and not any(action.status == "planned" for action in ctx.deal.actions):
        yield _flag(
            "no-planned-action",
            "No action is planned, so nothing is scheduled to improve our position",
            ("actions",),
        )


def _indicator_moving_away(ctx: _Context) -> Iterator[RedFlag]:
    """Points at the latest value (by date, as the trend reads them): the one that moved away."""
    for index, indicator in enumerate(ctx.deal.indicators):
        trend = indicator_trend(indicator)
        if trend.direction == "away":
            points = indicator.values
            latest = max(range(len(points)), key=lambda at: points[at].date)
            yield _flag(
                "indicator-moving-away",
                f"Indicator '{indicator.name}' is {trend.words}",
                ("indicators", index, "values", latest),
                indicator.name,
            )


def _close_date_passed(ctx: _Context) -> Iterator[RedFlag]:
    close = ctx.deal.close_date
    if ctx.open and close is not None and close < ctx.today:
        late = counted((ctx.today - close).days, "day")
        yield _flag(
            "close-date-passed",
            f"The expected close date {close.isoformat()} passed {late} ago, "
            "but the deal is neither won nor lost",
            ("close_date",),
        )


_CHECKS: dict[str, Callable[[_Context], Iterator[RedFlag]]] = {
    "no-economic-buyer": _no_economic_buyer,
    "several-economic-buyers": _several_economic_buyers,
    "no-coach": _no_coach,
    "economic-buyer-sees-no-need": _economic_buyer_sees_no_need,
    "no-buyer-sees-need": _no_buyer_sees_need,
    "influential-buyer-against": _influential_buyer_against,
    "strongly-negative-buyer": _strongly_negative_buyer,
    "stale-contact": _stale_contact,
    "zero-standing": _zero_standing,
    "single-threaded": _single_threaded,
    "no-competition": _no_competition,
    "few-alternatives": _few_alternatives,
    "no-selected-alternative": _no_selected_alternative,
    "overdue-actions": _overdue_actions,
    "no-planned-action": _no_planned_action,
    "indicator-moving-away": _indicator_moving_away,
    "close-date-passed": _close_date_passed,
}
assert tuple(_CHECKS) == RULE_IDS, "every rule needs exactly one check, in RULES order"


def red_flags(deal: Deal, today: date, settings: Settings) -> list[RedFlag]:
    """Every flag of every enabled rule: in ``RULES`` order, then in the deal's own order.

    Unknown ids in ``settings.red_flags.disable`` are ignored here; the settings loader
    reports them.
    """
    disabled = set(settings.red_flags.disable)
    ctx = _Context(deal, today, settings, is_open(deal, settings))
    return [flag for rule in RULES if rule.id not in disabled for flag in _CHECKS[rule.id](ctx)]


# ----------------------------------------------------------------------------- indicators


def _close(a: float, b: float) -> bool:
    """Equality that ignores float noise such as 0.1 + 0.2 != 0.3."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _shortfall(value: float, target: float, better: str) -> float:
    """How far ``value`` is from meeting ``target`` on its good side; 0 once met.

    Directional rather than absolute, so that dropping from above a higher-is-better target to
    below it counts as moving away, not as standing still.
    """
    gap = target - value if better == "higher" else value - target
    return max(gap, 0.0)


def _meets(value: float, target: float, better: str) -> bool:
    if _close(value, target):
        return True
    return value > target if better == "higher" else value < target


def indicator_trend(indicator: Indicator) -> IndicatorTrend:
    """The direction of the last two values (by date), relative to the target if there is one.

    Without a target, improving maps to ``towards`` and worsening to ``away``.
    """
    name, target, better = indicator.name, indicator.target, indicator.better
    values = [point.value for point in sorted(indicator.values, key=lambda point: point.date)]
    if not values:
        words = "no values yet"
        if target is not None:
            words += f" (target {_num(target)})"
        return IndicatorTrend(name, "unknown", words)
    if len(values) == 1:
        only = values[0]
        words = f"only one value so far ({_num(only)})"
        if target is not None:
            if _meets(only, target, better):
                words += f", which meets the target of {_num(target)}"
            else:
                words += (
                    f", {_num(_shortfall(only, target, better))} short of "
                    f"the target of {_num(target)}"
                )
        return IndicatorTrend(name, "unknown", words)

    before, last = values[-2], values[-1]
    numbers = f"(last {_num(last)}, before {_num(before)})"
    if target is None:
        if _close(last, before):
            return IndicatorTrend(name, "flat", f"unchanged {numbers}")
        improving = last > before if better == "higher" else last < before
        return IndicatorTrend(
            name,
            "towards" if improving else "away",
            f"{'improving' if improving else 'worsening'} {numbers}; {better} is better",
        )
    goal = _num(target)
    if _meets(last, target, better):
        return IndicatorTrend(name, "reached", f"at or beyond the target of {goal} {numbers}")
    gap_last, gap_before = _shortfall(last, target, better), _shortfall(before, target, better)
    if _close(gap_last, gap_before):
        return IndicatorTrend(name, "flat", f"no closer to the target of {goal} {numbers}")
    if gap_last < gap_before:
        return IndicatorTrend(name, "towards", f"moving towards the target of {goal} {numbers}")
    return IndicatorTrend(name, "away", f"moving away from the target of {goal} {numbers}")


# ----------------------------------------------------------------------------- figures


def ranked_alternatives(deal: Deal) -> list[Alternative]:
    """The selected alternative first, then the others by chance (highest first, unknown last).

    Ties keep the deal's own order, so the page reads the same on every build.
    """
    return sorted(
        deal.alternatives,
        key=lambda alt: (not alt.selected, alt.chance is None, -(alt.chance or 0)),
    )


def analyse(deal: Deal, today: date, settings: Settings) -> DealFigures:
    """All the figures of one deal, so that templates only display and never compute."""
    open_deal = is_open(deal, settings)
    selected = deal.selected_alternative
    chance = selected.chance if selected is not None else None
    weighted = deal.value * chance / 100 if deal.value is not None and chance is not None else None
    flags = tuple(red_flags(deal, today, settings))
    worst = min((flag.severity for flag in flags), key=SEVERITY_ORDER.__getitem__, default=None)
    return DealFigures(
        is_open=open_deal,
        is_won=deal.stage in settings.stages.won_stages,
        is_lost=deal.stage in settings.stages.lost_stages,
        weighted_value=weighted,
        chance=chance,
        overdue_actions=_overdue_indexes(deal, today, open_deal),
        days_to_close=(deal.close_date - today).days if deal.close_date is not None else None,
        worst_severity=worst,
        flags=flags,
        trends=tuple(indicator_trend(indicator) for indicator in deal.indicators),
    )
