"""The search index: written at build time as script files, so search works with no server.

Why our own index rather than a tool: a ``fetch()`` of JSON (what Pagefind and lunr-style indexes
rely on) fails from ``file://``, but a ``<script>`` does not, so the index is a set of small
JavaScript files that assign data to a global, and ``static/search.js`` (our own few lines) loads
them by script tag. The index is split so that a query loads only what it needs, and so that a
changed document re-makes only the files of its chunk (documents N*CHUNK … (N+1)*CHUNK-1, deal
pages then method pages): every file but the manifest depends on one chunk's documents only.

- ``search/shards.js``: the field names, documents per chunk, how many documents and chunks,
  and the shard names (one per first character of a word: ``a`` to ``z``, ``0`` to ``9``,
  ``other``); it depends on the number of documents only;
- ``search/terms-X-N.js``: the words starting with character X in chunk N, each with its
  postings; written for every shard of every chunk, empty (``{}``) or not, so that the manifest
  need not list which exist;
- ``search/docs-N.js``: what to show for the documents of chunk N, loaded only for the documents
  a query shows: the page's folder (every page is a folder's ``index.html``, which the script
  adds back), its title and a line of detail.

A posting is ``local_id * 8 + field``: the document's place in its chunk, which the script turns
into ``N * CHUNK + local_id``, and which field the word was found in. A word's postings are stored
in ascending order as differences from the previous one, which keeps the numbers short.
Words are normalised the same way in ``static/search.js``: accents dropped, lowercase, split on
anything but letters and digits. Built only from DealViews and method pages, never by reading
files; deterministic for the same input.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from playbook.schema import MethodDoc
from playbook.urls import method_url

if TYPE_CHECKING:
    from playbook.render import DealView

SEARCH_DIR = "search"
CHUNK = 500  # documents per chunk: its docs-N.js is about 45 KB for deals

# What a word matched in; the position is the code stored in the low bits of each posting.
FIELDS = ("title", "customer", "owner", "buyer", "competitor", "tag", "text", "method")
_FIELD = {name: code for code, name in enumerate(FIELDS)}
_WORD = re.compile(r"[^\W_]+")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")  # the (url) of a Markdown link holds no words to find


def words(text: str) -> list[str]:
    """Lowercase words without accents: "Zoë Müller-Smit" → ["zoe", "muller", "smit"]."""
    return list(_words(text))


# A dev server re-makes a saved deal's chunk after every save, with the same texts as before:
# remembered, they take half the time (500 documents: 40 → 20 ms). A whole index of 10,000
# deals has more texts than this holds and takes as long either way.
@functools.lru_cache(maxsize=1 << 16)
def _words(text: str) -> tuple[str, ...]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).lower()
    return tuple(_WORD.findall(plain))


# What ``shard_of`` can return: every chunk has a terms file for each, empty or not.
SHARDS = (*"abcdefghijklmnopqrstuvwxyz", *"0123456789", "other")


def shard_of(word: str) -> str:
    first = word[0]
    return first if "a" <= first <= "z" or "0" <= first <= "9" else "other"


@dataclass(frozen=True, slots=True)
class SearchDoc:
    url: str
    title: str
    detail: str
    fields: tuple[tuple[str, str], ...]  # (field, text) pairs whose words find this doc


def deal_docs(deals: Iterable[DealView]) -> Iterator[SearchDoc]:
    """A deal is found by its names, its objective and stage, and its buyers and competitors."""
    for view in deals:
        deal = view.read()[0].deal  # each deal once: its document need not stay in memory
        fields = [
            ("title", deal.title),
            ("customer", deal.customer),
            ("owner", deal.owner),
            ("text", f"{deal.objective} {deal.stage}"),
            *(("tag", tag) for tag in deal.tags),
            *(("buyer", f"{b.name} {b.title or ''}") for b in deal.buyers),
            *(("competitor", c.name) for c in deal.competition),
        ]
        detail = f"{deal.customer} · {deal.stage} · {deal.owner}"
        yield SearchDoc(view.url, deal.title, detail, tuple(fields))


def method_docs(methods: Iterable[MethodDoc]) -> Iterator[SearchDoc]:
    """Method pages are found by any word of their text (Markdown marks are not words)."""
    for method in methods:
        body = _LINK_TARGET.sub("]", method.body)
        fields = (("title", method.page.title), ("method", f"{method.page.summary or ''} {body}"))
        detail = f"Method · {method.page.summary}" if method.page.summary else "Method"
        yield SearchDoc(method_url(method.slug), method.page.title, detail, fields)


def _script(variable: str, key: str | None, data: object) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    if key is None:
        return f"window.{variable}={payload};\n".encode()
    return (
        f"window.{variable}=window.{variable}||{{}};window.{variable}[{json.dumps(key)}]={payload};\n"
    ).encode()


def _deltas(postings: list[int]) -> list[int]:
    return [p - q for p, q in zip(postings, [0, *postings[:-1]], strict=True)]


def chunk_files(chunk: int, docs: Sequence[SearchDoc]) -> list[tuple[str, bytes]]:
    """(site path, bytes) of chunk ``chunk``'s files: its ``docs-N.js`` and one terms file per
    shard, empty ones included. They depend on these documents only, so a changed document
    re-makes its own chunk's files and no other."""
    if len(docs) > CHUNK:
        raise ValueError(f"a chunk holds at most {CHUNK} documents, not {len(docs)}")
    table: list[list[str]] = []
    postings: dict[str, dict[str, list[int]]] = {shard: defaultdict(list) for shard in SHARDS}
    for local_id, doc in enumerate(docs):
        table.append([doc.url.removesuffix("index.html"), doc.title, doc.detail])
        seen: set[tuple[str, int]] = set()
        for field, text in sorted(doc.fields, key=lambda pair: _FIELD[pair[0]]):
            code = _FIELD[field]
            for word in words(text):
                if (word, code) not in seen:
                    seen.add((word, code))
                    postings[shard_of(word)][word].append(local_id * 8 + code)
    files = [(f"{SEARCH_DIR}/docs-{chunk}.js", _script("PLAYBOOK_SEARCH_DOCS", str(chunk), table))]
    for shard in SHARDS:
        encoded = {word: _deltas(found) for word, found in postings[shard].items()}
        name = f"{shard}-{chunk}"
        files.append(
            (f"{SEARCH_DIR}/terms-{name}.js", _script("PLAYBOOK_SEARCH_TERMS", name, encoded))
        )
    return files


def manifest_file(doc_count: int) -> tuple[str, bytes]:
    """(site path, bytes) of ``shards.js``: what a query needs to know which files to load."""
    manifest = {
        "fields": FIELDS,
        "chunk": CHUNK,
        "docs": doc_count,
        "chunks": -(-doc_count // CHUNK),
        "shards": SHARDS,
    }
    return f"{SEARCH_DIR}/shards.js", _script("PLAYBOOK_SEARCH_SHARDS", None, manifest)


def index_files(docs: Iterable[SearchDoc]) -> Iterator[tuple[str, bytes]]:
    """(site path, bytes) of every index file: each chunk's files in order, then the manifest."""
    count = 0
    found = iter(docs)
    while batch := list(islice(found, CHUNK)):
        yield from chunk_files(count // CHUNK, batch)
        count += len(batch)
    yield manifest_file(count)
