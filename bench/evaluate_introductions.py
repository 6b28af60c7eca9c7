"""Does the introduction recommender find the ties that really form next, better than the
classic link predictors, on maps nobody here made?

Every map is split in time (``bench/splits.py``): the ties up to a cut-off date are the
map, the first ties after it between organizations that share no movement are the
truth. Maps:

- three published networks (``bench/real_maps.py``, data and licences in
  ``bench/data/``): organizations on joint Delta science projects, parties that
  governed together (ParlGov), states that signed alliances (ATOP);
- four generators built on other assumptions than the recommender's
  (``bench/generators.py``): homophily with triadic closure (attributes carry signal),
  Holme-Kim, preferential attachment and hidden blocks (attributes carry no signal),
  2,000 organizations, five seeds each. Their own tie propensity gives a ceiling.

Methods, all placed by the recommender's own placement code
(``coalition.introductions.placement.select``: capacity left this month counting the
pairs placed above) on pairs that pass its limits (both consent and have capacity, no
tie ever, no conflict, not settled) and its voice rule (see ``VOICE_RULE``):

- recommender: ``recommend()`` as shipped; and two ablations on its own candidates: its
  score (likelihood x bridging) without the gap slate placed first, and its likelihood
  alone;
- common neighbours, Adamic-Adar, resource allocation (every pair with a common
  partner, exact) and preferential attachment (degree product), on pairs across
  movements (the truth's universe);
- logistic regression and gradient boosting (scikit-learn) on the recommender's own
  features (``coalition.introductions.features.pair_features``) and candidate pairs,
  trained on the same map cut earlier (its next-period ties across movements against
  twenty times as many pairs across movements without one, drawn uniformly);
- on generated maps, the ceiling: the generator's own propensity.

Metrics: precision@K and recall@K for K = 10, 50, 200 with 95% bootstrap intervals
(precision: the K suggestions are resampled with replacement, a short list counting
its missing places as misses; recall: the truth pairs are resampled with replacement;
on generated maps per seed, then averaged over the seeds); how many movement pairs the
top 200 bridge, its share of pairs across movements and of community-led groups; and a
reliability table of the recommender's likelihood against the share of its candidate
pairs that tied after the cut-off (any groups).

Run: ``python bench/evaluate_introductions.py`` (about 1.5 CPU-minutes on two cores) or
``--quick`` (600 organizations, one seed; under 20 s). Seeds are fixed. The results and
how to read them: ``bench/EVALUATION.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generators import GENERATORS, generate  # noqa: E402
from real_maps import LOADERS  # noqa: E402
from splits import Pair, Split  # noqa: E402

from coalition.introductions.candidates import Candidates  # noqa: E402
from coalition.introductions.features import pair_features, structural  # noqa: E402
from coalition.introductions.index import MapIndex, build_index  # noqa: E402
from coalition.introductions.placement import select  # noqa: E402
from coalition.introductions.recommend import DEFAULT_BOLDNESS, rank, recommend  # noqa: E402
from coalition.introductions.recommend import place as place_ranking  # noqa: E402

KS = (10, 50, 200)
TOP = max(KS)
RECOMMENDER = "recommender (default)"
NO_SLATE = "recommender score, no gap slate"
CHANCE_ONLY = "recommender, boldness 0, no slate"
CLASSIC = ("common neighbours", "Adamic-Adar", "resource allocation", "preferential attachment")
SUPERVISED = ("logistic regression", "gradient boosting")
CEILING = "ceiling (generator's propensity)"
#: Boldness values of the sweep table (the recommender's whole list, gap slate included).
BOLDNESS_SWEEP = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)
#: Likelihood bins of the reliability table.
BINS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0)
#: Whether every ranking is placed with the recommender's voice rule (community-led first:
#: an ally never comes before, or instead of, a community-led group of the movement it
#: would bring). On: the rule is one of the limits the groups set, and it costs hits
#: (a third of the recommender's on the 600-organization homophily map), so every
#: method pays it. ``select`` moves a pair down at most ``MAX_DEFERRALS`` times, so no
#: score order can make it loop.
VOICE_RULE = True
#: Fewest next-period ties the supervised baselines learn from (else: not run).
MIN_POSITIVES = 10


# placing any ranking under the recommender's limits ------------------------------------
def limited_pool(ix: MapIndex, u: np.ndarray, v: np.ndarray, across: bool = True) -> tuple[Candidates, np.ndarray]:
    """The pairs ``(u, v)`` that pass the recommender's limits, as a ``Candidates`` pool,
    and the positions kept: both consent and have capacity left this month, never
    tied, no conflict, not settled; with ``across``, sharing no movement."""
    u, v = np.minimum(u, v).astype(np.int64), np.maximum(u, v).astype(np.int64)
    keys = ix.key(u, v)
    keep = (u != v) & (ix.remaining[u] > 0) & (ix.remaining[v] > 0)
    keep &= ~np.isin(keys, np.concatenate([ix.tied_keys, ix.conflict_keys, ix.settled_keys]))
    if across:
        keep &= ~ix.movement_pair_tables[0][ix.mset[u], ix.mset[v]]
    kept = np.flatnonzero(keep)
    values = {"u": u[kept], "v": v[kept], "keys": keys[kept]}
    pool = Candidates(**{f.name: values.get(f.name, np.zeros(len(kept))) for f in dataclasses.fields(Candidates)})
    return pool, kept


def place(ix: MapIndex, u: np.ndarray, v: np.ndarray, score: np.ndarray, top: int = TOP) -> list[Pair]:
    """The best ``top`` pairs by ``score`` under the limits, placed like the recommender's."""
    pool, kept = limited_pool(ix, u, v)
    if len(kept) == 0:
        return []
    chosen = select(ix, pool, np.asarray(score, dtype=float)[kept], top, voice_rule=VOICE_RULE)
    return [(ix.ids[int(pool.u[c])], ix.ids[int(pool.v[c])]) for c, _ in chosen]


# baselines ------------------------------------------------------------------------------
def neighbourhood_scores(ix: MapIndex) -> tuple[np.ndarray, ...]:
    """Every pair with a common partner among current ties: ``u, v``, common neighbours,
    Adamic-Adar and resource allocation (exact; Adamic and Adar 2003, Zhou, Lü and
    Zhang 2009)."""
    n = ix.n
    e = ix.edges
    A = sp.csr_matrix((np.ones(2 * len(e)), (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(n, n))
    degree = np.asarray(A.sum(axis=1)).ravel()
    with np.errstate(divide="ignore"):
        inv_log = np.where(degree > 1, 1.0 / np.log(np.maximum(degree, 2)), 0.0)
        inv = np.where(degree > 0, 1.0 / np.maximum(degree, 1), 0.0)
    out = []
    for weight in (np.ones(n), inv_log, inv):
        M = sp.triu(A @ sp.diags(weight) @ A, k=1).tocoo()
        out.append(M)
    u, v = out[0].row, out[0].col
    values = [np.asarray(m.tocsr()[u, v]).ravel() for m in out]
    return (u, v, *values)


def preferential_pairs(ix: MapIndex, nodes: int = 600) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs among the ``nodes`` highest-degree organizations with capacity, by degree
    product (enough for a top 200 when nobody takes more than a few introductions)."""
    degree = ix.degree.astype(float)
    who = np.flatnonzero(ix.remaining > 0)
    who = who[np.argsort(-degree[who], kind="stable")[:nodes]]
    i, j = np.triu_indices(len(who), 1)
    u, v = who[i], who[j]
    return u, v, degree[u] * degree[v]


def features_of(ix: MapIndex, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return pair_features(ix, u, v, *structural(ix, u, v))


def supervised_lists(split: Split, ix: MapIndex, pool: Candidates, seed: int) -> dict[str, list[Pair]]:
    """Logistic regression and gradient boosting on the recommender's features, learned
    on the same map cut earlier, ranking the recommender's candidates across movements."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    inner = split.earlier
    if inner is None or len(inner.truth) < MIN_POSITIVES:
        return {}
    rng = np.random.default_rng(seed)
    ix0 = build_index(inner.view, today=inner.today, seed=seed)
    pos = np.array([(ix0.index[a], ix0.index[b]) for a, b in sorted(inner.truth)], dtype=np.int64)
    positives = set(ix0.key(pos[:, 0], pos[:, 1]).tolist())
    wanted = min(20 * len(pos), 40_000)
    draws = rng.integers(0, ix0.n, (2 * wanted, 2))
    negatives, _ = limited_pool_all(ix0, draws[:, 0], draws[:, 1])
    negatives = negatives[~np.isin(ix0.key(negatives[:, 0], negatives[:, 1]), list(positives))][:wanted]
    pairs = np.vstack([pos, negatives])
    y = np.r_[np.ones(len(pos)), np.zeros(len(negatives))]
    X0 = features_of(ix0, pairs[:, 0], pairs[:, 1])
    across = ~ix.movement_pair_tables[0][ix.mset[pool.u], ix.mset[pool.v]]
    u, v = pool.u[across], pool.v[across]
    X = pair_features(
        ix, u, v, pool.common[across], pool.adamic_adar[across], pool.resource_allocation[across], pool.warmth[across]
    )
    models = {
        "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
        "gradient boosting": HistGradientBoostingClassifier(max_iter=200, random_state=seed),
    }
    out = {}
    for name, model in models.items():
        # one thread: on a busy two-core machine OpenMP's spinning threads made a
        # one-second fit take most of a minute
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.simplefilter("ignore")
            model.fit(X0, y)
            score = model.predict_proba(X)[:, 1] if len(X) else np.zeros(0)
        out[name] = place(ix, u, v, score)
    return out


def limited_pool_all(ix: MapIndex, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs across movements, never tied, no conflict (capacity ignored: for training)."""
    u, v = np.minimum(u, v).astype(np.int64), np.maximum(u, v).astype(np.int64)
    keys = ix.key(u, v)
    keep = (u != v) & ~np.isin(keys, np.concatenate([ix.tied_keys, ix.conflict_keys]))
    keep &= ~ix.movement_pair_tables[0][ix.mset[u], ix.mset[v]]
    kept = np.flatnonzero(keep)
    _, first = np.unique(keys[kept], return_index=True)
    kept = kept[np.sort(first)]
    return np.column_stack([u[kept], v[kept]]), kept


# one map --------------------------------------------------------------------------------
def run_map(split: Split, seed: int = 0) -> dict[str, Any]:
    """Every method's top list on one split, and the reliability observations."""
    view, today = split.view, split.today
    lists: dict[str, list[Pair]] = {}
    timings: dict[str, float] = {}
    started = time.perf_counter()
    lists[RECOMMENDER] = [(s["a"], s["b"]) for s in recommend(view, top=TOP, today=today, seed=seed)]
    timings["recommender"] = time.perf_counter() - started
    ranking = rank(view, today=today, seed=seed)
    ix, pool = ranking.index, ranking.candidates
    chance = ranking.likelihood * ranking.kind_weight  # the score at boldness 0
    for name, score in ((NO_SLATE, ranking.score), (CHANCE_ONLY, chance)):
        chosen = select(ix, pool, np.asarray(score, dtype=float), TOP, voice_rule=VOICE_RULE)
        lists[name] = [(ix.ids[int(pool.u[c])], ix.ids[int(pool.v[c])]) for c, _ in chosen]
    u, v, cn, aa, ra = neighbourhood_scores(ix)
    for name, score in (("common neighbours", cn), ("Adamic-Adar", aa), ("resource allocation", ra)):
        lists[name] = place(ix, u, v, score)
    lists["preferential attachment"] = place(ix, *preferential_pairs(ix))
    learned = supervised_lists(split, ix, pool, seed)
    lists.update(learned or dict.fromkeys(SUPERVISED))  # None: too few earlier ties to learn from
    if split.ceiling is not None:
        lists[CEILING] = place(ix, *split.ceiling(ix))
    sweep = {}
    for boldness in BOLDNESS_SWEEP:
        ranking.boldness = boldness
        placed, _ = place_ranking(ranking, TOP)
        sweep[f"boldness {boldness:g}"] = [(ix.ids[int(pool.u[c])], ix.ids[int(pool.v[c])]) for c, _ in placed]
    keys = np.array([ix.key(np.array([ix.index[a]]), np.array([ix.index[b]]))[0] for a, b in split.new_ties])
    tied_after = np.isin(pool.keys, keys) if len(keys) else np.zeros(len(pool.keys), dtype=bool)
    return {
        "split": split,
        "lists": lists,
        "sweep": sweep,
        "likelihood": np.asarray(ranking.likelihood, dtype=float),
        "tied_after": tied_after,
        "seconds": time.perf_counter() - started,
    }


# metrics --------------------------------------------------------------------------------
def precision_recall(found: list[Pair], truth: set[Pair], k: int) -> tuple[float, float]:
    """Precision@k (hits in the first ``k`` over ``k``) and recall@k (over the truth)."""
    hits = sum(1 for p in found[:k] if p in truth)
    return hits / k, hits / len(truth) if truth else 0.0


def bootstrap_recall(
    found: list[Pair], truth: set[Pair], counts: np.ndarray, index: dict[Pair, int], k: int
) -> np.ndarray:
    """Recall@k under each bootstrap draw of the truth (``counts``: draws x truth pairs,
    how often each truth pair was drawn): drawn copies found in the first ``k`` over the
    size of the truth."""
    at = [index[p] for p in found[:k] if p in truth]
    hits = counts[:, at].sum(axis=1) if at else np.zeros(len(counts))
    return hits / max(len(truth), 1)


def bootstrap_precision(
    found: list[Pair], truth: set[Pair], k: int, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Precision@k under ``draws`` resamples of the ``k`` places of the list (places the
    list does not fill are misses)."""
    hit = np.zeros(k)
    hit[: min(k, len(found))] = [p in truth for p in found[:k]]
    return hit[rng.integers(0, k, (draws, k))].mean(axis=1)


def truth_draws(truth: set[Pair], draws: int, rng: np.random.Generator) -> tuple[np.ndarray, dict[Pair, int]]:
    """Resample the truth pairs with replacement ``draws`` times (as multiplicities)."""
    ordered = sorted(truth)
    if not ordered:
        return np.zeros((draws, 0)), {}
    counts = rng.multinomial(len(ordered), np.full(len(ordered), 1 / len(ordered)), size=draws)
    return counts, {p: i for i, p in enumerate(ordered)}


def bridges(found: list[Pair], movements: dict[str, set[str]]) -> int:
    """Distinct movement pairs joined by the list."""
    joined = set()
    for a, b in found:
        joined |= {tuple(sorted((x, y))) for x in movements[a] for y in movements[b] if x != y}
    return len(joined)


def summarize(runs: list[dict[str, Any]], draws: int, seed: int) -> dict[str, dict[str, Any]]:
    """Per method: point estimates (mean over the runs of one map family) and bootstrap
    intervals of precision and recall at every K, plus list descriptions."""
    rng = np.random.default_rng(seed)
    methods = list(dict.fromkeys(m for r in runs for m in r["lists"]))
    boot: dict[str, dict[str, list[np.ndarray]]] = {m: {} for m in methods}
    point: dict[str, dict[str, list[float]]] = {m: {} for m in methods}
    extra: dict[str, dict[str, list[float]]] = {m: {} for m in methods}
    for r in runs:
        split = r["split"]
        truth = split.truth
        counts, index = truth_draws(truth, draws, rng)
        orgs = {o["id"]: o for o in split.view["organizations"]}
        movements = {k: set(o["movements"]) for k, o in orgs.items()}
        has_led = any(o.get("community_led") for o in orgs.values())
        for m in methods:
            found = r["lists"].get(m)
            if found is None:
                continue
            for k in KS:
                p, rec = precision_recall(found, truth, k)
                point[m].setdefault(f"p@{k}", []).append(p)
                point[m].setdefault(f"r@{k}", []).append(rec)
                boot[m].setdefault(f"p@{k}", []).append(bootstrap_precision(found, truth, k, draws, rng))
                boot[m].setdefault(f"r@{k}", []).append(bootstrap_recall(found, truth, counts, index, k))
            extra[m].setdefault("hits", []).append(sum(1 for p in found[:TOP] if p in truth))
            extra[m].setdefault("truth", []).append(len(truth))
            extra[m].setdefault("bridges", []).append(bridges(found[:TOP], movements))
            across = [not movements[a] & movements[b] for a, b in found[:TOP]]
            extra[m].setdefault("across", []).append(float(np.mean(across)) if across else float("nan"))
            if has_led:
                led = [orgs[x].get("community_led", False) for p in found[:TOP] for x in p]
                extra[m].setdefault("led", []).append(float(np.mean(led)) if led else float("nan"))
    out: dict[str, dict[str, Any]] = {}
    for m in methods:
        if not point[m]:
            out[m] = {"not run": True}
            continue
        row: dict[str, Any] = {}
        for key, values in point[m].items():
            mean_draws = np.mean(np.vstack(boot[m][key]), axis=0)
            lo, hi = np.percentile(mean_draws, [2.5, 97.5])
            row[key] = (float(np.mean(values)), float(lo), float(hi))
        row.update({key: float(np.nanmean(values)) for key, values in extra[m].items()})
        out[m] = row
    return out


def reliability(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The recommender's likelihood against the observed share of its candidate pairs
    that tied after the cut-off, by likelihood bin."""
    likelihood = np.concatenate([r["likelihood"] for r in runs])
    tied = np.concatenate([r["tied_after"] for r in runs])
    rows = []
    for lo, hi in zip(BINS[:-1], BINS[1:], strict=True):
        inside = (likelihood >= lo) & (likelihood < hi) if hi < 1 else (likelihood >= lo)
        n = int(inside.sum())
        if n == 0:
            continue
        rows.append(
            {
                "likelihood": f"{lo:g}-{hi:g}",
                "pairs": n,
                "mean likelihood": float(likelihood[inside].mean()),
                "tied after cut-off": float(tied[inside].mean()),
                "ties": int(tied[inside].sum()),
            }
        )
    return rows


def sweep_rows(
    label: str, summary: dict[str, dict[str, Any]], sweep: dict[str, dict[str, Any]]
) -> list[dict[str, str]]:
    """One row per boldness: precision at every K, what the list bridges, and whether it
    is within the best baseline's interval at every K (the bar)."""
    baselines = [m for m in (*CLASSIC, *SUPERVISED) if "p@10" in summary.get(m, {})]
    rows = []
    for i, (name, s) in enumerate(sweep.items()):
        row = {"map": label if i == 0 else "", "ranking": name}
        level = True
        for k in KS:
            best = max(baselines, key=lambda m: summary[m][f"p@{k}"][0])
            row[f"p@{k}"] = _interval(s[f"p@{k}"])
            level &= s[f"p@{k}"][0] >= summary[best][f"p@{k}"][1]
        row["movement pairs bridged"] = f"{s['bridges']:.1f}".rstrip("0").rstrip(".")
        row["community-led share"] = f"{s['led']:.2f}" if "led" in s else "n/a"
        row["level with the best baseline at every K"] = "yes" if level else "no"
        rows.append(row)
    return rows


# output ---------------------------------------------------------------------------------
def table_rows(label: str, summary: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    classic = max((summary[m]["p@200"][0] for m in CLASSIC if "p@200" in summary.get(m, {})), default=0.0)
    ceiling = summary.get(CEILING, {}).get("p@200", (None,))[0]
    rows = []
    for i, (m, s) in enumerate(summary.items()):
        row = {"map": label if i == 0 else "", "method": m}
        if s.get("not run"):
            row["p@10"] = f"not run: fewer than {MIN_POSITIVES} ties across groups to learn from before the cut-off"
            rows.append(row)
            continue
        for k in KS:
            row[f"p@{k}"] = _interval(s[f"p@{k}"])
        for k in KS:
            row[f"r@{k}"] = _interval(s[f"r@{k}"])
        row["hits@200 / truth"] = (
            f"{s['hits']:.1f} / {s['truth']:.0f}" if s["truth"] % 1 else f"{s['hits']:.0f} / {s['truth']:.0f}"
        )
        row["movement pairs bridged"] = f"{s['bridges']:.1f}".rstrip("0").rstrip(".")
        row["across movements"] = f"{s['across']:.2f}"
        row["community-led share"] = f"{s['led']:.2f}" if "led" in s else "n/a"
        room = ""
        if m in (RECOMMENDER, NO_SLATE) and ceiling is not None and ceiling > classic:
            room = f"{(s['p@200'][0] - classic) / (ceiling - classic):+.2f}"
        row["room taken @200"] = room
        rows.append(row)
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    cells = [[_cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    return "\n".join(lines)


def _interval(value: tuple[float, float, float]) -> str:
    point, lo, hi = value
    return f"{point:.3f} ({lo:.3f}-{hi:.3f})"


def _cell(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


# main -----------------------------------------------------------------------------------
def families(quick: bool) -> list[tuple[str, list[Callable[[], Split]]]]:
    """The maps of the table: each real network, and each generator over its seeds."""
    n, seeds = (600, (1,)) if quick else (2000, (1, 2, 3, 4, 5))
    out: list[tuple[str, list[Callable[[], Split]]]] = [(name, [load]) for name, load in LOADERS.items()]
    for kind in GENERATORS:
        out.append((kind, [lambda kind=kind, s=s: generate(kind, n, s) for s in seeds]))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="600-organization maps, one seed, 200 bootstrap draws")
    parser.add_argument("--draws", type=int, default=None, help="bootstrap draws (default 1000, 200 with --quick)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the recommender, the models and the bootstrap")
    args = parser.parse_args(argv)
    draws = args.draws or (200 if args.quick else 1000)
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    sweep: list[dict[str, Any]] = []
    real_runs, generated_runs = [], []
    for _, makers in families(args.quick):
        runs = [run_map(make(), seed=args.seed) for make in makers]
        split = runs[0]["split"]
        size = len(split.view["organizations"])
        if split.kind == "real":
            label = f"{split.name}: {size} orgs, cut-off {split.today.year}"
            real_runs += runs
        else:
            label = f"{split.name}: {size} orgs x {len(runs)} seed{'s' if len(runs) > 1 else ''}"
            generated_runs += runs
        summary = summarize(runs, draws, args.seed)
        rows += table_rows(label, summary)
        swept = summarize([{**r, "lists": r["sweep"]} for r in runs], draws, args.seed)
        sweep += sweep_rows(label, summary, swept)
        print(f"{label}: {sum(r['seconds'] for r in runs):.1f} s", file=sys.stderr)
    print(markdown(rows))
    print()
    print(
        f"Boldness (the default is {DEFAULT_BOLDNESS:g}); level: at or above the lower end of the best baseline's interval:"
    )
    print()
    print(markdown(sweep))
    print()
    print("Reliability of the recommender's likelihood (candidate pairs; tied after the cut-off, any groups):")
    print()
    calibration = [{"maps": "real", **row} for row in reliability(real_runs)]
    calibration += [{"maps": "generated", **row} for row in reliability(generated_runs)]
    print(markdown(calibration))
    print(f"\n{time.perf_counter() - started:.0f} s; bootstrap draws: {draws}; seed {args.seed}", file=sys.stderr)


if __name__ == "__main__":
    main()
