"""A view as numbered arrays, the ground every introduction stage stands on.

Everything here reads an audience view (``coalition.domain.privacy.view_for``) and nothing
else, so no number, candidate or name can come from what the audience may not see.

Organizations are numbered in id order, a pair ``(u, v)`` with ``u < v`` is the integer
key ``u * n + v``, and set-valued fields (issues, languages other than English, needs,
offers) become bitsets, so that a feature for a million pairs is a few numpy operations.

Semantics shared with ``graph.networkx_graph.build_graph(include_ended=False)``: the
working graph holds the current non-conflict ties (an ended tie is history), several
ties of one pair count once with the strongest strength. A pair that has ever had a
non-conflict tie already knows each other and is never a candidate; a pair with a
conflict tie never is either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any

import igraph as ig
import numpy as np
import scipy.sparse as sp

from coalition.domain.freshness import Freshness, weigh_stale
from coalition.domain.vocabulary import movement_label
from graph.algorithms.communities import louvain_communities
from graph.algorithms.igraph_bridge import IndexedGraph
from graph.records import tie_has_ended

__all__ = [
    "BUSY_STATUSES",
    "SETTLED_STATUSES",
    "MapIndex",
    "build_index",
    "contains",
    "count_used_capacity",
    "lookup",
    "month_of",
    "unique_sorted",
]

#: Statuses that take a slot of an organization's monthly capacity (when dated this month).
BUSY_STATUSES = ("planned", "asking", "agreed", "made")
#: Stored statuses whose pairs are not suggested again as new.
SETTLED_STATUSES = ("planned", "asking", "agreed", "made", "declined", "on_hold")
ENGLISH = "english"
#: ``until`` of a tie that has not ended, as a date ordinal.
FOREVER = date.max.toordinal()


def month_of(value: Any) -> str:
    """``YYYY-MM`` of an ISO date text or a date ('' for none)."""
    return str(value)[:7] if value else ""


def count_used_capacity(introductions: Iterable[dict[str, Any]], today: date) -> dict[str, int]:
    """Introductions planned or made with a status date in today's month, per organization."""
    month = month_of(today)
    used: dict[str, int] = {}
    for intro in introductions:
        if intro.get("status") in BUSY_STATUSES and month_of(intro.get("status_date")) == month:
            for end in (intro["a"], intro["b"]):
                used[end] = used.get(end, 0) + 1
    return used


@dataclass(eq=False)
class MapIndex:
    """A view as numbered arrays. Built by ``build_index``; read-only afterwards."""

    today: date
    ids: list[str]
    names: list[str]
    orgs: list[dict[str, Any]]
    community_led: np.ndarray
    consent: np.ndarray
    capacity: np.ndarray
    remaining: np.ndarray
    region: np.ndarray
    movement_ids: list[str]
    movement_names: dict[str, str]
    member: np.ndarray  # (n, M) bool
    mset: np.ndarray  # movement-set id of each organization
    msets: list[tuple[int, ...]]
    issues: np.ndarray  # (n, W) uint64 bitsets
    languages: np.ndarray
    needs: np.ndarray
    offers: np.ndarray
    edges: np.ndarray  # (m, 2) current non-conflict ties, u < v
    strength: np.ndarray
    tied_keys: np.ndarray  # sorted keys of pairs that ever had a non-conflict tie
    conflict_keys: np.ndarray
    settled_keys: np.ndarray  # stored planned / made / declined / on_hold pairs
    outcomes: np.ndarray  # (k, 3) u, v, 1 for a made introduction or 0 for a declined one
    #: (t, 5) every non-conflict tie: u, v, strength, since and until as date ordinals
    #: (since -1 when unknown, until ``FOREVER`` when open): what ``as_of`` cuts.
    history: np.ndarray = field(default_factory=lambda: np.zeros((0, 5), dtype=np.int64))
    seed: int = 0
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {org_id: i for i, org_id in enumerate(self.ids)}

    @property
    def n(self) -> int:
        return len(self.ids)

    # graph ---------------------------------------------------------------------------
    @cached_property
    def degree(self) -> np.ndarray:
        return np.bincount(self.edges.ravel(), minlength=self.n).astype(np.int64)

    @cached_property
    def adjacency(self) -> list[dict[int, int]]:
        """Current partners of each organization with the tie strength."""
        adj: list[dict[int, int]] = [{} for _ in range(self.n)]
        for (u, v), s in zip(self.edges.tolist(), self.strength.tolist(), strict=True):
            adj[u][v] = s
            adj[v][u] = s
        return adj

    @cached_property
    def igraph(self) -> ig.Graph:
        graph = ig.Graph(n=self.n, edges=self.edges.tolist(), directed=False)
        graph.es["weight"] = self.strength.astype(float).tolist()
        return graph

    @cached_property
    def component(self) -> np.ndarray:
        return np.asarray(self.igraph.connected_components().membership, dtype=np.int64)

    @cached_property
    def community(self) -> np.ndarray:
        """(n, M) Louvain community of each organization within each of its movements
        (-1 where it is not a member), from the current ties among that movement's
        organizations (fixed seed)."""
        labels = np.full((self.n, len(self.movement_ids)), -1, dtype=np.int64)
        for m in range(len(self.movement_ids)):
            members = np.flatnonzero(self.member[:, m])
            if len(members) == 0:
                continue
            sub = self.igraph.induced_subgraph(members.tolist(), implementation="create_from_scratch")
            groups = louvain_communities(
                IndexedGraph(graph=sub, nodes=members.tolist(), weight="weight"), seed=self.seed
            )
            for label, group in enumerate(groups):
                labels[group, m] = label
        return labels

    @cached_property
    def movement_ties(self) -> np.ndarray:
        """(M, M) current ties between movements: a tie counts once towards (A, B) for
        every A of one end and B of the other (A == B: both ends in A)."""
        M = len(self.movement_ids)
        counts = np.zeros((M, M), dtype=np.int64)
        for start in range(0, len(self.edges), 20_000):
            part = self.edges[start : start + 20_000]
            mu, mv = self.member[part[:, 0]], self.member[part[:, 1]]
            counts += ((mu[:, :, None] & mv[:, None, :]) | (mv[:, :, None] & mu[:, None, :])).sum(axis=0)
        return counts

    @cached_property
    def movement_pair_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """By movement-set ids: (shares a movement; fewest ties between two different
        movements of the two sets; affinity).

        Affinity is how often the two movements already work together, per pair of their
        organizations: the largest ``log(tie density / mean density)`` over a movement of
        each, with density ``(ties + 0.5) / possible pairs``."""
        K = len(self.msets)
        T = self.movement_ties.astype(float)
        size = self.member.sum(axis=0).astype(float)
        possible = np.outer(size, size)
        np.fill_diagonal(possible, size * (size - 1) / 2)
        possible = np.maximum(possible, 1.0)
        mean = float(((T + 0.5) / possible)[np.triu_indices(len(size))].mean()) if len(size) else 1.0
        density = np.log((T + 0.5) / possible / mean)
        shares = np.zeros((K, K), dtype=bool)
        fewest = np.zeros((K, K), dtype=np.int64)
        affinity = np.zeros((K, K))
        for i, a in enumerate(self.msets):
            for j, b in enumerate(self.msets):
                shares[i, j] = bool(set(a) & set(b))
                cross = [T[x, y] for x in a for y in b if x != y]
                fewest[i, j] = min(cross) if cross else T[a[0], a[0]] if a else 0
                affinity[i, j] = max((density[x, y] for x in a for y in b), default=0.0)
        return shares, fewest, affinity

    @cached_property
    def community_led_partner(self) -> np.ndarray:
        """(n, M) True where the organization has a current tie to a community-led
        organization of that movement."""
        has = np.zeros((self.n, len(self.movement_ids)), dtype=bool)
        for a, b in ((0, 1), (1, 0)):
            src, dst = self.edges[:, a], self.edges[:, b]
            keep = self.community_led[dst]
            np.logical_or.at(has, src[keep], self.member[dst[keep]])
        return has

    @cached_property
    def tied_only_to_allies(self) -> np.ndarray:
        """Community-led organizations whose current ties all go to groups that are not."""
        cl_neighbours = np.zeros(self.n, dtype=np.int64)
        for a, b in ((0, 1), (1, 0)):
            np.add.at(cl_neighbours, self.edges[:, a], self.community_led[self.edges[:, b]].astype(np.int64))
        return self.community_led & (self.degree > 0) & (cl_neighbours == 0)

    def local_rarity(self, field: str) -> np.ndarray:
        """(regions, words) ``1 / log(1 + k)`` where ``k`` counts the organizations of the
        region with that word in ``field`` (issues, languages or offers): a rare shared
        trait says more than a common one (Adamic-Adar over attributes)."""
        return self._rarity(field, local=True)

    def rarity(self, field: str) -> np.ndarray:
        """(1, words): ``local_rarity`` over the whole map, as if it were one region."""
        return self._rarity(field, local=False)

    def _rarity(self, field: str, local: bool) -> np.ndarray:
        cache = self.__dict__.setdefault("_rarity_tables", {})
        if (field, local) not in cache:
            bits = getattr(self, field)
            group = self.region if local else np.zeros(self.n, dtype=np.int64)
            counts = np.zeros((int(group.max()) + 1 if self.n else 0, bits.shape[1] * 64))
            where = np.flatnonzero(group >= 0)
            if len(where) and bits.shape[1]:
                unpacked = np.unpackbits(bits[where].view(np.uint8), axis=1, bitorder="little")
                np.add.at(counts, group[where], unpacked.astype(float))
            cache[field, local] = 1.0 / np.log(1.0 + np.maximum(counts, 1.0))
        return cache[field, local]

    @cached_property
    def sparse_adjacency(self) -> sp.csr_matrix:
        """The current ties as a symmetric 0/1 sparse matrix (for features of many pairs)."""
        e = self.edges
        ones = np.ones(2 * len(e))
        return sp.csr_matrix((ones, (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(self.n, self.n))

    @cached_property
    def broker_strength(self) -> sp.csr_matrix:
        """``[u, k]``: the strength of u's tie to k when k takes introductions (0 when it
        does not): the weaker of a common partner's two entries is the warmth it offers."""
        e = self.edges
        consenting = np.r_[self.strength, self.strength] * self.consent[np.r_[e[:, 1], e[:, 0]]]
        return sp.csr_matrix((consenting, (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(self.n, self.n))

    def as_of(self, day: int) -> MapIndex:
        """The map as it stood at the end of date ordinal ``day``: the ties started by then
        (undated ones included) and not ended before it, with no introductions, and the
        history known that day (no end after it). The same organizations and traits: a
        view keeps no history of those."""
        h = self.history
        started = h[:, 3] <= day
        current = h[started & (h[:, 4] >= day)]
        current = current[np.lexsort((current[:, 2], current[:, 1], current[:, 0]))]
        keys = self.key(current[:, 0], current[:, 1])
        last = np.ones(len(keys), dtype=bool)  # several ties of a pair: the strongest
        last[:-1] = keys[1:] != keys[:-1]
        known = h[started].copy()
        known[known[:, 4] > day, 4] = FOREVER
        earlier = self.with_ties(current[last, :2], current[last, 2], self.key(h[started, 0], h[started, 1]), known)
        return replace(earlier, today=date.fromordinal(max(day, 1)))

    def with_ties(
        self, edges: np.ndarray, strength: np.ndarray, tied_keys: np.ndarray, history: np.ndarray | None = None
    ) -> MapIndex:
        """The same organizations with other ties (current ``edges``, every pair that ever
        had a tie, and the ``history`` of their dates, none by default), no
        introductions: an earlier or thinned map to learn from. Everything computed
        from the ties is computed afresh."""
        none = np.zeros(0, dtype=np.int64)
        order = np.lexsort((edges[:, 1], edges[:, 0])) if len(edges) else none
        return replace(
            self,
            edges=edges[order].reshape(-1, 2),
            strength=strength[order],
            tied_keys=unique_sorted(tied_keys),
            settled_keys=none,
            outcomes=np.zeros((0, 3), dtype=np.int64),
            history=np.zeros((0, 5), dtype=np.int64) if history is None else history,
        )

    @cached_property
    def recency(self) -> np.ndarray:
        """Per organization ``1 / (1 + years since its latest tie began)`` as of
        ``today``, 0 with no dated tie: a group that made a new tie last year is active,
        one whose last new tie is ten years old may be dormant (a classic signal of
        link prediction over time)."""
        h = self.history[self.history[:, 3] >= 0]
        latest = np.full(self.n, -1, dtype=np.int64)
        np.maximum.at(latest, h[:, 0], h[:, 3])
        np.maximum.at(latest, h[:, 1], h[:, 3])
        years = np.maximum(self.today.toordinal() - latest, 0) / 365.25
        return np.where(latest >= 0, 1.0 / (1.0 + years), 0.0)

    def key(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        return lo.astype(np.int64) * self.n + hi

    def split(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return keys // self.n, keys % self.n


def build_index(
    view: dict[str, Any],
    today: date | None = None,
    used_capacity: dict[str, int] | None = None,
    seed: int = 0,
    freshness: Freshness | None = None,
) -> MapIndex:
    """Number a view's organizations and ties.

    ``used_capacity`` (organization id -> introductions planned or made this month) may
    come from the whole store, so that introductions with organizations the audience
    may not see still take their slot; by default it is counted from the view. Stale
    ties weigh as ``freshness`` says (``coalition.domain.freshness``).
    """
    today = today or date.today()
    view = weigh_stale(view, freshness or Freshness(), today)
    orgs = sorted(view.get("organizations", []), key=lambda o: o["id"])
    ids = [o["id"] for o in orgs]
    index = {org_id: i for i, org_id in enumerate(ids)}
    n = len(ids)

    movement_ids = [m["id"] for m in view.get("movements", [])]
    for org in orgs:
        movement_ids += [m for m in org.get("movements", []) if m not in movement_ids]
    movement_at = {m: i for i, m in enumerate(movement_ids)}
    movement_names = {m["id"]: movement_label(m) for m in view.get("movements", [])}
    member = np.zeros((n, len(movement_ids)), dtype=bool)
    set_ids: dict[tuple[int, ...], int] = {}
    mset = np.zeros(n, dtype=np.int64)
    for i, org in enumerate(orgs):
        ms = tuple(sorted({movement_at[m] for m in org.get("movements", [])}))
        member[i, list(ms)] = True
        mset[i] = set_ids.setdefault(ms, len(set_ids))

    regions: dict[str, int] = {}
    region = np.array(
        [regions.setdefault(o["region"], len(regions)) if o.get("region") else -1 for o in orgs], dtype=np.int64
    )
    languages = [[lang for lang in o.get("languages") or [] if lang.strip().lower() != ENGLISH] for o in orgs]

    if used_capacity is None:
        used_capacity = count_used_capacity(view.get("introductions", []), today)
    consent = np.array([bool(o.get("consent_to_introductions", True)) for o in orgs], dtype=bool)
    capacity = np.array([int(o.get("intro_capacity_per_month") or 0) for o in orgs], dtype=np.int64)
    used = np.array([used_capacity.get(org_id, 0) for org_id in ids], dtype=np.int64)
    remaining = np.where(consent, np.maximum(capacity - used, 0), 0)

    current: dict[tuple[int, int], int] = {}
    tied: set[tuple[int, int]] = set()
    conflicts: set[tuple[int, int]] = set()
    history = []
    for tie in view.get("ties", []):
        u, v = index.get(tie["source"]), index.get(tie["target"])
        if u is None or v is None or u == v:
            continue
        pair = (min(u, v), max(u, v))
        if tie.get("kind") == "conflict":
            conflicts.add(pair)
            continue
        tied.add(pair)
        until = _ordinal(tie.get("until"))
        history.append(
            (*pair, int(tie.get("strength") or 1), _ordinal(tie.get("since")), until if until > 0 else FOREVER)
        )
        if not tie_has_ended(tie, today):
            current[pair] = max(current.get(pair, 0), int(tie.get("strength") or 1))
    edges = np.array(sorted(current), dtype=np.int64).reshape(-1, 2)
    strength = np.array([current[p] for p in sorted(current)], dtype=np.int64)

    settled, outcomes = [], []
    for intro in view.get("introductions", []):
        a, b = sorted((intro["a"], intro["b"]))
        if a not in index or b not in index:
            continue
        if intro.get("status") in SETTLED_STATUSES:
            settled.append(index[a] * n + index[b])
        if intro.get("status") in ("made", "declined"):
            outcomes.append((index[a], index[b], int(intro["status"] == "made")))

    resources = _vocabulary(orgs)  # needs and offers share one, so a need meets an offer bit for bit

    def keys_of(pairs: Iterable[tuple[int, int]]) -> np.ndarray:
        return unique_sorted(np.array([u * n + v for u, v in pairs], dtype=np.int64))

    return MapIndex(
        today=today,
        ids=ids,
        names=[o.get("name") or o["id"] for o in orgs],
        orgs=orgs,
        community_led=np.array([bool(o.get("community_led")) for o in orgs], dtype=bool),
        consent=consent,
        capacity=capacity,
        remaining=remaining,
        region=region,
        movement_ids=movement_ids,
        movement_names=movement_names,
        member=member,
        mset=mset,
        msets=[ms for ms, _ in sorted(set_ids.items(), key=lambda item: item[1])],
        issues=_bitsets([o.get("issues") or [] for o in orgs]),
        languages=_bitsets(languages),
        needs=_bitsets([o.get("needs") or [] for o in orgs], vocabulary=resources),
        offers=_bitsets([o.get("offers") or [] for o in orgs], vocabulary=resources),
        edges=edges,
        strength=strength,
        tied_keys=keys_of(tied),
        conflict_keys=keys_of(conflicts),
        settled_keys=unique_sorted(np.array(settled, dtype=np.int64)),
        outcomes=np.array(outcomes, dtype=np.int64).reshape(-1, 3),
        history=np.array(history, dtype=np.int64).reshape(-1, 5),
        seed=seed,
    )


def unique_sorted(keys: np.ndarray, inverse: bool = False) -> Any:
    """``np.unique`` for integer keys by sorting (numpy 2.4's hash-based ``unique`` is
    some fifty times slower on millions of int64), optionally with the inverse."""
    keys = np.asarray(keys, dtype=np.int64)
    order = np.argsort(keys, kind="stable") if inverse else None
    ordered = keys[order] if inverse else np.sort(keys)
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    unique = ordered[first]
    if not inverse:
        return unique
    positions = np.empty(len(keys), dtype=np.int64)
    positions[order] = np.cumsum(first) - 1
    return unique, positions


def contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``np.isin(keys, sorted_keys)`` for sorted integer keys by binary search (``np.isin``
    goes through the slow hash-based ``unique`` on millions of keys)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys


def lookup(sorted_keys: np.ndarray, values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``values`` at ``keys`` in ``sorted_keys``, 0 where absent."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys))
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return np.where(sorted_keys[at] == keys, values[at], 0).astype(float)


def _ordinal(value: Any) -> int:
    """A date (or ISO date text) as its ordinal; -1 when missing or not a date."""
    if isinstance(value, date):
        return value.toordinal()
    try:
        return date.fromisoformat(str(value)[:10]).toordinal() if value else -1
    except ValueError:
        return -1


def _vocabulary(orgs: list[dict[str, Any]]) -> list[str]:
    words = {w for o in orgs for f in ("needs", "offers") for w in o.get(f) or []}
    return sorted(words)


def _bitsets(values: list[list[str]], vocabulary: list[str] | None = None) -> np.ndarray:
    vocabulary = vocabulary if vocabulary is not None else sorted({w for vs in values for w in vs})
    at = {w: i for i, w in enumerate(vocabulary)}
    words = (len(vocabulary) + 63) // 64
    bits = np.zeros((len(values), words), dtype=np.uint64)
    rows = np.fromiter((row for row, vs in enumerate(values) for _ in vs), dtype=np.int64)
    found = np.fromiter((at[w] for vs in values for w in vs), dtype=np.int64, count=len(rows))
    np.bitwise_or.at(bits, (rows, found // 64), np.left_shift(np.uint64(1), (found % 64).astype(np.uint64)))
    return bits
