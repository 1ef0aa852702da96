"""Rows of list pages kept in the build cache (``fragments``): reused only while still right."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from playbook.builder import Builder
from playbook.cache import CACHE_DIR, DB_NAME
from playbook.fragments import Fragments
from playbook.pipeline import build

from conftest import VALID_DEAL, run_playbook, snapshot

OWNERS = ["Ana López", "Jan Peeters", "Jan Peeters", "Zoë Smit", "Zoë Smit"]


COMPETITION = """\
competition:
  - name: Cloud warehouse reseller
    kind: competitor
    standing: front-runner
"""


def _deal(i: int, title: str | None = None, owner: str | None = None) -> str:
    """Deal ``i``, with a red flag (no competition)."""
    text = VALID_DEAL.replace("title: Data platform renewal", f"title: {title or f'Deal {i}'}")
    text = text.replace("owner: Jan Peeters", f"owner: {owner or OWNERS[i]}")
    return text.replace(COMPETITION, "competition: []\n")


@pytest.fixture
def root(make_playbook: Callable[..., Path]) -> Path:
    return make_playbook({f"content/deals/deal-{i}.md": _deal(i) for i in range(5)})


def _builder(root: Path, tmp_path: Path) -> Builder:
    """A fresh builder (as a new `playbook build` would be) with the playbook's cache."""
    return Builder(root, tmp_path / "out", jobs=1)


def _reference(root: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "reference"
    shutil.rmtree(out, ignore_errors=True)
    build(root, out, jobs=1, use_cache=False)
    return snapshot(out)


def _rows_rendered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """(partial, way to the top, deal) of each fragment rendered from now on, not kept."""
    rendered: list[tuple[str, str, str]] = []
    real = Fragments.get

    def counting(self: Fragments, name: str, root: str, path: str, *rest: Any) -> Any:
        values, render, asked = rest

        def counted() -> tuple[str, frozenset[str]]:
            rendered.append((name, root, path))
            return render()

        return real(self, name, root, path, values, counted, asked)

    monkeypatch.setattr(Fragments, "get", counting)
    return rendered


def test_a_renamed_deal_renders_its_own_rows_and_no_other(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _builder(root, tmp_path).build()
    rendered = _rows_rendered(monkeypatch)
    path = root / "content/deals/deal-2.md"
    path.write_text(_deal(2, title="Deal two, renamed"), encoding="utf-8")
    _builder(root, tmp_path).build()  # a new process: the rows come from the cache
    assert {deal for _, _, deal in rendered} == {"content/deals/deal-2.md"}
    assert ("_deal_row.html", "", "content/deals/deal-2.md") in rendered  # the overview
    assert ("_deal_row.html", "../../", "content/deals/deal-2.md") in rendered  # its groups
    assert snapshot(tmp_path / "out") == _reference(root, tmp_path)


def test_a_row_is_rendered_once_for_the_owner_tag_and_stage_pages(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = _rows_rendered(monkeypatch)
    _builder(root, tmp_path).build()
    deep = [deal for name, up, deal in rendered if (name, up) == ("_deal_row.html", "../../")]
    assert sorted(deep) == [f"content/deals/deal-{i}.md" for i in range(5)]  # once each
    page = (tmp_path / "out/owners/jan-peeters/index.html").read_text("utf-8")
    assert page.count('class="deal-row"') == 2


def test_a_row_that_shows_an_address_another_deal_changed_is_rendered_again(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new owner "Ana Lopez" takes the address ana-lopez (names sort so): deal 0's owner,
    "Ana López", moves to ana-lopez-2, and deal 0's rows with it, though deal 0 is the same."""
    _builder(root, tmp_path).build()
    before = (tmp_path / "out/index.html").read_text("utf-8")
    assert 'href="owners/ana-lopez/index.html">Ana López<' in before
    rendered = _rows_rendered(monkeypatch)
    (root / "content/deals/deal-5.md").write_text(_deal(5, owner="Ana Lopez"), "utf-8")
    _builder(root, tmp_path).build()
    after = (tmp_path / "out/index.html").read_text("utf-8")
    assert 'href="owners/ana-lopez-2/index.html">Ana López<' in after
    assert "content/deals/deal-0.md" in {deal for _, _, deal in rendered}
    assert snapshot(tmp_path / "out") == _reference(root, tmp_path)


def test_a_changed_row_template_renders_every_row_again(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _builder(root, tmp_path).build()
    rendered = _rows_rendered(monkeypatch)
    builtin = Path(__file__).parent.parent / "templates/_deal_row.html"
    row = builtin.read_text("utf-8").replace('<td class="date">', '<td class="date when">')
    (root / "templates").mkdir()
    (root / "templates/_deal_row.html").write_text(row, "utf-8")
    _builder(root, tmp_path).build()
    overview = [deal for name, up, deal in rendered if (name, up) == ("_deal_row.html", "")]
    assert len(overview) == 5
    assert (tmp_path / "out/index.html").read_text("utf-8").count('class="date when"') == 5
    assert snapshot(tmp_path / "out") == _reference(root, tmp_path)


def test_a_corrupt_row_in_the_cache_is_not_used(root: Path, tmp_path: Path) -> None:
    _builder(root, tmp_path).build()
    db = sqlite3.connect(root / CACHE_DIR / DB_NAME)
    rows = db.execute("SELECT key, data FROM fragments WHERE rel = 'content/deals/deal-3.md'")
    changed = [(data[:-1] + bytes([data[-1] ^ 1]), key) for key, data in rows.fetchall()]
    assert len(changed) == 2  # its row on the overview, and on its owner's, tag's, stage's
    with db:
        db.executemany("UPDATE fragments SET data = ? WHERE key = ?", changed)
    db.close()
    (root / "content/deals/deal-2.md").write_text(_deal(2, title="Deal two"), "utf-8")
    result = _builder(root, tmp_path).build()
    cache = root / CACHE_DIR
    assert result.notices == [
        f"warning: the build cache in {cache} was discarded:"
        " a fragment of a list page does not match its checksum"
    ]
    assert snapshot(tmp_path / "out") == _reference(root, tmp_path)


def test_without_a_cache_a_build_still_renders_a_row_once_per_depth(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = _rows_rendered(monkeypatch)
    Builder(root, tmp_path / "out", jobs=1, use_cache=False).build()
    assert not (root / CACHE_DIR).exists()
    assert sorted(rendered) == sorted(
        ("_deal_row.html", up, f"content/deals/deal-{i}.md")
        for i in range(5)
        for up in ("", "../../")
    )
    assert snapshot(tmp_path / "out") == _reference(root, tmp_path)


def test_a_fragment_takes_only_plain_values(root: Path, tmp_path: Path) -> None:
    (root / "templates").mkdir()
    table = (Path(__file__).parent.parent / "templates/_deal_table.html").read_text("utf-8")
    table = table.replace(
        'deal_fragment("_deal_row.html", view)',
        'deal_fragment("_deal_row.html", view, group=group)',
    )
    (root / "templates/_deal_table.html").write_text(table, "utf-8")
    result = run_playbook("build", root, "--out", tmp_path / "site")
    assert result.returncode == 1
    message = (
        "deal_fragment() takes plain values (text, numbers, booleans, none, or tuples of them),"
        " not StageGroup"
    )
    line = table.splitlines().index(next(x for x in table.splitlines() if "group=group" in x)) + 1
    where = f"templates/_deal_table.html:{line}: template error while making index.html"
    assert result.stderr.startswith(f"{where}: TypeError: {message}\n")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def _table(root: Path, table: str, **partials: str) -> None:
    """A playbook's own deal table (and partials), as the overview and group pages show it."""
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates/_deal_table.html").write_text(table, "utf-8")
    for name, text in partials.items():
        (root / f"templates/{name}.html").write_text(text, "utf-8")


def _each_deal(*calls: str) -> str:
    """A deal table that shows, for each deal, what these calls return, in brackets."""
    inner = "|".join("{{ " + call + " }}" for call in calls)
    return (
        "{% for group in groups %}{% for view in group.deals %}["
        + inner
        + "]{% endfor %}{% endfor %}\n"
    )


def test_values_that_are_equal_but_not_the_same_make_fragments_of_their_own(
    root: Path, tmp_path: Path
) -> None:
    values = ("1", "True", "1.0", "(1, None)")
    calls = [f'deal_fragment("_value.html", view, n={value})' for value in values]
    _table(root, _each_deal(*calls), _value="{{ n }}")
    result = run_playbook("build", root, "--out", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site/index.html").read_text("utf-8")
    assert page.count("[1|True|1.0|(1, None)]") == 5


def test_a_fragment_does_not_take_markup_for_text(root: Path, tmp_path: Path) -> None:
    _table(root, _each_deal('deal_fragment("_value.html", view, n="<b>" | safe)'), _value="{{ n }}")
    result = run_playbook("build", root, "--out", tmp_path / "site")
    assert result.returncode == 1
    assert "TypeError: deal_fragment() takes plain values" in result.stderr
    assert result.stderr.endswith("not Markup\nplaybook: 1 error; nothing was written\n")


def test_a_macro_that_calls_deal_fragment_is_imported_with_the_page(
    root: Path, tmp_path: Path
) -> None:
    macros = '{% macro row(view) %}{{ deal_fragment("_deal_row.html", view) }}{% endmacro %}'
    table = '{% import "_rows.html" as rows %}' + _each_deal("rows.row(view)")
    _table(root, table, _rows=macros)
    result = run_playbook("build", root, "--out", tmp_path / "site")
    assert result.returncode == 1
    where = "templates/_rows.html:1: template error while making index.html"
    assert result.stderr.startswith(f"{where}: 'deal_fragment' is undefined\n")
    _table(root, table.replace("as rows %}", "as rows with context %}"))
    again = run_playbook("build", root, "--out", tmp_path / "site")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "site/index.html").read_text("utf-8").count('class="deal-row"') == 5
