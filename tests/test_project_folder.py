"""The playbook folder itself: a missing content/ or a playbook.toml that is not a file speaks up.

Only an absent playbook.toml means the defaults, and only an existing content/ is a playbook
(an empty content/deals/ builds an empty site, on purpose). Anything else is an error located at
the folder or file, with exit status 1, and the previous site stays exactly as it was.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from playbook.config import load_settings
from playbook.diagnostics import Diagnostic
from playbook.sources import content_problems

from conftest import VALID_DEAL, run_playbook, snapshot, write_files

NO_CONTENT = (
    "content: the folder does not exist: a playbook keeps its deals in content/deals/ (an empty "
    "folder will do); check that this is the playbook's folder, or start a new playbook with "
    "'playbook init DIR'"
)
CONTENT_IS_A_FILE = (
    "content: this is a file, but it must be the folder that holds deals/ and method/; move it "
    "away and make content/ a folder"
)
DEALS_IS_A_FILE = (
    "content/deals: this is a file, but it must be a folder of deal files (*.md); move it away "
    "and make content/deals/ a folder"
)
METHOD_IS_A_FILE = (
    "content/method: this is a file, but it must be a folder of method pages (*.md); move it "
    "away and make content/method/ a folder"
)
DEALS_LINK_TO_NOTHING = (
    "content/deals: this is a link to nothing, but it must be a folder of deal files (*.md); "
    "move it away and make content/deals/ a folder"
)
SETTINGS_IS_A_FOLDER = (
    "playbook.toml: this is a folder, but the settings must be a text file (lines such as "
    'title = "Sales playbook"); remove the folder, or put the settings file in its place'
)
SETTINGS_LINK_TO_NOTHING = (
    "playbook.toml: this is not a plain file (a link to nothing, or a device); replace it with a "
    "text file of settings, or remove it to use the defaults"
)
NOTHING_WRITTEN = "playbook: 1 error; nothing was written"


@pytest.fixture
def built(make_playbook: Callable[..., Path]) -> Path:
    """A playbook with one deal and the site built from it: the "previous" site."""
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    result = run_playbook("build", root)
    assert result.returncode == 0, result.stderr
    return root


def _replace_with_file(path: Path) -> None:
    shutil.rmtree(path)
    path.write_text("not a folder\n", encoding="utf-8")


def _replace_with_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _replace_with_link_to_nothing(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    path.symlink_to(path.parent / "gone")


# Each way the playbook folder can be wrong, and the one line that says so.
BROKEN: dict[str, tuple[Callable[[Path], None], str]] = {
    "no-content-folder": (lambda root: shutil.rmtree(root / "content"), NO_CONTENT),
    "content-is-a-file": (lambda root: _replace_with_file(root / "content"), CONTENT_IS_A_FILE),
    "deals-is-a-file": (lambda root: _replace_with_file(root / "content/deals"), DEALS_IS_A_FILE),
    "method-is-a-file": (
        lambda root: _replace_with_file(root / "content/method"),
        METHOD_IS_A_FILE,
    ),
    "deals-is-a-link-to-nothing": (
        lambda root: _replace_with_link_to_nothing(root / "content/deals"),
        DEALS_LINK_TO_NOTHING,
    ),
    "settings-is-a-folder": (
        lambda root: _replace_with_folder(root / "playbook.toml"),
        SETTINGS_IS_A_FOLDER,
    ),
    "settings-is-a-link-to-nothing": (
        lambda root: _replace_with_link_to_nothing(root / "playbook.toml"),
        SETTINGS_LINK_TO_NOTHING,
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_build_fails_at_the_folder_and_leaves_the_site_untouched(built: Path, case: str) -> None:
    breaks, message = BROKEN[case]
    breaks(built)
    before = snapshot(built)
    entries = sorted(p.name for p in built.iterdir())

    result = run_playbook("build", built)

    assert result.stderr.splitlines() == [message, NOTHING_WRITTEN]
    assert (result.returncode, result.stdout) == (1, "")
    assert snapshot(built) == before, "the previous site changed"
    assert sorted(p.name for p in built.iterdir()) == entries, "something was left behind"
    assert "deals/acme/index.html" in snapshot(built / "site")


@pytest.mark.parametrize("case", BROKEN)
def test_check_fails_at_the_folder(built: Path, case: str) -> None:
    breaks, message = BROKEN[case]
    breaks(built)

    result = run_playbook("check", built)

    assert result.stdout.splitlines() == [message]
    assert result.stderr == "playbook check: 1 error, 0 warnings\n"
    assert result.returncode == 1


def test_check_as_json_names_the_folder_without_a_line(tmp_path: Path) -> None:
    result = run_playbook("check", tmp_path, "--format", "json")

    assert json.loads(result.stdout) == [
        {
            "path": "content",
            "line": None,
            "column": None,
            "field": None,
            "message": NO_CONTENT.removeprefix("content: "),
            "severity": "error",
            "code": None,
        }
    ]
    assert result.returncode == 1
    assert sorted(tmp_path.iterdir()) == [], "a check of the wrong folder left a trace"


def test_build_in_a_folder_that_is_no_playbook_writes_nothing(tmp_path: Path) -> None:
    result = run_playbook("build", cwd=tmp_path)

    assert result.stderr.splitlines() == [NO_CONTENT, NOTHING_WRITTEN]
    assert (result.returncode, result.stdout) == (1, "")
    assert sorted(tmp_path.iterdir()) == []


def test_serve_refuses_to_start_without_a_content_folder(tmp_path: Path) -> None:
    write_files(tmp_path, {"playbook.toml": 'title = "Somewhere else"\n'})

    result = run_playbook("serve", tmp_path, "--port", "0")

    assert result.stderr.splitlines() == [NO_CONTENT, "playbook: the server was not started"]
    assert (result.returncode, result.stdout) == (1, "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["playbook.toml"]


def test_an_empty_deals_folder_builds_an_empty_site(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook()
    (root / "content/deals").mkdir()

    result = run_playbook("build", root)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"built 0 deals into {root / 'site'} (")
    assert json.loads((root / "site/deals.json").read_text(encoding="utf-8"))["deals"] == []
    assert (root / "site/index.html").is_file()


def test_a_content_folder_without_deals_is_a_playbook_without_deals(
    make_playbook: Callable[..., Path],
) -> None:
    root = make_playbook()  # content/method/ only
    assert not (root / "content/deals").exists()

    assert run_playbook("check", root).returncode == 0
    assert content_problems(root) == []


def test_settings_folder_is_reported_and_the_defaults_are_used(tmp_path: Path) -> None:
    (tmp_path / "playbook.toml").mkdir()
    problems: list[Diagnostic] = []

    settings = load_settings(tmp_path, problems)

    assert [p.as_text() for p in problems] == [SETTINGS_IS_A_FOLDER]
    assert (problems[0].path, problems[0].line) == ("playbook.toml", None)
    assert settings.title == "Sales playbook"


def test_schema_refuses_a_settings_folder(tmp_path: Path) -> None:
    (tmp_path / "playbook.toml").mkdir()

    result = run_playbook("schema", tmp_path)

    assert result.stderr.splitlines() == [
        SETTINGS_IS_A_FOLDER,
        "playbook: playbook.toml has errors; no schema printed",
    ]
    assert (result.returncode, result.stdout) == (1, "")
