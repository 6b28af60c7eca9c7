"""Map: the network coloured by movement and sized by a measure, with filters, search, a
focus on one organization, a legend, and the same data as tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition.domain.models import TIE_KINDS
from coalition.ui import mapview, state
from coalition.ui.state import Keys, Tables
from graph.render import AGGREGATE_ABOVE, render_map


def _mark(item: dict) -> str:
    if item["type"] == "colour":
        return f"colour {item['color']}"
    if item["type"] == "line":
        return "dashed line" if item["dashed"] else "solid line"
    return item["glyph"]


store, user, audience, view, movements, names = state.open_page("Map")

SIZE_HELP = {
    "ties": "ties: how many ties an organization has",
    "strength": "strength: the sum of its ties' strengths",
    "betweenness": "betweenness: how often it lies on the shortest path between others (top brokers)",
}

with st.sidebar:
    st.header("Map filters")
    chosen_movements = st.multiselect(
        "Movements", list(movements), format_func=movements.get, key=Keys.MAP_MOVEMENTS, placeholder="All movements"
    )
    chosen_regions = st.multiselect("Regions", mapview.regions(view), key=Keys.MAP_REGIONS, placeholder="All regions")
    community = st.radio("Organizations", mapview.COMMUNITY_CHOICES, key=Keys.MAP_COMMUNITY_LED)
    kinds = st.multiselect(
        "Tie kinds",
        TIE_KINDS,
        format_func=lambda k: k.replace("_", " "),
        key=Keys.MAP_TIE_KINDS,
        placeholder="All kinds",
    )
    min_strength = st.slider("Weakest tie shown", 1, 5, 1, key=Keys.MAP_MIN_STRENGTH)
    active_from = st.date_input("Ties active from", value=None, key=Keys.MAP_ACTIVE_FROM)
    active_until = st.date_input("Ties active until", value=None, key=Keys.MAP_ACTIVE_UNTIL)

top = st.columns([2, 2, 1, 2])
search = top[0].text_input("Search organizations", key=Keys.MAP_SEARCH, placeholder="Part of a name")
found = [o["id"] for o in mapview.filter_map(view, search=search)[0]] if search.strip() else []
listed = state.pickable(names, found, keep=[st.session_state.get(Keys.MAP_FOCUS)])
focus = top[1].selectbox(
    "Focus on",
    list(listed),
    index=None,
    format_func=names.get,
    key=Keys.MAP_FOCUS,
    placeholder="Everyone (no focus)" if len(listed) == len(names) else "Everyone (search to focus on one)",
)
steps = top[2].number_input("Steps around it", 1, 3, 1, key=Keys.MAP_STEPS, disabled=focus is None)
size_by = top[3].selectbox("Size by", list(SIZE_HELP), format_func=SIZE_HELP.get, key=Keys.MAP_SIZE_BY)
if size_by == "betweenness":  # the gap analysis: on a big map, only worth waiting for when asked
    sizes = {b["org"]: float(b.get("betweenness") or 0) for b in state.gaps(store, audience)["brokers"]}
else:
    sizes = mapview.measures(view)[size_by]

orgs, ties = mapview.filter_map(
    view,
    movements=chosen_movements,
    regions=chosen_regions,
    tie_kinds=kinds,
    min_strength=min_strength,
    active_from=active_from,
    active_until=active_until,
    community_led=community,
    search=search,
    focus=focus,
    steps=int(steps),
)
positions = state.layout(orgs, ties) if len(orgs) <= AGGREGATE_ABOVE else None
page = render_map(
    view["movements"],
    orgs,
    ties,
    sizes=sizes,
    size_label=size_by,
    positions=positions,
    focus=focus,
    title=f"Coalition map for the {audience} audience",
)
st.caption(
    f"{len(orgs):,} of {len(view['organizations']):,} organizations and {len(ties):,} ties shown. "
    "Colour shows the movement, shape whether a group is community-led (diamond) or not (dot), "
    "size the chosen measure; dashed lines are conflicts. Drag to move, scroll or +/- to zoom, "
    "click the map then use the arrow keys to pan."
)
if page.message:
    st.warning(page.message)
st.iframe(page.html, height=760, alt=f"Network map of {len(orgs)} organizations; the tables below hold the same data")

nodes_tab, ties_tab, legend_tab = st.tabs(["Organizations on the map", "Ties on the map", "Legend"])
with nodes_tab:
    st.dataframe(pd.DataFrame(page.nodes), hide_index=True, key=Tables.MAP_NODES_TABLE)
with ties_tab:
    st.dataframe(pd.DataFrame(page.edges), hide_index=True, key=Tables.MAP_EDGES_TABLE)
with legend_tab:
    st.dataframe(
        pd.DataFrame([{"mark": _mark(item), "meaning": item["label"]} for item in page.legend]),
        hide_index=True,
        key=Tables.MAP_LEGEND_TABLE,
    )
if focus:
    st.session_state[state.PROFILE_ORG] = focus
    st.page_link("coalition/ui/pages/organizations.py", label="Open this organization's profile")
