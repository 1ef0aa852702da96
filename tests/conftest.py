"""Shared fixtures: write a playbook folder from a dict of files, run the CLI for real."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent

# A deal that keeps the contract, with one buyer of each role; tests change it line by line.
VALID_DEAL = """\
---
title: Data platform renewal
customer: Acme Corp
owner: Jan Peeters
stage: develop
objective: Acme renews the data platform for 250 seats by 31 March 2027
value: 180000
currency: EUR
close_date: 2027-03-31
position: 1
tags: [renewal]
buyers:
  - name: Marie Dubois
    title: CFO
    role: economic
    influence: high
    mode: growth
    rating: 2
    last_contact: 2026-11-02
  - name: Tom Janssens
    role: [technical, coach]
    influence: medium
    mode: trouble
    rating: 3
    last_contact: 2026-11-01
competition:
  - name: Cloud warehouse reseller
    kind: competitor
    standing: front-runner
alternatives:
  - name: Lite edition
    approach: cheaper
    chance: 40
  - name: Co-design workshop
    approach: more-participative
    chance: 65
    selected: true
actions:
  - what: Live demo of lineage features
    kind: demo
    due: 2026-12-05
    buyer: Tom Janssens
---

## Where we stand

The data team likes the lineage features.
"""

METHOD_PAGE = """\
---
title: Buyer roles
order: 1
---

## Coach

A coach guides us through the sale.
"""

SETTINGS = 'title = "Test playbook"\nas_of = 2026-11-15\n'


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(
                textwrap.dedent(content) if content.startswith("\n") else content, encoding="utf-8"
            )
    return root


@pytest.fixture
def make_playbook(tmp_path: Path) -> Callable[..., Path]:
    """``make_playbook({"content/deals/acme.md": "..."})`` → a playbook folder.

    Without ``bare=True`` it adds a settings file with a fixed ``as_of`` and one method page,
    unless the dict names them itself.
    """

    def make(files: dict[str, str | bytes] | None = None, *, bare: bool = False) -> Path:
        root = tmp_path / "playbook"
        root.mkdir(exist_ok=True)
        base: dict[str, str | bytes] = (
            {}
            if bare
            else {
                "playbook.toml": SETTINGS,
                "content/method/buyer-roles.md": METHOD_PAGE,
            }
        )
        return write_files(root, {**base, **(files or {})})

    return make


def playbook_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a playbook subprocess: this checkout first, no clock from outside."""
    full_env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    full_env.update({"PYTHONPATH": str(REPO), **(env or {})})
    return full_env


def run_playbook(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m playbook ARGS`` in a subprocess, importing this checkout's package."""
    return subprocess.run(
        [sys.executable, "-m", "playbook", *map(str, args)],
        cwd=cwd,
        env=playbook_env(env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, to compare a site before and after."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ----------------------------------------------------------------------------- a real browser
# One headless Chromium for the whole session, shared by every browser test module (Playwright's
# sync API allows only one running instance at a time).

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium()
    reason = "no Chromium found (install Debian's chromium package)"
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("browser tests must run in CI: playwright is not installed")
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample playbook of this repository, built once for every browser test."""
    out = tmp_path_factory.mktemp("sample") / "site"
    result = run_playbook("build", REPO, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def generated_playbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated playbook of 300 deals (benchmarks/gen_corpus.py), made once; read it only."""
    project = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "gen_corpus.py"), str(project), "300"],
        check=True,
        capture_output=True,
    )
    return project


@pytest.fixture(scope="session")
def generated_build(generated_playbook: Path) -> Path:
    """The generated playbook of 300 deals, built once."""
    project = generated_playbook
    result = run_playbook("build", project, "--out", project / "site")
    assert result.returncode == 0, result.stderr
    return project / "site"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` served over HTTP on a free local port: yields the base URL (ends in /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def sample_site(sample_build: Path) -> Iterator[str]:
    with serving(sample_build) as base:
        yield base


@pytest.fixture(scope="session")
def generated_site(generated_build: Path) -> Iterator[str]:
    with serving(generated_build) as base:
        yield base


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="regenerate tests/golden from tests/fixtures/golden instead of comparing",
    )
