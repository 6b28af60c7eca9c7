"""Placing candidates in a ranked list under the limits the groups set.

Best first, greedily: a pair is placed only while both organizations have capacity left
this month (counting the pairs placed above it), and the voice rule holds: a pair of an
organization Y with an organization X that is not community-led, where X would bring Y
a movement M that Y is not part of, is never placed above, nor instead of, a pair of Y
with a community-led organization of M that is still a candidate (consenting, capacity
left) -- unless Y already has a tie to a community-led organization of M, or a
community-led pair of Y for M is already placed. Such an ally pair moves just below the
community-led one, and its shown score is lowered to match. A pair is moved down at most
``MAX_DEFERRALS`` times: pairs that block one another in a cycle would otherwise trade
places without end, and after that the pair is placed where it stands.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence

import numpy as np

from coalition.introductions.candidates import Candidates
from coalition.introductions.index import MapIndex

__all__ = ["MAX_DEFERRALS", "select"]

#: How many times the voice rule may move one pair down the list.
MAX_DEFERRALS = 3


def select(
    ix: MapIndex,
    pool: Candidates,
    score: np.ndarray,
    top: int,
    voice_rule: bool = True,
    *,
    remaining: np.ndarray | None = None,
    placed_before: Sequence[int] = (),
    skip: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """Place candidates best first under capacity and the voice rule.

    ``placed_before`` are candidates already placed above the list (the gap slate),
    ``remaining`` the capacity left after them (default: the index's), and ``skip``
    (bool per candidate) those never to place here. Returns
    ``(candidate position, shown score)`` pairs in placement order. Only the best few
    thousand candidates are ever sorted, more as the list needs them.
    """
    remaining = (ix.remaining if remaining is None else remaining).copy()
    state = np.zeros(len(score), dtype=np.int8)  # 0 waiting, 1 placed, 2 dropped
    if skip is not None:
        state[skip] = 2
    lowered: dict[int, float] = {}  # the shown score of each pair the voice rule moved down
    stream = _best_first(score, pool.keys, first=max(16 * top, 1024))
    upcoming = next(stream, None)
    deferred: list[tuple[float, int, int]] = []
    voice = _Voice(ix, pool, score, state, remaining) if voice_rule else None
    deferrals: dict[int, int] = {}
    for c in placed_before:
        state[c] = 1
        if voice is not None:
            voice.placed(int(pool.u[c]), int(pool.v[c]))
    placed: list[tuple[int, float]] = []
    while len(placed) < top:
        if deferred and (
            upcoming is None or (-deferred[0][0], -deferred[0][1]) >= (score[upcoming], -pool.keys[upcoming])
        ):
            c = heapq.heappop(deferred)[2]
        elif upcoming is not None:
            c, upcoming = upcoming, next(stream, None)
        else:
            break
        if state[c] != 0:
            continue
        a, b = int(pool.u[c]), int(pool.v[c])
        if remaining[a] <= 0 or remaining[b] <= 0:
            state[c] = 2
            continue
        blocker = voice.blocker(c) if voice is not None and deferrals.get(c, 0) < MAX_DEFERRALS else None
        if blocker is not None:
            deferrals[c] = deferrals.get(c, 0) + 1
            lowered[c] = min(lowered.get(c, score[c]), lowered.get(blocker, score[blocker])) * (1 - 1e-5)
            heapq.heappush(deferred, (-lowered[c], int(pool.keys[c]), c))
            continue
        state[c] = 1
        remaining[a] -= 1
        remaining[b] -= 1
        if voice is not None:
            voice.placed(a, b)
        placed.append((c, float(lowered.get(c, score[c]))))
    return placed


def _best_first(score: np.ndarray, keys: np.ndarray, first: int) -> Iterator[int]:
    """Candidate positions by score, highest first (ties by key), sorting a growing
    top slice at a time instead of everything. The positions not yet taken are kept in
    32 bits, and the first cut is found on the scores themselves: with millions of
    candidates, full-length copies here were a large part of a run's peak memory."""
    rest: np.ndarray | None = None  # None: every position
    size = first
    while rest is None or len(rest):
        values = score if rest is None else score[rest]
        if len(values) > size:
            cut = np.partition(values, len(values) - size)[len(values) - size]
            high = values >= cut
            take = np.flatnonzero(high) if rest is None else rest[high]
            rest = (np.flatnonzero(~high) if rest is None else rest[~high]).astype(np.int32)
        else:
            take, rest = (np.arange(len(values)) if rest is None else rest), np.zeros(0, dtype=np.int32)
        del values
        yield from take[np.lexsort((keys[take], -score[take]))].tolist()
        size *= 4


class _Voice:
    """The voice rule's bookkeeping (see the module docstring)."""

    def __init__(
        self, ix: MapIndex, pool: Candidates, score: np.ndarray, state: np.ndarray, remaining: np.ndarray
    ) -> None:
        self.ix, self.pool, self.score, self.state, self.remaining = ix, pool, score, state, remaining
        self.covered = ix.community_led_partner.copy()
        self._by_org: dict[int, list[int]] = {}
        self._ends: tuple[np.ndarray, np.ndarray] | None = None

    def placed(self, a: int, b: int) -> None:
        cl = self.ix.community_led
        for y, x in ((a, b), (b, a)):
            if cl[x]:
                self.covered[y] |= self.ix.member[x]

    def blocker(self, c: int) -> int | None:
        """A waiting community-led pair that must come before candidate ``c``."""
        ix, pool = self.ix, self.pool
        a, b = int(pool.u[c]), int(pool.v[c])
        for y, x in ((a, b), (b, a)):
            if ix.community_led[x]:
                continue
            brought = ix.member[x] & ~ix.member[y] & ~self.covered[y]
            if not brought.any():
                continue
            for other in self._candidates_of(y):
                if other == c or self.state[other] != 0:
                    continue
                partner = int(pool.v[other]) if int(pool.u[other]) == y else int(pool.u[other])
                if self.remaining[partner] > 0 and (ix.member[partner] & brought).any():
                    return other
        return None

    def _candidates_of(self, y: int) -> list[int]:
        """Positions of the candidates pairing ``y`` with a community-led organization, best
        score first (the only ones that can block; the index is built on first use)."""
        if y not in self._by_org:
            if self._ends is None:
                # one array of (organization, position) keys sorted in place, only for
                # community-led partners, then 32-bit positions: with millions of
                # candidates this index was the peak of a 50,000-organization run's memory
                u, v, cl = self.pool.u, self.pool.v, self.ix.community_led
                width = 2 * len(u)
                by_u, by_v = np.flatnonzero(cl[v]), np.flatnonzero(cl[u])
                keys = np.concatenate([u[by_u], v[by_v]]).astype(np.int64)
                keys *= width
                keys[: len(by_u)] += by_u
                keys[len(by_u) :] += by_v
                keys.sort()
                starts = np.searchsorted(keys, np.arange(self.ix.n + 1) * width)
                keys %= width
                self._ends = (keys.astype(np.int32), starts)
            positions, starts = self._ends
            mine = positions[starts[y] : starts[y + 1]]
            self._by_org[y] = mine[np.lexsort((self.pool.keys[mine], -self.score[mine]))].tolist()
        return self._by_org[y]
