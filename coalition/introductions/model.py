"""How likely an introduction is to work: small logistic regressions learned from the
map's own ties, in plain numpy, whose weights can be printed.

Two models, because two kinds of pairs are suggested and ties form differently in each:
``across`` movements (the two share no movement) and ``within`` one movement (they share
one but sit in different communities of it). Each learns from the current ties of its
kind that already bridge, against as many pairs of its kind without a tie, half drawn
from the candidates the recommender would rank and half at random. Features are on
fixed, readable scales (counts, 0/1, logs; see ``coalition.introductions.features.FEATURES``),
so a weight says directly how much a feature moves the odds: ``exp(weight)`` per unit.

A small map has few examples, so each fit is pulled towards a prior (ridge penalty
around hand-set weights, not around zero): with no ties of a kind the prior is the
model; with thousands the data decide. The sample is balanced (one pair without a tie
per tie), so the intercept is shifted back by the map's base rate of ties across
movements (King and Zeng's prior correction): the likelihood is then a rough chance that
the pair would tie, small for most pairs, so the bridging value multiplies odds rather
than saturated probabilities. Pairs within a movement use the same base rate (ties come
more easily inside a movement; on their own base rate they would crowd out the bridges
between movements): their likelihood says how much likelier than a typical pair of their
kind they are, on the scale of pairs across movements.

The coalition's own outcomes are labels too: an introduction marked made is a tie that
formed (a positive, if its tie is not recorded already), one marked declined a pair that
did not want to meet (a negative); each weighs ``OUTCOME_WEIGHT`` examples, because it is
a decision about exactly the kind of pair the list suggests.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from coalition.introductions.candidates import Candidates, distinct_groups
from coalition.introductions.features import FEATURES, pair_features, structural
from coalition.introductions.index import MapIndex

__all__ = ["PRIOR", "KINDS", "LikelihoodModel", "PairModel", "fit_model", "fit_logistic"]

#: The two kinds of pairs, each with its own model.
KINDS = ("across", "within")

#: Hand-set starting weights (the model when a map has too few ties to learn from).
PRIOR: dict[str, float] = {
    "intercept": 0.0,
    "common_partners": 0.5,
    "adamic_adar": 0.5,
    "resource_allocation": 1.0,
    "same_region": 0.5,
    "issue_nearby": 0.5,
    "language_nearby": 0.5,
    "need_met_nearby": 0.5,
    "shared_issues": 0.3,
    "shared_languages": 0.3,
    "needs_met": 0.3,
    "movement_affinity": 0.5,
    "activity": 0.3,
}
#: Ridge strength towards the prior (in examples' worth), and the most positives used.
PRIOR_STRENGTH = 2.0
MAX_POSITIVES = 20_000
MIN_POSITIVES = 5
#: How many examples one made or declined introduction of the map's history weighs.
OUTCOME_WEIGHT = 5.0


@dataclass(frozen=True)
class LikelihoodModel:
    """Logistic regression weights over ``FEATURES`` (``weights[0]`` is the intercept)."""

    weights: np.ndarray
    offset: float = 0.0
    positives: int = 0
    negatives: int = 0

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The chance that a pair would tie, for each row of features."""
        z = self.weights[0] + self.offset + X @ self.weights[1:]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def as_dict(self) -> dict[str, float]:
        """``{"intercept": w0, feature: w, ...}`` rounded for printing (the intercept
        includes the base-rate offset)."""
        weights = self.weights.copy()
        weights[0] += self.offset
        names = ("intercept", *FEATURES)
        return {name: round(float(w), 4) for name, w in zip(names, weights, strict=True)}


@dataclass(frozen=True)
class PairModel:
    """One ``LikelihoodModel`` per kind of pair."""

    across: LikelihoodModel
    within: LikelihoodModel

    def predict(self, X: np.ndarray, within: np.ndarray) -> np.ndarray:
        """Likelihood of each pair, by the model of its kind (``within``: a boolean mask)."""
        out = self.across.predict(X)
        if within.any():
            out[within] = self.within.predict(X[within])
        return out

    def as_dict(self) -> dict[str, float]:
        """Flat, printable: ``across.<name>`` and ``within.<name>`` weights, and how many
        ties (``positives``) and pairs without a tie (``negatives``) each learned from."""
        flat: dict[str, float] = {}
        for kind in KINDS:
            model = getattr(self, kind)
            flat.update({f"{kind}.{name}": w for name, w in model.as_dict().items()})
            flat[f"{kind}.positives"] = model.positives
            flat[f"{kind}.negatives"] = model.negatives
        return flat


def prior_model(offset: float = 0.0) -> LikelihoodModel:
    return LikelihoodModel(np.array([PRIOR[name] for name in ("intercept", *FEATURES)]), offset=offset)


def fit_model(ix: MapIndex, pool: Candidates, seed: int = 0) -> PairModel:
    """Learn both likelihood models from the map's ties (see the module docstring)."""
    rng = np.random.default_rng(seed)
    edges = ix.edges
    shares = ix.movement_pair_tables[0][ix.mset[edges[:, 0]], ix.mset[edges[:, 1]]]
    bridging = distinct_groups(ix, edges[:, 0], edges[:, 1])
    pool_within = ix.movement_pair_tables[0][ix.mset[pool.u], ix.mset[pool.v]]
    share = _kind_shares(ix, rng)
    across = _fit_kind(ix, pool, "across", edges[~shares], np.flatnonzero(~pool_within), share["across"], rng)
    within = _fit_kind(ix, pool, "within", edges[shares & bridging], np.flatnonzero(pool_within), share["within"], rng)
    # Ties inside a movement come easily; judged on their own base rate, pairs within a
    # movement would crowd out the bridges between movements this tool is for. So both
    # kinds share the across-movement base rate: a within pair ranks by how much likelier
    # it is than a typical within pair, on the scale of pairs across movements.
    return PairModel(across=across, within=replace(within, offset=across.offset))


def _fit_kind(
    ix: MapIndex,
    pool: Candidates,
    kind: str,
    positives: np.ndarray,
    in_pool: np.ndarray,
    share: float,
    rng: np.random.Generator,
) -> LikelihoodModel:
    pairs = share * ix.n * (ix.n - 1) / 2
    rate = min(max(len(positives), 1) / max(pairs, 1.0), 0.5)
    offset = float(np.log(rate / (1 - rate)))
    if len(positives) < MIN_POSITIVES:
        return prior_model(offset)
    if len(positives) > MAX_POSITIVES:
        positives = positives[np.sort(rng.choice(len(positives), MAX_POSITIVES, replace=False))]
    pu, pv = positives[:, 0], positives[:, 1]
    nu, nv = _negatives(ix, pool, in_pool, kind, len(positives), rng)
    ou, ov, label = _outcomes(ix, kind)
    X = np.vstack(
        [
            pair_features(ix, pu, pv, *structural(ix, pu, pv), tied=True),
            pair_features(ix, nu, nv, *structural(ix, nu, nv)),
            pair_features(ix, ou, ov, *structural(ix, ou, ov)),
        ]
    )
    y = np.concatenate([np.ones(len(pu)), np.zeros(len(nu)), label.astype(float)])
    weight = np.concatenate([np.ones(len(pu) + len(nu)), np.full(len(ou), OUTCOME_WEIGHT)])
    weights = fit_logistic(X, y, prior=prior_model().weights, strength=PRIOR_STRENGTH, sample_weight=weight)
    return LikelihoodModel(
        weights, offset=offset, positives=len(pu) + int(label.sum()), negatives=len(nu) + int((label == 0).sum())
    )


def _outcomes(ix: MapIndex, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Made (1) and declined (0) introductions of this kind whose pair has no tie yet (a
    made introduction whose tie is recorded already counts as that tie)."""
    if len(ix.outcomes) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    u, v, label = ix.outcomes.T
    keep = _of_kind(ix, u, v, kind) & ~np.isin(ix.key(u, v), ix.tied_keys)
    return u[keep], v[keep], label[keep]


def fit_logistic(
    X: np.ndarray,
    y: np.ndarray,
    prior: np.ndarray,
    strength: float = 1.0,
    max_iter: int = 100,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """Newton's method for logistic regression with a ridge penalty towards ``prior``
    (the intercept is barely held), each example weighing ``sample_weight`` (default 1).
    Returns ``[intercept, weights...]``.

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> w = fit_logistic(X, np.array([0, 0, 1, 1]), prior=np.zeros(2), strength=1.0)
    >>> bool(w[1] > 0)
    True
    """
    X1 = np.column_stack([np.ones(len(X)), X])
    s = np.ones(len(X)) if sample_weight is None else sample_weight
    penalty = np.full(X1.shape[1], strength)
    penalty[0] = 1e-3

    def loss(w: np.ndarray) -> float:
        z = X1 @ w
        return float(s @ (np.logaddexp(0, z) - y * z) + 0.5 * penalty @ (w - prior) ** 2)

    w = prior.astype(float).copy()
    current = loss(w)
    for _ in range(max_iter):
        p = 1.0 / (1.0 + np.exp(-np.clip(X1 @ w, -30, 30)))
        gradient = X1.T @ (s * (p - y)) + penalty * (w - prior)
        hessian = (X1 * (s * p * (1 - p))[:, None]).T @ X1 + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-6 and loss(w - size * step) > current:  # damped: never a step uphill
            size /= 2
        w -= size * step
        previous, current = current, loss(w)
        if np.max(np.abs(size * step)) < 1e-9 or previous - current < 1e-12:
            break
    return w


def _of_kind(ix: MapIndex, u: np.ndarray, v: np.ndarray, kind: str) -> np.ndarray:
    shares = ix.movement_pair_tables[0][ix.mset[u], ix.mset[v]]
    if kind == "across":
        return ~shares
    return shares & distinct_groups(ix, u, v)


def _kind_shares(ix: MapIndex, rng: np.random.Generator, sample: int = 20_000) -> dict[str, float]:
    """The share of all pairs that are of each kind, from a random sample of pairs."""
    if ix.n < 2:
        return {kind: 1.0 for kind in KINDS}
    u = rng.integers(0, ix.n, sample)
    v = rng.integers(0, ix.n, sample)
    keep = u != v
    u, v = u[keep], v[keep]
    return {kind: max(float(_of_kind(ix, u, v, kind).mean()), 1.0 / sample) for kind in KINDS}


def _negatives(
    ix: MapIndex, pool: Candidates, in_pool: np.ndarray, kind: str, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of the kind without a tie: half from the candidate pool, half at random."""
    from_pool = min(count // 2, len(in_pool))
    pick = rng.choice(in_pool, from_pool, replace=False) if from_pool else np.zeros(0, dtype=np.int64)
    us, vs = [pool.u[pick]], [pool.v[pick]]
    wanted = count - from_pool
    for _ in range(20):
        if wanted <= 0 or ix.n < 2:
            break
        u = rng.integers(0, ix.n, 8 * wanted + 10)
        v = rng.integers(0, ix.n, 8 * wanted + 10)
        keep = (u != v) & ~np.isin(ix.key(u, v), np.concatenate([ix.tied_keys, ix.conflict_keys]))
        u, v = np.minimum(u, v)[keep], np.maximum(u, v)[keep]
        keep = _of_kind(ix, u, v, kind)
        u, v = u[keep][:wanted], v[keep][:wanted]
        us.append(u)
        vs.append(v)
        wanted -= len(u)
    return np.concatenate(us).astype(np.int64), np.concatenate(vs).astype(np.int64)
