"""``playbook check``: every problem without writing anything, in three formats, for CI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from playbook.diagnostics import Diagnostic, Severity, format_github

from conftest import VALID_DEAL, run_playbook, snapshot

# acme keeps the contract but has no coach (a red flag); globex breaks it twice.
NO_COACH = VALID_DEAL.replace("role: [technical, coach]", "role: technical")
BROKEN = VALID_DEAL.replace("role: [technical, coach]", "role: [technical, payer]").replace(
    "owner: Jan Peeters", "owner: Jan Peeters\ncustmer: Globex"
)

TEXT = (
    "content/deals/acme.md:12: buyers: warning: No buyer is marked as coach, so nobody guides us "
    "inside the account\n"
    "content/deals/globex.md:5: custmer: unknown field 'custmer' (did you mean 'customer'?)\n"
    "content/deals/globex.md:22: buyers[1].role[1]: 'payer' is not one of economic, user, "
    "technical, coach\n"
)

JSON = [
    {
        "path": "content/deals/acme.md",
        "line": 12,
        "column": None,
        "field": "buyers",
        "message": "No buyer is marked as coach, so nobody guides us inside the account",
        "severity": "warning",
        "code": "no-coach",
    },
    {
        "path": "content/deals/globex.md",
        "line": 5,
        "column": None,
        "field": "custmer",
        "message": "unknown field 'custmer' (did you mean 'customer'?)",
        "severity": "error",
        "code": None,
    },
    {
        "path": "content/deals/globex.md",
        "line": 22,
        "column": None,
        "field": "buyers[1].role[1]",
        "message": "'payer' is not one of economic, user, technical, coach",
        "severity": "error",
        "code": None,
    },
]

GITHUB = """\
::warning file=content/deals/acme.md,line=12,title=no-coach::buyers: No buyer is marked as coach, \
so nobody guides us inside the account
::error file=content/deals/globex.md,line=5,title=custmer::custmer: unknown field 'custmer' \
(did you mean 'customer'?)
::error file=content/deals/globex.md,line=22,title=buyers[1].role[1]::buyers[1].role[1]: \
'payer' is not one of economic, user, technical, coach
"""


@pytest.fixture
def mixed(make_playbook: Callable[..., Path]) -> Path:
    return make_playbook({"content/deals/acme.md": NO_COACH, "content/deals/globex.md": BROKEN})


def test_text_format_lists_every_problem_by_path_and_line(mixed: Path) -> None:
    before = snapshot(mixed)
    result = run_playbook("check", mixed)
    assert result.returncode == 1
    assert result.stdout == TEXT
    assert result.stderr == "playbook check: 2 errors, 1 warning\n"
    assert snapshot(mixed) == before  # nothing written, no site/ made
    assert not (mixed / "site").exists()


def test_json_format_is_a_list_of_located_objects(mixed: Path) -> None:
    result = run_playbook("check", mixed, "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout) == JSON
    assert result.stdout.endswith("\n")


def test_github_format_annotates_the_lines_of_a_pull_request(mixed: Path) -> None:
    result = run_playbook("check", mixed, "--format", "github")
    assert result.returncode == 1
    assert result.stdout == GITHUB


@pytest.mark.parametrize(
    ("form", "expected"),
    [("text", ""), ("json", "[]\n"), ("github", "")],
)
def test_a_clean_playbook_passes_with_empty_output(
    make_playbook: Callable[..., Path], form: str, expected: str
) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    result = run_playbook("check", root, "--format", form)
    assert (result.returncode, result.stdout) == (0, expected)
    assert result.stderr == "playbook check: 0 errors, 0 warnings\n"


def test_warnings_pass_unless_strict(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook({"content/deals/acme.md": NO_COACH})
    relaxed = run_playbook("check", root)
    strict = run_playbook("check", "--strict", root)
    assert relaxed.returncode == 0
    assert strict.returncode == 1
    assert relaxed.stdout == strict.stdout == TEXT.splitlines(keepends=True)[0]


def test_drafts_are_checked_too(make_playbook: Callable[..., Path]) -> None:
    draft = NO_COACH.replace("tags: [renewal]", "tags: [renewal]\ndraft: true")
    broken_draft = BROKEN.replace("tags: [renewal]", "tags: [renewal]\ndraft: true")
    root = make_playbook({"content/deals/acme.md": draft, "content/deals/globex.md": broken_draft})
    result = run_playbook("check", root)
    expected = TEXT.replace("acme.md:12:", "acme.md:13:").replace("globex.md:22:", "globex.md:23:")
    assert (result.returncode, result.stdout) == (1, expected)


def test_as_of_overrides_the_settings_date(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})  # as_of = 2026-11-15
    assert run_playbook("check", root).stdout == ""
    late = run_playbook("check", root, "--as-of", "2026-12-06")
    assert late.returncode == 0
    assert late.stdout == (
        "content/deals/acme.md:19: buyers[0].last_contact: warning: Marie Dubois has not been "
        "contacted for 34 days (limit 30)\n"
        "content/deals/acme.md:25: buyers[1].last_contact: warning: Tom Janssens has not been "
        "contacted for 35 days (limit 30)\n"
        "content/deals/acme.md:41: actions[0].due: warning: Planned action 'Live demo of lineage "
        "features' was due 2026-12-05, 1 day ago\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["--as-of", "2026-13-01"], "'2026-13-01' is not a date"),
        (["no-such-folder"], "playbook: no-such-folder is not a folder"),
    ],
)
def test_usage_errors_exit_with_2(
    make_playbook: Callable[..., Path], args: list[str], message: str
) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    result = run_playbook("check", *args, cwd=root)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_github_annotations_escape_what_would_break_them() -> None:
    problem = Diagnostic(
        "content/deals/a,b.md", 3, "notes", "50% done\nsecond line", Severity.WARNING
    )
    assert format_github([problem]) == (
        "::warning file=content/deals/a%2Cb.md,line=3,title=notes::"
        "notes: 50%25 done%0Asecond line\n"
    )
