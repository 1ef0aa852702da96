"""Write stage: the only place that writes the site.

Pages go into a fresh folder beside the output folder, which is swapped in only when every page
is written: a failed build leaves the previous site exactly as it was. A marker file says that a
folder was made by playbook; a non-empty folder without it is never replaced.

An incremental build (``SitePatch``) stages only the files that changed, then moves each into
the existing site (one atomic rename per file) and deletes the pages that are gone. Making ten
thousand folders costs seconds on a slow disk, so a whole new tree for one changed deal would
cost more than the build itself.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

MARKER = ".playbook-site"
MARKER_TEXT = "This folder is built by playbook; it is replaced on every build.\n"


class UnsafeOutput(Exception):
    """The output folder holds files that playbook did not make."""


def check_output(out: Path) -> None:
    """Refuse to replace a folder that is non-empty and was not made by playbook."""
    if out.exists() and not out.is_dir():
        raise UnsafeOutput(f"{out} is a file, not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UnsafeOutput(
            f"{out} is not empty and was not made by playbook; "
            "refusing to replace it (choose another --out, or empty it first)"
        )


def write_file(staging: Path, path: str, data: bytes, made: set[Path] | None = None) -> None:
    """Write one file of the site into a staging folder (worker processes call this too)."""
    target = staging / path
    parent = target.parent
    if made is None or parent not in made:
        parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(parent)
    target.write_bytes(data)


def stage_parts(staging: Path, path: str, parts: Iterable[bytes], unless: bytes | None) -> bytes:
    """Write a file given in parts into a staging folder while hashing it, and return the hash.

    When the hash is ``unless`` (the site has these bytes already) the file is removed again:
    a file is made once, not once to hash it and again to write it.
    """
    target = staging / path
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.blake2b(digest_size=16)
    with open(target, "wb") as file:
        for part in parts:
            digest.update(part)
            file.write(part)
    tag = digest.digest()
    if tag == unless:
        target.unlink()
    return tag


def remove_site(out: Path) -> list[Path]:
    """Delete a site folder that playbook made (``playbook clean``); never any other folder."""
    if out.is_dir() and (out / MARKER).is_file():
        shutil.rmtree(out)
        return [out]
    return []


class SiteWriter:
    """Collects a site's files in a staging folder, then swaps it in with ``commit``."""

    def __init__(self, out: Path):
        check_output(out)
        self.out = out
        out.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
        self.written = 0
        self._dirs: set[Path] = set()

    def write(self, path: str, data: bytes) -> None:
        write_file(self.staging, path, data, self._dirs)
        self.written += 1

    def write_parts(self, path: str, parts: Iterable[bytes]) -> None:
        """Write a file given in parts (a large one need not be in memory at once)."""
        target = self.staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as file:
            for part in parts:
                file.write(part)
        self._note(path)

    def _note(self, path: str) -> None:
        self.written += 1

    def adopt(self, path: str) -> None:
        """Count a file that a worker process wrote straight into ``staging``."""
        self.written += 1

    def copy(self, path: str, source: Path) -> None:
        self.write(path, source.read_bytes())

    def write_all(self, files: Iterable[tuple[str, bytes]]) -> None:
        for path, data in files:
            self.write(path, data)

    def commit(self) -> None:
        """Swap the staging folder in place of the output folder."""
        (self.staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        os.chmod(self.staging, 0o755)  # mkdtemp makes it private; a site is meant to be read
        check_output(self.out)  # it may have changed while we were building
        old = None
        if self.out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
            os.rmdir(old)
            os.replace(self.out, old)
        os.replace(self.staging, self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is not None:
            self.abort()


class SitePatch(SiteWriter):
    """Stages only the changed files of an existing site, then moves them in with ``commit``.

    The caller has checked that ``out`` is exactly the site it built last time. Every page is
    rendered and staged before anything in ``out`` changes, so bad input or a template error
    still leaves the site untouched; ``commit`` only renames files into place.
    """

    def __init__(self, out: Path):
        super().__init__(out)
        self.staged: list[str] = []
        self.removed: list[str] = []

    def write(self, path: str, data: bytes) -> None:
        super().write(path, data)
        self.staged.append(path)

    def _note(self, path: str) -> None:
        super()._note(path)
        self.staged.append(path)

    def adopt(self, path: str) -> None:
        super().adopt(path)
        self.staged.append(path)

    def remove(self, path: str) -> None:
        """Delete ``path`` from the site on commit (a page that is no longer built)."""
        self.removed.append(path)

    def commit(self) -> None:
        check_output(self.out)
        made: set[Path] = set()
        for path in sorted(set(self.staged)):
            target = self.out / path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            os.replace(self.staging / path, target)
        for path in sorted(self.removed):
            target = self.out / path
            target.unlink(missing_ok=True)
            parent = target.parent
            while parent != self.out and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        shutil.rmtree(self.staging, ignore_errors=True)
