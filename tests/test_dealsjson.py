"""deals.json joined from each deal's entry is byte for byte the one export.py dumps whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playbook.dealsjson import deals_json, entry_text
from playbook.export import deals_json as whole
from playbook.pipeline import load_project, make_site

from conftest import REPO


def test_sample_playbook_and_generated_corpus(tmp_path: Path) -> None:
    generator = REPO / "benchmarks" / "gen_corpus.py"
    subprocess.run([sys.executable, str(generator), str(tmp_path), "120"], check=True)
    for root in (REPO, tmp_path):
        site = make_site(load_project(root, drafts=True))
        assert len(site.deals) >= 8
        joined = deals_json(site, [entry_text(view).encode() for view in site.deals])
        assert joined == whole(site)


def test_no_deals(tmp_path: Path) -> None:
    (tmp_path / "content" / "deals").mkdir(parents=True)
    site = make_site(load_project(tmp_path))
    assert deals_json(site, []) == whole(site)
    assert b'"deals": [],' in whole(site)
