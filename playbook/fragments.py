"""Parts of list pages that show one deal, rendered once and kept while the deal is the same.

The overview, the red-flags page and the owner, tag and stage pages show each deal as a row. A
template asks for such a row with ``deal_fragment("_deal_row.html", view, **values)``: the
partial template is rendered with ``view``, the values and the page's ``url`` and ``root``,
and its output is kept under a key of everything it can depend on:

- the render digest (every template, the settings, ``as_of``, the method pages, the version);
- the partial's name, the page's way back to the top (``root``: links are relative) and the
  values, which must be plain (text, numbers, booleans, None, tuples of them);
- what the deal's view is made from (``DealResult.shown``: its path and front-matter);
- the parts of the site the partial read (``listcache.site_parts``), as for a whole list page.

So a list page that must be rendered again because one of its ten thousand deals was renamed
renders one row and joins the rest, and a deal listed on its owner's, tags' and stage's pages
(all as deep in the site) is rendered once for all of them. A partial that reads anything else
(``page_path``, a loop variable of the page) would be wrong when kept: it is given no such name.
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from playbook import listcache
from playbook.cache import checked

# A kept fragment: the site parts it read, their digest, and its HTML.
Kept = tuple[frozenset[str], bytes, str]
_PLAIN = (str, int, float, bool, type(None))


class Fragments:
    """The fragments of one build: those kept from the last (``stored``) and those made now.

    ``stored`` maps a key to the checksum and bytes the cache keeps; each is checked and
    decoded only when a page asks for it. One that does not check out is made again, and
    ``corrupt`` tells the build to stop trusting the cache.
    """

    def __init__(
        self,
        render: bytes,
        shown: dict[str, bytes],
        parts: dict[str, Callable[[], bytes]],
        stored: dict[bytes, tuple[bytes, bytes]],
    ):
        self.render = render
        self.shown = shown
        self.parts = parts
        self.stored = stored
        self.made: dict[bytes, bytes] = {}  # made in this process: for the pages still to render
        self.new: list[tuple[bytes, str, bytes]] = []  # (key, deal path, _encode) not yet taken
        self.corrupt = False
        self._digests: dict[frozenset[str], bytes | None] = {}
        self._interned: dict[frozenset[str], frozenset[str]] = {}  # one set for many fragments

    def take(self) -> list[tuple[bytes, str, bytes]]:
        """The fragments made since the last call: the build stores them in the cache."""
        new, self.new = self.new, []
        return new

    def _stored(self, key: bytes) -> Kept | None:
        stored = self.stored.get(key)
        if stored is None:
            return None
        try:
            parts, digest, html = _decode(checked(stored))
        except Exception:  # CacheCorrupt, or any damage the checksum missed: never trusted
            self.corrupt = True
            return None
        return self._interned.setdefault(parts, parts), digest, html

    def _parts_digest(self, parts: frozenset[str]) -> bytes | None:
        if parts not in self._digests:
            self._digests[parts] = listcache.parts_key(parts, self.parts)
        return self._digests[parts]

    def get(
        self,
        name: str,
        root: str,
        path: str,
        values: dict[str, Any],
        render: Callable[[], tuple[str, frozenset[str]]],
        asked: set[str],
    ) -> Markup:
        """The fragment's HTML, kept or rendered by ``render``; adds the parts it read to
        ``asked`` (the page's own record of what it read)."""
        items = tuple(sorted(values.items()))
        _check_plain(items)  # so that repr tells them apart: 1, 1.0 and True are equal
        shown = self.shown.get(path)
        if shown is None:
            raise ValueError(f"deal_fragment() takes a deal of the site, not {path}")
        h = hashlib.blake2b(self.render, digest_size=16)
        h.update(shown)  # of the deal's path and front-matter
        h.update(repr((name, root, items)).encode())
        key = h.digest()
        made = self.made.get(key)
        kept = _decode(made) if made is not None else self._stored(key)
        if kept is not None:
            parts, digest, html = kept
            if self._parts_digest(parts) == digest:
                asked |= parts
                return Markup(html)
        html, parts = render()
        parts = self._interned.setdefault(parts, parts)
        digest = self._parts_digest(parts)
        if digest is not None:
            data = self.made[key] = _encode((parts, digest, html))
            self.new.append((key, path, data))
        asked |= parts
        return Markup(html)


def _encode(kept: Kept) -> bytes:
    """A fragment as the cache keeps it, and as it crosses from a forked process: compressed,
    since ten thousand deals' rows of HTML are some 50 MB, and alike enough to take a fifth."""
    return zlib.compress(pickle.dumps(kept, pickle.HIGHEST_PROTOCOL), 1)


def _decode(data: bytes) -> Kept:
    parts, digest, html = pickle.loads(zlib.decompress(data))
    return parts, digest, html


def _check_plain(value: Any) -> None:
    if type(value) is tuple:
        for item in value:
            _check_plain(item)
    elif type(value) not in _PLAIN:  # not even a subclass: Markup("<b>") is not "<b>"
        kind = type(value).__name__
        raise TypeError(
            "deal_fragment() takes plain values (text, numbers, booleans, none, or tuples of"
            f" them), not {kind}"
        )
