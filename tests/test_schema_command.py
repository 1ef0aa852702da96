"""``playbook schema`` and the pre-commit hook: editor and git integration."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from playbook.sources import load_source

from conftest import REPO, VALID_DEAL, run_playbook


def printed_schema(*args: str | Path) -> dict[str, Any]:
    result = run_playbook("schema", *args)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def front_matter(path: Path) -> dict[str, Any]:
    """A deal's front-matter as playbook reads it: dates stay text, as in the YAML file."""
    source = load_source(path, path.parent, [])
    assert source is not None
    return source.data


SAMPLE_DEALS = sorted((REPO / "content" / "deals").glob("*.md"))


@pytest.mark.parametrize("path", SAMPLE_DEALS, ids=lambda p: p.stem)
def test_schema_accepts_every_sample_deal(path: Path) -> None:
    schema = printed_schema(REPO)
    assert list(validator(schema).iter_errors(front_matter(path))) == []


def test_sample_deals_cover_both_spellings_of_role() -> None:
    roles = [b["role"] for p in SAMPLE_DEALS for b in front_matter(p).get("buyers", [])]
    assert any(isinstance(r, str) for r in roles) and any(isinstance(r, list) for r in roles)


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (("stage: develop", "stage: developing"), ["stage"], "is not one of"),
        (("customer: Acme Corp", "custmer: Acme Corp"), [], "'custmer' was unexpected"),
        (("position: 1", "position: 7"), ["position"], "7 is greater than the maximum of 5"),
        (("close_date: 2027-03-31", "close_date: 31/03/2027"), ["close_date"], "does not match"),
        (("role: economic", "role: payer"), ["buyers", 0, "role"], "is not valid under any"),
        (("    chance: 40", "    chance: 40\n    picked: true"), ["alternatives", 0], "picked"),
    ],
)
def test_schema_rejects_a_broken_deal(
    make_playbook: Callable[..., Path], change: tuple[str, str], path: list[Any], message: str
) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL.replace(*change)})
    errors = list(
        validator(printed_schema(root)).iter_errors(front_matter(root / "content/deals/acme.md"))
    )
    assert {tuple(e.absolute_path) for e in errors} == {tuple(path)}
    # The reason, possibly inside an "any of" (a value or nothing) that the value failed.
    reasons = [e.message for error in errors for e in (error, *error.context)]
    assert any(message in reason for reason in reasons), reasons


def test_schema_uses_the_playbooks_own_stages(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook({"playbook.toml": '[stages]\norder = ["lead", "best-few", "won"]\n'})
    assert printed_schema(root)["properties"]["stage"]["enum"] == ["lead", "best-few", "won"]
    assert printed_schema(REPO / "tests")["properties"]["stage"]["enum"] == [
        "prospect",
        "qualify",
        "develop",
        "propose",
        "negotiate",
        "won",
        "lost",
    ]


def test_schema_refuses_broken_settings(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook({"playbook.toml": '[stages]\norder = ["a", "a"]\n'})
    result = run_playbook("schema", root)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "playbook.toml:2: stages.order: the stage 'a' is listed twice\n"
        "playbook: playbook.toml has errors; no schema printed\n"
    )


def test_pre_commit_hook_runs_check_on_playbook_changes() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "playbook-check"
    assert hook["entry"] == "playbook check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("content/deals/acme.md")
    assert files.search("content/method/buyer-roles.md")
    assert files.search("playbook.toml")
    assert not files.search("README.md")
    assert not files.search("site/index.html")
    assert not files.search("old/playbook.toml.bak")
