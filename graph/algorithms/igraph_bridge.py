"""One conversion from a networkx graph to python-igraph, shared by the heavy kernels.

networkx stays the model and the API; igraph runs the kernels that are too slow in pure
Python at tens of thousands of organizations (betweenness, Louvain, constraint,
biconnected components). Convert once with ``as_indexed`` and pass the result to every
algorithm in this package: each accepts either a networkx graph or an ``IndexedGraph``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cached_property

import igraph as ig
import networkx as nx
import numpy as np

__all__ = ["IndexedGraph", "as_indexed"]


@dataclass(frozen=True, eq=False)
class IndexedGraph:
    """An undirected simple igraph graph and the networkx node behind each vertex.

    Vertex ``i`` is ``nodes[i]``; ``index`` maps back. ``weight`` names the networkx
    edge attribute copied to the igraph edge attribute ``"weight"`` (or None).
    """

    graph: ig.Graph
    nodes: list[Hashable]
    weight: str | None = None
    index: dict[Hashable, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {node: i for i, node in enumerate(self.nodes)})

    @property
    def n(self) -> int:
        """Number of vertices."""
        return self.graph.vcount()

    @cached_property
    def edges(self) -> np.ndarray:
        """Edge list as an (m, 2) integer array of vertex indices."""
        return np.asarray(self.graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)

    @cached_property
    def degree(self) -> np.ndarray:
        """Degree of every vertex."""
        return np.asarray(self.graph.degree(), dtype=np.int64)

    @cached_property
    def adjacency(self) -> list[set[int]]:
        """Neighbour sets by vertex index (for the few kernels written in Python)."""
        return [set(neighbours) for neighbours in self.graph.get_adjlist()]

    @cached_property
    def triangles(self) -> np.ndarray:
        """Every triangle once, as a (t, 3) integer array."""
        return np.asarray(self.graph.list_triangles(), dtype=np.int64).reshape(-1, 3)

    @cached_property
    def edge_in_triangle(self) -> np.ndarray:
        """For every edge (igraph order), whether its two ends have a neighbour in common."""
        flags = np.zeros(self.graph.ecount(), dtype=bool)
        if self.graph.ecount() == 0 or len(self.triangles) == 0:
            return flags
        n = max(self.n, 1)
        edges = np.sort(self.edges, axis=1)
        codes = edges[:, 0] * n + edges[:, 1]
        order = np.argsort(codes)
        t = np.sort(self.triangles, axis=1)
        sides = np.concatenate([t[:, 0] * n + t[:, 1], t[:, 1] * n + t[:, 2], t[:, 0] * n + t[:, 2]])
        flags[order[np.searchsorted(codes, sides, sorter=order)]] = True
        return flags

    def weights(self) -> list[float] | None:
        """Edge weights in igraph edge order, or None for an unweighted graph."""
        return self.graph.es["weight"] if self.weight is not None else None


def as_indexed(G: nx.Graph | IndexedGraph, weight: str | None = None) -> IndexedGraph:
    """Convert an undirected networkx graph to an ``IndexedGraph`` (once).

    Parameters
    ----------
    G : networkx.Graph or IndexedGraph
        An undirected simple graph; an ``IndexedGraph`` is returned as it is.
    weight : str, optional
        Edge attribute to copy as igraph weights (missing values count as 1).

    Examples
    --------
    >>> H = as_indexed(nx.path_graph(["a", "b", "c"]))
    >>> H.nodes, H.graph.ecount()
    (['a', 'b', 'c'], 2)
    """
    if isinstance(G, IndexedGraph):
        return G
    if G.is_directed() or G.is_multigraph():
        raise ValueError("as_indexed takes an undirected simple graph")
    nodes = list(G)
    index = {node: i for i, node in enumerate(nodes)}
    if weight is None:
        graph = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in G.edges() if u != v], directed=False)
        return IndexedGraph(graph=graph, nodes=nodes, weight=weight)
    edges, weights = [], []
    for u, v, d in G.edges(data=True):  # one pass for both
        if u != v:
            edges.append((index[u], index[v]))
            weights.append(float(d.get(weight, 1) or 1))
    graph = ig.Graph(n=len(nodes), edges=edges, directed=False)
    graph.es["weight"] = weights
    return IndexedGraph(graph=graph, nodes=nodes, weight=weight)
