"""One configured Markdown renderer, and the rewriting of links between content files.

CommonMark plus tables; raw HTML is escaped, never passed through. Headings get ids so that
``[coach](../method/buyer-roles.md#coach)`` can land on them. A link to another content file is
rewritten to the relative URL of its built page; the anchors it names are checked once every
page is rendered (see ``LinkCheck``), because a page's anchors are known only after rendering it.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin


def slugify(text: str) -> str:
    """Heading text → anchor id, the way GitHub does it (lowercase, spaces to hyphens)."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    anchors_plugin(md, min_level=1, max_level=6, slug_func=slugify)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


# A wide table scrolls inside its own box on a phone rather than the whole page; the box takes
# the keyboard focus, so that it can be scrolled without a mouse, and is named by its number.
def _table_open(
    renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    env["tables"] = number = env.get("tables", 0) + 1
    wrap = f'<div class="table-wrap" role="region" tabindex="0" aria-label="Table {number}">\n'
    return wrap + renderer.renderToken(tokens, idx, options, env)


def _table_close(
    renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return renderer.renderToken(tokens, idx, options, env) + "</div>\n"


@dataclass(frozen=True, slots=True)
class Link:
    """A link from one content file to another, kept to check its anchor after rendering."""

    source: str
    line: int
    href: str
    target: str
    anchor: str


@dataclass(slots=True)
class RenderedBody:
    html: str
    anchors: frozenset[str]
    links: list[Link] = field(default_factory=list)
    broken: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


def _is_external(href: str) -> bool:
    parts = urlsplit(href)
    return bool(parts.scheme or parts.netloc) or href.startswith(("/", "#", "mailto:"))


def render_body(
    md: MarkdownIt,
    text: str,
    *,
    source: str,
    first_line: int,
    page_url: Callable[[str], str | None],
    top_heading: int = 2,
    missing: Callable[[str], str] = lambda target: "which does not exist",
) -> RenderedBody:
    """Render a body; rewrite links to ``*.md`` files through ``page_url``.

    ``page_url(content_path)`` gives the relative URL of the page built from that content file
    (as seen from the page being rendered), or None when no such page exists; then
    ``missing(content_path)`` ends the message (a draft left out of the site, say). The body's
    headings move so that its highest one is ``<h{top_heading}>``: the page around it has the
    levels above, and a reader of the outline sees no level skipped.
    """
    tokens = md.parse(text)
    _shift_headings(tokens, top_heading)
    anchors = frozenset(
        str(t.attrGet("id")) for t in tokens if t.type == "heading_open" and t.attrGet("id")
    )
    result = RenderedBody("", anchors)
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        line = first_line + (block.map[0] if block.map else 0)
        for token in block.children:
            if token.type in ("softbreak", "hardbreak"):
                line += 1  # a paragraph spans lines: point at the link's own line
            elif token.type == "link_open":
                _rewrite(token, source, line, page_url, missing, result)
    result.html = md.renderer.render(tokens, md.options, {})
    return result


def _shift_headings(tokens: list[Token], top: int) -> None:
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    if not levels:
        return
    shift = top - min(levels)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"


def _rewrite(
    token: Token,
    source: str,
    line: int,
    page_url: Callable[[str], str | None],
    missing: Callable[[str], str],
    result: RenderedBody,
) -> None:
    href = str(token.attrGet("href") or "")
    if href.startswith("#") and len(href) > 1:  # an anchor on this same page
        result.links.append(Link(source, line, href, source, unquote(href[1:])))
        return
    if not href or _is_external(href):
        return
    parts = urlsplit(href)
    path = unquote(parts.path)
    if not path.endswith(".md"):
        return
    target = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    url = page_url(target)
    if url is None:
        result.broken.append((line, f"the link '{href}' points to {target}, {missing(target)}"))
        return
    token.attrSet("href", url + (f"#{parts.fragment}" if parts.fragment else ""))
    if parts.fragment:
        result.links.append(Link(source, line, href, target, unquote(parts.fragment)))


def check_anchors(
    links: list[Link], anchors: Mapping[str, frozenset[str]]
) -> list[tuple[str, int, str]]:
    """Links whose ``#anchor`` is not on the target page, as (source, line, message)."""
    broken = []
    for link in links:
        if link.anchor not in anchors.get(link.target, frozenset()):
            broken.append(
                (
                    link.source,
                    link.line,
                    f"the link '{link.href}' names the anchor '#{link.anchor}', "
                    f"which is not on {link.target}",
                )
            )
    return broken
