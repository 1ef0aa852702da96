"""Content files are found in the order of sorted paths, hidden files and folders skipped."""

from __future__ import annotations

from pathlib import Path

from playbook.sources import find_files

from conftest import write_files


def test_order_and_hidden_files(tmp_path: Path) -> None:
    names = ["b.md", "a-b.md", "a/b.md", "a/.hidden.md", ".drafts/x.md", "a/c.txt", "z/y/x.md"]
    write_files(tmp_path, dict.fromkeys(names, "x"))
    (tmp_path / "dir.md").mkdir()
    found = [p.relative_to(tmp_path).as_posix() for p in find_files(tmp_path)]
    assert found == ["a/b.md", "a-b.md", "b.md", "z/y/x.md"]  # part by part, as Path sorts


def test_missing_folder_has_no_files(tmp_path: Path) -> None:
    assert find_files(tmp_path / "nowhere") == []
