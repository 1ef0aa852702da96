#!/usr/bin/env python3
"""Benchmark: time playbook on a generated corpus, against the targets of the speed issue.

    python benchmarks/bench.py [SIZE] [--reps N] [--jobs N] [--workdir DIR] [--no-verify]

Generates SIZE deals (default 10,000) with the generator kept beside this script, then runs
every build as a separate process, as a user would: a cold build (no cache, no site), a warm
build with nothing changed, warm builds after one deal was renamed and after one narrative
changed, and ``check`` without a cache. Each is repeated ``--reps`` times; the table shows
medians. Then ``playbook serve`` runs on the corpus and one deal is saved again and again
(renamed, then a new narrative line, in turn): timed from the save to the event on
``/__playbook/events`` that makes a browser showing the deal reload, and to the event of the
build that brings every other page in line. Memory is the peak of the cold build: of its largest
process (getrusage) and of all its processes together (proportional set size, sampled).

A script, not a test: it prints figures and judges nothing but the output's bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
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


DEAL = "content/deals/deal-00042.md"
PAGE = "deals/deal-00042/index.html"


def _edit(path: Path, rep: int, narrative: bool) -> None:
    """Save one deal as an editor does: a new narrative line, or a new title (lists show it)."""
    text = path.read_text(encoding="utf-8")
    if narrative:
        text += f"\nOne more line of narrative ({rep}).\n"
    else:
        text = text.replace("title: ", f"title: Renamed {rep} ", 1)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


class _Serve:
    """``playbook serve`` on the corpus, and the events it sends, each with its arrival time."""

    def __init__(self, corpus: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "playbook", "serve", str(corpus), "--port", "0"],
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if match := re.search(r"at (http://\S+/) ", line):
                self.url = match.group(1)
                break
        else:
            raise SystemExit("playbook serve did not start")
        threading.Thread(target=self._drain, daemon=True).start()
        self.events: queue.Queue[tuple[float, dict]] = queue.Queue()
        threading.Thread(target=self._listen, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for _ in self.proc.stdout:
            pass

    def _listen(self) -> None:
        with urllib.request.urlopen(self.url + "__playbook/events") as response:
            for raw in response:
                if raw.startswith(b"data: "):
                    self.events.put((time.perf_counter(), json.loads(raw[6:])))

    def until(self, check: Callable[[dict], bool]) -> tuple[float, dict]:
        while True:
            arrived, event = self.events.get(timeout=600)
            if check(event):
                return arrived, event

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=60)


def _serve_saves(corpus: Path, saves: int) -> dict[str, list[float]]:
    """Seconds from a save to the event that reloads the deal's page, and to the whole build.

    Measured end to end, as a browser sees it: the server's file watcher, the build, the event
    on ``/__playbook/events`` (a browser showing the page then reloads it).
    """
    server = _Serve(corpus)
    generation = server.until(lambda e: e["generation"] >= 1)[1]["generation"]
    times: dict[str, list[float]] = {"page": [], "all": []}
    path = corpus / DEAL
    for rep in range(saves):
        time.sleep(0.5)  # quiet, so that each save is a batch of its own
        start = time.perf_counter()
        _edit(path, rep, narrative=rep % 2 == 1)
        after = generation

        def reloads_page(event: dict, after: int = after) -> bool:
            new = [v for g, v in event["changes"].items() if int(g) > after]
            return any(paths is None or PAGE in paths for paths in new)

        arrived, event = server.until(reloads_page)
        times["page"].append(arrived - start)
        generation = event["generation"]
        if event["changes"][str(generation)] == [PAGE]:  # its page first: then the rest
            arrived, event = server.until(lambda e, g=generation: e["generation"] > g)
            generation = event["generation"]
        times["all"].append(arrived - start)
    server.stop()
    return times


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
    renamed, narrated = [], []
    for rep in range(args.reps):
        _edit(corpus / DEAL, rep, narrative=False)
        renamed.append(Run(["build", str(corpus), "--stats", *jobs]))
        _edit(corpus / DEAL, rep, narrative=True)
        narrated.append(Run(["build", str(corpus), "--stats", *jobs]))
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
    saves = _serve_saves(corpus, max(6, 2 * args.reps))

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
            "warm rebuild, one deal renamed",
            f"{med(renamed):.2f} s, pages written: {_stat(renamed[-1].stdout, 'pages written')}",
            "≤ 2 s",
        ),
        (
            "warm rebuild, one narrative changed",
            f"{med(narrated):.2f} s, pages written: {_stat(narrated[-1].stdout, 'pages written')}",
            "≤ 2 s",
        ),
        ("`playbook check`, cold (no cache)", f"{med(checks):.2f} s", "≤ 6 s"),
        (
            "serve: save → event reloading the page",
            f"{statistics.median(saves['page']):.2f} s ({min(saves['page']):.2f} to "
            f"{max(saves['page']):.2f} over {len(saves['page'])} saves)",
            "≤ 0.3 s",
        ),
        (
            "serve: save → every page rebuilt",
            f"{statistics.median(saves['all']):.2f} s "
            f"({min(saves['all']):.2f} to {max(saves['all']):.2f}; renames and narratives)",
            "",
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
