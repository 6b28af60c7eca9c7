"""Bridge-building introductions: who should meet whom, who can introduce them, and
why, within the limits the groups set.

``recommend`` is pure: an audience view in, a ranked list out. The stages, one module
each:

1. ``coalition.introductions.index``: the view as numbered arrays (current ties, bitsets of
   issues, languages, needs and offers, Louvain communities of each movement, capacity
   left this month).
2. ``coalition.introductions.candidates``: candidates from two-step neighbourhoods and attribute
   indexes, never all pairs. A candidate pair has no tie and no conflict tie, both
   consent and have capacity left this month, is not settled (a stored introduction
   planned, made, declined or on hold is not suggested again as new; declined never),
   and joins different movements, or different communities of a movement both share.
3. Score = likelihood x bridging value ** (2 x boldness): two numbers, one knob. The
   likelihood is the chance the introduction works: two logistic regressions (one for
   pairs across movements, one for pairs within a movement), learned with scikit-learn
   from how the map's own ties formed and calibrated on them
   (``coalition.introductions.model``); a warm broker is one of their features. The
   bridging value favours movements and communities with few ties between them,
   organizations nothing links yet, isolated community-led groups, and community-led
   groups in general (``coalition.introductions.features``). Boldness 0 ranks by the
   chance alone, 1 leans hard on what the pair bridges; the default
   (``DEFAULT_BOLDNESS``) is chosen from ``bench/evaluate_introductions.py``. A pair
   within one movement counts ``PairModel.within_weight`` of a pair across movements.
4. ``coalition.introductions.slate``: the gaps the gap analysis names (movement pairs with
   no tie, weak movement pairs, isolated community-led groups) each get their best
   feasible introduction in the list, labelled with the gap (``gap``), or a
   sentence saying why none is feasible (``unmet``). The slate is sure of its places in
   the list (at most half of a first page), and takes them in score order.
   ``coalition.introductions.placement``: then best first under capacity (counting the
   suggestions placed above in the same list) and the voice rule (community-led first:
   an ally of a movement never comes before, or instead of, a community-led group of
   that movement).
5. ``coalition.introductions.reasons``: a warm broker -- the common partner with the strongest
   ties to both (the weaker of its two ties first, then their sum), who consents to
   introductions, has no conflict with either, and is in the view -- or, with none, a
   cold introduction naming the shortest chain of current ties (igraph's breadth-first
   search); and reasons in plain words, only from facts in the view.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from coalition.domain.errors import CoalitionError
from coalition.domain.freshness import Freshness
from coalition.domain.models import INTRODUCTION_STATUSES
from coalition.domain.privacy import hidden_names, view_for
from coalition.i18n import _
from coalition.introductions.candidates import Candidates, find_candidates
from coalition.introductions.features import bridging_value, pair_features
from coalition.introductions.index import MapIndex, build_index, count_used_capacity
from coalition.introductions.model import PairModel, fit_model
from coalition.introductions.placement import select
from coalition.introductions.reasons import explain
from coalition.introductions.slate import Gap, gap_candidate_keys, labeler, named_gaps, plan_slate
from graph.store import Store

__all__ = [
    "DEFAULT_BOLDNESS",
    "DOCUMENT_KEYS",
    "Ranking",
    "explain_pair",
    "introductions_document",
    "introductions_for_store",
    "model_weights",
    "place",
    "rank",
    "recommend",
    "stored_introductions",
]

#: How much the ranking leans on what a pair bridges rather than on its chance of working
#: (0 to 1); see ``recommend``. Chosen from ``bench/evaluate_introductions.py``: the
#: boldest value whose list is as precise as the best baseline (within its bootstrap
#: interval) at K = 10, 50 and 200 on every map; 0.2 already falls behind common
#: neighbours at K = 10 on the Holme-Kim maps. The named gaps get their places through
#: the slate at any boldness.
DEFAULT_BOLDNESS = 0.1

#: Candidate pairs scored at a time: the features of a whole pool (millions of pairs on a
#: national map) would take gigabytes at once.
SCORE_CHUNK = 250_000

#: Keys every introduction in the JSON document has, in this order.
DOCUMENT_KEYS = ("a", "b", "score", "broker", "reasons", "movements", "status")


def recommend(
    view: dict[str, Any],
    top: int = 20,
    today: date | None = None,
    *,
    status: str | None = None,
    used_capacity: dict[str, int] | None = None,
    seed: int = 0,
    timings: dict[str, float] | None = None,
    unmet: list[dict[str, Any]] | None = None,
    boldness: float = DEFAULT_BOLDNESS,
    freshness: Freshness | None = None,
) -> list[dict[str, Any]]:
    """The ``top`` introductions to make, best first, the gap slate among them.

    Parameters
    ----------
    view : dict
        An audience view (``coalition.domain.privacy.view_for``); nothing outside it is used.
    top : int
        How many suggestions at most.
    today : date, optional
        Decides the current month (capacity) and which ties have ended.
    status : str, optional
        None or ``"suggested"``: new suggestions. Any other status: the stored
        introductions with that status instead (see ``stored_introductions``).
    used_capacity : dict, optional
        Introductions planned or made this month per organization id, when the caller
        can count them over the whole store (default: counted from the view).
    seed : int
        Seed for sampling and communities; the same view and seed give the same list.
    timings : dict, optional
        Filled with the seconds each stage took (for ``bench/``).
    unmet : list, optional
        Filled with the named gaps no feasible introduction closes now:
        ``{"gap": {...}, "why": "..."}``.
    boldness : float
        0 to 1: how much the ranking leans on what a pair bridges (``bridging``) rather
        than on its chance of working (``likelihood``): score = likelihood x bridging **
        (2 x boldness).
    freshness : Freshness, optional
        What a stale tie weighs (``coalition.domain.freshness``; default 12 months, 0.5).

    Returns
    -------
    list of dict
        ``a``, ``b`` (ids, ``a < b``), ``score`` (likelihood x bridging), ``likelihood``,
        ``bridging``, ``broker`` (id or None), ``reasons``, ``movements`` ([of a, of
        b]), ``status`` ("suggested"), ``cold_path`` (ids from a to b; [] when warm or
        when nothing links them), ``names`` ([name of a, name of b]), ``broker_name``,
        ``community_led`` ([bool, bool]), ``gap`` (the named gap the pair closes:
        ``{"kind", "movements", "org", "text"}``, or None) and ``bridges`` (what it
        bridges: ``{"value", "movements", "community_led"}``, the movements it joins
        that the two do not share).

    Examples
    --------
    >>> view = {"movements": [{"id": "housing", "name": "Housing"}, {"id": "migrant", "name": "Migrant"}],
    ...     "organizations": [
    ...         {"id": "a", "name": "A", "movements": ["housing"], "community_led": True, "region": "r"},
    ...         {"id": "b", "name": "B", "movements": ["migrant"], "community_led": True, "region": "r"},
    ...         {"id": "c", "name": "C", "movements": ["housing", "migrant"]}],
    ...     "ties": [{"source": "a", "target": "c", "strength": 4}, {"source": "b", "target": "c", "strength": 3}],
    ...     "introductions": []}
    >>> [(s["a"], s["b"], s["broker"]) for s in recommend(view, today=date(2025, 1, 1))]
    [('a', 'b', 'c')]
    """
    _check_status(status)
    if not 0 <= boldness <= 1:
        raise CoalitionError(_("boldness goes from 0 to 1 (got {boldness})").format(boldness=boldness))
    if status not in (None, "suggested"):
        return stored_introductions(view, status, top)
    ranking = rank(view, today=today, used_capacity=used_capacity, seed=seed, timings=timings, freshness=freshness)
    ranking.boldness = boldness
    with _timed(timings, "placement"):
        placed, missed = place(ranking, top)
    if unmet is not None:
        unmet.extend({"gap": gap.label(ranking.index), "why": why} for gap, why in missed)
    with _timed(timings, "brokers and reasons"):
        return [describe(ranking, c, value) for c, value in placed]


def place(ranking: Ranking, top: int) -> tuple[list[tuple[int, float]], list[tuple[Gap, str]]]:
    """The list of ``top`` from a ranking at its boldness: the gap slate merged with the
    best of the rest under the limits. Returns ``(candidate position, score)`` pairs best
    first, and the named gaps left without an introduction with why."""
    ix, pool, score = ranking.index, ranking.candidates, ranking.score
    slate, missed, remaining = plan_slate(ix, pool, score, ranking.gaps, top)
    picks = [c for c, _gap in slate]
    placed = select(ix, pool, score, top - len(slate), remaining=remaining, placed_before=picks, skip=pool.extra_only)
    # The slate is sure of its places in the list, not of the top ones: merged by score,
    # a gap closer that is unlikely to work does not push likelier introductions down.
    return sorted(placed + [(c, float(score[c])) for c in picks], key=lambda item: -item[1]), missed


@contextmanager
def _timed(timings: dict[str, float] | None, stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


@dataclass
class Ranking:
    """Every candidate pair of a view with its features and scores (aligned arrays)."""

    index: MapIndex
    candidates: Candidates
    model: PairModel
    likelihood: np.ndarray
    bridging: np.ndarray
    gaps: list[Gap]
    #: True for the pairs within one movement
    within: np.ndarray
    boldness: float = DEFAULT_BOLDNESS

    def __post_init__(self) -> None:
        self.label = labeler(self.index, self.gaps)

    @property
    def kind_weight(self) -> np.ndarray:
        """1 for pairs across movements, ``PairModel.within_weight`` for pairs within one
        (worked out when asked: one float per candidate less to hold while placing)."""
        return np.where(self.within, self.model.within_weight, 1.0)

    @property
    def score(self) -> np.ndarray:
        return self.likelihood * self.kind_weight * self.bridging ** (2 * self.boldness)


def rank(
    view: dict[str, Any],
    today: date | None = None,
    used_capacity: dict[str, int] | None = None,
    seed: int = 0,
    timings: dict[str, float] | None = None,
    freshness: Freshness | None = None,
) -> Ranking:
    """Find and score the candidates of a view (steps 1 and 2 of the module docstring)."""
    with _timed(timings, "index"):
        ix = build_index(view, today=today, used_capacity=used_capacity, seed=seed, freshness=freshness)
    with _timed(timings, "communities"):
        ix.community, ix.component  # noqa: B018 (computed once here, used by the stages below)
    with _timed(timings, "candidates"):
        gaps = named_gaps(ix)
        pool = find_candidates(ix, extra=gap_candidate_keys(ix, gaps, ix.remaining > 0))
    with _timed(timings, "model"):
        model = fit_model(ix, seed=seed)
    with _timed(timings, "scores"):
        within = ix.movement_pair_tables[0][ix.mset[pool.u], ix.mset[pool.v]]
        likelihood = np.empty(len(pool.u))
        for start in range(0, len(pool.u), SCORE_CHUNK):  # features of millions of pairs, a slice at a time
            part = slice(start, start + SCORE_CHUNK)
            X = pair_features(
                ix, pool.u[part], pool.v[part], pool.common[part], pool.adamic_adar[part],
                pool.resource_allocation[part], pool.warmth[part],
            )  # fmt: skip
            likelihood[part] = model.predict(X, within[part])
        bridging = bridging_value(ix, pool.u, pool.v)
    return Ranking(ix, pool, model, likelihood, bridging, gaps, within)


def model_weights(view: dict[str, Any], today: date | None = None, seed: int = 0) -> dict[str, float]:
    """The learned likelihood models' weights, flat and printable: ``across.<feature>``
    for pairs across movements, ``within.<feature>`` for pairs within one movement, each
    with its ``intercept``, ``positives`` and ``negatives`` (how many examples it
    learned from). ``exp(weight)`` is how much one unit of a feature multiplies the odds."""
    ix = build_index(view, today=today, seed=seed)
    return fit_model(ix, seed=seed).as_dict()


def describe(ranking: Ranking, c: int, score: float) -> dict[str, Any]:
    """The suggestion for candidate ``c`` as a plain dict (see ``recommend``)."""
    ix, pool = ranking.index, ranking.candidates
    u, v = int(pool.u[c]), int(pool.v[c])
    gap = ranking.label(u, v)
    label = gap.label(ix) if gap is not None else None
    # a gap between movements says what "links A and B, which have ..." would
    suggestion = explain(ix, u, v, movement_link=not (label and label["movements"]))
    reasons = list(suggestion["reasons"])  # the broker (or cold path) line first, then the gap
    if gap is not None:
        reasons.insert(min(1, len(reasons)), gap.sentence(ix))
    return {
        "a": ix.ids[u],
        "b": ix.ids[v],
        "score": round(score, 6),
        "broker": suggestion["broker"],
        "reasons": reasons,
        "movements": suggestion["movements"],
        "status": "suggested",
        "likelihood": round(float(ranking.likelihood[c]), 6),
        "bridging": round(float(ranking.bridging[c]), 4),
        "cold_path": suggestion["cold_path"],
        "names": [ix.names[u], ix.names[v]],
        "broker_name": suggestion["broker_name"],
        "community_led": [bool(ix.community_led[u]), bool(ix.community_led[v])],
        "gap": label,
        "bridges": {
            "value": round(float(ranking.bridging[c]), 4),
            "movements": sorted(set(ix.orgs[u]["movements"]) ^ set(ix.orgs[v]["movements"])),
            "community_led": int(ix.community_led[u]) + int(ix.community_led[v]),
        },
    }


def explain_pair(view: dict[str, Any], a: str, b: str, today: date | None = None) -> dict[str, Any]:
    """Broker, reasons, movements and cold path for one pair of the view (no score):
    what tracking stores for an introduction planned by hand."""
    ix = build_index(view, today=today)
    for org_id in (a, b):
        if org_id not in ix.index:
            raise CoalitionError(_("no organization '{organization}' in this view").format(organization=org_id))
    u, v = sorted((ix.index[a], ix.index[b]))
    return {"a": ix.ids[u], "b": ix.ids[v], **explain(ix, u, v)}


def stored_introductions(view: dict[str, Any], status: str, top: int | None = None) -> list[dict[str, Any]]:
    """The view's stored introductions with ``status``, most recent status date first,
    in the same shape as suggestions (with ``status_date`` and ``note``)."""
    _check_status(status)
    orgs = {o["id"]: o for o in view.get("organizations", [])}
    rows = []
    for intro in view.get("introductions", []):
        if intro.get("status") != status or intro["a"] not in orgs or intro["b"] not in orgs:
            continue
        a, b = orgs[intro["a"]], orgs[intro["b"]]
        rows.append(
            {
                "a": intro["a"],
                "b": intro["b"],
                "score": intro.get("score"),
                "broker": intro.get("broker"),
                "reasons": list(intro.get("reasons") or []),
                "movements": [(a.get("movements") or [""])[0], (b.get("movements") or [""])[0]],
                "status": status,
                "status_date": str(intro["status_date"]) if intro.get("status_date") else None,
                "note": intro.get("note") or "",
                "names": [a.get("name"), b.get("name")],
            }
        )
    rows.sort(key=lambda r: (r["a"], r["b"]))
    rows.sort(key=lambda r: r["status_date"] or "", reverse=True)
    return rows[:top] if top is not None else rows


def introductions_document(rows: list[dict[str, Any]], unmet: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The ``--json`` document: ``{"introductions": [...], "gaps_without_introduction":
    [...]}``, the contract keys of each introduction first."""
    return {
        "introductions": [
            {**{key: row.get(key) for key in DOCUMENT_KEYS}, **{k: v for k, v in row.items() if k not in DOCUMENT_KEYS}}
            for row in rows
        ],
        "gaps_without_introduction": list(unmet or []),
    }


# the store's use case ----------------------------------------------------------------
def introductions_for_store(
    store: Store,
    audience: str = "coalition",
    top: int = 20,
    status: str | None = None,
    today: date | None = None,
    unmet: list[dict[str, Any]] | None = None,
    boldness: float = DEFAULT_BOLDNESS,
    freshness: Freshness | None = None,
) -> list[dict[str, Any]]:
    """``recommend`` on the store's view for an audience, computed afresh on every call
    (the dashboard caches results at its edge: ``coalition.ui.state.introductions``).

    ``unmet`` is filled as ``recommend`` fills it. Capacity is counted over every stored introduction (also those with organizations
    the audience may not see), so a narrower audience never gets more suggestions for
    an organization than it has room for; only counts cross that line, never names.
    """
    _check_status(status)
    today = today or date.today()
    # One consistent read serves both the view (made exactly as ``read_view`` makes it)
    # and the capacity counts over every stored introduction.
    full = store.snapshot()
    view = view_for(full, audience, hidden_names=hidden_names(full, audience))
    used = count_used_capacity(full["introductions"], today)
    return recommend(
        view, top=top, today=today, status=status, used_capacity=used, unmet=unmet, boldness=boldness,
        freshness=freshness,
    )  # fmt: skip


def _check_status(status: str | None) -> None:
    if status is not None and status not in INTRODUCTION_STATUSES:
        raise CoalitionError(
            _("unknown status '{status}'; known: {statuses}").format(
                status=status, statuses=", ".join(INTRODUCTION_STATUSES)
            )
        )
