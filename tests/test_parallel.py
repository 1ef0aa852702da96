"""Builds over several processes give the bytes, and the errors, of a build in one process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from playbook.diagnostics import BuildFailed
from playbook.pipeline import build, check
from playbook.workers import IN_PROCESS_BELOW

from conftest import REPO, VALID_DEAL, run_playbook, snapshot, write_files

DEALS = IN_PROCESS_BELOW + 16  # enough for the process pool to be used


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    generator = REPO / "benchmarks" / "gen_corpus.py"
    subprocess.run(
        [sys.executable, str(generator), str(root), str(DEALS), "--bad", "10"],
        check=True,
        capture_output=True,
    )
    return root


@pytest.fixture
def playbook(corpus: Path, tmp_path: Path) -> Path:
    """A copy of the generated corpus, without its broken deals."""
    root = tmp_path / "playbook"
    shutil.copytree(corpus, root, ignore=shutil.ignore_patterns("bad"))
    return root


def test_two_processes_build_the_same_bytes_as_one(playbook: Path, tmp_path: Path) -> None:
    one = build(playbook, tmp_path / "one", jobs=1, use_cache=False)
    two = build(playbook, tmp_path / "two", jobs=2, use_cache=False)
    assert two.stats.jobs == 2
    assert snapshot(tmp_path / "two") == snapshot(tmp_path / "one")
    assert (two.pages, two.deals, two.warnings) == (one.pages, one.deals, one.warnings)


def test_cached_parallel_build_equals_serial_build_without_cache(
    playbook: Path, tmp_path: Path
) -> None:
    build(playbook, tmp_path / "one", jobs=1, use_cache=False)
    build(playbook, playbook / "site", jobs=2)
    (playbook / "content/deals/deal-00003.md").write_text(
        (playbook / "content/deals/deal-00003.md").read_text("utf-8") + "\nOne more line.\n",
        encoding="utf-8",
    )
    build(playbook, tmp_path / "again", jobs=1, use_cache=False)
    result = build(playbook, playbook / "site", jobs=2)
    assert result.stats.cache_misses == 1
    assert snapshot(playbook / "site") == snapshot(tmp_path / "again")


def test_bad_deals_give_the_same_errors_in_the_same_order(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "bad-playbook"
    shutil.copytree(corpus, root, ignore=shutil.ignore_patterns("bad"))
    for path in sorted((corpus / "bad").glob("*.md")):
        shutil.copy(path, root / "content" / "deals" / path.name)
    one = run_playbook("build", root, "--jobs", "1", "--no-cache")
    two = run_playbook("build", root, "--jobs", "2", "--no-cache")
    assert one.returncode == two.returncode == 1
    assert two.stderr == one.stderr
    lines = one.stderr.splitlines()
    assert len(lines) >= 11  # ten broken deals, then the summary
    assert lines[-1].startswith("playbook: ") and "nothing was written" in lines[-1]
    assert not (root / "site").exists()
    # check reports them the same way, with the red flags of the valid deals after them
    assert check(root, jobs=2, use_cache=False) == check(root, jobs=1, use_cache=False)


def test_deal_template_that_lists_other_deals_is_rendered_once_all_are_known(
    playbook: Path, tmp_path: Path
) -> None:
    builtin = (REPO / "templates" / "deal.html").read_text(encoding="utf-8")
    own = builtin.replace(
        '<p class="customer">',
        '<p class="others">{{ site.deals | length }} deals</p>\n<p class="customer">',
    )
    write_files(playbook, {"templates/deal.html": own})
    one = build(playbook, tmp_path / "one", jobs=1, use_cache=False)
    build(playbook, tmp_path / "two", jobs=2, use_cache=False)
    assert snapshot(tmp_path / "two") == snapshot(tmp_path / "one")
    page = (tmp_path / "two" / "deals" / "deal-00001" / "index.html").read_text("utf-8")
    assert f'<p class="others">{one.deals} deals</p>' in page


def test_link_to_a_draft_is_broken_in_parallel_builds_too(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    files: dict[str, str | bytes] = {
        f"content/deals/deal-{i:03}.md": VALID_DEAL + "\nSee [the pilot](pilot.md).\n"
        for i in range(DEALS)
    }
    files["content/deals/pilot.md"] = VALID_DEAL.replace("tags:", "draft: true\ntags:")
    root = make_playbook(files)
    one = run_playbook("build", root, "--jobs", "1", "--no-cache")
    two = run_playbook("build", root, "--jobs", "2", "--no-cache")
    assert one.returncode == two.returncode == 1
    assert two.stderr == one.stderr
    first = one.stderr.splitlines()[0]
    line = VALID_DEAL.count("\n") + 2
    assert first == (
        f"content/deals/deal-000.md:{line}: the link 'pilot.md' points to "
        "content/deals/pilot.md, a draft: drafts have no page unless the site is built with "
        "--drafts"
    )
    with_drafts = run_playbook("build", root, "--jobs", "2", "--drafts")
    assert with_drafts.returncode == 0, with_drafts.stderr


def test_template_mistake_raises_the_same_in_workers_as_in_one_process(
    playbook: Path, tmp_path: Path
) -> None:
    builtin = (REPO / "templates" / "deal.html").read_text(encoding="utf-8")
    broken = builtin.replace("{{ deal.customer }}</p>", "{{ deal.customer.nickname.first }}</p>")
    write_files(playbook, {"templates/deal.html": broken})
    with pytest.raises(Exception) as serial:
        build(playbook, tmp_path / "one", jobs=1, use_cache=False)
    with pytest.raises(Exception) as parallel:
        build(playbook, tmp_path / "two", jobs=2, use_cache=False)
    assert type(parallel.value) is type(serial.value) is BuildFailed
    assert parallel.value.diagnostics == serial.value.diagnostics
    [problem] = serial.value.diagnostics
    assert "nickname" in problem.message
    assert not (tmp_path / "two").exists()
