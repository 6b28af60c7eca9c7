"""Burt's structural holes: constraint and effective size, fast enough for 50k nodes.

``networkx.constraint`` and ``networkx.effective_size`` give the same numbers but walk
every ego network in Python (minutes for a few hundred nodes of a large graph). Here
constraint runs in igraph, and effective size uses the closed form for undirected
unweighted graphs. The tests check both against networkx to 1e-9.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

import networkx as nx
import numpy as np

from graph.algorithms.igraph_bridge import IndexedGraph, as_indexed

__all__ = ["constraint", "effective_size"]


def constraint(G: nx.Graph | IndexedGraph, weight: str | None = None) -> dict[Hashable, float]:
    """Burt's constraint of every node: how much its contacts are tied to each other.

    Parameters
    ----------
    G : networkx.Graph or IndexedGraph
        Undirected simple graph. An ``IndexedGraph`` uses the weights it was built with.
    weight : str, optional
        Edge attribute holding tie strength (networkx graphs only); None for unweighted.

    Returns
    -------
    dict
        ``{node: c}`` with ``c`` in (0, 1.125]; NaN for an isolated node, as in networkx.

    Notes
    -----
    ``c_i = sum_j (p_ij + sum_q p_iq p_qj)^2`` over the neighbours ``j`` of ``i``, where
    ``p_ij`` is the share of ``i``'s tie strength that goes to ``j``. A low value means
    ``i``'s contacts do not know each other: a broker across a structural hole.

    References
    ----------
    .. [1] Burt, R. S. (1992). Structural Holes: The Social Structure of Competition.
       Harvard University Press.
    .. [2] Burt, R. S. (2004). Structural holes and good ideas. American Journal of
       Sociology 110(2), 349-399.

    Examples
    --------
    >>> round(constraint(nx.star_graph(3))[0], 4)
    0.3333
    """
    H = as_indexed(G, weight)
    values = H.graph.constraint(weights=H.weights())
    return {node: float(values[i]) if H.degree[i] else math.nan for i, node in enumerate(H.nodes)}


def effective_size(G: nx.Graph | IndexedGraph) -> dict[Hashable, float]:
    """Burt's effective size of every node: its contacts minus their redundancy.

    Parameters
    ----------
    G : networkx.Graph or IndexedGraph
        Undirected simple graph; edge weights are ignored.

    Returns
    -------
    dict
        ``{node: e}``; NaN for an isolated node, as in networkx.

    Notes
    -----
    For undirected unweighted graphs Borgatti's closed form ``e = d - 2t/d`` holds,
    with ``d`` the degree and ``t`` the ties among the node's contacts (its triangles).

    References
    ----------
    .. [1] Burt, R. S. (1992). Structural Holes: The Social Structure of Competition.
       Harvard University Press.
    .. [2] Borgatti, S. (1997). Structural Holes: Unpacking Burt's Redundancy Measures.
       Connections 20(1), 35-38.

    Examples
    --------
    >>> effective_size(nx.star_graph(3))[0], effective_size(nx.complete_graph(3))[0]
    (3.0, 1.0)
    """
    H = as_indexed(G)
    degree = H.degree.astype(float)
    triangles = np.bincount(H.triangles.ravel(), minlength=H.n).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(degree > 0, degree - 2.0 * triangles / degree, np.nan)
    return {node: float(values[i]) for i, node in enumerate(H.nodes)}
