"""Graph algorithms on small graphs whose answers are known by hand or by networkx."""

from __future__ import annotations

import doctest
import importlib
import math
import random
from datetime import date
from multiprocessing.context import SpawnProcess

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.algorithms import (
    ROLES,
    articulation_cuts,
    as_indexed,
    betweenness,
    bridge_cuts,
    brokerage_roles,
    constraint,
    cut_points,
    effective_size,
    group_mixing,
    local_bridges,
    louvain_communities,
    resource_matches,
    start_betweenness,
)
from graph.networkx_graph import build_conflict_graph, build_graph
from graph.records import tie_has_ended


def sna_brokerage(G: nx.Graph, groups: dict) -> dict:
    """A line-by-line transcription of sna's brokerage_R (src/gli.c) on the directed
    version of G: for each ego i, alter j of i, alter k of j with k != i, j and no tie
    i -> k, the broker j gets one role by the classes of i, j and k."""
    D = G.to_directed()
    out = {v: dict.fromkeys(ROLES[:5], 0) for v in G}
    for i in D:
        for j in D.successors(i):
            for k in D.successors(j):
                if k in (i, j) or D.has_edge(i, k):
                    continue
                ci, cj, ck = groups[i], groups[j], groups[k]
                if cj == ci:
                    out[j]["coordinator" if cj == ck else "representative"] += 1
                elif cj == ck:
                    out[j]["gatekeeper"] += 1
                elif ci == ck:
                    out[j]["itinerant"] += 1
                else:
                    out[j]["liaison"] += 1
    return out


# brokerage -------------------------------------------------------------------------
def test_brokerage_roles_match_a_worked_example_counted_by_hand() -> None:
    # Groups A = {a1, a2, a3}, B = {b1, x}, C = {c1}. Ties: a1-a2, a2-a3, a2-b1,
    # a1-b1, b1-c1, x-a1, x-a3. Each open pair of neighbours counts once per direction.
    G = nx.Graph([("a1", "a2"), ("a2", "a3"), ("a2", "b1"), ("a1", "b1"), ("b1", "c1"), ("x", "a1"), ("x", "a3")])
    groups = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "x": "B", "c1": "C"}
    roles = brokerage_roles(G, groups)
    # a2 (A): {a1, a3} open, both A: coordinator 2. {a3, b1} open: a3 -> a2 -> b1 is
    # representative (A A B), b1 -> a2 -> a3 gatekeeper (B A A). {a1, b1} is closed.
    assert roles["a2"] == {
        "coordinator": 2,
        "itinerant": 0,
        "representative": 1,
        "gatekeeper": 1,
        "liaison": 0,
        "total": 4,
    }
    # b1 (B): {a1, c1} and {a2, c1} open, A and C: liaison 2 each. {a1, a2} closed.
    assert roles["b1"] == {
        "coordinator": 0,
        "itinerant": 0,
        "representative": 0,
        "gatekeeper": 0,
        "liaison": 4,
        "total": 4,
    }
    # x (B): {a1, a3} open, both A: itinerant (consultant) 2.
    assert roles["x"] == {
        "coordinator": 0,
        "itinerant": 2,
        "representative": 0,
        "gatekeeper": 0,
        "liaison": 0,
        "total": 2,
    }
    # a1 (A): {a2, x} open (rep 1, gate 1), {b1, x} open, both B: itinerant 2.
    assert roles["a1"] == {
        "coordinator": 0,
        "itinerant": 2,
        "representative": 1,
        "gatekeeper": 1,
        "liaison": 0,
        "total": 4,
    }
    # a3 (A): {a2, x} open: rep 1, gate 1. c1 has one tie: no two-path through it.
    assert roles["a3"] == {
        "coordinator": 0,
        "itinerant": 0,
        "representative": 1,
        "gatekeeper": 1,
        "liaison": 0,
        "total": 2,
    }
    assert roles["c1"]["total"] == 0


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 25), st.floats(0.05, 0.6), st.integers(1, 5))
def test_brokerage_roles_equal_sna_two_path_counts(seed: int, n: int, p: float, classes: int) -> None:
    G = nx.gnp_random_graph(n, p, seed=seed)
    rng = random.Random(seed)
    groups = {v: rng.randrange(classes) for v in G}
    ours = brokerage_roles(G, groups)
    expected = sna_brokerage(G, groups)
    for v in G:
        assert {r: ours[v][r] for r in ROLES[:5]} == expected[v]
        assert ours[v]["total"] == sum(expected[v].values())


def test_brokerage_roles_of_a_graph_without_ties_are_zero() -> None:
    G = nx.empty_graph(3)
    assert all(r["total"] == 0 for r in brokerage_roles(G, {}).values())


# structural holes ------------------------------------------------------------------
@pytest.mark.parametrize("weight", [None, "weight"])
def test_constraint_equals_networkx_on_the_karate_club(weight: str | None) -> None:
    G = nx.karate_club_graph()
    ours, theirs = constraint(G, weight=weight), nx.constraint(G, weight=weight)
    assert all(abs(ours[v] - theirs[v]) < 1e-9 for v in G)


def test_effective_size_equals_networkx_on_the_karate_club_and_random_graphs() -> None:
    for G in (nx.karate_club_graph(), nx.gnm_random_graph(60, 200, seed=4)):
        ours, theirs = effective_size(G), nx.effective_size(G)
        assert all(abs(ours[v] - theirs[v]) < 1e-9 for v in G)


def test_structural_holes_of_an_isolated_node_are_nan_as_in_networkx() -> None:
    G = nx.path_graph(3)
    G.add_node("alone")
    assert math.isnan(constraint(G)["alone"]) and math.isnan(nx.constraint(G)["alone"])
    assert math.isnan(effective_size(G)["alone"]) and math.isnan(nx.effective_size(G)["alone"])


# betweenness -----------------------------------------------------------------------
@pytest.mark.parametrize("normalized", [True, False])
def test_exact_betweenness_equals_networkx(normalized: bool) -> None:
    for G in (nx.karate_club_graph(), nx.gnm_random_graph(80, 160, seed=2), nx.path_graph(5)):
        ours, theirs = betweenness(G, normalized=normalized), nx.betweenness_centrality(G, normalized=normalized)
        assert all(abs(ours[v] - theirs[v]) < 1e-9 for v in G)


@pytest.mark.parametrize("normalized", [True, False])
def test_sampled_betweenness_equals_networkx_with_the_same_pivots(normalized: bool) -> None:
    G = nx.gnm_random_graph(120, 400, seed=7)
    ours = betweenness(G, normalized=normalized, exact_max_nodes=50, pivots=30, seed=11)
    theirs = nx.betweenness_centrality(G, k=30, seed=11, normalized=normalized)
    assert all(abs(ours[v] - theirs[v]) < 1e-9 for v in G)


def test_sampled_betweenness_with_a_fixed_seed_is_repeatable() -> None:
    G = nx.gnm_random_graph(200, 600, seed=1)
    first = betweenness(G, exact_max_nodes=10, pivots=20, seed=3)
    assert first == betweenness(G, exact_max_nodes=10, pivots=20, seed=3)


def test_sampled_betweenness_split_with_a_second_process_equals_networkx() -> None:
    """A share of the sources goes to a worker process, which does its part, and the sum
    is networkx's sampled betweenness."""
    G = nx.gnm_random_graph(800, 2400, seed=5)
    pending = start_betweenness(
        G, exact_max_nodes=50, pivots=80, seed=2, workers=2, parallel_min_nodes=100, worker_share=0.5
    )
    ours = pending.result()
    theirs = nx.betweenness_centrality(G, k=80, seed=2)
    assert pending.worker_did_its_part and len(pending.theirs) == 40
    assert all(abs(ours[v] - theirs[v]) < 1e-9 for v in G)


def test_sampled_betweenness_does_both_halves_when_no_second_process_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: object) -> None:
        raise OSError("no more processes")

    monkeypatch.setattr(SpawnProcess, "start", refuse)
    G = nx.gnm_random_graph(300, 900, seed=5)
    pending = start_betweenness(G, exact_max_nodes=50, pivots=60, seed=2, workers=2, parallel_min_nodes=100)
    ours = pending.result()
    assert not pending.worker_did_its_part
    alone = betweenness(G, exact_max_nodes=50, pivots=60, seed=2, workers=1)
    assert all(abs(ours[v] - alone[v]) < 1e-12 for v in G)


# communities -----------------------------------------------------------------------
def test_louvain_separates_two_cliques_joined_by_one_tie() -> None:
    G = nx.union(nx.complete_graph(5), nx.complete_graph(range(5, 10)))
    G.add_edge(0, 5)
    assert louvain_communities(G) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_louvain_is_deterministic_for_a_seed_and_leaves_the_global_random_state_alone() -> None:
    G = nx.gnm_random_graph(300, 900, seed=5)
    random.seed(42)
    expected_next = random.random()
    random.seed(42)
    runs = [louvain_communities(G, seed=9) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert random.random() == expected_next
    assert sorted(v for c in runs[0] for v in c) == sorted(G)


# cuts ------------------------------------------------------------------------------
def test_articulation_cuts_on_a_path_say_what_each_cut_vertex_separates() -> None:
    cuts = articulation_cuts(nx.path_graph(6))
    assert [(c["node"], c["cut_off_size"], c["remaining_size"]) for c in cuts] == [
        (2, 2, 3), (3, 2, 3), (1, 1, 4), (4, 1, 4),
    ]  # fmt: skip
    assert cuts[0]["cut_off"] == [0, 1] and cuts[1]["cut_off"] == [4, 5]


def test_bridge_cuts_on_two_triangles_joined_by_a_tie() -> None:
    G = nx.Graph([(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3), (5, 6)])
    cuts = bridge_cuts(G)
    assert [(c["edge"], c["cut_off"]) for c in cuts] == [((2, 3), [0, 1, 2]), ((5, 6), [6])]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 40), st.integers(0, 60))
def test_cuts_agree_with_networkx_articulation_points_and_bridges(seed: int, n: int, m: int) -> None:
    G = nx.gnm_random_graph(n, m, seed=seed)
    cuts = articulation_cuts(G)
    assert {c["node"] for c in cuts} == set(nx.articulation_points(G))
    for cut in cuts:
        H = G.copy()
        H.remove_node(cut["node"])
        pieces = sorted((len(c) for c in nx.connected_components(H) if c & set(G[cut["node"]])), reverse=True)
        assert (cut["remaining_size"], cut["cut_off_size"], cut["pieces"]) == (pieces[0], sum(pieces[1:]), len(pieces))
        assert len(set(cut["cut_off"])) == cut["cut_off_size"]
    bridges = bridge_cuts(G)
    assert {frozenset(c["edge"]) for c in bridges} == {frozenset(e) for e in nx.bridges(G)}
    for cut in bridges:
        H = G.copy()
        H.remove_edge(*cut["edge"])
        sides = sorted(len(nx.node_connected_component(H, end)) for end in cut["edge"])
        assert (cut["cut_off_size"], cut["remaining_size"]) == tuple(sides)
        assert set(cut["cut_off"]) in (nx.node_connected_component(H, end) for end in cut["edge"])


def test_cut_points_are_articulation_and_bridge_cuts_from_one_tree() -> None:
    G = nx.Graph([(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3), (5, 6)])
    assert cut_points(G, top=2) == (articulation_cuts(G, top=2), bridge_cuts(G, top=2))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 30), st.integers(0, 90))
def test_edge_in_triangle_marks_ties_whose_ends_have_a_partner_in_common(seed: int, n: int, m: int) -> None:
    H = as_indexed(nx.gnm_random_graph(n, m, seed=seed))
    G = nx.Graph(H.edges.tolist())
    expected = [bool(set(G[u]) & set(G[v])) for u, v in H.edges.tolist()]
    assert H.edge_in_triangle.tolist() == expected


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(4, 40), st.integers(3, 80))
def test_local_bridges_and_spans_agree_with_networkx(seed: int, n: int, m: int) -> None:
    G = nx.gnm_random_graph(n, m, seed=seed)
    ours = {frozenset((u, v)): span for u, v, span in local_bridges(G)}
    theirs = {frozenset((u, v)): span for u, v, span in nx.local_bridges(G, with_span=True) if span != math.inf}
    assert ours == theirs


def test_local_bridges_respect_the_minimum_span_and_the_budget() -> None:
    G = nx.cycle_graph(8)
    G.add_edges_from([(0, 2)])
    assert all(span >= 6 for _, _, span in local_bridges(G, min_span=6))
    assert len(local_bridges(G, max_checked=2)) == 2


# resources -------------------------------------------------------------------------
def _resource_graph() -> nx.Graph:
    G = nx.Graph()
    G.add_node("needy", needs=["legal_advice"], region="east", languages=["English", "Tagalog"])
    G.add_node("near", offers=["legal_advice"], region="east", languages=["English", "Tagalog"])
    G.add_node("same_region", offers=["legal_advice"], region="east", languages=["English"])
    G.add_node("same_language", offers=["legal_advice"], region="west", languages=["Tagalog"])
    G.add_node("far", offers=["legal_advice"], region="west", languages=["English"])
    return G


def test_resource_matches_list_the_nearest_offers_first() -> None:
    matches, total = resource_matches(_resource_graph(), per_need=5)
    assert [(m["offers"], m["tier"]) for m in matches] == [
        ("near", 0),
        ("same_region", 1),
        ("same_language", 2),
        ("far", 3),
    ]
    assert total == 4 and matches[0]["shared_languages"] == ["Tagalog"] and matches[0]["same_region"]


def test_resource_matches_skip_tied_excluded_and_ineligible_pairs_and_cap_results() -> None:
    G = _resource_graph()
    G.add_edge("needy", "near")
    matches, _ = resource_matches(G, per_need=5, exclude=[("same_region", "needy")], eligible=lambda n: n != "far")
    assert [m["offers"] for m in matches] == ["same_language"]
    assert len(resource_matches(_resource_graph(), per_need=2)[0]) == 2
    capped, total = resource_matches(_resource_graph(), per_need=5, limit=1)
    assert len(capped) == 1 and total == 4


def _nearest_by_definition(G: nx.Graph, per_need: int, blocked: set, common: tuple = ("English",)) -> list:
    """Every eligible offer of every need ranked by its definition: tier, then (in tier 2)
    the first shared language in alphabetical order, then node as text."""
    found = []
    for node, data in G.nodes(data=True):
        mine = sorted(set(data.get("languages", [])) - set(common))
        for resource in data.get("needs", []):
            ranked = []
            for other, theirs in G.nodes(data=True):
                if resource not in theirs.get("offers", []) or other == node or G.has_edge(node, other):
                    continue
                if frozenset((node, other)) in blocked:
                    continue
                shared = [language for language in mine if language in theirs.get("languages", [])]
                local = bool(data.get("region")) and data.get("region") == theirs.get("region")
                tier = 0 if local and shared else 1 if local else 2 if shared else 3
                ranked.append((tier, mine.index(shared[0]) if tier == 2 else 0, str(other), other))
            found += [(node, other, resource, tier) for tier, _, _, other in sorted(ranked)[:per_need]]
    return found


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 40), st.integers(1, 4))
def test_resource_matches_take_the_nearest_offers_by_their_definition(seed: int, n: int, per_need: int) -> None:
    rng = random.Random(seed)
    G = nx.gnm_random_graph(n, rng.randint(0, 3 * n), seed=seed)
    for node in G:
        G.nodes[node].update(
            needs=rng.sample(["a", "b"], rng.randint(0, 2)), offers=rng.sample(["a", "b"], rng.randint(0, 2)),
            region=rng.choice(["", "north", "south"]), languages=rng.sample(["English", "es", "fr", "ar"], 2),
        )  # fmt: skip
    blocked = {frozenset(rng.sample(list(G), 2)) for _ in range(3)}
    matches, total = resource_matches(G, per_need=per_need, exclude=[tuple(pair) for pair in blocked])
    expected = _nearest_by_definition(G, per_need, blocked)
    assert total == len(expected)
    assert sorted((m["needs"], m["offers"], m["resource"], m["tier"]) for m in matches) == sorted(expected)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 40), st.integers(1, 12))
def test_resource_matches_match_only_the_needers_that_come_first_when_capped(seed: int, n: int, limit: int) -> None:
    rng = random.Random(seed)
    G = nx.gnm_random_graph(n, rng.randint(0, 2 * n), seed=seed)
    for node in G:
        G.nodes[node].update(needs=rng.sample("ab", rng.randint(0, 2)), offers=rng.sample("ab", rng.randint(0, 2)),
                             region=rng.choice(["x", "y"]), languages=[rng.choice(["es", "fr"])])  # fmt: skip

    def needer(node: int) -> int:
        return node % 3

    def match(a: int, b: int, resource: str, tier: int) -> tuple:
        return tier, -b, resource

    capped = resource_matches(G, key=match, needer_key=needer, limit=limit)
    full = resource_matches(G, key=lambda a, b, r, t: (needer(a), match(a, b, r, t)))
    assert capped == (full[0][:limit], full[1])


def test_resource_matches_skip_a_needers_many_partners_among_the_nearest() -> None:
    # The needer works with the first 30 offerers already: the next three are its matches.
    G = nx.Graph()
    G.add_node("needy", needs=["childcare"], region="east", languages=["Somali"])
    for i in range(40):
        G.add_node(f"o{i:02d}", offers=["childcare"], region="east", languages=["Somali"])
    G.add_edges_from(("needy", f"o{i:02d}") for i in range(30))
    G.add_node("twin", needs=["childcare"], region="east", languages=["Somali"])  # same need, no partner
    matches, _ = resource_matches(G, per_need=3)
    offers = {m["needs"]: [] for m in matches}
    for m in matches:
        offers[m["needs"]].append(m["offers"])
    assert offers == {"needy": ["o30", "o31", "o32"], "twin": ["o00", "o01", "o02"]}


def test_resource_matches_sort_by_a_key_of_needer_offerer_resource_and_tier() -> None:
    matches, total = resource_matches(_resource_graph(), per_need=5, key=lambda a, b, r, tier: -tier, limit=2)
    assert [m["offers"] for m in matches] == ["far", "same_language"] and total == 4


# mixing ----------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 30), st.integers(1, 4))
def test_group_mixing_counts_every_cell_as_a_plain_walk_over_the_edges(seed: int, n: int, k: int) -> None:
    rng = random.Random(seed)
    G = nx.gnm_random_graph(n, rng.randint(0, 3 * n), seed=seed)
    groups = ["g0", "g1", "g2", "g3"][:k]
    member = {v: rng.sample([*groups, "other"], rng.randint(0, min(3, k + 1))) for v in G}
    for u, v in G.edges():
        G[u][v].update(ties=rng.randint(1, 3), strength=rng.randint(1, 5))
    matrix, sizes = group_mixing(G, groups, member.__getitem__, count="ties", weight="strength")
    for a in groups:
        for b in groups:
            edges = [(u, v, d) for u, v, d in G.edges(data=True)
                     if (a in member[u] and b in member[v]) or (b in member[u] and a in member[v])]  # fmt: skip
            cell = matrix[a][b]
            assert cell["pairs"] == len(edges) and cell["ties"] == sum(d["ties"] for *_, d in edges)
            assert cell["strength"] == sum(d["strength"] for *_, d in edges)
            assert cell["organizations"] == len({end for u, v, _ in edges for end in (u, v)})
        assert sizes[a] == sum(a in member[v] for v in G)


# building graphs -------------------------------------------------------------------
VIEW = {
    "movements": [{"id": "housing", "name": "Housing justice"}],
    "organizations": [
        {"id": i, "name": i.upper(), "movements": ["housing"], "community_led": True, "contact": "secret"}
        for i in ("a", "b", "c")
    ],
    "ties": [
        {"source": "a", "target": "b", "kind": "referral", "strength": 2},
        {"source": "b", "target": "a", "kind": "coalition", "strength": 4},
        {"source": "b", "target": "c", "kind": "mou", "strength": 3, "until": "2020-01-01"},
        {"source": "a", "target": "c", "kind": "conflict", "strength": 1},
    ],
}


def test_build_graph_merges_ties_of_a_pair_keeping_the_strongest() -> None:
    G = build_graph(VIEW)
    edge = G["a"]["b"]
    assert (edge["strength"], edge["strength_sum"], edge["ties"], edge["kinds"]) == (4, 6, 2, ["coalition", "referral"])
    assert G.nodes["a"]["primary_movement"] == "housing" and "contact" not in G.nodes["a"]


def test_build_graph_keeps_conflicts_apart() -> None:
    assert not build_graph(VIEW).has_edge("a", "c")
    conflicts = build_conflict_graph(VIEW)
    assert list(conflicts.edges()) == [("a", "c")] and conflicts.number_of_nodes() == 3


def test_build_graph_marks_ended_ties_or_leaves_them_out() -> None:
    assert build_graph(VIEW)["b"]["c"]["ended"] is True
    G = build_graph(VIEW, include_ended=False)
    assert not G.has_edge("b", "c") and G.graph["ended_ties_left_out"] == 1
    assert not tie_has_ended(VIEW["ties"][2], today=date(2019, 12, 31))


@pytest.mark.parametrize(
    "module",
    ["brokerage", "centrality", "communities", "cuts", "igraph_bridge", "mixing", "resources", "structural_holes"],
)
def test_docstring_examples_run(module: str) -> None:
    for name in (f"graph.algorithms.{module}", "graph.networkx_graph"):
        result = doctest.testmod(importlib.import_module(name))
        assert result.failed == 0 and result.attempted > 0


def test_as_indexed_refuses_directed_graphs() -> None:
    with pytest.raises(ValueError):
        as_indexed(nx.DiGraph([(0, 1)]))
