"""The likelihood is learned from how the map's own ties formed: the map as it stood at an
earlier date against the pairs that tied after it; an undated map holds some of its ties
out instead."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pytest

from coalition.introductions.features import pair_features, structural
from coalition.introductions.index import build_index
from coalition.introductions.model import learning_maps
from coalition.introductions.recommend import model_weights, rank

from .test_introductions import org, tie, view_of

TODAY = date(2025, 6, 15)
LANGUAGES = ("Tagalog", "Somali", "Haitian Creole", "Vietnamese", "Arabic", "Mam")
REGIONS = ("eastport", "northgate", "riverside", "hill_district", "old_town", "harbor")


def _grown_map(recent: str, seed: int = 3) -> dict:
    """80 groups in two movements with random languages and regions; older ties at random
    (2018-2020), recent ones (2024) only between groups across movements that share a
    language (``recent="language"``) or a region (``recent="region"``)."""
    rng = np.random.default_rng(seed)
    orgs = [
        org(
            f"{'h' if i % 2 else 'm'}{i:02d}",
            ["housing" if i % 2 else "migrant"],
            languages=[str(rng.choice(LANGUAGES))],
            region=str(rng.choice(REGIONS)),
        )
        for i in range(80)
    ]
    ties, tied = [], set()
    while len(ties) < 90:
        a, b = (orgs[i] for i in rng.choice(80, 2, replace=False))
        if (a["id"], b["id"]) in tied or (b["id"], a["id"]) in tied:
            continue
        tied.add((a["id"], b["id"]))
        ties.append(tie(a["id"], b["id"], since=f"{rng.integers(2018, 2021)}-0{rng.integers(1, 10)}-01"))
    alike = {
        "language": lambda a, b: a["languages"] == b["languages"] and a["region"] != b["region"],
        "region": lambda a, b: a["region"] == b["region"] and a["languages"] != b["languages"],
    }[recent]
    across = [
        (a, b)
        for a, b in itertools.combinations(orgs, 2)
        if a["movements"] != b["movements"] and alike(a, b) and (a["id"], b["id"]) not in tied
    ]
    for k in rng.choice(len(across), 45, replace=False):
        a, b = across[k]
        ties.append(tie(a["id"], b["id"], since="2024-03-01"))
    return view_of(orgs, ties)


def test_the_map_as_of_a_date_holds_the_ties_started_by_then_and_not_ended() -> None:
    orgs = [org(x, ["housing" if x < "c" else "migrant"]) for x in "abcde"]
    ties = [
        tie("a", "c", since="2019-01-01"),
        tie("a", "d", since="2019-05-01", until="2020-06-30"),
        tie("b", "d", since="2022-02-01"),
        tie("b", "e"),  # undated: as old as the map
        tie("a", "c", since="2021-01-01", strength=5),  # a second, stronger tie of a pair
    ]
    ix = build_index(view_of(orgs, ties), today=TODAY)
    then = ix.as_of(date(2021, 6, 30).toordinal())
    current = {(ix.ids[u], ix.ids[v], int(s)) for (u, v), s in zip(then.edges.tolist(), then.strength, strict=True)}
    assert current == {("a", "c", 5), ("b", "e", 3)}
    ever = {(ix.ids[int(k // ix.n)], ix.ids[int(k % ix.n)]) for k in then.tied_keys}
    assert ever == {("a", "c"), ("a", "d"), ("b", "e")}
    assert then.degree.tolist() == [1, 1, 1, 0, 1]


def test_what_the_recent_ties_have_in_common_moves_the_model() -> None:
    by_language = model_weights(_grown_map("language"), today=TODAY)
    by_region = model_weights(_grown_map("region"), today=TODAY)
    assert by_language["across.source"] == by_region["across.source"] == "history"
    assert by_language["across.shared_languages"] > by_region["across.shared_languages"]
    assert by_region["across.same_region"] > by_language["across.same_region"]


def test_the_maps_own_history_moves_the_ranking() -> None:
    """The same candidates, ranked on two maps whose recent ties grew differently: pairs
    sharing a language come first on the map where recent ties joined such pairs."""
    shares: dict[str, float] = {}
    for recent in ("language", "region"):
        ranking = rank(_grown_map(recent), today=TODAY)
        ix, pool = ranking.index, ranking.candidates
        top = np.argsort(-ranking.likelihood)[:20]
        same_language = [ix.orgs[pool.u[c]]["languages"] == ix.orgs[pool.v[c]]["languages"] for c in top]
        shares[recent] = float(np.mean(same_language))
    assert shares["language"] > shares["region"] + 0.3, shares


def test_an_undated_map_learns_from_ties_held_out_of_it() -> None:
    view = _grown_map("language")
    for t in view["ties"]:
        t.pop("since", None)
    weights = model_weights(view, today=TODAY)
    assert weights["across.source"] == "holdout" and weights["across.positives"] >= 5


def test_the_likelihood_is_a_chance_on_the_scale_of_the_ties_that_formed() -> None:
    """Calibrated on the lesson: over the map's pairs across movements the mean likelihood
    is the share that tied in the stretch learned from, within a factor of two."""
    view = _grown_map("language")
    ranking = rank(view, today=TODAY)
    model = ranking.model
    ix = ranking.index
    rng = np.random.default_rng(0)
    u, v = rng.integers(0, ix.n, 4000), rng.integers(0, ix.n, 4000)
    keep = (u != v) & (ix.mset[u] != ix.mset[v])
    u, v = np.minimum(u, v)[keep], np.maximum(u, v)[keep]
    chance = model.across.predict(pair_features(ix, u, v, *structural(ix, u, v)))
    assert 0.5 < chance.mean() / model.across.rate < 2.0, (chance.mean(), model.across.rate)


def test_both_kinds_of_pairs_learn_from_the_same_lesson() -> None:
    """Dated ties (2024) join only groups across movements, 355 older ones are undated: the
    pairs within one movement have nothing to learn from in the map's history and take the
    prior on that history's base rate, not a lesson of held-out ties, whose chances answer
    another, easier question (has this pair a tie now?) and came out higher than those of
    the pairs across movements."""
    view = _grown_map("language")
    recent = [t for t in view["ties"] if t["since"].startswith("2024")]
    for t in view["ties"]:
        t.pop("since")
    for month, t in enumerate(recent):
        t["since"] = f"2024-{month % 9 + 1:02d}-01"
    rng = np.random.default_rng(9)
    ids = [o["id"] for o in view["organizations"]]
    tied = {frozenset((t["source"], t["target"])) for t in view["ties"]}
    while len(view["ties"]) < 400:
        pair = frozenset(rng.choice(ids, 2, replace=False).tolist())
        if pair not in tied:
            tied.add(pair)
            view["ties"].append(tie(*sorted(pair)))
    weights = model_weights(view, today=TODAY)
    assert (weights["across.source"], weights["within.source"]) == ("history", "prior")
    assert weights["within.rate"] < weights["across.rate"]


def test_the_map_as_of_a_date_knows_only_the_dates_of_then() -> None:
    """Recent activity on an earlier map is measured at its own date, from the ties begun
    by then: a tie begun later, or an end that came later, is not known there."""
    orgs = [org(x, ["housing" if x < "c" else "migrant"]) for x in "abcd"]
    ties = [
        tie("a", "c", since="2020-06-30"),
        tie("b", "c", since="2016-06-30", until="2023-01-01"),
        tie("b", "d", since="2024-06-30"),
    ]
    ix = build_index(view_of(orgs, ties), today=TODAY)
    then = ix.as_of(date(2021, 6, 30).toordinal())
    assert then.today == date(2021, 6, 30)
    assert then.recency[0] == pytest.approx(1 / 2, abs=0.01)  # a: one year before
    assert then.recency[1] == pytest.approx(1 / 6, abs=0.01)  # b: its 2024 tie not known yet
    assert then.recency[3] == 0.0  # d: no tie yet
    assert int(then.history[:, 4].min()) > date(2023, 1, 1).toordinal()  # b-c's end is not known then
    assert ix.recency[1] == pytest.approx(1 / (1 + 350 / 365.25), abs=0.01)  # b, today: the 2024 tie


def test_a_held_out_tie_leaves_no_date_behind() -> None:
    """The lesson of held-out ties must not see when they began: an organization's recent
    activity there comes from the ties it kept."""
    view = _grown_map("language")
    ix = build_index(view, today=TODAY)
    holdout = list(learning_maps(ix, np.random.default_rng(0)))[-1]
    assert holdout.source == "holdout"
    held = set(ix.key(holdout.u, holdout.v).tolist())
    h = holdout.before.history
    assert len(h) and not held & set(ix.key(h[:, 0], h[:, 1]).tolist())


def test_recently_active_groups_move_the_model() -> None:
    """New ties (2024) join only groups whose latest earlier tie is recent (2023), on one
    map, and groups at random on the other: the model learns to look for active groups
    on the first."""
    weights = {}
    for who in ("active", "random"):
        rng = np.random.default_rng(4)
        orgs = [org(f"{'h' if i % 2 else 'm'}{i:02d}", ["housing" if i % 2 else "migrant"]) for i in range(80)]
        active = set(range(0, 80, 2)[:20]) | set(range(1, 80, 2)[:20])
        ties, tied = [], set()
        for i in range(80):
            j = (i + 2) % 80  # one older tie each, within the movement
            tied.add(frozenset((i, j)))
            ties.append(tie(orgs[i]["id"], orgs[j]["id"], since="2023-03-01" if i in active else "2012-03-01"))
        pool = [(i, j) for i in range(80) for j in range(i + 1, 80) if (i + j) % 2 and frozenset((i, j)) not in tied]
        if who == "active":
            pool = [(i, j) for i, j in pool if i in active and j in active]
        for k in rng.choice(len(pool), 40, replace=False):
            i, j = pool[k]
            ties.append(tie(orgs[i]["id"], orgs[j]["id"], since="2024-06-01"))
        weights[who] = model_weights(view_of(orgs, ties), today=TODAY)
    assert weights["active"]["across.source"] == "history"
    assert weights["active"]["across.recent_activity"] > max(0.5, weights["random"]["across.recent_activity"] + 0.5)
