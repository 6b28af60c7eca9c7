"""The Map page's filters, focus hint, counts and saved views, on the demo coalition.

The page is driven by Streamlit's AppTest (``tests/test_app_pages.py`` shows how); the
filters' logic is checked on small views whose answer is known by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from coalition.domain.privacy import read_view
from coalition.maps import services
from coalition.ui import mapview
from coalition.ui.state import Keys
from graph.store import Store

from .conftest import NODE_ON_SCREEN, map_node_ids, open_page
from .test_app_pages import open_app, table

MAP = "coalition/ui/pages/map.py"
ORGS = ("shape", "community-led")  # the columns of the organizations table
PRIVATE_ORG_ID = "kitchen_table_mutual_aid"  # visibility private in the demo
RIVERSIDE = "riverside_tenants_union"


def map_with_link(store: Store, monkeypatch: pytest.MonkeyPatch, **link: str) -> AppTest:
    """The Map page opened from a link holding these query parameters."""
    monkeypatch.setenv("COALITION_DB", store.url)
    app = open_app(store.url, monkeypatch)
    app.query_params.update(link)
    return app.switch_page(MAP).run()


def node_ids(html: str) -> set[str]:
    """The ids of the organizations an exported HTML map draws (its vis-network data)."""
    data = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    return {node["id"] for node in json.loads(data.group(1))["nodes"]}


# regions by label -----------------------------------------------------------------------
TWO_SPELLINGS = {
    "movements": [{"id": "x", "name": "X"}],
    "organizations": [
        {"id": "a", "name": "A", "movements": ["x"], "region": "Eastport"},
        {"id": "b", "name": "B", "movements": ["x"], "region": "eastport"},
        {"id": "c", "name": "C", "movements": ["x"], "region": "hill_district"},
        {"id": "d", "name": "D", "movements": ["x"]},
    ],
    "ties": [],
}


def test_a_region_typed_two_ways_is_one_choice_that_keeps_both() -> None:
    assert mapview.regions(TWO_SPELLINGS) == {"eastport": "Eastport", "hill_district": "Hill District"}
    orgs, _ = mapview.shown(TWO_SPELLINGS, mapview.MapFilters(regions=("eastport",)))
    assert [o["id"] for o in orgs] == ["a", "b"]


def test_the_regions_filter_lists_eastport_once_and_keeps_both_spellings(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.add_organization(
        demo_store, {"id": "harbor_renters", "name": "Harbor Renters", "movements": ["housing"], "region": "Eastport"}
    )
    app = open_app(demo_store.url, monkeypatch, MAP)
    regions = app.multiselect(key="map_regions")
    assert regions.options.count("Eastport") == 1 and "eastport" not in regions.options  # labels, each once
    regions.set_value(["eastport"]).run()
    names = set(table(app, *ORGS)["organization"])
    assert {"Harbor Renters", "Night Shift Collective"} <= names
    assert not app.exception


# the focus hint -------------------------------------------------------------------------
def test_focus_on_a_group_without_ties_says_it_has_none(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, MAP)
    app.selectbox(key="map_focus").set_value("night_shift_collective").run()
    assert [i.value for i in app.info] == ["Night Shift Collective has no ties yet\\."]
    assert "map_clear_filters" not in {b.key for b in app.button}  # no filter to clear


def test_focus_hidden_by_filters_says_which_and_the_button_clears_them(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, MAP)
    app.selectbox(key="map_focus").set_value(RIVERSIDE).run()
    assert not app.info  # every tie of it is shown
    everyone = len(table(app, *ORGS))
    app.multiselect(key="map_tie_kinds").set_value(["coalition", "mou"])
    app.slider(key="map_min_strength").set_value(5).run()
    assert len(table(app, *ORGS)) == 1
    hint = app.info[0].value.replace("\\", "")
    assert re.fullmatch(
        r"The filters hide all \d+ ties of Riverside Tenants Union \(tie kinds, weakest tie shown\): "
        r"clear them to see its partners\.",
        hint,
    ), hint
    app.button(key="map_clear_filters").click().run()
    assert not app.info and len(table(app, *ORGS)) == everyone
    assert app.selectbox(key="map_focus").value == RIVERSIDE  # the focus stays
    assert app.multiselect(key="map_tie_kinds").value == [] and app.slider(key="map_min_strength").value == 1


# saved views ----------------------------------------------------------------------------
def test_the_page_writes_its_filters_and_focus_to_the_address(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, MAP)
    app.multiselect(key="map_movements").set_value(["housing", "migrant"])
    app.selectbox(key="map_focus").set_value(RIVERSIDE)
    app.date_input(key="map_active_from").set_value(date(2024, 1, 1)).run()
    app.number_input(key="map_steps").set_value(2).run()
    assert dict(app.query_params) == {
        "movements": "housing,migrant",
        "from": "2024-01-01",
        "focus": RIVERSIDE,
        "steps": "2",
    }
    app.session_state[Keys.MAP_SHARE] = True  # "Share or save this view" opened
    app.run()
    link = next(m.value for m in app.markdown if "/map?" in m.value).split("](")[1].rstrip(")")
    assert link.endswith("/map?movements=housing,migrant&from=2024-01-01&focus=riverside_tenants_union&steps=2")


def test_a_link_opens_the_map_with_its_filters(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = map_with_link(
        demo_store, monkeypatch, movements="housing,nonsense", min="3", focus=RIVERSIDE, steps="2", led="community"
    )
    assert not app.exception
    assert app.multiselect(key="map_movements").value == ["housing"]
    assert app.slider(key="map_min_strength").value == 3
    assert app.selectbox(key="map_focus").value == RIVERSIDE
    assert app.number_input(key="map_steps").value == 2
    assert app.radio(key="map_community_led").value == "community-led only"
    app.slider(key="map_min_strength").set_value(4).run()  # a change after opening is kept, not undone by the link
    assert app.slider(key="map_min_strength").value == 4 and app.query_params["min"] == "4"


def test_a_link_naming_what_the_audience_may_not_see_or_nonsense_is_ignored(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = map_with_link(
        demo_store, monkeypatch, focus=PRIVATE_ORG_ID, min="9", steps="x", until="2024-13-45", size="secret"
    )
    assert not app.exception and not app.error
    assert app.selectbox(key="map_focus").value is None
    assert app.slider(key="map_min_strength").value == 1
    assert app.date_input(key="map_active_until").value is None
    assert app.selectbox(key="map_size_by").value == "ties"
    assert not app.query_params  # the address now says what is shown: nothing of the link was kept
    coalition = read_view(demo_store, "coalition")
    assert mapview.filters_from_link({"focus": PRIVATE_ORG_ID}, coalition).focus is None
    assert mapview.filters_from_link({"focus": PRIVATE_ORG_ID}, read_view(demo_store, "private")).focus


def test_the_view_survives_a_visit_to_another_page(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, MAP)
    app.multiselect(key="map_movements").set_value(["disability"]).run()
    app.switch_page("coalition/ui/pages/overview.py").run()
    app.query_params.clear()  # Streamlit drops the address's parameters on a page switch
    app.switch_page(MAP).run()
    assert app.multiselect(key="map_movements").value == ["disability"]


def test_export_what_i_see_holds_only_the_shown_organizations(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch, downloads: list[Callable[[], bytes]]
) -> None:
    app = map_with_link(demo_store, monkeypatch, movements="disability")
    shown = set(table(app, *ORGS)["organization"])
    app.session_state[Keys.MAP_SHARE] = True  # "Share or save this view" opened
    app.run()
    offered = {b.proto.label: b for b in app.get("download_button")}
    assert set(offered) == {
        "Download coalition-map-coalition-disability.html",
        "Download coalition-map-coalition-disability.png",
    }
    html, png = (d() for d in downloads[-2:])
    everyone = {o["id"]: o["name"] for o in read_view(demo_store, "coalition")["organizations"]}
    drawn = node_ids(html.decode())
    assert drawn and {everyone[i] for i in drawn} == shown and len(drawn) < len(everyone)
    assert png.startswith(b"\x89PNG")


def test_the_counts_say_why_fewer_are_shown(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, MAP)
    whole = read_view(demo_store, "coalition")
    stats = services.view_stats(whole)
    words = services.ties_in_words(stats["working_ties"], stats["conflict_ties"], stats["ended_ties"])
    assert (
        app.caption[1].value.replace("\\", "") == f"Shown: all {stats['organizations']} organizations and all {words}."
    )
    app.multiselect(key="map_movements").set_value(["disability"]).run()
    counts = app.caption[1].value.replace("\\", "")
    assert counts.startswith(f"Shown: {len(table(app, *ORGS))} of {stats['organizations']} organizations")
    assert f"of the map's {words}" in counts and "the filters hide (movements)" in counts
    assert "to organizations not shown" in counts


# the counts and hints on small views ----------------------------------------------------
CHAIN = {
    "movements": [{"id": "x", "name": "X"}],
    "organizations": [
        {"id": "a", "name": "A", "movements": ["x"]},
        {"id": "b", "name": "B", "movements": ["x"]},
        {"id": "c", "name": "C", "movements": ["x"]},
    ],
    "ties": [
        {"source": "a", "target": "b", "kind": "coalition", "strength": 2},
        {"source": "b", "target": "c", "kind": "conflict", "strength": 4},
    ],
}


def test_the_counts_name_each_reason_on_a_chain() -> None:
    filters = mapview.MapFilters(focus="a", min_strength=3)
    orgs, ties = mapview.shown(CHAIN, filters)
    sentence = mapview.counts_sentence(CHAIN, filters, orgs, ties)
    assert sentence == (
        "Shown: 1 of 3 organizations and 0 of the map's 2 ties: 1 working now (the ones gaps and introductions "
        "count), 1 conflict. Not shown: 2 organizations more than 1 step from A; 1 tie the tie filters hide "
        "(weakest tie shown); 1 tie to organizations not shown."
    )
    assert mapview.focus_hint(CHAIN, filters, ties) == (
        "The filters hide all 1 tie of A (weakest tie shown): clear them to see its partners."
    )


def test_a_link_round_trips_every_part_of_a_view() -> None:
    view = {**CHAIN, "organizations": [{**o, "region": "Old Town, North"} for o in CHAIN["organizations"]]}
    filters = mapview.MapFilters(
        movements=("x",),
        regions=("old_town,_north",),
        tie_kinds=("coalition", "mou"),
        min_strength=2,
        active_from=date(2023, 5, 1),
        active_until=date(2024, 5, 1),
        community_led=mapview.COMMUNITY_CHOICES[2],
        search="tenants",
        focus="b",
        steps=3,
        size_by="strength",
    )
    assert mapview.filters_from_link(mapview.link_of(filters), view) == filters
    assert mapview.filters_from_link({}, view) == mapview.MapFilters()


def test_the_file_name_says_what_the_view_holds() -> None:
    assert mapview.file_name(mapview.MapFilters(), "public", "html") == "coalition-map-public.html"
    named = mapview.MapFilters(movements=("housing",), regions=("hill_district",), focus="a/../b")
    assert mapview.file_name(named, "coalition", "png") == "coalition-map-coalition-housing-hill_district-a_b.png"


@pytest.mark.browser
def test_a_link_opened_in_chromium_shows_its_view_and_keeps_its_address(page, app_url: str) -> None:
    """In a real browser: the address opens the page with its filters, and the page's own
    changes are written back to the address bar (AppTest has no address bar)."""
    open_page(page, app_url, f"map?movements=disability&focus={RIVERSIDE}&steps=2", "Map")
    ids = set(map_node_ids(page))
    assert RIVERSIDE in ids and "night_shift_collective" not in ids
    assert "movements=disability" in page.url and f"focus={RIVERSIDE}" in page.url
    page.get_by_text("Share or save this view").click()
    link = page.get_by_role("link", name=f"{app_url}/map?movements=disability").get_attribute("href")
    assert link.startswith(f"{app_url}/map?movements=disability") and link.endswith("steps=2")


def test_an_editor_is_offered_to_add_a_tie_from_the_map(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, MAP)
    html = app.get("iframe")[0].proto.srcdoc
    data = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert 'id="pair"' in html and json.loads(data.group(1))["links"] is True


@pytest.mark.browser
def test_two_organizations_clicked_on_the_dashboard_map_open_the_ties_form_with_both(page, app_url: str) -> None:
    """In a real browser, as an organizer adds a tie from the map: click one group, then
    another, follow the link (a new tab), and the Ties page's add form holds both."""
    open_page(page, app_url, f"map?focus={RIVERSIDE}", "Map")
    ids = map_node_ids(page)
    partner = next(i for i in ids if i != RIVERSIDE)
    map_frame = page.locator("iframe[title^='Network map']").first
    map_frame.evaluate("element => element.scrollIntoView()")  # the map's middle is below the fold
    frame, inner = page.frame_locator("iframe[title^='Network map']").first, map_frame.element_handle().content_frame()
    offset = map_frame.bounding_box()
    for node in (RIVERSIDE, partner):
        x, y = inner.evaluate(NODE_ON_SCREEN, node)
        page.mouse.click(offset["x"] + x, offset["y"] + y)
    link = frame.get_by_role("link", name=re.compile("^Add a tie between"))
    with page.context.expect_page() as opened:
        link.click()
    ties = opened.value
    ties.get_by_role("heading", name="Ties", exact=True).first.wait_for(timeout=60_000)
    ties.get_by_text("From the map: a tie between").wait_for(timeout=60_000)
    names = inner.evaluate("(ids) => ids.map(id => window.coalitionMap.nodes.get(id).label)", [RIVERSIDE, partner])
    for label, name in zip(("From organization", "To organization"), names, strict=True):
        assert ties.get_by_role("combobox", name=label).input_value() == name
    assert page.external_requests == []
