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
from playbook.search import (
    FIELDS,
    SHARDS,
    SearchDoc,
    chunk_files,
    index_files,
    manifest_file,
    words,
)

from conftest import METHOD_PAGE, VALID_DEAL, run_playbook

_SCRIPT = re.compile(
    r'^window\.(\w+)=(?:window\.\1\|\|\{\};window\.\1\[("[^"]*")\]=)?(.*);\n$', re.S
)


def decode(
    files: dict[str, bytes],
) -> tuple[dict, list[list[str]], dict[str, list[tuple[int, str]]]]:
    """Read the index back as search.js does: manifest, documents, word → (doc, field) pairs,
    with each chunk's document ids made global."""
    data: dict[str, dict[str, object]] = {}
    for name, raw in files.items():
        match = _SCRIPT.match(raw.decode("utf-8"))
        assert match, name
        variable, key, payload = match.groups()
        data.setdefault(variable, {})[json.loads(key) if key else ""] = json.loads(payload)
    manifest = data["PLAYBOOK_SEARCH_SHARDS"][""]
    chunks = data["PLAYBOOK_SEARCH_DOCS"]
    docs = [doc for n in range(len(chunks)) for doc in chunks[str(n)]]
    postings: dict[str, list[int]] = {}
    for name, found in data.get("PLAYBOOK_SEARCH_TERMS", {}).items():
        shard, chunk = name.rsplit("-", 1)
        first = int(chunk) * manifest["chunk"]
        for word, deltas in found.items():
            assert search.shard_of(word) == shard
            assert all(delta > 0 for delta in deltas[1:])  # ascending, stored as differences
            posting = 0
            for delta in deltas:
                posting += delta
                assert posting // 8 < len(chunks[chunk])  # a place in its own chunk
                postings.setdefault(word, []).append(first * 8 + posting)
    terms = {
        word: [(p // 8, manifest["fields"][p % 8]) for p in sorted(found)]
        for word, found in postings.items()
    }
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
        "chunks": 1,
        "docs": 2,
        "fields": list(FIELDS),
        "shards": list(SHARDS),
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


def deal(i: int, title: str | None = None) -> SearchDoc:
    return SearchDoc(
        f"deals/d{i}/index.html", title or f"Deal {i}", "", (("title", title or f"Deal {i}"),)
    )


def test_documents_are_split_in_chunks_each_with_a_terms_file_for_every_shard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "CHUNK", 2)
    files = dict(index_files([deal(i) for i in range(5)]))
    assert sorted(files) == sorted(
        [
            "search/shards.js",
            *(f"search/docs-{n}.js" for n in range(3)),
            *(f"search/terms-{shard}-{n}.js" for shard in SHARDS for n in range(3)),
        ]
    )
    manifest, table, terms = decode(files)
    assert (manifest["chunk"], manifest["chunks"], manifest["docs"]) == (2, 3, 5)
    assert [doc[1] for doc in table] == [f"Deal {i}" for i in range(5)]
    assert terms["deal"] == [(i, "title") for i in range(5)]  # global ids, across the chunks
    assert terms["4"] == [(4, "title")]


def test_a_chunks_postings_count_its_documents_from_zero() -> None:
    files = dict(chunk_files(3, [deal(0, "Data platform")]))
    assert files["search/terms-d-3.js"] == (
        b"window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};"
        b'window.PLAYBOOK_SEARCH_TERMS["d-3"]={"data":[0]};\n'
    )
    assert files["search/docs-3.js"] == (
        b"window.PLAYBOOK_SEARCH_DOCS=window.PLAYBOOK_SEARCH_DOCS||{};"
        b'window.PLAYBOOK_SEARCH_DOCS["3"]=[["deals/d0/","Data platform",""]];\n'
    )


def test_a_shard_with_no_words_in_a_chunk_is_written_as_an_empty_file() -> None:
    files = chunk_files(0, [deal(0, "Data platform")])
    assert [name for name, _ in files] == [
        "search/docs-0.js",
        *(f"search/terms-{shard}-0.js" for shard in SHARDS),
    ]
    assert dict(files)["search/terms-x-0.js"] == (
        b"window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};"
        b'window.PLAYBOOK_SEARCH_TERMS["x-0"]={};\n'
    )
    empty = [name for name, data in files if data.endswith(b"]={};\n")]
    assert len(empty) == len(SHARDS) - 2  # all but "d" and "p"


@pytest.mark.parametrize("changed", range(5))
def test_a_chunks_files_depend_only_on_that_chunks_documents(
    monkeypatch: pytest.MonkeyPatch, changed: int
) -> None:
    monkeypatch.setattr(search, "CHUNK", 2)
    docs = [deal(i) for i in range(5)]
    before = dict(index_files(docs))
    docs[changed] = deal(changed, "Renamed zebra")
    after = dict(index_files(docs))
    assert before.keys() == after.keys()
    differ = sorted(name for name in before if before[name] != after[name])
    chunk = changed // 2
    # "Deal N" became "Renamed zebra": the words of d, N, r and z of its own chunk changed.
    assert differ == [
        f"search/docs-{chunk}.js",
        *sorted(f"search/terms-{shard}-{chunk}.js" for shard in ("d", str(changed), "r", "z")),
    ]


def test_the_whole_index_is_every_chunks_files_then_the_manifest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "CHUNK", 2)
    docs = [deal(i) for i in range(5)]
    assert list(index_files(iter(docs))) == [
        *chunk_files(0, docs[0:2]),
        *chunk_files(1, docs[2:4]),
        *chunk_files(2, docs[4:5]),
        manifest_file(5),
    ]
    assert list(index_files([])) == [manifest_file(0)]


@pytest.mark.parametrize(("count", "chunks"), [(0, 0), (1, 1), (500, 1), (501, 2), (10_008, 21)])
def test_the_manifest_depends_on_the_number_of_documents_only(count: int, chunks: int) -> None:
    name, data = manifest_file(count)
    assert name == "search/shards.js"
    match = _SCRIPT.match(data.decode("utf-8"))
    assert match is not None and match.group(1) == "PLAYBOOK_SEARCH_SHARDS"
    assert json.loads(match.group(3)) == {
        "chunk": 500,
        "chunks": chunks,
        "docs": count,
        "fields": list(FIELDS),
        "shards": list(SHARDS),
    }


def test_a_chunk_of_more_documents_than_chunk_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "CHUNK", 2)
    with pytest.raises(ValueError) as refused:
        chunk_files(0, [deal(i) for i in range(3)])
    assert str(refused.value) == "a chunk holds at most 2 documents, not 3"


@pytest.fixture
def built_index(make_playbook: Callable[..., Path]) -> tuple[dict, list[list[str]], dict]:
    method = METHOD_PAGE + "\nSee [the Acme deal](../deals/acme.md) for a **sponsor**.\n"
    root = make_playbook(
        {"content/deals/acme.md": VALID_DEAL, "content/method/buyer-roles.md": method}
    )
    result = run_playbook("build", root)
    assert result.returncode == 0, result.stderr
    folder = root / "site" / "search"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["shards.js", "docs-0.js", *(f"terms-{s}-0.js" for s in SHARDS)])
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
