"""Generated coalition maps with planted structures, as audience views (no store needed).

``planted_map(n, seed=...)`` returns a view shaped like ``coalition.domain.privacy.view_for``'s
and a dict naming what was planted, so that tests can check the gaps analysis finds it
and the benchmark can time it at 50,000 organizations. Everything is drawn from one
``random.Random(seed)``: the same arguments give the same map.

Planted (ids in the returned ``planted`` dict):
- ``missing_pair``: disability and sex_work organizations are never tied.
- ``gateway``: a housing organization with the only tie to the ``rural_care`` movement,
  eight organizations tied only among themselves (an articulation point, a bridge, a
  movement cut off, and a single-movement community).
- ``lonely``: a community-led organization with no tie; it needs legal advice.
- ``clinic``: offers legal advice in the lonely group's region and is the only other
  organization speaking Tagalog (the nearest offer).
- ``allies_only``: a community-led organization tied only to two allies.
- ``weak_movement``: queer_trans organizations (in no other movement) drop 9 in 10 of
  the ties that would join them to another movement.
"""

from __future__ import annotations

import random
from typing import Any

MOVEMENTS = ("housing", "migrant", "disability", "queer_trans", "sex_work")
WEIGHTS = (0.3, 0.3, 0.12, 0.13, 0.15)
LANGUAGES = ("Spanish", "Cantonese", "Arabic", "Haitian Creole", "Portuguese", "Vietnamese", "French")
RESOURCES = (
    "meeting_space", "legal_advice", "translation", "transport_funds", "tech_tools",
    "digital_security", "media_training", "childcare", "funding",
)  # fmt: skip
KINDS = ("coalition", "joint_campaign", "referral", "funding", "shared_space", "personal_contact", "mou")
RURAL = 8


def planted_map(n_orgs: int = 300, ties_per_org: float = 4.0, seed: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """A view of ``n_orgs`` organizations and ``ties_per_org * n_orgs`` tie records."""
    rng = random.Random(seed)
    regions = [f"region_{i}" for i in range(max(3, n_orgs // 100))]
    orgs: list[dict[str, Any]] = []
    for i in range(n_orgs - RURAL - 4):
        movement = rng.choices(MOVEMENTS, WEIGHTS)[0]
        movements = [movement]
        if rng.random() < 0.15 and movement != "queer_trans":
            second = rng.choice(MOVEMENTS)
            if second not in (movement, "queer_trans") and {movement, second} != {"disability", "sex_work"}:
                movements.append(second)
        orgs.append(_org(rng, f"org_{i:05d}", movements, rng.choice(regions)))
    home = regions[0]
    gateway = _org(rng, "gateway_housing", ["housing"], home)
    lonely = _org(rng, "lonely_collective", ["sex_work"], home, community_led=True)
    lonely.update(languages=["English", "Tagalog"], needs=["legal_advice"], offers=[])
    clinic = _org(rng, "planted_legal_clinic", ["migrant"], home, community_led=False)
    clinic.update(kind="legal", languages=["English", "Tagalog"], offers=["legal_advice"], needs=[])
    allies_only = _org(rng, "allies_only_collective", ["migrant"], home, community_led=True)
    rural = [_org(rng, f"rural_care_{i}", ["rural_care"], home) for i in range(RURAL)]
    for org in (gateway, lonely, clinic, allies_only):
        org["consent_to_introductions"] = True
    orgs += [gateway, lonely, clinic, allies_only, *rural]

    ties: dict[frozenset, dict[str, Any]] = {}
    by_bucket: dict[tuple[str, str], list[int]] = {}
    by_region: dict[str, list[int]] = {}
    ordinary = list(range(n_orgs - RURAL - 4)) + [n_orgs - RURAL - 4, n_orgs - RURAL - 2]  # + gateway, clinic
    for i in ordinary:
        by_bucket.setdefault((orgs[i]["movements"][0], orgs[i]["region"]), []).append(i)
        by_region.setdefault(orgs[i]["region"], []).append(i)
    neighbours: dict[int, list[int]] = {}
    n_extra, n_conflict = max(2, int(n_orgs * ties_per_org) // 50), max(1, n_orgs // 200)
    target = int(n_orgs * ties_per_org) - (RURAL + 5) - n_extra - n_conflict  # 13 planted ties below
    while len(ties) < target:
        a = rng.choice(ordinary)
        roll = rng.random()
        if roll < 0.2 and neighbours.get(a):
            b = rng.choice(neighbours.get(rng.choice(neighbours[a]), [a]))
        elif roll < 0.65:
            b = rng.choice(by_bucket[(orgs[a]["movements"][0], orgs[a]["region"])])
        elif roll < 0.85:
            b = rng.choice(by_region[orgs[a]["region"]])
        else:
            b = rng.choice(ordinary)
        if not _allowed(rng, orgs[a], orgs[b]) or frozenset((a, b)) in ties:
            continue
        ties[frozenset((a, b))] = _tie(rng, orgs[a]["id"], orgs[b]["id"])
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    rows = list(ties.values())
    planted_ties = [(rural[i]["id"], rural[(i + 1) % RURAL]["id"]) for i in range(RURAL)]  # a ring
    planted_ties += [
        ("rural_care_0", "rural_care_4"),
        ("rural_care_2", "rural_care_6"),
        ("gateway_housing", "rural_care_0"),
    ]
    allies = [o["id"] for o in orgs[: n_orgs - RURAL - 4] if not o["community_led"] and "migrant" not in o["movements"]]
    partners = rng.sample(allies, 2)
    planted_ties += [("allies_only_collective", partner) for partner in partners]
    rows += [_tie(rng, a, b, may_end=False) for a, b in planted_ties]
    for tie in rng.sample(rows[: len(ties)], min(len(ties), n_extra)):  # a second tie of another kind
        rows.append({**tie, "kind": "coalition" if tie["kind"] == "mou" else "mou", "strength": 1})
    conflicts: set[frozenset] = set()
    while len(conflicts) < n_conflict:  # conflicts between organizations not otherwise tied
        a, b = rng.sample(ordinary, 2)
        if frozenset((a, b)) not in ties and frozenset((a, b)) not in conflicts:
            conflicts.add(frozenset((a, b)))
            rows.append({**_tie(rng, orgs[a]["id"], orgs[b]["id"], may_end=False), "kind": "conflict", "strength": 1})
    view = {
        "movements": [{"id": m, "name": m.replace("_", " ").title(), "color": "#777777"} for m in MOVEMENTS]
        + [{"id": "rural_care", "name": "Rural care", "color": "#777777"}],
        "organizations": orgs,
        "ties": rows,
        "introductions": [],
        "version": seed,
        "audience": "coalition",
        "withheld": {"organizations": 0, "ties": 0, "introductions": 0},
    }
    planted = {
        "missing_pair": ["disability", "sex_work"],
        "gateway": "gateway_housing",
        "bridge": ["gateway_housing", "rural_care_0"],
        "cut_off_movement": "rural_care",
        "cut_off": [o["id"] for o in rural],
        "lonely": "lonely_collective",
        "clinic": "planted_legal_clinic",
        "allies_only": "allies_only_collective",
        "allies": partners,
        "weak_movement": "queer_trans",
    }
    return view, planted


def _allowed(rng: random.Random, a: dict, b: dict) -> bool:
    if a is b:
        return False
    ma, mb = set(a["movements"]), set(b["movements"])
    if ("disability" in ma and "sex_work" in mb) or ("sex_work" in ma and "disability" in mb):
        return False
    crosses = ma != mb and not ma & mb
    return not (crosses and "queer_trans" in ma | mb and rng.random() < 0.9)


def _org(rng: random.Random, org_id: str, movements: list[str], region: str, community_led: bool | None = None) -> dict:
    languages = ["English"] + ([rng.choice(LANGUAGES)] if rng.random() < 0.6 else [])
    return {
        "id": org_id,
        "name": org_id.replace("_", " ").title(),
        "movements": movements,
        "kind": rng.choice(("collective", "collective", "union", "ngo", "ally")),
        "community_led": rng.random() < 0.6 if community_led is None else community_led,
        "region": region,
        "languages": languages,
        "issues": [],
        "offers": rng.sample(RESOURCES, rng.randint(0, 2)),
        "needs": rng.sample(RESOURCES, rng.randint(0, 2)),
        "access": "",
        "contact": "",
        "contact_visibility": "private",
        "visibility": "coalition",
        "consent_to_introductions": rng.random() < 0.95,
        "intro_capacity_per_month": rng.randint(0, 5),
        "notes": "",
        "version": 1,
    }


def _tie(rng: random.Random, source: str, target: str, may_end: bool = True) -> dict:
    ended = may_end and rng.random() < 0.02
    return {
        "source": source,
        "target": target,
        "kind": rng.choice(KINDS),
        "strength": rng.randint(1, 5),
        "since": "2020-01-01",
        "until": "2021-06-30" if ended else None,
        "visibility": "coalition",
        "notes": "",
    }
