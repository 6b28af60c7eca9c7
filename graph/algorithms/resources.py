"""Needs and offers: pairs of nodes where one needs what the other offers, nearest first.

A plain scan of every needer against every offerer is quadratic (2.5 billion pairs at
50,000 organizations). Offers are indexed by resource, by resource and region, and by
resource and language, so each need looks at the nearest candidates first and stops as
soon as it has ``per_need`` of them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable

import networkx as nx

__all__ = ["NEAREST_TIERS", "resource_matches"]

#: How near an offer is, best first (the ``tier`` of a match).
NEAREST_TIERS = ("same region and shared language", "same region", "shared language", "elsewhere")


def resource_matches(
    G: nx.Graph,
    *,
    per_need: int = 3,
    limit: int | None = None,
    eligible: Callable[[Hashable], bool] | None = None,
    exclude: Iterable[tuple[Hashable, Hashable]] = (),
    common_languages: Collection[str] = ("English",),
    first: Callable[[Hashable], bool] | None = None,
) -> tuple[list[dict], int]:
    """Who offers what another node needs, when no edge joins the two.

    Parameters
    ----------
    G : networkx.Graph
        Nodes carry ``needs`` and ``offers`` (lists of resources), ``region`` (text) and
        ``languages`` (list); an edge means the two already work together.
    per_need : int
        Keep the nearest this many offers for each (node, resource) need.
    limit : int, optional
        Keep this many matches in all (after sorting).
    eligible : callable, optional
        ``eligible(node)`` is False for nodes that must not be matched at all.
    exclude : iterable of pairs
        Pairs never to match (conflicts, for instance).
    common_languages : collection of str
        Languages too widely shared to make two nodes near (a lingua franca).
    first : callable, optional
        ``first(node)`` is True for needers listed before others at the same nearness.

    Returns
    -------
    (list of dict, int)
        Matches ``{"needs": a, "offers": b, "resource": r, "tier": t, "same_region":
        bool, "shared_languages": [...]}`` (languages shared beyond the common ones) sorted by tier (see ``NEAREST_TIERS``), then
        ``first`` needers, then needer, resource and offerer; and how many matches there
        were before ``limit``.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("a", needs=["legal_advice"], region="east", languages=["Spanish"])
    >>> G.add_node("b", offers=["legal_advice"], region="west", languages=["Spanish"])
    >>> G.add_node("c", offers=["legal_advice"], region="north", languages=["English"])
    >>> [(m["offers"], m["tier"]) for m in resource_matches(G)[0]]
    [('b', 2), ('c', 3)]
    """
    ok = eligible or (lambda node: True)
    blocked = {frozenset(pair) for pair in exclude}
    by_resource: dict[str, list] = {}
    by_region: dict[tuple[str, str], list] = {}
    by_language: dict[tuple[str, str], list] = {}
    for node, data in sorted(G.nodes(data=True), key=lambda item: str(item[0])):
        if not ok(node):
            continue
        for resource in data.get("offers") or ():
            by_resource.setdefault(resource, []).append(node)
            by_region.setdefault((resource, data.get("region") or ""), []).append(node)
            for language in _languages(data, common_languages):
                by_language.setdefault((resource, language), []).append(node)
    matches = []
    for node, data in G.nodes(data=True):
        if not ok(node) or not data.get("needs"):
            continue
        languages = _languages(data, common_languages)
        region = data.get("region") or ""
        for resource in data["needs"]:
            if resource not in by_resource:
                continue
            found: dict[Hashable, int] = {}
            local = by_region.get((resource, region), []) if region else []
            shares = [o for o in local if languages & _languages(G.nodes[o], common_languages)]
            tiers = [(shares, 0), (local, 1)]
            tiers += [(by_language.get((resource, language), []), 2) for language in sorted(languages)]
            tiers.append((by_resource[resource], 3))
            for candidates, tier in tiers:
                _take(G, node, candidates, tier, found, per_need, blocked)
            for other, tier in found.items():
                other_data = G.nodes[other]
                same_region = bool(region) and region == other_data.get("region")
                shared = sorted(languages & _languages(other_data, common_languages))
                matches.append(
                    {"needs": node, "offers": other, "resource": resource, "tier": tier,
                     "same_region": same_region, "shared_languages": shared}
                )  # fmt: skip
    preferred = first or (lambda node: False)
    matches.sort(key=lambda m: (m["tier"], not preferred(m["needs"]), str(m["needs"]), m["resource"], str(m["offers"])))
    total = len(matches)
    return (matches[:limit] if limit is not None else matches), total


def _take(G: nx.Graph, node: Hashable, candidates: list, tier: int, found: dict, per_need: int, blocked: set) -> None:
    """Add candidates to ``found`` (at this tier) until it holds ``per_need``."""
    for other in candidates:
        if len(found) >= per_need:
            return
        if other == node or other in found or G.has_edge(node, other):
            continue
        if blocked and frozenset((node, other)) in blocked:
            continue
        found[other] = tier


def _languages(data: dict, common: Collection[str]) -> set[str]:
    return {language for language in data.get("languages") or () if language not in common}
