#!/usr/bin/env python3
"""Print how big a built site's search index is, and how much of it one query loads.

    python3 benchmarks/gen_corpus.py /tmp/c10k 10000
    playbook build /tmp/c10k
    python3 benchmarks/search_index_size.py /tmp/c10k/site

A page loads nothing of the index until the search box is used. Then a query loads
``search/shards.js``, one ``terms-X.js`` per distinct first character of its words, and the
``docs-N.js`` chunks holding the results it shows (at most 20 results).
"""

from __future__ import annotations

import sys
from pathlib import Path


def kib(size: int) -> str:
    return f"{size:,} bytes ({size / 1024:,.0f} KiB)"


def main(site: Path) -> None:
    folder = site / "search"
    sizes = {path.name: path.stat().st_size for path in sorted(folder.glob("*.js"))}
    terms = {name: size for name, size in sizes.items() if name.startswith("terms-")}
    docs = {name: size for name, size in sizes.items() if name.startswith("docs-")}
    print(f"search index: {len(sizes)} files, {kib(sum(sizes.values()))} in total")
    print(f"  terms: {len(terms)} files, {kib(sum(terms.values()))}")
    print(f"  docs:  {len(docs)} files, {kib(sum(docs.values()))}")
    print(f"  shards.js: {kib(sizes['shards.js'])}")
    largest_terms = max(terms, key=terms.__getitem__)
    largest_docs = max(docs, key=docs.__getitem__)
    print(f"largest terms file: {largest_terms}, {kib(terms[largest_terms])}")
    print(f"largest docs file:  {largest_docs}, {kib(docs[largest_docs])}")
    one_word = sizes["shards.js"] + terms[largest_terms] + docs[largest_docs]
    print(f"a one-word query whose results sit in one chunk loads at most {kib(one_word)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
