"""PNG and SVG: a static map with a legend, for slides and print (matplotlib).

Positions come from ``graph.render.layout_positions`` with the same seed and ties as the
interactive map, so both look alike. Colour is the first movement; community-led groups
are diamonds, others circles (shape, not only colour, carries meaning); conflicts are
dashed red lines. Up to ``LABEL_ALL`` organizations are all labelled, beyond that the
``LABELLED`` best connected. The legend names the audience, the date and what was
withheld (counts only).

Text is drawn literally (mathtext off, so ``$...$`` in a name is not parsed), without
bidi controls and cut to 40 characters; SVG keeps text as ``<text>`` elements escaped by
matplotlib's XML writer. Metadata holds only the title, never data.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from coalition.formats.common import banner, display_view, today_text, withheld_note
from coalition.formats.files import atomic_path
from graph.render import layout_positions

__all__ = ["png", "svg", "draw", "map_png"]

LABEL_ALL = 80
LABELLED = 40
OTHER = "#777777"
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
RC = {"text.parse_math": False, "svg.fonttype": "none", "svg.hashsalt": "coalition-map", "font.family": "DejaVu Sans"}


class _ImageFormat:
    """One of the two image formats, with the ``write`` every format has."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.__doc__ = f"{fmt.upper()}: a static map with a legend."

    def write(self, view: dict[str, Any], path: Path) -> list[Path]:
        title = f"Coalition map ({view['audience']} audience)"
        metadata = {"Title": title, "Software": None} if self.fmt == "png" else {"Title": title, "Creator": None}
        with matplotlib.rc_context(RC), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # glyphs missing from the font
            fig = draw(view)
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=self.fmt, dpi=150, metadata=metadata)
        return [path]


png = _ImageFormat("png")
svg = _ImageFormat("svg")


def map_png(view: dict[str, Any], width: float = 8.6, height: float = 5.4, dpi: int = 200) -> bytes:
    """The map as PNG bytes (for the PDF brief)."""
    with matplotlib.rc_context(RC), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fig = draw(view, width=width, height=height, title=False, label_size=6.2)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
    return out.getvalue()


def draw(
    view: dict[str, Any], width: float = 13.0, height: float = 8.5, title: bool = True, label_size: float = 6.5
) -> Figure:
    """The map as a matplotlib figure: the network on the left, the legend on the right."""
    shown = display_view(view, limit=40)
    organizations, ties = shown["organizations"], shown["ties"]
    palette = {
        m["id"]: (m["name"], m.get("color") if COLOUR.match(str(m.get("color") or "")) else OTHER)
        for m in shown["movements"]
    }
    ids = {o["id"] for o in organizations}
    ties = [t for t in ties if t["source"] in ids and t["target"] in ids]
    positions = layout_positions(
        [o["id"] for o in organizations],
        [(t["source"], t["target"], t.get("strength") or 1) for t in ties if t["kind"] != "conflict"],
        seed=7,
    )
    positions = {node: (x, -y) for node, (x, y) in positions.items()}  # the browser's y grows downwards
    degree: Counter = Counter()
    for t in ties:
        degree[t["source"]] += 1
        degree[t["target"]] += 1

    fig = Figure(figsize=(width, height), layout="constrained")
    grid = fig.add_gridspec(1, 2, width_ratios=(3.1, 1))
    ax = fig.add_subplot(grid[0, 0])
    side = fig.add_subplot(grid[0, 1])
    ax.set_axis_off()
    side.set_axis_off()
    if title:
        fig.suptitle(
            f"Coalition map \u2014 {banner(view['audience'])} \u2014 {today_text()}", fontsize=13, weight="bold"
        )
    for conflict, style in (
        (False, {"colors": "#8a8a8a", "linestyles": "solid"}),
        (True, {"colors": "#a40e26", "linestyles": "dashed"}),
    ):
        chosen = [t for t in ties if (t["kind"] == "conflict") == conflict]
        segments = [(positions[t["source"]], positions[t["target"]]) for t in chosen]
        widths = [0.4 + 0.35 * int(t.get("strength") or 3) for t in chosen]
        if segments:
            ax.add_collection(LineCollection(segments, linewidths=widths, zorder=1, **style))
    used = Counter()
    for led, marker in ((False, "o"), (True, "D")):
        group = [o for o in organizations if bool(o.get("community_led")) == led]
        if not group:
            continue
        colours = []
        for o in group:
            movement = next((m for m in o.get("movements", []) if m in palette), "")
            used[movement] += 1
            colours.append(palette[movement][1] if movement else OTHER)
        ax.scatter(
            [positions[o["id"]][0] for o in group],
            [positions[o["id"]][1] for o in group],
            s=[(36 if led else 30) + 22 * math.sqrt(degree[o["id"]]) for o in group],
            c=colours, marker=marker, edgecolors="#1a1a1a", linewidths=0.7, zorder=2,
        )  # fmt: skip
    labelled = (
        organizations
        if len(organizations) <= LABEL_ALL
        else sorted(organizations, key=lambda o: -degree[o["id"]])[:LABELLED]
    )
    for o in labelled:
        x, y = positions[o["id"]]
        ax.annotate(
            o["name"], (x, y), xytext=(0, -9), textcoords="offset points", ha="center", va="top", fontsize=label_size,
            color="#1a1a1a", zorder=3, bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
        )  # fmt: skip
    if organizations:
        ax.autoscale_view()
        ax.margins(0.06)
    else:
        ax.text(0.5, 0.5, "No organization for this audience.", ha="center", va="center", transform=ax.transAxes)
    _legend(side, palette, used, view, labelled=len(labelled), total=len(organizations))
    return fig


def _legend(side: Any, palette: dict, used: Counter, view: dict[str, Any], labelled: int, total: int) -> None:
    handles = [
        Patch(facecolor=colour, edgecolor="#1a1a1a", label=name) for m, (name, colour) in palette.items() if used[m]
    ]
    if used[""]:
        handles.append(Patch(facecolor=OTHER, edgecolor="#1a1a1a", label="Other"))
    handles += [
        Line2D([], [], marker="D", ls="", mfc="white", mec="#1a1a1a", label="diamond: community-led"),
        Line2D([], [], marker="o", ls="", mfc="white", mec="#1a1a1a", label="circle: ally or other"),
        Line2D([], [], color="#8a8a8a", lw=1.5, label="line: tie (thicker = stronger)"),
        Line2D([], [], color="#a40e26", lw=1.5, ls="--", label="dashed: conflict"),
    ]
    notes = [f"{total} organizations, {len(view['ties'])} ties drawn", f"Exported {today_text()}"]
    if labelled < total:
        notes.append(f"Labels: the {labelled} best connected")
    notes += textwrap.wrap(withheld_note(view), 42)
    handles += [Line2D([], [], ls="", label=line) for line in notes]
    side.legend(
        handles=handles, loc="upper left", frameon=True, fontsize=8, title=banner(view["audience"]),
        title_fontsize=9, alignment="left", borderaxespad=0,
    )  # fmt: skip
