"""``deals.json``: every deal of the site with its fields, derived figures and red flags.

A versioned shape for other tools (a spreadsheet, a CRM import, a dashboard), described in
``docs/deals-json.md`` and by the JSON Schema from ``deals_schema()``, which the build publishes
beside it as ``deals.schema.json``. The deal's own fields are described by ``schema.Deal``, so the
export cannot drift from the deal format; the envelope around them is spelled out below.

Built only from DealViews, never by reading files. Keys are sorted and nothing depends on the
clock, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from playbook import __version__, jsontext
from playbook.schema import Deal

if TYPE_CHECKING:
    from playbook.render import DealView, Site

FORMAT = "playbook-deals"
VERSION = 1  # raise on any change that could break a reader: a key removed, renamed or retyped


def plain(value: Any) -> Any:
    """A validated model as JSON data: every field present (None as null), dates as ISO text."""
    if isinstance(value, BaseModel):
        return {name: plain(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def deal_entry(view: DealView) -> dict[str, Any]:
    fig = view.fig
    return {
        "slug": view.slug,
        "url": view.url,
        "source": view.doc.path,
        "fields": plain(view.deal),
        "figures": {
            "is_open": fig.is_open,
            "is_won": fig.is_won,
            "is_lost": fig.is_lost,
            "chance": fig.chance,
            "weighted_value": fig.weighted_value,
            "days_to_close": fig.days_to_close,
            "overdue_actions": list(fig.overdue_actions),
            "worst_severity": fig.worst_severity,
            "red_flag_count": len(fig.flags),
            "indicator_trends": [
                {"name": t.name, "direction": t.direction, "words": t.words} for t in fig.trends
            ],
        },
        "red_flags": [
            {"rule": f.rule, "severity": f.severity, "message": f.message, "subject": f.subject}
            for f in fig.flags
        ],
    }


def deals_document(site: Site) -> dict[str, Any]:
    stages = site.settings.stages
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_by": f"playbook {__version__}",
        "as_of": site.as_of.isoformat(),
        "title": site.settings.title,
        "stages": {
            "order": list(stages.order),
            "won": list(stages.won_stages),
            "lost": list(stages.lost_stages),
        },
        "deals": [deal_entry(view) for view in site.deals],
    }


def to_json(data: Any) -> bytes:
    """Stable text: sorted keys, two-space indent, UTF-8 as is, one final newline."""
    return (jsontext.dumps(data) + "\n").encode("utf-8")


def deals_json(site: Site) -> bytes:
    return to_json(deals_document(site))


# ----------------------------------------------------------------------------- the schema


def _obj(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    """A JSON object whose every key is required and no other key is allowed."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_SEVERITY = {"enum": ["high", "medium", "low"]}
_STRINGS = {"type": "array", "items": {"type": "string"}}


def deals_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of ``deals.json``, version ``VERSION``."""
    deal = Deal.model_json_schema()
    definitions = {**deal.pop("$defs", {}), "Deal": deal}
    figures = _obj(
        {
            "is_open": {"type": "boolean"},
            "is_won": {"type": "boolean"},
            "is_lost": {"type": "boolean"},
            "chance": _nullable({"type": "integer", "minimum": 0, "maximum": 100}),
            "weighted_value": _nullable({"type": "number", "minimum": 0}),
            "days_to_close": _nullable({"type": "integer"}),
            "overdue_actions": {"type": "array", "items": {"type": "integer", "minimum": 0}},
            "worst_severity": _nullable(_SEVERITY),
            "red_flag_count": {"type": "integer", "minimum": 0},
            "indicator_trends": {
                "type": "array",
                "items": _obj(
                    {
                        "name": {"type": "string"},
                        "direction": {"enum": ["towards", "away", "reached", "flat", "unknown"]},
                        "words": {"type": "string"},
                    }
                ),
            },
        },
        "Figures derived by the build; see docs/deals-json.md",
    )
    red_flag = _obj(
        {
            "rule": {"type": "string"},
            "severity": _SEVERITY,
            "message": {"type": "string"},
            "subject": _nullable({"type": "string"}),
        }
    )
    entry = _obj(
        {
            "slug": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
            "url": {"type": "string"},
            "source": {"type": "string"},
            "fields": {"$ref": "#/$defs/Deal"},
            "figures": figures,
            "red_flags": {"type": "array", "items": red_flag},
        }
    )
    schema = _obj(
        {
            "format": {"const": FORMAT},
            "version": {"const": VERSION},
            "generated_by": {"type": "string"},
            "as_of": {"type": "string", "format": "date"},
            "title": {"type": "string"},
            "stages": _obj({"order": _STRINGS, "won": _STRINGS, "lost": _STRINGS}),
            "deals": {"type": "array", "items": entry},
        },
        "Every deal of a playbook site, with its fields, derived figures and red flags",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{FORMAT} version {VERSION}",
        **schema,
        "$defs": definitions,
    }
