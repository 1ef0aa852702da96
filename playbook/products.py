"""Files made from many deals at once: ``deals.json``, its schema and the search index.

Each ``Product`` names the deals whose views it is made from (``members``), like a list page
(``render.ListPage``): a build keeps its files on disk while the key of those members is the
same (``listcache.members_key``). The search index is one product per chunk of documents, so
a saved deal re-makes its own chunk's files and no other (``search``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from playbook import dealsjson, search
from playbook.export import deals_schema, to_json
from playbook.render import Site

Parts = Callable[[], Iterable[bytes]]  # a file's bytes, in parts: 90 MB need not sit in memory


@dataclass(frozen=True, slots=True)
class Product:
    name: str
    members: tuple[str, ...]  # content paths of the deals it is made from, in order
    make: Callable[[], list[tuple[str, Parts]]]  # (site path, its bytes) of each of its files
    more: str = ""  # anything else it depends on, besides the render digest
    main: bool = False  # made by the main process only: it reads the build cache


def _whole(data: bytes) -> Parts:
    return lambda: (data,)


def products(site: Site, entries: Callable[[], Iterable[bytes]]) -> Iterator[Product]:
    """Every product of the site; ``entries`` gives each deal's ``deals.json`` entry, in order,
    read from the build cache (so in the main process) where the cache holds them."""
    every = tuple(view.path for view in site.deals)

    def deals() -> list[tuple[str, Parts]]:
        return [("deals.json", lambda: dealsjson.deals_json_parts(site, entries()))]

    yield Product("deals.json", every, deals, main=True)
    yield Product("deals.schema.json", (), lambda: [("deals.schema.json", _whole(schema()))])

    # Documents in index order: the deals, then the method pages (whose text is in every key).
    views, methods = site.deals, site.methods
    total = len(views) + len(methods)
    for chunk, start in enumerate(range(0, total, search.CHUNK)):
        end = start + search.CHUNK

        def make(chunk: int = chunk, start: int = start, end: int = end) -> list[tuple[str, Parts]]:
            before = len(views)  # documents before the first method page
            docs = [*search.deal_docs(views[start:end])]
            docs += search.method_docs(methods[max(0, start - before) : max(0, end - before)])
            return [(path, _whole(data)) for path, data in search.chunk_files(chunk, docs)]

        # Which method pages a chunk holds depends on how many deals come before them.
        more = f"after {len(views)} deals" if end > len(views) else ""
        yield Product(f"search chunk {chunk}", every[start:end], make, more)
    path, data = search.manifest_file(total)
    yield Product("search manifest", (), lambda: [(path, _whole(data))], f"{total} documents")


def schema() -> bytes:
    return to_json(deals_schema())
