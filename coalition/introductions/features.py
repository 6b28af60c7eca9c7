"""Features of a candidate pair for the likelihood model, and its bridging value.

Features are on fixed, readable scales (counts, 0/1, sums of ``1 / log``), so a learned
weight says directly how much one unit moves the odds. The attribute features are
Adamic-Adar over attributes: a rare shared trait (the only two Tagalog speakers in a
region) says more than a common one.
"""

from __future__ import annotations

import numpy as np

from coalition.introductions.index import MapIndex, lookup, unique_sorted

__all__ = ["FEATURES", "bridging_value", "community_ties", "pair_features", "structural"]

#: The likelihood model's features, in column order (see ``pair_features``).
FEATURES = (
    "common_partners",  # partners in common, at most 10
    "adamic_adar",  # sum over common partners of 1 / log(their number of ties)
    "resource_allocation",  # sum over common partners of 1 / their number of ties
    "same_region",  # 1 when both are in the same region
    "issue_nearby",  # same region: sum over shared issues of 1 / log(1 + groups there on it)
    "language_nearby",  # same region: sum over shared languages (not English) of 1 / log(1 + speakers there)
    "need_met_nearby",  # same region: sum over needs met of 1 / log(1 + groups there offering it)
    "shared_issues",  # anywhere: sum over shared issues of 1 / log(1 + groups on it)
    "shared_languages",  # anywhere: sum over shared languages (not English) of 1 / log(1 + speakers)
    "needs_met",  # anywhere, both ways: sum over needs met of 1 / log(1 + groups offering it)
    "movement_affinity",  # log(tie density between their movements / mean density)
    "activity",  # mean log(1 + ties) of the two, centred on the map's mean
    "warmth",  # weaker tie (1-5) of the best common partner who takes introductions, 0 if none
    "recent_activity",  # the less recently active of the two: 1 / (1 + years since its latest tie began)
)


def structural(ix: MapIndex, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
    """Common partners, Adamic-Adar, resource allocation and warmth for given pairs
    (sparse rows of the adjacency combined: for the pairs a model learns from, which
    need not have a partner in common; candidates get them from
    ``coalition.introductions.candidates.two_step``)."""
    if len(u) == 0 or len(ix.edges) == 0:
        return tuple(np.zeros(len(u)) for _ in range(4))
    A, S = ix.sparse_adjacency, ix.broker_strength
    degree = ix.degree.astype(float)
    inv_log = np.where(degree > 1, 1.0 / np.log(np.maximum(degree, 2)), 0.0)
    inv = np.where(degree > 0, 1.0 / np.maximum(degree, 1), 0.0)
    common, aa, ra, warmth = (np.zeros(len(u)) for _ in range(4))
    for start in range(0, len(u), 50_000):
        part = slice(start, start + 50_000)
        shared = A[u[part]].multiply(A[v[part]]).tocsr()
        common[part] = np.asarray(shared.sum(axis=1)).ravel()
        aa[part] = shared @ inv_log
        ra[part] = shared @ inv
        warmth[part] = S[u[part]].minimum(S[v[part]]).max(axis=1).toarray().ravel()
    return common, aa, ra, warmth


def pair_features(
    ix: MapIndex,
    u: np.ndarray,
    v: np.ndarray,
    common: np.ndarray,
    aa: np.ndarray,
    ra: np.ndarray,
    warmth: np.ndarray,
) -> np.ndarray:
    """The feature matrix (pairs x ``FEATURES``)."""
    same_region = (ix.region[u] == ix.region[v]) & (ix.region[u] >= 0)
    anywhere = np.zeros(len(u), dtype=np.int64)  # every pair in the one "region" of ``rarity``
    issues = _rarity_sum(ix.issues[u] & ix.issues[v], ix.rarity("issues"), anywhere)
    languages = _rarity_sum(ix.languages[u] & ix.languages[v], ix.rarity("languages"), anywhere)
    needs = _rarity_sum(ix.needs[u] & ix.offers[v], ix.rarity("offers"), anywhere) + _rarity_sum(
        ix.needs[v] & ix.offers[u], ix.rarity("offers"), anywhere
    )
    near = np.flatnonzero(same_region)
    nu, nv, rows = u[near], v[near], ix.region[u[near]]
    issue_nearby, language_nearby, need_nearby = (np.zeros(len(u)) for _ in range(3))
    issue_nearby[near] = _rarity_sum(ix.issues[nu] & ix.issues[nv], ix.local_rarity("issues"), rows)
    language_nearby[near] = _rarity_sum(ix.languages[nu] & ix.languages[nv], ix.local_rarity("languages"), rows)
    offers = ix.local_rarity("offers")
    need_nearby[near] = _rarity_sum(ix.needs[nu] & ix.offers[nv], offers, rows) + _rarity_sum(
        ix.needs[nv] & ix.offers[nu], offers, rows
    )
    affinity = ix.movement_pair_tables[2][ix.mset[u], ix.mset[v]]
    degree_u, degree_v = ix.degree[u].astype(float), ix.degree[v].astype(float)
    mean_log_degree = float(np.log1p(ix.degree).mean()) if ix.n else 0.0
    columns = [
        np.log1p(common),
        np.log1p(aa),
        np.log1p(ra),
        same_region.astype(float),
        issue_nearby,
        language_nearby,
        need_nearby,
        issues,
        languages,
        needs,
        affinity,
        (np.log1p(degree_u) + np.log1p(degree_v)) / 2 - mean_log_degree,
        warmth,
        np.minimum(ix.recency[u], ix.recency[v]),
    ]
    return np.column_stack(columns).astype(float) if len(u) else np.zeros((0, len(FEATURES)))


def _rarity_sum(shared: np.ndarray, rarity: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Sum of ``rarity[row, word]`` over the set bits of each pair's shared bitset: one
    table lookup per byte of the bitsets (the sum for each of a byte's 256 values,
    worked out once) over the pairs that share anything."""
    out = np.zeros(len(rows))
    hit = np.flatnonzero(shared.any(axis=1)) if rarity.shape[1] else np.zeros(0, dtype=np.int64)
    if len(hit) == 0:
        return out
    octets = shared[hit].view(np.uint8)  # little-endian: octet j holds words 8j .. 8j + 7
    bits = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little").astype(float)
    table = np.einsum("vb,rjb->rjv", bits, rarity.reshape(len(rarity), -1, 8))  # (rows, octets, 256)
    at, found = rows[hit], np.zeros(len(hit))
    for j in range(octets.shape[1]):
        column = octets[:, j]
        if column.any():
            found += table[at, j, column]
    out[hit] = found
    return out


def bridging_value(ix: MapIndex, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """How much a pair bridges: a factor around 1 (from 0.5 up).

    - joins movements with few ties: ``1 + 1 / sqrt(1 + t)`` where ``t`` is the fewest
      current ties between a movement of one and a different movement of the other.
      Two organizations of one movement only join two of its communities, which counts
      for less (across movements first): ``0.5 * (1 + 0.5 / sqrt(1 + c))`` with ``c``
      the ties between their two communities, so a pair across movements outweighs a
      pair within one movement of the same likelihood at least 1.3 times over;
    - x 1.25 when nothing in the map connects them yet (different components);
    - x 1.5 when one is a community-led group with no ties at all;
    - x 1.2 when one is a community-led group tied only to allies and the other is
      community-led;
    - community-led first: x (1 + 0.25 per community-led organization in the pair).
    """
    shares = ix.movement_pair_tables[0][ix.mset[u], ix.mset[v]]
    sparse = ix.movement_pair_tables[1][ix.mset[u], ix.mset[v]].astype(float)
    if shares.any():
        sparse[shares] = community_ties(ix, u[shares], v[shares])
    value = np.where(shares, 0.5 * (1 + 0.5 / np.sqrt(1 + sparse)), 1 + 1 / np.sqrt(1 + sparse))
    value *= np.where(ix.component[u] != ix.component[v], 1.25, 1.0)
    cl = ix.community_led
    isolated = cl & (ix.degree == 0)
    value *= np.where(isolated[u] | isolated[v], 1.5, 1.0)
    allies_only = ix.tied_only_to_allies
    value *= np.where((allies_only[u] & cl[v]) | (allies_only[v] & cl[u]), 1.2, 1.0)
    value *= 1 + 0.25 * (cl[u].astype(float) + cl[v].astype(float))
    return value


def community_ties(ix: MapIndex, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """For pairs sharing a movement: the fewest current ties between their two
    communities over the movements they share."""
    community = ix.community
    width = int(community.max()) + 2 if community.size else 1
    best = np.full(len(u), np.inf)
    for m in range(len(ix.movement_ids)):
        both = (community[u, m] >= 0) & (community[v, m] >= 0)
        if not both.any():
            continue
        e = ix.edges
        inside = ix.member[e[:, 0], m] & ix.member[e[:, 1], m]
        cu, cv = community[e[inside, 0], m], community[e[inside, 1], m]
        tie_keys, inverse = unique_sorted(np.minimum(cu, cv) * width + np.maximum(cu, cv), inverse=True)
        tie_counts = np.bincount(inverse, minlength=len(tie_keys))
        pu, pv = community[u[both], m], community[v[both], m]
        counts = lookup(tie_keys, tie_counts, np.minimum(pu, pv) * width + np.maximum(pu, pv))
        best[both] = np.minimum(best[both], counts)
    return np.where(np.isfinite(best), best, 0)
