"""Settings: which store is in use and which audience the pages show (only the audiences
the signed-in account may use are offered)."""

from __future__ import annotations

import streamlit as st

from coalition.auth import permissions
from coalition.ui import state
from coalition.ui.state import Keys, Tables

st.title("Settings")
store = state.get_store()
user = state.current_user()
choices = permissions.allowed_audiences(user)

st.subheader("Store in use")
if permissions.allowed(user, permissions.SEE_PRIVATE):
    st.write(store.describe())
    st.caption(
        "Set COALITION_DB (or `coalition --db URL serve`) to use another map: sqlite:///FILE or a Neo4j URL. "
        + (
            "This dashboard runs in local mode: it listens on 127.0.0.1, so only this computer can open it."
            if user.local
            else "This dashboard is shared: everyone signs in, and each account sees what its role allows."
        )
    )
    counts = store.counts()
    st.dataframe(
        [{"records": kind, "stored (all visibilities)": n} for kind, n in counts.items()],
        hide_index=True,
        key=Tables.SETTINGS_COUNTS,
    )
else:
    st.write(f"The shared coalition map. You are signed in as {user.name} ({user.role}).")

st.subheader("Audience")
EXPLAIN = {
    "public": "public: what anyone may see (for a public website or a press pack)",
    "coalition": "coalition: what coalition members may see (for a planning meeting or a projector)",
    "private": "private: everything, contacts included (only for your own screen)",
}
if st.session_state.get(Keys.SETTINGS_AUDIENCE, choices[0]) not in choices:
    del st.session_state[Keys.SETTINGS_AUDIENCE]  # chosen under a role this account no longer has
st.radio(
    "Show the map as this audience may see it",
    choices,
    index=choices.index(state.audience()),
    format_func=EXPLAIN.get,
    key=Keys.SETTINGS_AUDIENCE,
    on_change=lambda: state.set_audience(st.session_state[Keys.SETTINGS_AUDIENCE]),
)
st.caption(
    "Every page reads the map through this audience: organizations, ties and contacts it may not see are "
    "left out on the server and never sent to the browser."
    + ("" if len(choices) == len(EXPLAIN) else f" Your {user.role} account may use: {', '.join(choices)}.")
)
