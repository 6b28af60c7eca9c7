"""Stale ties are drawn faded on every map: the dashboard's interactive map, the HTML
export and the PNG/SVG image, with a legend item saying so whenever one is drawn.

A tie is stale when nobody has confirmed it for N months (``coalition.domain.freshness``);
the drawings are read back where people see them: vis-network's edge data in the page,
the matplotlib figure's line collections and the SVG file's stroke opacity.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from matplotlib.collections import LineCollection

from coalition.domain.freshness import Freshness, mark_stale, months_before
from coalition.domain.privacy import read_view
from coalition.formats import html_format, image_format
from coalition.maps import services
from coalition.maps.transfer import export_map
from coalition.ui.state import Keys
from graph.render import STALE_OPACITY, render_map
from graph.store import Store

from .test_app_pages import open_app, table
from .test_map_drawing import map_data
from .test_render import MOVEMENTS

LONG_AGO = "2020-01-01"
TODAY = date.today().isoformat()
FADED_LEGEND = "faded line: not confirmed for a while (stale)"


def org(org_id: str, movement: str = "housing") -> dict[str, Any]:
    return {"id": org_id, "name": org_id.replace("_", " ").title(), "movements": [movement]}


def records() -> tuple[list[dict], list[dict]]:
    """Four groups: one stale tie, one fresh, a stale conflict and an ended tie confirmed
    long ago (history, not stale)."""
    orgs = [org("tenants"), org("renters"), org("shelter"), org("clinic", "migrant")]
    ties = [
        {"source": "tenants", "target": "renters", "kind": "coalition", "strength": 4, "confirmed": LONG_AGO},
        {"source": "renters", "target": "shelter", "kind": "coalition", "strength": 3, "confirmed": TODAY},
        {"source": "tenants", "target": "shelter", "kind": "conflict", "strength": 2, "confirmed": LONG_AGO},
        {"source": "shelter", "target": "clinic", "kind": "coalition", "strength": 2, "confirmed": LONG_AGO,
         "since": "2019-01-01", "until": "2021-06-30"},
    ]  # fmt: skip
    return orgs, ties


def edges_by_pair(html: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["from"], e["to"]): e for e in map_data(html)["edges"]}


def legend_labels(legend: list[dict[str, Any]]) -> list[str]:
    return [item["label"] for item in legend]


@pytest.fixture
def aged_store(sqlite_store: Store) -> Store:
    """``records()`` written through the services, then aged as an old file's import would."""
    orgs, ties = records()
    for record in orgs:
        services.add_organization(sqlite_store, record)
    for tie in ties:
        services.add_tie(sqlite_store, {k: v for k, v in tie.items() if k != "confirmed"})
    for tie in ties:
        if tie["confirmed"] == LONG_AGO:
            stored = sqlite_store.get_tie(tie["source"], tie["target"], tie["kind"])
            sqlite_store.write_map(ties=[{**stored, "confirmed": LONG_AGO}])
    return sqlite_store


# the interactive map (graph.render) ------------------------------------------------------
def test_a_stale_tie_is_faded_and_its_tooltip_says_since_when() -> None:
    orgs, ties = records()
    page = render_map(MOVEMENTS, orgs, mark_stale(ties))
    edges = edges_by_pair(page.html)
    stale, fresh = edges[("tenants", "renters")], edges[("renters", "shelter")]
    assert stale["color"]["opacity"] == STALE_OPACITY < 1
    assert fresh["color"].get("opacity", 1) == 1
    assert "not confirmed since 2020-01-01" in stale["title"] and "not confirmed" not in fresh["title"]
    rows = {(r["from"], r["to"]): r for r in page.edges}
    assert rows[("Tenants", "Renters")]["line"] == "faded" and rows[("Tenants", "Renters")]["confirmed"] == LONG_AGO
    assert rows[("Renters", "Shelter")]["line"] == "solid" and rows[("Renters", "Shelter")]["confirmed"] == TODAY


def test_a_stale_conflict_stays_dashed_and_an_ended_tie_is_history_not_stale() -> None:
    orgs, ties = records()
    page = render_map(MOVEMENTS, orgs, mark_stale(ties))
    edges = edges_by_pair(page.html)
    conflict, ended = edges[("tenants", "shelter")], edges[("shelter", "clinic")]
    assert conflict["dashes"] is True and conflict["color"]["opacity"] == STALE_OPACITY
    assert conflict["color"]["color"] == "#a40e26"  # still the conflicts' red, faded
    assert "opacity" not in ended["color"] and "not confirmed" not in ended["title"]
    assert "until 2021-06-30" in ended["title"]
    lines = {(r["from"], r["to"]): r["line"] for r in page.edges}
    assert lines[("Tenants", "Shelter")] == "dashed, faded" and lines[("Shelter", "Clinic")] == "solid"


def test_the_legend_has_the_faded_line_only_when_a_stale_tie_is_drawn() -> None:
    orgs, ties = records()
    page = render_map(MOVEMENTS, orgs, mark_stale(ties))
    faded = [item for item in page.legend if item.get("faded")]
    assert [item["label"] for item in faded] == [FADED_LEGEND] and faded[0]["type"] == "line"
    assert re.search(r'<span class="line faded"></span>\s*<span>faded line: not confirmed', page.html)
    assert ".line.faded { opacity: 0.3; }" in page.html  # the legend's line is drawn faded too

    fresh_only = render_map(MOVEMENTS, orgs, mark_stale(ties[1:2]))
    assert FADED_LEGEND not in legend_labels(fresh_only.legend) and 'class="line faded"' not in fresh_only.html
    # the stale tie's ends filtered out: nothing faded is drawn, so nothing to explain
    hidden = render_map(MOVEMENTS, orgs[1:], mark_stale(ties))
    assert FADED_LEGEND not in legend_labels(hidden.legend)


def test_ties_nobody_marked_are_drawn_as_before() -> None:
    orgs, ties = records()
    page = render_map(MOVEMENTS, orgs, ties)  # no "stale" key: the caller did not judge them
    assert all("opacity" not in e["color"] for e in map_data(page.html)["edges"])
    assert FADED_LEGEND not in legend_labels(page.legend)


def test_how_old_is_too_old_comes_from_the_freshness_given() -> None:
    orgs, ties = records()
    eight_months = months_before(date.today(), 8).isoformat()
    recent = [{**ties[1], "confirmed": eight_months}]
    default = edges_by_pair(render_map(MOVEMENTS, orgs, mark_stale(recent)).html)
    strict = edges_by_pair(render_map(MOVEMENTS, orgs, mark_stale(recent, Freshness(months=6))).html)
    assert "opacity" not in default[("renters", "shelter")]["color"]
    assert strict[("renters", "shelter")]["color"]["opacity"] == STALE_OPACITY


# the HTML export -------------------------------------------------------------------------
def test_the_html_export_holds_the_faded_edge(aged_store: Store, tmp_path: Path) -> None:
    export_map(aged_store, tmp_path / "map.html", audience="private")
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    edges = edges_by_pair(page)
    assert edges[("tenants", "renters")]["color"]["opacity"] == STALE_OPACITY
    assert "not confirmed since 2020-01-01" in edges[("tenants", "renters")]["title"]
    assert "opacity" not in edges[("renters", "shelter")]["color"]
    assert edges[("tenants", "shelter")]["dashes"] is True and "opacity" in edges[("tenants", "shelter")]["color"]
    assert FADED_LEGEND in page
    assert "<td>dashed, faded</td>" in page and f"<td>{LONG_AGO}</td>" in page  # the ties table says so too


def test_the_html_export_fades_by_the_months_it_is_given(aged_store: Store, tmp_path: Path) -> None:
    export_map(aged_store, tmp_path / "map.html", audience="private", freshness=Freshness(months=1200))
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert all("opacity" not in e["color"] for e in map_data(page)["edges"])
    assert FADED_LEGEND not in page


def test_an_html_page_of_a_view_without_freshness_fades_after_twelve_months(aged_store: Store) -> None:
    view = read_view(aged_store, "private")
    assert "freshness" not in view
    assert edges_by_pair(html_format.page(view))[("tenants", "renters")]["color"]["opacity"] == STALE_OPACITY


DRAWN_OPACITY = """() => {
  const map = window.coalitionMap;
  const drawn = {};
  for (const edge of map.edges.get()) {
    drawn[edge.from + "-" + edge.to] = map.network.body.edges[edge.id].options.color.opacity;
  }
  const legend = getComputedStyle(document.querySelector(".legend .line.faded")).opacity;
  return { drawn: drawn, legend: legend };
}"""


@pytest.mark.browser
def test_vis_network_draws_the_exported_stale_tie_faded(browser, aged_store: Store, tmp_path: Path) -> None:
    """In Chromium: vis-network takes the edge's opacity as its own, and the legend's
    faded line is faded by the page's style."""
    export_map(aged_store, tmp_path / "map.html", audience="private")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((tmp_path / "map.html").resolve().as_uri())
        page.wait_for_function("() => document.body.dataset.drawn && window.coalitionMap", timeout=60_000)
        seen = page.evaluate(DRAWN_OPACITY)
    finally:
        context.close()
    assert seen["drawn"]["tenants-renters"] == seen["drawn"]["tenants-shelter"] == STALE_OPACITY
    assert seen["drawn"]["renters-shelter"] == 1  # vis-network's default: fully opaque
    assert float(seen["legend"]) == pytest.approx(STALE_OPACITY)


# the image (PNG, SVG) --------------------------------------------------------------------
def tie_lines(view: dict[str, Any]) -> list[LineCollection]:
    return [c for c in image_format.draw(view).axes[0].collections if isinstance(c, LineCollection)]


def legend_texts(view: dict[str, Any]) -> list[str]:
    return [t.get_text() for t in image_format.draw(view).axes[1].get_legend().get_texts()]


def test_the_image_draws_stale_ties_faded_and_says_so_in_its_legend(aged_store: Store) -> None:
    view = read_view(aged_store, "private")
    lines = {(len(c.get_segments()), c.get_alpha(), c.get_linestyle()[0][1] is not None) for c in tie_lines(view)}
    # (ties, alpha, dashed): fresh and ended ties, the stale tie, the stale conflict
    assert lines == {(2, None, False), (1, STALE_OPACITY, False), (1, STALE_OPACITY, True)}
    assert "faded: not confirmed for 12 months" in legend_texts(view)
    strict = {**view, "freshness": Freshness(months=1200)}
    assert all(c.get_alpha() is None for c in tie_lines(strict))
    assert not any(text.startswith("faded") for text in legend_texts(strict))
    assert "faded: not confirmed for 1 month" in legend_texts({**view, "freshness": Freshness(months=1)})


def test_the_svg_export_strokes_the_stale_ties_faded(aged_store: Store, tmp_path: Path) -> None:
    export_map(aged_store, tmp_path / "map.svg", audience="private")
    svg = (tmp_path / "map.svg").read_text(encoding="utf-8")
    strokes = re.findall(r"stroke: (#[0-9a-f]{6}); stroke-opacity: ([\d.]+)", svg)
    assert ("#8a8a8a", "0.3") in strokes and ("#a40e26", "0.3") in strokes
    text = " ".join(t for t in ET.fromstring(svg).itertext() if t.strip())
    assert "faded: not confirmed for 12 months" in text


# the dashboard's Map page ----------------------------------------------------------------
def test_the_map_page_fades_by_the_settings_months_and_says_so(
    aged_store: Store, monkeypatch: pytest.MonkeyPatch, downloads: list[Callable[[], bytes]]
) -> None:
    eight_months = months_before(date.today(), 8).isoformat()
    stored = aged_store.get_tie("renters", "shelter", "coalition")
    aged_store.write_map(ties=[{**stored, "confirmed": eight_months}])  # fresh at 12 months, stale at 6
    monkeypatch.setenv("COALITION_STALE_MONTHS", "6")
    app = open_app(aged_store.url, monkeypatch, "coalition/ui/pages/map.py")
    assert not app.exception
    assert any("faded lines ties nobody has confirmed for 6 months" in c.value for c in app.caption)
    drawn = edges_by_pair(app.get("iframe")[0].proto.srcdoc)
    assert drawn[("renters", "shelter")]["color"]["opacity"] == STALE_OPACITY
    app.session_state[Keys.MAP_TABLE_TABS] = "Legend"
    app.run()
    legend = table(app, "mark", "meaning")
    assert list(legend[legend["meaning"] == FADED_LEGEND]["mark"]) == ["faded line"]
    app.session_state[Keys.MAP_SHARE] = True  # "Share or save this view" opened
    app.run()
    html = next(file for file in (made() for made in reversed(downloads)) if file.startswith(b"<!DOCTYPE html>"))
    assert edges_by_pair(html.decode())[("renters", "shelter")]["color"]["opacity"] == STALE_OPACITY  # 6 months


def test_the_ties_page_confirms_the_stale_ties_picked(aged_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(aged_store.url, monkeypatch, "coalition/ui/pages/ties.py")
    assert not app.exception
    picker = app.multiselect(key=Keys.TIE_STALE_PICK)
    assert len(picker.options) == 2  # the stale tie and the stale conflict; the ended tie is history
    assert app.button(key=Keys.TIE_CONFIRM_BUTTON).disabled
    picker.select(picker.options[0]).run()
    app.button(key=Keys.TIE_CONFIRM_BUTTON).click().run()
    assert not app.exception
    stale_keys = (("tenants", "renters", "coalition"), ("tenants", "shelter", "conflict"))
    confirmed = [key for key in stale_keys if aged_store.get_tie(*key)["confirmed"] == TODAY]
    assert len(confirmed) == 1
    assert len(app.multiselect(key=Keys.TIE_STALE_PICK).options) == 1
