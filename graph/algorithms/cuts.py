"""Where a graph hangs by a thread: articulation points, bridges and local bridges.

networkx answers "which nodes and edges are cut vertices and bridges"; for organizers
the question is what each one separates. Both come here from one pass over the
block-cut tree (biconnected components from igraph), so that the size of every cut is
known in linear time and the members are listed only for the cuts reported.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping

import networkx as nx

from graph.algorithms.igraph_bridge import IndexedGraph, as_indexed

__all__ = ["articulation_cuts", "bridge_cuts", "cut_points", "local_bridges"]


def articulation_cuts(G: nx.Graph | IndexedGraph, *, top: int | None = None) -> list[dict]:
    """Articulation points and what removing each one cuts off.

    Parameters
    ----------
    G : networkx.Graph or IndexedGraph
        Undirected simple graph.
    top : int, optional
        Report only this many, the largest cuts first.

    Returns
    -------
    list of dict
        ``{"node": a, "cut_off": [nodes], "cut_off_size": n, "remaining_size": r,
        "pieces": p}``: without ``a`` its component falls into ``p`` pieces; the largest
        (``remaining_size`` nodes) stays, the others (``cut_off``) lose their path to it.
        Sorted by ``cut_off_size`` (largest first), then by node as text.

    References
    ----------
    .. [1] Hopcroft, J. and Tarjan, R. (1973). Efficient algorithms for graph
       manipulation. Communications of the ACM 16(6), 372-378.

    Examples
    --------
    >>> [(c["node"], c["cut_off"]) for c in articulation_cuts(nx.path_graph(4))]
    [(1, [0]), (2, [3])]
    """
    return _articulation_cuts(_BlockCutTree(as_indexed(G)), top)


def bridge_cuts(G: nx.Graph | IndexedGraph, *, top: int | None = None) -> list[dict]:
    """Bridges and the side of each that loses its path to the other.

    Parameters
    ----------
    G : networkx.Graph or IndexedGraph
        Undirected simple graph.
    top : int, optional
        Report only this many, the largest cuts first.

    Returns
    -------
    list of dict
        ``{"edge": (u, v), "cut_off": [nodes], "cut_off_size": n, "remaining_size": r}``
        where ``cut_off`` is the smaller side. Sorted like ``articulation_cuts``.

    Examples
    --------
    >>> [(c["edge"], c["cut_off"]) for c in bridge_cuts(nx.path_graph(3))]
    [((0, 1), [0]), ((1, 2), [2])]
    """
    return _bridge_cuts(_BlockCutTree(as_indexed(G)), top)


def cut_points(G: nx.Graph | IndexedGraph, *, top: int | None = None) -> tuple[list[dict], list[dict]]:
    """``articulation_cuts`` and ``bridge_cuts`` together, from one block-cut tree.

    Examples
    --------
    >>> nodes, ties = cut_points(nx.path_graph(3))
    >>> [c["node"] for c in nodes], [c["edge"] for c in ties]
    ([1], [(0, 1), (1, 2)])
    """
    tree = _BlockCutTree(as_indexed(G))
    return _articulation_cuts(tree, top), _bridge_cuts(tree, top)


def _articulation_cuts(tree: _BlockCutTree, top: int | None) -> list[dict]:
    cuts = []
    for vertex, t in tree.ap_node.items():
        pieces = [(tree.size[c], c, t) for c in tree.children[t]]
        if tree.parent[t] >= 0:
            pieces.append((tree.component_size(t) - tree.size[t], tree.parent[t], t))
        pieces.sort(key=lambda piece: -piece[0])
        cuts.append((sum(p[0] for p in pieces[1:]), vertex, pieces))
    cuts.sort(key=lambda cut: (-cut[0], str(tree.H.nodes[cut[1]])))
    result = []
    for cut_off_size, vertex, pieces in cuts[:top]:
        members = [m for _, start, avoid in pieces[1:] for m in tree.collect(start, avoid)]
        result.append(
            {
                "node": tree.H.nodes[vertex],
                "cut_off": sorted((tree.H.nodes[m] for m in members), key=str),
                "cut_off_size": cut_off_size,
                "remaining_size": pieces[0][0],
                "pieces": len(pieces),
            }
        )
    return result


def _bridge_cuts(tree: _BlockCutTree, top: int | None) -> list[dict]:
    H = tree.H
    cuts = []
    for block, members in enumerate(tree.blocks):
        if len(members) != 2:
            continue
        sides = [tree.bridge_side(block, vertex) for vertex in members]
        sides.sort(key=lambda side: side[0])
        u, v = sorted(members)
        cuts.append((sides[0][0], sides[1][0], (u, v), sides[0]))
    cuts.sort(key=lambda cut: (-cut[0], str(H.nodes[cut[2][0]]), str(H.nodes[cut[2][1]])))
    result = []
    for cut_off_size, remaining, (u, v), side in cuts[:top]:
        members = side[1]() if callable(side[1]) else side[1]
        result.append(
            {
                "edge": (H.nodes[u], H.nodes[v]),
                "cut_off": sorted((H.nodes[m] for m in members), key=str),
                "cut_off_size": cut_off_size,
                "remaining_size": remaining,
            }
        )
    return result


def local_bridges(
    G: nx.Graph | IndexedGraph,
    *,
    edges: Iterable[tuple[Hashable, Hashable]] | None = None,
    min_span: int = 3,
    max_checked: int | None = None,
) -> list[tuple[Hashable, Hashable, int]]:
    """Local bridges that are not bridges, with their span.

    Parameters
    ----------
    G : networkx.Graph or IndexedGraph
        Undirected simple graph.
    edges : iterable of pairs, optional
        Only consider these edges, in this order (default: every edge).
    min_span : int
        Keep local bridges whose span is at least this (3 is every local bridge).
    max_checked : int, optional
        Measure the span of at most this many local bridges (a budget for graphs where
        almost every tie is one, such as large random graphs).

    Returns
    -------
    list of (u, v, span)
        ``span`` is the distance from ``u`` to ``v`` without the edge; the same edges
        and spans as ``networkx.local_bridges(G, with_span=True)`` minus the bridges
        (whose span is infinite). Sorted by span, longest first.

    References
    ----------
    .. [1] Granovetter, M. S. (1973). The strength of weak ties. American Journal of
       Sociology 78(6), 1360-1380.

    Examples
    --------
    >>> local_bridges(nx.cycle_graph(5))[:2]
    [(0, 1, 4), (0, 4, 4)]
    """
    H = as_indexed(G)
    if edges is None:
        pairs = H.edges.tolist()
        ids = range(len(pairs))
    else:
        pairs = [(H.index[u], H.index[v]) for u, v in edges]
        ids = H.graph.get_eids(pairs, error=False) if pairs else []
    closed = H.edge_in_triangle  # ends with a partner in common: span 2
    neighbours = _Neighbours(H.graph)  # only the vertices the searches reach
    found = []
    checked = 0
    for (u, v), edge in zip(pairs, ids, strict=True):
        if edge < 0 or closed[edge]:
            continue
        if max_checked is not None and checked >= max_checked:
            break
        checked += 1
        span = _distance_without_edge(neighbours, u, v)
        if span is not None and span >= min_span:
            found.append((H.nodes[u], H.nodes[v], span))
    found.sort(key=lambda item: (-item[2], str(item[0]), str(item[1])))
    return found


class _BlockCutTree:
    """The block-cut tree of a graph, rooted per component, with subtree sizes.

    Tree nodes ``0..B-1`` are blocks (biconnected components), ``B..`` articulation
    points. A block weighs its members that are not articulation points; an articulation
    point weighs 1; so a subtree's weight is the number of graph vertices in it.
    """

    def __init__(self, H: IndexedGraph) -> None:
        self.H = H
        blocks, points = H.graph.biconnected_components(return_articulation_points=True)
        self.blocks = [list(block) for block in blocks]
        count = len(self.blocks)
        self.ap_node = {vertex: count + i for i, vertex in enumerate(sorted(points))}
        self.ap_vertex = {t: vertex for vertex, t in self.ap_node.items()}
        size = len(self.blocks) + len(self.ap_node)
        self.neighbours: list[list[int]] = [[] for _ in range(size)]
        self.weight = [0] * count + [1] * len(self.ap_node)
        for b, members in enumerate(self.blocks):
            for vertex in members:
                t = self.ap_node.get(vertex)
                if t is None:
                    self.weight[b] += 1
                else:
                    self.neighbours[b].append(t)
                    self.neighbours[t].append(b)
        self.parent = [-1] * size
        self.root = [-1] * size
        self.children: list[list[int]] = [[] for _ in range(size)]
        self.size = list(self.weight)
        for start in range(size):
            if self.root[start] < 0:
                self._root_at(start)

    def _root_at(self, start: int) -> None:
        order, stack = [], [start]
        self.root[start] = start
        while stack:
            node = stack.pop()
            order.append(node)
            for nxt in self.neighbours[node]:
                if self.root[nxt] < 0:
                    self.root[nxt], self.parent[nxt] = start, node
                    self.children[node].append(nxt)
                    stack.append(nxt)
        for node in reversed(order[1:]):
            self.size[self.parent[node]] += self.size[node]

    def component_size(self, t: int) -> int:
        return self.size[self.root[t]]

    def collect(self, start: int, avoid: int) -> list[int]:
        """Graph vertices in the part of the tree reached from ``start`` not via ``avoid``."""
        first_ap = len(self.blocks)
        seen, stack, vertices = {start, avoid}, [start], []
        while stack:
            node = stack.pop()
            if node >= first_ap:
                vertices.append(self.ap_vertex[node])
            else:
                vertices.extend(v for v in self.blocks[node] if v not in self.ap_node)
            for nxt in self.neighbours[node]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return vertices

    def bridge_side(self, block: int, vertex: int) -> tuple[int, object]:
        """Size and members (or a thunk for them) of ``vertex``'s side of a bridge."""
        t = self.ap_node.get(vertex)
        if t is None:
            return 1, [vertex]
        if self.parent[block] == t:
            return self.component_size(block) - self.size[block], lambda: self.collect(t, block)
        return self.size[t], lambda: self.collect(t, block)


class _Neighbours(dict):
    """Neighbour lists by vertex index, read from igraph on first use."""

    def __init__(self, graph) -> None:  # noqa: ANN001
        super().__init__()
        self.graph = graph

    def __missing__(self, vertex: int) -> list[int]:
        self[vertex] = found = self.graph.neighbors(vertex)
        return found


def _distance_without_edge(adjacency: Mapping[int, list[int]], u: int, v: int) -> int | None:
    """Hops from u to v not using the edge u-v (bidirectional BFS), None if none."""
    dist_u, dist_v = {u: 0}, {v: 0}
    frontier_u, frontier_v = deque([u]), deque([v])
    while frontier_u and frontier_v:
        forward = len(frontier_u) <= len(frontier_v)
        frontier, dist, other = (frontier_u, dist_u, dist_v) if forward else (frontier_v, dist_v, dist_u)
        best = None
        for _ in range(len(frontier)):
            node = frontier.popleft()
            for nxt in adjacency[node]:
                if (node == u and nxt == v) or (node == v and nxt == u):
                    continue
                if nxt in other:
                    total = dist[node] + 1 + other[nxt]
                    best = total if best is None else min(best, total)
                if nxt not in dist:
                    dist[nxt] = dist[node] + 1
                    frontier.append(nxt)
        if best is not None:
            return best
    return None
