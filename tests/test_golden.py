"""The whole site of a small fixture playbook, compared file by file with a stored copy.

After an intended change to the output, regenerate the copy with
``python -m pytest tests/test_golden.py --update-golden`` and review the diff in git.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_playbook, snapshot

FIXTURE = REPO / "tests" / "fixtures" / "golden"
EXPECTED = REPO / "tests" / "golden"


def test_site_matches_golden_copy(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    out = tmp_path / "site"
    result = run_playbook("build", FIXTURE, "--out", out)
    assert result.returncode == 0, result.stderr
    built = snapshot(out)
    if request.config.getoption("--update-golden"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        shutil.copytree(out, EXPECTED)
        pytest.skip("golden copy regenerated; review it with git diff")
    expected = snapshot(EXPECTED)
    assert sorted(built) == sorted(expected), "the set of files differs from tests/golden"
    for name, data in expected.items():
        if built[name] != data:
            diff = difflib.unified_diff(
                data.decode("utf-8", "replace").splitlines(),
                built[name].decode("utf-8", "replace").splitlines(),
                f"golden/{name}",
                f"built/{name}",
                lineterm="",
            )
            pytest.fail("\n".join(list(diff)[:80]))
