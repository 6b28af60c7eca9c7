"""How likely an introduction is to work, learned from how the map's own ties formed.

The question the list answers is "which pairs would tie next?", so the model learns
from exactly that question asked of the map's past: the map as it stood at an earlier
date (``MapIndex.as_of``) against the pairs that first tied after it. The cut is put
where about a third (``LATER_SHARE``) of the dated pairs tied after it. Organizations
whose first known tie is after the cut may not have been in the coalition yet, so pairs
with them are left out of the lesson. A map without enough dated ties (an undated
import) holds out a random fifth (``HOLDOUT_SHARE``) of its current ties instead and
learns to find them from the rest: the classic link-prediction set-up.

Two kinds of pairs are suggested and ties form differently in each: ``across``
movements (the two share no movement) and ``within`` one movement (they share one but
sit in different communities of it). Each kind has its own model, learned from the
pairs of its kind that tied after the cut against ``NEGATIVES_PER_TIE`` times as many
pairs of its kind drawn at random among those that did not.

Fitting is scikit-learn's: a logistic regression on standardized features
(``coalition.introductions.features.FEATURES``), then Platt scaling on out-of-fold
scores in which every drawn pair without a tie weighs as many pairs as it stands for.
So the likelihood is a calibrated chance: the share of such pairs that would tie within
a stretch of time like the one learned from. Both steps are linear in the features, so
the model stays a printable set of weights (``exp(weight)`` per unit of a feature).

A small map has few examples: the fit is blended with hand-set weights (``PRIOR``) as if
those had been learned from ``PRIOR_TIES`` ties; with no ties of a kind after the cut
the prior, on the kind's base rate, is the model.

The coalition's own outcomes are labels too: an introduction marked made is a tie that
formed (if its tie is not recorded already), one marked declined a pair that did not
want to meet; each weighs ``OUTCOME_WEIGHT`` examples in the fit, because it is a
decision about exactly the kind of pair the list suggests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from coalition.introductions.candidates import distinct_groups
from coalition.introductions.features import FEATURES, pair_features, structural
from coalition.introductions.index import MapIndex, contains, unique_sorted

__all__ = ["KINDS", "PRIOR", "LikelihoodModel", "PairModel", "fit_model", "learning_maps"]

#: The two kinds of pairs, each with its own model.
KINDS = ("across", "within")

#: Hand-set weights (the model when a map has too few ties to learn from; the intercept
#: comes from the base rate).
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
    "warmth": 0.15,
    "recent_activity": 0.5,
}
#: The prior weighs as much as this many ties learned from.
PRIOR_TIES = 10.0
#: Fewest ties of a kind in a lesson to learn from at all; fewest for cross-validated
#: calibration (below it, in-sample scores).
MIN_POSITIVES = 5
MIN_CROSS_VALIDATED = 30
#: Below this many ties the ridge is stronger (``C`` = ties / ``RIDGE_TIES``).
RIDGE_TIES = 100
#: Share of dated pairs that should fall after the cut, and the fewest dated pairs and
#: pairs after the cut for learning from history.
LATER_SHARE = 1 / 3
MIN_LATER = 10
#: Share of current ties held out when the map has too little history: a fifth, or as
#: many as ``HOLDOUT_TIES`` on a small map (at most half).
HOLDOUT_SHARE = 0.2
HOLDOUT_TIES = 50
#: Pairs without a tie drawn per tie learned from, and the most ties used per kind.
NEGATIVES_PER_TIE = 20
MAX_POSITIVES = 2_000
#: A pair within one movement is ranked as if this many times as likely (see
#: ``PairModel.within_weight``).
WITHIN_WEIGHT = 0.25
#: Pairs drawn to carry the prior into a fit with outcomes, and that fit's ridge ``C``
#: (weak: the prior's own labels hold it).
PRIOR_PAIRS = 2_000
PRIOR_FIT_C = 100.0
#: How many examples one made or declined introduction of the map's history weighs.
OUTCOME_WEIGHT = 5.0


@dataclass(frozen=True)
class LikelihoodModel:
    """Logistic weights over ``FEATURES`` (``weights[0]`` is the intercept), learned from
    ``positives`` ties and ``negatives`` pairs without one of the lesson ``source``;
    ``rate`` is the share of pairs of its kind that tied in the stretch learned from."""

    weights: np.ndarray
    positives: int = 0
    negatives: int = 0
    rate: float = 0.0
    source: str = "prior"  # what it learned from: "history", "holdout" or "prior"

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The chance that a pair would tie, for each row of features."""
        z = self.weights[0] + X @ self.weights[1:]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def as_dict(self) -> dict[str, float]:
        """``{"intercept": w0, feature: w, ...}`` rounded for printing."""
        names = ("intercept", *FEATURES)
        return {name: round(float(w), 4) for name, w in zip(names, self.weights, strict=True)}


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

    @property
    def within_weight(self) -> float:
        """How much a pair within one movement counts against a pair across movements of
        the same chance: ``WITHIN_WEIGHT``, less where ties inside a movement come more
        easily than across (the ratio of the two kinds' base rates). This tool is for
        the bridges between movements; ranked on their chance alone, pairs that share a
        movement would crowd them out (half of a top 200 on the hidden-blocks map of
        ``bench/evaluate_introductions.py``)."""
        if self.within.rate <= 0:
            return WITHIN_WEIGHT
        return WITHIN_WEIGHT * min(1.0, self.across.rate / self.within.rate)

    def as_dict(self) -> dict[str, float | str]:
        """Flat, printable: ``across.<name>`` and ``within.<name>`` weights, how many
        ties (``positives``) and pairs without a tie (``negatives``) each learned from,
        each kind's base ``rate``, and the ``source`` of its lesson."""
        flat: dict[str, float | str] = {}
        for kind in KINDS:
            model = getattr(self, kind)
            flat.update({f"{kind}.{name}": w for name, w in model.as_dict().items()})
            flat[f"{kind}.positives"] = model.positives
            flat[f"{kind}.negatives"] = model.negatives
            flat[f"{kind}.rate"] = float(f"{model.rate:.3g}")
            flat[f"{kind}.source"] = model.source
        return flat


def prior_weights(rate: float) -> np.ndarray:
    """The hand-set weights with the intercept of base rate ``rate``."""
    weights = np.array([PRIOR[name] for name in ("intercept", *FEATURES)], dtype=float)
    rate = min(max(rate, 1e-9), 0.5)
    weights[0] += np.log(rate / (1 - rate))
    return weights


@dataclass
class LearningMap:
    """What a model learns from: the earlier (or thinned) map ``before``, the pairs that
    tied after it (``u``, ``v``), and who may be drawn into a pair (``present``)."""

    before: MapIndex
    u: np.ndarray
    v: np.ndarray
    present: np.ndarray
    source: str


def learning_maps(ix: MapIndex, rng: np.random.Generator) -> Iterator[LearningMap]:
    """The lessons a map offers, best first: its past and the pairs that tied since,
    then a random fifth of its current ties held out (see the module docstring). Each
    is made only when asked for."""
    h = ix.history
    keys, inverse = unique_sorted(ix.key(h[:, 0], h[:, 1]), inverse=True)
    first = np.full(len(keys), np.iinfo(np.int64).max)
    np.minimum.at(first, inverse, h[:, 3])  # undated (-1) counts as before any cut
    dated = np.sort(first[first >= 0])
    if len(dated) >= 3 * MIN_LATER:
        cut = int(dated[int(len(dated) * (1 - LATER_SHARE)) - 1])
        later = first > cut
        if MIN_LATER <= later.sum() < len(first):
            u, v = ix.split(keys[later])
            seen = np.full(ix.n, np.iinfo(np.int64).max)
            ends = np.r_[h[:, 0], h[:, 1]]
            np.minimum.at(seen, ends, np.r_[first[inverse], first[inverse]])
            present = seen <= cut  # first known tie by the cut, or no tie at all
            present |= np.bincount(ends, minlength=ix.n) == 0
            keep = present[u] & present[v]
            yield LearningMap(ix.as_of(cut), u[keep], v[keep], present, "history")
    share = min(max(HOLDOUT_SHARE, HOLDOUT_TIES / max(len(ix.edges), 1)), 0.5)
    held = rng.random(len(ix.edges)) < share
    u, v = ix.edges[held, 0], ix.edges[held, 1]
    kept_history = ~contains(unique_sorted(ix.key(u, v)), ix.key(h[:, 0], h[:, 1]))
    thinned = ix.with_ties(
        ix.edges[~held], ix.strength[~held], np.setdiff1d(ix.tied_keys, ix.key(u, v)), h[kept_history]
    )
    yield LearningMap(thinned, u, v, np.ones(ix.n, dtype=bool), "holdout")


def fit_model(ix: MapIndex, seed: int = 0) -> PairModel:
    """Learn both likelihood models from one lesson of the map's past (see the module
    docstring): the first lesson with ``MIN_POSITIVES`` ties of either kind. A kind with
    too few ties there takes the prior on that lesson's base rate rather than a later
    lesson: a held-out tie is far easier to find than a tie that forms next, so chances
    learned from two lessons would not be comparable (on the Delta science map the
    within-movement pairs, learned from held-out ties, took half of a top 10 that way)."""
    rng = np.random.default_rng(seed)
    first: LearningMap | None = None
    for lesson in learning_maps(ix, rng):
        first = first or lesson
        fitted = {kind: _fit_kind(ix, lesson, kind, rng) for kind in KINDS}
        if any(model is not None for model in fitted.values()):
            return PairModel(**{kind: fitted[kind] or _prior(ix, lesson, kind, rng) for kind in KINDS})
    return PairModel(**{kind: _prior(ix, first, kind, rng) for kind in KINDS})


def _prior(ix: MapIndex, lesson: LearningMap | None, kind: str, rng: np.random.Generator) -> LikelihoodModel:
    """The hand-set weights on the kind's base rate, bent by the coalition's outcomes
    when it has some: a logistic regression on pairs drawn at random, labelled by the
    prior's own chances (as if it had been learned from ``PRIOR_TIES`` ties), and the
    outcomes at ``OUTCOME_WEIGHT`` each."""
    present = lesson.present if lesson is not None else np.ones(ix.n, dtype=bool)
    ties = int(_of_kind(ix, lesson.u, lesson.v, kind).sum()) if lesson is not None else 0
    rate = max(ties, 1) / max(_pairs_of_kind(ix, present, kind, rng), 1.0)
    prior = prior_weights(rate)
    ou, ov, outcome = _outcomes(ix, kind)
    du, dv = _negatives(ix, present, kind, PRIOR_PAIRS, rng)
    if len(ou) == 0 or len(du) == 0:
        return LikelihoodModel(prior, 0, 0, rate, "prior")
    X = _features(ix, du, dv)
    chance = LikelihoodModel(prior).predict(X)
    scale = PRIOR_TIES / max(float(chance.sum()), 1e-12)
    weights = _fit_raw(
        np.vstack([X, X, _features(ix, ou, ov)]),
        np.r_[np.ones(len(X)), np.zeros(len(X)), outcome.astype(float)],
        np.r_[scale * chance, scale * (1 - chance), np.full(len(ou), OUTCOME_WEIGHT)],
        strength=PRIOR_FIT_C,
    )
    return LikelihoodModel(weights, int(outcome.sum()), int((outcome == 0).sum()), rate, "prior")


def _fit_kind(ix: MapIndex, lesson: LearningMap, kind: str, rng: np.random.Generator) -> LikelihoodModel | None:
    """The model of one kind learned from one lesson; None with too few ties to learn from."""
    before = lesson.before
    of_kind = _of_kind(ix, lesson.u, lesson.v, kind)
    pu, pv = lesson.u[of_kind], lesson.v[of_kind]
    if len(pu) < MIN_POSITIVES:
        return None
    population = _pairs_of_kind(ix, lesson.present, kind, rng)
    rate = len(pu) / max(population, 1.0)
    if len(pu) > MAX_POSITIVES:
        pick = np.sort(rng.choice(len(pu), MAX_POSITIVES, replace=False))
        pu, pv = pu[pick], pv[pick]
    nu, nv = _negatives(ix, lesson.present, kind, NEGATIVES_PER_TIE * len(pu), rng)
    if len(nu) == 0:
        return None
    ou, ov, outcome = _outcomes(ix, kind)
    X = np.vstack([_features(before, pu, pv), _features(before, nu, nv)])
    y = np.r_[np.ones(len(pu)), np.zeros(len(nu))]
    # each drawn pair without a tie stands for this many of the population's
    stands_for = max(population - len(lesson.u), len(nu)) / max(len(nu), 1)
    weights = _fit_calibrated(X, y, stands_for, _features(ix, ou, ov), outcome, rng)
    evidence = len(pu) + OUTCOME_WEIGHT * len(ou)
    share = evidence / (evidence + PRIOR_TIES)
    weights = share * weights + (1 - share) * prior_weights(rate)
    positives, negatives = len(pu) + int(outcome.sum()), len(nu) + int((outcome == 0).sum())
    return LikelihoodModel(weights, positives, negatives, rate, lesson.source)


def _fit_calibrated(
    X: np.ndarray,
    y: np.ndarray,
    stands_for: float,
    X_outcomes: np.ndarray,
    outcomes: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Raw-scale logistic weights ``[intercept, ...]``: a ridge logistic regression on
    standardized features (outcomes included, ``OUTCOME_WEIGHT`` each; the ridge
    stronger with fewer than ``RIDGE_TIES`` ties), then calibrated: with enough ties,
    Platt scaling of its out-of-fold scores, each drawn pair without a tie weighing the
    ``stands_for`` pairs it stands for; with few, only the intercept moved back by the
    share of pairs without a tie that were drawn (King and Zeng's prior correction), as a
    slope fitted on a handful of ties would be overconfident."""
    # scikit-learn is imported here, not at the top: most commands never fit a model,
    # and its import costs a second of start-up
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    strength = min(1.0, y.sum() / RIDGE_TIES)
    raw = _fit_raw(
        np.vstack([X, X_outcomes]),
        np.r_[y, outcomes.astype(float)],
        np.r_[np.ones(len(y)), np.full(len(outcomes), OUTCOME_WEIGHT)],
        strength=strength,
    )
    if y.sum() < MIN_CROSS_VALIDATED:
        raw[0] -= np.log(stands_for)
        return raw
    folds = StratifiedKFold(3, shuffle=True, random_state=int(rng.integers(2**31)))
    classifier = make_pipeline(StandardScaler(), LogisticRegression(C=strength, max_iter=1000))
    scores = cross_val_predict(classifier, X, y, cv=folds, method="decision_function")
    platt = LogisticRegression(C=1e4, max_iter=1000)
    platt.fit(scores[:, None], y, sample_weight=np.where(y == 1, 1.0, stands_for))
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    return np.r_[a * raw[0] + b, a * raw[1:]]


def _fit_raw(X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """A logistic regression on standardized features (ridge ``C = strength``), its
    weights brought back to the features' own scales: ``[intercept, ...]``."""
    from sklearn.linear_model import LogisticRegression

    mean = np.average(X, axis=0, weights=sample_weight)
    spread = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=sample_weight))
    scale = np.where(spread > 1e-12, spread, 1.0)
    regression = LogisticRegression(C=strength, max_iter=1000)
    regression.fit((X - mean) / scale, y, sample_weight=sample_weight)
    slope = regression.coef_.ravel() / scale
    return np.r_[regression.intercept_[0] - slope @ mean, slope]


def _features(ix: MapIndex, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return pair_features(ix, u, v, *structural(ix, u, v))


def _outcomes(ix: MapIndex, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Made (1) and declined (0) introductions of this kind whose pair has no tie yet (a
    made introduction whose tie is recorded already counts as that tie)."""
    if len(ix.outcomes) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    u, v, label = ix.outcomes.T
    keep = _of_kind(ix, u, v, kind) & ~contains(ix.tied_keys, ix.key(u, v))
    return u[keep], v[keep], label[keep]


def _of_kind(ix: MapIndex, u: np.ndarray, v: np.ndarray, kind: str) -> np.ndarray:
    shares = ix.movement_pair_tables[0][ix.mset[u], ix.mset[v]]
    if kind == "across":
        return ~shares
    return shares & distinct_groups(ix, u, v)


def _draw(ix: MapIndex, present: np.ndarray, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    who = np.flatnonzero(present)
    if len(who) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    u, v = who[rng.integers(0, len(who), count)], who[rng.integers(0, len(who), count)]
    keep = u != v
    return np.minimum(u, v)[keep], np.maximum(u, v)[keep]


def _pairs_of_kind(ix: MapIndex, present: np.ndarray, kind: str, rng: np.random.Generator) -> float:
    """How many pairs of present organizations are of this kind (from a sample)."""
    m = int(present.sum())
    u, v = _draw(ix, present, 20_000, rng)
    share = float(_of_kind(ix, u, v, kind).mean()) if len(u) else 0.0
    return share * m * (m - 1) / 2


def _negatives(
    ix: MapIndex, present: np.ndarray, kind: str, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of the kind, drawn uniformly among present organizations, that never tied
    and are not in conflict."""
    us, vs, wanted = [], [], count
    excluded = unique_sorted(np.concatenate([ix.tied_keys, ix.conflict_keys]))
    for _ in range(20):
        if wanted <= 0:
            break
        u, v = _draw(ix, present, 4 * wanted + 10, rng)
        keep = ~contains(excluded, ix.key(u, v))
        u, v = u[keep], v[keep]
        keep = _of_kind(ix, u, v, kind)
        us.append(u[keep][:wanted])
        vs.append(v[keep][:wanted])
        wanted -= len(us[-1])
    if not us:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(us).astype(np.int64), np.concatenate(vs).astype(np.int64)
