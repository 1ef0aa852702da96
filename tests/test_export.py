"""``deals.json``: every deal with its fields, figures and red flags, in a documented, versioned
shape that other tools can rely on, byte-identical from one build to the next."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from playbook import __version__
from playbook.export import deals_schema
from playbook.schema import RECORD_OF_LIST, Deal

from conftest import REPO, VALID_DEAL, run_playbook, snapshot

FLAGGED = (
    VALID_DEAL.replace("role: [technical, coach]", "role: technical")
    .replace("title: Data platform renewal", "title: Zoë's data platform")
    .replace("close_date: 2027-03-31", "close_date: 2026-11-01")
    .replace("    due: 2026-12-05\n", "    due: 2026-11-10\n")
    .replace(
        "---\n\n## Where",
        "indicators:\n  - name: Technical buyer rating\n    target: 3\n    values:\n"
        "      - {date: 2026-09-01, value: 2}\n      - {date: 2026-10-01, value: 1.5}\n"
        "---\n\n## Where",
    )
)
DRAFT = VALID_DEAL.replace("tags: [renewal]", "tags: [renewal]\ndraft: true")


@pytest.fixture
def playbook_root(make_playbook: Callable[..., Path]) -> Path:
    return make_playbook(
        {
            "content/deals/acme.md": VALID_DEAL,
            "content/deals/flagged.md": FLAGGED,
            "content/deals/later.md": DRAFT,
        }
    )


def build(root: Path, *args: str) -> dict[str, Any]:
    result = run_playbook("build", root, *args)
    assert result.returncode == 0, result.stderr
    return json.loads((root / "site" / "deals.json").read_text(encoding="utf-8"))


def test_export_validates_against_its_documented_schema(playbook_root: Path) -> None:
    data = build(playbook_root)
    schema = deals_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert list(validator.iter_errors(data)) == []
    published = json.loads((playbook_root / "site" / "deals.schema.json").read_text("utf-8"))
    assert published == schema


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(version=2), "$.version"),
        (lambda d: d["deals"][0].pop("figures"), "$.deals[0]"),
        (lambda d: d["deals"][0]["fields"].update(colour="red"), "$.deals[0].fields"),
        (lambda d: d["deals"][0]["fields"].update(close_date="31/03/2027"), "$.deals[0].fields"),
        (lambda d: d["deals"][1]["red_flags"][0].update(severity="urgent"), "$.deals[1].red_flags"),
    ],
    ids=["version", "missing-key", "unknown-field", "date-shape", "severity"],
)
def test_schema_rejects_a_document_of_another_shape(
    playbook_root: Path, change: Callable[[dict[str, Any]], Any], path: str
) -> None:
    data = build(playbook_root)
    change(data)
    validator = jsonschema.Draft202012Validator(
        deals_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = list(validator.iter_errors(data))
    assert errors
    assert all(error.json_path.startswith(path) for error in errors)


def test_envelope_says_what_the_file_is(playbook_root: Path) -> None:
    data = build(playbook_root)
    assert {key: data[key] for key in data if key != "deals"} == {
        "format": "playbook-deals",
        "version": 1,
        "generated_by": f"playbook {__version__}",
        "as_of": "2026-11-15",
        "title": "Test playbook",
        "stages": {
            "order": ["prospect", "qualify", "develop", "propose", "negotiate", "won", "lost"],
            "won": ["won"],
            "lost": ["lost"],
        },
    }
    assert [deal["slug"] for deal in data["deals"]] == ["acme", "flagged"]


def test_fields_equal_the_source_deal(playbook_root: Path) -> None:
    acme = build(playbook_root)["deals"][0]
    assert acme["url"] == "deals/acme/index.html"
    assert acme["source"] == "content/deals/acme.md"
    fields = acme["fields"]
    assert {k: fields[k] for k in ("title", "customer", "owner", "stage", "value", "currency")} == {
        "title": "Data platform renewal",
        "customer": "Acme Corp",
        "owner": "Jan Peeters",
        "stage": "develop",
        "value": 180000,
        "currency": "EUR",
    }
    assert (fields["close_date"], fields["updated"], fields["tags"]) == (
        "2027-03-31",
        None,
        ["renewal"],
    )
    assert fields["buyers"][1] == {
        "name": "Tom Janssens",
        "title": None,
        "role": ["technical", "coach"],
        "influence": "medium",
        "mode": "trouble",
        "rating": 3,
        "last_contact": "2026-11-01",
        "result": None,
        "win": None,
        "notes": None,
    }
    assert fields["alternatives"][1] == {
        "name": "Co-design workshop",
        "approach": "more-participative",
        "chance": 65,
        "selected": True,
        "notes": None,
    }
    assert fields["actions"] == [
        {
            "what": "Live demo of lineage features",
            "kind": "demo",
            "owner": None,
            "due": "2026-12-05",
            "status": "planned",
            "buyer": "Tom Janssens",
        }
    ]
    assert fields["draft"] is False
    assert acme["red_flags"] == []


def test_figures_and_red_flags_are_those_of_the_analysis(playbook_root: Path) -> None:
    flagged = build(playbook_root)["deals"][1]
    assert flagged["fields"]["title"] == "Zoë's data platform"
    assert flagged["figures"] == {
        "is_open": True,
        "is_won": False,
        "is_lost": False,
        "chance": 65,
        "weighted_value": 117000.0,
        "days_to_close": -14,
        "overdue_actions": [0],
        "worst_severity": "high",
        "red_flag_count": 4,
        "indicator_trends": [
            {
                "name": "Technical buyer rating",
                "direction": "away",
                "words": "moving away from the target of 3 (last 1.5, before 2)",
            }
        ],
    }
    assert flagged["red_flags"] == [
        {
            "rule": "no-coach",
            "severity": "high",
            "message": "No buyer is marked as coach, so nobody guides us inside the account",
            "subject": None,
        },
        {
            "rule": "overdue-actions",
            "severity": "medium",
            "message": "Planned action 'Live demo of lineage features' was due 2026-11-10, "
            "5 days ago",
            "subject": "Live demo of lineage features",
        },
        {
            "rule": "indicator-moving-away",
            "severity": "medium",
            "message": "Indicator 'Technical buyer rating' is moving away from the target of 3 "
            "(last 1.5, before 2)",
            "subject": "Technical buyer rating",
        },
        {
            "rule": "close-date-passed",
            "severity": "high",
            "message": "The expected close date 2026-11-01 passed 14 days ago, "
            "but the deal is neither won nor lost",
            "subject": None,
        },
    ]


def test_drafts_are_exported_only_with_drafts(playbook_root: Path) -> None:
    assert [d["slug"] for d in build(playbook_root)["deals"]] == ["acme", "flagged"]
    with_drafts = build(playbook_root, "--drafts")["deals"]
    assert [(d["slug"], d["fields"]["draft"]) for d in with_drafts] == [
        ("acme", False),
        ("flagged", False),
        ("later", True),
    ]


def test_file_is_stable_text_with_sorted_keys(playbook_root: Path) -> None:
    build(playbook_root)
    text = (playbook_root / "site" / "deals.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "Zoë" in text  # UTF-8 as is, not \u escapes


def test_rebuild_is_byte_identical(playbook_root: Path) -> None:
    sites = []
    for out in ("one", "two"):
        result = run_playbook("build", playbook_root, "--out", playbook_root / out)
        assert result.returncode == 0, result.stderr
        sites.append(snapshot(playbook_root / out))
    assert sites[0] == sites[1]
    assert {"deals.json", "deals.schema.json", "index.html"} <= set(sites[0])


# ----------------------------------------------------------------------------- documentation


def schema_keys(node: Any) -> Iterator[str]:
    """Every property name the schema declares, outside the deal fields (documented elsewhere)."""
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            yield key
            yield from schema_keys(value)
        for key in ("items", "anyOf"):
            if key in node:
                yield from schema_keys(node[key])
    elif isinstance(node, list):
        for item in node:
            yield from schema_keys(item)


def test_documentation_describes_every_key_of_the_envelope() -> None:
    doc = (REPO / "docs" / "deals-json.md").read_text(encoding="utf-8")
    schema = deals_schema()
    schema.pop("$defs")
    documented = set(re.findall(r"`([a-z_]+)`", doc))
    assert set(schema_keys(schema)) - documented == set()
    deal_fields = {
        name for model in (Deal, *RECORD_OF_LIST.values()) for name in model.model_fields
    }
    assert deal_fields - documented == set()
    assert "playbook-deals" in doc
    assert "version 1" in doc.lower()
