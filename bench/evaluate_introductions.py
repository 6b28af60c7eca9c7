"""Does the introduction recommender find real bridges better than the classic link
predictors? Hide a share of the existing cross-movement ties, run every method on what
is left, and count how many of its top K pairs are hidden ties (precision@K).

Methods, all under the same limits (consent, capacity left this month with greedy
placement down the list, no conflict, no existing tie, different movements or
different communities of one movement) and on the same candidate pairs:

- recommender: ``coalition.introductions.recommend.recommend`` as shipped (likelihood x bridging
  value, community-led first, the voice rule);
- likelihood only: the learned model alone (an ablation, not a product setting);
- Adamic-Adar and resource allocation: the pairs with at least one common partner,
  ranked by the index (Adamic and Adar 2003; Zhou, Lu and Zhang 2009).

Maps: the bundled demo (9 cross-movement ties; a third hidden per draw, 50 draws) and
generated maps of 2,000 organizations and 8,000 ties (seeds 1-5, a fifth of the
cross-movement ties hidden). A cross-movement tie joins two organizations that share no
movement (as in ``coalition stats``).

The generator (``generate_map``) builds ties the way coalition maps grow: mostly inside
a movement and region, some by triadic closure, and across movements through a shared
region and issue, a need met by an offer, or a shared language, with movement pairs of
uneven affinity. The features the recommender learns from are the ones that drive it, so
the generated maps show what the model can learn when such patterns exist; the demo,
written by hand, is the independent check.

Run: ``python bench/evaluate_introductions.py`` (about a minute).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coalition.domain.models import RESOURCES  # noqa: E402
from coalition.introductions.candidates import Candidates  # noqa: E402
from coalition.introductions.recommend import rank, recommend, select  # noqa: E402

TODAY = date(2025, 6, 15)

MOVEMENTS = ("housing", "migrant", "disability", "queer_trans", "sex_work", "racial_justice", "labor", "harm_reduction")
MOVEMENT_WEIGHTS = (0.2, 0.18, 0.08, 0.1, 0.1, 0.12, 0.14, 0.08)
SHARED_ISSUES = (
    "police_violence", "healthcare_access", "language_justice", "digital_rights", "food_security",
    "youth", "elders", "climate", "public_transit", "mental_health",
)  # fmt: skip
LANGUAGES = (
    "Spanish", "Cantonese", "Arabic", "Tagalog", "Haitian Creole", "Vietnamese", "Portuguese", "French",
    "ASL", "Somali", "Russian", "Korean", "Amharic", "Bengali", "Polish",
)  # fmt: skip
KINDS = ("collective", "union", "ngo", "ally", "legal", "health", "media", "funder", "coalition")
KIND_WEIGHTS = (0.45, 0.1, 0.15, 0.1, 0.04, 0.04, 0.03, 0.03, 0.06)
TIE_KINDS = ("coalition", "joint_campaign", "referral", "funding", "shared_space", "personal_contact", "mou")


# a generated map ---------------------------------------------------------------------
def generate_map(n_orgs: int, n_ties: int, seed: int = 0, partner_share: float = 0.25) -> dict[str, Any]:
    """A fictional coalition map as a private view (see the module docstring).

    ``partner_share`` weighs how often a tie across movements forms through a common
    partner (the pattern Adamic-Adar and resource allocation look for) against shared
    language (0.25), a need met (0.2) and a shared issue (0.2) nearby, plus 10% noise.
    """
    r = random.Random(seed)
    n_regions = max(5, n_orgs // 50)
    region_weights = [1 / (k + 1) ** 0.7 for k in range(n_regions)]
    affinity = {(a, b): r.lognormvariate(0, 1) for a in MOVEMENTS for b in MOVEMENTS if a < b}
    orgs = []
    for i in range(n_orgs):
        primary = r.choices(MOVEMENTS, MOVEMENT_WEIGHTS)[0]
        movements = [primary]
        if r.random() < 0.12:
            movements.append(r.choice([m for m in MOVEMENTS if m != primary]))
        kind = r.choices(KINDS, KIND_WEIGHTS)[0]
        led = {"collective": 0.85, "union": 0.85, "coalition": 0.5, "ally": 0.0}.get(kind, 0.05)
        region = r.choices(range(n_regions), region_weights)[0]
        issues = {f"{primary}_{min(int(r.expovariate(0.4)), 7)}" for _ in range(2)}
        if r.random() < 0.6:
            issues.add(r.choice(SHARED_ISSUES))
        languages = ["English"] if r.random() < 0.95 else []
        if r.random() < 0.35:
            languages.append("Spanish")
        if r.random() < 0.3:
            languages.append(LANGUAGES[1 + region % (len(LANGUAGES) - 1)])
        if r.random() < 0.08:
            languages.append(r.choice(LANGUAGES))
        needs = r.sample(RESOURCES, r.choice((1, 1, 2)))
        offers = r.sample([x for x in RESOURCES if x not in needs], r.choice((1, 1, 2)))
        consent = r.random() < 0.92
        orgs.append(
            {
                "id": f"org_{i:05d}",
                "name": f"Group {i:05d}",
                "movements": movements,
                "kind": kind,
                "community_led": r.random() < led,
                "region": f"district_{region:03d}",
                "languages": list(dict.fromkeys(languages or ["English"])),
                "issues": sorted(issues),
                "offers": offers,
                "needs": needs,
                "contact": "",
                "contact_visibility": "private",
                "visibility": r.choices(("public", "coalition", "private"), (0.25, 0.7, 0.05))[0],
                "consent_to_introductions": consent,
                "intro_capacity_per_month": r.choice((1, 2, 3, 3, 4, 5, 6)) if consent else 0,
                "_region": region,
                "_circle": 0,
            }
        )
    buckets: dict[tuple, list[int]] = {}
    for i, o in enumerate(orgs):
        primary, region = o["movements"][0], o["_region"]
        for m in o["movements"]:
            buckets.setdefault(("m", m), []).append(i)
            buckets.setdefault(("mr", m, region), []).append(i)
            for issue in o["issues"]:
                buckets.setdefault(("mri", m, region, issue), []).append(i)
            for offer in o["offers"]:
                buckets.setdefault(("mo", m, offer), []).append(i)
                buckets.setdefault(("mor", m, offer, region), []).append(i)
            for lang in o["languages"]:
                if lang != "English":
                    buckets.setdefault(("ml", m, lang), []).append(i)
                    buckets.setdefault(("mlr", m, lang, region), []).append(i)
    for key, members in list(buckets.items()):
        if key[0] == "mr":
            circles = max(1, len(members) // 20)
            for i in members:
                if orgs[i]["movements"][0] == key[1]:
                    orgs[i]["_circle"] = r.randrange(circles)
    for i, o in enumerate(orgs):
        buckets.setdefault(("c", o["movements"][0], o["_region"], o["_circle"]), []).append(i)

    activity = [r.lognormvariate(0, 0.8) for _ in range(n_orgs)]
    neighbours: list[list[int]] = [[] for _ in range(n_orgs)]
    pairs: dict[tuple[int, int], dict[str, Any]] = {}
    sources = r.choices(range(n_orgs), activity, k=n_ties * 4)
    for u in sources:
        if len(pairs) >= n_ties:
            break
        o = orgs[u]
        primary, region = o["movements"][0], o["_region"]
        mode = r.random()
        cross = False
        if mode < 0.38:
            pool = buckets.get(("c", primary, region, o["_circle"]))
        elif mode < 0.5:
            pool = buckets.get(("mr", primary, region))
        elif mode < 0.56:
            pool = buckets.get(("m", primary))
        elif mode < 0.68:
            w = r.choice(neighbours[u]) if neighbours[u] else None
            pool = neighbours[w] if w is not None else None
        else:
            cross = True
            others = [m for m in MOVEMENTS if m != primary]
            other = r.choices(others, [affinity[tuple(sorted((primary, m)))] for m in others])[0]
            shared = [i for i in o["issues"] if i in SHARED_ISSUES]
            local = [lang for lang in o["languages"] if lang != "English"]
            ways = [  # how organizations of two movements come to work together, and how often
                ("partner", partner_share, bool(neighbours[u])),
                ("language", 0.25, bool(local)),
                ("need", 0.2, True),
                ("issue", 0.2, bool(shared)),
                ("nearby", 0.05, True),
                ("anywhere", 0.05, True),
            ]
            open_ways = [(way, weight) for way, weight, possible in ways if possible]
            pool = None
            for _ in range(3):
                way = r.choices([w for w, _ in open_ways], [x for _, x in open_ways])[0]
                if way == "partner":  # a partner's partner in another movement
                    w = r.choice(neighbours[u])
                    pool = [x for x in neighbours[w] if other in orgs[x]["movements"]]
                elif way == "language":  # a shared language other than English, nearby
                    pool = buckets.get(("mlr", other, r.choice(local), region))
                elif way == "need":  # a need met nearby
                    pool = buckets.get(("mor", other, r.choice(o["needs"]), region))
                elif way == "issue":  # a shared issue nearby
                    pool = buckets.get(("mri", other, region, r.choice(shared)))
                elif way == "nearby":
                    pool = buckets.get(("mr", other, region))
                else:
                    pool = buckets.get(("m", other))
                if pool:
                    break
        if not pool:
            continue
        v = r.choice(pool)
        if v == u or (min(u, v), max(u, v)) in pairs:
            continue
        if cross and set(orgs[u]["movements"]) & set(orgs[v]["movements"]):
            continue
        neighbours[u].append(v)
        neighbours[v].append(u)
        pairs[(min(u, v), max(u, v))] = {
            "strength": r.choice((1, 2, 3, 3, 4, 4, 5)) if not cross else r.choice((1, 2, 3, 4))
        }
    levels = ("public", "coalition", "private")
    ties = []
    for (u, v), data in sorted(pairs.items()):
        ended = r.random() < 0.05
        vis = max(levels.index(orgs[u]["visibility"]), levels.index(orgs[v]["visibility"]), 1)
        ties.append(
            {
                "source": orgs[u]["id"],
                "target": orgs[v]["id"],
                "kind": r.choice(TIE_KINDS),
                "strength": data["strength"],
                "since": f"{r.randint(2012, 2024)}-0{r.randint(1, 9)}-01",
                "until": "2024-12-31" if ended else None,
                "visibility": levels[vis],
                "notes": "",
            }
        )
    for _ in range(max(1, n_ties // 300)):
        u, v = r.sample(range(n_orgs), 2)
        if (min(u, v), max(u, v)) not in pairs:
            ties.append({"source": orgs[u]["id"], "target": orgs[v]["id"], "kind": "conflict", "strength": 1,
                         "since": "2023-01-01", "until": None, "visibility": "private", "notes": ""})  # fmt: skip
    for o in orgs:
        del o["_region"], o["_circle"]
    movements = [{"id": m, "name": m.replace("_", " ").title(), "color": "#777777"} for m in MOVEMENTS]
    return {"movements": movements, "organizations": orgs, "ties": ties, "introductions": [], "audience": "private"}


# evaluation -------------------------------------------------------------------------------
def hide_cross_movement(view: dict[str, Any], share: float, seed: int) -> tuple[dict[str, Any], set[tuple[str, str]]]:
    """The view without a random share of its cross-movement ties, and those pairs."""
    movements = {o["id"]: set(o["movements"]) for o in view["organizations"]}
    cross = [
        k
        for k, t in enumerate(view["ties"])
        if t["kind"] != "conflict" and not movements[t["source"]] & movements[t["target"]]
    ]
    rng = random.Random(seed)
    hidden_at = set(rng.sample(cross, max(1, round(share * len(cross)))))
    hidden = {tuple(sorted((view["ties"][k]["source"], view["ties"][k]["target"]))) for k in hidden_at}
    ties = [t for k, t in enumerate(view["ties"]) if k not in hidden_at]
    return {**view, "ties": ties}, hidden  # type: ignore[return-value]


def methods(view: dict[str, Any], top: int) -> dict[str, list[tuple[str, str]]]:
    """The top pairs of every method on one view."""
    ranking = rank(view, today=TODAY)
    ix, pool = ranking.index, ranking.candidates

    def by(score: np.ndarray, mask: np.ndarray | None = None, voice: bool = False) -> list[tuple[str, str]]:
        sub = pool if mask is None else Candidates(*(getattr(pool, f)[mask] for f in pool.__dataclass_fields__))
        chosen = select(ix, sub, score if mask is None else score[mask], top, voice_rule=voice)
        return [(ix.ids[int(sub.u[c])], ix.ids[int(sub.v[c])]) for c, _ in chosen]

    shipped = [(s["a"], s["b"]) for s in recommend(view, top=top, today=TODAY)]
    linked = pool.common > 0
    return {
        "recommender": shipped,
        "likelihood only": by(ranking.likelihood),
        "Adamic-Adar": by(pool.adamic_adar, linked),
        "resource allocation": by(pool.resource_allocation, linked),
    }


def precision(found: list[tuple[str, str]], hidden: set[tuple[str, str]], k: int) -> float:
    return sum(1 for pair in found[:k] if pair in hidden) / k


def evaluate(
    name: str, draws: list[tuple[dict[str, Any], set[tuple[str, str]]]], ks: tuple[int, ...]
) -> list[dict[str, Any]]:
    """Mean precision@K of every method over several (view, hidden ties) draws."""
    totals: dict[str, dict[int, list[float]]] = {}
    hits: dict[str, int] = {}
    hidden_total = 0
    for view, hidden in draws:
        hidden_total += len(hidden)
        for method, found in methods(view, max(ks)).items():
            for k in ks:
                totals.setdefault(method, {}).setdefault(k, []).append(precision(found, hidden, k))
            hits[method] = hits.get(method, 0) + sum(1 for pair in found[: max(ks)] if pair in hidden)
    return [
        {
            "map": name,
            "method": method,
            **{f"p@{k}": float(np.mean(v)) for k, v in by_k.items()},
            f"hits@{max(ks)}": hits[method],
            "hidden": hidden_total,
        }  # fmt: skip
        for method, by_k in totals.items()
    ]


def demo_view() -> dict[str, Any]:
    """The bundled demo as the private audience sees it (loaded into a throwaway store)."""
    import tempfile

    from coalition.domain.privacy import read_view
    from coalition.maps.services import init_map
    from coalition.maps.transfer import load_demo
    from graph.sqlite.store import SQLiteStore

    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "demo.db")
        try:
            init_map(store)
            load_demo(store)
            return read_view(store, "private")
        finally:
            store.close()


def print_table(rows: list[dict[str, Any]]) -> None:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    cells = [[_cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--maps", type=int, default=5, help="generated maps (seeds 1..N)")
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--ties", type=int, default=8000)
    parser.add_argument("--demo-draws", type=int, default=50)
    parser.add_argument(
        "--partner-share", type=float, action="append", help="generator weight of ties through a common partner"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    demo = demo_view()
    draws = [hide_cross_movement(demo, 1 / 3, seed) for seed in range(args.demo_draws)]
    print(f"Demo: 9 cross-movement ties, 3 hidden per draw, {args.demo_draws} draws\n")
    print_table(evaluate("demo", draws, (5, 10, 20)))
    for share in args.partner_share or [0.25]:
        generated = [
            hide_cross_movement(generate_map(args.orgs, args.ties, seed, partner_share=share), 0.2, seed)
            for seed in range(1, args.maps + 1)
        ]
        print(f"\nGenerated: {args.orgs} organizations, {args.ties} ties, seeds 1..{args.maps}, "
              f"a fifth of cross-movement ties hidden, common-partner weight {share}\n")  # fmt: skip
        print_table(evaluate(f"generated ({share})", generated, (50, 100, 200)))
    print(f"\n{time.perf_counter() - started:.1f} s; today = {TODAY}")


if __name__ == "__main__":
    main()
