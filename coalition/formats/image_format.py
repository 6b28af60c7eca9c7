"""PNG and SVG: a static map with a legend, for slides and print (matplotlib).

Positions come from ``graph.render.layout_positions`` with the same seed and ties as the
interactive map, so both look alike. Colour is the first movement; community-led groups
are diamonds, others circles (shape, not only colour, carries meaning); conflicts are
dashed red lines; ties nobody has confirmed for the months ``view["freshness"]`` gives
(12 without it, ``coalition.domain.freshness``) are faded; a thick outline in a second
colour marks a member of a second movement;
organizations with no tie sit apart in a dashed box captioned "No ties yet". Names are
placed best connected first, each where it overlaps no other text; a name that fits
nowhere is left out (the legend says how many are shown). The legend names the
audience, the date and what was withheld (counts only).

Text is drawn literally (mathtext off, so ``$...$`` in a name is not parsed), without
bidi controls and cut to 40 characters. Every script is drawn: ``font.family`` is the
fallback list of ``fonts.matplotlib_families`` (Noto Sans, Noto Sans Arabic, Hebrew and
Devanagari, Droid Sans Fallback for Chinese and Japanese, NanumGothic for Korean, DejaVu
Sans), and matplotlib draws each character with the first family that has it, shaping
and ordering each run with libraqm (Arabic joined and right to left, Devanagari
conjuncts). A name in a script whose font is missing raises ``fonts.MissingFont``; a
character no font has (an emoji) is drawn as U+FFFD rather than an empty box.

SVG keeps text as ``<text>`` elements escaped by matplotlib's XML writer
(``svg.fonttype`` "none": the text stays searchable and selectable, and the file small),
so the viewer's fonts draw it: each element names the same family list, ending in the
generic ``sans-serif``, which viewers with the Noto fonts follow as the PNG does and
others replace with their own fonts for each script. Metadata holds only the title,
never data.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from coalition.domain.freshness import Freshness, mark_stale
from coalition.domain.vocabulary import movement_label
from coalition.formats.common import banner, display_view, today_text, withheld_note
from coalition.formats.files import atomic_path
from coalition.formats.fonts import drawable, matplotlib_families
from coalition.i18n import _, ngettext
from graph.render import apart_nodes, layout_positions

__all__ = ["png", "svg", "draw", "map_png"]

OTHER = "#777777"
INK = "#1a1a1a"
#: The outline width of an organization in a second movement.
RING = 2.4
#: Where a name may go around its marker, in order of preference: (offset in points, ha, va).
LABEL_SPOTS = (((0, -8), "center", "top"), ((0, 8), "center", "bottom"), ((7, 0), "left", "center"),
               ((-7, 0), "right", "center"))  # fmt: skip
#: How opaque a stale tie is drawn (as on the interactive map, ``graph.render.STALE_OPACITY``).
STALE_ALPHA = 0.3
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
RC = {"text.parse_math": False, "svg.fonttype": "none", "svg.hashsalt": "coalition-map"}


class _ImageFormat:
    """One of the two image formats, with the ``write`` every format has."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.__doc__ = f"{fmt.upper()}: a static map with a legend."

    def write(self, view: dict[str, Any], path: Path) -> list[Path]:
        # TRANSLATORS: {audience} is public, coalition or private, as stored
        title = _("Coalition map ({audience} audience)").format(audience=view["audience"])
        metadata = {"Title": title, "Software": None} if self.fmt == "png" else {"Title": title, "Creator": None}
        with matplotlib.rc_context(_rc()):
            fig = draw(view)
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=self.fmt, dpi=150, metadata=metadata)
        return [path]


png = _ImageFormat("png")
svg = _ImageFormat("svg")


def map_png(view: dict[str, Any], width: float = 8.6, height: float = 5.4, dpi: int = 200) -> bytes:
    """The map as PNG bytes (for the PDF brief)."""
    with matplotlib.rc_context(_rc()):
        fig = draw(view, width=width, height=height, title=False, label_size=6.2)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
    return out.getvalue()


def draw(
    view: dict[str, Any], width: float = 13.0, height: float = 8.5, title: bool = True, label_size: float = 6.5
) -> Figure:
    """The map as a matplotlib figure: the network on the left, the legend on the right.
    Draw it inside ``matplotlib.rc_context(_rc())``, which gives every script its font.
    Raises ``fonts.MissingFont`` when a name's script has no font installed."""
    shown = display_view(view, limit=40)
    organizations = [{**o, "name": drawable(o["name"])} for o in shown["organizations"]]
    ties = mark_stale(shown["ties"], view.get("freshness"))
    palette = {
        m["id"]: (drawable(movement_label(m)), m.get("color") if COLOUR.match(str(m.get("color") or "")) else OTHER)
        for m in shown["movements"]
    }
    ids = {o["id"] for o in organizations}
    ties = [t for t in ties if t["source"] in ids and t["target"] in ids]
    layout_edges = [(t["source"], t["target"], t.get("strength") or 1) for t in ties if t["kind"] != "conflict"]
    positions = layout_positions([o["id"] for o in organizations], layout_edges, seed=7)
    positions = {node: (x, -y) for node, (x, y) in positions.items()}  # the browser's y grows downwards
    degree: Counter = Counter()
    for t in ties:
        degree[t["source"]] += 1
        degree[t["target"]] += 1

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(1, 2, width_ratios=(3.1, 1))
    ax = fig.add_subplot(grid[0, 0])
    side = fig.add_subplot(grid[0, 1])
    ax.set_axis_off()
    side.set_axis_off()
    if title:
        fig.suptitle(
            # TRANSLATORS: {banner} is who may see the map ("Coalition only — do not forward"), {date} today
            drawable(_("Coalition map \u2014 {banner} \u2014 {date}").format(banner=banner(view["audience"]),
                                                                          date=today_text())),
            fontsize=13, weight="bold",
        )  # fmt: skip
    _draw_ties(ax, ties, positions)
    used = _draw_organizations(ax, organizations, positions, palette, degree)
    apart = apart_nodes([o["id"] for o in organizations], layout_edges)
    if organizations:
        ax.autoscale_view()
        ax.margins(0.06)
        _box_apart(ax, [positions[i] for i in sorted(apart)], label_size)
    else:
        ax.text(0.5, 0.5, drawable(_("No organization for this audience.")), ha="center", va="center",
                transform=ax.transAxes)  # fmt: skip
    stale = any(t["stale"] for t in ties)
    _legend(side, palette, used, view, apart=bool(apart), stale=stale)
    fig.draw_without_rendering()  # settles the layout, so that label sizes are final
    labelled = _label(ax, sorted(organizations, key=lambda o: (-degree[o["id"]], o["name"])), positions, label_size)
    _legend(side, palette, used, view, apart=bool(apart), stale=stale, labelled=labelled, total=len(organizations))
    return fig


def _draw_ties(ax: Any, ties: list[dict[str, Any]], positions: dict) -> None:
    """Grey lines for ties, dashed red ones for conflicts; stale ones (either) faded."""
    for conflict, style in (
        (False, {"colors": "#8a8a8a", "linestyles": "solid"}),
        (True, {"colors": "#a40e26", "linestyles": "dashed"}),
    ):
        for stale in (False, True):
            chosen = [t for t in ties if (t["kind"] == "conflict") == conflict and t["stale"] == stale]
            segments = [(positions[t["source"]], positions[t["target"]]) for t in chosen]
            widths = [0.4 + 0.35 * int(t.get("strength") or 3) for t in chosen]
            if segments:
                alpha = STALE_ALPHA if stale else None
                ax.add_collection(LineCollection(segments, linewidths=widths, zorder=1, alpha=alpha, **style))


def _draw_organizations(ax: Any, organizations: list, positions: dict, palette: dict, degree: Counter) -> Counter:
    """Markers filled with the first movement's colour and, for a member of several
    movements, outlined thick in the second's. Returns how often each movement colours one."""
    used: Counter = Counter()
    for led, marker in ((False, "o"), (True, "D")):
        group = [o for o in organizations if bool(o.get("community_led")) == led]
        if not group:
            continue
        fills, outlines = [], []
        for o in group:
            known = [m for m in o.get("movements", []) if m in palette]
            used.update(known[:2] or [""])
            fills.append(palette[known[0]][1] if known else OTHER)
            outlines.append(palette[known[1]][1] if len(known) > 1 else None)
        ax.scatter(
            [positions[o["id"]][0] for o in group],
            [positions[o["id"]][1] for o in group],
            s=[(36 if led else 30) + 22 * math.sqrt(degree[o["id"]]) for o in group],
            c=fills, marker=marker, zorder=2,
            edgecolors=[ring or INK for ring in outlines], linewidths=[RING if ring else 0.7 for ring in outlines],
        )  # fmt: skip
    return used


def _box_apart(ax: Any, points: list[tuple[float, float]], label_size: float) -> None:
    """A dashed box, captioned "No ties yet", around the organizations set apart."""
    if not points:
        return
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    pad_x, pad_y = 0.07 * (x1 - x0), 0.045 * (y1 - y0)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    left, bottom = min(xs) - pad_x, min(ys) - 1.6 * pad_y
    ax.add_patch(
        Rectangle((left, bottom), max(xs) - min(xs) + 2 * pad_x, max(ys) - min(ys) + 2.8 * pad_y, fill=False,
                  ls="--", lw=0.8, ec="#6b6b6b", zorder=0)
    )  # fmt: skip
    ax.text(left, max(ys) + 1.2 * pad_y, " " + drawable(_("No ties yet")), fontsize=label_size + 0.5, va="top",
            color=INK)  # fmt: skip
    ax.update_datalim([(left, bottom), (left, max(ys) + 1.2 * pad_y)])
    ax.autoscale_view()


def _label(ax: Any, organizations: list, positions: dict, label_size: float) -> int:
    """Names next to markers, best connected first, each where it overlaps no text drawn
    before it (below, above, right or left of its marker); a name that fits nowhere is
    left for the tables. Returns how many were labelled."""
    renderer = ax.figure.canvas.get_renderer()
    area = ax.get_window_extent(renderer)
    taken = [t.get_window_extent(renderer) for t in ax.texts]
    labelled = 0
    for org in organizations:
        for offset, ha, va in LABEL_SPOTS:
            text = ax.annotate(
                org["name"], positions[org["id"]], xytext=offset, textcoords="offset points", ha=ha, va=va,
                fontsize=label_size, color=INK, zorder=3,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
            )  # fmt: skip
            text.set_in_layout(False)
            box = text.get_window_extent(renderer)
            if area.contains(box.x0, box.y0) and area.contains(box.x1, box.y1) and not box.count_overlaps(taken):
                taken.append(box)
                labelled += 1
                break
            text.remove()
    return labelled


def _legend(
    side: Any, palette: dict, used: Counter, view: dict[str, Any], apart: bool, stale: bool, **counts: int
) -> None:
    handles = [Patch(facecolor=colour, edgecolor=INK, label=name) for m, (name, colour) in palette.items() if used[m]]
    if used[""]:
        # TRANSLATORS: the legend's entry for organizations in no movement of the map
        handles.append(Patch(facecolor=OTHER, edgecolor=INK, label=_("Other")))
    handles += [
        Line2D([], [], marker="D", ls="", mfc="white", mec=INK, label=_("diamond: community-led")),
        Line2D([], [], marker="o", ls="", mfc="white", mec=INK, label=_("circle: ally or other")),
        Line2D([], [], marker="o", ls="", mfc="white", mec="#5f5f5f", mew=RING,
               label=_("thick outline: also in a second\nmovement (the outline's colour)")),
        Line2D([], [], color="#8a8a8a", lw=1.5, label=_("line: tie (thicker = stronger)")),
        Line2D([], [], color="#a40e26", lw=1.5, ls="--", label=_("dashed: conflict")),
    ]  # fmt: skip
    if stale:
        months = (view.get("freshness") or Freshness()).months
        handles.append(
            Line2D([], [], color="#8a8a8a", lw=1.5, alpha=STALE_ALPHA,
                   label=ngettext("faded: not confirmed for {months} month", "faded: not confirmed for {months} months",
                                  months).format(months=months))
        )  # fmt: skip
    if apart:
        handles.append(Patch(fill=False, ls="--", ec="#6b6b6b", label=_("dashed box: no ties yet")))
    total = counts.get("total", len(view["organizations"]))
    ties = len(view["ties"])
    notes = [
        # TRANSLATORS: {organizations} is "12 organizations", {ties} is "30 ties"
        _("{organizations}, {ties} drawn").format(
            organizations=ngettext("{count} organization", "{count} organizations", total).format(count=total),
            ties=ngettext("{count} tie", "{count} ties", ties).format(count=ties),
        ),
        # TRANSLATORS: {date} is today (2026-11-01)
        _("Exported {date}").format(date=today_text()),
    ]
    if counts.get("labelled", total) < total:
        notes += textwrap.wrap(
            ngettext(
                "Names: {count} best connected that fits; the tables list all",
                "Names: {count} best connected that fit; the tables list all",
                counts["labelled"],
            ).format(count=counts["labelled"]),
            42,
        )
    notes += textwrap.wrap(withheld_note(view), 42)
    handles += [Line2D([], [], ls="", label=line) for line in notes]
    for handle in handles:
        handle.set_label(drawable(handle.get_label()))
    if side.get_legend():
        side.get_legend().remove()
    side.legend(
        handles=handles, loc="upper left", frameon=True, fontsize=8, title=drawable(banner(view["audience"])),
        title_fontsize=9, alignment="left", borderaxespad=0,
    )  # fmt: skip


def _rc() -> dict[str, Any]:
    """The drawing settings: ``RC`` and the fonts of every script, in fallback order."""
    return {**RC, "font.family": [*matplotlib_families(), "sans-serif"]}
