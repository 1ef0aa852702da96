"""The search index: written at build time as script files, so search works with no server.

Why our own index rather than a tool: a ``fetch()`` of JSON (what Pagefind and lunr-style indexes
rely on) fails from ``file://``, but a ``<script>`` does not, so the index is a set of small
JavaScript files that assign data to a global, and ``static/search.js`` (our own few lines) loads
them by script tag. The index is split so that a query loads only what it needs:

- ``search/shards.js``: which shards exist, the field names, how many documents per chunk;
- ``search/terms-X.js``: the words starting with character X, each with its postings;
- ``search/docs-N.js``: what to show for documents N*CHUNK … (N+1)*CHUNK-1, loaded only for
  the documents a query shows: the page's folder (every page is a folder's ``index.html``, which
  the script adds back), its title and a line of detail.

A posting is ``doc_id * 8 + field`` (which field the word was found in), and a word's postings
are stored in ascending order as differences from the previous one, which keeps the numbers short.
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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from playbook.schema import MethodDoc
from playbook.urls import method_url

if TYPE_CHECKING:
    from playbook.render import DealView

SEARCH_DIR = "search"
CHUNK = 500  # documents per docs-N.js file: about 45 KB for deals

# What a word matched in; the position is the code stored in the low bits of each posting.
FIELDS = ("title", "customer", "owner", "buyer", "competitor", "tag", "text", "method")
_FIELD = {name: code for code, name in enumerate(FIELDS)}
_WORD = re.compile(r"[^\W_]+")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")  # the (url) of a Markdown link holds no words to find


def words(text: str) -> list[str]:
    """Lowercase words without accents: "Zoë Müller-Smit" → ["zoe", "muller", "smit"]."""
    return list(_words(text))


# Names, stages, tags and titles recur across thousands of deals, and a dev server indexes the
# same texts after every save: taking a text apart once saves most of the index's time.
@functools.lru_cache(maxsize=1 << 16)
def _words(text: str) -> tuple[str, ...]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).lower()
    return tuple(_WORD.findall(plain))


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
        deal = view.deal
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


def index_files(docs: Iterable[SearchDoc]) -> Iterator[tuple[str, bytes]]:
    """(site path, bytes) of every index file, deterministic for the same documents."""
    table: list[list[str]] = []
    postings: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for doc_id, doc in enumerate(docs):
        table.append([doc.url.removesuffix("index.html"), doc.title, doc.detail])
        seen: set[tuple[str, int]] = set()
        for field, text in sorted(doc.fields, key=lambda pair: _FIELD[pair[0]]):
            code = _FIELD[field]
            for word in words(text):
                if (word, code) not in seen:
                    seen.add((word, code))
                    postings[shard_of(word)][word].append(doc_id * 8 + code)
    for start in range(0, len(table), CHUNK):
        chunk = str(start // CHUNK)
        yield (
            f"{SEARCH_DIR}/docs-{chunk}.js",
            _script("PLAYBOOK_SEARCH_DOCS", chunk, table[start : start + CHUNK]),
        )
    for shard in sorted(postings):
        encoded = {word: _deltas(found) for word, found in postings[shard].items()}
        yield f"{SEARCH_DIR}/terms-{shard}.js", _script("PLAYBOOK_SEARCH_TERMS", shard, encoded)
    manifest = {"shards": sorted(postings), "fields": FIELDS, "chunk": CHUNK, "docs": len(table)}
    yield f"{SEARCH_DIR}/shards.js", _script("PLAYBOOK_SEARCH_SHARDS", None, manifest)
