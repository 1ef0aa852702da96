"""The load stage: front-matter split from the body, every key path mapped to its line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from playbook.diagnostics import Diagnostic
from playbook.sources import SourceFile, field_name, find_files, load_source, parse_yaml

DEAL = """\
---
title: Renewal
close_date: 2027-03-31
buyers:
  - name: Marie Dubois
    role: economic
  - name: Tom Janssens
    role: [technical, coach]
indicators:
  - name: Rating
    values:
      - {date: 2026-10-01, value: -2}
      - date: 2026-11-01
        value: 0
---

## Where we stand

Text.
"""


def load(tmp_path: Path, content: str | bytes, name: str = "deal.md") -> SourceFile:
    path = tmp_path / "content" / "deals" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    problems: list[Diagnostic] = []
    source = load_source(path, tmp_path, problems)
    assert problems == []
    assert source is not None
    return source


def line_in_file(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("key_path", "line"),
    [
        (("title",), 2),
        (("close_date",), 3),
        (("buyers",), 4),
        (("buyers", 0), 5),
        (("buyers", 0, "name"), 5),
        (("buyers", 0, "role"), 6),
        (("buyers", 1), 7),
        (("buyers", 1, "role"), 8),
        (("buyers", 1, "role", 0), 8),
        (("buyers", 1, "role", 1), 8),
        (("indicators", 0, "values"), 11),
        (("indicators", 0, "values", 0, "date"), 12),
        (("indicators", 0, "values", 1), 13),
        (("indicators", 0, "values", 1, "value"), 14),
    ],
)
def test_maps_every_key_and_list_item_to_its_line(
    tmp_path: Path, key_path: tuple[str | int, ...], line: int
) -> None:
    assert load(tmp_path, DEAL).lines[key_path] == line


def test_line_of_falls_back_to_the_nearest_parent_then_the_opening_line(tmp_path: Path) -> None:
    source = load(tmp_path, DEAL)
    assert source.line_of(("buyers", 1, "influence")) == 7
    assert source.line_of(("buyers", 5, "name")) == 4
    assert source.line_of(("customer",)) == 1


def test_line_of_follows_the_nodes_to_the_lines_of_the_map(tmp_path: Path) -> None:
    lines = load(tmp_path, DEAL).lines
    source = load(tmp_path, DEAL)  # no map made: each line is found along its own path
    assert len(lines) == 21
    assert {path: source.line_of(path) for path in lines} == lines
    assert source.line_map is None


def test_parse_yaml_offsets_lines_by_the_first_line() -> None:
    data, lines = parse_yaml("a: 1\nb:\n  - x\n", first_line=10)
    assert data == {"a": 1, "b": ["x"]}
    assert lines == {("a",): 10, ("b",): 11, ("b", 0): 12}


def test_keeps_dates_as_text_so_the_schema_can_judge_them(tmp_path: Path) -> None:
    source = load(tmp_path, DEAL)
    assert source.data["close_date"] == "2027-03-31"
    assert source.data["indicators"][0]["values"][0] == {"date": "2026-10-01", "value": -2}


def test_body_line_points_at_the_body_in_the_file(tmp_path: Path) -> None:
    source = load(tmp_path, DEAL)
    assert source.body.strip() == "## Where we stand\n\nText."
    offset = source.body.split("\n").index("## Where we stand")
    assert source.body_line + offset == line_in_file(DEAL, "## Where we stand") == 17


def test_blank_lines_and_spaces_around_the_markers_keep_lines_right(tmp_path: Path) -> None:
    text = "---   \n\ntitle: Renewal\n---  \n\n\nText.\n"
    source = load(tmp_path, text)
    assert source.lines[("title",)] == 3
    assert source.body_line + source.body.split("\n").index("Text.") == 7


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: ("\ufeff" + text).encode("utf-8"), id="byte-order-mark"),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
        pytest.param(
            lambda text: ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"), id="both"
        ),
    ],
)
def test_reads_bom_and_crlf_files_like_plain_ones(
    tmp_path: Path, encode: Callable[[str], bytes]
) -> None:
    plain = load(tmp_path, DEAL, "plain.md")
    other = load(tmp_path, encode(DEAL), "other.md")
    assert other.data == plain.data
    assert other.lines == plain.lines
    assert other.body == plain.body
    assert other.body_line == plain.body_line
    assert "\r" not in other.body


def test_empty_front_matter_gives_empty_data(tmp_path: Path) -> None:
    source = load(tmp_path, "---\n---\nText.\n")
    assert source.data == {}
    assert source.body_line == 2


@pytest.mark.parametrize(
    ("key_path", "name"),
    [
        (("title",), "title"),
        (("buyers", 1, "role"), "buyers[1].role"),
        (("buyers", 1, "role", 0), "buyers[1].role[0]"),
        (("indicators", 0, "values", 2, "date"), "indicators[0].values[2].date"),
        (("stages", "won"), "stages.won"),
        ((), ""),
    ],
)
def test_field_name_reads_like_people_write_it(key_path: tuple[str | int, ...], name: str) -> None:
    assert field_name(key_path) == name


def test_find_files_is_sorted_recursive_and_skips_hidden(tmp_path: Path) -> None:
    folder = tmp_path / "deals"
    for name in ["b.md", "a.md", "east/c.md", ".hidden.md", ".drafts/d.md", "notes.txt"]:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("---\n---\n", encoding="utf-8")
    found = [p.relative_to(folder).as_posix() for p in find_files(folder)]
    assert found == ["a.md", "b.md", "east/c.md"]
    assert find_files(tmp_path / "missing") == []


def test_a_link_in_a_loop_is_listed_and_reported_not_followed(tmp_path: Path) -> None:
    deals = tmp_path / "content" / "deals"
    deals.mkdir(parents=True)
    (deals / "loop.md").symlink_to("loop.md")
    (deals / "up").symlink_to("..")  # a linked folder is not walked: no circles
    assert find_files(deals) == [deals / "loop.md"]
