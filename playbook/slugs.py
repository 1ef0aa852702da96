"""Slugs for owners and tags: the address part of their pages.

Deterministic: the same set of names always gives the same slugs, whatever the order in which the
deals were read. ASCII only (``Zoë Smit`` → ``zoe-smit``), so the addresses survive any file system,
web server and copy-paste.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "þ": "th",
        "ð": "d",
        "\u0131": "i",
    }
)


def ascii_slug(text: str) -> str:
    """Lowercase letters, digits and single hyphens; accents dropped, other symbols become hyphens.

    A name with no Latin letter or digit at all (``東京``) gets ``n-`` and a short hash of the
    name instead, so that its page still has a stable address.
    """
    folded = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower().translate(_LETTERS)).strip("-")
    return slug or "n-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def assign_slugs(names: Iterable[str]) -> dict[str, str]:
    """A distinct slug for every distinct name; names that fold to the same slug get ``-2``, ``-3``.

    Names are taken in sorted order, so which of two colliding names gets the plain slug does not
    depend on the order of the deals.
    """
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(names)):
        base = slug = ascii_slug(name)
        counter = 2
        while slug in taken:
            slug = f"{base}-{counter}"
            counter += 1
        taken.add(slug)
        slugs[name] = slug
    return slugs
