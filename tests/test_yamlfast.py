"""The fast front-matter constructor gives PyYAML's values, or steps aside to PyYAML."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from playbook import sources
from playbook.sources import _HANDLER, _Loader, find_files, parse_front, parse_yaml
from playbook.yamlfast import construct_plain

from conftest import REPO


def _pyyaml(text: str) -> object:
    """What PyYAML's own constructor makes of ``text`` with our loader's resolvers."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _plain(text: str) -> tuple[bool, object]:
    loader = _Loader(text)
    try:
        return construct_plain(loader, loader.get_single_node())
    finally:
        loader.dispose()


CASES = [
    "a: 1\nb: [1, 2.5, -3, 0x1f, 0o17, 1_000, .inf, -.nan]\n",
    "yes: no\non: off\nTrue: ~\nnull: null\nempty:\n",
    "date: 2026-02-30\nwhen: 2026-11-15T10:00:00\nversion: 1.10\ncolon: 'a: b'\n",
    "nested:\n  - {name: A, role: [economic, coach]}\n"
    "  - name: B\n    notes: |\n      two\n      lines\n",
    "text: >\n  folded\n  text\nquoted: \"tab\\there\"\nsingle: 'it''s'\n",
    "1: int key\n2.5: float key\ntrue: bool key\n~: null key\n",
]

# Documents the fast path leaves to PyYAML: the value must still be PyYAML's.
GENERIC = [
    "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",
    "tagged: !!str 123\nset: !!set {a, b}\n",
    "when: !!timestamp 2026-11-15\n",
    "key: !!str\n  - a list\n",
]


@pytest.mark.parametrize("text", CASES)
def test_plain_documents_are_built_as_pyyaml_builds_them(text: str) -> None:
    plain, value = _plain(text)
    assert plain
    assert value == _pyyaml(text)
    assert repr(value) == repr(_pyyaml(text))  # same types: 1 and 1.0 and True differ here


def _outcome(text: str) -> object:
    """parse_yaml's value and map, or its error message and line."""
    try:
        return parse_yaml(text)
    except Exception as exc:
        return (type(exc).__name__, str(exc), getattr(exc, "line", None))


@pytest.mark.parametrize("text", GENERIC)
def test_other_documents_step_aside_and_parse_yaml_gives_pyyamls_outcome(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _plain(text)[0] is False
    fast = _outcome(text)
    monkeypatch.setattr(sources, "construct_plain", lambda loader, node: (False, None))
    assert fast == _outcome(text)  # the same as with PyYAML's constructor alone


def test_complex_key_is_pyyamls_error() -> None:
    assert _plain("? [complex, key]\n: value\n")[0] is False
    with pytest.raises(Exception) as caught:
        parse_yaml("? [complex, key]\n: value\n")
    assert "unhashable key" in str(caught.value)


def test_an_aliased_list_gives_equal_values() -> None:
    assert _plain("a: &x [1, 2]\nb: *x\n") == (True, {"a": [1, 2], "b": [1, 2]})


def test_repeated_key_is_still_reported_with_its_lines() -> None:
    text = "title: x\nbuyers:\n  - name: A\n    name: B\n"
    assert _plain(text)[0] is False
    with pytest.raises(Exception) as caught:
        parse_front(text, 2)
    assert str(caught.value) == "'name' appears twice (first on line 4); keep one of them"
    assert caught.value.line == 5  # type: ignore[attr-defined]


def test_unknown_tag_is_pyyamls_error(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _outcome("a: !custom 1\n")
    monkeypatch.setattr(sources, "construct_plain", lambda loader, node: (False, None))
    assert fast == _outcome("a: !custom 1\n")
    assert fast[0] == "_YAMLProblem"  # type: ignore[index]


def test_every_generated_deal_front_matter_matches_pyyaml(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "gen_corpus.py"), str(tmp_path), "200"],
        check=True,
        capture_output=True,
    )
    files = find_files(tmp_path / "content") + find_files(REPO / "content")
    assert len(files) > 200
    for path in files:
        parts = _HANDLER.split_located(path.read_text(encoding="utf-8"))
        assert parts is not None
        plain, value = _plain(parts[0])
        assert plain, path
        assert value == _pyyaml(parts[0]), path


def test_loader_resolves_scalars_as_pyyaml_does() -> None:
    text = "a: 12\nb: 1.5\nc: yes\nd: ~\ne: ''\nf: 2026-01-01\ng: 0b101\nh: -.5\n"
    stock = yaml.load(text, Loader=yaml.SafeLoader)
    ours = parse_yaml(text)[0]
    assert {k: v for k, v in ours.items() if k != "f"} == {
        k: v for k, v in stock.items() if k != "f"
    }
    assert ours["f"] == "2026-01-01"  # dates stay text on purpose (the schema checks them)
