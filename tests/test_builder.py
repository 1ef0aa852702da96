"""The incremental Builder a dev server calls: one object, many builds, only what changed redone.

Counts come from the build's stats (units run, files written) and are checked against the files
whose bytes really changed; every site is compared with a build from nothing.
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from playbook import search
from playbook.builder import Builder, BuildResult
from playbook.diagnostics import BuildFailed
from playbook.pipeline import build
from playbook.render import Page, Renderer

from conftest import METHOD_PAGE, REPO, VALID_DEAL, snapshot, write_files

# What a renamed deal changes besides its own page: the pages that list it (overview, its
# owner, stage and tag), deals.json and the search index's files that hold its words.
LISTS_IT = ("index.html", "owners/", "stages/", "tags/", "deals.json", "search/")


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


def _rebuild(builder: Builder, *changed: Path) -> tuple[BuildResult, list[str]]:
    """Build again; the result, and the files whose bytes changed (or appeared)."""
    before = snapshot(builder.out)
    result = builder.build(changed=changed)
    after = snapshot(builder.out)
    return result, sorted(path for path, data in after.items() if before.get(path) != data)


def test_first_build_writes_every_page(builder: Builder) -> None:
    result = builder.build()
    assert result.stats.cache_misses == 5
    assert result.stats.pages_written == result.pages == len(snapshot(builder.out)) - 1


def test_saving_one_deal_rebuilds_its_page_and_the_pages_listing_it(
    builder: Builder, root: Path, tmp_path: Path
) -> None:
    builder.build()
    path = root / "content/deals/deal-2.md"
    path.write_text(_deal("Deal two, renamed"), encoding="utf-8")
    result, changed = _rebuild(builder, path)
    assert result.stats.cache_misses == 1
    assert result.stats.pages_written == len(changed)
    assert "deals/deal-2/index.html" in changed
    others = [p for p in changed if p != "deals/deal-2/index.html"]
    assert others and all(p.startswith(LISTS_IT) for p in others)
    assert not any(p.startswith("deals/deal-") for p in others)  # no other deal's page
    assert snapshot(builder.out) == _reference(root, tmp_path)


def test_saving_a_change_to_the_narrative_rebuilds_only_that_page(
    builder: Builder, root: Path
) -> None:
    builder.build()
    path = root / "content/deals/deal-2.md"
    path.write_text(_deal("Deal 2").replace("likes the lineage", "loves the lineage"), "utf-8")
    result, changed = _rebuild(builder, path)
    assert (result.stats.cache_misses, result.stats.pages_written) == (1, 1)
    assert changed == ["deals/deal-2/index.html"]


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
    deal_template = (REPO / "templates" / "deal.html").read_text("utf-8")
    write_files(root, {"templates/deal.html": deal_template.replace("<article", "<article data-x")})
    result, changed = _rebuild(builder, root / "templates/deal.html")
    # every unit runs again; of the other pages only those whose bytes changed are written
    assert result.stats.cache_misses == 5
    assert changed == [f"deals/deal-{i}/index.html" for i in range(5)]
    assert result.stats.pages_written == 5
    assert snapshot(builder.out) == _reference(root, tmp_path)


def test_changing_settings_rebuilds_every_page(
    builder: Builder, root: Path, tmp_path: Path
) -> None:
    builder.build()
    write_files(root, {"playbook.toml": 'title = "Renamed"\nas_of = 2026-11-15\n'})
    result, changed = _rebuild(builder, root / "playbook.toml")
    pages = [p for p in snapshot(builder.out) if p.endswith(".html")]
    assert result.stats.cache_misses == 5
    assert set(pages) <= set(changed)  # every page shows the title
    assert result.stats.pages_written == len(changed)
    assert snapshot(builder.out) == _reference(root, tmp_path)


def test_adding_and_removing_deals(builder: Builder, root: Path, tmp_path: Path) -> None:
    builder.build()
    added = root / "content/deals/deal-9.md"
    added.write_text(_deal("Deal nine"), encoding="utf-8")
    result, changed = _rebuild(builder, added)
    assert result.stats.cache_misses == 1
    assert result.stats.pages_written == len(changed)
    assert "deals/deal-9/index.html" in changed
    assert not any(p.startswith("deals/deal-") for p in changed if "deal-9" not in p)
    removed = root / "content/deals/deal-0.md"
    removed.unlink()
    result, changed = _rebuild(builder, removed)
    assert result.stats.cache_misses == 0
    assert not (builder.out / "deals/deal-0").exists()
    assert "index.html" in changed
    assert not any(p.startswith("deals/") for p in changed)
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
    [problem] = failed.value.diagnostics
    assert problem.path == "content/deals/deal-3.md"
    assert problem.line == 5
    assert problem.field == "stage"
    assert problem.message.startswith("'nowhere' is not one of prospect, qualify, develop")
    assert snapshot(builder.out) == before
    path.write_text(_deal("Deal 3, fixed"), encoding="utf-8")
    result, changed = _rebuild(builder, path)
    assert result.stats.cache_misses == 1
    assert "deals/deal-3/index.html" in changed
    assert snapshot(builder.out) == _reference(root, tmp_path)


def test_files_outside_changed_are_taken_as_unchanged(builder: Builder, root: Path) -> None:
    """The watcher's list is trusted: that is what makes a save cheap on a large playbook."""
    builder.build()
    path = root / "content/deals/deal-1.md"
    path.write_text(_deal("Deal one, renamed"), encoding="utf-8")
    assert builder.build(changed=[]).stats.pages_written == 0
    assert builder.build(changed=[path]).stats.cache_misses == 1


def _renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the pages rendered from now on, by units and by the main process alike."""
    rendered: list[str] = []
    real = Renderer.render

    def counting(self: Renderer, page: Page) -> bytes:
        rendered.append(page.path)
        return real(self, page)

    monkeypatch.setattr(Renderer, "render", counting)
    return rendered


def test_list_pages_whose_deals_did_not_change_are_not_rendered_again(
    builder: Builder, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each deal has its own owner here: renaming one re-renders its owner's page, no other's."""
    for i in range(5):
        path = root / f"content/deals/deal-{i}.md"
        path.write_text(path.read_text("utf-8").replace("Jan Peeters", f"Owner {i}"), "utf-8")
    builder.build()
    rendered = _renders(monkeypatch)
    path = root / "content/deals/deal-2.md"
    path.write_text(path.read_text("utf-8").replace("Deal 2", "Deal two"), "utf-8")
    builder.build(changed=[path])
    owners = sorted(p for p in rendered if p.startswith("owners/"))
    assert owners == ["owners/index.html", "owners/owner-2/index.html"]
    assert "index.html" in rendered  # the overview lists every deal
    assert snapshot(builder.out) == _reference(root, tmp_path)


def test_a_new_narrative_renders_no_list_page(
    builder: Builder, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """List pages show what the front-matter says: an edit below it leaves them as they are."""
    builder.build()
    rendered = _renders(monkeypatch)
    path = root / "content/deals/deal-2.md"
    path.write_text(_deal("Deal 2").replace("likes the lineage", "loves the lineage"), "utf-8")
    builder.build(changed=[path])
    method_pages = {"method/buyer-roles/index.html"}  # rendered every time, with their links
    assert set(rendered) - method_pages == {"deals/deal-2/index.html"}
    assert snapshot(builder.out) == _reference(root, tmp_path)


def test_preview_puts_the_saved_deals_page_in_place_before_the_build_does_the_rest(
    builder: Builder, root: Path, tmp_path: Path
) -> None:
    builder.build()
    path = root / "content/deals/deal-2.md"
    path.write_text(_deal("Deal two, renamed"), encoding="utf-8")
    before = snapshot(builder.out)
    assert builder.preview([path]) == ("deals/deal-2/index.html",)
    previewed = snapshot(builder.out)
    reference = _reference(root, tmp_path)
    assert [p for p in previewed if previewed[p] != before.get(p)] == ["deals/deal-2/index.html"]
    assert previewed["deals/deal-2/index.html"] == reference["deals/deal-2/index.html"]

    result, changed = _rebuild(builder, path)
    assert "deals/deal-2/index.html" not in changed and "index.html" in changed
    assert result.changed is not None and set(changed) <= set(result.changed)
    assert result.stats.pages_written == len(changed)
    assert snapshot(builder.out) == reference


def _linked_from_deal_1(root: Path) -> None:
    path = root / "content/deals/deal-1.md"
    text = path.read_text("utf-8") + "\nSee [deal 2](deal-2.md#where-we-stand).\n"
    path.write_text(text, encoding="utf-8")


EDITS_LEFT_TO_THE_BUILD = {
    "an error": ("content/deals/deal-2.md", lambda t: t.replace("stage: develop", "stage: x")),
    "a new owner": ("content/deals/deal-2.md", lambda t: t.replace("Jan Peeters", "Ann New")),
    "a link to a missing anchor": (
        "content/deals/deal-2.md",
        lambda t: t + "\n[Deal 1](deal-1.md#nowhere)\n",
    ),
    "a heading another deal links to, renamed": (
        "content/deals/deal-2.md",
        lambda t: t.replace("## Where we stand", "## Where we are"),
    ),
    "a draft": ("content/deals/deal-2.md", lambda t: t.replace("---\n", "---\ndraft: true\n", 1)),
    "a new deal": ("content/deals/deal-9.md", lambda t: _deal("Deal 9")),
    "a template": ("templates/404.html", lambda t: "{% extends 'base.html' %}\n"),
}


@pytest.mark.parametrize("edit", EDITS_LEFT_TO_THE_BUILD, ids=str)
def test_preview_writes_nothing_for_what_only_a_build_can_vouch_for(
    builder: Builder, root: Path, edit: str
) -> None:
    _linked_from_deal_1(root)
    builder.build()
    plain = root / "content/deals/deal-3.md"  # the same builder previews a plain edit
    plain.write_text(_deal("Deal three"), encoding="utf-8")
    assert builder.preview([plain]) == ("deals/deal-3/index.html",)
    rel, change = EDITS_LEFT_TO_THE_BUILD[edit]
    path = root / rel
    path.parent.mkdir(exist_ok=True)
    path.write_text(change(path.read_text("utf-8") if path.exists() else ""), encoding="utf-8")
    before = snapshot(builder.out)
    assert builder.preview([path]) == ()
    assert snapshot(builder.out) == before


def test_no_preview_after_a_failed_build(builder: Builder, root: Path) -> None:
    """The site on disk is the last good one, older than what the builder last read."""
    builder.build()
    path = root / "content/deals/deal-2.md"
    path.write_text(_deal("Deal 2").replace("stage: develop", "stage: x"), encoding="utf-8")
    with pytest.raises(BuildFailed):
        builder.build(changed=[path])
    path.write_text(_deal("Deal two, fixed"), encoding="utf-8")
    assert builder.preview([path]) == ()
    assert "deals/deal-2/index.html" in _rebuild(builder, path)[1]


def test_a_saved_deal_remakes_its_own_chunk_of_the_search_index_and_no_other(
    builder: Builder, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two documents a chunk: deal-0 and 1, deal-2 and 3, deal-4 and a method page, then two."""
    monkeypatch.setattr(search, "CHUNK", 2)
    for name in ("coaching", "pipeline-review"):
        text = METHOD_PAGE.replace("Buyer roles", name.title())
        (root / f"content/method/{name}.md").write_text(text, encoding="utf-8")
    builder.build()
    path = root / "content/deals/deal-2.md"
    path.write_text(_deal("Deal two, renamed"), encoding="utf-8")
    changed = _rebuild(builder, path)[1]
    found = [p for p in changed if p.startswith("search/")]
    assert "search/docs-1.js" in found and all(p.endswith("-1.js") for p in found)
    assert snapshot(builder.out) == _reference(root, tmp_path)

    # A deal first in order moves every other one a place on: the method pages too, though
    # the fourth chunk holds method pages only, before and after.
    added = root / "content/deals/a-deal.md"
    added.write_text(_deal("A deal"), encoding="utf-8")
    changed = _rebuild(builder, added)[1]
    assert {"search/shards.js", "search/docs-3.js", "search/docs-4.js"} <= set(changed)
    assert snapshot(builder.out) == _reference(root, tmp_path)
    added.unlink()
    builder.build(changed=[added])
    assert "search/docs-4.js" not in snapshot(builder.out)
    assert snapshot(builder.out) == _reference(root, tmp_path)


def test_a_new_narrative_reads_no_other_deals_document_from_the_cache(
    root: Path, tmp_path: Path
) -> None:
    """What the list pages are grouped by is read at once; the rest only when a page needs it."""
    Builder(root, tmp_path / "out", jobs=1).build()
    path = root / "content/deals/deal-2.md"
    path.write_text(_deal("Deal 2").replace("likes the lineage", "loves the lineage"), "utf-8")
    builder = Builder(root, tmp_path / "out", jobs=1)  # as the next command would
    assert builder.build().stats.pages_written == 1
    loaded = sorted(rel for rel, (_, r) in builder._known.items() if r.view and r.view.loaded)
    assert loaded == ["content/deals/deal-2.md"]
    assert snapshot(builder.out) == _reference(root, tmp_path)


def _alive(kind: type) -> int:
    """Instances of ``kind`` alive in this process, frozen ones (see collector_paused) too."""
    gc.unfreeze()  # get_objects() does not see frozen objects
    try:
        return sum(1 for obj in gc.get_objects() if type(obj) is kind)
    finally:
        gc.freeze()


def test_a_long_session_keeps_no_renderer_nor_environment_of_a_past_build(
    builder: Builder, root: Path
) -> None:
    """A dev server builds for hours: what a build leaves in a reference loop is never freed."""
    gc.unfreeze()
    gc.collect()  # what earlier tests left
    start = (_alive(Renderer), _alive(jinja2.Environment))
    builder.build()
    contexts = _alive(jinja2.runtime.Context)  # what rendering left in loops, frozen once
    path = root / "content/deals/deal-2.md"
    for title in ("Deal two", "Deal 2, again", "Deal two, again"):
        path.write_text(_deal(title), encoding="utf-8")
        builder.build(changed=[path])
        assert _alive(jinja2.runtime.Context) <= contexts  # not once more per build
    template = root / "templates/404.html"
    for text in ("<p>Lost.</p>\n", "<p>Lost again.</p>\n"):  # each a new environment
        write_files(root, {"templates/404.html": text})
        builder.build(changed=[template])
    renderers, environments = _alive(Renderer) - start[0], _alive(jinja2.Environment) - start[1]
    assert renderers == 0
    assert environments == 1  # the one the builder keeps for the next build
