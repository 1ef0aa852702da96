"""Progress on a terminal, and the figures of ``--stats``: what a long build is doing.

The bar shows only on an interactive terminal and only once a build has run for a second, so
short builds, pipes and CI logs stay silent. It writes to the stream the CLI hands it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

STAGES = ("load", "validate", "analyse", "render", "write")


@dataclass(slots=True)
class Stats:
    """Counts and seconds per stage; per-deal stages are summed over all worker processes."""

    pages_written: int = 0
    pages_kept: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    jobs: int = 1
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - start)

    def lines(self) -> list[str]:
        out = [
            f"pages written: {self.pages_written} (kept from the last build: {self.pages_kept})",
            f"cache: {self.cache_hits} hits, {self.cache_misses} misses",
            f"processes: {self.jobs}",
        ]
        for stage in (*STAGES, *sorted(set(self.seconds) - set(STAGES))):
            if stage in self.seconds:
                out.append(f"{stage + ':':<10} {self.seconds[stage]:8.3f} s")
        return out


class Progress:
    """A one-line bar, redrawn in place; silent unless ``stream`` is a terminal."""

    DELAY = 1.0

    def __init__(self, stream: TextIO | None, label: str = "building"):
        self.stream = stream if stream is not None and stream.isatty() else None
        self.label = label
        self.total = 0
        self.done = 0
        self.start = time.monotonic()
        self.shown = False
        self._last = 0.0

    def begin(self, total: int) -> None:
        self.total = total
        self.done = 0

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.stream is None:
            return
        now = time.monotonic()
        if now - self.start < self.DELAY or (now - self._last < 0.1 and self.done < self.total):
            return
        self._last = now
        width = 30
        filled = width * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.stream is not None and self.shown:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()
            self.shown = False
