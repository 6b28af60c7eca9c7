"""Draw a coalition map as one self-contained, offline HTML page (vis-network via pyvis).

Why not pyvis's own ``generate_html``: pyvis 0.3.2 links Bootstrap from a CDN even with
``cdn_resources="in_line"``, inserts ``heading`` and menu options as raw HTML and, once
a title contains "href", shows tooltips through ``innerHTML``. So pyvis only holds the
nodes, edges and options here; the page comes from ``templates/map.html.j2`` rendered
with autoescape on, vis-network's script and stylesheet inlined from the copy shipped in
the pyvis package, and a Content-Security-Policy that forbids any request.

Layout is computed here, not by browser physics (vis-network physics took minutes to
settle 1,000 nodes; precomputed positions draw thousands in seconds): a seeded
Kamada-Kawai (small maps) or Fruchterman-Reingold layout from python-igraph, physics off. Beyond ``AGGREGATE_ABOVE``
visible organizations the page shows one node per movement and community-led status
instead, and says so.

Inputs are plain records (the shapes of ``graph.store``), already filtered for the
audience by the caller: whatever reaches this module may end up in the page.

Example
-------
>>> page = render_map(
...     [{"id": "housing", "name": "Housing justice", "color": "#0072B2"}],
...     [{"id": "a", "name": "A", "movements": ["housing"]}, {"id": "b", "name": "B", "movements": ["housing"]}],
...     [{"source": "a", "target": "b", "kind": "coalition", "strength": 3}],
... )
>>> page.aggregated, len(page.nodes)
(False, 2)
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pyvis.network import Network

__all__ = ["AGGREGATE_ABOVE", "MapPage", "layout_positions", "render_map", "OTHER_MOVEMENT"]

#: More visible organizations than this are drawn as movement groups.
AGGREGATE_ABOVE = 1500
#: The colour of an organization whose movement is unknown to the map.
OTHER_MOVEMENT = {"id": "", "name": "Other", "color": "#777777"}

TEMPLATES = Path(__file__).resolve().parent / "templates"
VIS_DIR = "templates/lib/vis-9.1.2"
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_LABEL = 40
# Shapes carry meaning besides colour: community-led groups are diamonds, others dots,
# movement groups (aggregated view) squares or triangles.
SHAPES = {True: "diamond", False: "dot"}
GROUP_SHAPES = {True: "square", False: "triangle"}
GLYPHS = {"diamond": "◆", "dot": "●", "square": "■", "triangle": "▲"}
EDGE_COLOUR = "#6b6b6b"
CONFLICT_COLOUR = "#a40e26"

INIT_JS = """
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("map-data").textContent);
  var nodes = new vis.DataSet(payload.nodes);
  var edges = new vis.DataSet(payload.edges);
  var container = document.getElementById("map");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, payload.options);
  window.coalitionMap = { network: network, nodes: nodes, edges: edges };
  network.once("afterDrawing", function () {
    document.body.setAttribute("data-drawn", String(nodes.length));
  });
  if (payload.focus && nodes.get(payload.focus)) {
    network.selectNodes([payload.focus]);
  }
})();
"""


@dataclass
class MapPage:
    """A rendered map: the HTML page and what it shows, for a table alternative.

    ``nodes`` and ``edges`` are readable rows (one per drawn node or edge), ``aggregated``
    is True when organizations were grouped, and ``message`` says why in words.
    """

    html: str
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    aggregated: bool = False
    message: str = ""
    legend: list[dict[str, Any]] = field(default_factory=list)
    organizations: int = 0


def layout_positions(
    node_ids: Sequence[str], edges: Sequence[tuple[str, str, float]], seed: int = 7
) -> dict[str, tuple[float, float]]:
    """Seeded positions in vis-network pixels, centred on 0 (Kamada-Kawai up to 400 nodes,
    Fruchterman-Reingold beyond).

    ``edges`` are ``(source, target, weight)``; edges to unknown ids are ignored. The same
    input and seed give the same positions. The spread grows with the square root of
    the number of nodes so that labels of a large map do not pile up.

    >>> pos = layout_positions(["a", "b", "c"], [("a", "b", 1.0), ("b", "c", 1.0)])
    >>> sorted(pos) == ["a", "b", "c"] and pos == layout_positions(["a", "b", "c"], [("a", "b", 1.0), ("b", "c", 1.0)])
    True
    """
    n = len(node_ids)
    if n == 0:
        return {}
    if n == 1:
        return {node_ids[0]: (0.0, 0.0)}
    index = {node: i for i, node in enumerate(node_ids)}
    pairs, weights = [], []
    for source, target, weight in edges:
        if source in index and target in index and source != target:
            pairs.append((index[source], index[target]))
            weights.append(float(weight))
    graph = ig.Graph(n=n, edges=pairs)
    start = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, 2)).tolist()
    if n <= 400:  # Kamada-Kawai spreads small maps evenly and is fast at this size
        layout = graph.layout_kamada_kawai(seed=start, maxiter=50 * n)
    else:
        niter = 150 if n <= 1000 else 100
        layout = graph.layout_fruchterman_reingold(weights=weights or None, seed=start, niter=niter, grid=False)
    coords = np.asarray(layout.coords)
    coords -= coords.mean(axis=0)
    extent = float(np.abs(coords).max()) or 1.0
    radius = 150.0 + 70.0 * math.sqrt(n)
    coords *= radius / extent
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in zip(node_ids, coords, strict=True)}


def render_map(
    movements: Sequence[Mapping[str, Any]],
    organizations: Sequence[Mapping[str, Any]],
    ties: Sequence[Mapping[str, Any]],
    *,
    sizes: Mapping[str, float] | None = None,
    size_label: str = "ties",
    positions: Mapping[str, tuple[float, float]] | None = None,
    focus: str | None = None,
    max_nodes: int = AGGREGATE_ABOVE,
    height: int = 640,
    seed: int = 7,
    title: str = "Coalition map",
) -> MapPage:
    """The map of these organizations and the ties among them, as one HTML page.

    Parameters
    ----------
    movements, organizations, ties
        Records as a store gives them, already limited to what the audience may see.
        Ties whose two ends are not both in ``organizations`` are left out.
    sizes
        A measure per organization id (degree, betweenness...); node size grows with
        it. Without it, every organization has the same size.
    positions
        Precomputed ``{id: (x, y)}``; organizations missing from it are laid out here.
    focus
        An organization to select when the page opens.
    max_nodes
        Above this many organizations, draw movement groups instead.
    """
    palette = {m["id"]: _movement_style(m) for m in movements}
    ids = {o["id"] for o in organizations}
    kept_ties = [t for t in ties if t["source"] in ids and t["target"] in ids]
    if len(organizations) > max_nodes:
        nodes, edges, rows, edge_rows = _grouped(palette, organizations, kept_ties, seed)
        message = (
            f"{len(organizations):,} organizations match, more than the {max_nodes:,} this map draws one by one, "
            "so they are grouped by movement and by whether they are community-led. Filter by movement or "
            "region, search, or focus on one organization to see individual groups."
        )
        aggregated = True
    else:
        nodes, edges, rows, edge_rows = _individual(
            palette, organizations, kept_ties, sizes, size_label, positions, focus, seed
        )
        message = "" if organizations else "No organization matches these filters."
        aggregated = False
    legend = _legend(palette, nodes, edges, aggregated)
    summary = (
        f"{len(nodes):,} movement groups" if aggregated else f"{len(nodes):,} organizations"
    ) + f" and {len(edges):,} {'links' if aggregated else 'ties'}"
    net = Network(height=f"{height}px", width="100%")
    net.nodes, net.edges = nodes, edges  # bulk: pyvis's add_edge is quadratic in the edge count
    net.node_ids = [n["id"] for n in nodes]
    net.node_map = {n["id"]: n for n in nodes}
    net.options = _options(len(nodes))
    html = _page(net, title=title, summary=summary, message=message, legend=legend, focus=focus, height=height)
    return MapPage(
        html=html,
        nodes=rows,
        edges=edge_rows,
        aggregated=aggregated,
        message=message,
        legend=legend,
        organizations=len(organizations),
    )


# building nodes and edges ----------------------------------------------------------
def _individual(palette, organizations, ties, sizes, size_label, positions, focus, seed):
    missing = [o["id"] for o in organizations if not positions or o["id"] not in positions]
    placed = dict(positions or {})
    if missing:
        placed.update(
            layout_positions(
                [o["id"] for o in organizations],
                [(t["source"], t["target"], t.get("strength") or 1) for t in ties if t["kind"] != "conflict"],
                seed=seed,
            )
            if len(missing) == len(organizations)
            else _near_partners(missing, ties, placed, seed)
        )
    degree = Counter()
    for t in ties:
        degree[t["source"]] += 1
        degree[t["target"]] += 1
    measure = sizes if sizes is not None else degree
    top = max((float(measure.get(o["id"], 0) or 0) for o in organizations), default=0.0)
    names = {o["id"]: o["name"] for o in organizations}
    nodes, rows = [], []
    for org in organizations:
        style = _style_of(palette, org)
        led = bool(org.get("community_led"))
        value = float(measure.get(org["id"], 0) or 0)
        size = 12 + 26 * math.sqrt(value / top) if top > 0 and sizes is not None else 16
        x, y = placed[org["id"]]
        movement_names = [palette[m]["name"] if m in palette else m for m in org.get("movements", [])]
        tooltip = "\n".join(
            line
            for line in (
                org["name"],
                f"Movements: {', '.join(movement_names) or 'none'}",
                f"Kind: {org.get('kind') or 'unknown'}",
                f"Community-led: {'yes' if led else 'no'}",
                f"Region: {org['region']}" if org.get("region") else "",
                f"Ties: {degree[org['id']]}",
                f"{size_label.capitalize()}: {_number(value)}" if sizes is not None else "",
            )
            if line
        )
        nodes.append(
            {
                "id": org["id"],
                "label": _short(org["name"]),
                "title": tooltip,
                "shape": SHAPES[led],
                "size": round(size, 1),
                "x": x,
                "y": y,
                "color": {"background": style["color"], "border": "#1a1a1a"},
                "borderWidth": 4 if org["id"] == focus else 1.5,
            }
        )
        rows.append(
            {
                "organization": org["name"],
                "movements": ", ".join(movement_names),
                "kind": org.get("kind", ""),
                "community-led": "yes" if led else "no",
                "shape": SHAPES[led],
                "region": org.get("region", ""),
                "ties": degree[org["id"]],
                **({size_label: round(value, 4)} if sizes is not None else {}),
            }
        )
    edges, edge_rows = [], []
    for tie in ties:
        conflict = tie["kind"] == "conflict"
        strength = int(tie.get("strength") or 3)
        when = ", ".join(
            part
            for part in (
                f"since {tie['since']}" if tie.get("since") else "",
                f"until {tie['until']}" if tie.get("until") else "",
            )
            if part
        )
        label = f"{names[tie['source']]} – {names[tie['target']]}"
        edges.append(
            {
                "from": tie["source"],
                "to": tie["target"],
                "title": f"{label}\n{tie['kind'].replace('_', ' ')}, strength {strength}"
                + (f"\n{when}" if when else ""),
                "width": 0.5 + strength * 0.7,
                "dashes": conflict,
                "color": {"color": CONFLICT_COLOUR if conflict else EDGE_COLOUR},
            }
        )
        edge_rows.append(
            {
                "from": names[tie["source"]],
                "to": names[tie["target"]],
                "kind": tie["kind"],
                "strength": strength,
                "since": tie.get("since") or "",
                "until": tie.get("until") or "",
                "line": "dashed" if conflict else "solid",
            }
        )
    return nodes, edges, rows, edge_rows


def _grouped(palette, organizations, ties, seed):
    """One node per (movement, community-led) group, one edge per pair of groups."""
    group_of: dict[str, tuple[str, bool]] = {}
    members: Counter = Counter()
    for org in organizations:
        key = (_primary(org, palette), bool(org.get("community_led")))
        group_of[org["id"]] = key
        members[key] += 1
    links: Counter = Counter()
    inside: Counter = Counter()
    for tie in ties:
        if tie["kind"] == "conflict":
            continue
        a, b = group_of[tie["source"]], group_of[tie["target"]]
        if a == b:
            inside[a] += 1
        else:
            links[tuple(sorted((a, b)))] += 1
    keys = sorted(members, key=lambda k: (k[0], not k[1]))
    node_id = {key: f"group:{key[0] or 'other'}:{'led' if key[1] else 'others'}" for key in keys}
    placed = layout_positions(
        [node_id[k] for k in keys], [(node_id[a], node_id[b], n) for (a, b), n in links.items()], seed=seed
    )
    top = max(members.values(), default=1)
    nodes, rows = [], []
    for key in keys:
        movement, led = key
        style = palette.get(movement, OTHER_MOVEMENT)
        who = "community-led" if led else "allies and others"
        name = f"{style['name']}, {who}"
        x, y = placed[node_id[key]]
        nodes.append(
            {
                "id": node_id[key],
                "label": f"{name}\n{members[key]:,} organizations",
                "title": f"{name}\n{members[key]:,} organizations\n{inside[key]:,} ties within the group",
                "shape": GROUP_SHAPES[led],
                "size": round(14 + 36 * math.sqrt(members[key] / top), 1),
                "x": x * 2,
                "y": y * 2,
                "color": {"background": style["color"], "border": "#1a1a1a"},
                "borderWidth": 1.5,
            }
        )
        rows.append(
            {
                "group": name,
                "movement": style["name"],
                "community-led": "yes" if led else "no",
                "shape": GROUP_SHAPES[led],
                "organizations": members[key],
                "ties within": inside[key],
            }
        )
    top_link = max(links.values(), default=1)
    edges, edge_rows = [], []
    for (a, b), count in sorted(links.items(), key=lambda item: -item[1]):
        edges.append(
            {
                "from": node_id[a],
                "to": node_id[b],
                "title": f"{count:,} ties",
                "width": round(1 + 9 * math.sqrt(count / top_link), 1),
                "color": {"color": EDGE_COLOUR},
            }
        )
        edge_rows.append({"from": _group_name(palette, a), "to": _group_name(palette, b), "ties": count})
    return nodes, edges, rows, edge_rows


def _near_partners(missing, ties, placed, seed):
    """Positions for a few organizations not in a precomputed layout: next to a partner."""
    rng = np.random.default_rng(seed)
    partner = {}
    for t in ties:
        partner.setdefault(t["source"], t["target"])
        partner.setdefault(t["target"], t["source"])
    out = {}
    for org_id in missing:
        bx, by = placed.get(partner.get(org_id, ""), (0.0, 0.0))
        dx, dy = rng.uniform(-60, 60, size=2)
        out[org_id] = (round(bx + float(dx), 1), round(by + float(dy), 1))
    return out


def _legend(palette, nodes, edges, aggregated):
    used_colours = {n["color"]["background"] for n in nodes}
    items = [
        {"type": "colour", "color": style["color"], "label": style["name"]}
        for style in [*palette.values(), OTHER_MOVEMENT]
        if style["color"] in used_colours
    ]
    shapes = GROUP_SHAPES if aggregated else SHAPES
    what = "group of community-led organizations" if aggregated else "community-led organization"
    other = "group of allies and others" if aggregated else "ally or other organization"
    items.append({"type": "shape", "glyph": GLYPHS[shapes[True]], "label": f"{shapes[True]}: {what}"})
    items.append({"type": "shape", "glyph": GLYPHS[shapes[False]], "label": f"{shapes[False]}: {other}"})
    if aggregated:
        items.append({"type": "line", "dashed": False, "label": "line: ties between groups (thicker = more)"})
    else:
        items.append({"type": "line", "dashed": False, "label": "solid line: tie (thicker = stronger)"})
        items.append({"type": "line", "dashed": True, "label": "dashed line: conflict"})
    return items


# the page --------------------------------------------------------------------------
def _page(net: Network, *, title, summary, message, legend, focus, height) -> str:
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    js, css = _vis_assets()
    template = _environment().get_template("map.html.j2")
    return template.render(
        title=title,
        summary=summary,
        message=message,
        legend=legend,
        height=height,
        data={"nodes": nodes, "edges": edges, "options": json.loads(options), "focus": focus},
        vis_js=Markup(js),
        vis_css=Markup(css),
        init_js=Markup(INIT_JS),
        script_hashes=_script_hashes(),
    )


def _options(count: int) -> dict[str, Any]:
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "nodes": {
            "font": {"color": "#1a1a1a", "size": 14, "strokeWidth": 4, "strokeColor": "#ffffff"},
            "borderWidthSelected": 4,
        },
        "edges": {"smooth": False, "selectionWidth": 2},
        "interaction": {
            "hover": count <= 2000,
            "tooltipDelay": 150,
            "navigationButtons": True,
            "keyboard": {"enabled": True, "bindToWindow": False},
            "hideEdgesOnDrag": count > 800,
            "hideEdgesOnZoom": count > 800,
        },
    }


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
    )


@cache
def _vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet as shipped inside the pyvis package."""
    base = resources.files("pyvis").joinpath(VIS_DIR)
    js = base.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    css = base.joinpath("vis-network.css").read_text(encoding="utf-8")
    for text, closing in ((js, "</script"), (css, "</style")):
        if closing in text.lower():  # would end the inlined block early
            raise RuntimeError(f"vis-network asset contains {closing!r}; cannot inline it")
    return js, css


@cache
def _script_hashes() -> tuple[str, ...]:
    """CSP hashes of the two executable scripts, so no other inline script can run."""
    js, _css = _vis_assets()
    return tuple(
        "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() for text in (js, INIT_JS)
    )


# small helpers ---------------------------------------------------------------------
def _movement_style(movement: Mapping[str, Any]) -> dict[str, str]:
    colour = str(movement.get("color") or "")
    return {
        "id": str(movement["id"]),
        "name": str(movement.get("name") or movement["id"]),
        "color": colour if COLOUR.match(colour) else OTHER_MOVEMENT["color"],
    }


def _primary(org: Mapping[str, Any], palette: Mapping[str, Any]) -> str:
    """The movement that colours an organization: its first one the map knows."""
    return next((m for m in org.get("movements", []) if m in palette), "")


def _style_of(palette, org):
    return palette.get(_primary(org, palette), OTHER_MOVEMENT)


def _group_name(palette, key):
    movement, led = key
    return f"{palette.get(movement, OTHER_MOVEMENT)['name']}, {'community-led' if led else 'allies and others'}"


def _short(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1].rstrip() + "…"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:.3g}"
