"""Pages that list deals, rendered again only when what they are made from has changed.

A list page (``render.ListPage``: an owner's page, a tag's, a stage's, the overview) is a
template applied to a context made from the views of its member deals, plus whatever the
template asks of ``site``. Its key hashes the page (path, template, the way back to the top),
what each member's view is made from (``DealResult.shown``: its path and front-matter), in
order, and the parts of the site the template asked for when it was last rendered (recorded by
``render.SiteRecorder``). A page whose key is the one recorded with the file on disk is not rendered
again, nor is its context built: with 10,000 deals a renamed deal then re-renders its owner's,
tags' and stage's pages and those that list every deal, not five thousand others, and an edit
of a narrative re-renders no list page at all.

Rendering is deterministic, so a template given the same context and the same answers asks the
same questions: checking the recorded parts is enough.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from playbook.render import ListPage, Site


def members_key(
    render: bytes, name: str, members: tuple[str, ...], shown: dict[str, bytes], *more: bytes
) -> bytes:
    """What a file made from some deals' views depends on: its name and those deals, in order.

    ``shown`` holds each deal's ``DealResult.shown``: a change to a deal's narrative alone
    leaves the files that list it as they were.
    """
    h = hashlib.blake2b(render, digest_size=16)
    h.update(f"{name}\0{len(members)}\0".encode())
    h.update(b"".join(map(shown.__getitem__, members)))
    for part in more:
        h.update(part)
    return h.digest()


def page_key(render: bytes, page: ListPage, shown: dict[str, bytes], parts_digest: bytes) -> bytes:
    """What a list page is made from: itself, its member deals and the site parts it read."""
    name = repr((page.path, page.template, page.root))
    return members_key(render, name, page.members, shown, parts_digest)


def _digest(*parts: Any) -> bytes:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()


def site_parts(site: Site, every_deal: bytes) -> dict[str, Callable[[], bytes]]:
    """A digest for each part of the site a template may ask for (None: the part is unknown).

    Settings, ``as_of``, the method pages and their headings are in every key already (the
    render digest); the deals, and the slugs and pages made from them, are not.
    """
    fixed = b"render digest"
    owners = functools.cache(lambda: _digest(sorted(site.owner_slugs.items())))
    tags = functools.cache(lambda: _digest(sorted(site.tag_slugs.items())))
    stages = functools.cache(lambda: _digest(sorted(site.stage_slugs.items())))
    pages = functools.cache(lambda: _digest(sorted(site.content_pages.items())))
    return {
        "deals": lambda: every_deal,
        "owner_slugs": owners,
        "owner_url": owners,
        "tag_slugs": tags,
        "tag_url": tags,
        "stage_slugs": stages,
        "stage_url": stages,
        "content_pages": pages,
        "settings": lambda: fixed,
        "as_of": lambda: fixed,
        "methods": lambda: fixed,
        "method_anchors": lambda: fixed,
        "method_link": lambda: fixed,
        "method_slug": lambda: fixed,
        "flag_link": lambda: fixed,
    }


def parts_key(asked: frozenset[str], parts: dict[str, Callable[[], bytes]]) -> bytes | None:
    """The digest of the parts a page asked for; None when one of them has no digest."""
    if not asked <= parts.keys():
        return None
    return _digest(sorted((name, parts[name]()) for name in asked))
