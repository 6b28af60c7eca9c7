"""One suggestion explained: the warm broker (or the cold path) and the reasons, in
plain words, only from facts in the view (organization names, regions, issues,
languages, needs and offers, movement names, counts of visible ties).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coalition.domain.vocabulary import region_label, term_words
from coalition.introductions.features import community_ties
from coalition.introductions.index import MapIndex

__all__ = ["explain", "find_broker"]


def explain(ix: MapIndex, u: int, v: int) -> dict[str, Any]:
    """``broker``, ``broker_name``, ``reasons``, ``movements`` and ``cold_path`` (ids;
    empty when warm, or when nothing links them) of the pair of organizations u, v."""
    broker = find_broker(ix, u, v)
    path = [] if broker is not None else _cold_path(ix, u, v)
    movements, sparse, shared = _movement_link(ix, u, v)
    reasons = _reasons(ix, u, v, broker, path, movements, sparse, shared)
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
    count, _, _, x, y = min(pairs)
    return [ix.movement_ids[x], ix.movement_ids[y]], count, False


def _community_ties(ix: MapIndex, u: int, v: int) -> float:
    return float(community_ties(ix, np.array([u]), np.array([v]))[0])


def _reasons(
    ix: MapIndex, u: int, v: int, broker: int | None, path: list[int], movements: list[str], ties: int, shared: bool
) -> list[str]:
    org_u, org_v = ix.orgs[u], ix.orgs[v]
    name_u, name_v = ix.names[u], ix.names[v]
    reasons = []
    if broker is not None:
        reasons.append(f"{ix.names[broker]} knows both")
    elif path:
        chain = " -> ".join(ix.names[i] for i in path)
        reasons.append(f"cold introduction: no partner in common; the shortest path is {chain}")
    else:
        reasons.append("cold introduction: nothing links them in the map yet")
    for i, j, name in ((u, v, name_u), (v, u, name_v)):
        if ix.community_led[i] and ix.degree[i] == 0:
            reasons.append(f"gives {name}, a community-led group with no ties yet, a first partner")
        elif ix.tied_only_to_allies[i] and ix.community_led[j]:
            reasons.append(f"gives {name}, tied only to allies so far, a community-led partner")
    for needer, offerer, name_n, name_o in ((org_u, org_v, name_u, name_v), (org_v, org_u, name_v, name_u)):
        for need in [r for r in needer.get("needs") or [] if r in (offerer.get("offers") or [])]:
            reasons.append(f"{name_n} needs {term_words(need)}, {name_o} offers it")
    issues = [term_words(i) for i in org_u.get("issues") or [] if i in (org_v.get("issues") or [])]
    same = org_u.get("region") and org_u.get("region") == org_v.get("region")
    region = region_label(org_u["region"]) if same else ""
    if issues and region:
        reasons.append(f"both work on {_and(issues[:3])} in {region}")
    elif issues:
        reasons.append(f"both work on {_and(issues[:3])}")
    elif region:
        reasons.append(f"both are in {region}")
    languages = [
        lang
        for lang in org_u.get("languages") or []
        if lang.lower() != "english" and lang in (org_v.get("languages") or [])
    ]
    if languages:
        reasons.append(f"both speak {_and(languages)}")
    ties_text = "no ties" if ties == 0 else "1 tie" if ties == 1 else f"{ties} ties"
    if shared:
        reasons.append(f"joins two parts of {_movement_name(ix, movements[0])} that have {ties_text} between them")
    else:
        names = [_movement_name(ix, m) for m in movements]
        reasons.append(f"links {names[0]} and {names[1]}, which have {ties_text} between them")
    common = len(ix.adjacency[u].keys() & ix.adjacency[v].keys())
    if common >= 2:
        reasons.append(f"they have {common} partners in common")
    both = [name for i, name in ((u, name_u), (v, name_v)) if ix.community_led[i]]
    if len(both) == 2:
        reasons.append("both are community-led")
    elif both:
        reasons.append(f"{both[0]} is community-led")
    return reasons


def _movement_name(ix: MapIndex, movement: str) -> str:
    return ix.movement_names.get(movement, movement)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
