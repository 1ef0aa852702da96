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
