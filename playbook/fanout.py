"""Tasks spread over forked processes: the files a build makes once every deal is known.

After the per-deal units, the main process holds every deal's view, and the pages that list
deals, ``deals.json`` and the search index are made from those views. On a large playbook that
is seconds of one core while the others wait. A forked child inherits the views as they are in
memory (nothing is pickled to send them), takes tasks one by one from those still left, writes
their files into the staging folder itself and sends back only what each task returned.

Results come back in task order, and a failing task fails the run as it would in one process:
the first task in order that fails is run again in this process (with any before it that no
process got to), and raises its own error.
Forking is only safe from a process with one thread, so a dev server (``serve``) runs the tasks
in its own process; so does any platform other than Linux, and a run too small to gain from it.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

# Below this total cost (about one per deal a task lists), forking costs more than it saves.
WORTH_FORKING = 20_000


def can_fork() -> bool:
    return sys.platform == "linux" and threading.active_count() == 1


def forks(costs: Sequence[int], processes: int) -> bool:
    """Whether ``run`` will spread tasks of these costs over processes."""
    return processes > 1 and sum(costs) >= WORTH_FORKING and can_fork()


def _claim(order: list[int], counter: Any) -> Iterator[int]:
    """Task indices for this process, taken one at a time from those no process has taken."""
    while True:
        with counter.get_lock():
            taken = counter.value
            counter.value = taken + 1
        if taken >= len(order):
            return
        yield order[taken]


def _run_claimed(
    tasks: Sequence[Callable[[], T]], claimed: Iterator[int]
) -> tuple[list[tuple[int, T]], int | None]:
    """(index, result) of each task this process ran, and the index of one that raised."""
    done = []
    for index in claimed:
        try:
            done.append((index, tasks[index]()))
        except Exception:
            return done, index
    return done, None


def run(
    tasks: Sequence[Callable[[], T]],
    costs: Sequence[int],
    processes: int,
    main: frozenset[int] = frozenset(),
) -> list[T]:
    """Every task's result, in order: over ``processes`` processes when that is worth it.

    The processes take the tasks one by one, the costliest first, so that none waits long
    for another at the end. The tasks whose indices are in ``main`` run in this process only
    (before it takes others): they use what a forked process must not, such as a database
    connection.
    """
    if not forks(costs, processes):
        return [task() for task in tasks]
    order = sorted((i for i in range(len(tasks)) if i not in main), key=lambda i: (-costs[i], i))
    counter = multiprocessing.get_context("fork").Value("q", 0)
    children: list[tuple[int, int]] = []  # pid, read end of its pipe
    try:
        for _ in range(processes - 1):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: its tasks, their results down the pipe, and gone
                code = 1
                try:
                    os.close(read)
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
                    outcome = _run_claimed(tasks, _claim(order, counter))
                    data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
                    with os.fdopen(write, "wb") as pipe:
                        pipe.write(data)
                    code = 0
                finally:
                    os._exit(code)  # no cleanup of the parent's state (its cache connection)
            os.close(write)
            children.append((pid, read))
        outcomes = [_run_claimed(tasks, iter(sorted(main)))]
        if outcomes[0][1] is None:
            outcomes.append(_run_claimed(tasks, _claim(order, counter)))
        while children:
            pid, read = children.pop(0)
            with os.fdopen(read, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            if status != 0 or not data:
                raise RuntimeError("a process making pages ended without its results")
            outcomes.append(pickle.loads(data))
    finally:
        for pid, read in children:  # when this process failed: none is left behind
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read)
    results = dict(pair for done, _ in outcomes for pair in done)
    failed = [index for _, index in outcomes if index is not None]
    if failed:
        # One process would have stopped at the first task, in order, that fails: run those
        # before the first known failure that no process got to, then that one, here.
        first = min(failed)
        for index in range(first + 1):
            if index not in results:
                tasks[index]()
        raise RuntimeError(f"task {first} failed in another process only")
    return [results[index] for index in range(len(tasks))]


@contextmanager
def meanwhile(work: Callable[[], T], worth: bool = True) -> Iterator[Callable[[], T]]:
    """``work`` done by a forked process while this one goes on; call what this yields for
    its result (which waits for it).

    For work that mostly waits on the system, such as statting 16,000 files: a thread would
    still hold the interpreter lock half the time. Where forking is not safe, or the process
    fails, or it is not ``worth`` a process, the work is done here, when its result is asked for.
    """
    if not worth or not can_fork():
        yield functools.cache(work)
        return
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            data = pickle.dumps(work(), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    done: list[T] = []
    running = [pid]  # until waited for

    def result() -> T:
        if not done and running:
            with os.fdopen(read, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            running.clear()
            if status == 0 and data:
                done.append(pickle.loads(data))
        if not done:
            done.append(work())  # raises here what it raised there, if anything
        return done[0]

    try:
        yield result
    finally:
        if running:  # not asked for, or this process failed: no child left behind
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            with contextlib.suppress(OSError):  # closed already if the read was cut short
                os.close(read)
