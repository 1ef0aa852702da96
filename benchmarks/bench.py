#!/usr/bin/env python3
"""Benchmark: time playbook on a generated corpus, against the targets of the speed issue.

    python benchmarks/bench.py [SIZE] [--reps N] [--jobs N] [--workdir DIR] [--no-verify]

Generates SIZE deals (default 10,000) with the generator kept beside this script, then runs
every build as a separate process, as a user would: a cold build (no cache, no site), a warm
build with nothing changed, a warm build after one deal changed, ``check`` without a cache, and
one save handled by a ``Builder`` kept in memory (what a dev server calls). Each is repeated
``--reps`` times; the table shows medians. Memory is the peak of the cold build: of its largest
process (getrusage) and of all its processes together (proportional set size, sampled).

A script, not a test: it prints figures and judges nothing but the output's bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _tree_pss_kib(pid: int) -> int:
    """Proportional set size of a process and its descendants (shared pages counted once)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as f:
                stack += [int(child) for child in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


class Run:
    """One playbook process: wall time, CPU time of it and its children, peak memory."""

    def __init__(self, args: list[str], *, sample: bool = False, check_exit: bool = True):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "playbook", *args],
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.peak_pss_kib = 0
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                self.peak_pss_kib = max(self.peak_pss_kib, _tree_pss_kib(proc.pid))
                done.wait(0.05)

        watcher = threading.Thread(target=watch, daemon=True) if sample else None
        if watcher is not None:
            watcher.start()
        self.stdout, self.stderr = proc.communicate()
        self.wall = time.perf_counter() - start
        done.set()
        if watcher is not None:
            watcher.join()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        self.max_rss_kib = after.ru_maxrss  # the largest process so far (Linux: KiB)
        self.returncode = proc.returncode
        if check_exit and proc.returncode != 0:
            raise SystemExit(f"playbook {' '.join(args)} failed:\n{self.stderr}")


def _stat(stdout: str, label: str) -> str:
    for line in stdout.splitlines():
        if line.startswith(label):
            return line.split(":", 1)[1].strip()
    return "?"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _touch_deal(corpus: Path, rep: int) -> Path:
    """Rename one deal: its page and the overview that lists it change."""
    path = corpus / "content" / "deals" / "deal-00042.md"
    text = path.read_text(encoding="utf-8").replace("title: ", f"title: Renamed {rep} ", 1)
    path.write_text(text, encoding="utf-8")
    return path


_SERVE = """
import sys, time, json
from pathlib import Path
from playbook.builder import Builder
corpus, out, reps = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
builder = Builder(corpus, out)
builder.build()
path = corpus / "content" / "deals" / "deal-00042.md"
times, written = [], []
for rep in range(reps):
    text = path.read_text(encoding="utf-8").replace("title: ", f"title: Saved {rep} ", 1)
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    result = builder.build(changed=[path])
    times.append(time.perf_counter() - start)
    written.append(result.stats.pages_written)
print(json.dumps({"times": times, "written": written}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", nargs="?", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each run (medians)")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for playbook")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the corpus here")
    parser.add_argument(
        "--no-verify", action="store_true", help="skip the byte comparison with a serial build"
    )
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="playbook-bench-"))
    corpus = work / f"corpus-{args.size}"
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    if corpus.exists():
        shutil.rmtree(corpus)
    subprocess.run(
        [sys.executable, str(HERE / "gen_corpus.py"), str(corpus), str(args.size)],
        check=True,
        capture_output=True,
    )
    site = corpus / "site"

    def reset() -> None:
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(corpus / ".playbook-cache", ignore_errors=True)

    cold = []
    for _ in range(args.reps):
        reset()
        cold.append(Run(["build", str(corpus), "-q", *jobs], sample=True))
    warm = [Run(["build", str(corpus), "--stats", *jobs]) for _ in range(args.reps)]
    change = []
    for rep in range(args.reps):
        _touch_deal(corpus, rep)
        change.append(Run(["build", str(corpus), "--stats", *jobs]))
    identical = "not compared (--no-verify)"
    if not args.no_verify:
        reference = work / "reference-site"
        shutil.rmtree(reference, ignore_errors=True)
        Run(["build", str(corpus), "--out", str(reference), "--jobs", "1", "--no-cache", "-q"])
        same = _snapshot(reference) == _snapshot(site)
        identical = "identical" if same else "DIFFERENT"
        shutil.rmtree(reference)

    checks = []
    for _ in range(args.reps):
        checks.append(Run(["check", str(corpus), "--no-cache", *jobs], check_exit=False))
    serve_out = work / "serve-site"
    shutil.rmtree(serve_out, ignore_errors=True)
    served = subprocess.run(
        [sys.executable, "-c", _SERVE, str(corpus), str(serve_out), str(args.reps)],
        env=_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    serve = json.loads(served.stdout)

    def med(runs: list[Run], attr: str = "wall") -> float:
        return statistics.median(getattr(r, attr) for r in runs)

    cores = med(cold, "cpu") / med(cold)
    rows = [
        ("cold full build (no cache)", f"{med(cold):.2f} s, {cores:.1f} cores busy", "≤ 20 s"),
        (
            "warm rebuild, nothing changed",
            f"{med(warm):.2f} s, pages written: {_stat(warm[-1].stdout, 'pages written')}",
            "≤ 2 s",
        ),
        (
            "warm rebuild, one deal changed",
            f"{med(change):.2f} s, pages written: {_stat(change[-1].stdout, 'pages written')}",
            "≤ 2 s",
        ),
        ("`playbook check`, cold (no cache)", f"{med(checks):.2f} s", "≤ 6 s"),
        (
            "serve: Builder.build after one save",
            f"{statistics.median(serve['times']):.2f} s, {serve['written'][-1]} pages written "
            "(in-process; no watcher or browser)",
            "≤ 0.3 s",
        ),
        (
            "peak memory, cold build",
            f"{max(r.max_rss_kib for r in cold) / 1024:.0f} MiB largest process, "
            f"{max(r.peak_pss_kib for r in cold) / 1024:.0f} MiB all processes (PSS)",
            "≤ 500 MiB",
        ),
        ("output vs --jobs 1 --no-cache", identical, "byte-identical"),
    ]
    load = os.getloadavg()[0]
    print(f"{args.size} deals, {args.reps} repetition(s), medians; load average {load:.1f}")
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"{'what':<{width}}  {'measured':<{value_width}}  target")
    for what, value, target in rows:
        print(f"{what:<{width}}  {value:<{value_width}}  {target}")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if identical != "DIFFERENT" else 1


if __name__ == "__main__":
    sys.exit(main())
