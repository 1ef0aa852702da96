"""The fast Markdown path (markdown-it-pyrs) gives the very bytes markdown-it-py gives.

Every body of the sample playbook, of a generated corpus and of a file of edge cases is rendered
both ways, with the same link rewriting, and compared: HTML, heading ids, links.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from playbook.fastmd import render_fast
from playbook.markdown import make_markdown, render_body
from playbook.render import relative
from playbook.sources import find_files, load_source

from conftest import REPO

MD = make_markdown()


def _bodies(root: Path) -> list[tuple[str, str, int]]:
    found = []
    for folder in ("deals", "method"):
        for path in find_files(root / "content" / folder):
            source = load_source(path, root, [])
            assert source is not None, path
            found.append((source.rel, source.body, source.body_line))
    return found


def _site_path(rel: str) -> str:
    """``content/deals/acme.md`` → ``deals/acme/index.html``, as the pipeline names pages."""
    return f"{rel.split('/')[1]}/{Path(rel).stem}/index.html"


def _compare(root: Path) -> int:
    """Render every body of ``root`` both ways; the number that took the fast path."""
    bodies = _bodies(root)
    pages = {rel: _site_path(rel) for rel, _, _ in bodies}
    fast_count = 0
    for rel, body, line in bodies:
        page = pages[rel]

        def page_url(content_path: str, page: str = page) -> str | None:
            target = pages.get(content_path)
            return relative(target, page) if target is not None else None

        top = 3 if page.startswith("deals/") else 2  # as Renderer.body shifts headings
        slow = render_body(
            MD, body, source=rel, first_line=line, page_url=page_url, top_heading=top
        )
        fast = render_fast(body, source=rel, page_url=page_url, top_heading=top)
        if fast is None:
            # Only a body whose links need locating steps aside.
            assert slow.broken or slow.links, rel
            continue
        fast_count += 1
        assert fast.html == slow.html, rel
        assert fast.anchors == slow.anchors, rel
        assert (fast.links, fast.broken) == ([], [])
        assert (slow.links, slow.broken) == ([], [])
    return fast_count


def test_sample_playbook_bodies_render_identically() -> None:
    assert _compare(REPO) >= 10


def test_generated_corpus_bodies_render_identically(generated_playbook: Path) -> None:
    assert _compare(generated_playbook) == 308  # 300 deals and 8 method pages, none stepping aside


def test_edge_cases_render_identically(tmp_path: Path) -> None:
    text = (REPO / "tests" / "fixtures" / "markdown" / "edge-cases.md").read_text("utf-8")
    for name in ("edge.md", "other.md", "my file.md"):
        (tmp_path / "content" / "deals").mkdir(parents=True, exist_ok=True)
        (tmp_path / "content" / "deals" / name).write_text(text, encoding="utf-8")
    assert _compare(tmp_path) == 3


def test_heading_ids_are_unique_and_links_rewritten() -> None:
    body = "## Plan\n\n## Plan\n\nSee [the plan](other.md) and [x](https://e.example/a.md).\n"
    result = render_fast(body, source="content/deals/a.md", page_url=lambda _: "../other/")
    assert result is not None
    assert '<h2 id="plan">Plan</h2>\n<h2 id="plan-1">Plan</h2>' in result.html  # top: h2
    assert '<a href="../other/">the plan</a>' in result.html
    assert '<a href="https://e.example/a.md">x</a>' in result.html
    assert result.anchors == {"plan", "plan-1"}


def test_raw_html_is_escaped() -> None:
    result = render_fast("<script>alert(1)</script>\n\nHi <b>x</b>\n", source="a.md", page_url=str)
    assert result is not None
    assert "<script>" not in result.html and "<b>" not in result.html
    assert "&lt;script&gt;" in result.html


@pytest.mark.parametrize(
    "body",
    ["[gone](missing.md)\n", "[anchor](other.md#coach)\n", "[here](#plan)\n\n## Plan\n"],
)
def test_steps_aside_when_a_link_needs_its_line(body: str) -> None:
    known = {"content/deals/other.md": "../other/"}
    assert render_fast(body, source="content/deals/a.md", page_url=known.get) is None


def test_headings_move_and_tables_get_their_numbered_box() -> None:
    body = "### Low\n\n#### Lower\n\n| a |\n|---|\n| 1 |\n\n| b |\n|---|\n| 2 |\n"
    fast = render_fast(body, source="content/deals/a.md", page_url=str, top_heading=3)
    slow = render_body(
        MD, body, source="content/deals/a.md", first_line=1, page_url=str, top_heading=3
    )
    assert fast is not None and fast.html == slow.html
    assert '<h3 id="low">Low</h3>\n<h4 id="lower">Lower</h4>' in fast.html
    assert 'aria-label="Table 2">\n<table>' in fast.html
    assert fast.html.count("</table>\n</div>\n") == 2
