"""Site paths of the pages, and relative links between them: one place, so that every module
that names a page (render, search) agrees on where it is, without importing render."""

from __future__ import annotations

import posixpath


def deal_url(slug: str) -> str:
    return f"deals/{slug}/index.html"


def method_url(slug: str) -> str:
    return f"method/{slug}/index.html"


def owner_url(slug: str) -> str:
    return f"owners/{slug}/index.html"


def tag_url(slug: str) -> str:
    return f"tags/{slug}/index.html"


def stage_url(slug: str) -> str:
    return f"stages/{slug}/index.html"


RED_FLAGS_URL = "red-flags/index.html"


def relative(target: str, page: str) -> str:
    """The URL of site path ``target`` as seen from site path ``page``."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def root_of(page: str) -> str:
    """The relative way back to the top of the site from site path ``page``."""
    return "../" * page.count("/")
