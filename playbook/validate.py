"""Validate stage: raw front-matter → typed documents, or located errors in plain words.

First the typed decode (pydantic, every error of the file at once), then the checks of meaning
that span fields: the stage exists, buyer names are unique, an action's buyer is one of the deal's
buyers, at most one alternative is selected, indicator dates are unique, slugs are unique.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from playbook.diagnostics import Diagnostic, closest, did_you_mean
from playbook.schema import (
    Deal,
    DealDoc,
    KeyPath,
    MethodDoc,
    MethodPage,
    Settings,
    record_at,
    shown,
)
from playbook.sources import SourceFile, field_name

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _value_at(data: Any, loc: KeyPath) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _required(top: type[BaseModel], loc: KeyPath) -> bool:
    """Whether the field at ``loc`` must be there: then "remove the line" is no advice."""
    field = record_at(top, loc).model_fields.get(str(loc[-1])) if loc else None
    return field is not None and field.is_required()


def _message(error: Any, source: SourceFile, top: type[BaseModel]) -> tuple[KeyPath, str]:
    """One pydantic error in words a salesperson can act on, and the key path it belongs to."""
    loc: KeyPath = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    if kind == "invalid_key":  # a key that YAML reads as a number, such as ``2026: ...``
        loc = (*loc[:-1], str(loc[-1]))
        return loc, f"unknown field '{loc[-1]}'"
    # "role: payer" is checked as the list ["payer"]: point at the key, not at an item.
    if loc and isinstance(loc[-1], int) and not isinstance(_value_at(source.data, loc[:-1]), list):
        loc = loc[:-1]
    if kind == "extra_forbidden":
        name = loc[-1]
        fields = record_at(top, loc).model_fields
        return loc, f"unknown field '{name}'{did_you_mean(name, fields)}"
    if kind == "missing":
        return loc, f"required field is missing; add a line '{loc[-1]}: ...'"
    if kind in ("literal_error", "enum"):
        allowed = re.findall(r"'([^']*)'", error["ctx"]["expected"])
        return loc, (
            f"{shown(value)} is not one of {', '.join(allowed)}{did_you_mean(value, allowed)}"
        )
    if kind in ("string_type", "string_too_short"):
        if kind == "string_too_short" or value is None:
            return loc, "is empty; write a value" + (
                "" if _required(top, loc) else " or remove the line"
            )
        return loc, f"expected text, got {shown(value)} (put it in quotes)"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value):
            return loc, f"{shown(value)} is in quotes, so it reads as text; remove the quotes"
        return loc, f"{shown(value)} is not a whole number"
    if kind in ("bool_type", "bool_parsing"):
        return loc, f"{shown(value)} is not true or false"
    if kind == "list_type":
        return loc, f"expected a list (one '- ' line per item), got {shown(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return loc, f"expected a group of 'field: value' lines, got {shown(value)}"
    if kind == "too_short":
        return loc, "is empty; give at least one value"
    if kind == "greater_than_equal":
        return loc, f"{shown(value)} must be {error['ctx']['ge']} or more"
    return loc, error["msg"]


def _misspelt(errors: list[Any], top: type[BaseModel]) -> set[KeyPath]:
    """The fields that unknown fields are likely misspellings of: ``custmer`` → ``customer``."""
    found = set()
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            name = closest(loc[-1], record_at(top, loc).model_fields)
            if name is not None:
                found.add((*loc[:-1], name))
    return found


def decode(source: SourceFile, model: type[BaseModel]) -> tuple[BaseModel | None, list[Diagnostic]]:
    """Validate ``source.data`` against ``model``, translating every error with its line.

    A required field reported missing because it was misspelt is left out: the "unknown field
    ... did you mean" error already says how to mend it, and one mistake should read as one error.
    """
    try:
        return model.model_validate(source.data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        misspelt = _misspelt(errors, model)
        problems = []
        for error in errors:
            if error["type"] == "missing" and tuple(error["loc"]) in misspelt:
                continue
            loc, message = _message(error, source, model)
            problems.append(
                Diagnostic(source.rel, source.line_of(loc), field_name(loc) or None, message)
            )
        return None, problems


def check_slug(source: SourceFile) -> list[Diagnostic]:
    if SLUG.match(source.slug):
        return []
    better = re.sub(r"[^a-z0-9]+", "-", source.slug.lower()).strip("-") or "my-deal"
    return [
        Diagnostic(
            source.rel,
            1,
            None,
            f"the file name '{source.slug}.md' may use only lowercase letters, digits and "
            f"hyphens; rename it, for example to '{better}.md'",
        )
    ]


def _duplicates(
    source: SourceFile, items: Iterable[Any], path: KeyPath, what: str, message: str
) -> list[Diagnostic]:
    seen: set[Any] = set()
    problems = []
    for index, key in enumerate(items):
        if key in seen:
            loc = (*path, index, what)
            problems.append(Diagnostic(source.rel, source.line_of(loc), field_name(loc), message))
        seen.add(key)
    return problems


def check_meaning(source: SourceFile, deal: Deal, settings: Settings) -> list[Diagnostic]:
    """The rules that span fields, each located at the offending key."""
    rel, problems = source.rel, []

    def add(loc: KeyPath, message: str) -> None:
        problems.append(Diagnostic(rel, source.line_of(loc), field_name(loc), message))

    stages = settings.stages.order
    if deal.stage not in stages:
        add(
            ("stage",),
            f"'{deal.stage}' is not one of {', '.join(stages)}{did_you_mean(deal.stage, stages)}",
        )
    names = [buyer.name for buyer in deal.buyers]
    problems += _duplicates(
        source, names, ("buyers",), "name", "this buyer is listed twice; buyer names must be unique"
    )
    for index, action in enumerate(deal.actions):
        if action.buyer is not None and action.buyer not in names:
            known = ", ".join(f"'{n}'" for n in dict.fromkeys(names)) or "none listed"
            add(
                ("actions", index, "buyer"),
                f"'{action.buyer}' is not one of the deal's buyers ({known})"
                f"{did_you_mean(action.buyer, names)}",
            )
    selected = [i for i, alt in enumerate(deal.alternatives) if alt.selected]
    for index in selected[1:]:
        add(
            ("alternatives", index, "selected"),
            f"more than one alternative is selected ('{deal.alternatives[selected[0]].name}' "
            "already is); select at most one",
        )
    for index, indicator in enumerate(deal.indicators):
        problems += _duplicates(
            source,
            (point.date for point in indicator.values),
            ("indicators", index, "values"),
            "date",
            "this date already has a value in this indicator; dates must be unique",
        )
    return problems


def validate_deal(
    source: SourceFile, settings: Settings
) -> tuple[DealDoc | None, list[Diagnostic]]:
    problems = check_slug(source)
    deal, errors = decode(source, Deal)
    problems += errors
    if deal is None:
        return None, problems
    assert isinstance(deal, Deal)
    problems += check_meaning(source, deal, settings)
    if problems:
        return None, problems
    if deal.currency is None:
        deal = deal.model_copy(update={"currency": settings.currency})
    return DealDoc(source.slug, source.rel, deal, source.body, source.body_line), []


def validate_method(source: SourceFile) -> tuple[MethodDoc | None, list[Diagnostic]]:
    problems = check_slug(source)
    page, errors = decode(source, MethodPage)
    problems += errors
    if page is None or problems:
        return None, problems
    assert isinstance(page, MethodPage)
    return MethodDoc(source.slug, source.rel, page, source.body, source.body_line), []


def check_unique_slugs(sources: Iterable[SourceFile]) -> list[Diagnostic]:
    """Deals in different sub-folders must still have different file names: the slug is the URL."""
    first: dict[str, str] = {}
    problems = []
    for source in sources:
        if source.slug in first:
            problems.append(
                Diagnostic(
                    source.rel,
                    1,
                    None,
                    f"the slug '{source.slug}' is already used by {first[source.slug]}; "
                    "every deal needs its own file name",
                )
            )
        else:
            first[source.slug] = source.rel
    return problems
