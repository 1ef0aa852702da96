"""The command line, run for real: ``python -m playbook ...`` in a subprocess."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from playbook import __version__

from conftest import REPO, VALID_DEAL, run_playbook, snapshot
from pages import read_page


def test_help_names_the_build_command() -> None:
    result = run_playbook("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: playbook ")
    assert re.search(r"^\s+build\s+validate the playbook and build the site$", result.stdout, re.M)
    assert result.stderr == ""


def test_build_help_lists_every_option() -> None:
    result = run_playbook("build", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: playbook build ")
    for option in ("project", "--out DIR", "--drafts", "--as-of DATE", "--quiet"):
        assert option in result.stdout


def test_version_is_the_package_version() -> None:
    result = run_playbook("--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"playbook {__version__}\n", "")
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_no_command_shows_help_and_exits_2() -> None:
    result = run_playbook()
    assert result.returncode == 2
    assert "build" in result.stdout


def test_builds_the_sample_playbook_without_errors(tmp_path: Path) -> None:
    out = tmp_path / "sample-site"
    repo_site = snapshot(REPO / "site")  # --out must leave the repository's own site alone
    result = run_playbook("build", REPO, "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    deals = sorted(p.name for p in (out / "deals").iterdir())
    assert len(deals) >= 5
    summary = re.fullmatch(
        rf"built {len(deals)} deals into {re.escape(str(out))} \((\d+) files\); "
        r"(\d+) red flags? on (\d+) deals?\n",
        result.stdout,
    )
    assert summary, result.stdout
    written = [p for p in out.rglob("*") if p.is_file() and p.name != ".playbook-site"]
    assert int(summary[1]) == len(written)
    assert snapshot(REPO / "site") == repo_site


def test_build_summary_counts_in_words(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    result = run_playbook("build", root)
    assert result.returncode == 0, result.stderr
    site = root / "site"
    written = sum(1 for p in site.rglob("*") if p.is_file() and p.name != ".playbook-site")
    assert result.stdout == f"built 1 deal into {site} ({written} files); 0 red flags on 0 deals\n"


def test_quiet_build_prints_nothing(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    result = run_playbook("build", root, "--quiet")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert (root / "site" / "index.html").is_file()


@pytest.mark.parametrize(
    ("args", "last_line"),
    [
        pytest.param(
            ["build", "--colour"],
            "playbook: error: unrecognized arguments: --colour",
            id="unknown-option",
        ),
        pytest.param(
            ["build", "--as-of", "2026-13-01"],
            "playbook build: error: argument --as-of: '2026-13-01' is not a date; "
            "write it as YYYY-MM-DD, for example 2026-11-15",
            id="bad-as-of",
        ),
        pytest.param(
            ["build", "--as-of", "15/11/2026"],
            "playbook build: error: argument --as-of: '15/11/2026' is not a date; "
            "write it as YYYY-MM-DD, for example 2026-11-15",
            id="as-of-in-another-format",
        ),
        pytest.param(["bild"], None, id="unknown-command"),
    ],
)
def test_usage_errors_exit_2(
    make_playbook: Callable[..., Path], args: list[str], last_line: str | None
) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    result = run_playbook(*args, cwd=root)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    if last_line is not None:
        assert result.stderr.splitlines()[-1] == last_line
    else:
        assert "invalid choice: 'bild'" in result.stderr
    assert not (root / "site").exists()


def test_missing_project_folder_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = run_playbook("build", missing)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"playbook: {missing} is not a folder\n"
    assert not missing.exists()


def test_builds_the_current_folder_by_default(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    result = run_playbook("build", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "site" / "deals" / "acme" / "index.html").is_file()


def test_as_of_changes_what_today_means(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})  # closes 2027-03-31
    flag = (
        "● high The expected close date 2027-03-31 passed 10 days ago, "
        "but the deal is neither won nor lost"
    )

    def flags(*args: str) -> tuple[list[str], str]:
        result = run_playbook("build", root, *args)
        assert result.returncode == 0, result.stderr
        page = read_page(root / "site" / "deals" / "acme" / "index.html")
        items = [li.text() for li in page.find("section", id="red-flags").find_all("li")]
        return items, page.find("footer").text()

    items, footer = flags()  # playbook.toml says 2026-11-15
    assert flag not in items
    assert footer.startswith("As of 2026-11-15")
    items, footer = flags("--as-of", "2027-04-10")
    assert flag in items
    assert footer.startswith("As of 2027-04-10")


def test_a_deal_link_in_a_loop_is_a_located_error(make_playbook: Callable[..., Path]) -> None:
    root = make_playbook({"content/deals/acme.md": VALID_DEAL})
    (root / "content" / "deals" / "loop.md").symlink_to("loop.md")
    result = run_playbook("build", root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        "content/deals/loop.md:1: the file cannot be read (Too many levels of symbolic links); "
        "check that it is a plain file"
    )
    assert not (root / "site").exists()
