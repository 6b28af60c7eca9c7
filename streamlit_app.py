"""The dashboard entry point: which store is in use, the map's numbers, its organizations.

Configuration is read here, at the edge (COALITION_DB, the same as the CLI). The store
lives in ``st.cache_resource`` so every session shares one connection pool; everything
shown comes from ``coalition.services``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition import services
from coalition.config import resolve_url
from coalition.errors import USER_ERRORS
from graph.connect import open_store
from graph.store import Store


@st.cache_resource
def get_store(url: str) -> Store:
    """One store per URL for the whole server process."""
    store = open_store(url)
    services.init_map(store)
    return store


st.set_page_config(page_title="Coalition Mapper", layout="wide")
st.title("Coalition Mapper")
url = resolve_url()
try:
    store = get_store(url)
    figures = services.map_stats(store, "private")
    organizations = services.list_organizations(store, "private")
except USER_ERRORS as e:
    st.error(str(e))
    st.stop()

st.caption(f"Map stored in: {store.describe()} · local mode: only this computer can open this page")
columns = st.columns(4)
columns[0].metric("Organizations", figures["organizations"])
columns[1].metric("Community-led", figures["community_led"])
columns[2].metric("Ties", figures["ties"])
columns[3].metric("Cross-movement ties", figures["cross_movement_ties"])

st.subheader("Organizations by movement")
st.dataframe(
    pd.DataFrame([{"movement": m, "organizations": n} for m, n in figures["movements"].items()]),
    hide_index=True,
    key="movement_counts",
)
st.subheader("Organizations")
table = pd.DataFrame(
    [
        {
            "name": o["name"],
            "movements": ", ".join(o["movements"]),
            "kind": o["kind"],
            "community-led": o["community_led"],
            "region": o["region"],
            "visibility": o["visibility"],
        }
        for o in organizations
    ],
    columns=["name", "movements", "kind", "community-led", "region", "visibility"],
)
st.dataframe(table, hide_index=True, key="organizations_table")
