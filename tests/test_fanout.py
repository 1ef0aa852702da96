"""Tasks over forked processes: the same results, in the same order, as in one process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from playbook import fanout

from conftest import playbook_env, snapshot


def _pid_task(index: int, seconds: float = 0.0) -> tuple[int, int]:
    time.sleep(seconds)  # long enough for every process to start and take a task
    return index, os.getpid()


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Fork however small the run, from this test process; the children's pids, as forked."""
    monkeypatch.setattr(fanout, "WORTH_FORKING", 0)
    monkeypatch.setattr(fanout, "can_fork", lambda: True)
    forked: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(fanout.os, "fork", fork)
    return forked


def test_tasks_for_the_main_process_run_there_and_no_other_does(forking: list[int]) -> None:
    """deals.json reads the build cache, whose connection a forked process must not use."""
    tasks = [lambda i=i: _pid_task(i, 0.1) for i in range(6)]
    results = fanout.run(tasks, [100, 1, 1, 1, 1, 100], 2, main=frozenset({0, 5}))
    assert [index for index, _ in results] == list(range(6))
    assert results[0][1] == results[5][1] == os.getpid()
    assert any(pid != os.getpid() for _, pid in results[1:5])
    assert len(forking) == 1 and _all_waited_for(forking)


def _all_waited_for(pids: list[int]) -> bool:
    """Whether every one of these children has ended and been waited for (no zombie left)."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return True


def test_results_come_back_in_task_order_from_several_processes(forking: list[int]) -> None:
    tasks = [lambda i=i: _pid_task(i, 0.2) for i in range(9)]
    results = fanout.run(tasks, [9 - i for i in range(9)], 3)
    assert [index for index, _ in results] == list(range(9))
    pids = {pid for _, pid in results}
    assert os.getpid() in pids and len(pids) >= 2
    assert len(forking) == 2 and _all_waited_for(forking)


def _failing(index: int, failing: tuple[int, ...] = (3, 6)) -> Callable[[], int]:
    def task() -> int:
        if index in failing:
            raise ValueError(f"task {index} went wrong")
        return index

    return task


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_the_first_failing_task_in_order_raises_its_own_error(
    processes: int, forking: list[int]
) -> None:
    tasks = [_failing(i) for i in range(8)]
    with pytest.raises(ValueError, match=r"^task 3 went wrong$"):
        fanout.run(tasks, [1] * 8, processes)
    assert len(forking) == processes - 1 and _all_waited_for(forking)


def test_a_failing_task_no_process_got_to_still_fails_first(forking: list[int]) -> None:
    """The costliest go first: each process stops at 6 or 2, and nobody runs task 0."""
    tasks = [_failing(i, failing=(0, 2, 6)) for i in range(8)]
    with pytest.raises(ValueError, match=r"^task 0 went wrong$"):
        fanout.run(tasks, [1, 1, 5, 1, 1, 1, 9, 1], 2)
    assert len(forking) == 1 and _all_waited_for(forking)


def test_a_small_run_or_a_process_with_threads_does_not_fork(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tasks = [lambda i=i: _pid_task(i) for i in range(4)]
    assert {pid for _, pid in fanout.run(tasks, [1] * 4, 2)} == {os.getpid()}
    monkeypatch.setattr(fanout, "WORTH_FORKING", 0)
    monkeypatch.setattr(fanout.threading, "active_count", lambda: 2)
    assert {pid for _, pid in fanout.run(tasks, [1] * 4, 2)} == {os.getpid()}


# A build in a process of its own (one thread, as the command line is): the deals over a pool
# of two processes, then every list page, deals.json and search chunk over two processes forked
# from this one. The forks made while the pages are made are counted; the bytes compared.
_BUILD = """
import json, os, sys
from pathlib import Path
from playbook import fanout
from playbook.pipeline import build
fanout.WORTH_FORKING = 0
forks = []
real_fork, real_run = os.fork, fanout.run
def counting_fork():
    pid = real_fork()
    if pid:
        forks.append(pid)
    return pid
def run(*args):
    os.fork = counting_fork
    try:
        return real_run(*args)
    finally:
        os.fork = real_fork
fanout.run = run
root, out, jobs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
build(root, out, jobs=jobs, use_cache=False)
print(json.dumps({"forks": len(forks)}))
"""


def test_a_build_that_forks_writes_the_same_bytes_as_one_that_does_not(
    tmp_path: Path, generated_playbook: Path
) -> None:
    sites = {}
    for jobs in (1, 2):
        out = tmp_path / f"site-{jobs}"
        done = subprocess.run(
            [sys.executable, "-c", _BUILD, str(generated_playbook), str(out), str(jobs)],
            env=playbook_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(done.stdout) == {"forks": jobs - 1}
        sites[jobs] = snapshot(out)
    assert len(sites[1]) > 300 and sites[2] == sites[1]


def test_meanwhile_does_the_work_in_another_process(forking: list[int]) -> None:
    with fanout.meanwhile(os.getpid) as result:
        assert result() != os.getpid()
        assert result() == result()  # asked again: the same answer, no new process
    assert len(forking) == 1 and _all_waited_for(forking)


def test_meanwhile_work_that_fails_there_is_done_here_and_raises_its_error(
    forking: list[int],
) -> None:
    here = os.getpid()

    def work() -> int:
        if os.getpid() != here:
            raise OSError("a file went away")
        return 7

    with fanout.meanwhile(work) as result:
        assert result() == 7
    with pytest.raises(ZeroDivisionError), fanout.meanwhile(lambda: 1 // 0) as failing:
        failing()
    assert len(forking) == 2 and _all_waited_for(forking)


def test_meanwhile_not_worth_a_process_works_here_when_asked(forking: list[int]) -> None:
    asked: list[int] = []
    with fanout.meanwhile(lambda: asked.append(os.getpid()) or len(asked), worth=False) as result:
        assert asked == []
        assert result() == 1 and result() == 1 and asked == [os.getpid()]
    assert forking == []


def test_meanwhile_leaves_no_process_behind_when_its_result_is_not_asked(
    forking: list[int],
) -> None:
    with pytest.raises(KeyError), fanout.meanwhile(lambda: time.sleep(5)):
        raise KeyError("the build failed before it needed the answer")
    assert len(forking) == 1 and _all_waited_for(forking)
