"""Generic graph algorithms: pure functions, a graph in and plain data out.

Each takes a networkx graph, or the ``IndexedGraph`` made once from it by
``as_indexed`` so that several kernels share one igraph conversion.
"""

from graph.algorithms.brokerage import ROLES, brokerage_roles
from graph.algorithms.centrality import betweenness, betweenness_is_sampled, start_betweenness
from graph.algorithms.communities import louvain_communities
from graph.algorithms.cuts import articulation_cuts, bridge_cuts, cut_points, local_bridges
from graph.algorithms.igraph_bridge import IndexedGraph, as_indexed
from graph.algorithms.mixing import group_mixing
from graph.algorithms.resources import NEAREST_TIERS, resource_matches
from graph.algorithms.structural_holes import constraint, effective_size

__all__ = [
    "IndexedGraph",
    "NEAREST_TIERS",
    "ROLES",
    "articulation_cuts",
    "as_indexed",
    "betweenness",
    "betweenness_is_sampled",
    "bridge_cuts",
    "brokerage_roles",
    "constraint",
    "cut_points",
    "effective_size",
    "group_mixing",
    "local_bridges",
    "louvain_communities",
    "resource_matches",
    "start_betweenness",
]
