"""Cache keys: what a deal's result and page depend on, hashed, so a stale entry cannot match.

A deal's key hashes its file's content and path with ``render_digest``: playbook's own code
and version, the versions of the libraries that shape the output, every template file (the
playbook's own and the built-in ones), the settings, ``as_of`` and the method pages.
Change any of them and every key changes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from playbook import __version__
from playbook.render import template_dirs
from playbook.schema import Settings

FORMAT = 10  # of the cache's tables and pickles


def hash_parts(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.digest()


def _files_digest(pairs: Iterable[tuple[str, Path]]) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for name, path in pairs:
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.digest()


def _code_digest() -> bytes:
    """playbook's own code and the libraries that shape its output: a new one means new pages."""
    import jinja2
    import markdown_it
    import pydantic
    import yaml

    try:
        import markdown_it_pyrs

        rust = str(markdown_it_pyrs.__version__)
    except ImportError:  # pragma: no cover
        rust = "-"
    package = Path(__file__).resolve().parent
    versions = [__version__, str(FORMAT), jinja2.__version__, markdown_it.__version__]
    versions += [pydantic.VERSION, yaml.__version__, rust]
    code = _files_digest((p.name, p) for p in sorted(package.glob("*.py")))
    return hash_parts("|".join(versions).encode(), code)


def render_digest(
    root: Path, settings: Settings, as_of: Any, method_files: Iterable[Path]
) -> bytes:
    """What every page depends on besides its own deal: code, templates, settings, method pages.

    Not ``--drafts``: it decides which deals are pages, not what a deal's result or page is.
    """
    templates = []
    for folder in template_dirs(root):
        templates += [
            (f"{folder}:{p.relative_to(folder).as_posix()}", p)
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        ]
    methods = [(p.relative_to(root).as_posix(), p) for p in method_files]
    return hash_parts(
        _code_digest(),
        repr(settings.model_dump()).encode(),
        str(as_of).encode(),
        _files_digest(templates),
        _files_digest(methods),
    )


def deal_key(render: bytes, rel: str, digest: bytes) -> bytes:
    return hash_parts(render, rel.encode(), digest)


# A file whose inode changed less than this before it was read may change again within the
# same timestamp tick without its stat showing it (git's "racily clean" files): re-hash those.
RACY_NS = 2_000_000_000


def file_stat(st: os.stat_result, read_ns: int) -> tuple[int, ...]:
    """What says a file is unchanged since it was read: size, times, inode, and when read."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, read_ns)


def unchanged(stat: str, st: os.stat_result) -> bool:
    """Whether a file still has the stat stored with its hash, read well after its last change.

    Lets a build skip reading and hashing ten thousand unchanged files, as git does; the key is
    still the content hash, taken when the file was last read.
    """
    try:
        size, mtime, ctime, ino, read_ns = map(int, stat.split())
    except ValueError:
        return False
    return (size, mtime, ctime, ino) == (
        st.st_size,
        st.st_mtime_ns,
        st.st_ctime_ns,
        st.st_ino,
    ) and ctime < read_ns - RACY_NS
