"""Generated maps built on assumptions other than the recommender's, grown in three
periods so they split in time like the real ones.

Each generator draws organizations with random attributes, then grows ties period by
period: in each period every untied pair ``(i, j)`` ties with probability
``1 - exp(-s * w_ij)``, where ``w_ij`` is the generator's own propensity given the map
so far and ``s`` is set so the period adds a chosen number of ties. Period 0 (dated
2015-2019) and period 1 (2021-2023) are the map; period 2 (2024) is the truth. Because
``w`` is known, every generated split carries a *ceiling*: the ranking by the
generator's own period-2 propensity, the best any method could do on average.

- ``homophily``: attributes carry signal. Ties come from movement affinity (a random
  matrix: ties within a movement are common, across movements rare and uneven), the same
  region (x10), shared issues (x(1 + 3 per issue)), a shared language other than
  English (x5), a need met by an offer (x3), and an activity level per organization,
  all multiplied; from period 1 on, plus triadic closure (3 per common partner, on the
  scale where the mean attribute propensity is 1).
- ``holme_kim``: no attribute signal. Period 0 is a Holme-Kim power-law cluster graph
  (preferential attachment with triad formation); later periods close triads
  (propensity: the square of the number of common partners) plus a little preferential
  attachment. Attributes are drawn independently of everything.
- ``preferential``: no attribute signal, no closure. Barabási-Albert period 0, then
  ties with propensity ``((k_i + 1)(k_j + 1))^1.5``: preferential attachment only.
- ``hidden_blocks``: no attribute signal. A degree-corrected stochastic block model on
  hidden communities that are unrelated to the movements (ties inside a block 100 times
  likelier); only the topology reveals them.

Periods add 2n, n and 2n ties (n organizations). Every organization consents with
probability 0.92 and takes 1 to 6 introductions a month; 40% are marked community-led,
at random; a few random pairs are in conflict.

References
----------
Holme, P. and Kim, B. J. (2002). Growing scale-free networks with tunable clustering.
Physical Review E 65, 026107.
Barabási, A.-L. and Albert, R. (1999). Emergence of scaling in random networks. Science 286.
Karrer, B. and Newman, M. E. J. (2011). Stochastic blockmodels and community structure in
networks. Physical Review E 83, 016107.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from splits import Event, Split, organization, split_in_time

__all__ = ["GENERATORS", "generate"]

MOVEMENTS = ("housing", "migrant", "disability", "queer_trans", "sex_work", "labor")
ISSUES = tuple(f"issue_{k:02d}" for k in range(15))
LANGUAGES = ("Spanish", "Cantonese", "Arabic", "Tagalog", "Haitian Creole", "Vietnamese", "Somali", "ASL")
RESOURCES = ("meeting_space", "legal_advice", "translation", "transport_funds", "tech_tools", "digital_security",
             "media_training", "childcare", "funding")  # fmt: skip
KINDS = ("collective", "union", "ngo", "ally", "legal", "health", "media", "coalition")

#: The three periods' dates: two for the map, the last for the truth.
PERIOD_DATES = (
    (date(2015, 1, 1), date(2019, 12, 31)),
    (date(2021, 1, 1), date(2023, 12, 31)),
    (date(2024, 2, 1), date(2024, 12, 31)),
)
CUTOFF, EARLIER, HORIZON = date(2023, 12, 31), date(2020, 12, 31), date(2024, 12, 31)


def generate(kind: str, n: int = 2000, seed: int = 1) -> Split:
    """A generated map of ``n`` organizations split in time (see the module docstring)."""
    rng = np.random.default_rng([seed, list(GENERATORS).index(kind)])
    attrs = _attributes(n, rng)
    propensity, first = GENERATORS[kind](attrs, rng)
    per_period = (int(2.0 * n), int(1.0 * n), int(2.0 * n))
    upper = np.triu_indices(n, 1)
    tied = np.zeros(len(upper[0]), dtype=bool)
    adjacency = sp.csr_matrix((n, n))
    events: list[Event] = []
    weights = None
    for period, target in enumerate(per_period):
        if period == 0 and first is not None:
            new = _pairs_of(first(rng), n)
        else:
            weights = propensity(adjacency)[upper]
            new = _draw(weights, tied, target, rng)
        tied[new] = True
        adjacency = _adjacency(upper, tied, n)
        start, end = PERIOD_DATES[period]
        days = (end - start).days
        for k in new.tolist():
            a, b = int(upper[0][k]), int(upper[1][k])
            when = start + timedelta(days=int(rng.integers(0, days + 1)))
            events.append(Event(_id(a), _id(b), when, strength=int(rng.integers(1, 6))))
    # the ceiling: the last period's propensity, given the map at the cut-off
    assert weights is not None
    ceiling_weights = weights
    for _ in range(max(1, n // 300)):  # a few conflicts, to exercise the limits
        a, b = sorted(rng.choice(n, 2, replace=False).tolist())
        events.append(Event(_id(a), _id(b), date(2022, 6, 1), kind="conflict", strength=1))
    orgs = [_organization(i, attrs) for i in range(n)]
    movements = [{"id": m, "name": m.replace("_", " ").title(), "color": "#777777"} for m in MOVEMENTS]
    split = split_in_time(
        f"generated: {kind}",
        "generated",
        lambda day: orgs,
        events,
        movements,
        CUTOFF,
        HORIZON,
        EARLIER,
        ceiling=_ceiling(upper, ceiling_weights),
    )
    split.notes = {"generator": kind, "seed": seed, "n": n}
    return split


# generators: (attributes, rng) -> (propensity(adjacency) -> dense n x n, optional first period)
def _homophily(attrs: dict[str, Any], rng: np.random.Generator) -> tuple[Callable, None]:
    M = len(MOVEMENTS)
    affinity = np.exp(rng.normal(-2.5, 1.0, (M, M)))
    affinity = (affinity + affinity.T) / 2
    np.fill_diagonal(affinity, 1.0)
    primary = attrs["movement"]
    second = attrs["second"]
    mv = affinity[primary][:, primary]
    has2 = second >= 0
    if has2.any():  # a second movement counts where it is the closer one
        alt = affinity[np.where(has2, second, primary)][:, primary]
        mv = np.maximum(mv, alt)
        mv = np.maximum(mv, mv.T)
    region = attrs["region"]
    base = mv * np.where(region[:, None] == region[None, :], 10.0, 1.0)
    issues = attrs["issues"].astype(float)
    base *= 1.0 + 3.0 * (issues @ issues.T)
    langs = attrs["languages"].astype(float)
    base *= np.where(langs @ langs.T > 0, 5.0, 1.0)
    needs, offers = attrs["needs"].astype(float), attrs["offers"].astype(float)
    met = needs @ offers.T
    base *= np.where((met + met.T) > 0, 3.0, 1.0)
    activity = attrs["activity"]
    base *= np.outer(activity, activity)
    np.fill_diagonal(base, 0.0)
    scale = float(base.mean())

    def propensity(adjacency: sp.csr_matrix) -> np.ndarray:
        common = (adjacency @ adjacency).toarray()
        return base / scale + 3.0 * common

    return propensity, None


def _holme_kim(attrs: dict[str, Any], rng: np.random.Generator) -> tuple[Callable, Callable]:
    n = len(attrs["movement"])

    def first(r: np.random.Generator) -> nx.Graph:
        return nx.powerlaw_cluster_graph(n, 2, 0.6, seed=int(r.integers(1 << 30)))

    def propensity(adjacency: sp.csr_matrix) -> np.ndarray:
        common = (adjacency @ adjacency).toarray().astype(float)
        degree = np.asarray(adjacency.sum(axis=1)).ravel()
        return common**2 + 0.005 * np.outer(degree, degree) / max(degree.mean(), 1.0)

    return propensity, first


def _preferential(attrs: dict[str, Any], rng: np.random.Generator) -> tuple[Callable, Callable]:
    n = len(attrs["movement"])

    def first(r: np.random.Generator) -> nx.Graph:
        return nx.barabasi_albert_graph(n, 2, seed=int(r.integers(1 << 30)))

    def propensity(adjacency: sp.csr_matrix) -> np.ndarray:
        degree = np.asarray(adjacency.sum(axis=1)).ravel()
        return np.outer(degree + 1.0, degree + 1.0) ** 1.5

    return propensity, first


def _hidden_blocks(attrs: dict[str, Any], rng: np.random.Generator) -> tuple[Callable, None]:
    n = len(attrs["movement"])
    blocks = rng.integers(0, max(4, n // 150), n)
    omega = np.where(blocks[:, None] == blocks[None, :], 1.0, 0.01)
    theta = np.exp(rng.normal(0, 1.0, n))
    base = omega * np.outer(theta, theta)
    np.fill_diagonal(base, 0.0)

    def propensity(adjacency: sp.csr_matrix) -> np.ndarray:
        return base

    return propensity, None


GENERATORS: dict[str, Callable[..., tuple[Callable, Callable | None]]] = {
    "homophily": _homophily,
    "holme_kim": _holme_kim,
    "preferential": _preferential,
    "hidden_blocks": _hidden_blocks,
}


# helpers ----------------------------------------------------------------------------------
def _id(i: int) -> str:
    return f"g{i:05d}"


def _attributes(n: int, rng: np.random.Generator) -> dict[str, Any]:
    regions = max(5, n // 100)

    def bits(width: int, low: int, high: int, p: np.ndarray | None = None) -> np.ndarray:
        out = np.zeros((n, width), dtype=np.int8)
        for i in range(n):
            out[i, rng.choice(width, int(rng.integers(low, high + 1)), replace=False, p=p)] = 1
        return out

    issue_p = 1 / np.arange(1, len(ISSUES) + 1) ** 0.8
    languages = np.zeros((n, len(LANGUAGES)), dtype=np.int8)
    speaks = rng.random(n) < 0.3
    languages[np.flatnonzero(speaks), rng.integers(0, len(LANGUAGES), int(speaks.sum()))] = 1
    movement = rng.integers(0, len(MOVEMENTS), n)
    second = np.where(rng.random(n) < 0.1, (movement + rng.integers(1, len(MOVEMENTS), n)) % len(MOVEMENTS), -1)
    return {
        "movement": movement,
        "second": second,
        "region": rng.integers(0, regions, n),
        "issues": bits(len(ISSUES), 1, 3, issue_p / issue_p.sum()),
        "languages": languages,
        "needs": bits(len(RESOURCES), 1, 2),
        "offers": bits(len(RESOURCES), 1, 2),
        "activity": np.exp(rng.normal(0, 1.0, n)),
        "community_led": rng.random(n) < 0.4,
        "consent": rng.random(n) < 0.92,
        "capacity": rng.integers(1, 7, n),
        "kind": rng.integers(0, len(KINDS), n),
    }


def _organization(i: int, attrs: dict[str, Any]) -> dict[str, Any]:
    movements = [MOVEMENTS[attrs["movement"][i]]]
    if attrs["second"][i] >= 0:
        movements.append(MOVEMENTS[attrs["second"][i]])
    consent = bool(attrs["consent"][i])
    return organization(
        _id(i),
        f"Group {i:05d}",
        movements,
        kind=KINDS[attrs["kind"][i]],
        community_led=bool(attrs["community_led"][i]),
        region=f"district_{attrs['region'][i]:03d}",
        languages=["English"] + [LANGUAGES[k] for k in np.flatnonzero(attrs["languages"][i])],
        issues=[ISSUES[k] for k in np.flatnonzero(attrs["issues"][i])],
        needs=[RESOURCES[k] for k in np.flatnonzero(attrs["needs"][i])],
        offers=[RESOURCES[k] for k in np.flatnonzero(attrs["offers"][i])],
        consent_to_introductions=consent,
        intro_capacity_per_month=int(attrs["capacity"][i]) if consent else 0,
    )


def _pairs_of(graph: nx.Graph, n: int) -> np.ndarray:
    """Positions in the upper-triangle pair list of a graph's edges."""
    e = np.array([(min(a, b), max(a, b)) for a, b in graph.edges() if a != b], dtype=np.int64)
    u, v = e[:, 0], e[:, 1]
    return u * n - u * (u + 1) // 2 + (v - u - 1)


def _draw(weights: np.ndarray, tied: np.ndarray, target: int, rng: np.random.Generator) -> np.ndarray:
    """Untied pairs drawn with probability ``1 - exp(-s w)``, ``s`` set so that about
    ``target`` pairs are drawn."""
    w = np.where(tied, 0.0, weights)
    lo, hi = 0.0, 1.0
    while -np.expm1(-hi * w).sum() < target and hi < 1e12:
        hi *= 4
    for _ in range(40):
        mid = (lo + hi) / 2
        if -np.expm1(-mid * w).sum() < target:
            lo = mid
        else:
            hi = mid
    p = -np.expm1(-hi * w)
    return np.flatnonzero(rng.random(len(w)) < p)


def _adjacency(upper: tuple[np.ndarray, np.ndarray], tied: np.ndarray, n: int) -> sp.csr_matrix:
    u, v = upper[0][tied], upper[1][tied]
    data = np.ones(2 * len(u))
    return sp.csr_matrix((data, (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n))


def _ceiling(upper: tuple[np.ndarray, np.ndarray], weights: np.ndarray) -> Callable[[Any], tuple[Any, Any, Any]]:
    """``ceiling(ix)``: the best pairs by the generator's own propensity, as positions in
    the index (organization ``g00042`` is generator node 42)."""

    def ceiling(ix: Any, limit: int = 50_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        node_at = np.array([int(org_id[1:]) for org_id in ix.ids])
        position = np.empty(len(node_at), dtype=np.int64)
        position[node_at] = np.arange(len(node_at))
        ok = ix.remaining[position[upper[0]]] > 0
        ok &= ix.remaining[position[upper[1]]] > 0
        w = np.where(ok, weights, -np.inf)
        top = np.argpartition(-w, min(limit, len(w) - 1))[:limit]
        top = top[np.isfinite(w[top])]
        return position[upper[0][top]], position[upper[1][top]], weights[top]

    return ceiling
