"""The search index: written at build time as script files, so search works with no server.

A ``fetch()`` of JSON fails from ``file://``, but a ``<script>`` does not, so the index is a set of
small JavaScript files that assign data to a global. It is split so that a page loads only what a
query needs: ``search/docs.js`` (what to show for each result) and one shard of the inverted index
per first character of a word (``search/terms-a.js`` …). Words are normalised the same way in
``static/search.js``: accents dropped, lowercase, split on anything but letters and digits.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from playbook.render import DealView, deal_url, method_url
from playbook.schema import MethodDoc

SEARCH_DIR = "search"

# What a word matched in, stored in the low bits of each posting (doc_id * 8 + field).
FIELDS = ("title", "customer", "owner", "buyer", "competitor", "tag", "text", "method")
_FIELD = {name: code for code, name in enumerate(FIELDS)}
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """Lowercase words without accents: "Zoë Müller-Smit" → ["zoe", "muller", "smit"]."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).lower()
    return _WORD.findall(plain)


def shard_of(word: str) -> str:
    first = word[0]
    return first if "a" <= first <= "z" or "0" <= first <= "9" else "other"


@dataclass(frozen=True, slots=True)
class SearchDoc:
    url: str
    title: str
    detail: str
    kind: str
    fields: tuple[tuple[str, str], ...]  # (field, text) pairs whose words find this doc


def deal_docs(deals: Iterable[DealView]) -> Iterator[SearchDoc]:
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
        yield SearchDoc(deal_url(view.slug), deal.title, detail, "deal", tuple(fields))


def method_docs(methods: Iterable[MethodDoc]) -> Iterator[SearchDoc]:
    """Method pages are found by any word of their text (Markdown marks are not words)."""
    for method in methods:
        fields = (("title", method.page.title), ("method", method.body))
        detail = method.page.summary or "Method guidance"
        yield SearchDoc(method_url(method.slug), method.page.title, detail, "method", fields)


def _script(variable: str, key: str | None, data: object) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    if key is None:
        return f"window.{variable}={payload};\n".encode()
    return (
        f"window.{variable}=window.{variable}||{{}};window.{variable}[{json.dumps(key)}]={payload};\n"
    ).encode()


def index_files(docs: Iterable[SearchDoc]) -> Iterator[tuple[str, bytes]]:
    """(site path, bytes) of every index file, deterministic for the same documents."""
    table = []
    postings: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for doc_id, doc in enumerate(docs):
        table.append([doc.url, doc.title, doc.detail, doc.kind])
        seen: set[tuple[str, int]] = set()
        for field, text in doc.fields:
            code = _FIELD[field]
            for word in words(text):
                if (word, code) not in seen:
                    seen.add((word, code))
                    postings[shard_of(word)][word].append(doc_id * 8 + code)
    yield f"{SEARCH_DIR}/docs.js", _script("PLAYBOOK_SEARCH_DOCS", None, table)
    for shard in sorted(postings):
        yield (
            f"{SEARCH_DIR}/terms-{shard}.js",
            _script("PLAYBOOK_SEARCH_TERMS", shard, postings[shard]),
        )
    yield (
        f"{SEARCH_DIR}/shards.js",
        _script("PLAYBOOK_SEARCH_SHARDS", None, {"shards": sorted(postings), "fields": FIELDS}),
    )
