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
audience by the caller: whatever reaches this module may end up in the page. A tie the
caller marked ``"stale": True`` (nobody has confirmed it for a while; what "a while" is
belongs to the caller) is drawn faded. The page's own words (legend, tooltips, buttons,
the screen-reader summary) are read through the caller's ``Words`` (English without one);
the rows for the table alternative keep English keys, their values in those words.

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
from collections.abc import Callable, Mapping, Sequence
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

__all__ = [
    "AGGREGATE_ABOVE",
    "ENGLISH",
    "MapPage",
    "Words",
    "apart_nodes",
    "layout_positions",
    "render_map",
    "OTHER_MOVEMENT",
]

#: More visible organizations than this are drawn as movement groups.
AGGREGATE_ABOVE = 1500
#: The colour of an organization whose movement is unknown to the map.
OTHER_MOVEMENT = {"id": "", "name": "Other", "color": "#777777"}

TEMPLATES = Path(__file__).resolve().parent / "templates"
VIS_DIR = "templates/lib/vis-9.1.2"
#: vis-network's parts the map turns off (navigation buttons, editing, the configurator
#: and its colour picker); their style rules are left out of the page.
UNUSED_VIS_PARTS = (
    "vis-navigation",
    "vis-manipulation",
    "vis-edit-mode",
    "vis-close",
    "vis-configuration",
    "vis-color-picker",
)
#: One rule of vis-network's stylesheet (it has no @-rules and no nesting): selector, body.
CSS_RULE = re.compile(r"([^{}]+)\{[^{}]*\}")
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_LABEL = 40
# Shapes carry meaning besides colour: community-led groups are diamonds, others dots,
# movement groups (aggregated view) squares or triangles.
SHAPES = {True: "diamond", False: "dot"}
GROUP_SHAPES = {True: "square", False: "triangle"}
GLYPHS = {"diamond": "◆", "dot": "●", "square": "■", "triangle": "▲"}
EDGE_COLOUR = "#6b6b6b"
CONFLICT_COLOUR = "#a40e26"
#: How opaque a stale tie (``"stale": True``: nobody has confirmed it for a while) is
#: drawn: still there to see, but plainly weaker than the ties people vouch for.
STALE_OPACITY = 0.3
NODE_BORDER = "#1a1a1a"
BORDER_WIDTH = 1.5
#: The outline of an organization in a second movement, drawn in that movement's colour.
RING_WIDTH = 4.5
#: The organization in focus keeps its colours and gets a dark halo.
FOCUS_HALO = {"enabled": True, "color": "rgba(26,26,26,0.9)", "size": 26, "x": 0, "y": 0}
#: Label sizes in map pixels (for a map reaching ``LABEL_EXTENT`` from its centre; larger
#: maps scale them up), and the width of a character as a share of the font size.
HEADLINE_FONT, DETAIL_FONT, LABEL_EXTENT, CHAR_WIDTH = 24.0, 14.0, 600.0, 0.6
#: Screen sizes in pixels under which a label is not drawn, and over which it stops growing.
LABEL_DRAW_THRESHOLD, LABEL_MAX_VISIBLE = 11, 18
#: Space between organizations set apart (no ties), across and between rows, in pixels.
APART_STEP = (210.0, 110.0)
#: How much wider than tall a layout is spread.
WIDER = 1.6
#: Room between the lowest tied organization and the first row of those without ties.
APART_GAP = 170.0


def _as_written(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


@dataclass(frozen=True)
class Words:
    """The page's own words (legend, tooltips, sentences, buttons) in the reader's language.

    This package sits below the interface's translations (``coalition.i18n``), so the
    caller hands gettext's two functions in and the English messages are written here
    once; ``make messages`` collects them from this file (babel.cfg lists it). ``term``
    reads a word of the shared vocabulary (a kind of organization or of tie) as people
    do. ``language`` and ``direction`` go on the page's ``<html>`` so that a screen
    reader speaks it in that language and Arabic reads right to left. Names, regions and
    other data never pass through any of them.
    """

    gettext: Callable[[str], str] = _as_written
    ngettext: Callable[[str, str, int], str] = _english_plural
    term: Callable[[str], str] = _as_written
    language: str = "en"
    direction: str = "ltr"


#: The words as written here, for callers without translations (tests, scripts).
ENGLISH = Words()

INIT_JS = r"""
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("map-data").textContent);
  var words = payload.words;
  var nodes = new vis.DataSet(payload.nodes);
  var edges = new vis.DataSet(payload.edges);
  var container = document.getElementById("map");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, payload.options);
  window.coalitionMap = { network: network, nodes: nodes, edges: edges };
  fitWithRoom();
  network.once("afterDrawing", function () {
    document.body.setAttribute("data-drawn", String(nodes.length));
  });
  if (payload.apart) {
    network.on("beforeDrawing", function (ctx) { drawApart(ctx, payload.apart); });
  }
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(0.8); });
  document.getElementById("zoom-fit").addEventListener("click", fitWithRoom);
  if (payload.links) {
    offerTie();
  }
  if (payload.focus && nodes.get(payload.focus)) {
    network.selectNodes([payload.focus]);
  }

  function fitWithRoom() {  // vis-network fits the nodes' centres: leave room for the outer names
    network.fit({ animation: false });
    network.moveTo({ scale: network.getScale() * 0.88 });
  }

  function zoom(factor) {
    network.moveTo({ scale: network.getScale() * factor });
  }

  function drawApart(ctx, apart) {
    var box = apart.box;
    ctx.save();
    ctx.setLineDash([10, 8]);
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#6b6b6b";
    ctx.strokeRect(box[0], box[1], box[2] - box[0], box[3] - box[1]);
    ctx.fillStyle = "#1a1a1a";
    ctx.font = apart.font + "px system-ui, sans-serif";
    ctx.textBaseline = "top";
    var rtl = document.documentElement.dir === "rtl";  // the caption starts at the box's right edge
    ctx.textAlign = rtl ? "right" : "left";
    ctx.fillText(apart.caption, rtl ? box[2] - apart.font / 2 : box[0] + apart.font / 2, box[1] + apart.font / 2);
    ctx.restore();
  }

  function offerTie() {
    var picked = [];
    var panel = document.getElementById("pair");
    network.on("click", function (params) {
      var chosen = params.nodes;
      if (chosen.length === 0) {
        picked = [];
      } else if (chosen.length > 1) {
        picked = chosen.slice(-2);
      } else if (picked.length === 1 && picked[0] !== chosen[0]) {
        picked = [picked[0], chosen[0]];
        network.selectNodes(picked);
      } else {
        picked = [chosen[0]];
      }
      showPair(panel, picked);
    });
  }

  function fill(text, fields) {  // {name} -> the name, as text: never parsed as HTML
    return text.replace(/\{(\w+)\}/g, function (whole, key) { return key in fields ? fields[key] : whole; });
  }

  function showPair(panel, picked) {
    var names = picked.map(function (id) { return nodes.get(id).label; });
    panel.replaceChildren();
    panel.hidden = picked.length === 0;
    if (picked.length === 1) {
      panel.append(fill(words.one, { name: names[0] }));
      return;
    }
    if (picked.length === 2) {
      var link = document.createElement("a");
      link.href = "ties?add_source=" + encodeURIComponent(picked[0]) + "&add_target=" + encodeURIComponent(picked[1]);
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = fill(words.link, { first: names[0], second: names[1] });
      var address = document.createElement("input");
      address.readOnly = true;
      address.value = new URL(link.getAttribute("href"), document.baseURI).href;
      address.setAttribute("aria-label", words.address);
      panel.append(fill(words.two, { first: names[0], second: names[1] }) + " ", link, " " + words.opens + " ", address);
    }
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
    """Seeded positions in vis-network pixels (Kamada-Kawai up to 400 tied nodes,
    Fruchterman-Reingold beyond), the tied nodes centred on 0 and the nodes without any
    tie set apart in rows below them.

    ``edges`` are ``(source, target, weight)``; edges to unknown ids are ignored. The same
    input and seed give the same positions. The spread grows with the square root of
    the number of nodes so that labels of a large map do not pile up. A node without a
    tie has nothing to pull it anywhere: a spring layout leaves it wherever it started,
    often in the middle of the cluster where it reads as tied to its neighbours, so it
    goes to the rows below instead (``apart_nodes`` names them).

    >>> pos = layout_positions(["a", "b", "c"], [("a", "b", 1.0), ("b", "c", 1.0)])
    >>> sorted(pos) == ["a", "b", "c"] and pos == layout_positions(["a", "b", "c"], [("a", "b", 1.0), ("b", "c", 1.0)])
    True
    >>> pos = layout_positions(["a", "b", "alone"], [("a", "b", 1.0)])
    >>> pos["alone"][1] > max(pos["a"][1], pos["b"][1])
    True
    """
    known = set(node_ids)
    kept = [(s, t, float(w)) for s, t, w in edges if s in known and t in known and s != t]
    alone = apart_nodes(node_ids, kept)
    tied = [node for node in node_ids if node not in alone]
    placed = _spring_layout(tied, kept, seed) if tied else {}
    placed.update(_rows_apart([node for node in node_ids if node in alone], placed))
    return placed


def apart_nodes(node_ids: Sequence[str], edges: Sequence[tuple[str, str, float]]) -> set[str]:
    """The nodes no edge touches: the ones a layout sets apart.

    >>> sorted(apart_nodes(["a", "b", "c"], [("a", "b", 1.0)]))
    ['c']
    """
    touched = {end for s, t, _w in edges if s != t for end in (s, t)}
    return {node for node in node_ids if node not in touched}


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
    links: bool = False,
    words: Words = ENGLISH,
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
        An organization to select (and ring with a dark halo) when the page opens.
    max_nodes
        Above this many organizations, draw movement groups instead.
    links
        Offer "Add a tie between A and B" once two organizations are selected: a link to
        the dashboard's Ties page, so only for the dashboard, never in an export.
    words
        The page's own words in the reader's language (English by default).
    """
    palette = {m["id"]: _movement_style(m) for m in movements}
    palette[OTHER_MOVEMENT["id"]] = {**OTHER_MOVEMENT, "name": words.gettext("Other")}
    ids = {o["id"] for o in organizations}
    kept_ties = [t for t in ties if t["source"] in ids and t["target"] in ids]
    if len(organizations) > max_nodes:
        nodes, edges, rows, edge_rows = _grouped(palette, organizations, kept_ties, seed, words)
        apart = None
        message = words.ngettext(
            "{count:,} organization matches, more than the {limit:,} this map draws one by one, "
            "so they are grouped by movement and by whether they are community-led. Filter by movement or "
            "region, search, or focus on one organization to see individual groups.",
            "{count:,} organizations match, more than the {limit:,} this map draws one by one, "
            "so they are grouped by movement and by whether they are community-led. Filter by movement or "
            "region, search, or focus on one organization to see individual groups.",
            len(organizations),
        ).format(count=len(organizations), limit=max_nodes)
        aggregated = True
    else:
        nodes, edges, rows, edge_rows, apart = _individual(
            palette, organizations, kept_ties, sizes, size_label, positions, focus, seed, words
        )
        message = "" if organizations else words.gettext("No organization matches these filters.")
        aggregated = False
    legend = _legend(palette, nodes, edges, aggregated, apart, words)
    summary = _summary(len(nodes), len(edges), aggregated, apart, words)
    net = Network(height=f"{height}px", width="100%")
    net.nodes, net.edges = nodes, edges  # bulk: pyvis's add_edge is quadratic in the edge count
    net.node_ids = [n["id"] for n in nodes]
    net.node_map = {n["id"]: n for n in nodes}
    net.options = _options(len(nodes))
    extras = {"focus": focus, "apart": apart, "links": links, "words": _panel_words(words) if links else {}}
    html = _page(
        net, title=title, summary=summary, message=message, legend=legend, extras=extras, height=height, words=words
    )
    return MapPage(
        html=html,
        nodes=rows,
        edges=edge_rows,
        aggregated=aggregated,
        message=message,
        legend=legend,
        organizations=len(organizations),
    )


def _summary(nodes: int, edges: int, aggregated: bool, apart: dict | None, words: Words) -> str:
    """What the map shows, in one sentence for a screen reader."""
    if aggregated:
        shown = words.ngettext("{count:,} movement group", "{count:,} movement groups", nodes)
        drawn = words.ngettext("{count:,} link", "{count:,} links", edges)
    else:
        shown = words.ngettext("{count:,} organization", "{count:,} organizations", nodes)
        drawn = words.ngettext("{count:,} tie", "{count:,} ties", edges)
    # TRANSLATORS: what a map shows: "{shown}" is "12 organizations", "{drawn}" is "20 ties"
    summary = words.gettext("{shown} and {drawn}").format(
        shown=shown.format(count=nodes), drawn=drawn.format(count=edges)
    )
    if not apart:
        return summary
    # TRANSLATORS: {summary} is "12 organizations and 20 ties"
    return words.ngettext(
        "{summary}; {count:,} with no ties yet is set apart below the others",
        "{summary}; {count:,} with no ties yet are set apart below the others",
        apart["count"],
    ).format(summary=summary, count=apart["count"])


def _panel_words(words: Words) -> dict[str, str]:
    """The texts of the panel that offers a tie between two selected organizations
    (written by the page's script, which fills in the names as text)."""
    return {
        # TRANSLATORS: on the map, after one organization was clicked; keep {name}
        "one": words.gettext("Selected: {name}. Click a second organization to add a tie between them."),
        # TRANSLATORS: on the map, after two organizations were clicked; keep {first} and {second}
        "two": words.gettext("Selected: {first}, {second}."),
        "link": words.gettext("Add a tie between {first} and {second}"),
        "opens": words.gettext("(opens the Ties page in a new tab)"),
        "address": words.gettext("Address of the Add a tie page, to copy"),
    }


# building nodes and edges ----------------------------------------------------------
def _individual(palette, organizations, ties, sizes, size_label, positions, focus, seed, words):
    layout_edges = _layout_edges(ties)
    placed = _placements([o["id"] for o in organizations], layout_edges, ties, positions, seed)
    degree = Counter()
    for t in ties:
        degree[t["source"]] += 1
        degree[t["target"]] += 1
    measure = sizes if sizes is not None else degree
    top = max((float(measure.get(o["id"], 0) or 0) for o in organizations), default=0.0)
    nodes, rows = [], []
    for org in organizations:
        value = float(measure.get(org["id"], 0) or 0)
        size = 12 + 26 * math.sqrt(value / top) if top > 0 and sizes is not None else 16
        nodes.append(_node(palette, org, placed[org["id"]], size, focus))
        nodes[-1]["title"] = _tooltip(
            palette, org, degree[org["id"]], size_label, value if sizes is not None else None, words
        )
        rows.append(
            {
                "organization": org["name"],
                "movements": ", ".join(_movement_names(palette, org)),
                "kind": words.term(org["kind"]) if org.get("kind") else "",
                "community-led": _yes_no(bool(org.get("community_led")), words),
                "shape": nodes[-1]["shape"],
                "region": org.get("region", ""),
                "ties": degree[org["id"]],
                **({size_label: round(value, 4)} if sizes is not None else {}),
            }
        )
    _size_labels(nodes, {o["id"]: float(measure.get(o["id"], 0) or 0) for o in organizations})
    names = {o["id"]: o["name"] for o in organizations}
    edges, edge_rows = [], []
    for tie in ties:
        edge, row = _edge(tie, names, words)
        edges.append(edge)
        edge_rows.append(row)
    apart = apart_nodes([o["id"] for o in organizations], layout_edges)
    return nodes, edges, rows, edge_rows, _apart_box(nodes, apart, ties, words)


def _layout_edges(ties):
    """The ties that pull organizations together in a layout: every tie but conflicts."""
    return [(t["source"], t["target"], t.get("strength") or 1) for t in ties if t["kind"] != "conflict"]


def _placements(ids, layout_edges, ties, positions, seed):
    """Where each organization goes: the caller's positions, laid out here when there are
    none, and the few missing from them next to a partner or in the rows set apart."""
    if not positions or not any(i in positions for i in ids):
        return layout_positions(ids, layout_edges, seed=seed)
    placed = dict(positions)
    missing = [i for i in ids if i not in positions]
    alone = apart_nodes(missing, layout_edges)
    placed.update(_near_partners([i for i in missing if i not in alone], ties, placed, seed))
    placed.update(_rows_apart([i for i in missing if i in alone], placed))
    return placed


def _node(palette, org, position, size, focus):
    """One organization as vis-network draws it: fill from its first movement, an outline
    in its second, a dark halo when in focus. Selecting keeps the colours (vis-network
    would repaint a selected node light blue, hiding its movement)."""
    fill, ring = _node_colours(palette, org)
    colour = {"background": fill, "border": ring or NODE_BORDER}
    width = RING_WIDTH if ring else BORDER_WIDTH
    node = {
        "id": org["id"],
        "label": _short(org["name"]),
        "shape": SHAPES[bool(org.get("community_led"))],
        "size": round(size, 1),
        "x": position[0],
        "y": position[1],
        "color": {**colour, "highlight": dict(colour), "hover": dict(colour)},
        "borderWidth": width,
        "borderWidthSelected": width + 2.5,
    }
    if org["id"] == focus:
        node["shadow"] = FOCUS_HALO
    return node


def _node_colours(palette, org) -> tuple[str, str | None]:
    """The fill (first movement the map knows) and, for a member of several movements,
    the outline (its second movement's colour)."""
    known = [m for m in org.get("movements", []) if m in palette]
    fill = palette[known[0]]["color"] if known else OTHER_MOVEMENT["color"]
    return fill, (palette[known[1]]["color"] if len(known) > 1 else None)


def _movement_names(palette, org) -> list[str]:
    return [palette[m]["name"] if m in palette else m for m in org.get("movements", [])]


def _tooltip(palette, org, ties, size_label, value, words):
    movements = ", ".join(_movement_names(palette, org)) or words.gettext("none")
    lines = (
        org["name"],
        # TRANSLATORS: a line of an organization's tooltip on the map
        words.gettext("Movements: {movements}").format(movements=movements),
        words.gettext("Kind: {kind}").format(
            kind=words.term(org["kind"]) if org.get("kind") else words.gettext("unknown")
        ),
        words.gettext("Community-led: {answer}").format(answer=_yes_no(bool(org.get("community_led")), words)),
        words.gettext("Region: {region}").format(region=org["region"]) if org.get("region") else "",
        words.gettext("Ties: {count}").format(count=ties),
        # TRANSLATORS: a line of an organization's tooltip: {measure} is what sizes the map's nodes (ties, strength...)
        words.gettext("{measure}: {value}").format(measure=size_label.capitalize(), value=_number(value))
        if value is not None
        else "",
    )
    return "\n".join(line for line in lines if line)


def _yes_no(answer: bool, words: Words) -> str:
    return words.gettext("yes") if answer else words.gettext("no")


def _edge(tie, names, words):
    """One tie as vis-network draws it, and its row for the table. A conflict is dashed
    and red; a stale tie (marked by the caller, which knows how old is too old) is faded,
    and its tooltip says since when nobody has confirmed it."""
    conflict = tie["kind"] == "conflict"
    stale = bool(tie.get("stale"))
    confirmed = str(tie.get("confirmed") or tie.get("created_at") or "")[:10]
    strength = int(tie.get("strength") or 3)
    when = ", ".join(
        part
        for part in (
            # TRANSLATORS: a line of a tie's tooltip on the map: {date} is when the tie began
            words.gettext("since {date}").format(date=tie["since"]) if tie.get("since") else "",
            # TRANSLATORS: a line of a tie's tooltip on the map: {date} is when the tie ended
            words.gettext("until {date}").format(date=tie["until"]) if tie.get("until") else "",
        )
        if part
    )
    label = f"{names[tie['source']]} – {names[tie['target']]}"
    # TRANSLATORS: a line of a tie's tooltip on the map: {kind} is coalition, funding...; {strength} is 1 to 5
    kind = words.gettext("{kind}, strength {strength}").format(kind=words.term(tie["kind"]), strength=strength)
    title = f"{label}\n{kind}" + (f"\n{when}" if when else "")
    colour = {"color": CONFLICT_COLOUR if conflict else EDGE_COLOUR}
    if stale:
        # TRANSLATORS: a line of a tie's tooltip on the map: the day someone last confirmed the tie
        title += "\n" + words.gettext("not confirmed since {date}").format(date=confirmed)
        colour["opacity"] = STALE_OPACITY
    edge = {
        "from": tie["source"],
        "to": tie["target"],
        "title": title,
        "width": 0.5 + strength * 0.7,
        "dashes": conflict,
        "color": colour,
    }
    row = {
        "from": names[tie["source"]],
        "to": names[tie["target"]],
        "kind": words.term(tie["kind"]),
        "strength": strength,
        "since": tie.get("since") or "",
        "until": tie.get("until") or "",
        "confirmed": confirmed,
        # TRANSLATORS: how a tie's line is drawn on the map (the table under it says so)
        "line": ", ".join(
            look for look, drawn in ((words.gettext("dashed"), conflict), (words.gettext("faded"), stale)) if drawn
        )
        or words.gettext("solid"),
    }
    return edge, row


def _size_labels(nodes, priority):
    """Headline labels (large, shown at the first view) for the most important nodes whose
    label covers no other headline; the rest get small labels that vis-network
    only draws once zoomed in (``drawThreshold``). Overlaps are judged in map pixels, where
    labels keep their size relative to the map until ``maxVisible`` caps them on screen."""
    headline, detail = _label_fonts(nodes)
    taken = _BoxGrid(headline * 12)
    for node in sorted(nodes, key=lambda n: (-priority[n["id"]], n["label"])):
        box = _label_box(node, headline)
        clash = taken.clashes(box)
        node["font"] = {"size": detail if clash else headline}
        if not clash:
            taken.add(box)


class _BoxGrid:
    """Rectangles bucketed in square cells, to ask quickly whether a new one overlaps any."""

    def __init__(self, cell: float) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}

    def _keys(self, box):
        c = self.cell
        return [
            (i, j)
            for i in range(int(box[0] // c), int(box[2] // c) + 1)
            for j in range(int(box[1] // c), int(box[3] // c) + 1)
        ]

    def add(self, box) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(box)

    def clashes(self, box) -> bool:
        return any(_overlaps(box, other) for key in self._keys(box) for other in self.cells.get(key, ()))


def _label_fonts(nodes) -> tuple[float, float]:
    """Headline and detail font sizes in map pixels, growing with the map's extent so that
    at the first (fit) view a headline reads at about the same size on any map."""
    extent = max((max(abs(n["x"]) / WIDER, abs(n["y"])) for n in nodes), default=0.0)
    unit = max(1.0, extent / LABEL_EXTENT)
    return round(HEADLINE_FONT * unit, 1), round(DETAIL_FONT * unit, 1)


def _label_box(node, font) -> tuple[float, float, float, float]:
    """Where vis-network draws a node's label (centred below it), generously estimated."""
    width = len(node["label"]) * font * CHAR_WIDTH + font
    top = node["y"] + node["size"] + 2
    return (node["x"] - width / 2, top, node["x"] + width / 2, top + font * 1.4)


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _apart_box(nodes, apart, ties, words):
    """The dashed box around organizations set apart, with its caption, or None."""
    shown = [n for n in nodes if n["id"] in apart]
    if not shown:
        return None
    headline, _detail = _label_fonts(nodes)
    labels = [_label_box(n, n["font"]["size"]) for n in shown]
    pad = headline
    conflicts = any(t["source"] in apart or t["target"] in apart for t in ties)
    return {
        # TRANSLATORS: the caption of the dashed box around organizations without ties on the map
        "caption": words.gettext("No ties yet (conflicts aside)") if conflicts else words.gettext("No ties yet"),
        "conflicts": conflicts,
        "box": [
            min(min(b[0] for b in labels), min(n["x"] - n["size"] for n in shown)) - pad,
            min(n["y"] - n["size"] for n in shown) - 2.5 * headline,
            max(max(b[2] for b in labels), max(n["x"] + n["size"] for n in shown)) + pad,
            max(b[3] for b in labels) + pad / 2,
        ],
        "font": headline,
        "count": len(shown),
    }


def _grouped(palette, organizations, ties, seed, words):
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
        style = palette.get(movement, palette[""])
        name = _group_name(palette, key, words)
        count = words.ngettext("{count:,} organization", "{count:,} organizations", members[key]).format(
            count=members[key]
        )
        within = words.ngettext(
            "{count:,} tie within the group", "{count:,} ties within the group", inside[key]
        ).format(count=inside[key])
        x, y = placed[node_id[key]]
        nodes.append(
            {
                "id": node_id[key],
                "label": f"{name}\n{count}",
                "title": f"{name}\n{count}\n{within}",
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
                "community-led": _yes_no(led, words),
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
                "title": words.ngettext("{count:,} tie", "{count:,} ties", count).format(count=count),
                "width": round(1 + 9 * math.sqrt(count / top_link), 1),
                "color": {"color": EDGE_COLOUR},
            }
        )
        edge_rows.append({"from": _group_name(palette, a, words), "to": _group_name(palette, b, words), "ties": count})
    return nodes, edges, rows, edge_rows


def _spring_layout(node_ids, edges, seed):
    """Spring-layout positions of connected nodes, centred on 0 and scaled to the map's size."""
    n = len(node_ids)
    index = {node: i for i, node in enumerate(node_ids)}
    pairs = [(index[s], index[t]) for s, t, _w in edges]
    weights = [w for _s, _t, w in edges]
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
    coords *= _spread(n) / extent
    coords[:, 0] *= WIDER  # labels run sideways: give them room across, as screens do
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in zip(node_ids, coords, strict=True)}


def _rows_apart(node_ids, placed):
    """Rows below the laid-out nodes (or centred on 0 when there are none), as wide as them."""
    if not node_ids:
        return {}
    half_width = max((abs(x) for x, _y in placed.values()), default=0.0) or _spread(len(node_ids))
    per_row = max(1, int(2 * half_width // APART_STEP[0]) + 1)
    rows = math.ceil(len(node_ids) / per_row)
    top = max(y for _x, y in placed.values()) + APART_GAP if placed else -(rows - 1) * APART_STEP[1] / 2
    out = {}
    for i, node in enumerate(node_ids):
        row, column = divmod(i, per_row)
        in_row = min(per_row, len(node_ids) - row * per_row)
        out[node] = (round((column - (in_row - 1) / 2) * APART_STEP[0], 1), round(top + row * APART_STEP[1], 1))
    return out


def _spread(n: int) -> float:
    """How far from the centre a layout of ``n`` nodes reaches, in pixels."""
    return 150.0 + 70.0 * math.sqrt(n)


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


def _legend(palette, nodes, edges, aggregated, apart, words):
    """What each colour, shape and line means, for the list under the map. Each meaning
    is one whole message (the shape's name with it), so a translation reads as a sentence."""
    used_colours = {n["color"]["background"] for n in nodes} | {n["color"]["border"] for n in nodes}
    items = [
        {"type": "colour", "color": style["color"], "label": style["name"]}
        for style in palette.values()
        if style["color"] in used_colours
    ]
    shapes = GROUP_SHAPES if aggregated else SHAPES
    if aggregated:
        led, others = (
            # TRANSLATORS: the map's legend; the word before the colon names the shape drawn
            words.gettext("square: group of community-led organizations"),
            words.gettext("triangle: group of allies and others"),
        )
    else:
        led, others = (
            # TRANSLATORS: the map's legend; the word before the colon names the shape drawn
            words.gettext("diamond: community-led organization"),
            words.gettext("dot: ally or other organization"),
        )
    items.append({"type": "shape", "glyph": GLYPHS[shapes[True]], "label": led})
    items.append({"type": "shape", "glyph": GLYPHS[shapes[False]], "label": others})
    if any(n["borderWidth"] == RING_WIDTH for n in nodes):
        label = words.gettext("coloured outline: also in a second movement (its colour)")
        items.append({"type": "ring", "glyph": "◎", "label": label})
    if any("shadow" in n for n in nodes):
        items.append({"type": "halo", "glyph": "◉", "label": words.gettext("dark halo: the organization in focus")})
    if aggregated:
        label = words.gettext("line: ties between groups (thicker = more)")
        items.append({"type": "line", "dashed": False, "label": label})
    else:
        items.append({"type": "line", "dashed": False, "label": words.gettext("solid line: tie (thicker = stronger)")})
        items.append({"type": "line", "dashed": True, "label": words.gettext("dashed line: conflict")})
        if any(e["color"].get("opacity") == STALE_OPACITY for e in edges):
            label = words.gettext("faded line: not confirmed for a while (stale)")
            items.append({"type": "line", "dashed": False, "faded": True, "label": label})
    if apart:
        if apart["conflicts"]:
            label = words.gettext("dashed box below: no ties yet (conflicts aside)")
        else:
            label = words.gettext("dashed box below: no ties yet")
        items.append({"type": "apart", "glyph": "⬚", "label": label})
    return items


# the page --------------------------------------------------------------------------
def _page(net: Network, *, title, summary, message, legend, extras, height, words) -> str:
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    js, css = _vis_assets()
    template = _environment().get_template("map.html.j2")
    return template.render(
        title=title,
        words=words,
        text=_page_words(title, summary, words),
        message=message,
        legend=legend,
        height=height,
        data={"nodes": nodes, "edges": edges, "options": json.loads(options), **extras},
        links=extras["links"],
        vis_js=Markup(js),
        vis_css=Markup(css),
        init_js=Markup(INIT_JS),
        script_hashes=_script_hashes(),
    )


def _page_words(title: str, summary: str, words: Words) -> dict[str, str]:
    """The page's own words around the map: its description for screen readers, the
    zoom buttons' names and the legend's."""
    return {
        # TRANSLATORS: read by screen readers for the map: {title} is its title, {summary} "12 organizations and 20 ties"
        "description": words.gettext("{title}: {summary}. The same data is in the table below the map.").format(
            title=title, summary=summary
        ),
        "zoom": words.gettext("Zoom (or click the map, then use the arrow keys and + or -)"),
        "zoom_in": words.gettext("Zoom in"),
        "zoom_out": words.gettext("Zoom out"),
        "whole": words.gettext("Show the whole map"),
        # TRANSLATORS: a small button on the map that shows the whole map again
        "fit": words.gettext("Fit"),
        "legend": words.gettext("Legend"),
    }


def _options(count: int) -> dict[str, Any]:
    """vis-network options. Labels below ``LABEL_DRAW_THRESHOLD`` screen pixels are not
    drawn (so the small ones wait for a zoom) and none grows past ``LABEL_MAX_VISIBLE``
    (so zooming in spreads nodes apart faster than their labels grow). vis-network's own
    navigation buttons are off: the page has three small buttons of its own, and the
    keyboard (arrows, +/-) works once the map has focus."""
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "nodes": {
            "font": {"color": "#1a1a1a", "size": HEADLINE_FONT, "strokeWidth": 4, "strokeColor": "#ffffff"},
            "scaling": {"label": {"drawThreshold": LABEL_DRAW_THRESHOLD, "maxVisible": LABEL_MAX_VISIBLE}},
        },
        "edges": {"smooth": False, "selectionWidth": 2},
        "interaction": {
            "hover": count <= 2000,
            "tooltipDelay": 150,
            "multiselect": True,
            "navigationButtons": False,
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
    """vis-network's script and stylesheet as shipped inside the pyvis package, the
    stylesheet without the rules of the parts the map never shows (``UNUSED_VIS_PARTS``):
    their icons are inline images, 219 of its 220 KB, which every map page parsed."""
    base = resources.files("pyvis").joinpath(VIS_DIR)
    js = base.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    css = "".join(
        rule.group(0)
        for rule in CSS_RULE.finditer(base.joinpath("vis-network.css").read_text(encoding="utf-8"))
        if not any(part in rule.group(1) for part in UNUSED_VIS_PARTS)
    )
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


def _group_name(palette, key, words):
    movement, led = key
    name = palette.get(movement, palette[""])["name"]
    # TRANSLATORS: a group of organizations on a map too big to draw one by one; {movement} is its name
    if led:
        return words.gettext("{movement}, community-led").format(movement=name)
    return words.gettext("{movement}, allies and others").format(movement=name)


def _short(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1].rstrip() + "…"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:.3g}"
