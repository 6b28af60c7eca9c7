"""Candidate pairs for introductions, found without scoring all pairs.

- Two-step neighbourhoods: the partners of each organization's partners, counted once
  per middle organization, which also yields common partners, Adamic-Adar, resource
  allocation and warmth (the best consenting middle's weaker tie) for every such pair in
  one pass. A hub's partners are paired among its ``HUB_CAP`` strongest ties only.
- Attribute indexes: same region and a shared issue; a need matched by an offer (in the
  region and anywhere); a shared language other than English (in the region and
  anywhere). A small bucket gives all its pairs; a large one gives each member
  ``BUCKET_CAP`` partners in a fixed shuffled order, so the work grows with the map,
  not its square.

Then the limits: both ends consent and have capacity left this month, no tie and no
conflict tie between them, the pair is not settled (planned, made, declined, on hold),
and the two share no movement -- or, sharing one, sit in different Louvain communities
of every movement they share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coalition.introductions.index import MapIndex, contains, lookup, unique_sorted

__all__ = ["BUCKET_CAP", "HUB_CAP", "Candidates", "distinct_groups", "find_candidates", "two_step"]

#: Partners of a very large hub are paired only among its strongest ``HUB_CAP`` ties.
HUB_CAP = 200
#: Partners per member taken from a large attribute bucket. 6 rather than 12: on a
#: 50,000-organization map with four needs and offers and three languages each, 6.5 million
#: candidates became about half as many, the top 200 the same but for 3 pairs, the
#: introductions 24% faster, and ``bench/evaluate_introductions.py`` unchanged within its
#: intervals.
BUCKET_CAP = 6


@dataclass
class Candidates:
    """Candidate pairs (``u < v``) with their structural features."""

    u: np.ndarray
    v: np.ndarray
    keys: np.ndarray
    common: np.ndarray
    adamic_adar: np.ndarray
    resource_allocation: np.ndarray
    warmth: np.ndarray  # weaker tie strength (1-5) of the best consenting common partner, 0 if none
    extra_only: np.ndarray  # True where only the ``extra`` keys proposed the pair


def find_candidates(ix: MapIndex, eligible: np.ndarray | None = None, extra: np.ndarray | None = None) -> Candidates:
    """Pairs worth scoring, between organizations that are ``eligible`` (by default:
    consenting, with capacity left this month), without a tie or a conflict between
    them, not settled before, and from different movements (or, sharing a movement,
    from different communities of every movement they share). ``extra`` pair keys
    (e.g. the gap slate's, ``coalition.introductions.slate``) join the pool under the
    same limits."""
    if eligible is None:
        eligible = ix.remaining > 0
    two_keys, common, aa, ra, warmth = two_step(ix, eligible)
    parts = [two_keys, *_attribute_pairs(ix, eligible)]
    found = unique_sorted(np.concatenate(parts))
    extra = np.zeros(0, dtype=np.int64) if extra is None else extra
    keys = unique_sorted(np.concatenate([found, extra]))
    drop = np.concatenate([ix.tied_keys, ix.conflict_keys, ix.settled_keys])
    keys = keys[~contains(unique_sorted(drop), keys)]
    u, v = ix.split(keys)
    keep = (u != v) & distinct_groups(ix, u, v)
    keys, u, v = keys[keep], u[keep], v[keep]
    common, aa, ra, warmth = (lookup(two_keys, values, keys) for values in (common, aa, ra, warmth))
    return Candidates(u, v, keys, common, aa, ra, warmth, ~contains(found, keys))


def two_step(ix: MapIndex, eligible: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every pair of eligible partners of a common middle organization, with common
    partners, Adamic-Adar and resource allocation accumulated over the middles, and
    warmth: the weaker tie strength of the best middle who consents to introductions.

    Returns sorted unique keys and the four values, aligned."""
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    if len(ix.edges) == 0:
        return empty
    src = np.concatenate([ix.edges[:, 0], ix.edges[:, 1]])
    dst = np.concatenate([ix.edges[:, 1], ix.edges[:, 0]])
    strength = np.concatenate([ix.strength, ix.strength])
    keep = eligible[dst]
    src, dst, strength = src[keep], dst[keep], strength[keep]
    order = np.lexsort((dst, -strength, src))
    src, dst, strength = src[order], dst[order], strength[order]
    starts = np.searchsorted(src, np.arange(ix.n))
    counts = np.minimum(np.bincount(src, minlength=ix.n), HUB_CAP)
    degree = ix.degree.astype(float)
    keys, aa_w, ra_w, warm_w = [], [], [], []
    for k in np.unique(counts[counts >= 2]).tolist():
        middles = np.flatnonzero(counts == k)
        at = starts[middles][:, None] + np.arange(k)
        block, ties = dst[at], strength[at]
        i, j = np.triu_indices(k, 1)
        keys.append(ix.key(block[:, i].ravel(), block[:, j].ravel()))
        deg = np.repeat(degree[middles], len(i))
        aa_w.append(1.0 / np.log(deg))
        ra_w.append(1.0 / deg)
        warm = np.minimum(ties[:, i], ties[:, j]) * ix.consent[middles][:, None]
        warm_w.append(warm.ravel().astype(float))
    if not keys:
        return empty
    unique, inverse = unique_sorted(np.concatenate(keys), inverse=True)
    common = np.bincount(inverse, minlength=len(unique)).astype(float)
    aa = np.bincount(inverse, weights=np.concatenate(aa_w), minlength=len(unique))
    ra = np.bincount(inverse, weights=np.concatenate(ra_w), minlength=len(unique))
    warmth = np.zeros(len(unique))
    np.maximum.at(warmth, inverse, np.concatenate(warm_w))
    return unique, common, aa, ra, warmth


def distinct_groups(ix: MapIndex, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """True where the two share no movement, or sit in different communities of every
    movement they share."""
    shares = ix.movement_pair_tables[0][ix.mset[u], ix.mset[v]]
    if not shares.any():
        return np.ones(len(u), dtype=bool)
    same_community = np.zeros(len(u), dtype=bool)
    su, sv = u[shares], v[shares]
    community = ix.community
    together = np.zeros(len(su), dtype=bool)
    for m in range(len(ix.movement_ids)):
        together |= (community[su, m] >= 0) & (community[su, m] == community[sv, m])
    same_community[shares] = together
    return ~same_community


def _attribute_pairs(ix: MapIndex, eligible: np.ndarray) -> list[np.ndarray]:
    rng = np.random.default_rng(ix.seed)
    who = np.flatnonzero(eligible)
    regional = who[ix.region[who] >= 0]
    parts: list[np.ndarray] = []
    # same region and a shared issue
    members, labels = _memberships(ix.issues, regional)
    parts += _within(ix, rng, members, ix.region[members] * _width(ix.issues) + labels)
    # a shared language other than English, in the region and anywhere
    members, labels = _memberships(ix.languages, regional)
    parts += _within(ix, rng, members, ix.region[members] * _width(ix.languages) + labels)
    members, labels = _memberships(ix.languages, who)
    parts += _within(ix, rng, members, labels)
    # a need met by an offer, anywhere and in the region
    needers, need = _memberships(ix.needs, who)
    offerers, offer = _memberships(ix.offers, who)
    parts += _across(ix, rng, needers, need, offerers, offer)
    width = _width(ix.needs)
    parts += _across(
        ix, rng, needers, (ix.region[needers] + 1) * width + need, offerers, (ix.region[offerers] + 1) * width + offer
    )
    return parts


def _width(bits: np.ndarray) -> int:
    return max(bits.shape[1], 1) * 64


def _memberships(bits: np.ndarray, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(organization, word index) for every set bit of the given organizations."""
    if bits.shape[1] == 0 or len(who) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    unpacked = np.unpackbits(bits[who].view(np.uint8), axis=1, bitorder="little").astype(bool)
    rows, cols = np.nonzero(unpacked)
    return who[rows], cols.astype(np.int64)


def _segments(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    cuts = np.flatnonzero(np.diff(sorted_labels)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [len(labels)]])
    return order, starts, ends


def _within(ix: MapIndex, rng: np.random.Generator, members: np.ndarray, labels: np.ndarray) -> list[np.ndarray]:
    """Pairs inside each bucket: all of them when small, else ``BUCKET_CAP`` neighbours
    on each side in a shuffled ring."""
    if len(members) < 2:
        return []
    order, starts, ends = _segments(labels)
    out = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        size = e - s
        if size < 2:
            continue
        ring = rng.permutation(members[order[s:e]])
        shifts = np.arange(1, min(BUCKET_CAP, size // 2) + 1)
        a = np.repeat(ring, len(shifts))
        b = ring[(np.arange(size)[:, None] + shifts).ravel() % size]
        out.append(ix.key(a, b))
    return out


def _across(
    ix: MapIndex,
    rng: np.random.Generator,
    left: np.ndarray,
    left_labels: np.ndarray,
    right: np.ndarray,
    right_labels: np.ndarray,
) -> list[np.ndarray]:
    """Pairs from a left bucket to the right bucket of the same label: all of them when
    small, else ``BUCKET_CAP`` for each left member, spread over a shuffled right side."""
    if len(left) == 0 or len(right) == 0:
        return []
    l_order, l_starts, l_ends = _segments(left_labels)
    r_order, r_starts, r_ends = _segments(right_labels)
    r_label = right_labels[r_order][r_starts]
    out = []
    for s, e in zip(l_starts.tolist(), l_ends.tolist(), strict=True):
        label = left_labels[l_order[s]]
        at = np.searchsorted(r_label, label)
        if at >= len(r_label) or r_label[at] != label:
            continue
        lhs = left[l_order[s:e]]
        rhs = rng.permutation(right[r_order[r_starts[at] : r_ends[at]]])
        if len(lhs) * len(rhs) <= BUCKET_CAP * (len(lhs) + len(rhs)):
            a, b = np.repeat(lhs, len(rhs)), np.tile(rhs, len(lhs))
        else:
            take = min(BUCKET_CAP, len(rhs))
            offsets = (np.arange(len(lhs)) * len(rhs)) // len(lhs)
            a = np.repeat(lhs, take)
            b = rhs[(offsets[:, None] + np.arange(take)).ravel() % len(rhs)]
        keep = a != b
        out.append(ix.key(a[keep], b[keep]))
    return out
