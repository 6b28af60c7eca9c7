"""Louvain communities through igraph, deterministic for a given seed.

igraph's multilevel algorithm visits vertices in a random order, drawn from the Python
``random`` module by default. We lend it a ``random.Random(seed)`` for the call and hand
the default back afterwards, so a result depends only on the graph and the seed (and the
caller's own random state is left alone).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Hashable

import igraph as ig
import networkx as nx

from graph.algorithms.igraph_bridge import IndexedGraph, as_indexed

__all__ = ["louvain_communities"]

_RNG_LOCK = threading.Lock()


def louvain_communities(
    G: nx.Graph | IndexedGraph, *, weight: str | None = None, resolution: float = 1.0, seed: int = 0
) -> list[list[Hashable]]:
    """Partition the nodes into communities of maximal modularity (Louvain).

    Parameters
    ----------
    G : networkx.Graph or IndexedGraph
        Undirected simple graph. An ``IndexedGraph`` uses the weights it was built with.
    weight : str, optional
        Edge attribute used as weight (networkx graphs only).
    resolution : float
        Modularity resolution: above 1 favours smaller communities.
    seed : int
        Seed for the order in which vertices are visited.

    Returns
    -------
    list of lists
        Communities (isolated nodes each form their own), largest first, then by their
        smallest node as text; nodes inside a community in graph order.

    References
    ----------
    .. [1] Blondel, V. D., Guillaume, J.-L., Lambiotte, R. and Lefebvre, E. (2008). Fast
       unfolding of communities in large networks. Journal of Statistical Mechanics:
       Theory and Experiment, P10008.

    Examples
    --------
    >>> G = nx.union(nx.complete_graph(4), nx.complete_graph(range(4, 8)))
    >>> G.add_edge(0, 4)
    >>> louvain_communities(G)
    [[0, 1, 2, 3], [4, 5, 6, 7]]
    """
    H = as_indexed(G, weight)
    if H.n == 0:
        return []
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            clustering = H.graph.community_multilevel(weights=H.weights(), resolution=resolution)
        finally:
            ig.set_random_number_generator(random)
    groups: dict[int, list[Hashable]] = {}
    for i, label in enumerate(clustering.membership):
        groups.setdefault(label, []).append(H.nodes[i])
    return sorted(groups.values(), key=lambda members: (-len(members), min(str(m) for m in members)))
