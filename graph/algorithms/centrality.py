"""Betweenness centrality through igraph: exact on small graphs, sampled on large ones.

Exact betweenness costs one shortest-path search per node: about 12 ms per source on a
50,000-node, 200,000-edge graph in igraph, so ten minutes for all of them. Above
``exact_max_nodes`` nodes we sample ``pivots`` sources with a fixed seed (Brandes and
Pich 2007) and scale up exactly as ``networkx.betweenness_centrality(k=..., seed=...)``
does, with the same sample: the two agree to rounding on the same graph and seed.

A sampled betweenness is a sum over its sources, so on a large graph a share of them go
to a second process (``spawn``: safe in the dashboard's threaded server) while this one
works through the rest (``start_betweenness``): on a 50,000-node, 100,000-edge map the
sources take 20-30 ms each (sparse maps have long paths), 11 s of one core for all 500.
Where no second process can be started, this one does them all.
"""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Hashable
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np

from graph.algorithms.igraph_bridge import IndexedGraph, as_indexed

__all__ = [
    "EXACT_MAX_NODES",
    "PARALLEL_MIN_NODES",
    "PIVOTS",
    "betweenness",
    "PendingBetweenness",
    "betweenness_is_sampled",
    "sources_betweenness",
    "start_betweenness",
]

#: Largest graph whose betweenness is computed exactly (about 3 s at 5,000 nodes).
EXACT_MAX_NODES = 5000
#: Sampled sources beyond that size (about 6 s at 50,000 nodes and 200,000 edges).
PIVOTS = 500
#: Smallest graph whose sampled sources are split with a second process (below it,
#: starting the process costs more than it saves).
PARALLEL_MIN_NODES = 20_000


def betweenness_is_sampled(n: int, exact_max_nodes: int = EXACT_MAX_NODES, pivots: int = PIVOTS) -> bool:
    """True when ``betweenness`` samples sources for a graph of ``n`` nodes."""
    return n > exact_max_nodes and pivots < n


def betweenness(G: nx.Graph | IndexedGraph, **options: Any) -> dict[Hashable, float]:
    """Shortest-path betweenness of every node (hop counts; weights are ignored):
    ``start_betweenness(G, **options).result()``.

    Returns
    -------
    dict
        ``{node: betweenness}``.

    References
    ----------
    .. [1] Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of
       Mathematical Sociology 25(2), 163-177.
    .. [2] Brandes, U. and Pich, C. (2007). Centrality estimation in large networks.
       International Journal of Bifurcation and Chaos 17(7), 2303-2318.

    Examples
    --------
    >>> betweenness(nx.path_graph(3))
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    return start_betweenness(G, **options).result()


def start_betweenness(
    G: nx.Graph | IndexedGraph,
    *,
    normalized: bool = True,
    exact_max_nodes: int = EXACT_MAX_NODES,
    pivots: int = PIVOTS,
    seed: int = 0,
    workers: int | None = None,
    parallel_min_nodes: int = PARALLEL_MIN_NODES,
    worker_share: float = 0.5,
) -> PendingBetweenness:
    """Betweenness in two steps: a worker process (when there is one) starts on its
    ``worker_share`` of the sampled sources at once, and ``result()`` works through the
    rest here. A caller with other work to do in between (the gap analysis) does it
    while the worker runs, and gives it the larger share.

    Parameters
    ----------
    G : networkx.Graph or IndexedGraph
        Undirected simple graph.
    normalized : bool
        Divide by the number of pairs of other nodes, as networkx does.
    exact_max_nodes : int
        Exact computation up to this many nodes.
    pivots : int
        Number of sampled sources above ``exact_max_nodes``.
    seed : int
        Seed of the source sample: ``random.Random(seed).sample(list(G), pivots)``,
        the sample networkx draws for ``k=pivots, seed=seed``.
    workers : int or None
        Processes for the sampled sources: 2 shares them with a second process when the
        graph has at least ``parallel_min_nodes`` nodes; None: 2 when this process may
        run on two CPUs or more.
    parallel_min_nodes : int
        Smallest graph whose sources are shared.
    worker_share : float
        Share of the sampled sources the second process takes.
    """
    H = as_indexed(G)
    if not betweenness_is_sampled(H.n, exact_max_nodes, pivots) or H.n < 3:
        return PendingBetweenness(H, normalized, None)
    if pivots < 2:
        raise ValueError("betweenness needs at least 2 pivots to sample")
    sample = [H.index[node] for node in random.Random(seed).sample(list(H.nodes), pivots)]
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    pending = PendingBetweenness(H, normalized, sample)
    if workers >= 2 and H.n >= parallel_min_nodes:
        pending.hand_over(round(len(sample) * worker_share))
    return pending


class PendingBetweenness:
    """A betweenness under way (see ``start_betweenness``); ``sample`` is None when it
    is exact."""

    def __init__(self, H: IndexedGraph, normalized: bool, sample: list[int] | None) -> None:
        self.H, self.normalized, self.sample = H, normalized, sample
        self.ours: list[int] = list(sample or [])
        self.theirs: list[int] = []
        self.worker: BaseProcess | None = None
        self.receiving: Connection | None = None
        #: Whether a worker process did its share (known once ``result`` has run).
        self.worker_did_its_part = False

    def hand_over(self, count: int) -> None:
        """Start a worker process on ``count`` of the sources, spread over the sample.

        The process starts with nothing but two pipe ends, so starting it does not wait
        for it to load its modules; a thread sends it the graph and its sources. A queue
        would not do: its feeder thread can wait a long time for the interpreter lock,
        which igraph holds while this process works through its own sources."""
        if count <= 0:
            return
        step = len(self.ours) / count
        picked = {int(i * step) for i in range(count)}
        theirs = [s for i, s in enumerate(self.ours) if i in picked]
        context = get_context("spawn")
        work_in, work_out = context.Pipe(duplex=False)
        result_in, result_out = context.Pipe(duplex=False)
        worker = context.Process(target=_worker_part, args=(work_in, result_out), daemon=True)
        try:
            worker.start()
        except OSError:
            for end in (work_in, work_out, result_in, result_out):
                end.close()
            return
        work_in.close()
        result_out.close()
        work = (self.H.n, self.H.edges.astype(np.int32), theirs)
        threading.Thread(target=_send_and_close, args=(work_out, work), daemon=True).start()
        self.theirs, self.ours = theirs, [s for i, s in enumerate(self.ours) if i not in picked]
        self.worker, self.receiving = worker, result_in

    def result(self) -> dict[Hashable, float]:
        """``{node: betweenness}``, once this process has done its share and the worker
        its own (or this process the worker's too, when the worker could not)."""
        H, n = self.H, self.H.n
        if n < 3:
            return dict.fromkeys(H.nodes, 0.0)
        if self.sample is None:
            raw = H.graph.betweenness(directed=False)
            scale = 2.0 / ((n - 1) * (n - 2)) if self.normalized else 1.0
            return {node: float(raw[i]) * scale for i, node in enumerate(H.nodes)}
        # igraph counts each (source, target) path once in an undirected graph, i.e. half
        # of the summed dependencies of the sampled sources.
        half = np.asarray(H.graph.betweenness(directed=False, sources=self.ours), dtype=float)
        if self.theirs:
            other = self._received()
            self.worker_did_its_part = other is not None
            if other is None:
                other = H.graph.betweenness(directed=False, sources=self.theirs)
            half += np.asarray(other, dtype=float)
        k, sources = len(self.sample), set(self.sample)
        if self.normalized:
            on_source, elsewhere = 1.0 / ((k - 1) * (n - 2)), 1.0 / (k * (n - 2))
        else:
            on_source, elsewhere = (n - 1) / (2.0 * (k - 1)), (n - 1) / (2.0 * k)
        return {
            node: 2.0 * float(half[i]) * (on_source if i in sources else elsewhere) for i, node in enumerate(H.nodes)
        }

    def _received(self) -> list[float] | None:
        """The worker's part, or None when it could not run it."""
        if self.receiving is None or self.worker is None:
            return None
        try:
            return self.receiving.recv()
        except (EOFError, OSError):
            return None
        finally:
            self.receiving.close()
            self.worker.join()


def _send_and_close(sending: Connection, work: object) -> None:
    try:
        sending.send(work)
    except OSError:
        pass  # the worker is gone: this process does its part (``result``)
    finally:
        sending.close()


def _worker_part(work: Connection, result: Connection) -> None:
    """In the worker process: receive the graph and sources, send back their part (or
    nothing, quietly, when the caller has gone: it does the part itself or needs none)."""
    try:
        n, edges, sources = work.recv()
        result.send(sources_betweenness(n, edges, sources))
    except (EOFError, OSError):
        return
    finally:
        work.close()
        result.close()


def sources_betweenness(n: int, edges: np.ndarray, sources: list[int]) -> list[float]:
    """igraph's betweenness over ``sources`` of the undirected graph on ``n`` vertices with
    these ``edges`` (vertex numbers as in the caller's graph): a worker's part."""
    graph = ig.Graph(n=n, edges=edges.tolist(), directed=False)
    return graph.betweenness(directed=False, sources=sources)
