"""Gaps and brokers: what the coalition's structure says, for one audience.

``analyse_gaps`` takes a view that ``coalition.domain.privacy`` has already redacted for its
audience and uses nothing else, so nothing hidden can appear in the result. Choices:

- Current ties only: ended ties (``until`` before today) are left out unless
  ``include_ended=True``; conflict ties are never paths and are kept apart.
- Several ties between two organizations are one edge; its strength is the strongest.
- Movement matrix: an organization in two movements counts in both. ``ties`` counts tie
  records, ``strength`` sums their strengths, ``pairs`` counts tied pairs, and ``ratio`` is
  the density of tied pairs over the map's overall density (1 = random mixing by
  movement size). A pair is weak when ``ratio < WEAK_RATIO`` with at least one tie.
- Single points of failure: organizations (articulation points) and ties (bridges) whose
  loss cuts some organizations off, largest cut first, with ``"kind"`` "organization"
  (``"tie": null``) or "tie" (``"org": null``). Local bridges between movements, whose
  loss only makes the way round longer, are listed apart under ``local_bridges``.
- Brokers: Gould-Fernandez roles with each organization's first movement as its group
  (``consultant`` is sna's itinerant role), ranked by betweenness, then by brokerage
  across movements.
- Needs and offers leave out organizations that do not consent to introductions and
  pairs in conflict. Each need keeps its nearest offers: same region and a shared
  language other than English, same region, shared language, elsewhere. The list is
  ordered by what to act on first: community-led groups in need, then groups on the
  edge (no current tie, or listed in ``isolated_community_led``), then matches across
  movements, then nearness. Each match says why: ``needer_community_led``,
  ``needer_on_the_edge`` (``"no_tie"``, ``"only_allies"``, ``"only_own_movement"`` or
  null) and ``cross_movement``.
- Lists are capped (needs and offers at 200, brokers at 15, the others at 20; ``None``
  lifts a cap) after ordering, and ``summary`` always has the full counts. The work is
  linear in the map, plus sorting and the items listed (the members of each cut listed):
  nothing walks a product of group sizes (see ``graph.algorithms.resources``).
- Silos: Louvain communities (seed 0) with at least 3 organizations of one movement
  making up at least ``SILO_SHARE`` of the community (a gateway organization from
  another movement does not hide a silo).
- Betweenness is exact up to 5,000 organizations, then sampled from 500 sources. Local
  bridges are looked for among at most 1,000 ties between movements (rarest pairs of
  movements first), each with one bidirectional search.
"""

from __future__ import annotations

import heapq
import time
from collections import Counter
from collections.abc import Hashable
from contextlib import contextmanager
from datetime import date
from functools import reduce
from typing import Any

import networkx as nx
import numpy as np

from coalition.domain.collector import collector_paused
from coalition.domain.freshness import Freshness, stale_sentence, weigh_stale
from coalition.domain.privacy import read_view
from coalition.domain.vocabulary import movement_label, term_words
from coalition.i18n import N_, _, ngettext
from graph.algorithms import (
    NEAREST_TIERS,
    as_indexed,
    betweenness_is_sampled,
    brokerage_roles,
    constraint,
    cut_points,
    effective_size,
    group_mixing,
    local_bridges,
    louvain_communities,
    resource_matches,
    start_betweenness,
)
from graph.networkx_graph import build_graph
from graph.store import Store

__all__ = [
    "CAPPED_LISTS", "NEARNESS_WORDS", "REPORT_KEYS", "SILO_SHARE", "TEXT_ITEMS", "WEAK_RATIO", "analyse_gaps",
    "gaps_for_store", "gaps_text", "list_caps",
]  # fmt: skip

WEAK_RATIO = 0.25
SILO_SHARE = 0.8
#: Share of betweenness's sampled sources a second process works through while this one
#: does the rest of the analysis (about a third of the work on a 50,000-organization map,
#: plus the second process's start, about 1.5 s).
BETWEENNESS_WORKER_SHARE = 2 / 3
#: Items of each list the text shows unless told otherwise.
TEXT_ITEMS = 25
#: Why a community-led group is on the edge, the most isolated first.
EDGE_ORDER = {"no_tie": 0, "only_allies": 1, "only_own_movement": 2}
#: The capped lists of the report; ``summary`` holds each one's full count under its key.
CAPPED_LISTS = (
    "single_points_of_failure", "local_bridges", "brokers", "isolated_community_led", "needs_offers", "silos",
)  # fmt: skip
REPORT_KEYS = (
    "movement_matrix", "missing_movement_pairs", "weak_movement_pairs", "single_points_of_failure",
    "brokers", "isolated_community_led", "needs_offers", "silos",
)  # fmt: skip
#: The words of ``graph.algorithms.NEAREST_TIERS``, marked for the catalogue: a match's
#: ``nearness`` stays English in the report (a JSON value) and is shown as ``_(nearness)``.
NEARNESS_WORDS = (N_("same region and shared language"), N_("same region"), N_("shared language"), N_("elsewhere"))
#: A broker's count of each brokerage role (Gould and Fernandez's), as the text shows it.
ROLE_COUNTS = {
    # TRANSLATORS: a brokerage role and how many times an organization plays it
    "coordinator": N_("coordinator {count}"), "consultant": N_("consultant {count}"),
    "gatekeeper": N_("gatekeeper {count}"), "representative": N_("representative {count}"),
    "liaison": N_("liaison {count}"),
}  # fmt: skip


@collector_paused()
def analyse_gaps(
    view: dict[str, Any],
    *,
    today: date | None = None,
    include_ended: bool = False,
    top: int | None = 15,
    max_items: int | None = 20,
    needs_per_org: int = 3,
    max_needs_offers: int | None = 200,
    min_span: int = 4,
    seed: int = 0,
    timings: dict[str, float] | None = None,
    freshness: Freshness | None = None,
) -> dict[str, Any]:
    """Where the coalition is thin, as one dict ready for ``json.dumps(allow_nan=False)``.

    Parameters
    ----------
    view : dict
        A view already redacted for its audience (``coalition.domain.privacy.read_view``).
    today : date, optional
        The day that decides which ties have ended (default: today).
    include_ended : bool
        Count ended ties as current.
    top : int or None
        Brokers listed (None: every broker).
    max_items : int or None
        Cap on single points of failure, local bridges, isolated groups and silos
        (None: no cap; ``summary`` has the full counts).
    needs_per_org : int
        Nearest offers kept per need.
    max_needs_offers : int or None
        Matches kept in all, those to act on first (None: every match).
    min_span : int
        Shortest span of a local bridge worth listing.
    seed : int
        Seed for sampled betweenness and for Louvain.
    timings : dict, optional
        Receives the seconds spent on each part (for the benchmark).
    freshness : Freshness, optional
        What a stale tie weighs (``coalition.domain.freshness``; default 12 months, 0.5).

    Returns
    -------
    dict
        ``movement_matrix`` ``{m1: {m2: {"ties", "strength", "pairs", "organizations",
        "possible_pairs", "expected", "ratio"}}}``; ``missing_movement_pairs`` and
        ``weak_movement_pairs`` ``[[m1, m2], ...]``; ``single_points_of_failure``
        ``[{"kind", "org", "tie", "separates": {"organizations", "count", "movements",
        "remaining"}, "explanation"}]``; ``local_bridges`` ``[{"tie", "span",
        "explanation"}]``; ``brokers`` ``[{"org", "movement", "community_led", "kind",
        "ties", "roles", "across_movements", "betweenness", "constraint",
        "effective_size"}]``; ``isolated_community_led`` ``[{"org", "reasons", "ties",
        "why"}]``; ``needs_offers`` ``[{"needs", "offers", "resource", "tier",
        "nearness", "same_region", "shared_languages"}]``; ``silos`` ``[{"community",
        "movement", "organizations", "not_in_movement", "share", "ties_in",
        "ties_out"}]``; and ``audience``, ``version``, ``summary`` (counts and
        methods), ``movements`` (name and size) and ``names`` (every organization
        mentioned). ``summary`` counts every capped list in full under the list's key
        (local bridges: those found among the ``local_bridges_searched`` of the
        ``local_bridge_candidates``, ties between movements whose ends have no partner in
        common).
    """
    clock = _Clock(timings)
    freshness = freshness or Freshness()
    with clock("graph"):
        view = weigh_stale(view, freshness, today)
        G = build_graph(view, today=today, include_ended=include_ended)
        conflicts = _conflict_pairs(view, G)
        H = as_indexed(G, weight="strength")
        names = {node: data["name"] for node, data in G.nodes(data=True)}
        movement_ids = _movement_ids(view, G)
        movement_names = {m: movement_label({"id": m, "name": G.graph["movements"].get(m, m)}) for m in movement_ids}
    with clock("betweenness"):
        # a second process (where there is one) works on most of the sampled sources
        # while this one does the parts below; the rest waits for the brokers' step
        pending = start_betweenness(H, seed=seed, worker_share=BETWEENNESS_WORKER_SHARE)
    report: dict[str, Any] = {"audience": view.get("audience"), "version": view.get("version")}
    counts: dict[str, Any] = {}
    with clock("movement_matrix"):
        matrix, sizes = group_mixing(
            G, movement_ids, lambda node: G.nodes[node]["movements"], count="ties", weight="strength_sum"
        )
        report["movement_matrix"] = matrix
        report["missing_movement_pairs"], report["weak_movement_pairs"] = _thin_pairs(matrix, sizes)
    with clock("single_points_of_failure"):
        report["single_points_of_failure"] = _single_points_of_failure(G, H, movement_names, max_items, counts)
    with clock("local_bridges"):
        report["local_bridges"] = _local_bridges(G, H, matrix, min_span, max_items, counts)
    with clock("brokerage_roles"):
        roles = brokerage_roles(H, {node: d["primary_movement"] for node, d in G.nodes(data=True)})
    with clock("structural_holes"):
        holes = constraint(H), effective_size(H)
    report["brokers"] = counts["brokers"] = None  # filled in last, in this place
    with clock("isolated_community_led"):
        isolated = _isolated(G, movement_names)
        report["isolated_community_led"] = isolated[:max_items]
    with clock("needs_offers"):
        edge = {item["org"]: EDGE_ORDER[item["reasons"][0]] for item in isolated}
        report["needs_offers"] = _needs_offers(G, conflicts, edge, needs_per_org, max_needs_offers, counts)
    with clock("silos"):
        silos, communities = _silos(G, H, movement_ids, seed)
        report["silos"] = silos[:max_items]
    with clock("betweenness"):
        between = pending.result()
    report["brokers"] = _brokers(G, roles, holes, between, top, counts)
    report["summary"] = {
        "organizations": G.number_of_nodes(),
        "tied_pairs": G.number_of_edges(),
        "ties": sum(d["ties"] for _u, _v, d in G.edges(data=True)),
        "conflict_ties": len(conflicts),
        "ended_ties_left_out": G.graph["ended_ties_left_out"],
        "stale_ties": view["stale_ties"],
        "stale_after_months": freshness.months,
        "stale_tie_weight": freshness.weight,
        **counts,
        "isolated_community_led": len(isolated),
        "betweenness": "sampled" if betweenness_is_sampled(G.number_of_nodes()) else "exact",
        "communities": communities,
        "silos": len(silos),
        "weak_ratio": WEAK_RATIO,
    }
    report["movements"] = {m: {"name": movement_names[m], "organizations": sizes[m]} for m in movement_ids}
    report["names"] = {org: names[org] for org in sorted(_mentioned(report), key=str) if org in names}
    return report


def list_caps(limit: int | None = None, *, everything: bool = False) -> dict[str, int | None]:
    """``analyse_gaps`` keywords capping every list at ``limit`` (None: the defaults),
    or at nothing with ``everything``."""
    if everything:
        return {"top": None, "max_items": None, "max_needs_offers": None}
    if limit is None:
        return {}
    return {"top": limit, "max_items": limit, "max_needs_offers": limit}


def gaps_for_store(
    store: Store,
    audience: str,
    *,
    today: date | None = None,
    limit: int | None = None,
    everything: bool = False,
    freshness: Freshness | None = None,
) -> dict[str, Any]:
    """``analyse_gaps`` of the store's map for an audience, computed afresh on every call.

    ``limit`` caps every list at that many items instead of the defaults; ``everything``
    lifts the caps (see ``list_caps``). Nothing is cached here: the dashboard caches
    results at its edge (``coalition.ui.state.gaps``, keyed by store version and
    audience), and the CLI asks once.
    """
    caps = list_caps(limit, everything=everything)
    with collector_paused():
        view = read_view(store, audience)
    return analyse_gaps(view, today=today or date.today(), freshness=freshness, **caps)


def gaps_text(report: dict[str, Any], limit: int | None = TEXT_ITEMS) -> str:
    """The report as plain text for people (the CLI without ``--json``).

    Each list shows its first ``limit`` items (None: all the report holds); a list that
    shows fewer than it counts says so: "showing 25 of 12,345".
    """
    names, movements, summary = report["names"], report["movements"], report["summary"]

    def org(org_id: str) -> str:
        return names.get(org_id, org_id)

    def mov(movement: str) -> str:
        return movements.get(movement, {}).get("name", movement)

    ended, conflicts = summary["ended_ties_left_out"], summary["conflict_ties"]
    lines = [
        (
            _("Gaps and brokers for the {audience} audience (store version {version})")
            if report.get("version") is not None
            else _("Gaps and brokers for the {audience} audience")
        ).format(audience=report["audience"], version=report.get("version")),
        # TRANSLATORS: the first three counts are bare numbers ("organizations: {organizations}"
        # reads well in any language); {ended} and {conflicts} are "3 ended ties", "1 conflict tie"
        _(
            "{organizations} organizations, {ties} current ties between {pairs} pairs; "
            "{ended} left out, {conflicts} kept apart."
        ).format(
            organizations=summary["organizations"],
            ties=summary["ties"],
            pairs=summary["tied_pairs"],
            ended=ngettext("{count} ended tie", "{count} ended ties", ended).format(count=ended),
            conflicts=ngettext("{count} conflict tie", "{count} conflict ties", conflicts).format(count=conflicts),
        ),
    ]
    if summary.get("stale_ties"):
        lines.append(stale_sentence(summary))
    ids = list(movements)
    matrix = report["movement_matrix"]
    rows = [["", *ids]] + [[a] + [f"{matrix[a][b]['ties']} ({_ratio(matrix[a][b])})" for b in ids] for a in ids]
    widths = [max(len(row[i]) for row in rows) for i in range(len(ids) + 1)]
    lines += ["", _("Movement matrix: ties (observed / expected density)")]
    lines += ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    brokers = (
        _("Brokers (betweenness sampled)") if summary["betweenness"] == "sampled" else _("Brokers (betweenness exact)")
    )
    sections = [
        (_("Movements that never work together"), None, [
            _("{first} and {second}: no tie at all").format(first=mov(a), second=mov(b))
            for a, b in report["missing_movement_pairs"]]),
        (_("Movements far below random mixing (ratio under {ratio})").format(ratio=summary["weak_ratio"]), None, [
            _weak_pair_line(mov(a), mov(b), matrix[a][b]) for a, b in report["weak_movement_pairs"]]),
        (_("Single points of failure"), "single_points_of_failure", [item["explanation"] for item in report["single_points_of_failure"]]),
        (_("Ties between movements with no short way round"), "local_bridges", [item["explanation"] for item in report["local_bridges"]]),
        (brokers, "brokers", [_broker_line(b, org(b["org"])) for b in report["brokers"]]),
        (_("Community-led groups on the edge"), "isolated_community_led", [
            _("{organization}: {why}").format(organization=org(i["org"]), why=i["why"])
            for i in report["isolated_community_led"]]),
        (_("Needs another member could meet"), "needs_offers", [
            _match_line(m, org(m["needs"]), org(m["offers"])) for m in report["needs_offers"]]),
        (_("Silos: communities of a single movement"), "silos", [
            _silo_line(s, mov(s["movement"]), _names(sorted(org(o) for o in s["organizations"])))
            for s in report["silos"]]),
    ]  # fmt: skip
    for title, key, items in sections:
        shown = items[:limit]
        total = max(summary.get(key, len(items)) if key in CAPPED_LISTS else len(items), len(items))
        if len(shown) < total:
            title = _("{title} (showing {shown:,} of {total:,}; --limit N or --all for more)").format(
                title=title, shown=len(shown), total=total
            )
        lines += ["", title] + ([f"  - {item}" for item in shown] or ["  " + _("(none)")])
    return "\n".join(lines) + "\n"


# the parts ---------------------------------------------------------------------------
def _movement_ids(view: dict[str, Any], G: nx.Graph) -> list[str]:
    ids = [m["id"] for m in view.get("movements", [])]
    extra = {m for _node, d in G.nodes(data=True) for m in d["movements"]} - set(ids)
    return ids + sorted(extra)


def _thin_pairs(matrix: dict, sizes: dict[str, int]) -> tuple[list, list]:
    ids = [m for m in matrix if sizes[m]]
    missing, weak = [], []
    for i, a in enumerate(ids):
        for b in ids[i:]:
            cell = matrix[a][b]
            if cell["ties"] == 0 and cell["possible_pairs"] > 0:
                missing.append([a, b])
            elif cell["ratio"] is not None and cell["ratio"] < WEAK_RATIO:
                weak.append([a, b])
    weak.sort(key=lambda pair: matrix[pair[0]][pair[1]]["ratio"])
    return missing, weak


def _conflict_pairs(view: dict[str, Any], G: nx.Graph) -> set[frozenset]:
    """Pairs of organizations in the map with a conflict tie (never matched)."""
    return {
        frozenset((t["source"], t["target"])) for t in view.get("ties", [])
        if t.get("kind") == "conflict" and t["source"] != t["target"] and t["source"] in G and t["target"] in G
    }  # fmt: skip


def _single_points_of_failure(G: nx.Graph, H, movement_names: dict, limit: int | None, counts: dict) -> list:
    components = H.graph.connected_components()
    component, sizes = components.membership, components.sizes()
    in_map = Counter(m for _node, d in G.nodes(data=True) for m in set(d["movements"]))
    largest = max(sizes, default=0)
    by_node, by_tie = cut_points(H, top=limit)
    items = [("organization", cut["node"], None, cut) for cut in by_node]
    items += [("tie", None, list(cut["edge"]), cut) for cut in by_tie]
    items.sort(key=lambda item: (-item[3]["cut_off_size"], item[0] != "organization", str(item[1] or item[2])))
    result = []
    for kind, node, tie, cut in items[:limit]:
        # a movement is cut off when every one of its organizations in the map (but the
        # one stepping back) is in the part that loses its path
        stepping_back = set(G.nodes[node]["movements"]) if node is not None else set()
        cut_movements = Counter(m for member in cut["cut_off"] for m in set(G.nodes[member]["movements"]))
        whole = [m for m in movement_names if cut_movements[m] and cut_movements[m] == in_map[m] - (m in stepping_back)]
        size = sizes[component[H.index[node if node is not None else tie[0]]]]
        remaining = cut["remaining_size"]
        rest = (
            _("the rest of the coalition")
            if size == largest
            else ngettext(
                "the rest of their part of the map ({count} organization)",
                "the rest of their part of the map ({count} organizations)",
                remaining,
            ).format(count=remaining)
        )
        who = _who(G, cut["cut_off"], whole, movement_names)
        # the verb agrees with how many are cut off: "{who} has" one, "{who} have" several
        if kind == "organization":
            explanation = ngettext(
                "If {organization} steps back, {who} has no path to {rest}.",
                "If {organization} steps back, {who} have no path to {rest}.",
                len(cut["cut_off"]),
            ).format(organization=G.nodes[node]["name"], who=who, rest=rest)
        else:
            explanation = ngettext(
                "If the tie between {first} and {second} ends, {who} has no path to {rest}.",
                "If the tie between {first} and {second} ends, {who} have no path to {rest}.",
                len(cut["cut_off"]),
            ).format(first=G.nodes[tie[0]]["name"], second=G.nodes[tie[1]]["name"], who=who, rest=rest)
        result.append({
            "kind": kind, "org": node, "tie": tie,
            "separates": {"organizations": cut["cut_off"], "count": cut["cut_off_size"], "movements": whole,
                          "remaining": remaining},
            "explanation": explanation,
        })  # fmt: skip
    counts["articulation_points"] = len(H.graph.articulation_points())
    counts["bridges"] = len(H.graph.bridges())
    counts["single_points_of_failure"] = counts["articulation_points"] + counts["bridges"]
    return result


def _local_bridges(
    G: nx.Graph, H, matrix: dict, min_span: int, limit: int | None, counts: dict, budget: int = 1000
) -> list[dict]:
    """Ties between movements whose loss leaves the two sides ``min_span`` or more steps
    apart, looked for among ``budget`` ties at most, the rarest pairs of movements first."""
    movements = [frozenset(G.nodes[node]["movements"]) for node in H.nodes]
    rarity: dict[tuple[frozenset, frozenset], int] = {}

    def pair_ties(a: frozenset, b: frozenset) -> int:
        if (a, b) not in rarity:
            rarity[a, b] = min(matrix[x][y]["ties"] for x in a for y in b)
        return rarity[a, b]

    bridge = np.zeros(H.graph.ecount(), dtype=bool)
    bridge[H.graph.bridges()] = True
    open_ends = np.flatnonzero(~bridge & ~H.edge_in_triangle)  # a partner in common: not a local bridge
    nodes = H.nodes
    candidates = []
    for u, v in np.sort(H.edges[open_ends], axis=1).tolist():  # ends in map order, as networkx lists them
        a, b = movements[u], movements[v]
        if not a & b:
            x, y = sorted((str(nodes[u]), str(nodes[v])))
            candidates.append((pair_ties(a, b), x, y, nodes[u], nodes[v]))
    candidates.sort(key=lambda c: c[:3])
    candidates = [(u, v) for *_keys, u, v in candidates]
    found = local_bridges(H, edges=candidates, min_span=min_span, max_checked=budget)
    counts["local_bridges"] = len(found)  # among the ties searched
    counts["local_bridges_searched"] = min(len(candidates), budget)
    counts["local_bridge_candidates"] = len(candidates)
    return [
        {"tie": [u, v], "span": span, "explanation": _bridge_sentence(G.nodes[u]["name"], G.nodes[v]["name"], span)}
        for u, v, span in found[:limit]
    ]


def _brokers(G: nx.Graph, roles: dict, holes: tuple, between: dict, top: int | None, counts: dict) -> list[dict]:
    burt, size = holes
    ranked = []
    for node in G:
        r = roles[node]
        across = r["total"] - r["coordinator"]
        if across or between[node]:
            ranked.append((-round(between[node], 6), -across, str(node), node))
    counts["brokers"] = len(ranked)
    rows = []
    for *_order, node in heapq.nsmallest(top, ranked) if top is not None else sorted(ranked):
        data, r = G.nodes[node], roles[node]
        rows.append({
            "org": node, "movement": data["primary_movement"], "community_led": data["community_led"],
            "kind": data.get("kind"), "ties": G.degree(node),
            "roles": {"coordinator": r["coordinator"], "consultant": r["itinerant"], "gatekeeper": r["gatekeeper"],
                      "representative": r["representative"], "liaison": r["liaison"], "total": r["total"]},
            "across_movements": r["total"] - r["coordinator"],
            "betweenness": round(between[node], 6), "constraint": _finite(burt[node]),
            "effective_size": _finite(size[node]),
        })  # fmt: skip
    return rows


def _isolated(G: nx.Graph, movement_names: dict) -> list[dict]:
    """Community-led groups on the edge, those to reach first first: no tie, then tied
    only to allies, then only within their movement; more reasons, fewer ties, and a
    group that needs something before the others."""
    found = []
    attrs = dict(G.nodes(data=True))
    for node, data in attrs.items():
        if not data["community_led"]:
            continue
        partners = list(G[node])
        own = set(data["movements"])
        reasons = []
        if not partners:
            reasons.append(("no_tie", _("no current tie with any organization in this map")))
        else:
            allies = not any(attrs[p]["community_led"] for p in partners)
            inward = all(own.issuperset(attrs[p]["movements"]) for p in partners)
            names = _names(sorted(attrs[p]["name"] for p in partners)) if allies or inward else ""
            if allies:
                text = _("tied only to allies ({names}); none of its partners is community-led").format(names=names)
                reasons.append(("only_allies", text))
            if inward:
                where = _either([movement_names.get(m, m) for m in data["movements"]])
                text = _("tied only within {movements} ({names})").format(movements=where, names=names)
                reasons.append(("only_own_movement", text))
        if reasons:
            why = reduce(_one_then_other, [text for _code, text in reasons])
            found.append({"org": node, "reasons": [code for code, _text in reasons], "ties": len(partners),
                          "why": why})  # fmt: skip
    found.sort(key=lambda item: (
        EDGE_ORDER[item["reasons"][0]], -len(item["reasons"]), item["ties"], not G.nodes[item["org"]].get("needs"),
        str(item["org"]),
    ))  # fmt: skip
    return found


def _needs_offers(
    G: nx.Graph, conflicts: set[frozenset], on_edge: dict, per_need: int, limit: int | None, counts: dict
) -> list[dict]:
    """Needs another member offers, those to act on first first (see the module docstring).

    ``on_edge`` ranks the community-led groups on the edge as ``_isolated`` orders them;
    any other organization without a current tie counts as having no tie."""
    nodes = dict(G.nodes(data=True))
    away = len(EDGE_ORDER)
    reasons = [*EDGE_ORDER, None]
    movements = {node: frozenset(data["movements"]) for node, data in nodes.items()}

    def edge_rank(node: Hashable) -> int:
        return on_edge.get(node, away if G._adj[node] else EDGE_ORDER["no_tie"])

    def needer_first(needer: Hashable) -> tuple:
        return not nodes[needer]["community_led"], edge_rank(needer)

    def match_first(needer: Hashable, offerer: Hashable, resource: str, tier: int) -> tuple:
        return not movements[needer].isdisjoint(movements[offerer]), tier, str(needer), resource, str(offerer)

    matches, counts["needs_offers"] = resource_matches(
        G, per_need=per_need, limit=limit, exclude=[tuple(pair) for pair in conflicts], key=match_first,
        needer_key=needer_first, eligible=lambda node: nodes[node].get("consent_to_introductions") is not False,
    )  # fmt: skip
    return [
        {**m, "nearness": NEAREST_TIERS[m["tier"]], "needer_community_led": nodes[m["needs"]]["community_led"],
         "needer_on_the_edge": reasons[edge_rank(m["needs"])],
         "cross_movement": movements[m["needs"]].isdisjoint(movements[m["offers"]])}
        for m in matches
    ]  # fmt: skip


def _silos(G: nx.Graph, H, movement_ids: list[str], seed: int, min_size: int = 3) -> tuple[list, int]:
    communities = louvain_communities(H, seed=seed)
    rank = {m: i for i, m in enumerate(movement_ids)}
    silos = []
    for number, members in enumerate(communities):
        if len(members) < min_size:
            continue  # the many single organizations of a sparse map: linear, not n x movements
        held = Counter(m for member in members for m in set(G.nodes[member]["movements"]))
        if not held:
            continue
        movement = min(held, key=lambda m: (-held[m], rank.get(m, len(rank)), str(m)))
        if held[movement] < min_size or held[movement] < SILO_SHARE * len(members):
            continue
        inside = set(members)
        ties_out = sum(1 for m in members for p in G[m] if p not in inside)
        ties_in = sum(1 for m in members for p in G[m] if p in inside) // 2
        outside = [m for m in members if movement not in G.nodes[m]["movements"]]
        silos.append({"community": number, "movement": movement, "organizations": sorted(members, key=str),
                      "not_in_movement": sorted(outside, key=str), "share": round(held[movement] / len(members), 3),
                      "ties_in": ties_in, "ties_out": ties_out})  # fmt: skip
    silos.sort(key=lambda s: (s["ties_out"] / len(s["organizations"]), -len(s["organizations"]), s["community"]))
    return silos, len(communities)


# helpers -----------------------------------------------------------------------------
def _who(G: nx.Graph, members: list, whole: list[str], movement_names: dict) -> str:
    listed = _names(sorted(G.nodes[m]["name"] for m in members))
    if len(members) == 1:
        return listed
    count = len(members)
    in_whole = [m for m in members if set(G.nodes[m]["movements"]) & set(whole)]
    if whole and len(in_whole) == len(members):
        return ngettext(
            "the {count} organization of {movements} ({names})",
            "the {count} organizations of {movements} ({names})",
            count,
        ).format(count=count, movements=_names([movement_names[m] for m in whole], 9), names=listed)
    if whole:
        return ngettext(
            "{count} organization, among them all of {movements} ({names})",
            "{count} organizations, among them all of {movements} ({names})",
            count,
        ).format(count=count, movements=_names([movement_names[m] for m in whole], 9), names=listed)
    return ngettext("{count} organization ({names})", "{count} organizations ({names})", count).format(
        count=count, names=listed
    )


def _names(names: list[str], shown: int = 5) -> str:
    """Names as a sentence lists them: "A, B and C"; past ``shown``, "A, ..., E and 3 more"."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    # TRANSLATORS: separates the items of a list ("A, B and C")
    comma = _(", ")
    if len(names) <= shown:
        # TRANSLATORS: the end of a list: {names} is "A, B", {last} is "C"
        return _("{names} and {last}").format(names=comma.join(names[:-1]), last=names[-1])
    more = len(names) - shown
    return ngettext("{names} and {count} more", "{names} and {count} more", more).format(
        names=comma.join(names[:shown]), count=more
    )


def _one_then_other(first: str, second: str) -> str:
    # TRANSLATORS: two reasons a group is on the edge, one after the other
    return _("{first}; {second}").format(first=first, second=second)


def _either(names: list[str]) -> str:
    """Names joined by "or": "A or B or C"."""
    return reduce(lambda first, second: _("{first} or {second}").format(first=first, second=second), names)


def _mentioned(report: dict) -> set:
    ids = {b["org"] for b in report["brokers"]} | {i["org"] for i in report["isolated_community_led"]}
    for item in report["single_points_of_failure"]:
        ids |= {item["org"], *(item["tie"] or []), *item["separates"]["organizations"]}
    ids |= {end for item in report["local_bridges"] for end in item["tie"]}
    ids |= {m[k] for m in report["needs_offers"] for k in ("needs", "offers")}
    ids |= {o for s in report["silos"] for o in s["organizations"]}
    return ids - {None}


def _finite(value: float) -> float | None:
    return None if value != value else round(value, 6)


def _ratio(cell: dict) -> str:
    return "-" if cell["ratio"] is None else f"{cell['ratio']:.2f}"


def _bridge_sentence(first: str, second: str, span: int) -> str:
    if span > 3:
        return ngettext(
            "Without the tie between {first} and {second}, they are {steps} step apart: no partner in common, "
            "nor partners who work together.",
            "Without the tie between {first} and {second}, they are {steps} steps apart: no partner in common, "
            "nor partners who work together.",
            span,
        ).format(first=first, second=second, steps=span)
    return ngettext(
        "Without the tie between {first} and {second}, they are {steps} step apart: no partner in common.",
        "Without the tie between {first} and {second}, they are {steps} steps apart: no partner in common.",
        span,
    ).format(first=first, second=second, steps=span)


def _weak_pair_line(first: str, second: str, cell: dict) -> str:
    ties = cell["ties"]
    return ngettext(
        "{first} and {second}: {count} tie, {ratio} of the expected density",
        "{first} and {second}: {count} ties, {ratio} of the expected density",
        ties,
    ).format(first=first, second=second, count=ties, ratio=_ratio(cell))


def _match_line(match: dict, needer: str, offerer: str) -> str:
    nearness = match["nearness"]  # one of NEARNESS_WORDS
    fields = {
        "needer": needer, "resource": term_words(match["resource"]), "offerer": offerer, "nearness": _(nearness),
        "languages": _(", ").join(match["shared_languages"]),
    }  # fmt: skip
    if match["shared_languages"]:
        line = _("{needer} needs {resource}: {offerer} offers it ({nearness}; both speak {languages})").format(**fields)
    else:
        line = _("{needer} needs {resource}: {offerer} offers it ({nearness})").format(**fields)
    why = [word for key, word in (("needer_community_led", _("community-led")), ("needer_on_the_edge", _("on the edge")),
                                  ("cross_movement", _("across movements"))) if match.get(key)]  # fmt: skip
    # TRANSLATORS: a match, then why to act on it first ("community-led, on the edge")
    return _("{match} - {why}").format(match=line, why=_(", ").join(why)) if why else line


def _silo_line(silo: dict, movement: str, names: str) -> str:
    count, out = len(silo["organizations"]), silo["ties_out"]
    # TRANSLATORS: {ties_out} is "1 tie", "3 ties"
    return ngettext(
        "{count} organization, {share:.0%} of them {movement}, {ties_out} out: {names}",
        "{count} organizations, {share:.0%} of them {movement}, {ties_out} out: {names}",
        count,
    ).format(
        count=count,
        share=silo["share"],
        movement=movement,
        ties_out=ngettext("{count} tie", "{count} ties", out).format(count=out),
        names=names,
    )


def _broker_line(broker: dict, name: str) -> str:
    held = [_(ROLE_COUNTS[role]).format(count=n) for role, n in broker["roles"].items() if n and role != "total"]
    # TRANSLATORS: the roles of a broker that plays none
    roles = _(", ").join(held) or _("none")
    fields = {
        "organization": name, "kind": broker["kind"], "betweenness": broker["betweenness"],
        "constraint": broker["constraint"], "effective_size": broker["effective_size"], "roles": roles,
    }  # fmt: skip
    if broker["community_led"]:
        return _(
            "{organization}, community-led: betweenness {betweenness:.3f}, constraint {constraint}, "
            "effective size {effective_size}; roles: {roles}"
        ).format(**fields)
    return _(
        "{organization}, not community-led ({kind}): betweenness {betweenness:.3f}, constraint {constraint}, "
        "effective size {effective_size}; roles: {roles}"
    ).format(**fields)


class _Clock:
    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    @contextmanager
    def __call__(self, part: str):
        start = time.perf_counter()
        yield
        if self.timings is not None:
            self.timings[part] = self.timings.get(part, 0.0) + time.perf_counter() - start
