"""Mixing between groups of nodes: ties, strength and density against random mixing.

``networkx.attribute_mixing_matrix`` counts edges by the attribute of their ends, one
value per node. Here a node may belong to several groups (an organization in two
movements) and counts in each, and every cell also says how far its density is from
what random mixing by group size would give.

Edges are counted with numpy, grouped by the pair of group sets of their two ends, so the
work is linear in the edges whatever the sizes of the groups.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence

import networkx as nx
import numpy as np

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
    nodes = list(G)
    index = {node: i for i, node in enumerate(nodes)}
    combos: dict[tuple, int] = {}  # each distinct set of groups a node is in
    combo = np.array(
        [combos.setdefault(tuple(sorted(set(memberships(node)), key=str)), len(combos)) for node in nodes],
        dtype=np.int64,
    )
    kinds = list(combos)
    sizes = Counter({g: 0 for g in groups})
    overlap: Counter = Counter()
    for k, members in enumerate(np.bincount(combo, minlength=len(kinds)).tolist()):
        own = kinds[k]
        sizes.update(dict.fromkeys(own, members))
        overlap.update(dict.fromkeys((frozenset((a, b)) for i, a in enumerate(own) for b in own[i + 1 :]), members))
    cells = _cells(G, index, combo, kinds, count, weight)
    n = G.number_of_nodes()
    density = G.number_of_edges() / (n * (n - 1) / 2) if n > 1 else 0.0
    matrix: dict[Hashable, dict[Hashable, dict]] = {g: {} for g in groups}
    for a in groups:
        for b in groups:
            k = overlap[frozenset((a, b))]
            possible = sizes[a] * (sizes[a] - 1) // 2 if a == b else sizes[a] * sizes[b] - k - k * (k - 1) // 2
            ties, strength, pairs, organizations = cells.get(frozenset((a, b)), (0, 0, 0, 0))
            expected = possible * density
            matrix[a][b] = {
                "ties": ties, "strength": strength, "pairs": pairs, "organizations": organizations,
                "possible_pairs": possible, "expected": round(expected, 3),
                "ratio": round(pairs / expected, 3) if expected > 0 else None,
            }  # fmt: skip
    return matrix, {g: sizes[g] for g in groups}


def _cells(
    G: nx.Graph, index: dict, combo: np.ndarray, kinds: list[tuple], count: str | None, weight: str | None
) -> dict[frozenset, tuple[int, int, int, int]]:
    """Ties, strength, pairs and distinct nodes of every cell, by numpy over the edges.

    Edges are grouped by the (unordered) pair of their ends' group sets; a group-set pair
    stands for the same cells whichever edge it comes from, so only the pairs present
    are expanded in Python (a few dozen, not one per edge).
    """
    rows = [
        (index[u], index[v], data.get(count, 1) if count else 1, data.get(weight, 1) if weight else 1)
        for u, v, data in G.edges(data=True)
    ]
    if not rows:
        return {}
    ends = np.array([row[:2] for row in rows], dtype=np.int64).reshape(-1, 2)
    amounts = np.array([row[2:] for row in rows]).reshape(-1, 2)  # int64 unless a value is not whole
    number = int if amounts.dtype.kind in "iub" else float
    k = len(kinds)
    cu, cv = combo[ends[:, 0]], combo[ends[:, 1]]
    kind_pairs, inverse = np.unique(np.minimum(cu, cv) * k + np.maximum(cu, cv), return_inverse=True)
    ties = np.bincount(inverse, weights=amounts[:, 0], minlength=len(kind_pairs))
    strength = np.bincount(inverse, weights=amounts[:, 1], minlength=len(kind_pairs))
    pairs = np.bincount(inverse, minlength=len(kind_pairs))
    cell_ids: dict[frozenset, int] = {}
    cells_of: dict[int, list[int]] = {}  # group-set pair -> its cells
    totals: list[list[int]] = []
    for p, key in enumerate(kind_pairs.tolist()):
        ids = cells_of.setdefault(key, _cell_ids(kinds[key // k], kinds[key % k], cell_ids, totals))
        for cell in ids:
            totals[cell][0] += number(ties[p])
            totals[cell][1] += number(strength[p])
            totals[cell][2] += int(pairs[p])
    # distinct nodes per cell: each (node, group set of a partner) once, expanded to cells
    node = np.concatenate([ends[:, 0], ends[:, 1]])
    partner = np.concatenate([cv, cu])
    seen = np.unique(node * k + partner)
    node, partner = seen // k, seen % k
    mine = combo[node]
    pair_key = np.minimum(mine, partner) * k + np.maximum(mine, partner)
    present, which = np.unique(pair_key, return_inverse=True)
    lists = [cells_of[key] for key in present.tolist()]
    lengths = np.array([len(ids) for ids in lists], dtype=np.int64)
    flat = np.array([cell for ids in lists for cell in ids], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    repeat = lengths[which]
    offsets = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    cell = flat[np.repeat(starts[which], repeat) + offsets]
    owner = np.repeat(node, repeat)
    distinct = np.unique(owner * max(len(totals), 1) + cell) % max(len(totals), 1)
    organizations = np.bincount(distinct, minlength=len(totals))
    return {
        cell_key: (totals[i][0], totals[i][1], totals[i][2], int(organizations[i])) for cell_key, i in cell_ids.items()
    }


def _cell_ids(mine: tuple, theirs: tuple, cell_ids: dict, totals: list) -> list[int]:
    ids = []
    for cell in {frozenset((a, b)) for a in mine for b in theirs}:
        if cell not in cell_ids:
            cell_ids[cell] = len(totals)
            totals.append([0, 0, 0])
        ids.append(cell_ids[cell])
    return ids
