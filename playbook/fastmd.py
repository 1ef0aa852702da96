"""A fast path for Markdown bodies: markdown-it-pyrs (the Rust port), same HTML as markdown.py.

markdown-it-py costs about 3 ms per deal body; its Rust port about 0.15 ms. The port has no
token stream we can edit, so what ``markdown.render_body`` adds is done on its HTML: heading
ids (the anchors plugin's rule: the heading's text, slugified, made unique), heading levels
moved so the highest is ``top_heading``, the numbered scrolling box around each table, and the
rewriting of links to ``*.md`` files. That is safe because raw HTML is escaped, never passed
through: every tag in the output was made by the renderer.

Whenever a line number could be needed (a link that does not resolve, or one that names an
``#anchor``, which is checked later) the fast path steps aside and returns None, so that
markdown-it-py renders the body and locates the problem exactly. ``tests/test_fastmd.py``
proves the two paths give the same bytes on every body of the sample playbook and of a
generated corpus.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from markdown_it.common.utils import escapeHtml

try:
    from markdown_it_pyrs import MarkdownIt as _RustMarkdownIt
except (
    ImportError
):  # pragma: no cover - the dependency is declared; this keeps a broken install usable
    _RustMarkdownIt = None

from playbook.markdown import RenderedBody, _is_external, slugify

# CommonMark without raw HTML, plus tables: what markdown.make_markdown configures.
_RULES = [
    "blockquote",
    "code",
    "fence",
    "heading",
    "hr",
    "lheading",
    "list",
    "paragraph",
    "reference",
    "autolink",
    "backticks",
    "emphasis",
    "entity",
    "escape",
    "image",
    "link",
    "newline",
    "table",
]

_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_LEVEL = re.compile(r"<h([1-6])>")
_TABLE = re.compile(r"<table>")
_TABLE_BOX = '<div class="table-wrap" role="region" tabindex="0" aria-label="Table {}">\n<table>'
_HREF = re.compile(r'<a href="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
_IMG_ALT = re.compile(r"<img [^>]*>")


def _make() -> object | None:
    if _RustMarkdownIt is None:
        return None
    return _RustMarkdownIt("zero").enable_many(_RULES)


_MD = _make()


def available() -> bool:
    return _MD is not None


class _StepAside(Exception):
    """The body needs markdown-it-py: a link must be located or checked later."""


def render_fast(
    text: str, *, source: str, page_url: Callable[[str], str | None], top_heading: int = 2
) -> RenderedBody | None:
    """The body's HTML and heading ids, or None when markdown-it-py must render it instead.

    The arguments mean what they mean for ``markdown.render_body``.
    """
    if _MD is None:
        return None
    out = _MD.render(text)  # type: ignore[attr-defined]
    try:
        out = _HREF.sub(lambda m: _link(m, source, page_url), out)
    except _StepAside:
        return None
    levels = [int(level) for level in _LEVEL.findall(out)]
    shift = top_heading - min(levels) if levels else 0
    slugs: set[str] = set()
    out = _HEADING.sub(lambda m: _heading(m, slugs, shift), out)
    if "<table>" in out:
        tables = iter(range(1, out.count("<table>") + 1))
        out = _TABLE.sub(lambda _: _TABLE_BOX.format(next(tables)), out)
        out = out.replace("</table>\n", "</table>\n</div>\n")
    return RenderedBody(out, frozenset(slug for slug in slugs if slug))


def _link(match: re.Match[str], source: str, page_url: Callable[[str], str | None]) -> str:
    """One ``<a href="…"`` rewritten the way ``markdown._rewrite`` rewrites a link token."""
    href = html.unescape(match.group(1))
    if href.startswith("#"):
        raise _StepAside  # an anchor on this page: checked once it is rendered, by its line
    if not href or _is_external(href):
        return match.group(0)
    parts = urlsplit(href)
    path = unquote(parts.path)
    if not path.endswith(".md"):
        return match.group(0)
    if parts.fragment:
        raise _StepAside  # an anchor on another page: checked once every page is rendered
    url = page_url(posixpath.normpath(posixpath.join(posixpath.dirname(source), path)))
    if url is None:
        raise _StepAside  # broken: markdown-it-py says on which line
    return f'<a href="{escapeHtml(url)}"'


def _heading(match: re.Match[str], slugs: set[str], shift: int) -> str:
    level, inner = min(int(match.group(1)) + shift, 6), match.group(2)
    # The anchors plugin joins the text and code of the heading; images and line breaks
    # are not text there.
    title = html.unescape(_TAG.sub("", _IMG_ALT.sub("", inner))).replace("\n", "")
    slug = _unique(slugify(title), slugs)
    return f'<h{level} id="{escapeHtml(slug)}">{inner}</h{level}>'


def _unique(slug: str, slugs: set[str]) -> str:
    unique, index = slug, 1
    while unique in slugs:
        unique = f"{slug}-{index}"
        index += 1
    slugs.add(unique)
    return unique
