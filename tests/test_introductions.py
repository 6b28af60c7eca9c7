"""Bridge-building introductions: candidates, limits, brokers, reasons, privacy."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coalition.domain.errors import CoalitionError
from coalition.domain.privacy import read_view
from coalition.introductions import recommend as intro
from coalition.introductions.candidates import find_candidates
from coalition.introductions.features import FEATURES, pair_features, structural
from coalition.introductions.index import build_index
from coalition.introductions.recommend import (
    introductions_document,
    introductions_for_store,
    model_weights,
    rank,
    recommend,
    stored_introductions,
)
from coalition.ui import state
from graph.sqlite.store import SQLiteStore
from graph.store import Store

TODAY = date(2025, 6, 15)
MOVEMENTS = [
    {"id": m, "name": m.replace("_", " ").title(), "color": "#777777"}
    for m in ("housing", "migrant", "disability", "sex_work", "queer_trans")
]


def org(id: str, movements: list[str], **extra: Any) -> dict[str, Any]:
    record = {
        "id": id, "name": id.replace("_", " ").title(), "movements": movements, "kind": "collective",
        "community_led": True, "region": "riverside", "languages": ["English"], "issues": [], "offers": [],
        "needs": [], "visibility": "coalition", "consent_to_introductions": True, "intro_capacity_per_month": 3,
    }  # fmt: skip
    record.update(extra)
    return record


def tie(source: str, target: str, strength: int = 3, kind: str = "coalition", **extra: Any) -> dict[str, Any]:
    return {"source": source, "target": target, "kind": kind, "strength": strength, "until": None,
            "visibility": "coalition", **extra}  # fmt: skip


def view_of(orgs: list[dict], ties: list[dict] = (), introductions: list[dict] = ()) -> dict[str, Any]:
    return {"movements": MOVEMENTS, "organizations": list(orgs), "ties": list(ties),
            "introductions": list(introductions), "audience": "coalition"}  # fmt: skip


def pairs(rows: list[dict]) -> list[tuple[str, str]]:
    return [(r["a"], r["b"]) for r in rows]


def bridge_map(**changes: dict[str, Any]) -> dict[str, Any]:
    """A housing group and a migrant group that should meet, and the ally who knows both."""
    orgs = {
        "casa": org("casa", ["housing"], languages=["English", "Spanish"], issues=["police_violence"],
                    needs=["legal_advice"]),
        "lucha": org("lucha", ["migrant"], languages=["Spanish"], issues=["police_violence"],
                     offers=["legal_advice"]),
        "fund": org("fund", ["housing", "migrant"], kind="funder", community_led=False),
    }  # fmt: skip
    for org_id, change in changes.items():
        orgs[org_id].update(change)
    return view_of(orgs.values(), [tie("casa", "fund", 4), tie("lucha", "fund", 5)])


@pytest.fixture(scope="module")
def demo_view() -> dict[str, Any]:
    from coalition.maps.services import init_map
    from coalition.maps.transfer import load_demo

    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "demo.db")
        init_map(store)
        load_demo(store)
        views = {audience: read_view(store, audience) for audience in ("public", "coalition", "private")}
        store.close()
    return views


# what it proposes ------------------------------------------------------------------
def test_a_pair_with_a_mutual_partner_is_proposed_with_broker_and_reasons() -> None:
    [row] = recommend(bridge_map(), today=TODAY)
    assert (row["a"], row["b"], row["broker"], row["status"]) == ("casa", "lucha", "fund", "suggested")
    assert row["movements"] == ["housing", "migrant"]
    assert row["reasons"][0] == "Fund knows both"
    assert "Casa needs legal advice, Lucha offers it" in row["reasons"]
    assert "both work on police violence in Riverside" in row["reasons"]
    assert "both speak Spanish" in row["reasons"]
    assert "links Housing and Migrant, which have 2 ties between them" in row["reasons"]  # via the fund
    assert row["score"] > 0 and row["cold_path"] == []


def test_demo_proposes_the_planted_warm_bridge(demo_view: dict) -> None:
    rows = recommend(demo_view["coalition"], top=20, today=TODAY)
    by_pair = {(r["a"], r["b"]): r for r in rows}
    bridge = by_pair[("eastport_migrant_workers_center", "riverside_tenants_union")]
    assert bridge["broker"] == "commons_solidarity_fund"
    assert "Commons Solidarity Fund knows both" in bridge["reasons"]


def test_demo_gives_the_isolated_community_led_group_a_partner(demo_view: dict) -> None:
    rows = recommend(demo_view["coalition"], top=10, today=TODAY)
    mine = [r for r in rows if "night_shift_collective" in (r["a"], r["b"])]
    assert mine, "night_shift_collective has no ties and should get a partner"
    assert any("Night Shift Collective, a community-led group with no ties yet" in x for x in mine[0]["reasons"])
    assert all(all(r["community_led"]) for r in mine)


def test_demo_proposes_a_community_led_partner_for_a_group_tied_only_to_allies(demo_view: dict) -> None:
    rows = recommend(demo_view["coalition"], top=20, today=TODAY)
    mine = [r for r in rows if "cielo_abierto_collective" in (r["a"], r["b"])]
    assert mine and all(all(r["community_led"]) for r in mine)


def test_demo_bridges_mostly_join_different_movements(demo_view: dict) -> None:
    rows = recommend(demo_view["coalition"], top=20, today=TODAY)
    across = [r for r in rows if r["movements"][0] != r["movements"][1]]
    assert len(across) >= 15


def test_the_same_view_gives_the_same_list(demo_view: dict) -> None:
    assert recommend(demo_view["coalition"], top=30, today=TODAY) == recommend(
        demo_view["coalition"], top=30, today=TODAY
    )


def test_an_empty_map_or_a_lone_group_has_no_suggestions() -> None:
    assert recommend({"movements": [], "organizations": [], "ties": [], "introductions": []}) == []
    assert recommend(view_of([org("a", ["housing"])]), today=TODAY) == []


def test_a_map_without_ties_still_suggests_from_shared_traits() -> None:
    orgs = [
        org("a", ["housing"], issues=["x"]),
        org("b", ["migrant"], issues=["x"]),
        org("c", ["migrant"], issues=["y"]),
    ]
    row, *gap_closers = recommend(view_of(orgs), today=TODAY)
    assert (row["a"], row["b"], row["broker"]) == ("a", "b", None)
    assert [(r["a"], r["b"], r["gap"]["kind"]) for r in gap_closers] == [("b", "c", "missing")]  # migrant among itself
    assert "both work on x in Riverside" in row["reasons"]
    assert model_weights(view_of(orgs), today=TODAY)["across.positives"] == 0


def test_pairs_of_one_movement_and_one_community_are_not_candidates() -> None:
    housing = [org(f"h{i}", ["housing"], issues=["rent_control"]) for i in range(1, 5)]
    ties = [tie("h1", "h2"), tie("h1", "h4"), tie("h2", "h3"), tie("h2", "h4"), tie("h3", "h4")]
    assert ("h1", "h3") not in pairs(recommend(view_of(housing, ties), today=TODAY))


def test_an_isolated_group_of_the_same_movement_is_a_candidate() -> None:
    housing = [org(f"h{i}", ["housing"], issues=["rent_control"]) for i in range(1, 4)]
    rows = recommend(view_of(housing, [tie("h1", "h2")]), today=TODAY)
    assert ("h1", "h3") in pairs(rows) and rows[0]["movements"] == ["housing", "housing"]


# the limits the groups set -------------------------------------------------------------
def test_consent_an_organization_that_opted_out_is_never_suggested(demo_view: dict) -> None:
    assert recommend(bridge_map(lucha={"consent_to_introductions": False}), today=TODAY) == []
    rows = recommend(demo_view["private"], top=200, today=TODAY)
    named = {end for row in rows for end in (row["a"], row["b"])}
    assert not named & {"kitchen_table_mutual_aid", "hill_district_queer_elders_circle"}


def test_conflict_no_introduction_across_a_conflict_tie(demo_view: dict) -> None:
    view = bridge_map()
    view["ties"].append(tie("casa", "lucha", 1, kind="conflict"))
    assert recommend(view, today=TODAY) == []
    rows = recommend(demo_view["private"], top=200, today=TODAY)
    assert ("commons_solidarity_fund", "lantern_sex_workers_alliance") not in pairs(rows)


def test_capacity_an_organization_is_never_listed_more_often_than_it_accepts() -> None:
    hub = org("hub", ["housing"], issues=["police_violence"], intro_capacity_per_month=2)
    partners = [org(f"m{i}", ["migrant"], issues=["police_violence"]) for i in range(6)]
    rows = recommend(view_of([hub, *partners]), top=50, today=TODAY)
    assert sum("hub" in (r["a"], r["b"]) for r in rows) == 2


def test_capacity_holds_across_the_whole_demo_list(demo_view: dict) -> None:
    rows = recommend(demo_view["private"], top=500, today=TODAY)
    capacity = {o["id"]: o["intro_capacity_per_month"] for o in demo_view["private"]["organizations"]}
    counts: dict[str, int] = {}
    for row in rows:
        for end in (row["a"], row["b"]):
            counts[end] = counts.get(end, 0) + 1
    assert all(counts[o] <= capacity[o] for o in counts)


def test_capacity_counts_introductions_planned_or_made_this_month() -> None:
    hub = org("hub", ["housing"], issues=["police_violence"], intro_capacity_per_month=2)
    partners = [org(f"m{i}", ["migrant"], issues=["police_violence"]) for i in range(6)]
    other = org("other", ["disability"])
    this_month = [{"a": "hub", "b": "other", "status": "planned", "status_date": "2025-06-02", "reasons": []}]
    rows = recommend(view_of([hub, *partners, other], introductions=this_month), top=50, today=TODAY)
    assert sum("hub" in (r["a"], r["b"]) for r in rows) == 1
    made = [{**this_month[0], "status": "made"}, {"a": "hub", "b": "m5", "status": "made", "status_date": "2025-06-09"}]
    rows = recommend(view_of([hub, *partners, other], introductions=made), top=50, today=TODAY)
    assert all("hub" not in (r["a"], r["b"]) for r in rows)
    last_month = [{**this_month[0], "status_date": "2025-05-30"}]
    rows = recommend(view_of([hub, *partners, other], introductions=last_month), top=50, today=TODAY)
    assert sum("hub" in (r["a"], r["b"]) for r in rows) == 2


def test_capacity_zero_means_never_suggested() -> None:
    assert recommend(bridge_map(casa={"intro_capacity_per_month": 0}), today=TODAY) == []


def test_capacity_can_be_counted_over_the_whole_store() -> None:
    assert recommend(bridge_map(), today=TODAY, used_capacity={"casa": 3}) == []


def test_declined_a_declined_pair_is_never_suggested_again() -> None:
    declined = [{"a": "casa", "b": "lucha", "status": "declined", "status_date": "2021-01-01", "reasons": []}]
    assert recommend(bridge_map() | {"introductions": declined}, today=TODAY) == []


@pytest.mark.parametrize("status", ["planned", "made", "on_hold"])
def test_a_settled_pair_is_not_suggested_again_as_new(status: str) -> None:
    settled = [{"a": "casa", "b": "lucha", "status": status, "status_date": "2020-01-01", "reasons": []}]
    assert recommend(bridge_map() | {"introductions": settled}, today=TODAY) == []


def test_a_stored_suggestion_is_suggested_again() -> None:
    stored = [{"a": "casa", "b": "lucha", "status": "suggested", "status_date": None, "reasons": []}]
    assert pairs(recommend(bridge_map() | {"introductions": stored}, today=TODAY)) == [("casa", "lucha")]


def test_a_status_lists_the_stored_introductions_of_that_status() -> None:
    stored = [
        {"a": "casa", "b": "lucha", "status": "planned", "status_date": "2025-06-01", "reasons": ["x"],
         "broker": "fund", "score": 0.5, "note": "call"},
        {"a": "fund", "b": "lucha", "status": "declined", "status_date": "2025-05-01", "reasons": []},
    ]  # fmt: skip
    [row] = recommend(bridge_map() | {"introductions": stored}, today=TODAY, status="planned")
    assert (row["a"], row["b"], row["status"], row["broker"], row["note"]) == (
        "casa",
        "lucha",
        "planned",
        "fund",
        "call",
    )
    assert row["movements"] == ["housing", "migrant"]
    assert pairs(stored_introductions(bridge_map() | {"introductions": stored}, "declined")) == [("fund", "lucha")]
    with pytest.raises(CoalitionError, match="unknown status"):
        recommend(bridge_map(), status="maybe")


# community-led first --------------------------------------------------------------------
def voice_map(**changes: dict[str, Any]) -> dict[str, Any]:
    """``y`` (housing, community-led) could meet ``ally`` (migrant, not community-led),
    which shares three partners with it, or ``cl`` (migrant, community-led), which only
    shares an issue."""
    orgs = {
        "y": org("y", ["housing"], issues=["wage_theft"], languages=["English", "Spanish"]),
        "ally": org("ally", ["migrant"], kind="ally", community_led=False, issues=["wage_theft"],
                    languages=["Spanish"]),
        "cl": org("cl", ["migrant"], issues=["wage_theft"]),
        "clinic": org("clinic", ["migrant"], kind="health", community_led=False, region="far"),
        **{f"p{i}": org(f"p{i}", ["housing"], kind="ngo", community_led=False, region=f"d{i}") for i in range(3)},
    }  # fmt: skip
    for org_id, change in changes.items():
        orgs[org_id].update(change)
    ties = [tie(end, f"p{i}", 4) for i in range(3) for end in ("y", "ally")]
    ties += [tie("cl", "clinic", 2), tie("clinic", "p0", 2)]
    return view_of(orgs.values(), ties)


def raw_scores(view: dict[str, Any]) -> dict[tuple[str, str], float]:
    ranking = rank(view, today=TODAY)
    ix, pool = ranking.index, ranking.candidates
    return {(ix.ids[int(u)], ix.ids[int(v)]): s for u, v, s in zip(pool.u, pool.v, ranking.score, strict=True)}


def test_voice_rule_the_ally_would_score_higher_without_the_rule() -> None:
    score = raw_scores(voice_map())
    assert score[("ally", "y")] > score[("cl", "y")]


def test_voice_rule_a_community_led_group_of_the_movement_comes_before_an_ally() -> None:
    rows = recommend(voice_map(), top=10, today=TODAY)
    order = pairs(rows)
    assert order.index(("cl", "y")) < order.index(("ally", "y"))
    ally, cl = rows[order.index(("ally", "y"))], rows[order.index(("cl", "y"))]
    assert ally["score"] < cl["score"] < raw_scores(voice_map())[("ally", "y")]
    assert pairs(recommend(voice_map(), top=1, today=TODAY)) == [("cl", "y")]


def test_voice_rule_the_ally_is_fine_when_no_community_led_group_is_a_candidate() -> None:
    rows = recommend(voice_map(cl={"consent_to_introductions": False}), top=1, today=TODAY)
    assert pairs(rows) == [("ally", "y")]


def test_voice_rule_the_ally_is_fine_when_the_movement_already_speaks_for_itself() -> None:
    view = voice_map()
    view["organizations"].append(org("friend", ["migrant"], region="old_town"))
    view["ties"].append(tie("y", "friend", 2))
    rows = {(r["a"], r["b"]): r for r in recommend(view, top=10, today=TODAY)}
    assert rows[("ally", "y")]["score"] == pytest.approx(raw_scores(view)[("ally", "y")], rel=1e-5)


# brokers and paths ----------------------------------------------------------------------
def test_the_broker_is_the_consenting_partner_with_the_strongest_ties_to_both() -> None:
    orgs = [
        org("a", ["housing"], issues=["x"]), org("b", ["migrant"], issues=["x"]),
        org("w1", ["disability"]), org("w2", ["disability"]), org("w3", ["disability"], consent_to_introductions=False),
        org("w4", ["disability"]),
    ]  # fmt: skip
    ties = [
        tie("a", "w1", 5), tie("b", "w1", 4), tie("a", "w2", 3), tie("b", "w2", 3), tie("a", "w3", 5),
        tie("b", "w3", 5), tie("a", "w4", 5), tie("b", "w4", 5), tie("a", "w4", 1, kind="conflict"),
    ]  # fmt: skip
    rows = {(r["a"], r["b"]): r for r in recommend(view_of(orgs, ties), top=20, today=TODAY)}
    assert rows[("a", "b")]["broker"] == "w1"


def test_every_demo_broker_is_tied_to_both_and_consents(demo_view: dict) -> None:
    view = demo_view["coalition"]
    current = {
        frozenset((t["source"], t["target"])) for t in view["ties"] if t["kind"] != "conflict" and not t["until"]
    }
    consent = {o["id"]: o["consent_to_introductions"] for o in view["organizations"]}
    rows = recommend(view, top=100, today=TODAY)
    warm = [r for r in rows if r["broker"]]
    assert len(warm) >= 10
    for row in warm:
        assert frozenset((row["broker"], row["a"])) in current and frozenset((row["broker"], row["b"])) in current
        assert consent[row["broker"]]
        assert row["broker"] not in (row["a"], row["b"])


def test_a_cold_introduction_names_the_shortest_path() -> None:
    orgs = [
        org("a", ["housing"], issues=["x"]), org("b", ["migrant"], issues=["x"]),
        org("m1", ["disability"], region="far"), org("m2", ["disability"], region="far"),
    ]  # fmt: skip
    rows = {
        (r["a"], r["b"]): r
        for r in recommend(view_of(orgs, [tie("a", "m1"), tie("m1", "m2"), tie("m2", "b")]), today=TODAY)
    }
    row = rows[("a", "b")]
    assert row["broker"] is None and row["cold_path"] == ["a", "m1", "m2", "b"]
    assert row["reasons"][0] == "cold introduction: no partner in common; the shortest path is A -> M1 -> M2 -> B"


def test_an_ended_tie_is_no_path_and_no_broker() -> None:
    view = bridge_map()
    for t in view["ties"]:
        t["until"] = "2020-01-01"
    [row] = recommend(view, today=TODAY)
    assert row["broker"] is None and row["cold_path"] == []
    assert row["reasons"][0] == "cold introduction: nothing links them in the map yet"


# privacy --------------------------------------------------------------------------------
def test_reasons_never_mention_what_the_audience_may_not_see(demo_view: dict) -> None:
    private_orgs = [o for o in demo_view["private"]["organizations"] if o["visibility"] == "private"]
    assert {o["id"] for o in private_orgs} == {"kitchen_table_mutual_aid", "quiet_hours_support_line"}
    text = json.dumps(recommend(demo_view["coalition"], top=200, today=TODAY)).lower()
    for o in private_orgs:
        assert o["id"] not in text and o["name"].lower() not in text
    hidden_from_public = [o for o in demo_view["private"]["organizations"] if o["visibility"] != "public"]
    text = json.dumps(recommend(demo_view["public"], top=200, today=TODAY)).lower()
    for o in hidden_from_public:
        assert o["id"] not in text and o["name"].lower() not in text


def test_tie_counts_in_reasons_count_only_visible_ties(demo_view: dict) -> None:
    rows = recommend(demo_view["public"], top=50, today=TODAY)
    public_ties = len([t for t in demo_view["public"]["ties"] if t["kind"] != "conflict"])
    for row in rows:
        for reason in row["reasons"]:
            if reason.startswith("links "):
                assert int(reason.split("which have ")[1].split(" ")[0].replace("no", "0")) <= public_ties


ORG_IDS = [f"g{i}q" for i in range(12)]


@st.composite
def maps(draw: st.DrawFn) -> tuple[list[dict], list[dict]]:
    orgs = []
    for i, org_id in enumerate(ORG_IDS):
        orgs.append(
            org(
                org_id, [draw(st.sampled_from(["housing", "migrant", "sex_work"]))], name=f"Group {i}q",
                visibility=draw(st.sampled_from(["public", "coalition", "private"])),
                community_led=draw(st.booleans()), region=draw(st.sampled_from(["north", "south"])),
                languages=draw(st.sampled_from([["English"], ["Spanish"], ["English", "Tagalog"]])),
                issues=draw(st.sampled_from([[], ["rent"], ["rent", "police"]])),
                needs=draw(st.sampled_from([[], ["funding"]])), offers=draw(st.sampled_from([[], ["funding"]])),
                intro_capacity_per_month=draw(st.integers(0, 3)),
            )
        )  # fmt: skip
    edges = draw(st.sets(st.tuples(st.integers(0, 11), st.integers(0, 11)).filter(lambda e: e[0] < e[1]), max_size=25))
    levels = ("public", "coalition", "private")
    ties = []
    for u, v in sorted(edges):
        floor = max(levels.index(orgs[u]["visibility"]), levels.index(orgs[v]["visibility"]))
        ties.append(tie(ORG_IDS[u], ORG_IDS[v], draw(st.integers(1, 5)),
                        kind=draw(st.sampled_from(["coalition", "referral", "conflict"])),
                        visibility=levels[draw(st.integers(floor, 2))]))  # fmt: skip
    return orgs, ties


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(maps())
def test_generated_maps_never_leak_hidden_organizations(generated: tuple[list[dict], list[dict]]) -> None:
    orgs, ties = generated
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "map.db")
        try:
            store.init(MOVEMENTS)
            extra = {"access": "", "contact": "", "contact_visibility": "private", "notes": ""}
            store.write_map(organizations=[{**o, **extra} for o in orgs], ties=ties)
            for audience in ("public", "coalition"):
                text = json.dumps(introductions_for_store(store, audience, top=50, today=TODAY)).lower()
                for o in orgs:
                    if o["visibility"] == "private" or (audience == "public" and o["visibility"] == "coalition"):
                        assert o["id"] not in text and o["name"].lower() not in text
        finally:
            store.close()


# the store's use case, the model, the JSON ---------------------------------------------------
def test_introductions_for_store_computes_afresh_on_every_call(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = intro.recommend
    monkeypatch.setattr(intro, "recommend", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = introductions_for_store(demo_store, "coalition", top=5, today=TODAY)
    assert introductions_for_store(demo_store, "coalition", top=5, today=TODAY) == first and len(calls) == 2


def test_the_dashboard_caches_introductions_per_store_version(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = intro.recommend
    monkeypatch.setattr(intro, "recommend", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = state.introductions(demo_store, "coalition", top=5)
    assert state.introductions(demo_store, "coalition", top=5) == first and len(calls) == 1
    state.introductions(demo_store, "coalition", top=20)  # the gap slate takes its places within each length
    assert state.introductions(demo_store, "coalition", top=20) and len(calls) == 2
    first[0]["reasons"].append("changed by a caller")
    assert "changed by a caller" not in state.introductions(demo_store, "coalition", top=5)[0]["reasons"]
    demo_store.write_map(ties=[tie("night_shift_collective", "eastport_dancers_union", 3)])
    state.introductions(demo_store, "coalition", top=5)
    assert len(calls) == 3


def test_model_weights_are_printable_numbers(demo_view: dict) -> None:
    weights = model_weights(demo_view["coalition"], today=TODAY)
    assert {"across.intercept", "across.common_partners", "within.language_nearby", "across.positives"} <= set(weights)
    # the demo's ties are dated: the model learns how they formed within movements; only 7
    # of its 71 current ties join groups that share no movement, too few to learn from
    assert (weights.pop("across.source"), weights.pop("within.source")) == ("prior", "history")
    assert all(isinstance(w, (int, float)) and np.isfinite(w) for w in weights.values())
    assert weights["within.positives"] > 0


def test_the_json_document_puts_the_contract_keys_first(demo_view: dict) -> None:
    document = introductions_document(recommend(demo_view["coalition"], top=3, today=TODAY))
    assert list(document) == ["introductions", "gaps_without_introduction"] and len(document["introductions"]) == 3
    for row in document["introductions"]:
        assert list(row)[:7] == ["a", "b", "score", "broker", "reasons", "movements", "status"]
    json.dumps(document)


def test_candidates_are_found_without_scoring_all_pairs() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generators import generate

    split = generate("homophily", n=2000, seed=1)
    ix = build_index(split.view, today=split.today)
    pool = find_candidates(ix)
    assert len(pool.keys) < 0.1 * ix.n * (ix.n - 1) / 2
    assert not np.isin(pool.keys, np.concatenate([ix.tied_keys, ix.conflict_keys])).any()
    assert (ix.remaining[pool.u] > 0).all() and (ix.remaining[pool.v] > 0).all()


def test_a_rare_shared_issue_says_more_than_a_common_one_and_more_issues_more() -> None:
    """Traits shared anywhere count as Adamic-Adar over attributes, with no cap: on the
    Delta science map every likely pair shared three or more themes, and a count capped
    at three told them apart by nothing."""
    common = ["housing", "rent", "eviction", "repairs", "zoning", "tenants", "transit"]
    orgs = [org("a", ["housing"], issues=common), org("b", ["migrant"], issues=common + ["asl"])]
    orgs += [
        org("c", ["migrant"], issues=["rent", "asl"]),
        org("d", ["housing"], issues=["rent", "eviction", "repairs"]),
    ]
    orgs += [org(f"x{i}", ["migrant"], issues=["rent"]) for i in range(20)]
    ix = build_index(view_of(orgs), today=date(2025, 6, 15))
    shared = FEATURES.index("shared_issues")

    def value(x: str, y: str) -> float:
        u, v = np.array([ix.index[x]]), np.array([ix.index[y]])
        return float(pair_features(ix, u, v, *structural(ix, u, v))[0, shared])

    assert value("b", "c") > 2 * value("a", "c")  # "asl" (two groups) against "rent" (24)
    assert value("a", "b") > value("b", "d") > value("c", "d")  # seven themes, three, one
