"""networkx graphs of a coalition map, built from an audience view.

A view (see ``coalition.domain.privacy.view_for``) is already redacted for its audience, so a
graph built from it holds nothing that audience may not see. Two graphs come out of one
view, because a conflict is not a path between organizations:

- ``build_graph``: nodes are organizations, edges are the non-conflict ties. Several
  ties between the same two organizations (a referral and a joint campaign, say) become
  one edge: ``strength`` is the strongest of them (max, not sum, so that a pair with many
  small agreements does not outweigh one deep partnership), ``strength_sum`` and
  ``ties`` keep the totals, ``kinds`` lists the kinds.
- ``build_conflict_graph``: the same nodes, with only the conflict ties.

Ended ties (``until`` before today) are history, not a current path. They are kept and
marked (``ended=True`` on the edge when every tie of the pair has ended) unless
``include_ended=False``, which leaves them out; the gaps analysis uses only current ties
by default.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx

from graph.records import tie_has_ended

__all__ = ["NODE_FIELDS", "build_conflict_graph", "build_graph"]

#: Organization fields copied onto nodes: what analyses and maps need, never contacts.
NODE_FIELDS = (
    "name", "movements", "kind", "community_led", "region", "languages", "offers", "needs",
    "consent_to_introductions", "intro_capacity_per_month", "visibility",
)  # fmt: skip


def build_graph(view: dict[str, Any], *, today: date | None = None, include_ended: bool = True) -> nx.Graph:
    """The non-conflict ties of a view as an undirected graph of organizations.

    Parameters
    ----------
    view : dict
        An audience view: ``movements``, ``organizations``, ``ties``, ``audience``.
    today : date, optional
        The day that decides which ties have ended (default: today).
    include_ended : bool
        Keep ended ties (marked ``ended=True``) or leave them out.

    Returns
    -------
    networkx.Graph
        Node attributes: ``NODE_FIELDS`` plus ``primary_movement`` (the first listed).
        Edge attributes: ``strength`` (max), ``strength_sum``, ``ties``, ``kinds``,
        ``ended``. Graph attributes: ``audience``, ``version``, ``movements``
        (id -> name), ``ended_ties_left_out``.

    Examples
    --------
    >>> view = {"movements": [{"id": "housing", "name": "Housing"}], "organizations": [
    ...     {"id": "a", "name": "A", "movements": ["housing"]},
    ...     {"id": "b", "name": "B", "movements": ["housing"]}], "ties": [
    ...     {"source": "a", "target": "b", "kind": "referral", "strength": 2},
    ...     {"source": "b", "target": "a", "kind": "coalition", "strength": 4}]}
    >>> G = build_graph(view)
    >>> G["a"]["b"]["strength"], G["a"]["b"]["ties"], G["a"]["b"]["kinds"]
    (4, 2, ['coalition', 'referral'])
    """
    G = _nodes_of(view)
    G.graph["ended_ties_left_out"] = 0
    for tie in view.get("ties", []):
        if tie.get("kind") == "conflict":
            continue
        u, v = tie["source"], tie["target"]
        if u == v or u not in G or v not in G:
            continue
        ended = tie_has_ended(tie, today)
        if ended and not include_ended:
            G.graph["ended_ties_left_out"] += 1
            continue
        strength = int(tie.get("strength") or 1)
        data = G.get_edge_data(u, v)
        if data is None:
            G.add_edge(u, v, strength=strength, strength_sum=strength, ties=1, kinds=[tie.get("kind", "")], ended=ended)
            continue
        data["strength"] = max(data["strength"], strength)
        data["strength_sum"] += strength
        data["ties"] += 1
        data["kinds"] = sorted({*data["kinds"], tie.get("kind", "")})
        data["ended"] = data["ended"] and ended
    return G


def build_conflict_graph(view: dict[str, Any]) -> nx.Graph:
    """The conflict ties of a view, on the same nodes as ``build_graph``.

    Conflicts are kept apart: they are never paths, bridges or closed gaps.
    """
    G = _nodes_of(view)
    for tie in view.get("ties", []):
        u, v = tie["source"], tie["target"]
        if tie.get("kind") == "conflict" and u != v and u in G and v in G:
            G.add_edge(u, v, strength=int(tie.get("strength") or 1), since=tie.get("since"), until=tie.get("until"))
    return G


def _nodes_of(view: dict[str, Any]) -> nx.Graph:
    G = nx.Graph(
        audience=view.get("audience"),
        version=view.get("version"),
        movements={m["id"]: m.get("name", m["id"]) for m in view.get("movements", [])},
    )
    for org in view.get("organizations", []):
        attrs = {field: org.get(field) for field in NODE_FIELDS if field in org}
        movements = list(org.get("movements") or [])
        attrs["movements"] = movements
        attrs["primary_movement"] = movements[0] if movements else None
        attrs.setdefault("name", org["id"])
        attrs["community_led"] = bool(org.get("community_led", False))
        G.add_node(org["id"], **attrs)
    return G
