"""Nothing in the gaps analysis grows with a product of group sizes.

Seconds are a poor witness on a shared machine, so these tests count work instead: the
Python lines run inside the analysis modules (``sys.settrace``), on a map and on one four
times larger of the same shape. Linear work grows about 4 times; a loop over (needers x
offerers) of one group grows 16 times. The maps put everyone in one region, sharing one
language, needing and offering the same few resources: the shape where the needs and
offers matching once read 23.6 million pairs at 50,000 organizations.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from coalition.analysis import gaps
from coalition.analysis.gaps import analyse_gaps
from graph.algorithms import cuts, resource_matches

ROOT = Path(__file__).resolve().parent.parent
ANALYSIS = tuple(str(p) for p in [ROOT / "coalition" / "analysis", ROOT / "graph"])
LINEAR = 5.5  # growth allowed for 4 times the map: linear is 4, plus sorting and noise


def count_lines(run: Callable[[], Any], skip: tuple[str, ...] = ()) -> int:
    """Python lines run in the analysis modules (``coalition/analysis``, ``graph``) by
    ``run()``, leaving out the functions named in ``skip`` and what they call there."""
    lines = 0

    def local(frame, event, arg):  # noqa: ANN001, ANN202
        nonlocal lines
        if event == "line":
            lines += 1
        return local

    def calls(frame, event, arg):  # noqa: ANN001, ANN202
        code = frame.f_code
        if code.co_filename.startswith(ANALYSIS) and code.co_name not in skip:
            return local
        return None

    sys.settrace(calls)
    try:
        run()
    finally:
        sys.settrace(None)
    return lines


def crowded_graph(n: int, seed: int = 0) -> nx.Graph:
    """``n`` organizations in one region, all speaking Spanish, needing and offering two
    resources, with about two ties each."""
    rng = random.Random(seed)
    G = nx.Graph()
    for i in range(n):
        G.add_node(
            f"org_{i:05d}", region="north", languages=["English", "Spanish"],
            needs=rng.sample(["legal_advice", "meeting_space"], rng.randint(1, 2)),
            offers=rng.sample(["legal_advice", "meeting_space"], rng.randint(1, 2)),
        )  # fmt: skip
    nodes = list(G)
    G.add_edges_from(rng.sample(nodes, 2) for _ in range(2 * n))
    return G


def crowded_view(n: int, seed: int = 0) -> dict[str, Any]:
    """The same crowd as an audience view: three movements, half community-led, a few
    conflicts, many organizations without a tie."""
    rng = random.Random(seed)
    movements = ["housing", "migrant", "disability"]
    orgs = [
        {
            "id": f"org_{i:05d}", "name": f"Org {i}", "movements": rng.sample(movements, rng.randint(1, 2)),
            "community_led": rng.random() < 0.5, "region": "north", "languages": ["English", "Spanish"],
            "needs": rng.sample(["legal_advice", "meeting_space"], rng.randint(1, 2)),
            "offers": rng.sample(["legal_advice", "meeting_space"], rng.randint(1, 2)),
        }
        for i in range(n)
    ]  # fmt: skip
    ties = []
    for _ in range(2 * n):
        a, b = rng.sample(range(n // 2), 2) if rng.random() < 0.9 else rng.sample(range(n), 2)
        kind = "conflict" if rng.random() < 0.01 else "coalition"
        ties.append({"source": orgs[a]["id"], "target": orgs[b]["id"], "kind": kind, "strength": rng.randint(1, 5)})
    return {
        "movements": [{"id": m, "name": m.title()} for m in movements],
        "organizations": orgs, "ties": ties, "audience": "coalition", "version": 1,
    }  # fmt: skip


def growth(work: Callable[[int], int], n: int) -> float:
    return work(4 * n) / work(n)


def test_needs_and_offers_grow_linearly_when_everyone_needs_and_offers_the_same() -> None:
    def work(n: int) -> int:
        G = crowded_graph(n)
        return count_lines(lambda: resource_matches(G, per_need=3, limit=200))

    assert growth(work, 500) < LINEAR


def test_needs_and_offers_read_each_group_only_as_far_as_they_need() -> None:
    # 2,000 needers and 2,000 offerers of one resource in one region, sharing a
    # language: the old filter read 4 million pairs; now each need reads its first few.
    G = crowded_graph(2000)
    lines = count_lines(lambda: resource_matches(G, per_need=3, limit=200))
    assert lines < 200 * G.number_of_nodes()


def test_the_whole_gaps_analysis_grows_linearly_on_a_crowded_map() -> None:
    # Local bridges measure their span with one search each, for at most 1,000 ties:
    # bounded, and left out of the count (``_distance_without_edge``).
    def work(n: int) -> int:
        view = crowded_view(n)
        return count_lines(lambda: analyse_gaps(view), skip=("_distance_without_edge",))

    assert growth(work, 400) < LINEAR


def test_lifting_every_cap_keeps_the_analysis_linear() -> None:
    def work(n: int) -> int:
        view = crowded_view(n)
        caps = gaps.list_caps(everything=True)
        return count_lines(lambda: analyse_gaps(view, **caps), skip=("_distance_without_edge",))

    assert growth(work, 300) < LINEAR


def test_the_local_bridge_search_is_bounded_by_its_budget() -> None:
    G = nx.cycle_graph(3000)  # every tie is a local bridge of span 2,999
    checked = count_lines(lambda: cuts.local_bridges(G, max_checked=5))
    assert len(cuts.local_bridges(G, max_checked=5)) == 5
    assert checked < 5 * 40 * G.number_of_nodes()
