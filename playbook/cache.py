"""The persistent build cache in ``PROJECT/.playbook-cache/``: per-deal results, the site's state.

Storage is one SQLite file (the standard library's sqlite3): one row per deal file, so a build
that changed one deal rewrites one row in one transaction, and ten thousand rows load in one
query. A crash mid-write cannot leave a half-written cache, as it could with one pickle file
per shard that must agree with an index.

An entry is used only when its key matches, and the key hashes everything the deal's result
and page depend on (see ``keys.py``), so a stale entry cannot be used. Every row carries
a checksum of its bytes; a cache that cannot be read, fails a checksum, or was written by
another format or version of playbook is deleted with a warning and the build goes on without
it. The cache holds pickles, so it is only ever read from the playbook's own folder, like its
templates.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playbook import __version__
from playbook.diagnostics import Flag
from playbook.keys import FORMAT
from playbook.workers import DealResult

CACHE_DIR = ".playbook-cache"
DB_NAME = "build.sqlite"


class CacheCorrupt(Exception):
    """The cache cannot be trusted."""


Warnings = list[Flag]  # the red flags of a site


@dataclass(slots=True)
class SiteState:
    """The site as the last build left it: each file's stat, and what it was made from."""

    out: str
    # site path → (size, mtime, ctime, inode, tag): the tag is the deal's key for a deal page,
    # the hash of the bytes for any other file
    files: dict[str, tuple[int, int, int, int, bytes]] = field(default_factory=dict)
    digest: bytes = b""  # of everything the site was built from
    deals: int = 0
    # list page → (its key, the parts of the site it asked for): see listcache
    lists: dict[str, tuple[bytes, frozenset[str]]] = field(default_factory=dict)
    # files made from many deals at once (deals.json, the search index) → (key, their paths)
    products: dict[str, tuple[bytes, tuple[str, ...]]] = field(default_factory=dict)


def stat_entry(path: Path, tag: bytes) -> tuple[int, int, int, int, bytes]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, tag)


def site_is_intact(out: Path, state: SiteState, marker: str) -> bool:
    """True when ``out`` holds exactly the files of ``state``, none touched since (by stat)."""
    if not (out / marker).is_file():
        return False
    expected = state.files
    count = 0
    stack = [""]
    top = str(out)
    while stack:
        folder = stack.pop()
        with os.scandir(os.path.join(top, folder)) as entries:
            for entry in entries:
                rel = f"{folder}/{entry.name}" if folder else entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append(rel)
                    continue
                if rel == marker:
                    continue
                known = expected.get(rel)
                if known is None:
                    return False
                st = entry.stat(follow_symlinks=False)
                if (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) != known[:4]:
                    return False
                count += 1
    return count == len(expected)


class BuildCache:
    """Reads and writes ``.playbook-cache/build.sqlite``; ``notices`` collects the warnings.

    The file is made by the first write, which only a successful build makes: a failed first
    build leaves no cache folder behind.
    """

    def __init__(self, root: Path, *, enabled: bool = True):
        self.folder = root / CACHE_DIR
        self.path = self.folder / DB_NAME
        self.enabled = enabled
        self.notices: list[str] = []
        self.db: sqlite3.Connection | None = None
        if enabled and self.path.exists():
            self._open()

    def _writable(self) -> sqlite3.Connection | None:
        if self.db is None and self.enabled:
            self._open()
        return self.db

    def _open(self) -> None:
        try:
            self.db = self._connect()
        except (sqlite3.DatabaseError, CacheCorrupt, OSError) as exc:
            self._discard(str(exc))
            try:
                self.db = self._connect()
            except (sqlite3.DatabaseError, CacheCorrupt, OSError) as again:
                self.notices.append(
                    f"the build cache cannot be used ({again}); building without it"
                )
                self.db = None

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(exist_ok=True)
        # A dev server builds first in its main thread, then in its watcher's, one at a time.
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            # A cache may lose its last write on a power cut, never its consistency (WAL), and
            # a lost write only costs a rebuild: no fsync per transaction.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS deals (rel TEXT PRIMARY KEY, key BLOB, digest BLOB, "
                "stat TEXT, sum BLOB, data BLOB, entry BLOB, entry_sum BLOB)"
            )
            # The red flags of a site (Warnings) apart from its state: 8 MB at 10,000 deals,
            # which a build that changes none of them neither reads nor writes.
            db.execute(
                "CREATE TABLE IF NOT EXISTS sites (out TEXT PRIMARY KEY, sum BLOB, data BLOB, "
                "warnings_sum BLOB, warnings BLOB)"
            )
            # Rows of list pages (see ``fragments``), by the deal they show.
            db.execute(
                "CREATE TABLE IF NOT EXISTS fragments (key BLOB PRIMARY KEY, rel TEXT, "
                "shown BLOB, render BLOB, sum BLOB, data BLOB)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS fragments_rel ON fragments (rel)")
            stamp = f"{FORMAT}:{__version__}".encode()
            row = db.execute("SELECT value FROM meta WHERE name = 'stamp'").fetchone()
            if row is None:
                if db.execute("SELECT count(*) FROM deals").fetchone()[0]:
                    raise CacheCorrupt("it has no format stamp")
                db.execute("INSERT INTO meta VALUES ('stamp', ?)", (stamp,))
            elif bytes(row[0]) != stamp:
                found = bytes(row[0]).decode(errors="replace")
                raise CacheCorrupt(f"it was written by another version of playbook ({found})")
        except BaseException:
            db.close()
            raise
        return db

    def _discard(self, why: str) -> None:
        self.notices.append(f"warning: the build cache in {self.folder} was discarded: {why}")
        if self.db is not None:
            self.db.close()
            self.db = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def fail(self, why: str) -> None:
        """Stop trusting the cache for the rest of this run, and delete it."""
        self._discard(why)

    # -------------------------------------------------------------------------------- deals

    def digests(self) -> dict[str, tuple[bytes, str]]:
        """Each stored file's content hash and the stat it had when read (see ``unchanged``)."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute("SELECT rel, digest, stat FROM deals").fetchall()
        except sqlite3.DatabaseError as exc:
            self.fail(str(exc))
            return {}
        return {rel: (bytes(digest), stat) for rel, digest, stat in rows}

    def stored_keys(self) -> dict[str, bytes]:
        if self.db is None:
            return {}
        try:
            return {rel: bytes(key) for rel, key in self.db.execute("SELECT rel, key FROM deals")}
        except sqlite3.DatabaseError as exc:
            self.fail(str(exc))
            return {}

    def results(self, rels: Iterable[str]) -> dict[str, DealResult]:
        """The stored results of ``rels``; raises CacheCorrupt when one does not check out."""
        if self.db is None:
            return {}
        wanted = set(rels)
        found: dict[str, DealResult] = {}
        try:
            rows = self.db.execute("SELECT rel, sum, data FROM deals").fetchall()
        except sqlite3.DatabaseError as exc:
            raise CacheCorrupt(str(exc)) from None
        for rel, checksum, data in rows:
            if rel not in wanted:
                continue
            found[rel] = _unpickle(checksum, data, DealResult)
        return found

    # ---------------------------------------------------------------------------- writes
    # A build writes in one transaction, row by row as results arrive (so that their pickles
    # need not wait in memory), and commits only when it succeeded: a failed build leaves the
    # cache as it was, and a cache made by a failed first build is removed.

    def begin(self) -> None:
        self._made = not self.path.exists()
        db = self._writable()
        if db is not None and not db.in_transaction:
            self._guard(lambda: db.execute("BEGIN"))

    def put(self, rel: str, key: bytes, result: DealResult, data: bytes | None = None) -> None:
        """Store one result (``data``: its pickle, when it came pickled from a worker).

        Its entry of ``deals.json`` moves here from the result (``entry`` reads it back): ten
        thousand of them are 90 MB that the main process need not hold.
        """
        db = self.db
        if db is None:
            return
        data = data or pickle.dumps(result, pickle.HIGHEST_PROTOCOL)  # without the entry
        entry = result.entry
        entry_sum = None if entry is None else _checksum(entry)
        stat = " ".join(map(str, result.stat))
        row = (rel, key, result.digest, stat, _checksum(data), data, entry, entry_sum)
        self._guard(
            lambda: db.execute("INSERT OR REPLACE INTO deals VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
        )
        if self.db is not None:
            result.entry = None

    def entry(self, rel: str, key: bytes) -> bytes | None:
        """The ``deals.json`` entry stored with the result of this key, if there is one (a
        failed build, or another Builder on the same cache, may have stored another); raises
        CacheCorrupt if it does not check out."""
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT entry_sum, entry FROM deals WHERE rel = ? AND key = ?", (rel, key)
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise CacheCorrupt(str(exc)) from None
        if row is None or row[1] is None:
            return None
        return checked(row)

    def forget(self, rels: Iterable[str]) -> None:
        db = self.db
        if db is not None:
            rows = [(rel,) for rel in rels]

            def forget() -> None:
                db.executemany("DELETE FROM deals WHERE rel = ?", rows)
                db.executemany("DELETE FROM fragments WHERE rel = ?", rows)

            self._guard(forget)

    def put_site(self, state: SiteState, warnings: Warnings) -> None:
        db = self.db
        if db is None:
            return
        data = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        flags = pickle.dumps(warnings, protocol=pickle.HIGHEST_PROTOCOL)
        flags_sum = _checksum(flags)
        row = (state.out, _checksum(data), data, flags_sum, flags)

        def put() -> None:
            same = db.execute(
                "SELECT 1 FROM sites WHERE out = ? AND warnings = ?", (state.out, flags)
            ).fetchone()
            if same:
                db.execute("UPDATE sites SET sum = ?, data = ? WHERE out = ?", (*row[1:3], row[0]))
            else:
                db.execute("INSERT OR REPLACE INTO sites VALUES (?, ?, ?, ?, ?)", row)

        self._guard(put)

    def commit(self) -> None:
        db = self.db
        if db is not None and db.in_transaction:
            self._guard(lambda: db.execute("COMMIT"))

    def rollback(self) -> None:
        db = self.db
        if db is not None and db.in_transaction:
            self._guard(lambda: db.execute("ROLLBACK"))
        if getattr(self, "_made", False) and self.db is not None:
            self.db.close()
            self.db = None
            shutil.rmtree(self.folder, ignore_errors=True)

    def _guard(self, write: Any) -> None:
        try:
            write()
        except sqlite3.DatabaseError as exc:
            self.fail(str(exc))

    # ---------------------------------------------------------------------------- fragments

    def fragments(self, render: bytes) -> dict[bytes, tuple[bytes, bytes]]:
        """The stored fragments made with these templates and settings: key → (checksum,
        bytes), to be ``checked`` when used."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute(
                "SELECT key, sum, data FROM fragments WHERE render = ?", (render,)
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            self.fail(str(exc))
            return {}
        return {bytes(key): (checksum, data) for key, checksum, data in rows}

    def put_fragments(
        self, render: bytes, made: Iterable[tuple[bytes, str, bytes]], shown: dict[str, bytes]
    ) -> None:
        """Store new fragments: (key, the deal's path, their bytes: see ``fragments``)."""
        db = self.db
        if db is None:
            return
        rows = ((key, rel, shown[rel], render, _checksum(data), data) for key, rel, data in made)
        sql = "INSERT OR REPLACE INTO fragments VALUES (?, ?, ?, ?, ?, ?)"
        self._guard(lambda: db.executemany(sql, rows))

    def forget_fragments(self, render: bytes, shown: dict[str, bytes]) -> None:
        """Drop the fragments no build will use again: made with other templates or settings,
        or of a deal (of ``shown``, its new digest) as it was before it changed."""
        db = self.db
        if db is None:
            return
        rows = [(rel, digest) for rel, digest in shown.items()]

        def forget() -> None:
            last = db.execute("SELECT value FROM meta WHERE name = 'render'").fetchone()
            if last is None or bytes(last[0]) != render:  # else every row is of this one
                db.execute("DELETE FROM fragments WHERE render != ?", (render,))
                db.execute("INSERT OR REPLACE INTO meta VALUES ('render', ?)", (render,))
            db.executemany("DELETE FROM fragments WHERE rel = ? AND shown != ?", rows)

        self._guard(forget)

    # --------------------------------------------------------------------------------- site

    def site_state(self, out: Path) -> SiteState | None:
        state: SiteState | None = self._site(out, "sum, data", SiteState)
        return state

    def site_warnings(self, out: Path) -> Warnings:
        """The red flags of the site at ``out`` as its last build found them."""
        warnings: Warnings | None = self._site(out, "warnings_sum, warnings", list)
        return warnings or []

    def _site(self, out: Path, columns: str, kind: type) -> Any:
        """What (checksum, pickle) ``columns`` of the row of ``out`` hold, or None."""
        if self.db is None:
            return None
        try:
            sql = f"SELECT {columns} FROM sites WHERE out = ?"
            row = self.db.execute(sql, (str(out),)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise CacheCorrupt(str(exc)) from None
        return None if row is None or row[1] is None else _unpickle(row[0], row[1], kind)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def _checksum(data: bytes) -> bytes:
    """Of a row's bytes, to find damage (not tampering: the cache is as trusted as templates).

    CRC-32 reads a warm build's 150 MB of rows five times as fast as a cryptographic hash.
    """
    return zlib.crc32(data).to_bytes(4, "little")


def checked(stored: tuple[bytes, bytes]) -> bytes:
    """The bytes of a stored (checksum, bytes); raises CacheCorrupt if they do not match."""
    checksum, data = stored
    if _checksum(bytes(data)) != bytes(checksum):
        raise CacheCorrupt("an entry does not match its checksum")
    return bytes(data)


def _unpickle(checksum: bytes, data: bytes, kind: type) -> Any:
    data = checked((checksum, data))
    try:
        value = pickle.loads(data)
    except Exception as exc:  # any damage shows up as some exception: never trusted
        raise CacheCorrupt(f"an entry cannot be read ({type(exc).__name__})") from None
    if not isinstance(value, kind):
        raise CacheCorrupt("an entry holds something else")
    return value


def clean(root: Path) -> list[Path]:
    """Remove the cache folder; return what was removed."""
    folder = root / CACHE_DIR
    if folder.exists():
        shutil.rmtree(folder)
        return [folder]
    return []
