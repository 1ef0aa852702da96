"""The files made from many deals at once: kept on disk while what they show is unchanged.

A list page (``render.ListPage``) or a product (``products.Product``: ``deals.json``, a chunk
of the search index) names the deals it is made from; its key (``listcache``) hashes what
those deals' views are made from, and for a list page the parts of the site its template read.
Those whose key is the one recorded with their files on disk are kept; the others are made
again, spread over processes (``fanout``), each task staging its own files.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from playbook import fanout, listcache
from playbook.cache import SiteState
from playbook.fragments import Fragments
from playbook.products import Product, products
from playbook.render import ListPage, Renderer, Site, SiteRecorder, list_pages

# Stages a file unless the site has these bytes already: (their hash, whether it was staged).
Stage = Callable[[str, Iterable[bytes]], tuple[bytes, bool]]


@dataclass(slots=True)
class Derived:
    """What was made, and what the next build needs to know to keep it."""

    tags: dict[str, bytes] = field(default_factory=dict)  # every file's tag (hash or key)
    staged: list[str] = field(default_factory=list)  # the files written this time
    lists: dict[str, tuple[bytes, frozenset[str]]] = field(default_factory=dict)  # SiteState
    products: dict[str, tuple[bytes, tuple[str, ...]]] = field(default_factory=dict)
    fragments: list[tuple[bytes, str, bytes]] = field(default_factory=list)  # made: to store
    corrupt: bool = False  # a stored fragment did not check out


def make_derived(
    site: Site,
    renderer: Renderer,
    render: bytes,
    shown: dict[str, bytes],
    entries: Callable[[], Iterable[bytes]],
    state: SiteState | None,
    stage: Stage,
    jobs: int,
    stored: Callable[[], dict[bytes, tuple[bytes, bytes]]] = dict,
) -> Derived:
    """Keep or make every list page and product of ``site``.

    ``shown``: each included deal's ``DealResult.shown``; ``entries``: gives their
    ``deals.json`` entries; ``render``: the render digest; ``stored``: reads the
    fragments kept by the cache (``fragments``), if a list page is to be rendered.
    """
    done = Derived()
    # What the views of all deals are made from (for a template that reads site.deals).
    every = listcache.members_key(render, "every deal", tuple(shown), shown)
    parts = listcache.site_parts(site, every)
    pages = []  # the list pages to render: the rest are on disk as they would be
    for page in list_pages(site):
        old = state.lists.get(page.path) if state is not None else None
        if old is not None and state is not None and page.path in state.files:
            known = listcache.parts_key(old[1], parts)
            if known is not None and old[0] == listcache.page_key(render, page, shown, known):
                done.tags[page.path] = state.files[page.path][-1]
                done.lists[page.path] = old
                continue
        pages.append(page)
    made = []  # the products to make, with their keys
    for product in products(site, entries):
        name, more = product.name, product.more.encode()
        key = listcache.members_key(render, name, product.members, shown, more)
        old_made = state.products.get(name) if state is not None else None
        if old_made is not None and old_made[0] == key and state is not None:
            done.products[name] = old_made
            done.tags.update({path: state.files[path][-1] for path in old_made[1]})
            continue
        made.append((product, key))

    if pages:
        renderer.fragments = Fragments(render, shown, parts, stored())

    def render_list(page: ListPage) -> tuple[bytes, bool, frozenset[str], Any, bool]:
        recorder = SiteRecorder(site)
        renderer.globals["site"] = recorder
        try:
            data = renderer.render(page.page())
        finally:
            renderer.globals["site"] = site
        fragments = renderer.fragments
        return (
            *stage(page.path, (data,)),
            frozenset(recorder.asked),
            fragments.take(),  # made in this process, maybe a forked one: back to the build
            fragments.corrupt,
        )

    def make(product: Product) -> list[tuple[str, bytes, bool]]:
        return [(path, *stage(path, parts())) for path, parts in product.make()]

    tasks: list[Callable[[], Any]] = [functools.partial(render_list, page) for page in pages]
    tasks += [functools.partial(make, product) for product, _ in made]
    costs = [(len(page.members) if page.rows is None else page.rows) + 10 for page in pages]
    costs += [2 * len(product.members) + 10 for product, _ in made]
    main = frozenset(len(pages) + i for i, (product, _) in enumerate(made) if product.main)
    results = fanout.run(tasks, costs, jobs, main)

    def note(path: str, tag: bytes, staged: bool) -> None:
        done.tags[path] = tag
        if staged:
            done.staged.append(path)

    for page, (tag, staged, asked, new, corrupt) in zip(pages, results, strict=False):
        note(page.path, tag, staged)
        done.fragments += new
        done.corrupt |= corrupt
        known = listcache.parts_key(asked, parts)
        if known is not None:
            done.lists[page.path] = (listcache.page_key(render, page, shown, known), asked)
    for (product, key), files in zip(made, results[len(pages) :], strict=True):
        for path, tag, staged in files:
            note(path, tag, staged)
        done.products[product.name] = (key, tuple(path for path, _, _ in files))
    return done
