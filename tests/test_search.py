"""The search index that the build writes: what finds what, how it is split, and that it is small.

The script that reads it runs in a real browser in test_search_in_browser.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from playbook import search
from playbook.search import FIELDS, SearchDoc, index_files, words

from conftest import METHOD_PAGE, VALID_DEAL, run_playbook

_SCRIPT = re.compile(
    r'^window\.(\w+)=(?:window\.\1\|\|\{\};window\.\1\[("[^"]*")\]=)?(.*);\n$', re.S
)


def decode(
    files: dict[str, bytes],
) -> tuple[dict, list[list[str]], dict[str, list[tuple[int, str]]]]:
    """Read the index back as search.js does: manifest, documents, word → (doc, field) pairs."""
    data: dict[str, dict[str, object]] = {}
    for name, raw in files.items():
        match = _SCRIPT.match(raw.decode("utf-8"))
        assert match, name
        variable, key, payload = match.groups()
        data.setdefault(variable, {})[json.loads(key) if key else ""] = json.loads(payload)
    manifest = data["PLAYBOOK_SEARCH_SHARDS"][""]
    chunks = data["PLAYBOOK_SEARCH_DOCS"]
    docs = [doc for n in range(len(chunks)) for doc in chunks[str(n)]]
    terms: dict[str, list[tuple[int, str]]] = {}
    for shard, found in data.get("PLAYBOOK_SEARCH_TERMS", {}).items():
        for word, deltas in found.items():
            assert search.shard_of(word) == shard
            assert all(delta > 0 for delta in deltas[1:])  # ascending, stored as differences
            posting, pairs = 0, []
            for delta in deltas:
                posting += delta
                pairs.append((posting // 8, manifest["fields"][posting % 8]))
            terms[word] = pairs
    return manifest, docs, terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zoë Müller-Smit", ["zoe", "muller", "smit"]),
        ("Dr. Lena Halvorsen", ["dr", "lena", "halvorsen"]),
        ("250 seats by 31 March", ["250", "seats", "by", "31", "march"]),
        ("snake_case **bold**", ["snake", "case", "bold"]),
        ("Łódź", ["łodz"]),  # Ł has no decomposition: kept, lowercased
    ],
)
def test_words_are_lowercase_without_accents(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_postings_say_which_document_and_field_a_word_was_found_in() -> None:
    docs = [
        SearchDoc("deals/a/index.html", "Data platform", "A", (("title", "Data platform"),)),
        SearchDoc(
            "deals/b/index.html",
            "CRM",
            "B",
            (("buyer", "Marie Dubois CFO"), ("competitor", "Data Corp"), ("title", "CRM")),
        ),
    ]
    manifest, table, terms = decode(dict(index_files(docs)))
    assert manifest == {
        "chunk": search.CHUNK,
        "docs": 2,
        "fields": list(FIELDS),
        "shards": ["c", "d", "m", "p"],
    }
    assert table == [["deals/a/", "Data platform", "A"], ["deals/b/", "CRM", "B"]]
    assert terms == {
        "data": [(0, "title"), (1, "competitor")],
        "platform": [(0, "title")],
        "crm": [(1, "title")],
        "marie": [(1, "buyer")],
        "dubois": [(1, "buyer")],
        "cfo": [(1, "buyer")],
        "corp": [(1, "competitor")],
    }


def test_documents_are_split_in_chunks_so_a_query_loads_only_those_it_shows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "CHUNK", 2)
    docs = [SearchDoc(f"deals/d{i}/index.html", f"Deal {i}", "", ()) for i in range(5)]
    files = dict(index_files(docs))
    assert sorted(name for name in files if "docs-" in name) == [
        "search/docs-0.js",
        "search/docs-1.js",
        "search/docs-2.js",
    ]
    manifest, table, _ = decode(files)
    assert manifest["chunk"] == 2
    assert [doc[1] for doc in table] == [f"Deal {i}" for i in range(5)]


@pytest.fixture
def built_index(make_playbook: Callable[..., Path]) -> tuple[dict, list[list[str]], dict]:
    method = METHOD_PAGE + "\nSee [the Acme deal](../deals/acme.md) for a **sponsor**.\n"
    root = make_playbook(
        {"content/deals/acme.md": VALID_DEAL, "content/method/buyer-roles.md": method}
    )
    result = run_playbook("build", root)
    assert result.returncode == 0, result.stderr
    folder = root / "site" / "search"
    return decode({p.name: p.read_bytes() for p in folder.iterdir()})


def test_the_build_indexes_deals_with_their_buyers_and_competitors(built_index: tuple) -> None:
    _, table, terms = built_index
    assert table == [
        ["deals/acme/", "Data platform renewal", "Acme Corp · develop · Jan Peeters"],
        ["method/buyer-roles/", "Buyer roles", "Method"],
    ]
    assert terms["dubois"] == [(0, "buyer")]
    assert terms["cfo"] == [(0, "buyer")]  # a buyer's title
    assert terms["reseller"] == [(0, "competitor")]
    assert terms["peeters"] == [(0, "owner")]
    assert terms["renewal"] == [(0, "title"), (0, "tag")]
    assert terms["develop"] == [(0, "text")]  # the stage
    assert terms["seats"] == [(0, "text")]  # the objective


def test_the_build_indexes_every_word_of_a_method_page_but_no_link_target(
    built_index: tuple,
) -> None:
    _, _, terms = built_index
    assert terms["guides"] == [(1, "method")]
    assert terms["sponsor"] == [(1, "method")]
    assert terms["coach"] == [(1, "method")]
    assert terms["buyer"] == [(1, "title")]
    assert "md" not in terms  # from ../deals/acme.md: not a word of the text
    assert terms["acme"] == [(0, "customer"), (0, "text"), (1, "method")]
