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
  pairs in conflict; nearest first: same region and a shared language other than
  English, same region, shared language, elsewhere.
- Silos: Louvain communities (seed 0) with at least 3 organizations of one movement
  making up at least ``SILO_SHARE`` of the community (a gateway organization from
  another movement does not hide a silo).
- Betweenness is exact up to 5,000 organizations, then sampled from 500 sources.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from datetime import date
from typing import Any

import networkx as nx

from coalition.domain.privacy import read_view
from graph.algorithms import (
    NEAREST_TIERS,
    articulation_cuts,
    as_indexed,
    betweenness,
    betweenness_is_sampled,
    bridge_cuts,
    brokerage_roles,
    constraint,
    effective_size,
    group_mixing,
    local_bridges,
    louvain_communities,
    resource_matches,
)
from graph.networkx_graph import build_conflict_graph, build_graph
from graph.store import Store

__all__ = ["REPORT_KEYS", "SILO_SHARE", "WEAK_RATIO", "analyse_gaps", "gaps_for_store", "gaps_text"]

WEAK_RATIO = 0.25
SILO_SHARE = 0.8
TEXT_ITEMS = 25
REPORT_KEYS = (
    "movement_matrix", "missing_movement_pairs", "weak_movement_pairs", "single_points_of_failure",
    "brokers", "isolated_community_led", "needs_offers", "silos",
)  # fmt: skip


def analyse_gaps(
    view: dict[str, Any],
    *,
    today: date | None = None,
    include_ended: bool = False,
    top: int = 15,
    max_items: int = 20,
    needs_per_org: int = 3,
    max_needs_offers: int = 200,
    min_span: int = 4,
    seed: int = 0,
    timings: dict[str, float] | None = None,
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
    top : int
        Brokers listed.
    max_items : int
        Cap on single points of failure, local bridges, isolated groups and silos
        (``summary`` has the full counts).
    needs_per_org, max_needs_offers : int
        Nearest offers kept per need, and matches kept in all.
    min_span : int
        Shortest span of a local bridge worth listing.
    seed : int
        Seed for sampled betweenness and for Louvain.
    timings : dict, optional
        Receives the seconds spent on each part (for the benchmark).

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
        mentioned).
    """
    clock = _Clock(timings)
    with clock("graph"):
        G = build_graph(view, today=today, include_ended=include_ended)
        conflicts = build_conflict_graph(view)
        H = as_indexed(G, weight="strength")
        names = {node: data["name"] for node, data in G.nodes(data=True)}
        movement_ids = _movement_ids(view, G)
        movement_names = {m: G.graph["movements"].get(m, m) for m in movement_ids}
    report: dict[str, Any] = {"audience": view.get("audience"), "version": view.get("version")}
    with clock("movement_matrix"):
        matrix, sizes = group_mixing(
            G, movement_ids, lambda node: G.nodes[node]["movements"], count="ties", weight="strength_sum"
        )
        report["movement_matrix"] = matrix
        report["missing_movement_pairs"], report["weak_movement_pairs"] = _thin_pairs(matrix, sizes)
    with clock("single_points_of_failure"):
        spof, counts = _single_points_of_failure(G, H, movement_names, max_items)
        report["single_points_of_failure"] = spof
    with clock("local_bridges"):
        report["local_bridges"] = _local_bridges(G, H, matrix, min_span, max_items)
    with clock("brokerage_roles"):
        roles = brokerage_roles(H, {node: d["primary_movement"] for node, d in G.nodes(data=True)})
    with clock("structural_holes"):
        holes = constraint(H), effective_size(H)
    with clock("betweenness"):
        between = betweenness(H, seed=seed)
    report["brokers"] = _brokers(G, roles, holes, between, top)
    with clock("isolated_community_led"):
        isolated = _isolated(G, movement_names)
        report["isolated_community_led"] = isolated[:max_items]
    with clock("needs_offers"):
        matches, total_matches = resource_matches(
            G, per_need=needs_per_org, limit=max_needs_offers, exclude=conflicts.edges(),
            eligible=lambda node: G.nodes[node].get("consent_to_introductions") is not False,
            first=lambda node: G.nodes[node]["community_led"],
        )  # fmt: skip
        report["needs_offers"] = [{**m, "nearness": NEAREST_TIERS[m["tier"]]} for m in matches]
    with clock("silos"):
        silos, communities = _silos(G, H, movement_ids, seed)
        report["silos"] = silos[:max_items]
    report["summary"] = {
        "organizations": G.number_of_nodes(),
        "tied_pairs": G.number_of_edges(),
        "ties": sum(d["ties"] for _, _, d in G.edges(data=True)),
        "conflict_ties": conflicts.number_of_edges(),
        "ended_ties_left_out": G.graph["ended_ties_left_out"],
        **counts,
        "isolated_community_led": len(isolated),
        "betweenness": "sampled" if betweenness_is_sampled(G.number_of_nodes()) else "exact",
        "communities": communities,
        "silos": len(silos),
        "needs_offers": total_matches,
        "weak_ratio": WEAK_RATIO,
    }
    report["movements"] = {m: {"name": movement_names[m], "organizations": sizes[m]} for m in movement_ids}
    report["names"] = {org: names[org] for org in sorted(_mentioned(report), key=str) if org in names}
    return report


def gaps_for_store(store: Store, audience: str, *, today: date | None = None) -> dict[str, Any]:
    """``analyse_gaps`` of the store's map for an audience, computed afresh on every call.

    Nothing is cached here: the dashboard caches results at its edge
    (``coalition.ui.state.gaps``, keyed by store version and audience), and the CLI asks once.
    """
    return analyse_gaps(read_view(store, audience), today=today or date.today())


def gaps_text(report: dict[str, Any]) -> str:
    """The report as plain text for people (the CLI without ``--json``)."""
    names, movements, summary = report["names"], report["movements"], report["summary"]

    def org(org_id: str) -> str:
        return names.get(org_id, org_id)

    def mov(movement: str) -> str:
        return movements.get(movement, {}).get("name", movement)

    lines = [
        f"Gaps and brokers for the {report['audience']} audience"
        + (f" (store version {report['version']})" if report.get("version") is not None else ""),
        f"{summary['organizations']} organizations, {summary['ties']} current ties between "
        f"{summary['tied_pairs']} pairs; {_plural(summary['ended_ties_left_out'], 'ended tie')} left out, "
        f"{_plural(summary['conflict_ties'], 'conflict tie')} kept apart.",
    ]
    ids = list(movements)
    rows = [["", *ids]] + [
        [a] + [f"{report['movement_matrix'][a][b]['ties']} ({_ratio(report['movement_matrix'][a][b])})" for b in ids]
        for a in ids
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(ids) + 1)]
    lines += ["", "Movement matrix: ties (observed / expected density)"]
    lines += ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    sections = [
        ("Movements that never work together", [f"{mov(a)} and {mov(b)}: no tie at all" for a, b in report["missing_movement_pairs"]]),
        (f"Movements far below random mixing (ratio under {summary['weak_ratio']})", [
            f"{mov(a)} and {mov(b)}: {_plural(report['movement_matrix'][a][b]['ties'], 'tie')}, "
            f"{_ratio(report['movement_matrix'][a][b])} of the expected density"
            for a, b in report["weak_movement_pairs"]]),
        ("Single points of failure", [item["explanation"] for item in report["single_points_of_failure"]]),
        ("Ties between movements with no short way round", [item["explanation"] for item in report["local_bridges"]]),
        (f"Brokers (betweenness {summary['betweenness']})", [_broker_line(b, org(b["org"])) for b in report["brokers"]]),
        ("Community-led groups on the edge", [f"{org(i['org'])}: {i['why']}" for i in report["isolated_community_led"]]),
        ("Needs another member could meet", [
            f"{org(m['needs'])} needs {m['resource'].replace('_', ' ')}: {org(m['offers'])} offers it ({m['nearness']}"
            + (f"; both speak {', '.join(m['shared_languages'])})" if m["shared_languages"] else ")")
            for m in report["needs_offers"]]),
        ("Silos: communities of a single movement", [
            f"{len(s['organizations'])} organizations, {s['share']:.0%} of them {mov(s['movement'])}, "
            f"{_plural(s['ties_out'], 'tie')} out: "
            + _names(sorted(org(o) for o in s["organizations"])) for s in report["silos"]]),
    ]  # fmt: skip
    for title, items in sections:
        more = [f"  ... and {len(items) - TEXT_ITEMS} more (--json lists them)"] if len(items) > TEXT_ITEMS else []
        lines += ["", title] + ([f"  - {item}" for item in items[:TEXT_ITEMS]] or ["  (none)"]) + more
    return "\n".join(lines) + "\n"


# the parts ---------------------------------------------------------------------------
def _movement_ids(view: dict[str, Any], G: nx.Graph) -> list[str]:
    ids = [m["id"] for m in view.get("movements", [])]
    extra = {m for _, d in G.nodes(data=True) for m in d["movements"]} - set(ids)
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


def _single_points_of_failure(G: nx.Graph, H, movement_names: dict, limit: int) -> tuple[list, dict]:
    components = list(nx.connected_components(G))
    component = {node: i for i, members in enumerate(components) for node in members}
    in_map = Counter(m for _, d in G.nodes(data=True) for m in set(d["movements"]))
    largest = max(map(len, components), default=0)
    items = [("organization", cut["node"], None, cut) for cut in articulation_cuts(H, top=limit)]
    items += [("tie", None, list(cut["edge"]), cut) for cut in bridge_cuts(H, top=limit)]
    items.sort(key=lambda item: (-item[3]["cut_off_size"], item[0] != "organization", str(item[1] or item[2])))
    result = []
    for kind, node, tie, cut in items[:limit]:
        # a movement is cut off when every one of its organizations in the map (but the
        # one stepping back) is in the part that loses its path
        stepping_back = set(G.nodes[node]["movements"]) if node is not None else set()
        cut_movements = Counter(m for member in cut["cut_off"] for m in set(G.nodes[member]["movements"]))
        whole = [m for m in movement_names if cut_movements[m] and cut_movements[m] == in_map[m] - (m in stepping_back)]
        size = len(components[component[node if node is not None else tie[0]]])
        rest = (
            "the rest of the coalition"
            if size == largest
            else f"the rest of their part of the map ({_plural(cut['remaining_size'], 'organization')})"
        )
        who = _who(G, cut["cut_off"], whole, movement_names)
        verb = "has" if len(cut["cut_off"]) == 1 else "have"
        if kind == "organization":
            lead = f"If {G.nodes[node]['name']} steps back"
        else:
            lead = f"If the tie between {G.nodes[tie[0]]['name']} and {G.nodes[tie[1]]['name']} ends"
        result.append({
            "kind": kind, "org": node, "tie": tie,
            "separates": {"organizations": cut["cut_off"], "count": cut["cut_off_size"], "movements": whole,
                          "remaining": cut["remaining_size"]},
            "explanation": f"{lead}, {who} {verb} no path to {rest}.",
        })  # fmt: skip
    counts = {"articulation_points": len(H.graph.articulation_points()), "bridges": len(H.graph.bridges())}
    return result, counts


def _local_bridges(G: nx.Graph, H, matrix: dict, min_span: int, limit: int, budget: int = 1000) -> list[dict]:
    def pair_ties(u: str, v: str) -> int:
        return min(matrix[a][b]["ties"] for a in G.nodes[u]["movements"] for b in G.nodes[v]["movements"])

    bridges = {frozenset((H.nodes[e.source], H.nodes[e.target])) for e in H.graph.es[H.graph.bridges()]}
    candidates = [
        (u, v) for u, v in G.edges()
        if not set(G.nodes[u]["movements"]) & set(G.nodes[v]["movements"]) and frozenset((u, v)) not in bridges
    ]  # fmt: skip
    candidates.sort(key=lambda e: (pair_ties(*e), str(min(e)), str(max(e))))
    found = local_bridges(H, edges=candidates, min_span=min_span, max_checked=budget)
    return [
        {"tie": [u, v], "span": span,
         "explanation": f"Without the tie between {G.nodes[u]['name']} and {G.nodes[v]['name']}, they are {span} "
                        f"steps apart: no partner in common" + (", nor partners who work together." if span > 3 else ".")}
        for u, v, span in found[:limit]
    ]  # fmt: skip


def _brokers(G: nx.Graph, roles: dict, holes: tuple, between: dict, top: int) -> list[dict]:
    burt, size = holes
    rows = []
    for node, data in G.nodes(data=True):
        r = roles[node]
        across = r["total"] - r["coordinator"]
        if not across and not between[node]:
            continue
        rows.append({
            "org": node, "movement": data["primary_movement"], "community_led": data["community_led"],
            "kind": data.get("kind"), "ties": G.degree(node),
            "roles": {"coordinator": r["coordinator"], "consultant": r["itinerant"], "gatekeeper": r["gatekeeper"],
                      "representative": r["representative"], "liaison": r["liaison"], "total": r["total"]},
            "across_movements": across,
            "betweenness": round(between[node], 6), "constraint": _finite(burt[node]),
            "effective_size": _finite(size[node]),
        })  # fmt: skip
    rows.sort(key=lambda row: (-row["betweenness"], -row["across_movements"], str(row["org"])))
    return rows[:top]


def _isolated(G: nx.Graph, movement_names: dict) -> list[dict]:
    found = []
    for node, data in G.nodes(data=True):
        if not data["community_led"]:
            continue
        partners = list(G[node])
        own = set(data["movements"])
        reasons = []
        if not partners:
            reasons.append(("no_tie", "no current tie with any organization in this map"))
        else:
            names = _names(sorted(G.nodes[p]["name"] for p in partners))
            if not any(G.nodes[p]["community_led"] for p in partners):
                reasons.append(("only_allies", f"tied only to allies ({names}); none of its partners is community-led"))
            if all(set(G.nodes[p]["movements"]) <= own for p in partners):
                where = " or ".join(movement_names.get(m, m) for m in data["movements"])
                reasons.append(("only_own_movement", f"tied only within {where} ({names})"))
        if reasons:
            found.append({"org": node, "reasons": [code for code, _ in reasons], "ties": len(partners),
                          "why": "; ".join(text for _, text in reasons)})  # fmt: skip
    order = {"no_tie": 0, "only_allies": 1, "only_own_movement": 2}
    found.sort(key=lambda item: (order[item["reasons"][0]], item["ties"], str(item["org"])))
    return found


def _silos(G: nx.Graph, H, movement_ids: list[str], seed: int, min_size: int = 3) -> tuple[list, int]:
    communities = louvain_communities(H, seed=seed)
    silos = []
    for number, members in enumerate(communities):
        held = Counter(m for member in members for m in set(G.nodes[member]["movements"]))
        if not held:
            continue
        movement = max(movement_ids, key=lambda m: (held[m], -movement_ids.index(m)))
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
    in_whole = [m for m in members if set(G.nodes[m]["movements"]) & set(whole)]
    if whole and len(in_whole) == len(members):
        return f"the {len(members)} organizations of {_names([movement_names[m] for m in whole], 9)} ({listed})"
    if whole:
        return f"{len(members)} organizations, among them all of {_names([movement_names[m] for m in whole], 9)} ({listed})"
    return f"{len(members)} organizations ({listed})"


def _names(names: list[str], shown: int = 5) -> str:
    if len(names) <= shown:
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""
    return ", ".join(names[:shown]) + f" and {len(names) - shown} more"


def _mentioned(report: dict) -> set:
    ids = {b["org"] for b in report["brokers"]} | {i["org"] for i in report["isolated_community_led"]}
    for item in report["single_points_of_failure"]:
        ids |= {item["org"], *(item["tie"] or []), *item["separates"]["organizations"]}
    ids |= {end for item in report["local_bridges"] for end in item["tie"]}
    ids |= {m[k] for m in report["needs_offers"] for k in ("needs", "offers")}
    ids |= {o for s in report["silos"] for o in s["organizations"]}
    return ids - {None}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _finite(value: float) -> float | None:
    return None if value != value else round(value, 6)


def _ratio(cell: dict) -> str:
    return "-" if cell["ratio"] is None else f"{cell['ratio']:.2f}"


def _broker_line(broker: dict, name: str) -> str:
    who = "community-led" if broker["community_led"] else f"not community-led ({broker['kind']})"
    roles = ", ".join(f"{role} {n}" for role, n in broker["roles"].items() if n and role != "total") or "none"
    return (
        f"{name}, {who}: betweenness {broker['betweenness']:.3f}, constraint {broker['constraint']}, "
        f"effective size {broker['effective_size']}; roles: {roles}"
    )


class _Clock:
    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    @contextmanager
    def __call__(self, part: str):
        start = time.perf_counter()
        yield
        if self.timings is not None:
            self.timings[part] = self.timings.get(part, 0.0) + time.perf_counter() - start
