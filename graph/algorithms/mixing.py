"""Mixing between groups of nodes: ties, strength and density against random mixing.

``networkx.attribute_mixing_matrix`` counts edges by the attribute of their ends, one
value per node. Here a node may belong to several groups (an organization in two
movements) and counts in each, and every cell also says how far its density is from
what random mixing by group size would give.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence

import networkx as nx

__all__ = ["group_mixing"]


def group_mixing(
    G: nx.Graph,
    groups: Sequence[Hashable],
    memberships: Callable[[Hashable], Iterable[Hashable]],
    *,
    count: str | None = None,
    weight: str | None = None,
) -> tuple[dict[Hashable, dict[Hashable, dict]], dict[Hashable, int]]:
    """Edges within and between groups, and observed over expected density.

    Parameters
    ----------
    G : networkx.Graph
        Undirected simple graph.
    groups : sequence
        The groups, in the order of the result.
    memberships : callable
        ``memberships(node)`` gives the groups of a node (one or more, or none).
    count : str, optional
        Edge attribute with how many ties an edge stands for (default 1 each).
    weight : str, optional
        Edge attribute summed as ``strength`` (default 1 each).

    Returns
    -------
    (dict, dict)
        ``{g: {h: cell}}`` (symmetric) and the size of each group. A cell holds
        ``ties`` (sum of ``count``), ``strength`` (sum of ``weight``), ``pairs`` (edges),
        ``organizations`` (distinct nodes on those edges), ``possible_pairs`` (node
        pairs that could join g and h), ``expected`` (possible pairs times the graph's
        density) and ``ratio`` = pairs / expected (None when nothing is expected).

    Notes
    -----
    An edge counts once in every cell (g, h) with g among one end's groups and h among
    the other's. For g != h with k nodes in both, the possible pairs are
    ``n_g n_h - k - k(k-1)/2``; within g they are ``n_g(n_g-1)/2``.

    Examples
    --------
    >>> G = nx.Graph([(0, 1), (1, 2)])
    >>> cells, sizes = group_mixing(G, ["x", "y"], lambda n: ["x"] if n < 2 else ["y"])
    >>> cells["x"]["y"]["pairs"], cells["x"]["y"]["ratio"], sizes
    (1, 0.75, {'x': 2, 'y': 1})
    """
    of = {node: sorted(set(memberships(node)), key=str) for node in G}
    sizes = Counter({g: 0 for g in groups})
    overlap: Counter = Counter()
    for own in of.values():
        sizes.update(own)
        overlap.update(frozenset((a, b)) for i, a in enumerate(own) for b in own[i + 1 :])
    cells: dict[frozenset, list] = {}
    for u, v, data in G.edges(data=True):
        for cell in {frozenset((a, b)) for a in of[u] for b in of[v]}:
            entry = cells.setdefault(cell, [0, 0, 0, set()])
            entry[0] += data.get(count, 1) if count else 1
            entry[1] += data.get(weight, 1) if weight else 1
            entry[2] += 1
            entry[3].update((u, v))
    n = G.number_of_nodes()
    density = G.number_of_edges() / (n * (n - 1) / 2) if n > 1 else 0.0
    matrix: dict[Hashable, dict[Hashable, dict]] = {g: {} for g in groups}
    for a in groups:
        for b in groups:
            k = overlap[frozenset((a, b))]
            possible = sizes[a] * (sizes[a] - 1) // 2 if a == b else sizes[a] * sizes[b] - k - k * (k - 1) // 2
            ties, strength, pairs, nodes = cells.get(frozenset((a, b)), [0, 0, 0, ()])
            expected = possible * density
            matrix[a][b] = {
                "ties": ties, "strength": strength, "pairs": pairs, "organizations": len(nodes),
                "possible_pairs": possible, "expected": round(expected, 3),
                "ratio": round(pairs / expected, 3) if expected > 0 else None,
            }  # fmt: skip
    return matrix, {g: sizes[g] for g in groups}
