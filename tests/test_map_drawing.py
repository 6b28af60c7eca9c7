"""A legible map (issue 15): organizations without ties set apart, the focused one keeping
its movement colour, members of two movements outlined in the second one's colour,
labels that do not overlap, calm zoom buttons, styled export tables with human labels,
and "Add a tie between A and B" once two organizations are selected on the dashboard.

The drawing is checked where people see it: node data and positions read back from the
page, text boxes measured by matplotlib's renderer, and in real Chromium the colour of
the focused node's pixels and the boxes vis-network gives its drawn labels.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from pypdf import PdfReader

from coalition.domain.privacy import read_view
from coalition.formats import html_format, image_format, pdf_brief
from graph.render import RING_WIDTH, layout_positions, render_map

from .conftest import NODE_ON_SCREEN
from .test_render import MOVEMENTS, small_map

ALONE = "night_shift_collective"  # the demo's one group with no tie
HOUSING, MIGRANT = "#0072B2", "#009E73"


@pytest.fixture(scope="module")
def demo_view(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo coalition as the coalition audience sees it (read once for the module)."""
    from coalition.maps import services
    from coalition.maps.transfer import load_demo
    from graph.sqlite.store import SQLiteStore

    store = SQLiteStore(tmp_path_factory.mktemp("demo") / "map.db")
    services.init_map(store)
    load_demo(store)
    view = read_view(store, "coalition")
    store.close()
    return view


@pytest.fixture(scope="module")
def demo_page(demo_view: dict[str, Any]) -> str:
    return html_format.page(demo_view)


def map_data(page: str) -> dict[str, Any]:
    """The nodes, edges and options a page hands to vis-network."""
    return json.loads(re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S)[1])


def outside_box(point: tuple[float, float], others: list[tuple[float, float]]) -> bool:
    xs, ys = [x for x, _ in others], [y for _, y in others]
    return not (min(xs) <= point[0] <= max(xs) and min(ys) <= point[1] <= max(ys))


# 1. organizations without ties are set apart ----------------------------------------
def test_a_layout_sets_nodes_without_ties_apart_below_the_tied_ones() -> None:
    ids = [f"n{i}" for i in range(12)] + ["alone", "also_alone"]
    ring = [(f"n{i}", f"n{(i + 1) % 12}", 1.0) for i in range(12)] + [("n0", "n6", 1.0)]
    pos = layout_positions(ids, ring)
    tied = [pos[f"n{i}"] for i in range(12)]
    for node in ("alone", "also_alone"):
        assert outside_box(pos[node], tied) and pos[node][1] > max(y for _, y in tied)
    assert pos["alone"][1] == pos["also_alone"][1]  # side by side in one row


def test_the_demo_group_without_ties_is_drawn_apart_in_the_html_export(demo_page: str) -> None:
    nodes = {n["id"]: (n["x"], n["y"]) for n in map_data(demo_page)["nodes"]}
    assert outside_box(nodes.pop(ALONE), list(nodes.values()))
    apart = map_data(demo_page)["apart"]
    assert apart["caption"] == "No ties yet" and apart["count"] == 1
    assert "1 with no ties yet is set apart below the others" in demo_page  # said to screen readers too


def test_the_image_map_boxes_the_group_without_ties_below_the_others(demo_view: dict[str, Any]) -> None:
    fig = image_format.draw(demo_view)
    ax = fig.axes[0]
    texts = {t.get_text().strip(): t for t in ax.texts}
    assert "No ties yet" in texts
    alone_y = texts["Night Shift Collective"].xy[1]
    assert all(t.xy[1] > alone_y for name, t in texts.items() if hasattr(t, "xy") and name != "Night Shift Collective")


# 2 and 3. colours: focus keeps its colour, a second movement shows as an outline -----
def test_the_focused_organization_keeps_its_movement_colour_and_gets_a_halo() -> None:
    page = render_map(MOVEMENTS, *small_map(), focus="a")
    nodes = {n["id"]: n for n in map_data(page.html)["nodes"]}
    colour = nodes["a"]["color"]
    assert colour["background"] == colour["highlight"]["background"] == colour["hover"]["background"] == HOUSING
    assert nodes["a"]["shadow"]["enabled"] and "shadow" not in nodes["c"]
    assert any("focus" in item["label"] for item in page.legend)


def test_an_organization_in_two_movements_is_outlined_in_the_second_ones_colour() -> None:
    page = render_map(MOVEMENTS, *small_map())
    nodes = {n["id"]: n for n in map_data(page.html)["nodes"]}
    assert nodes["b"]["color"]["background"] == MIGRANT and nodes["b"]["color"]["border"] == HOUSING
    assert nodes["b"]["borderWidth"] == RING_WIDTH > nodes["a"]["borderWidth"]
    assert any("second movement" in item["label"] for item in page.legend)


def test_the_image_outlines_a_second_movement_too() -> None:
    orgs, ties = small_map()
    view = {"audience": "private", "movements": MOVEMENTS, "organizations": orgs, "ties": ties[:2], "withheld": {}}
    fig = image_format.draw(view)
    outlines = [
        (tuple(colour), width)
        for markers in fig.axes[0].collections[1:]
        for colour, width in zip(markers.get_edgecolors(), markers.get_linewidths(), strict=False)
    ]
    assert (to_rgba(HOUSING), image_format.RING) in outlines


# 4. labels --------------------------------------------------------------------------
def test_no_two_names_overlap_on_the_image_or_the_brief_map(demo_view: dict[str, Any]) -> None:
    for fig in (image_format.draw(demo_view), image_format.draw(demo_view, 8.6, 5.4, False, 6.2)):
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts]
        assert len(boxes) > 25
        assert [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes[:i]) if a.overlaps(b)] == []


def test_vis_network_buttons_are_replaced_by_three_small_ones_and_the_keyboard() -> None:
    page = render_map(MOVEMENTS, *small_map()).html
    options = map_data(page)["options"]
    assert options["interaction"]["navigationButtons"] is False and options["interaction"]["keyboard"]["enabled"]
    assert options["nodes"]["scaling"]["label"]["drawThreshold"] > 5  # small labels wait for a zoom
    for label in ("Zoom in", "Zoom out", "Show the whole map"):
        assert f'aria-label="{label}"' in page


# 5. the export's tables ------------------------------------------------------------
def test_the_html_export_tables_are_styled_and_read_as_people_write(demo_page: str) -> None:
    assert re.search(r"<style>\s*details\.data", demo_page) and "table.data th, table.data td" in demo_page
    table = demo_page[demo_page.index('<table class="data">') :]
    assert "<td>Hill District</td>" in table and "hill_district" not in table
    assert "Legal advice" in table and "legal_advice" not in table
    assert "signal:" not in table and "@example.org" not in table  # contacts never reach the export


def test_the_brief_shows_regions_and_needs_as_people_write_them(demo_view: dict[str, Any]) -> None:
    reader = PdfReader(io.BytesIO(pdf_brief.brief(demo_view, today=date(2026, 1, 15))))
    text = "\n".join(page.extract_text() for page in reader.pages)
    tables = text[text.index("Needs another member could meet") :]  # the needs table and the directory
    assert "Who is in this map" in tables and "hill_district" not in tables and "old_town" not in tables
    assert "Legal advice" in tables and "legal advice" not in tables


# 6. adding a tie from the map: only on the dashboard ---------------------------------
def test_only_the_dashboard_map_offers_to_add_a_tie(demo_page: str) -> None:
    dashboard = render_map(MOVEMENTS, *small_map(), links=True).html
    assert 'id="pair"' in dashboard and map_data(dashboard)["links"] is True
    assert 'id="pair"' not in demo_page and map_data(demo_page)["links"] is False


# in Chromium --------------------------------------------------------------------------
LABEL_OVERLAPS = """() => {
  const net = window.coalitionMap.network, boxes = [];
  for (const id of window.coalitionMap.nodes.getIds()) {
    const label = net.body.nodes[id].labelModule;
    const shown = label.fontOptions.size * net.body.view.scale >= label.elementOptions.scaling.label.drawThreshold - 1;
    if (label.elementOptions.label && shown) {
      const s = label.size;
      boxes.push([s.left, s.top, s.left + s.width, s.top + s.height]);
    }
  }
  let overlaps = 0;
  boxes.forEach((a, i) => boxes.slice(0, i).forEach((b) => {
    if (a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]) overlaps++;
  }));
  return [boxes.length, overlaps];
}"""
PIXEL_AT_NODE = """(id) => {
  const net = window.coalitionMap.network, canvas = document.querySelector('#map canvas');
  const at = net.canvasToDOM(net.getPositions([id])[id]), ratio = canvas.width / canvas.clientWidth;
  const p = canvas.getContext('2d').getImageData(Math.round(at.x * ratio), Math.round(at.y * ratio), 1, 1).data;
  return '#' + [p[0], p[1], p[2]].map((v) => v.toString(16).padStart(2, '0')).join('').toUpperCase();
}"""


def opened(browser, html: str, tmp_path: Path):
    """A 1300x900 page showing ``html`` from disk, once vis-network has drawn it."""
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_function("() => document.body.dataset.drawn && window.coalitionMap", timeout=60_000)
    page.wait_for_timeout(200)
    return page


@pytest.mark.browser
def test_the_demo_export_draws_names_that_do_not_overlap(browser, demo_page: str, tmp_path: Path) -> None:
    page = opened(browser, demo_page, tmp_path)
    shown, overlaps = page.evaluate(LABEL_OVERLAPS)
    assert shown >= 15 and overlaps == 0
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Zoom in").click()
    assert page.evaluate(LABEL_OVERLAPS)[0] > shown  # zooming in shows more names
    page.close()


@pytest.mark.browser
def test_the_focused_node_is_drawn_in_its_movement_colour(browser, tmp_path: Path) -> None:
    page = opened(browser, render_map(MOVEMENTS, *small_map(), focus="a").html, tmp_path)
    assert page.evaluate("() => window.coalitionMap.network.getSelectedNodes()") == ["a"]
    assert page.evaluate(PIXEL_AT_NODE, "a") == HOUSING
    page.close()


@pytest.mark.browser
def test_clicking_two_organizations_offers_a_link_to_add_a_tie(browser, tmp_path: Path) -> None:
    page = opened(browser, render_map(MOVEMENTS, *small_map(), links=True).html, tmp_path)
    page.mouse.click(*page.evaluate(NODE_ON_SCREEN, "a"))
    assert "Click a second organization" in page.locator("#pair").inner_text()
    page.mouse.click(*page.evaluate(NODE_ON_SCREEN, "c"))
    link = page.get_by_role("link", name="Add a tie between Tenants Union and Night Shift")
    assert link.get_attribute("href") == "ties?add_source=a&add_target=c"
    assert link.get_attribute("target") == "_blank"  # st.iframe's sandbox forbids navigating the top window
    assert page.locator("#pair input").input_value().endswith("/ties?add_source=a&add_target=c")
    page.close()
