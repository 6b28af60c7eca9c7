"""Needs and offers: pairs of nodes where one needs what the other offers, nearest first.

A plain scan of every needer against every offerer is quadratic (2.5 billion pairs at
50,000 organizations), and so is any step that walks a whole group for each need:
filtering the offerers of a (resource, region) group by language cost 23.6 million
checks, 189 s, on a 50,000-organization map with a few regions. Here offers are indexed
by resource; resource and region; resource and language; and resource, region and
language. Each need reads its nearest groups lazily and stops as soon as it has
``per_need`` offers, so it reads at most ``per_need`` plus its own ties and conflicts
from each group: the work is linear in the needs and offers of the map, whatever the
sizes of the groups.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable
from typing import Any

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
    key: Callable[[Hashable, Hashable, str, int], Any] | None = None,
    needer_key: Callable[[Hashable], Any] | None = None,
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
    key : callable, optional
        Sort the matches by ``key(needs, offers, resource, tier)`` instead; ``first`` is
        then ignored.
    needer_key : callable, optional
        With ``key``: sort by ``needer_key(needs)`` first, then by ``key``. With a
        ``limit`` too, only the needers that come first are matched in full (the others
        are only counted), so a short list of a large map costs little.

    Returns
    -------
    (list of dict, int)
        Matches ``{"needs": a, "offers": b, "resource": r, "tier": t, "same_region":
        bool, "shared_languages": [...]}`` (languages shared beyond the common ones),
        sorted by tier (see ``NEAREST_TIERS``), then ``first`` needers, then needer,
        resource and offerer (or by ``key``); and how many matches there were before
        ``limit``.

    Notes
    -----
    Within a tier, offers are taken in the order of their node as text. The groups a need
    reads are, in order: same resource, region and a shared language (the union over its
    languages), same resource and region, same resource and language (one language
    after the other, in alphabetical order), same resource. Every group is read only as
    far as needed, so a need costs O(per_need + its degree + its conflicts) per group and
    the whole pass O((N + O) L) for N needs, O offers and L languages per node, plus
    choosing the first ``limit`` of the matches (at most ``per_need`` per need). Counting
    needs no reading at all: a need has ``min(per_need, offerers - its skipped ones)``
    matches, since the last group holds every offerer of the resource.

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
    blocked: dict[Hashable, set] = {}
    for u, v in exclude:
        blocked.setdefault(u, set()).add(v)
        blocked.setdefault(v, set()).add(u)
    index = _OfferIndex(G, ok, common_languages)
    needs, total = [], 0
    for node, data in G.nodes(data=True):
        if not data.get("needs") or not ok(node):
            continue
        skip = {node, *G._adj[node], *blocked.get(node, ())}
        resources = [resource for resource in dict.fromkeys(data["needs"]) if resource in index.offered]
        for resource in resources:
            offered = index.offered[resource]
            total += min(per_need, len(offered) - len(skip & offered))
        if resources:
            needs.append((node, data, resources))
    if key is not None and needer_key is not None:
        ranks = {node: needer_key(node) for node, _, _ in needs}
        found_all = []
        previous = None
        for node, data, resources in sorted(needs, key=lambda need: ranks[need[0]]):
            if limit is not None and len(found_all) >= limit and ranks[node] != previous:
                break  # every match still to come sorts after the ones found
            found_all += _matches(G, index, node, data, resources, per_need, blocked, common_languages)
            previous = ranks[node]
        kept = _smallest(found_all, limit, lambda m: (ranks[m[0]], key(*m)))
    else:
        found_all = [m for need in needs for m in _matches(G, index, *need, per_need, blocked, common_languages)]
        if key is None:
            preferred = first or (lambda node: False)
            ranked_all = [(m[3], not preferred(m[0]), str(m[0]), m[2], str(m[1])) for m in found_all]
            kept = [found_all[i] for i in _smallest(range(len(found_all)), limit, ranked_all.__getitem__)]
        else:
            kept = _smallest(found_all, limit, lambda m: key(*m))
    nodes = G.nodes
    matches = []
    for needer, other, resource, tier in kept:
        mine, theirs = nodes[needer], nodes[other]
        region = mine.get("region") or ""
        shared = _languages(mine, common_languages) & _languages(theirs, common_languages)
        matches.append({
            "needs": needer, "offers": other, "resource": resource, "tier": tier,
            "same_region": bool(region) and region == theirs.get("region"), "shared_languages": sorted(shared),
        })  # fmt: skip
    return matches, total


def _matches(
    G: nx.Graph, index: _OfferIndex, node: Hashable, data: dict, resources: list[str], per_need: int,
    blocked: dict[Hashable, set], common: Collection[str],
) -> list[tuple[Hashable, Hashable, str, int]]:  # fmt: skip
    """(needer, offerer, resource, tier) for the nearest offers of each of a node's needs."""
    languages = tuple(sorted(_languages(data, common)))
    region = data.get("region") or ""
    skip = {node, *G._adj[node], *blocked.get(node, ())}
    return [
        (node, other, resource, tier)
        for resource in resources
        for other, tier in index.nearest(resource, region, languages, per_need, skip).items()
    ]


class _OfferIndex:
    """Offerers by resource; resource and region; resource and language; and all three.

    Every list is in the order of its node as text, and is read only as far as a need
    must go: ``per_need`` offers plus the nodes it skips. Needs alike (same resource,
    region and languages) share the first offers they would read when skipping nothing
    (``SPARE`` more than they keep); each need then only drops its own partners and
    conflicts from that short list, and reads the groups itself when they were too many.
    """

    SPARE = 16

    def __init__(self, G: nx.Graph, ok: Callable[[Hashable], bool], common: Collection[str]) -> None:
        self.prefixes: dict[tuple, tuple[list, bool]] = {}
        self.offered: defaultdict[str, set] = defaultdict(set)
        self.by_resource: defaultdict[str, list] = defaultdict(list)
        self.by_region: defaultdict[tuple[str, str], list] = defaultdict(list)
        self.by_language: defaultdict[tuple[str, str], list] = defaultdict(list)
        self.by_region_language: defaultdict[tuple[str, str, str], list] = defaultdict(list)
        offering = [(str(node), node, data) for node, data in G.nodes(data=True) if data.get("offers") and ok(node)]
        offering.sort(key=lambda item: item[0])
        for _, node, data in offering:
            region = data.get("region") or ""
            languages = _languages(data, common)
            for resource in dict.fromkeys(data["offers"]):
                self.offered[resource].add(node)
                self.by_resource[resource].append(node)
                self.by_region[resource, region].append(node)
                for language in languages:
                    self.by_language[resource, language].append(node)
                    self.by_region_language[resource, region, language].append(node)

    def nearest(self, resource: str, region: str, languages: tuple[str, ...], per_need: int, skip: set) -> dict:
        """Up to ``per_need`` offerers of ``resource`` not in ``skip``, nearest first:
        ``{offerer: tier}``."""
        key = (resource, region, languages, per_need)
        if key not in self.prefixes:
            prefix = self.read(resource, region, languages, per_need + self.SPARE, set())
            self.prefixes[key] = list(prefix.items()), len(prefix) < per_need + self.SPARE
        prefix, whole = self.prefixes[key]
        found: dict[Hashable, int] = {}
        for other, tier in prefix:
            if other not in skip:
                found[other] = tier
                if len(found) >= per_need:
                    return found
        return found if whole else self.read(resource, region, languages, per_need, skip)

    def read(self, resource: str, region: str, languages: tuple[str, ...], per_need: int, skip: set) -> dict:
        """``nearest`` read from the groups themselves."""
        found: dict[Hashable, int] = {}
        offered = self.by_resource.get(resource)
        if not offered:
            return found
        if region:
            groups = [self.by_region_language.get((resource, region, language)) for language in languages]
            _take_merged([group for group in groups if group], 0, found, per_need, skip)
            _take(self.by_region.get((resource, region), ()), 1, found, per_need, skip)
        for language in languages:
            _take(self.by_language.get((resource, language), ()), 2, found, per_need, skip)
        _take(offered, 3, found, per_need, skip)
        return found


def _take(candidates: Iterable, tier: int, found: dict, per_need: int, skip: set) -> None:
    """Add candidates to ``found`` (at this tier) until it holds ``per_need``.

    Each candidate read is either taken, already found, or in ``skip`` (the node, its
    partners, its conflicts): so a read stops after ``per_need + len(skip)`` at most.
    """
    if len(found) >= per_need:
        return
    for other in candidates:
        if other in skip or other in found:
            continue
        found[other] = tier
        if len(found) >= per_need:
            return


def _take_merged(groups: list[list], tier: int, found: dict, per_need: int, skip: set) -> None:
    """``_take`` over the union of lists each in the order of node as text, in that order.

    The first ``k`` new candidates of the union are among the first ``k`` new ones of each
    list, so each list is read as ``_take`` reads one, then the few found are sorted.
    """
    need = per_need - len(found)
    if need <= 0 or not groups:
        return
    if len(groups) == 1:
        _take(groups[0], tier, found, per_need, skip)
        return
    pool: set = set()
    for group in groups:
        taken = 0
        for other in group:
            if other in skip or other in found or other in pool:
                continue
            pool.add(other)
            taken += 1
            if taken >= need:
                break
    for other in sorted(pool, key=str)[:need]:
        found[other] = tier


def _smallest(items: Iterable, limit: int | None, key: Callable) -> list:
    """The first ``limit`` items in ``key`` order (all of them, sorted, without a limit)."""
    items = list(items)
    if limit is None or limit >= len(items):
        return sorted(items, key=key)
    return heapq.nsmallest(limit, items, key=key)


def _languages(data: dict, common: Collection[str]) -> set[str]:
    return {language for language in data.get("languages") or () if language not in common}
