"""Maps of many shapes, written as the CSV folder a user would import.

``write_shape(folder, shape)`` writes ``movements.csv``, ``organizations.csv`` and
``ties.csv`` (the README's CSV format) for a map of ``shape.organizations`` organizations
and ``shape.ties_per_org`` ties per organization, with one of three profiles of
attributes:

- ``few``: 0-1 needs and 0-1 offers, one language (English for most), 10% of the
  organizations in two movements;
- ``issue``: 1-2 needs and 1-2 offers, 1-3 languages, 20% in two movements (the map of
  issue 14, where the gaps analysis took 255 s);
- ``many``: 4 needs and 4 offers, 3 languages, 30% in two movements: the densest lists.

Regions are few (one per 2,500 organizations, at least 3), so each (resource, region)
group holds hundreds of organizations at 50,000: a product of group sizes shows. Ties
follow movement and region (45% inside a movement and region, 25% inside a region, 10%
anywhere) with heavy-tailed activity, then 20% close a triangle. A few are conflicts or
have ended; a few organizations and ties are private. Everything is drawn from one
``numpy.random.default_rng(seed)`` and vectorised, so 200,000 organizations and a
million ties take seconds.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["PROFILES", "Profile", "Shape", "write_shape"]

MOVEMENTS = (
    ("housing", "Housing justice", 0.24), ("migrant", "Migrant rights", 0.22), ("disability", "Disability rights", 0.12),
    ("queer_trans", "Queer and trans liberation", 0.12), ("sex_work", "Sex worker rights", 0.1),
    ("labor", "Labor", 0.12), ("harm_reduction", "Harm reduction", 0.08),
)  # fmt: skip
LANGUAGES = ("Spanish", "Cantonese", "Arabic", "Tagalog", "Haitian Creole", "Vietnamese", "Somali", "ASL", "French")
RESOURCES = (
    "meeting_space", "legal_advice", "translation", "interpretation_asl", "transport_funds", "tech_tools",
    "digital_security", "media_training", "childcare", "funding",
)  # fmt: skip
ORG_KINDS = ("collective", "collective", "collective", "ngo", "union", "legal", "health", "media", "ally", "coalition")
TIE_KINDS = ("coalition", "joint_campaign", "referral", "funding", "shared_space", "personal_contact", "mou")
ISSUES = tuple(f"issue_{k:02d}" for k in range(20))
SYLLABLES = tuple(
    a + b for a in ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "da", "be", "zo", "fe", "gu", "ha", "ji", "po")
    for b in ("", "n", "r", "l", "s", "m")
)  # fmt: skip
WORDS = ("Tenants Union", "Collective", "Network", "Assembly", "Alliance", "Project", "Center", "Circle", "Fund")


@dataclass(frozen=True)
class Profile:
    """What each organization carries: needs and offers (inclusive ranges), languages,
    and the share in two movements."""

    needs: tuple[int, int]
    offers: tuple[int, int]
    languages: tuple[int, int]
    two_movements: float


PROFILES = {
    "few": Profile(needs=(0, 1), offers=(0, 1), languages=(1, 1), two_movements=0.10),
    "issue": Profile(needs=(1, 2), offers=(1, 2), languages=(1, 3), two_movements=0.20),
    "many": Profile(needs=(4, 4), offers=(4, 4), languages=(3, 3), two_movements=0.30),
}


@dataclass(frozen=True)
class Shape:
    """One map of the grid."""

    organizations: int
    ties_per_org: float
    profile: str = "issue"
    seed: int = 0

    @property
    def ties(self) -> int:
        return int(self.organizations * self.ties_per_org)

    @property
    def label(self) -> str:
        return f"{self.organizations:,} / {self.ties:,} / {self.profile}"


def write_shape(folder: Path, shape: Shape) -> dict[str, int]:
    """Write the shape's CSV folder; return its counts (organizations, ties, needs, offers)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([shape.seed, shape.organizations, int(shape.ties_per_org * 10)])
    profile = PROFILES[shape.profile]
    n = shape.organizations
    orgs = _organizations(rng, n, profile)
    source, target = _ties(rng, n, shape.ties, orgs["movement"], orgs["region"])
    with (folder / "movements.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "name", "color"])
        writer.writerows([m, name, "#777777"] for m, name, _ in MOVEMENTS)
    needs = offers = 0
    with (folder / "organizations.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "name", "movements", "kind", "community_led", "region", "languages", "issues",
                         "offers", "needs", "access", "contact", "visibility", "consent_to_introductions",
                         "intro_capacity_per_month", "notes"])  # fmt: skip
        for i in range(n):
            needs += len(orgs["needs"][i])
            offers += len(orgs["offers"][i])
            writer.writerow([
                _id(i), orgs["name"][i], ";".join(orgs["movements"][i]), orgs["kind"][i],
                "true" if orgs["community_led"][i] else "false", f"region_{orgs['region'][i]:03d}",
                ";".join(orgs["languages"][i]), ";".join(orgs["issues"][i]), ";".join(orgs["offers"][i]),
                ";".join(orgs["needs"][i]), "step-free entrance" if orgs["step_free"][i] else "",
                f"contact{i}@example.org", orgs["visibility"][i], "true" if orgs["consent"][i] else "false",
                int(orgs["capacity"][i]), "",
            ])  # fmt: skip
    m = len(source)
    kind = rng.integers(0, len(TIE_KINDS), m)
    conflict = rng.random(m) < 0.005
    strength = rng.integers(1, 6, m)
    since = rng.integers(0, 365 * 14, m)
    ended = rng.random(m) < 0.05
    visibility = rng.choice(np.array(["coalition", "public", "private"]), m, p=[0.88, 0.09, 0.03])
    base = np.datetime64("2010-01-01")
    with (folder / "ties.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["source", "target", "kind", "strength", "since", "until", "visibility", "notes"])
        for k in range(m):
            start = base + int(since[k])
            writer.writerow([
                _id(int(source[k])), _id(int(target[k])), "conflict" if conflict[k] else TIE_KINDS[kind[k]],
                1 if conflict[k] else int(strength[k]), str(start),
                str(start + 200 + int(since[k]) % 700) if ended[k] else "", visibility[k], "",
            ])  # fmt: skip
    return {"organizations": n, "ties": m, "needs": needs, "offers": offers}


def _id(i: int) -> str:
    return f"org_{i:06d}"


def _organizations(rng: np.random.Generator, n: int, profile: Profile) -> dict:
    shares = np.array([w for _, _, w in MOVEMENTS])
    movement = rng.choice(len(MOVEMENTS), n, p=shares / shares.sum())
    second = rng.choice(len(MOVEMENTS), n, p=shares / shares.sum())
    two = (rng.random(n) < profile.two_movements) & (second != movement)
    region = rng.integers(0, max(3, n // 2500), n)
    kinds = rng.integers(0, len(ORG_KINDS), n)
    n_lang = rng.integers(profile.languages[0], profile.languages[1] + 1, n)
    english = rng.random(n) < (0.7 if profile.languages[1] == 1 else 0.85)
    lang_weights = 1.0 / np.arange(1, len(LANGUAGES) + 1)
    lang_p = lang_weights / lang_weights.sum()
    res_weights = 1.0 / np.sqrt(np.arange(1, len(RESOURCES) + 1))
    res_p = res_weights / res_weights.sum()
    n_needs = rng.integers(profile.needs[0], profile.needs[1] + 1, n)
    n_offers = rng.integers(profile.offers[0], profile.offers[1] + 1, n)
    orgs: dict[str, list] = {key: [] for key in ("name", "movements", "kind", "languages", "issues", "needs", "offers")}
    for i in range(n):
        ms = [MOVEMENTS[movement[i]][0]] + ([MOVEMENTS[second[i]][0]] if two[i] else [])
        langs = ["English"] if english[i] else []
        extra = int(n_lang[i]) - len(langs)
        if extra > 0:
            langs += [LANGUAGES[j] for j in rng.choice(len(LANGUAGES), extra, replace=False, p=lang_p)]
        elif not langs:
            langs = [LANGUAGES[int(rng.choice(len(LANGUAGES), p=lang_p))]]
        needs = rng.choice(len(RESOURCES), int(n_needs[i]), replace=False, p=res_p)
        offers = rng.choice(len(RESOURCES), int(n_offers[i]), replace=False, p=res_p[::-1])
        word = SYLLABLES[i % len(SYLLABLES)] + SYLLABLES[(i // len(SYLLABLES)) % len(SYLLABLES)]
        orgs["name"].append(f"{word.title()} {SYLLABLES[int(rng.integers(len(SYLLABLES)))].title()}"
                            f"{SYLLABLES[int(rng.integers(len(SYLLABLES)))]} {WORDS[i % len(WORDS)]} {i}")  # fmt: skip
        orgs["movements"].append(ms)
        orgs["kind"].append(ORG_KINDS[kinds[i]])
        orgs["languages"].append(langs)
        orgs["issues"].append(sorted({ISSUES[j] for j in rng.integers(0, len(ISSUES), int(rng.integers(1, 4)))}))
        orgs["needs"].append([RESOURCES[j] for j in needs])
        orgs["offers"].append([RESOURCES[j] for j in offers])
    orgs["movement"] = movement
    orgs["region"] = region
    orgs["community_led"] = rng.random(n) < 0.5
    orgs["step_free"] = rng.random(n) < 0.3
    orgs["visibility"] = rng.choice(np.array(["coalition", "public", "private"]), n, p=[0.85, 0.12, 0.03])
    orgs["consent"] = rng.random(n) < 0.92
    orgs["capacity"] = rng.integers(0, 8, n)
    return orgs


def _ties(
    rng: np.random.Generator, n: int, m: int, movement: np.ndarray, region: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``m`` distinct unordered pairs: 80% by movement and region, 20% closing triangles."""
    activity = rng.pareto(2.5, n) + 1.0
    p = activity / activity.sum()
    bucket = movement * (int(region.max()) + 1) + region
    first = _distinct(rng, n, int(m * 0.8), lambda k: _draw(rng, n, k, p, bucket, region))
    src, dst = first // n, first % n
    ends = np.concatenate([src, dst])
    other = np.concatenate([dst, src])
    order = np.argsort(ends, kind="stable")
    ends, other = ends[order], other[order]
    start = np.searchsorted(ends, np.arange(n))
    degree = np.bincount(ends, minlength=n)
    hubs = np.flatnonzero(degree >= 2)

    def close(k: int) -> np.ndarray:
        centre = hubs[rng.integers(0, len(hubs), k)]
        a = other[start[centre] + (rng.random(k) * degree[centre]).astype(np.int64)]
        b = other[start[centre] + (rng.random(k) * degree[centre]).astype(np.int64)]
        return _codes(n, a, b)

    codes = _distinct(rng, n, m, close, first) if len(hubs) else first
    return codes // n, codes % n


def _draw(
    rng: np.random.Generator, n: int, k: int, p: np.ndarray, bucket: np.ndarray, region: np.ndarray
) -> np.ndarray:
    src = rng.choice(n, k, p=p)
    roll = rng.random(k)
    dst = rng.choice(n, k, p=p)  # anywhere, by activity
    for key, share in ((bucket, 0.45 / 0.8), (region, 0.7 / 0.8)):
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        lo = np.searchsorted(sorted_key, key[src], side="left")
        hi = np.searchsorted(sorted_key, key[src], side="right")
        pick = order[lo + (rng.random(k) * (hi - lo)).astype(np.int64)]
        take = roll < share if key is bucket else (roll >= 0.45 / 0.8) & (roll < share)
        dst = np.where(take, pick, dst)
    return _codes(n, src, dst)


def _codes(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    keep = a != b
    a, b = a[keep], b[keep]
    return np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)


def _distinct(rng: np.random.Generator, n: int, m: int, draw, have: np.ndarray | None = None) -> np.ndarray:
    """Add drawn pair codes to ``have`` until ``m`` distinct ones; a random ``m`` of them."""
    codes = np.empty(0, dtype=np.int64) if have is None else have
    kept = len(codes)
    for _ in range(50):
        if len(codes) >= m:
            break
        codes = np.unique(np.concatenate([codes, draw(int((m - len(codes)) * 1.3) + 16)]))
    if have is None or len(codes) <= m:
        return rng.permutation(codes)[:m]
    fresh = np.setdiff1d(codes, have, assume_unique=True)
    return np.concatenate([have[:kept], rng.permutation(fresh)[: m - kept]])
