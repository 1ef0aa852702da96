"""Write stage: the only place that writes the site.

Pages go into a fresh folder beside the output folder, which is swapped in only when every page
is written: a failed build leaves the previous site exactly as it was. A marker file says that a
folder was made by playbook; a non-empty folder without it is never replaced.
"""

from __future__ import annotations

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
        target = self.staging / path
        parent = target.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        target.write_bytes(data)
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
