"""Bad input is first-class: every kind of broken file gets its exact, located message.

Each case is a fixture file ``tests/fixtures/bad/NAME.md`` (or ``.toml``) with the exact stderr
lines it must produce in ``NAME.expected``, so a failing test shows both wording and line numbers.
The fixture goes into a playbook that already has a built site; the build must fail with
status 1, print those lines and a summary, no traceback, and leave the site and every source
file exactly as they were.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import VALID_DEAL, run_playbook, snapshot, write_files

BAD = Path(__file__).parent / "fixtures" / "bad"

# Where a fixture goes in the playbook when it is not simply ``content/deals/NAME.md``.
PLACES: dict[str, tuple[str, ...]] = {
    "invalid-slug.md": ("content/deals/Acme Deal.md",),
    "duplicate-slug.md": ("content/deals/east/orbit.md", "content/deals/west/orbit.md"),
    "method-page-without-title.md": ("content/method/method-page-without-title.md",),
}

# Every kind of broken input, by fixture file; the test id says what is wrong.
CASES = [
    # the fields of a deal
    "unknown-field.md",
    "unknown-nested-field.md",
    "unknown-enum-value.md",
    "role-not-allowed.md",
    "role-not-allowed-in-list.md",
    "rating-out-of-range.md",
    "position-out-of-range.md",
    "chance-out-of-range.md",
    "negative-value.md",
    "bad-currency.md",
    "impossible-date.md",
    "badly-shaped-date.md",
    "missing-required-fields.md",
    "buyer-without-role.md",
    "empty-required-value.md",
    "text-where-list-expected.md",
    "number-where-text-expected.md",
    "number-with-thousands-separator.md",
    "number-in-quotes.md",
    "not-true-or-false.md",
    # rules across fields
    "duplicate-buyer-name.md",
    "action-names-unknown-buyer.md",
    "two-alternatives-selected.md",
    "duplicate-indicator-date.md",
    "unknown-stage.md",
    # YAML
    "key-appears-twice.md",
    "unclosed-bracket.md",
    "recursive-alias.md",
    "alias-bomb.md",
    "unclosed-quote.md",
    "colon-in-unquoted-value.md",
    "value-starts-with-reserved-character.md",
    "tab-indentation.md",
    "wrong-indentation.md",
    "front-matter-is-a-list.md",
    # the file itself
    "no-front-matter.md",
    "front-matter-never-closed.md",
    "not-utf8.md",
    "empty.md",
    "invalid-slug.md",
    "duplicate-slug.md",
    # other files of the playbook
    "method-page-without-title.md",
    "settings-toml-syntax.toml",
    "settings-unknown-key.toml",
    "settings-wrong-type.toml",
    "settings-unknown-stage.toml",
]

# The valid playbook every case starts from, built once; its site is the "previous" one.
FIRST: dict[str, str | bytes] = {
    "playbook.toml": 'title = "Test playbook"\nas_of = 2026-11-15\n',
    "content/deals/acme.md": VALID_DEAL,
}

LOCATED = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): ")


def places(fixture: str) -> tuple[str, ...]:
    if fixture in PLACES:
        return PLACES[fixture]
    if fixture.endswith(".toml"):
        return ("playbook.toml",)
    return (f"content/deals/{fixture}",)


def expected_lines(fixture: str) -> list[str]:
    path = (BAD / fixture).with_suffix(".expected")
    return path.read_text(encoding="utf-8").splitlines()


def summary(count: int) -> str:
    return f"playbook: {count} error{'' if count == 1 else 's'}; nothing was written"


def located(line: str) -> tuple[str, int]:
    match = LOCATED.match(line)
    assert match, f"not in the form PATH:LINE: ...: {line!r}"
    return match["path"], int(match["line"])


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built once from a valid playbook; each test copies it as its "previous" site."""
    root = write_files(tmp_path_factory.mktemp("first-build"), FIRST)
    result = run_playbook("build", root)
    assert result.returncode == 0, result.stderr
    return root / "site"


@pytest.fixture
def previous_build(make_playbook: Callable[..., Path], built_site: Path) -> Path:
    """A playbook with one valid deal and the site built from it."""
    root = make_playbook(FIRST, bare=True)
    shutil.copytree(built_site, root / "site")
    return root


def add_fixture(root: Path, fixture: str) -> None:
    for place in places(fixture):
        (root / place).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(BAD / fixture, root / place)


def test_every_fixture_is_a_case_with_expected_output() -> None:
    fixtures = sorted(p.name for p in BAD.iterdir() if p.suffix != ".expected")
    assert fixtures == sorted(CASES)
    expected = sorted(p.with_suffix("").name for p in BAD.glob("*.expected"))
    assert expected == sorted(Path(c).with_suffix("").name for c in CASES)


@pytest.mark.parametrize("fixture", CASES, ids=lambda c: Path(c).stem)
def test_rejects_broken_input_with_located_message_and_keeps_site(
    previous_build: Path, fixture: str
) -> None:
    root = previous_build
    add_fixture(root, fixture)
    before = snapshot(root)
    entries = sorted(p.name for p in root.iterdir())
    want = expected_lines(fixture)

    result = run_playbook("build", root)

    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.splitlines() == [*want, summary(len(want))]
    assert result.stdout == ""
    assert result.returncode == 1
    assert snapshot(root) == before, "the previous site or a source file changed"
    assert sorted(p.name for p in root.iterdir()) == entries, "a staging folder was left behind"
    assert "deals/acme/index.html" in snapshot(root / "site")


def test_reports_every_error_of_every_file_in_one_run_sorted_by_path_and_line(
    previous_build: Path,
) -> None:
    fixtures = [
        "unknown-field.md",
        "missing-required-fields.md",
        "tab-indentation.md",
        "not-utf8.md",
        "invalid-slug.md",
        "duplicate-slug.md",
        "rating-out-of-range.md",
        "method-page-without-title.md",
        "settings-unknown-key.toml",
    ]
    for fixture in fixtures:
        add_fixture(previous_build, fixture)
    before = snapshot(previous_build)
    blocks = sorted((expected_lines(f) for f in fixtures), key=lambda block: located(block[0]))
    want = [line for block in blocks for line in block]

    result = run_playbook("build", previous_build)

    lines = result.stderr.splitlines()
    assert lines == [*want, summary(len(want))]
    assert len(want) == 11
    locations = [located(line) for line in lines[:-1]]
    assert locations == sorted(locations)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert snapshot(previous_build) == before


def test_a_broken_draft_is_an_error_too(previous_build: Path) -> None:
    """Drafts are left out of the site, but not out of validation: a typo must never hide."""
    draft = (BAD / "unknown-stage.md").read_text(encoding="utf-8")
    draft = draft.replace("tags: [renewal]\n", "tags: [renewal]\ndraft: true\n")
    write_files(previous_build, {"content/deals/unknown-stage.md": draft})

    result = run_playbook("build", previous_build)

    assert result.stderr.splitlines() == [
        "content/deals/unknown-stage.md:5: stage: 'devlop' is not one of prospect, qualify, "
        "develop, propose, negotiate, won, lost (did you mean 'develop'?)",
        summary(1),
    ]
    assert result.returncode == 1
