"""A deal with hundreds of tags: the build grows with the tag count, not with its square.

Every tag has a page, and every tag page lists the deal with all its tags. When each page
rendered the deal's row itself, a deal with N tags made N * (N + 3) tag links. These tests count
the links a build makes instead of timing it: each tag's address is asked for once per page
depth (the overview at the top; stage, owner and tag pages two folders down), so 2 * N.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from playbook.builder import Builder
from playbook.fragments import Fragments
from playbook.render import Site

from conftest import VALID_DEAL, snapshot
from pages import read_page


def tagged_deal(count: int, title: str = "Data platform renewal") -> str:
    tags = "tags:\n" + "".join(f"  - topic {i:03d}\n" for i in range(count))
    deal = VALID_DEAL.replace("tags: [renewal]\n", tags)
    return deal.replace("title: Data platform renewal", f"title: {title}")


@pytest.fixture
def tag_links(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tag of every tag link that list pages make from now on."""
    asked: list[str] = []
    real = Site.tag_url

    def counting(self: Site, tag: str) -> str:
        asked.append(tag)
        return real(self, tag)

    monkeypatch.setattr(Site, "tag_url", counting)
    return asked


@pytest.mark.parametrize("count", [40, 300])
def test_a_cold_build_makes_each_tag_link_once_per_depth(
    make_playbook: Callable[..., Path], tag_links: list[str], count: int
) -> None:
    root = make_playbook({"content/deals/acme.md": tagged_deal(count)})

    Builder(root, jobs=1, use_cache=False).build()

    assert len(tag_links) == 2 * count  # N * (N + 3) when every page rendered the row
    assert sorted(set(tag_links)) == [f"topic {i:03d}" for i in range(count)]
    # The tag pages still list the deal with all its tags.
    last = read_page(root / f"site/tags/topic-{count - 1:03d}/index.html")
    (row,) = last.find_all("tr", class_="deal-row")
    assert len(row.find_all("a", class_="tag")) == count


def test_a_rebuild_after_renaming_the_deal_makes_each_tag_link_once_per_depth(
    make_playbook: Callable[..., Path], tag_links: list[str]
) -> None:
    count = 300
    root = make_playbook({"content/deals/acme.md": tagged_deal(count)})
    Builder(root, jobs=1).build()
    (root / "content/deals/acme.md").write_text(tagged_deal(count, "Renamed"), encoding="utf-8")
    tag_links.clear()

    Builder(root, jobs=1).build()  # a new process: the cache knows the old rows

    assert len(tag_links) == 2 * count
    (row,) = read_page(root / "site/tags/topic-299/index.html").find_all("tr", class_="deal-row")
    assert row.find_all("a")[0].text() == "Renamed"


def test_rows_made_once_give_the_bytes_of_rows_made_for_every_page(
    make_playbook: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = make_playbook({"content/deals/acme.md": tagged_deal(30)})
    Builder(root, tmp_path / "once", jobs=1, use_cache=False).build()
    real = Fragments.get

    def forgetful(self: Fragments, *args: Any) -> Any:
        self.made.clear()  # as if no page had rendered the row before
        return real(self, *args)

    monkeypatch.setattr(Fragments, "get", forgetful)
    Builder(root, tmp_path / "every-page", jobs=1, use_cache=False).build()

    once, every_page = snapshot(tmp_path / "once"), snapshot(tmp_path / "every-page")
    assert len(once) == len(every_page) > 30
    assert once == every_page
