"""Settings: which store is in use and which audience the pages show."""

from __future__ import annotations

import streamlit as st

from coalition.models import AUDIENCES
from coalition.ui import state
from coalition.ui.state import Keys, Tables

st.title("Settings")
store = state.get_store()

st.subheader("Store in use")
st.write(store.describe())
st.caption(
    "Set COALITION_DB (or `coalition --db URL serve`) to use another map: sqlite:///FILE or a Neo4j URL. "
    "This dashboard runs in local mode: it listens on 127.0.0.1, so only this computer can open it."
)
counts = store.counts()
st.dataframe(
    [{"records": kind, "stored (all visibilities)": n} for kind, n in counts.items()],
    hide_index=True,
    key=Tables.SETTINGS_COUNTS,
)

st.subheader("Audience")
EXPLAIN = {
    "public": "public: what anyone may see (for a public website or a press pack)",
    "coalition": "coalition: what coalition members may see (for a planning meeting or a projector)",
    "private": "private: everything, contacts included (only for your own screen)",
}
st.radio(
    "Show the map as this audience may see it",
    AUDIENCES,
    index=AUDIENCES.index(state.audience()),
    format_func=EXPLAIN.get,
    key=Keys.SETTINGS_AUDIENCE,
    on_change=lambda: state.set_audience(st.session_state[Keys.SETTINGS_AUDIENCE]),
)
st.caption(
    "Every page reads the map through this audience: organizations, ties and contacts it may not see are "
    "left out on the server and never sent to the browser."
)
