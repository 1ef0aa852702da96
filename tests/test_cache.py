"""The build cache: whatever changes, a cached build writes the bytes a build without it writes.

Each test builds a playbook once (filling ``.playbook-cache/``), changes one input, builds again
with the cache, and compares the site file by file with a build of the same input made without
cache and in one process.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest

from playbook import cache as cache_module
from playbook import keys
from playbook.builder import Builder
from playbook.cache import CACHE_DIR, DB_NAME
from playbook.diagnostics import BuildFailed
from playbook.pipeline import BuildResult, build

from conftest import VALID_DEAL, run_playbook, snapshot, write_files

AS_OF = "2026-11-15"


def _deal(title: str, extra: str = "") -> str:
    return VALID_DEAL.replace("title: Data platform renewal", f"title: {title}") + extra


FILES: dict[str, str | bytes] = {
    "content/deals/acme.md": _deal("Acme renewal", "\nSee [the Globex deal](globex.md).\n"),
    "content/deals/globex.md": _deal("Globex roll-out"),
    "content/deals/sub/initech.md": _deal("Initech pilot"),
}


@pytest.fixture
def project(make_playbook: Callable[..., Path]) -> Path:
    return make_playbook(FILES)


def _fresh(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site as a build without cache, in one process, makes it."""
    out = tmp_path / "reference"
    shutil.rmtree(out, ignore_errors=True)
    build(root, out, jobs=1, use_cache=False)
    return snapshot(out)


def _cached(root: Path) -> BuildResult:
    return build(root, root / "site", jobs=1)


def test_first_build_fills_the_cache_and_matches_a_build_without_it(
    project: Path, tmp_path: Path
) -> None:
    result = _cached(project)
    assert (project / CACHE_DIR / DB_NAME).is_file()
    assert result.stats.cache_misses == 3
    assert result.notices == []
    assert snapshot(project / "site") == _fresh(project, tmp_path)


def test_nothing_changed_writes_nothing(project: Path) -> None:
    _cached(project)
    before = {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()}
    result = _cached(project)
    assert result.stats.pages_written == 0
    assert result.stats.cache_hits == 3
    assert result.pages == len(before) - 1  # every file but the marker
    assert result.deals == 3
    after = {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()}
    assert after == before


def test_warnings_of_a_build_that_changed_nothing_are_the_same(project: Path) -> None:
    first = _cached(project)
    second = _cached(project)
    assert second.warnings == first.warnings


def _change_deal(root: Path) -> None:
    path = root / "content/deals/globex.md"
    path.write_text(_deal("Globex roll-out, phase two"), encoding="utf-8")


def _change_template(root: Path) -> None:
    write_files(root, {"templates/404.html": "<p>Lost? Try {{ settings.title }}.</p>\n"})


def _change_base_template(root: Path) -> None:
    builtin = Path(__file__).resolve().parent.parent / "templates" / "base.html"
    text = builtin.read_text(encoding="utf-8").replace("<footer", "<footer data-own")
    write_files(root, {"templates/base.html": text})


def _change_setting(root: Path) -> None:
    write_files(root, {"playbook.toml": 'title = "Another title"\nas_of = 2026-11-15\n'})


def _change_as_of(root: Path) -> None:
    write_files(root, {"playbook.toml": 'title = "Test playbook"\nas_of = 2027-06-01\n'})


def _change_method(root: Path) -> None:
    write_files(root, {"content/method/buyer-roles.md": "---\ntitle: Roles\n---\n\n## Coach\n"})


def _remove_method(root: Path) -> None:
    (root / "content/method/buyer-roles.md").unlink()


def _add_deal(root: Path) -> None:
    write_files(root, {"content/deals/hooli.md": _deal("Hooli upsell")})


def _remove_deal(root: Path) -> None:
    (root / "content/deals/sub/initech.md").unlink()


def _make_draft(root: Path) -> None:
    path = root / "content/deals/sub/initech.md"
    path.write_text(_deal("Initech pilot", "").replace("tags:", "draft: true\ntags:"), "utf-8")


def _static(root: Path) -> None:
    write_files(root, {"templates/static/extra.css": "body { color: red; }\n"})


CHANGES = {
    "deal": _change_deal,
    "own template": _change_template,
    "base template": _change_base_template,
    "setting": _change_setting,
    "as_of": _change_as_of,
    "method page": _change_method,
    "method page removed": _remove_method,
    "deal added": _add_deal,
    "deal removed": _remove_deal,
    "deal made a draft": _make_draft,
    "static file": _static,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_after_a_change_the_cached_build_equals_a_build_without_cache(
    project: Path, tmp_path: Path, change: Callable[[Path], None]
) -> None:
    _cached(project)
    change(project)
    _cached(project)
    assert snapshot(project / "site") == _fresh(project, tmp_path)


def _differing(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    return sorted(path for path, data in after.items() if before.get(path) != data)


def test_one_changed_deal_rewrites_its_page_and_the_pages_listing_it(project: Path) -> None:
    _cached(project)
    before = snapshot(project / "site")
    _change_deal(project)
    result = _cached(project)
    assert result.stats.cache_misses == 1
    changed = _differing(before, snapshot(project / "site"))
    assert result.stats.pages_written == len(changed)
    # its page, and those listing it: overview, owner, stage, tag, deals.json, search index
    assert "deals/globex/index.html" in changed and "index.html" in changed
    assert not {"deals/acme/index.html", "deals/sub/initech/index.html"} & set(changed)
    page = (project / "site/deals/globex/index.html").read_text(encoding="utf-8")
    assert "Globex roll-out, phase two" in page
    assert "Globex roll-out, phase two" in (project / "site/index.html").read_text("utf-8")


def test_template_change_rebuilds_every_page(project: Path) -> None:
    _cached(project)
    _change_base_template(project)
    result = _cached(project)
    assert result.stats.cache_misses == 3
    # every page; not the data files and assets, whose bytes stay the same
    pages = [p for p in snapshot(project / "site") if p.endswith(".html")]
    assert result.stats.pages_written == len(pages)
    assert "data-own" in (project / "site/deals/acme/index.html").read_text("utf-8")


def test_new_version_discards_the_cache_with_a_warning(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cached(project)
    monkeypatch.setattr(cache_module, "__version__", "99.0")
    monkeypatch.setattr(keys, "__version__", "99.0")
    result = _cached(project)
    assert result.notices == [
        f"warning: the build cache in {project / CACHE_DIR} was discarded: "
        f"it was written by another version of playbook ({keys.FORMAT}:0.1.0)"
    ]
    assert result.stats.cache_misses == 3
    assert snapshot(project / "site") == _fresh(project, tmp_path)
    assert _cached(project).notices == []  # the new cache is this version's


def _corrupt_file(root: Path) -> None:
    (root / CACHE_DIR / DB_NAME).write_bytes(b"this is not a database" * 100)


def _truncate_file(root: Path) -> None:
    path = root / CACHE_DIR / DB_NAME
    path.write_bytes(path.read_bytes()[:3000])


def _corrupt_row(root: Path) -> None:
    db = sqlite3.connect(root / CACHE_DIR / DB_NAME)
    data = db.execute("SELECT data FROM deals WHERE rel = 'content/deals/globex.md'").fetchone()[0]
    data = data.replace(b"Globex roll-out", b"Globex ROLL-OUT")
    db.execute("UPDATE deals SET data = ? WHERE rel = 'content/deals/globex.md'", (data,))
    db.commit()
    db.close()


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (_corrupt_file, "file is not a database"),
        (_truncate_file, ""),
        (_corrupt_row, "an entry does not match its checksum"),
    ],
    ids=["garbage", "truncated", "row"],
)
def test_damaged_cache_is_discarded_with_a_warning_and_the_output_is_right(
    project: Path, tmp_path: Path, damage: Callable[[Path], None], why: str
) -> None:
    _cached(project)
    shutil.rmtree(project / "site")  # so that every stored result would be needed
    damage(project)
    result = _cached(project)
    assert len(result.notices) == 1
    assert result.notices[0].startswith(
        f"warning: the build cache in {project / CACHE_DIR} was discarded: "
    )
    assert why in result.notices[0]
    assert snapshot(project / "site") == _fresh(project, tmp_path)


def test_damaged_row_with_the_site_in_place_is_never_trusted(project: Path, tmp_path: Path) -> None:
    _cached(project)
    _change_deal(project)  # acme links to globex: ... and the index lists it
    _corrupt_row(project)
    _change_setting(project)
    result = _cached(project)
    assert snapshot(project / "site") == _fresh(project, tmp_path)
    assert b"ROLL-OUT" not in b"".join(snapshot(project / "site").values())
    assert result.stats.cache_misses == 3


def test_deals_json_entries_wait_in_the_cache_and_a_damaged_one_is_made_again(
    project: Path, tmp_path: Path
) -> None:
    _cached(project)
    db = sqlite3.connect(project / CACHE_DIR / DB_NAME)
    rel = "content/deals/sub/initech.md"
    entry = db.execute("SELECT entry FROM deals WHERE rel = ?", (rel,)).fetchone()[0]
    assert b'"title": "Initech pilot"' in entry
    with db:
        db.execute(
            "UPDATE deals SET entry = ? WHERE rel = ?", (entry.replace(b"pilot", b"PILOT"), rel)
        )
    db.close()
    _change_deal(project)  # deals.json is made again, with initech's entry from the cache
    result = _cached(project)
    assert result.notices == [
        f"warning: the build cache in {project / CACHE_DIR} was discarded:"
        " deals.json: an entry does not match its checksum"
    ]
    assert b"PILOT" not in (project / "site/deals.json").read_bytes()
    assert snapshot(project / "site") == _fresh(project, tmp_path)


def test_a_builder_keeps_entries_of_deals_json_only_without_a_cache(project: Path) -> None:
    cached = Builder(project, project / "site", jobs=1)
    cached.build()
    assert [r.entry for _, r in cached._known.values()] == [None, None, None]
    alone = Builder(project, project / "other", jobs=1, use_cache=False)
    alone.build()
    entries = [r.entry for _, r in alone._known.values()]
    assert all(entry is not None and entry.startswith(b"    {") for entry in entries)


def test_damaged_warnings_of_an_unchanged_site_are_found_again(project: Path) -> None:
    text = _deal("Flagged").split("competition:")[0] + "competition: []\n---\n"
    write_files(project, {"content/deals/flagged.md": text})
    first = _cached(project)
    assert "no-competition" in [w.code for w in first.warnings]
    db = sqlite3.connect(project / CACHE_DIR / DB_NAME)
    with db:
        db.execute("UPDATE sites SET warnings = substr(warnings, 1, 40)")
    db.close()
    again = _cached(project)
    assert again.notices == [
        f"warning: the build cache in {project / CACHE_DIR} was discarded:"
        " an entry does not match its checksum"
    ]
    assert again.warnings == first.warnings


def test_warnings_of_an_unchanged_site_are_those_of_its_last_build(project: Path) -> None:
    assert _cached(project).warnings == []
    text = _deal("Flagged").split("competition:")[0] + "competition: []\n---\n"
    write_files(project, {"content/deals/flagged.md": text})
    changed = _cached(project)
    assert "no-competition" in [w.code for w in changed.warnings]
    unchanged = _cached(project)
    assert unchanged.stats.pages_written == 0 and unchanged.warnings == changed.warnings


def test_hand_edited_page_is_rebuilt(project: Path, tmp_path: Path) -> None:
    _cached(project)
    page = project / "site/deals/acme/index.html"
    page.write_text("edited by hand", encoding="utf-8")
    _cached(project)
    assert snapshot(project / "site") == _fresh(project, tmp_path)


def test_extra_file_in_the_site_is_removed_as_a_full_build_would(
    project: Path, tmp_path: Path
) -> None:
    _cached(project)
    (project / "site/stray.html").write_text("not ours", encoding="utf-8")
    _cached(project)
    assert snapshot(project / "site") == _fresh(project, tmp_path)


def test_other_output_folder_is_built_in_full(project: Path, tmp_path: Path) -> None:
    _cached(project)
    result = build(project, tmp_path / "elsewhere", jobs=1)
    assert result.stats.pages_written == result.pages
    assert snapshot(tmp_path / "elsewhere") == _fresh(project, tmp_path)


def test_no_cache_reads_and_writes_no_cache(project: Path) -> None:
    result = build(project, project / "site", jobs=1, use_cache=False)
    assert not (project / CACHE_DIR).exists()
    assert result.stats.cache_hits == 0


def test_bad_input_after_a_cached_build_leaves_the_site_and_recovers(
    project: Path, tmp_path: Path
) -> None:
    _cached(project)
    before = snapshot(project / "site")
    good = (project / "content/deals/globex.md").read_text(encoding="utf-8")
    (project / "content/deals/globex.md").write_text(good.replace("stage: develop", "stage: x"))
    with pytest.raises(Exception, match="problem"):
        _cached(project)
    assert snapshot(project / "site") == before
    (project / "content/deals/globex.md").write_text(good, encoding="utf-8")
    result = _cached(project)
    assert result.stats.pages_written == 0  # back to what the site already is
    assert snapshot(project / "site") == _fresh(project, tmp_path)


def test_cli_prints_the_warning_about_a_damaged_cache_on_stderr(project: Path) -> None:
    assert run_playbook("build", project, "--jobs", "1").returncode == 0
    _corrupt_file(project)
    result = run_playbook("build", project, "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(
        f"playbook: warning: the build cache in {project / CACHE_DIR} was discarded: "
    )
    assert result.stdout.startswith("built 3 deals into")


def test_clean_removes_the_cache_and_the_site(project: Path) -> None:
    assert run_playbook("build", project).returncode == 0
    result = run_playbook("clean", project)
    assert result.returncode == 0
    assert result.stdout == f"removed {project / CACHE_DIR}\nremoved {project / 'site'}\n"
    assert not (project / CACHE_DIR).exists()
    assert not (project / "site").exists()


def test_clean_never_removes_a_folder_playbook_did_not_make(project: Path) -> None:
    write_files(project, {"site/mine.txt": "keep me"})
    result = run_playbook("clean", project)
    assert result.returncode == 0
    assert (project / "site/mine.txt").read_text(encoding="utf-8") == "keep me"


def test_stats_prints_pages_cache_and_stages(project: Path) -> None:
    run_playbook("build", project, "--jobs", "1")
    before = snapshot(project / "site")
    _change_deal(project)
    result = run_playbook("build", project, "--jobs", "1", "--stats")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    total = len(snapshot(project / "site")) - 1  # every file but the marker
    found = re.fullmatch(r"pages written: (\d+) \(kept from the last build: (\d+)\)", lines[0])
    assert found is not None
    count, kept = int(found.group(1)), int(found.group(2))
    assert count == len(_differing(before, snapshot(project / "site")))
    assert count + kept == total
    assert lines[1] == "cache: 2 hits, 1 misses"
    assert [line.split(":")[0] for line in lines[3:8]] == [
        "load",
        "validate",
        "analyse",
        "render",
        "write",
    ]


def test_deal_changed_during_a_failed_build_gets_its_new_page_afterwards(
    project: Path, tmp_path: Path
) -> None:
    """The failed build stores the changed deal's result, but its page never reached the site."""
    _cached(project)
    before = snapshot(project / "site")
    _change_deal(project)
    acme = project / "content/deals/acme.md"
    good = acme.read_text(encoding="utf-8")
    acme.write_text(good.replace("stage: develop", "stage: nowhere"), encoding="utf-8")
    with pytest.raises(Exception, match="problem"):
        _cached(project)
    acme.write_text(good, encoding="utf-8")
    result = _cached(project)
    # nothing of the failed build was kept: globex's change is the only one to build
    assert result.stats.cache_misses == 1
    assert result.stats.pages_written == len(_differing(before, snapshot(project / "site")))
    assert snapshot(project / "site") == _fresh(project, tmp_path)


def test_file_changed_behind_its_stat_is_still_noticed(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same size, mtime put back: the inode's change time still tells."""
    monkeypatch.setattr(keys, "RACY_NS", 0)  # trust stats at once, as for files days old
    path = project / "content/deals/globex.md"
    _cached(project)
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Globex roll-out", "Globex ROLL-OUT"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    result = _cached(project)
    assert result.stats.cache_misses == 1
    assert snapshot(project / "site") == _fresh(project, tmp_path)


def test_stat_is_trusted_only_well_after_the_last_change(project: Path) -> None:
    path = project / "content/deals/globex.md"
    st = path.stat()
    read_ns = st.st_ctime_ns + keys.RACY_NS + 1
    assert keys.unchanged(" ".join(map(str, keys.file_stat(st, read_ns))), st)
    soon = st.st_ctime_ns + keys.RACY_NS - 1  # read right after a change: hash it again
    assert not keys.unchanged(" ".join(map(str, keys.file_stat(st, soon))), st)
    assert not keys.unchanged("garbage", st)


def test_switching_drafts_on_and_off(project: Path, tmp_path: Path) -> None:
    _make_draft(project)
    _cached(project)
    assert not (project / "site/deals/initech").exists()
    build(project, project / "site", jobs=1, drafts=True)
    reference = tmp_path / "with-drafts"
    build(project, reference, jobs=1, use_cache=False, drafts=True)
    assert snapshot(project / "site") == snapshot(reference)
    assert (project / "site/deals/initech/index.html").is_file()
    _cached(project)
    assert snapshot(project / "site") == _fresh(project, tmp_path)


def test_check_after_a_build_uses_its_results(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playbook import builder
    from playbook.pipeline import check

    globex = project / "content/deals/globex.md"
    text = globex.read_text(encoding="utf-8")
    start, end = text.index("competition:"), text.index("alternatives:")
    globex.write_text(text[:start] + text[end:], encoding="utf-8")  # a red flag to report
    _cached(project)
    expected = check(project, jobs=1, use_cache=False)
    ran: list[int] = []
    real = builder.run_units
    monkeypatch.setattr(
        builder, "run_units", lambda ctx, rels, *a: ran.append(len(rels)) or real(ctx, rels, *a)
    )
    assert check(project, jobs=1) == expected
    assert ran == [0]
    assert [d.code for d in expected] == ["no-competition"]


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from now on, in this process."""
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: Any, name: Any = None, *rest: Any) -> Any:
        compiled.append(name)
        return real(self, source, name, *rest)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def test_templates_are_compiled_once_and_kept_in_the_cache(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = _compiles(monkeypatch)
    _cached(project)
    assert "deal.html" in compiled and "index.html" in compiled
    assert list((project / CACHE_DIR / "templates").iterdir())
    compiled.clear()
    shutil.rmtree(project / "site")  # every page is made again, by a new process's templates
    _cached(project)
    assert compiled == []
    write_files(project, {"templates/404.html": "<p>Lost.</p>\n"})
    _cached(project)
    assert compiled == ["404.html"]
    assert snapshot(project / "site") == _fresh(project, tmp_path)


def test_a_damaged_compiled_template_is_compiled_again(project: Path, tmp_path: Path) -> None:
    _cached(project)
    for path in (project / CACHE_DIR / "templates").iterdir():
        path.write_bytes(path.read_bytes()[:40] + b"\x00garbage")
    shutil.rmtree(project / "site")
    result = _cached(project)
    assert result.notices == []
    assert snapshot(project / "site") == _fresh(project, tmp_path)


def test_an_entry_rolled_back_with_a_failed_build_is_not_used(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    """A deal page that reads the whole site waits for it, so a failed build has already given
    the dev server's builder the renamed deal's result; the cache rolled its entry back."""
    root = make_playbook(
        {
            "content/deals/a.md": _deal("Alpha one"),
            "content/deals/b.md": _deal("Beta"),
            "templates/deal.html": "{{ view.deal.title }} of {{ site.deals | length }}\n",
        }
    )
    serve = Builder(root, tmp_path / "out", jobs=1)
    serve.build()
    write_files(root, {"content/deals/a.md": _deal("Alpha two")})
    write_files(root, {"content/deals/b.md": _deal("Beta").replace("develop", "nope")})
    with pytest.raises(BuildFailed):
        serve.build()
    write_files(root, {"content/deals/b.md": _deal("Beta fixed")})
    serve.build()
    reference = _fresh(root, tmp_path)["deals.json"]
    assert b"Alpha two" in reference
    assert (tmp_path / "out/deals.json").read_bytes() == reference


def test_an_entry_another_builder_stored_is_not_used(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    """Two builders on one cache (a dev server, and a build for another date)."""
    root = make_playbook({"content/deals/a.md": _deal("Alpha"), "content/deals/b.md": _deal("B")})
    serve = Builder(root, tmp_path / "out", jobs=1)
    serve.build()
    Builder(root, tmp_path / "other", jobs=1, as_of=dt.date(2026, 1, 1)).build()
    write_files(root, {"content/deals/b.md": _deal("Beta two")})
    serve.build()
    assert (tmp_path / "out/deals.json").read_bytes() == _fresh(root, tmp_path)["deals.json"]


def test_a_builder_without_cache_reports_the_same_flags_when_nothing_changed(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    text = _deal("Flagged").split("competition:")[0] + "competition: []\n---\n"
    root = make_playbook({"content/deals/a.md": text})
    builder = Builder(root, tmp_path / "out", jobs=1, use_cache=False)
    first = builder.build()
    assert "no-competition" in [w.code for w in first.warnings]
    second = builder.build()
    assert second.stats.pages_written == 0 and second.warnings == first.warnings


def test_rows_of_a_deal_as_it_was_are_forgotten(
    make_playbook: Callable[..., Path], tmp_path: Path
) -> None:
    """Also when, in the same build, another deal's page is made again because an owner's
    address changed (which reruns units after the first run)."""
    root = make_playbook(
        {
            "content/deals/a.md": _deal("Alpha"),
            "content/deals/b.md": _deal("Beta").replace("Jan Peeters", "Zoe Smit"),
            "content/deals/c.md": _deal("Gamma").replace("Jan Peeters", "Zoe Smit"),
        }
    )

    def versions(rel: str) -> int:
        db = sqlite3.connect(root / CACHE_DIR / DB_NAME)
        sql = "SELECT count(DISTINCT shown) FROM fragments WHERE rel = ?"
        count: int = db.execute(sql, (rel,)).fetchone()[0]
        db.close()
        return count

    Builder(root, tmp_path / "out", jobs=1).build()
    assert versions("content/deals/c.md") == 1
    write_files(root, {"content/deals/c.md": _deal("Gamma two").replace("Jan Peeters", "Zoe Smit")})
    write_files(root, {"content/deals/b.md": _deal("Beta").replace("Jan Peeters", "Jan  Peeters")})
    Builder(root, tmp_path / "out", jobs=1).build()
    assert versions("content/deals/c.md") == 1
