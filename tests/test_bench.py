"""The benchmark script keeps working: run at 50 deals, once. It times nothing that is judged."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_benchmark_runs_at_50_deals_and_prints_a_line_per_target() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench.py"), "50", "--reps", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("50 deals, 1 repetition(s), medians")
    rows = {line.split("  ")[0]: line for line in lines[2:]}
    assert list(rows) == [
        "cold full build (no cache)",
        "warm rebuild, nothing changed",
        "warm rebuild, one deal renamed",
        "warm rebuild, one narrative changed",
        "`playbook check`, cold (no cache)",
        "serve: save → event reloading the page",
        "serve: save → every page rebuilt",
        "peak memory, cold build",
        "output vs --jobs 1 --no-cache",
    ]
    assert "pages written: 0 " in rows["warm rebuild, nothing changed"]
    # the renamed deal's page and the pages that list it (overview, its owner, tags, stage,
    # deals.json, search index): a handful of the site's files
    written = int(rows["warm rebuild, one deal renamed"].split("pages written: ")[1].split()[0])
    assert 2 <= written <= 20
    assert "pages written: 1 " in rows["warm rebuild, one narrative changed"]  # its page only
    assert "over 6 saves" in rows["serve: save → event reloading the page"]
    assert rows["output vs --jobs 1 --no-cache"].split()[-2:] == ["identical", "byte-identical"]
    assert rows["cold full build (no cache)"].endswith("≤ 20 s")
