"""The deal format as a typed model: types, allowed values, ranges; unknown keys rejected.

This module is the single description of a deal's front-matter. Validation, the JSON Schema
(``playbook schema``) and the field reference all come from it. It does no I/O.
The custom types below raise errors in the words the build prints, so that a salesperson reads
"'2026-02-30' is not a valid date" rather than a parser's internals.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

# A path into the front-matter, ``("buyers", 1, "role")``: how an error or a red flag says which
# field it is about (``sources.SourceFile.line_of`` finds its line).
KeyPath = tuple[str | int, ...]

# ----------------------------------------------------------------------------- value types

_DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOOSE_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def shown(value: Any) -> str:
    """A value as the error messages quote it: text in quotes, anything else as it reads in YAML."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _why_not_a_day(text: str) -> str:
    """Why a well-shaped date such as 2026-02-30 is not a day of the calendar."""
    year, month, day = (int(part) for part in text.split("-"))
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if year >= 1:
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            return f"{_MONTHS[month - 1]} {year} has {days} days"
    return "it is not a day of the calendar"


def _iso_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE_SHAPE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "bad_date",
                "{value} is not a valid date: {why}",
                {"value": shown(value), "why": _why_not_a_day(value)},
            ) from None
    if isinstance(value, str) and (loose := _LOOSE_DATE.match(value)):
        year, month, day = loose.groups()
        raise PydanticCustomError(
            "bad_date",
            "{value} is not written as YYYY-MM-DD; write {better}",
            {"value": shown(value), "better": f"{year}-{month:0>2}-{day:0>2}"},
        )
    raise PydanticCustomError(
        "bad_date",
        "{value} is not a date; write it as YYYY-MM-DD, for example 2026-03-31",
        {"value": shown(value)},
    )


IsoDate = Annotated[
    dt.date,
    PlainValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE_SHAPE.pattern}),
]


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PydanticCustomError(
            "number",
            "{value} is not a number; write digits only, for example 180000 or 2.5",
            {"value": shown(value)},
        )
    return value


def _non_negative(value: int | float) -> int | float:
    if value < 0:
        raise PydanticCustomError(
            "out_of_range", "{value} is negative; it must be 0 or more", {"value": value}
        )
    return value


Number = Annotated[float, PlainValidator(_number), WithJsonSchema({"type": "number"})]
Amount = Annotated[
    float,
    PlainValidator(_number),
    AfterValidator(_non_negative),
    WithJsonSchema({"type": "number", "minimum": 0}),
]


def _bounded(low: int, high: int) -> Any:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise PydanticCustomError(
                "out_of_range",
                "{value} is out of range; use a whole number from {low} to {high}",
                {"value": value, "low": low, "high": high},
            )
        return value

    return Annotated[
        int,
        Strict(),
        AfterValidator(check),
        WithJsonSchema({"type": "integer", "minimum": low, "maximum": high}),
    ]


Score = _bounded(-5, 5)
Percent = _bounded(0, 100)


def _currency(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value):
        return value
    hint = ""
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{3}", value):
        hint = f" (did you mean '{value.upper()}'?)"
    raise PydanticCustomError(
        "currency",
        "{value} is not a currency code; use three capital letters (ISO 4217), "
        "for example EUR{hint}",
        {"value": shown(value), "hint": hint},
    )


Currency = Annotated[
    str, PlainValidator(_currency), WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$"})
]


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Role = Literal["economic", "user", "technical", "coach"]
Level = Literal["high", "medium", "low"]
Mode = Literal["growth", "trouble", "even-keel", "overconfident"]
CompetitorKind = Literal["competitor", "in-house", "do-nothing", "other-use-of-funds"]
Standing = Literal["only-alternative", "front-runner", "shared", "zero"]
Approach = Literal["cheaper", "more-sophisticated", "more-participative", "simpler", "other"]
ActionKind = Literal["communication", "demo", "trial", "workshop", "other"]
ActionStatus = Literal["planned", "done", "dropped"]
Better = Literal["higher", "lower"]

ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]
MODES: tuple[str, ...] = Mode.__args__  # type: ignore[attr-defined]
LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]

# ``role: coach`` or ``role: [user, coach]``: one role is read as a list of one, and the JSON
# Schema says so too, so that editors accept both spellings.
RoleList = Annotated[
    list[Role],
    BeforeValidator(_as_list),
    Field(min_length=1),
    WithJsonSchema(
        {
            "anyOf": [
                {"enum": list(ROLES)},
                {"type": "array", "items": {"enum": list(ROLES)}, "minItems": 1},
            ]
        }
    ),
]

DEFAULT_STAGES = ("prospect", "qualify", "develop", "propose", "negotiate", "won", "lost")

# ----------------------------------------------------------------------------- records


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


Text = Annotated[str, Strict(), Field(min_length=1)]


class Buyer(_Record):
    """A buying influence: a person whose yes or no shapes the sale."""

    name: Text = Field(description="Full name; unique within the deal")
    title: Text | None = Field(None, description="Job title")
    role: RoleList = Field(description="economic, user, technical or coach; or a list of them")
    influence: Level | None = Field(None, description="high, medium or low")
    mode: Mode | None = Field(None, description="growth, trouble, even-keel or overconfident")
    rating: Score | None = Field(None, description="Attitude towards our offer, -5 to +5")
    last_contact: IsoDate | None = Field(None, description="Date of the last contact")
    result: Text | None = Field(None, description="The business result this buyer wants")
    win: Text | None = Field(None, description="The personal win this buyer wants")
    notes: Text | None = None


class Competitor(_Record):
    """Another option the customer has, including doing nothing."""

    name: Text
    kind: CompetitorKind = Field(description="competitor, in-house, do-nothing, other-use-of-funds")
    threat: Level | None = None
    standing: Standing | None = Field(None, description="Where we stand against this option")
    notes: Text | None = None


class Alternative(_Record):
    """An approach we could take to raise our chances (step 2), one of them selected (step 3)."""

    name: Text
    approach: Approach
    chance: Percent | None = Field(None, description="Estimated chance to win with it, 0 to 100")
    selected: Annotated[bool, Strict()] = False
    notes: Text | None = None


class Action(_Record):
    """A step of the action plan (steps 3 and 4)."""

    what: Text
    kind: ActionKind | None = None
    owner: Text | None = None
    due: IsoDate | None = None
    status: ActionStatus = "planned"
    buyer: Text | None = Field(None, description="Name of one of the deal's buyers")


class IndicatorValue(_Record):
    date: IsoDate
    value: Number


class Indicator(_Record):
    """A measure that shows whether our position improves (step 4)."""

    name: Text
    target: Number | None = None
    better: Better = "higher"
    values: list[IndicatorValue] = Field(default_factory=list)


class Review(_Record):
    """One entry of the deal review log."""

    date: IsoDate
    by: Text | None = None
    summary: Text
    agreed: list[Text] = Field(default_factory=list)


class Deal(_Record):
    """The front-matter of one opportunity file."""

    title: Text = Field(description="Name of the opportunity")
    customer: Text = Field(description="Account name")
    owner: Text = Field(description="Who leads the opportunity")
    stage: Text = Field(description="One of the playbook's stages")
    objective: Text = Field(description="The single sales objective: what, how much, by when")
    value: Amount | None = Field(None, description="Expected revenue")
    currency: Currency | None = Field(None, description="ISO 4217 code; default from settings")
    close_date: IsoDate | None = None
    updated: IsoDate | None = Field(None, description="Date of the last review")
    position: Score | None = Field(None, description="Our position against the competition")
    tags: list[Text] = Field(default_factory=list)
    draft: Annotated[bool, Strict()] = False
    buyers: list[Buyer] = Field(default_factory=list)
    competition: list[Competitor] = Field(default_factory=list)
    alternatives: list[Alternative] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    strengths: list[Text] = Field(default_factory=list)
    risks: list[Text] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)

    @property
    def selected_alternative(self) -> Alternative | None:
        return next((a for a in self.alternatives if a.selected), None)


class MethodPage(_Record):
    """The front-matter of a method guidance page."""

    title: Text
    order: Annotated[int, Strict()] = 0
    summary: Text | None = None


# Which record a list of the front-matter holds, by the list's key: tells which fields are
# valid at a location, for "did you mean" suggestions.
RECORD_OF_LIST: dict[str, type[BaseModel]] = {
    "buyers": Buyer,
    "competition": Competitor,
    "alternatives": Alternative,
    "actions": Action,
    "indicators": Indicator,
    "values": IndicatorValue,
    "reviews": Review,
}


def record_at(top: type[BaseModel], loc: KeyPath) -> type[BaseModel]:
    """The record type that holds the field at ``loc`` (for suggestions on unknown fields)."""
    names = [part for part in loc[:-1] if isinstance(part, str)]
    return RECORD_OF_LIST.get(names[-1], top) if names else top


def deal_json_schema(stages: tuple[str, ...] = DEFAULT_STAGES) -> dict[str, Any]:
    """JSON Schema of the deal front-matter, with the playbook's stages as the allowed values."""
    schema = Deal.model_json_schema()
    schema["properties"]["stage"] = {
        "enum": list(stages),
        "description": Deal.model_fields["stage"].description,
        "title": "Stage",
    }
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


# ----------------------------------------------------------------------------- settings


class StageSettings(_Record):
    """The playbook's ordered stages, and which of them close a deal."""

    order: list[Text] = Field(default_factory=lambda: list(DEFAULT_STAGES), min_length=1)
    won: list[Text] | None = Field(None, description="Stages that close a deal as won")
    lost: list[Text] | None = Field(None, description="Stages that close a deal as lost")
    select_alternative_from: Text | None = Field(
        None, description="From this stage on, a deal must have a selected alternative"
    )

    @property
    def won_stages(self) -> tuple[str, ...]:
        return tuple(self.won) if self.won is not None else _present(("won",), self.order)

    @property
    def lost_stages(self) -> tuple[str, ...]:
        return tuple(self.lost) if self.lost is not None else _present(("lost",), self.order)

    @property
    def closed_stages(self) -> tuple[str, ...]:
        return self.won_stages + self.lost_stages

    @property
    def selection_stage(self) -> str | None:
        if self.select_alternative_from is not None:
            return self.select_alternative_from
        return "propose" if "propose" in self.order else None


def _present(names: tuple[str, ...], order: list[str]) -> tuple[str, ...]:
    return tuple(name for name in names if name in order)


class RedFlagSettings(_Record):
    disable: list[Text] = Field(default_factory=list, description="Rule ids to switch off")


class Settings(_Record):
    """``playbook.toml``: site settings; every key is optional."""

    title: Text = "Sales playbook"
    language: Text = "en"
    base_url: str = ""
    currency: Currency = "EUR"
    stale_after_days: Annotated[int, Strict(), Field(ge=0)] = 30
    as_of: IsoDate | None = None
    stages: StageSettings = Field(default_factory=StageSettings)
    red_flags: RedFlagSettings = Field(default_factory=RedFlagSettings)
    method_pages: dict[str, Text] = Field(
        default_factory=dict,
        description="Which method page explains each deal section (section → page slug)",
    )


# ----------------------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True)
class DealDoc:
    """A validated deal file: its slug, where it came from, its fields and its narrative."""

    slug: str
    path: str
    deal: Deal
    body: str
    body_line: int


@dataclass(frozen=True, slots=True)
class MethodDoc:
    """A validated method guidance page."""

    slug: str
    path: str
    page: MethodPage
    body: str
    body_line: int


# Which method page explains each section of a deal page, unless playbook.toml says otherwise
# (``[method_pages] buyers = "buying-influences"``). A link is drawn only when the page exists.
DEFAULT_METHOD_PAGES: dict[str, str] = {
    "objective": "situation",
    "buyers": "buyer-roles",
    "competition": "situation",
    "alternatives": "alternatives",
    "actions": "choice-and-plan",
    "indicators": "execution",
    "reviews": "execution",
    "red_flags": "red-flags",
}
