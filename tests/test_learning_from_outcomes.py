"""The coalition's own outcomes are labels: declining a kind of pairing lowers similar
suggestions, and introductions that were made raise them."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from coalition.domain.privacy import read_view
from coalition.introductions.recommend import model_weights, rank
from graph.store import Store

TODAY = date(2025, 6, 15)


@pytest.fixture
def view(demo_store: Store) -> dict:
    return read_view(demo_store, "coalition")


def _likelihoods(view: dict) -> dict[tuple[str, str], float]:
    ranking = rank(view, today=TODAY)
    ix, pool = ranking.index, ranking.candidates
    return {(ix.ids[u], ix.ids[v]): float(p) for u, v, p in zip(pool.u, pool.v, ranking.likelihood, strict=True)}


def _with(view: dict, pairs: list[tuple[str, str]], status: str) -> dict:
    changed = copy.deepcopy(view)
    changed["introductions"] += [
        {"a": a, "b": b, "status": status, "status_date": "2025-06-01", "reasons": [], "note": "", "broker": None}
        for a, b in pairs
    ]
    return changed


def _housing_migrant(view: dict) -> list[tuple[str, str]]:
    movements = {o["id"]: set(o["movements"]) for o in view["organizations"]}
    before = _likelihoods(view)
    pairs = [
        p
        for p in before
        if {frozenset(movements[p[0]]), frozenset(movements[p[1]])} == {frozenset({"housing"}), frozenset({"migrant"})}
    ]
    return sorted(pairs, key=lambda p: -before[p])


def test_declining_a_kind_of_pairing_lowers_similar_suggestions(view: dict) -> None:
    pairs = _housing_migrant(view)
    declined, similar = pairs[:5], pairs[5:15]
    before = _likelihoods(view)
    after = _likelihoods(_with(view, declined, "declined"))
    kept = [p for p in similar if p in after]
    lowered = [p for p in kept if after[p] < before[p]]
    # which pairs move depends on the pairs drawn at random for the fit (7-10 of 10 over
    # seeds 0-5); the similar pairs' mean chance falls by 14-20% on every one of them
    assert len(lowered) >= 2 / 3 * len(kept), (before, after)
    assert sum(after[p] for p in kept) < 0.9 * sum(before[p] for p in kept)
    assert (
        model_weights(_with(view, declined, "declined"), today=TODAY)["across.negatives"]
        > model_weights(view, today=TODAY)["across.negatives"]
    )


def test_made_introductions_raise_similar_suggestions(view: dict) -> None:
    pairs = _housing_migrant(view)
    made, similar = pairs[-5:], pairs[:-5]
    before = _likelihoods(view)
    after = _likelihoods(_with(view, made, "made"))
    raised = [p for p in similar if p in after and after[p] > before[p]]
    assert len(raised) >= 0.6 * len([p for p in similar if p in after])
