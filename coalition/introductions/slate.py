"""The gap-aware slate: every gap the gap analysis names gets its best feasible
introduction into the list, labelled with the gap it closes, or a sentence saying why
none is feasible.

The gaps, in this order:

1. movement pairs with no tie at all (``missing_movement_pairs`` of the gap analysis);
2. community-led groups with no tie yet (``isolated`` community-led groups);
3. movement pairs far below random mixing (``weak_movement_pairs``, weakest first).

Both movement lists are computed here from the same index the recommender uses, with the
gap analysis's own definitions (``coalition.analysis.gaps``: current non-conflict ties;
a pair is weak when its density is under ``WEAK_RATIO`` of the map's), and a test checks
that the two agree.

The slate takes at most half of a first page (``SLATE_SHARE`` of ``PAGE``: 10 of the
default 20), and isolated groups at most a quarter of it, however long the list: on a map
with many unconnected community-led groups, first partners for all of them would
otherwise push out every introduction likely to happen (measured on the generated maps of
``bench/evaluate_introductions.py``: an uncapped slate of 68-84 first partners left no hit
in the top 50; half of a list of 200 cost a third of its hits).

Candidates for a gap come from its two sides' first ``GAP_SIDE`` feasible organizations
(community-led first, then the most capacity left, then the most ties), so the work per
gap is bounded and never grows with the product of the movements' sizes. The slate takes,
for each gap, the feasible candidate with the best score (which already weighs
community-led groups up), within the capacity the slate has used so far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from coalition.analysis.gaps import WEAK_RATIO
from coalition.i18n import _, ngettext
from coalition.introductions.candidates import Candidates
from coalition.introductions.index import MapIndex, unique_sorted

__all__ = ["GAP_SIDE", "Gap", "gap_candidate_keys", "gap_indices", "labeler", "named_gaps", "plan_slate", "why_none"]

#: Organizations taken from each side of a gap to pair up.
GAP_SIDE = 12
#: The share of a list the slate may take, and the share its isolated groups may take.
SLATE_SHARE = 0.5
ISOLATED_SHARE = 0.25
#: The first page of suggestions, whose share the slate takes in a longer list too.
PAGE = 20


@dataclass(frozen=True)
class Gap:
    """A gap the slate closes: ``kind`` is missing, weak or isolated; ``movements`` the two
    movement ids (for missing and weak), ``org`` the organization's position (isolated)."""

    kind: str
    movements: tuple[str, str] = ("", "")
    org: int = -1

    def label(self, ix: MapIndex) -> dict[str, object]:
        """The ``gap`` key of a suggestion: kind, movements or organization, and what the
        introduction does about the gap ("closes the gap between A and B, ...")."""
        if self.kind == "isolated":
            return {"kind": self.kind, "movements": None, "org": ix.ids[self.org], "text": self._words(ix)}
        return {"kind": self.kind, "movements": list(self.movements), "org": None, "text": self._words(ix)}

    def sentence(self, ix: MapIndex) -> str:
        """The label's words as a reason of their own: "It closes the gap between A and B, ..."."""
        return self._words(ix, sentence=True)

    def _words(self, ix: MapIndex, sentence: bool = False) -> str:
        """The label's text, or the whole sentence a reason says it in (one message each:
        a language may not start that sentence with a pronoun)."""
        if self.kind == "isolated":
            if sentence:
                text = _("It gives {organization}, a community-led group with no ties yet, a first partner.")
            else:
                text = _("gives {organization}, a community-led group with no ties yet, a first partner")
            return text.format(organization=ix.names[self.org])
        a, b = (ix.movement_names.get(m, m) for m in self.movements)
        missing = self.kind == "missing"
        if a == b and sentence:
            text = (
                _("It brings together groups of {movement}, which have no tie among them.")
                if missing
                else _("It brings together groups of {movement}, which work together far less than others.")
            )
        elif a == b:
            text = (
                _("brings together groups of {movement}, which have no tie among them")
                if missing
                else _("brings together groups of {movement}, which work together far less than others")
            )
        elif sentence:
            text = (
                _("It closes the gap between {first} and {second}, which have no tie at all.")
                if missing
                else _("It closes the gap between {first} and {second}, which work together far less than others.")
            )
        else:
            text = (
                _("closes the gap between {first} and {second}, which have no tie at all")
                if missing
                else _("closes the gap between {first} and {second}, which work together far less than others")
            )
        return text.format(movement=a, first=a, second=b)


def named_gaps(ix: MapIndex) -> list[Gap]:
    """Missing movement pairs, then isolated community-led organizations, then weak
    movement pairs (weakest first), as the gap analysis names them: a group with no tie
    at all comes before two movements that only talk less than others."""
    T = ix.movement_ties.astype(float)
    size = ix.member.sum(axis=0).astype(np.int64)
    overlap = ix.member.T.astype(np.int64) @ ix.member.astype(np.int64)
    possible = np.outer(size, size) - overlap - overlap * (overlap - 1) // 2
    np.fill_diagonal(possible, size * (size - 1) // 2)
    n = ix.n
    density = len(ix.edges) / (n * (n - 1) / 2) if n > 1 else 0.0
    missing, weak = [], []
    present = [i for i in range(len(ix.movement_ids)) if size[i]]
    for x, i in enumerate(present):
        for j in present[x:]:
            if T[i, j] == 0 and possible[i, j] > 0:
                missing.append(Gap("missing", (ix.movement_ids[i], ix.movement_ids[j])))
                continue
            expected = possible[i, j] * density
            ratio = round(T[i, j] / expected, 3) if expected > 0 else None
            if ratio is not None and ratio < WEAK_RATIO:
                weak.append((ratio, Gap("weak", (ix.movement_ids[i], ix.movement_ids[j]))))
    weak.sort(key=lambda item: item[0])
    isolated = [Gap("isolated", org=int(i)) for i in np.flatnonzero(ix.community_led & (ix.degree == 0))]
    return missing + isolated + [gap for _ratio, gap in weak]


def gap_candidate_keys(ix: MapIndex, gaps: list[Gap], eligible: np.ndarray) -> np.ndarray:
    """Pair keys joining each gap's two sides (``GAP_SIDE`` organizations each). Sides
    are worked out once per movement or movement set, so thousands of isolated groups
    cost thousands of small pairings, not thousands of passes over the map."""
    at = {m: i for i, m in enumerate(ix.movement_ids)}
    sides: dict[tuple, np.ndarray] = {}

    def side(key: tuple, who: Callable[[], np.ndarray]) -> np.ndarray:
        if key not in sides:
            sides[key] = _side(ix, who())
        return sides[key]

    keys = []
    for gap in gaps:
        if gap.kind == "isolated":
            if not eligible[gap.org]:
                continue
            own = ix.member[gap.org]
            left = np.array([gap.org])
            nearby = side(("set", int(ix.mset[gap.org])), lambda own=own: eligible & (ix.member & own).any(axis=1))
            right = np.concatenate([nearby, side(("all",), lambda: eligible)])
        else:
            first, second = at[gap.movements[0]], at[gap.movements[1]]
            left = side(("movement", first), lambda m=first: eligible & ix.member[:, m])
            right = side(("movement", second), lambda m=second: eligible & ix.member[:, m])
        a, b = np.repeat(left, len(right)), np.tile(right, len(left))
        keep = a != b
        keys.append(ix.key(a[keep], b[keep]))
    return unique_sorted(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)


def gap_indices(ix: MapIndex, gaps: list[Gap], u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """For each pair ``(u[k], v[k])``: the position in ``gaps`` of the first named gap it
    closes, or -1 (see ``labeler``). Worked out a million pairs at a time into 32 bits:
    the tables' lookups over millions of candidates at once were a peak of a large
    map's memory."""
    tables = _GapTables(ix, gaps)
    out = np.empty(len(u), dtype=np.int32)
    for start in range(0, len(u), 1_000_000):
        part = slice(start, start + 1_000_000)
        out[part] = tables.first(u[part], v[part])
    return out


def labeler(ix: MapIndex, gaps: list[Gap]) -> Callable[[int, int], Gap | None]:
    """A function giving the first named gap (in ``gaps`` order) a pair ``(u, v)``
    closes, or None. Tables by movement set and by organization, so the work grows with
    the pairs asked about, not with how many gaps there are (a sparse map can name
    thousands of isolated groups)."""
    tables = _GapTables(ix, gaps)

    def label(u: int, v: int) -> Gap | None:
        k = int(tables.first(np.array([u]), np.array([v]))[0])
        return gaps[k] if k >= 0 else None

    return label


class _GapTables:
    """The first gap (position in ``gaps``) between two movement sets, and of each
    organization; ``len(gaps)`` for none."""

    def __init__(self, ix: MapIndex, gaps: list[Gap]) -> None:
        self.ix, self.none = ix, len(gaps)
        at = {m: i for i, m in enumerate(ix.movement_ids)}
        between = np.full((len(ix.movement_ids),) * 2, self.none, dtype=np.int64)
        self.of_org = np.full(ix.n, self.none, dtype=np.int64)
        for k, gap in reversed(list(enumerate(gaps))):
            if gap.kind == "isolated":
                self.of_org[gap.org] = k
            else:
                i, j = at[gap.movements[0]], at[gap.movements[1]]
                between[i, j] = between[j, i] = k
        self.by_sets = np.full((len(ix.msets),) * 2, self.none, dtype=np.int64)
        for x, a in enumerate(ix.msets):
            for y, b in enumerate(ix.msets):
                if a and b:
                    self.by_sets[x, y] = between[np.ix_(a, b)].min()

    def first(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        mset = self.ix.mset
        found = np.minimum(self.by_sets[mset[u], mset[v]], np.minimum(self.of_org[u], self.of_org[v]))
        return np.where(found == self.none, -1, found)


def plan_slate(
    ix: MapIndex, pool: Candidates, score: np.ndarray, gaps: list[Gap], top: int
) -> tuple[list[tuple[int, Gap]], list[tuple[Gap, str]], np.ndarray]:
    """The best feasible candidate of each gap, within its share of a list of ``top``.

    Returns the chosen ``(candidate position, gap)`` pairs in gap order, the gaps left
    without one with why, and the capacity each organization has left after the slate.
    """
    remaining = ix.remaining.copy()
    closes = gap_indices(ix, gaps, pool.u, pool.v)
    labelled = np.flatnonzero(closes >= 0)
    labelled = labelled[np.lexsort((pool.keys[labelled], -score[labelled], closes[labelled]))]
    starts = np.searchsorted(closes[labelled], np.arange(len(gaps) + 1))
    chosen: list[tuple[int, Gap]] = []
    unmet: list[tuple[Gap, str]] = []
    taken: set[int] = set()
    page = min(top, PAGE)
    slots = max(1, int(page * SLATE_SHARE))
    isolated_slots = max(1, int(page * ISOLATED_SHARE))
    for k, gap in enumerate(gaps):
        if len(chosen) >= slots:
            unmet.append((gap, _no_room(top, slots)))
            continue
        if gap.kind == "isolated" and sum(g.kind == "isolated" for _pick, g in chosen) >= isolated_slots:
            unmet.append((gap, _no_room(top, isolated_slots, isolated=True)))
            continue
        options = labelled[starts[k] : starts[k + 1]].tolist()  # best score first
        pick = next(
            (c for c in options if c not in taken and remaining[pool.u[c]] > 0 and remaining[pool.v[c]] > 0), None
        )
        if pick is None:
            unmet.append((gap, why_none(ix, gap)))
            continue
        taken.add(pick)
        remaining[pool.u[pick]] -= 1
        remaining[pool.v[pick]] -= 1
        chosen.append((pick, gap))
    return chosen, unmet, remaining


def _no_room(top: int, slots: int, isolated: bool = False) -> str:
    """Why a gap waits: the list is short, or the slate's places for gaps (for isolated
    groups) are taken."""
    if top < PAGE:
        return ngettext(
            "a list of {count} keeps room for other introductions; ask for a longer one",
            "a list of {count} keeps room for other introductions; ask for a longer one",
            top,
        ).format(count=top)
    if isolated:
        return ngettext(
            "more isolated groups than the {count} place a list keeps for them; close the ones above first",
            "more isolated groups than the {count} places a list keeps for them; close the ones above first",
            slots,
        ).format(count=slots)
    return ngettext(
        "more gaps than the {count} place a list keeps for them; close the ones above first",
        "more gaps than the {count} places a list keeps for them; close the ones above first",
        slots,
    ).format(count=slots)


def why_none(ix: MapIndex, gap: Gap) -> str:
    """Why no introduction closes this gap now, in plain words."""
    at = {m: i for i, m in enumerate(ix.movement_ids)}
    sides = (
        [(None, np.array([gap.org]))]
        if gap.kind == "isolated"
        else [(ix.movement_names.get(m, m), np.flatnonzero(ix.member[:, at[m]])) for m in dict.fromkeys(gap.movements)]
    )
    for name, members in sides:  # name: the movement's, None for the isolated group itself
        if not len(members):
            break
        if not ix.consent[members].any():
            if name is None:
                return _("no group in this group takes introductions (consent is off)")
            return _("no group in {movement} takes introductions (consent is off)").format(movement=name)
        if not (ix.remaining[members] > 0).any():
            if name is None:
                return _("every consenting group in this group has used its introductions for this month")
            return _("every consenting group in {movement} has used its introductions for this month").format(
                movement=name
            )
    return _(
        "every possible pairing is already planned, declined, on hold or in conflict, or used up this list's capacity"
    )


def _side(ix: MapIndex, who: np.ndarray) -> np.ndarray:
    """The first ``GAP_SIDE`` of the organizations marked in ``who``: community-led first,
    then the most capacity left, then the most ties, then by id."""
    members = np.flatnonzero(who)
    if len(members) <= GAP_SIDE:
        return members
    led = ix.community_led[members].astype(np.int64)
    order = np.lexsort((members, -ix.degree[members], -ix.remaining[members], -led))
    return members[order[:GAP_SIDE]]
