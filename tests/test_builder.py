"""The incremental Builder a dev server calls: one object, many builds, only what changed redone.

Counts come from the build's stats: units run (cache misses) and files written into the site.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from playbook.builder import Builder
from playbook.diagnostics import BuildFailed
from playbook.pipeline import build

from conftest import VALID_DEAL, snapshot, write_files


def _deal(title: str) -> str:
    return VALID_DEAL.replace("title: Data platform renewal", f"title: {title}")


@pytest.fixture
def root(make_playbook: Callable[..., Path]) -> Path:
    return make_playbook({f"content/deals/deal-{i}.md": _deal(f"Deal {i}") for i in range(5)})


@pytest.fixture
def builder(root: Path, tmp_path: Path) -> Builder:
    return Builder(root, tmp_path / "out", jobs=1, use_cache=False)


def _reference(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site as a build from nothing, without cache, in one process, makes it."""
    out = tmp_path / "reference"
    shutil.rmtree(out, ignore_errors=True)
    build(root, out, jobs=1, use_cache=False)
    return snapshot(out)


def test_first_build_writes_every_page(builder: Builder) -> None:
    result = builder.build()
    # 5 deals, 1 method page, index, method index, 404, style.css
    assert (result.stats.cache_misses, result.stats.pages_written) == (5, 10)


def test_saving_one_deal_rebuilds_its_page_and_the_index(
    builder: Builder, root: Path, tmp_path: Path
) -> None:
    builder.build()
    path = root / "content/deals/deal-2.md"
    path.write_text(_deal("Deal two, renamed"), encoding="utf-8")
    result = builder.build(changed=[path])
    assert (result.stats.cache_misses, result.stats.pages_written) == (1, 2)
    assert snapshot(builder.out) == _reference(root, tmp_path)


def test_saving_without_a_change_writes_nothing(builder: Builder, root: Path) -> None:
    builder.build()
    path = root / "content/deals/deal-2.md"
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    result = builder.build(changed=[path])
    assert (result.stats.cache_misses, result.stats.pages_written) == (0, 0)


def test_changing_the_deal_page_template_rebuilds_every_deal_page_only(
    builder: Builder, root: Path, tmp_path: Path
) -> None:
    builder.build()
    deal_template = (Path(__file__).parent.parent / "templates" / "deal.html").read_text("utf-8")
    write_files(root, {"templates/deal.html": deal_template.replace("<article", "<article data-x")})
    result = builder.build(changed=[root / "templates/deal.html"])
    # every unit runs again; of the other pages only those whose bytes changed are written
    assert (result.stats.cache_misses, result.stats.pages_written) == (5, 5)
    assert snapshot(builder.out) == _reference(root, tmp_path)


def test_changing_settings_rebuilds_everything(
    builder: Builder, root: Path, tmp_path: Path
) -> None:
    builder.build()
    write_files(root, {"playbook.toml": 'title = "Renamed"\nas_of = 2026-11-15\n'})
    result = builder.build(changed=[root / "playbook.toml"])
    assert (result.stats.cache_misses, result.stats.pages_written) == (5, 9)  # not style.css
    assert snapshot(builder.out) == _reference(root, tmp_path)


def test_adding_and_removing_deals(builder: Builder, root: Path, tmp_path: Path) -> None:
    builder.build()
    added = root / "content/deals/deal-9.md"
    added.write_text(_deal("Deal nine"), encoding="utf-8")
    result = builder.build(changed=[added])
    assert (result.stats.cache_misses, result.stats.pages_written) == (1, 2)
    removed = root / "content/deals/deal-0.md"
    removed.unlink()
    result = builder.build(changed=[removed])
    assert (result.stats.cache_misses, result.stats.pages_written) == (0, 1)  # the index
    assert not (builder.out / "deals/deal-0").exists()
    assert snapshot(builder.out) == _reference(root, tmp_path)


def test_a_broken_save_leaves_the_site_and_the_fix_recovers(
    builder: Builder, root: Path, tmp_path: Path
) -> None:
    builder.build()
    before = snapshot(builder.out)
    path = root / "content/deals/deal-3.md"
    path.write_text(_deal("Deal 3").replace("stage: develop", "stage: nowhere"), "utf-8")
    with pytest.raises(BuildFailed) as failed:
        builder.build(changed=[path])
    assert [d.as_text() for d in failed.value.diagnostics] == [
        "content/deals/deal-3.md:5: stage: 'nowhere' is not one of prospect, qualify, develop, "
        "propose, negotiate, won, lost"
    ]
    assert snapshot(builder.out) == before
    path.write_text(_deal("Deal 3, fixed"), encoding="utf-8")
    result = builder.build(changed=[path])
    assert (result.stats.cache_misses, result.stats.pages_written) == (1, 2)
    assert snapshot(builder.out) == _reference(root, tmp_path)


def test_files_outside_changed_are_taken_as_unchanged(builder: Builder, root: Path) -> None:
    """The watcher's list is trusted: that is what makes a save cheap on a large playbook."""
    builder.build()
    path = root / "content/deals/deal-1.md"
    path.write_text(_deal("Deal one, renamed"), encoding="utf-8")
    assert builder.build(changed=[]).stats.pages_written == 0
    assert builder.build(changed=[path]).stats.pages_written == 2
