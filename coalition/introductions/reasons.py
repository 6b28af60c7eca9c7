"""One suggestion explained: the warm broker (or the cold path) and the reasons, in
plain words, only from facts in the view (organization names, regions, issues,
languages, needs and offers, movement names, counts of visible ties). The reasons are
written in the interface's language when they are made.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coalition.domain.vocabulary import region_label, term_words
from coalition.i18n import _, ngettext
from coalition.introductions.features import community_ties
from coalition.introductions.index import MapIndex

__all__ = ["explain", "find_broker"]


def explain(ix: MapIndex, u: int, v: int, *, movement_link: bool = True) -> dict[str, Any]:
    """``broker``, ``broker_name``, ``reasons``, ``movements`` and ``cold_path`` (ids;
    empty when warm, or when nothing links them) of the pair of organizations u, v.

    ``movement_link=False`` leaves out the reason "links A and B, which have ..." (for a
    pair across movements), when a gap sentence says it instead."""
    broker = find_broker(ix, u, v)
    path = [] if broker is not None else _cold_path(ix, u, v)
    movements, sparse, shared = _movement_link(ix, u, v)
    reasons = _reasons(ix, u, v, broker, path, movements, sparse, shared, movement_link)
    return {
        "broker": ix.ids[broker] if broker is not None else None,
        "broker_name": ix.names[broker] if broker is not None else None,
        "reasons": reasons,
        "movements": movements,
        "cold_path": [ix.ids[i] for i in path],
    }


def find_broker(ix: MapIndex, u: int, v: int) -> int | None:
    """The common partner with the strongest ties to both (weaker tie first, then the
    sum, then id) who consents and has no conflict with either; None if there is none."""
    adj = ix.adjacency
    best: tuple[int, int] | None = None
    choice = None
    for w in sorted(adj[u].keys() & adj[v].keys()):  # ids are sorted: the first id wins a tie
        if not ix.consent[w] or _conflict(ix, w, u) or _conflict(ix, w, v):
            continue
        strength = (min(adj[u][w], adj[v][w]), adj[u][w] + adj[v][w])
        if best is None or strength > best:
            best, choice = strength, w
    return choice


def _conflict(ix: MapIndex, x: int, y: int) -> bool:
    key = min(x, y) * ix.n + max(x, y)
    at = np.searchsorted(ix.conflict_keys, key)
    return bool(at < len(ix.conflict_keys) and ix.conflict_keys[at] == key)


def _cold_path(ix: MapIndex, u: int, v: int) -> list[int]:
    """The shortest chain of current ties from u to v (one breadth-first search in
    igraph, whose graph the index holds anyway), [] when there is none."""
    if ix.component[u] != ix.component[v]:
        return []
    return list(ix.igraph.get_shortest_path(u, v, output="vpath"))


def _movement_link(ix: MapIndex, u: int, v: int) -> tuple[list[str], int, bool]:
    """([movement of u, movement of v], ties between them, whether they share it)."""
    mu = [ix.movement_ids.index(m) for m in ix.orgs[u].get("movements", [])]
    mv = [ix.movement_ids.index(m) for m in ix.orgs[v].get("movements", [])]
    shared = [m for m in mu if m in mv]
    if shared:
        m = shared[0]
        count = int(_community_ties(ix, u, v))
        return [ix.movement_ids[m]] * 2, count, True
    T = ix.movement_ties
    pairs = [(int(T[x, y]), i, j, x, y) for i, x in enumerate(mu) for j, y in enumerate(mv)]
    count, *_positions, x, y = min(pairs)
    return [ix.movement_ids[x], ix.movement_ids[y]], count, False


def _community_ties(ix: MapIndex, u: int, v: int) -> float:
    return float(community_ties(ix, np.array([u]), np.array([v]))[0])


def _reasons(
    ix: MapIndex,
    u: int,
    v: int,
    broker: int | None,
    path: list[int],
    movements: list[str],
    ties: int,
    shared: bool,
    movement_link: bool,
) -> list[str]:
    org_u, org_v = ix.orgs[u], ix.orgs[v]
    name_u, name_v = ix.names[u], ix.names[v]
    reasons = []
    if broker is not None:
        reasons.append(_("{broker} knows both").format(broker=ix.names[broker]))
    elif path:
        chain = " -> ".join(ix.names[i] for i in path)
        # TRANSLATORS: {path} is the chain of organizations, "A -> B -> C"
        reasons.append(_("cold introduction: no partner in common; the shortest path is {path}").format(path=chain))
    else:
        reasons.append(_("cold introduction: nothing links them in the map yet"))
    for i, j, name in ((u, v, name_u), (v, u, name_v)):
        if ix.community_led[i] and ix.degree[i] == 0:
            text = _("gives {organization}, a community-led group with no ties yet, a first partner")
            reasons.append(text.format(organization=name))
        elif ix.tied_only_to_allies[i] and ix.community_led[j]:
            text = _("gives {organization}, tied only to allies so far, a community-led partner")
            reasons.append(text.format(organization=name))
    for needer, offerer, name_n, name_o in ((org_u, org_v, name_u, name_v), (org_v, org_u, name_v, name_u)):
        for need in [r for r in needer.get("needs") or [] if r in (offerer.get("offers") or [])]:
            text = _("{needer} needs {resource}, {offerer} offers it")
            reasons.append(text.format(needer=name_n, resource=term_words(need), offerer=name_o))
    issues = [term_words(i) for i in org_u.get("issues") or [] if i in (org_v.get("issues") or [])]
    same = org_u.get("region") and org_u.get("region") == org_v.get("region")
    region = region_label(org_u["region"]) if same else ""
    if issues and region:
        reasons.append(_("both work on {issues} in {region}").format(issues=_and(issues[:3]), region=region))
    elif issues:
        reasons.append(_("both work on {issues}").format(issues=_and(issues[:3])))
    elif region:
        reasons.append(_("both are in {region}").format(region=region))
    languages = [
        lang
        for lang in org_u.get("languages") or []
        if lang.lower() != "english" and lang in (org_v.get("languages") or [])
    ]
    if languages:
        reasons.append(_("both speak {languages}").format(languages=_and(languages)))
    if shared:
        reasons.append(_joins(_movement_name(ix, movements[0]), ties))
    elif movement_link:
        first, second = (_movement_name(ix, m) for m in movements)
        reasons.append(_links(first, second, ties))
    common = len(ix.adjacency[u].keys() & ix.adjacency[v].keys())
    if common >= 2:
        text = ngettext("they have {count} partner in common", "they have {count} partners in common", common)
        reasons.append(text.format(count=common))
    both = [name for i, name in ((u, name_u), (v, name_v)) if ix.community_led[i]]
    if len(both) == 2:
        reasons.append(_("both are community-led"))
    elif both:
        reasons.append(_("{organization} is community-led").format(organization=both[0]))
    return reasons


def _joins(movement: str, ties: int) -> str:
    """The reason of a pair within one movement, from different parts of it."""
    if ties == 0:
        return _("joins two parts of {movement} that have no ties between them").format(movement=movement)
    return ngettext(
        "joins two parts of {movement} that have {count} tie between them",
        "joins two parts of {movement} that have {count} ties between them",
        ties,
    ).format(movement=movement, count=ties)


def _links(first: str, second: str, ties: int) -> str:
    """The reason of a pair across two movements."""
    if ties == 0:
        return _("links {first} and {second}, which have no ties between them").format(first=first, second=second)
    return ngettext(
        "links {first} and {second}, which have {count} tie between them",
        "links {first} and {second}, which have {count} ties between them",
        ties,
    ).format(first=first, second=second, count=ties)


def _movement_name(ix: MapIndex, movement: str) -> str:
    return ix.movement_names.get(movement, movement)


def _and(words: list[str]) -> str:
    """Words as a sentence lists them, "A, B and C" (the same messages as the gap analysis's)."""
    if len(words) == 1:
        return words[0]
    # TRANSLATORS: the end of a list: {names} is "A, B", {last} is "C"
    return _("{names} and {last}").format(names=_(", ").join(words[:-1]), last=words[-1])
