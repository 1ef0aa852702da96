"""The wheel carries the built-in templates and assets: an installed playbook builds a site
from a folder far from this repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO, VALID_DEAL, write_files


def _pip(*args: str | Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *map(str, args)],
        check=True,
        capture_output=True,
        timeout=300,
    )


def test_installed_wheel_builds_a_playbook_outside_the_repository(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", wheels, REPO)
    (wheel,) = wheels.glob("playbook-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "playbook/_default_templates/deal.html" in names
    assert "playbook/_default_templates/static/style.css" in names
    assert "playbook/live_reload.js" in names
    assert "playbook/scaffold/new-deal.md" in names
    scaffold = REPO / "playbook" / "scaffold"
    files = [p for p in scaffold.rglob("*") if p.is_file()]
    assert {f"playbook/scaffold/{p.relative_to(scaffold).as_posix()}" for p in files} <= set(names)

    target = tmp_path / "installed"
    _pip("install", "--no-deps", "--target", target, wheel)
    project = write_files(tmp_path / "far-away", {"content/deals/acme.md": VALID_DEAL})
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(target)
    result = subprocess.run(
        [sys.executable, "-m", "playbook", "build", "--as-of", "2026-11-15"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    page = (project / "site" / "deals" / "acme" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Data platform renewal" in page
    assert (project / "site" / "static" / "style.css").is_file()
    # The package ran from the installed copy, not from this checkout.
    probe = subprocess.run(
        [sys.executable, "-c", "import playbook; print(playbook.__file__)"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(probe.stdout.strip()).is_relative_to(target)

    # A new playbook from the installed copy: its scaffold files came with the wheel.
    def installed(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "playbook", *args]
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)

    assert installed("init", "fresh", cwd=tmp_path).returncode == 0
    fresh = tmp_path / "fresh"
    assert installed("new", "deal", "Initech - Payroll", cwd=fresh).returncode == 0
    assert installed("check", "--as-of", "2026-11-15", cwd=fresh).returncode == 0
    assert installed("build", "--as-of", "2026-11-15", cwd=fresh).returncode == 0
    assert (fresh / "site" / "deals" / "initech-payroll" / "index.html").is_file()
    assert (fresh / "site" / "method" / "writing-a-deal" / "index.html").is_file()
