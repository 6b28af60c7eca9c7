"""The gap-aware slate: each gap the gap analysis names gets its best feasible
introduction into the default top 20, labelled with the gap, or a reason why none."""

from __future__ import annotations

import json
from datetime import date

import pytest

from coalition.analysis.gaps import analyse_gaps
from coalition.domain.errors import CoalitionError
from coalition.domain.privacy import read_view
from coalition.introductions.index import build_index
from coalition.introductions.recommend import recommend
from coalition.introductions.slate import named_gaps
from graph.store import Store
from tests.planted import planted_map
from tests.test_introductions import TODAY, org, tie, view_of

DEMO_MISSING = [
    ["disability", "migrant"],
    ["disability", "queer_trans"],
    ["disability", "sex_work"],
    ["queer_trans", "sex_work"],
]


@pytest.fixture
def coalition_view(demo_store: Store) -> dict:
    return read_view(demo_store, "coalition")


def test_the_slate_names_the_same_movement_gaps_as_the_gap_analysis(coalition_view: dict) -> None:
    report = analyse_gaps(coalition_view, today=TODAY)
    gaps = named_gaps(build_index(coalition_view, today=TODAY))
    assert [list(g.movements) for g in gaps if g.kind == "missing"] == report["missing_movement_pairs"]
    assert [list(g.movements) for g in gaps if g.kind == "weak"] == report["weak_movement_pairs"]
    assert report["missing_movement_pairs"] == DEMO_MISSING


@pytest.mark.parametrize("seed", [1, 2])
def test_the_slate_agrees_with_the_gap_analysis_on_generated_maps(seed: int) -> None:
    view, _ = planted_map(600, ties_per_org=3.0, seed=seed)
    report = analyse_gaps(view, today=TODAY)
    gaps = named_gaps(build_index(view, today=TODAY))
    assert [list(g.movements) for g in gaps if g.kind == "missing"] == report["missing_movement_pairs"]
    assert [list(g.movements) for g in gaps if g.kind == "weak"] == report["weak_movement_pairs"]


def test_each_missing_demo_pair_has_a_labelled_suggestion_in_the_default_top_20(coalition_view: dict) -> None:
    unmet: list[dict] = []
    rows = recommend(coalition_view, today=TODAY, unmet=unmet)
    closed = [sorted(r["gap"]["movements"]) for r in rows if r["gap"] and r["gap"]["kind"] == "missing"]
    for pair in DEMO_MISSING:
        assert pair in closed or any(u["gap"]["movements"] == pair for u in unmet), pair
    assert sorted(closed) == DEMO_MISSING  # all four are feasible on the demo
    first = next(r for r in rows if r["gap"] and r["gap"]["movements"] == ["disability", "sex_work"])
    assert "closes the gap between Disability rights and Sex worker rights" in " ".join(first["reasons"])


def test_the_isolated_community_led_group_gets_a_first_partner(coalition_view: dict) -> None:
    rows = recommend(coalition_view, today=TODAY)
    night_shift = [r for r in rows if "night_shift_collective" in (r["a"], r["b"])]
    assert night_shift, "Night Shift Collective has no ties and should be introduced"
    assert any(r["gap"] and r["gap"]["kind"] in ("isolated", "missing") for r in night_shift)


def test_a_gap_nobody_can_close_says_why() -> None:
    orgs = [
        org("a", ["housing"], issues=["x"]),
        org("b", ["migrant"], issues=["x"], consent_to_introductions=False),
        org("c", ["housing"], issues=["x"]),
    ]
    unmet: list[dict] = []
    rows = recommend(view_of(orgs, [tie("a", "c")]), today=TODAY, unmet=unmet)
    assert rows == []
    [missed] = [u for u in unmet if u["gap"]["movements"] == ["housing", "migrant"]]
    assert missed["why"] == "no group in Migrant takes introductions (consent is off)"


def test_the_slate_respects_capacity_and_conflicts() -> None:
    orgs = [
        org("a", ["housing"], community_led=True, intro_capacity_per_month=1),
        org("b", ["migrant"], community_led=True),
        org("c", ["disability"], community_led=True),
        org("d", ["housing"]),
    ]
    rows = recommend(view_of(orgs, [tie("a", "d"), tie("b", "c", kind="conflict")]), today=TODAY)
    assert sum("a" in (r["a"], r["b"]) for r in rows) <= 1
    assert ("b", "c") not in {(r["a"], r["b"]) for r in rows}
    assert json.dumps(rows)  # plain data


def test_a_pair_found_only_for_a_gap_is_not_ranked_again_below_the_slate(coalition_view: dict) -> None:
    rows = recommend(coalition_view, top=200, today=TODAY)
    pairs = [(r["a"], r["b"]) for r in rows]
    assert len(pairs) == len(set(pairs))


def test_the_today_argument_is_honoured() -> None:
    orgs = [org("a", ["housing"]), org("b", ["migrant"])]
    assert recommend(view_of(orgs), today=date(2030, 1, 1))


def test_boldness_moves_between_the_chance_it_works_and_what_it_bridges(coalition_view: dict) -> None:
    def ranked(boldness: float) -> list[dict]:
        return [r for r in recommend(coalition_view, top=40, today=TODAY, boldness=boldness) if not r["gap"]]

    careful, bold = ranked(0.0), ranked(1.0)
    assert sum(r["likelihood"] for r in careful[:10]) > sum(r["likelihood"] for r in bold[:10])
    assert sum(r["bridges"]["value"] for r in bold[:10]) > sum(r["bridges"]["value"] for r in careful[:10])
    with pytest.raises(CoalitionError, match="boldness goes from 0 to 1"):
        recommend(coalition_view, today=TODAY, boldness=1.5)
