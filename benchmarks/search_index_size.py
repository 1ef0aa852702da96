#!/usr/bin/env python3
"""Print how big a built site's search index is, and how much of it one query loads.

    python3 benchmarks/gen_corpus.py /tmp/c10k 10000
    playbook build /tmp/c10k
    python3 benchmarks/search_index_size.py /tmp/c10k/site

A page loads nothing of the index until the search box is used. Then a query loads
``search/shards.js``, the ``terms-X-N.js`` of every chunk N for each distinct first character X
of its words, and the ``docs-N.js`` chunks holding the results it shows (at most 20 results).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path


def kib(size: int) -> str:
    return f"{size:,} bytes ({size / 1024:,.0f} KiB)"


def main(site: Path) -> None:
    folder = site / "search"
    sizes = {path.name: path.stat().st_size for path in sorted(folder.glob("*.js"))}
    terms = {name: size for name, size in sizes.items() if name.startswith("terms-")}
    docs = {name: size for name, size in sizes.items() if name.startswith("docs-")}
    print(f"search index: {len(sizes)} files, {kib(sum(sizes.values()))} in total")
    empty = [name for name in terms if (folder / name).read_bytes().endswith(b"]={};\n")]
    print(f"  terms: {len(terms)} files ({len(empty)} empty), {kib(sum(terms.values()))}")
    print(f"  docs:  {len(docs)} files, {kib(sum(docs.values()))}")
    print(f"  shards.js: {kib(sizes['shards.js'])}")
    shards: Counter[str] = Counter()  # terms-X-N.js → X: what one word loads
    for name, size in terms.items():
        shards[name.removeprefix("terms-").rsplit("-", 1)[0]] += size
    largest_terms = max(terms, key=terms.__getitem__)
    largest_shard, shard_size = shards.most_common(1)[0]
    largest_docs = max(docs, key=docs.__getitem__)
    print(f"largest terms file: {largest_terms}, {kib(terms[largest_terms])}")
    print(f"largest shard, every chunk: terms-{largest_shard}-*.js, {kib(shard_size)}")
    print(f"largest docs file:  {largest_docs}, {kib(docs[largest_docs])}")
    one_word = sizes["shards.js"] + shard_size + docs[largest_docs]
    print(f"a one-word query whose results sit in one chunk loads at most {kib(one_word)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
