"""The validate stage on its own: ``validate_deal`` turns front-matter into a deal or errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from playbook.diagnostics import Diagnostic
from playbook.schema import Settings
from playbook.sources import SourceFile, load_source
from playbook.validate import check_unique_slugs, validate_deal, validate_method

from conftest import VALID_DEAL

FUNNEL = Settings.model_validate(
    {"stages": {"order": ["above-funnel", "in-funnel", "best-few", "won", "lost"]}}
)


def source_of(tmp_path: Path, text: str, name: str = "acme.md") -> SourceFile:
    path = tmp_path / "content" / "deals" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    problems: list[Diagnostic] = []
    source = load_source(path, tmp_path, problems)
    assert problems == []
    assert source is not None
    return source


def errors_of(
    tmp_path: Path, text: str, settings: Settings | None = None
) -> list[tuple[int | None, str | None, str]]:
    doc, problems = validate_deal(source_of(tmp_path, text), settings or Settings())
    assert doc is None
    return [(p.line, p.field, p.message) for p in sorted(problems, key=Diagnostic.sort_key)]


def test_valid_deal_becomes_a_typed_document(tmp_path: Path) -> None:
    text = VALID_DEAL.replace("currency: EUR\n", "")
    doc, problems = validate_deal(source_of(tmp_path, text), Settings(currency="USD"))
    assert problems == []
    assert doc is not None
    assert (doc.slug, doc.path) == ("acme", "content/deals/acme.md")
    assert doc.deal.currency == "USD"  # the playbook's default currency fills the gap
    assert doc.deal.close_date == dt.date(2027, 3, 31)
    assert doc.deal.buyers[0].role == ["economic"]  # one role is a list of one
    assert doc.deal.buyers[1].role == ["technical", "coach"]
    assert doc.deal.actions[0].status == "planned"
    assert doc.deal.selected_alternative is not None
    assert doc.deal.selected_alternative.name == "Co-design workshop"
    assert doc.body.strip().startswith("## Where we stand")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "    influence: medium\n",
            "    influence: huge\n",
            [(22, "buyers[1].influence", "'huge' is not one of high, medium, low")],
            id="enum-without-suggestion",
        ),
        pytest.param(
            "currency: EUR\n",
            "currency: eur\n",
            [
                (
                    8,
                    "currency",
                    "'eur' is not a currency code; use three capital letters (ISO 4217), "
                    "for example EUR (did you mean 'EUR'?)",
                )
            ],
            id="currency-in-lowercase",
        ),
        pytest.param(
            "close_date: 2027-03-31\n",
            "close_date: 2027-02-29\n",
            [(9, "close_date", "'2027-02-29' is not a valid date: February 2027 has 28 days")],
            id="no-leap-day",
        ),
        pytest.param(
            "close_date: 2027-03-31\n",
            "close_date: 2027-13-01\n",
            [(9, "close_date", "'2027-13-01' is not a valid date: there is no month 13")],
            id="no-month-13",
        ),
        pytest.param(
            "close_date: 2027-03-31\n",
            "close_date: end of March\n",
            [
                (
                    9,
                    "close_date",
                    "'end of March' is not a date; write it as YYYY-MM-DD, for example 2026-03-31",
                )
            ],
            id="date-in-words",
        ),
        pytest.param(
            "value: 180000\n",
            "value: .nan\n",
            [(7, "value", "nan is not a number; write digits only, for example 180000 or 2.5")],
            id="not-a-number",
        ),
        pytest.param(
            "    rating: 2\n",
            "    rating: 2.5\n",
            [(18, "buyers[0].rating", "2.5 is not a whole number")],
            id="rating-with-decimals",
        ),
        pytest.param(
            "tags: [renewal]\n",
            "tags: [renewal]\nbudget_holder: Marie\n",
            [(12, "budget_holder", "unknown field 'budget_holder'")],
            id="unknown-field-with-nothing-close",
        ),
        pytest.param(
            "title: Data platform renewal\n",
            "titel: Data platform renewal\n",
            [(2, "titel", "unknown field 'titel' (did you mean 'title'?)")],
            id="misspelt-required-field-is-one-error",
        ),
        pytest.param(
            "    buyer: Tom Janssens\n",
            "    buyer: Somebody Else\n",
            [
                (
                    42,
                    "actions[0].buyer",
                    "'Somebody Else' is not one of the deal's buyers "
                    "('Marie Dubois', 'Tom Janssens')",
                )
            ],
            id="unknown-buyer-without-suggestion",
        ),
    ],
)
def test_reports_each_error_at_its_field_and_line(
    tmp_path: Path, old: str, new: str, expected: list[tuple[int, str, str]]
) -> None:
    assert old in VALID_DEAL
    assert errors_of(tmp_path, VALID_DEAL.replace(old, new, 1)) == expected


def test_reports_all_errors_of_a_deal_at_once(tmp_path: Path) -> None:
    text = (
        VALID_DEAL.replace("stage: develop", "stage: won-ish")
        .replace("position: 1", "position: 9")
        .replace("    mode: trouble\n", "    mode: troubled\n")
        .replace("    chance: 40\n", "    chance: 40\n    selected: true\n")
    )
    assert errors_of(tmp_path, text) == [
        (10, "position", "9 is out of range; use a whole number from -5 to 5"),
        (
            23,
            "buyers[1].mode",
            "'troubled' is not one of growth, trouble, even-keel, overconfident "
            "(did you mean 'trouble'?)",
        ),
    ]
    # The rules across fields run once the types are right, so they come in a second round.
    fixed = text.replace("position: 9", "position: 1").replace("troubled", "trouble")
    assert errors_of(tmp_path, fixed) == [
        (
            5,
            "stage",
            "'won-ish' is not one of prospect, qualify, develop, propose, negotiate, won, lost "
            "(did you mean 'won'?)",
        ),
        (
            38,
            "alternatives[1].selected",
            "more than one alternative is selected ('Lite edition' already is); select at most one",
        ),
    ]


def test_stage_must_be_one_of_the_playbooks_own_stages(tmp_path: Path) -> None:
    assert errors_of(tmp_path, VALID_DEAL, FUNNEL) == [
        (5, "stage", "'develop' is not one of above-funnel, in-funnel, best-few, won, lost"),
    ]
    doc, problems = validate_deal(
        source_of(tmp_path, VALID_DEAL.replace("stage: develop", "stage: in-funnel")), FUNNEL
    )
    assert problems == []
    assert doc is not None
    assert doc.deal.stage == "in-funnel"


def test_method_page_needs_a_title_and_a_whole_number_order(tmp_path: Path) -> None:
    path = tmp_path / "content" / "method" / "roles.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\norder: first\nsummary: Who buys\n---\n\nText.\n", encoding="utf-8")
    problems: list[Diagnostic] = []
    source = load_source(path, tmp_path, problems)
    assert source is not None
    page, errors = validate_method(source)
    assert page is None
    assert [(e.line, e.field, e.message) for e in sorted(errors, key=Diagnostic.sort_key)] == [
        (1, "title", "required field is missing; add a line 'title: ...'"),
        (2, "order", "'first' is not a whole number"),
    ]


def test_slugs_must_be_unique_across_sub_folders(tmp_path: Path) -> None:
    sources = [
        source_of(tmp_path, VALID_DEAL, "east/acme.md"),
        source_of(tmp_path, VALID_DEAL, "globex.md"),
        source_of(tmp_path, VALID_DEAL, "west/acme.md"),
    ]
    assert [(p.path, p.line, p.message) for p in check_unique_slugs(sources)] == [
        (
            "content/deals/west/acme.md",
            1,
            "the slug 'acme' is already used by content/deals/east/acme.md; "
            "every deal needs its own file name",
        )
    ]
