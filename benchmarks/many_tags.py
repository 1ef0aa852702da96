#!/usr/bin/env python3
"""Time a cold build of one deal with many tags, to see how the build grows with the tag count.

    python3 benchmarks/many_tags.py                 # 100, 200, 400 and 800 tags, median of 3
    python3 benchmarks/many_tags.py 50 1600 --reps 5

Each tag has its own page, and every tag page lists the deal with all its tags: the site itself
grows with the square of the tag count. What this shows is whether the time does more than
follow the bytes written. It is a script, not a test: nothing in CI times anything.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

DEAL = """\
---
title: Data platform renewal
customer: Acme Corp
owner: Jan Peeters
stage: develop
objective: Acme renews the data platform for 250 seats by 31 March 2027
value: 180000
close_date: 2027-03-31
buyers:
  - name: Marie Dubois
    role: economic
    influence: high
    mode: growth
    rating: 2
{tags}---

## Where we stand

The data team likes the lineage features.
"""


def make_playbook(folder: Path, tags: int) -> None:
    (folder / "content" / "deals").mkdir(parents=True)
    (folder / "playbook.toml").write_text("as_of = 2026-11-15\n", encoding="utf-8")
    listed = "tags:\n" + "".join(f"  - tag number {i:04d}\n" for i in range(tags))
    deal = folder / "content" / "deals" / "acme.md"
    deal.write_text(DEAL.format(tags=listed), encoding="utf-8")


def build_seconds(folder: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, every process) of one cold build."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "playbook", "build", str(folder), "--no-cache", "-q"],
        check=True,
        env=env,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def site_size(site: Path) -> tuple[int, int]:
    files = [p for p in site.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("counts", nargs="*", type=int, default=[100, 200, 400, 800])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    print("| tags | wall (median) | CPU (median) | files | site size |")
    print("|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="playbook-tags-") as scratch:
        for count in args.counts:
            folder = Path(scratch) / f"tags-{count}"
            make_playbook(folder, count)
            runs = [build_seconds(folder) for _ in range(args.reps)]
            wall = statistics.median(run[0] for run in runs)
            cpu = statistics.median(run[1] for run in runs)
            files, size = site_size(folder / "site")
            print(
                f"| {count} | {wall:.2f} s | {cpu:.2f} s | {files} | {size / 1e6:.1f} MB |",
                flush=True,
            )


if __name__ == "__main__":
    main()
