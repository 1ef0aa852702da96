"""``deals.json`` put together from each deal's own entry, made where the deal was built.

``export.deals_json`` builds one document of every deal and dumps it: for 10,000 deals that is
3 s and several hundred MB in the main process, and again after any change. Here each worker
dumps its deal's entry (``entry_text``), the cache keeps it with the deal's result, and the
main process only joins the texts into the document's ``deals`` list. The bytes are those of
``export.deals_json``: JSON with sorted keys and two-space indents nests an entry of the list
at four spaces, which is each entry's own dump with every line indented by four.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from playbook import jsontext
from playbook.export import deal_entry, deals_document
from playbook.render import DealView, Site

_EMPTY = '\n  "deals": [],\n'


def entry_text(view: DealView) -> str:
    """One deal's entry, as it stands in the ``deals`` list of ``deals.json``."""
    text = jsontext.dumps(deal_entry(view))
    return "    " + text.replace("\n", "\n    ")


def deals_json(site: Site, entries: Iterable[bytes]) -> bytes:
    """``export.deals_json(site)``, from the entries of ``site.deals`` (UTF-8) in their order."""
    return b"".join(deals_json_parts(site, entries))


def deals_json_parts(site: Site, entries: Iterable[bytes]) -> Iterator[bytes]:
    """The same bytes in parts, so that 90 MB of JSON never sit in memory at once."""
    bare = deals_document(dataclasses.replace(site, deals=[]))
    text = jsontext.dumps(bare) + "\n"
    if not site.deals:
        yield text.encode("utf-8")
        return
    head, tail = text.split(_EMPTY, 1)
    yield (head + '\n  "deals": [\n').encode("utf-8")
    batch: list[bytes] = []  # written a hundred entries at a time, not in 20,000 writes
    for index, entry in enumerate(entries):
        if index:
            batch.append(b",\n")
        batch.append(entry)
        if len(batch) >= 200:
            yield b"".join(batch)
            batch.clear()
    yield b"".join(batch)
    yield ("\n  ],\n" + tail).encode("utf-8")
