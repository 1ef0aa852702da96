"""The progress bar shows on a terminal only, and only once a build has taken a second."""

from __future__ import annotations

import io

import pytest

from playbook.progress import Progress, Stats


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Progress, "DELAY", 0.0)
    stream = io.StringIO()
    progress = Progress(stream)
    progress.begin(10)
    progress.advance(10)
    progress.finish()
    assert stream.getvalue() == ""


def test_silent_during_the_first_second() -> None:
    stream = _Terminal()
    progress = Progress(stream)
    progress.begin(10)
    progress.advance(10)
    assert stream.getvalue() == ""


def test_bar_on_a_terminal_then_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Progress, "DELAY", 0.0)
    stream = _Terminal()
    progress = Progress(stream)
    progress.begin(4)
    progress.advance(4)
    assert stream.getvalue() == "\rbuilding [" + "#" * 30 + "] 4/4"
    progress.finish()
    assert stream.getvalue().endswith("\r" + " " * 60 + "\r")


def test_stats_lines() -> None:
    stats = Stats(pages_written=3, pages_kept=7, cache_hits=9, cache_misses=1, jobs=2)
    stats.add("load", 0.5)
    stats.add("cache", 0.25)
    assert stats.lines() == [
        "pages written: 3 (kept from the last build: 7)",
        "cache: 9 hits, 1 misses",
        "processes: 2",
        "load:         0.500 s",
        "cache:        0.250 s",
    ]
