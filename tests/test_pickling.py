"""Per-deal results survive the trip to another process and into the cache unchanged."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

from playbook.builder import Builder
from playbook.render import DEAL_BRIEF, FIG_BRIEF
from playbook.workers import DealResult, Unit, UnitContext

from conftest import REPO


def _results(tmp_path: Path) -> list[DealResult]:
    builder = Builder(REPO, tmp_path / "out", jobs=1, use_cache=False)
    inputs = builder._inputs()
    ctx = UnitContext(
        REPO, inputs.settings, inputs.as_of, inputs.methods, inputs.pages, True, tmp_path
    )
    unit = Unit(ctx)
    return [unit.run(rel) for rel in inputs.rels]


def test_results_come_back_equal_with_the_same_fields_set(tmp_path: Path) -> None:
    results = _results(tmp_path)
    assert len(results) >= 8 and all(r.view is not None for r in results)
    for result in results:
        back = pickle.loads(pickle.dumps(result, pickle.HIGHEST_PROTOCOL))
        # All but the entry of deals.json, which the cache keeps apart (BuildCache.put).
        assert result.entry is not None and back.entry is None
        assert back == dataclasses.replace(result, entry=None)
        deal, original = back.view.deal, result.view.deal
        assert deal.model_fields_set == original.model_fields_set
        assert deal.model_dump(exclude_unset=True) == original.model_dump(exclude_unset=True)
        for buyer, before in zip(deal.buyers, original.buyers, strict=True):
            assert buyer.model_fields_set == before.model_fields_set
        assert back.view.doc == result.view.doc and back.flags == result.flags


def test_records_with_the_same_fields_set_share_it_and_stay_frozen(tmp_path: Path) -> None:
    results = [pickle.loads(pickle.dumps(r)) for r in _results(tmp_path)]
    buyers = [b for r in results for b in r.view.deal.buyers]
    by_fields: dict[frozenset[str], set[int]] = {}
    for buyer in buyers:
        by_fields.setdefault(frozenset(buyer.model_fields_set), set()).add(
            id(buyer.__pydantic_fields_set__)
        )
    assert all(len(ids) == 1 for ids in by_fields.values())
    try:
        buyers[0].name = "changed"  # type: ignore[misc]
    except Exception as exc:
        assert "frozen" in str(exc)
    else:
        raise AssertionError("a record from the cache could be changed")


def test_a_view_from_a_pickle_reads_its_document_only_when_asked(tmp_path: Path) -> None:
    result = _results(tmp_path)[0]
    assert result.view is not None and result.view.loaded
    back = pickle.loads(pickle.dumps(result.view, pickle.HIGHEST_PROTOCOL))
    assert not back.loaded
    grouped_by = (back.url, back.path, back.owner, back.tags, back.stage, back.slug)
    deal = result.view.deal
    assert grouped_by == (
        result.view.url,
        f"content/deals/{result.view.slug}.md",
        deal.owner,
        tuple(deal.tags),
        deal.stage,
        result.view.slug,
    )
    assert not back.loaded  # none of that needed the document
    # What list pages show comes from the brief, still without the document.
    shown = [(name, getattr(back.deal, name)) for name in DEAL_BRIEF]
    assert shown == [(name, getattr(deal, name)) for name in DEAL_BRIEF]
    figures = result.view.fig
    assert [getattr(back.fig, name) for name in FIG_BRIEF] == [
        getattr(figures, name) for name in FIG_BRIEF
    ]
    assert not back.loaded
    # Anything else is read from the whole document, which the view then keeps.
    assert back.deal.buyers == deal.buyers and back.loaded
    assert back.deal == deal and back.fig == figures
    assert back == result.view
    again = pickle.loads(pickle.dumps(back, pickle.HIGHEST_PROTOCOL))  # pickled once loaded
    assert again == result.view


def test_a_brief_reads_a_field_it_lacks_from_the_whole_figures(tmp_path: Path) -> None:
    result = _results(tmp_path)[0]
    assert result.view is not None
    back = pickle.loads(pickle.dumps(result.view, pickle.HIGHEST_PROTOCOL))
    trends = back.fig.trends  # not in FIG_BRIEF
    assert back.loaded and trends == result.view.fig.trends
    assert back.fig is back._fig  # the whole figures from now on


def test_a_view_read_for_one_use_stays_bytes(tmp_path: Path) -> None:
    result = _results(tmp_path)[0]
    assert result.view is not None
    back = pickle.loads(pickle.dumps(result.view, pickle.HIGHEST_PROTOCOL))
    doc, fig = back.read()
    assert (doc, fig) == (result.view.doc, result.view.fig)
    assert not back.loaded
