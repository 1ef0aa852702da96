"""Pages that list deals, rendered again only when what they show has changed.

A list page (an owner's page, a tag's, a stage's) is a template applied to a context built from
DealViews, plus whatever the template asks of ``site``. Its key hashes the page (path, template,
the way back to the top), its context with every DealView standing for its deal's cache key,
and the parts of the site the template asked for when it was last rendered (recorded by
``SiteRecorder``; asking for ``site.deals`` makes the page depend on every deal). A page whose
key is the one recorded with the file on disk is not rendered again: with 10,000 deals a
renamed deal then re-renders its owner's, tag's and stage's pages, not five thousand others.

Rendering is deterministic, so a template given the same context and the same answers asks the
same questions: checking the recorded parts is enough. A context holding anything this module
cannot hash gives no key, and the page is always rendered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from typing import Any

from playbook.render import DealView, Page, Site


class _Unhashable(Exception):
    """The context holds something without a stable digest."""


def _feed(h: Any, value: Any, deal_keys: dict[str, bytes]) -> None:
    if isinstance(value, DealView):
        h.update(b"V" + deal_keys[value.doc.path])
    elif value is None or isinstance(value, str | int | float | bool | dt.date):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, list | tuple):
        h.update(b"[%d" % len(value))
        for item in value:
            _feed(h, item, deal_keys)
        h.update(b"]")
    elif isinstance(value, dict):
        h.update(b"{%d" % len(value))
        for key in sorted(value, key=repr):
            _feed(h, key, deal_keys)
            _feed(h, value[key], deal_keys)
        h.update(b"}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(type(value).__qualname__.encode() + b"(")
        for field in dataclasses.fields(value):
            _feed(h, getattr(value, field.name), deal_keys)
        h.update(b")")
    else:
        raise _Unhashable(type(value).__name__)


def page_key(render: bytes, page: Page, deal_keys: dict[str, bytes]) -> bytes | None:
    """What a list page is made from, besides the site's parts; None when it cannot be told."""
    h = hashlib.blake2b(render, digest_size=16)
    try:
        _feed(h, (page.path, page.template, page.root, page.context), deal_keys)
    except (_Unhashable, KeyError):
        return None
    return h.digest()


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


class SiteRecorder:
    """Stands for ``site`` in a template and notes which of its parts the template asks for."""

    def __init__(self, site: Site):
        object.__setattr__(self, "_site", site)
        object.__setattr__(self, "asked", set())

    def __getattr__(self, name: str) -> Any:
        self.asked.add(name)
        return getattr(self._site, name)


def parts_key(asked: frozenset[str], parts: dict[str, Callable[[], bytes]]) -> bytes | None:
    """The digest of the parts a page asked for; None when one of them has no digest."""
    if not asked <= parts.keys():
        return None
    return _digest(sorted((name, parts[name]()) for name in asked))
