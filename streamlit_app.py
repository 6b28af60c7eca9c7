"""The dashboard entry point: the pages, the store in use, and the local-mode banner.

Each page is a short file in ``coalition/ui/`` that calls ``coalition`` use cases; this
file only declares them (``st.navigation``) and shows what every page shares. The store
is opened from COALITION_DB (the same setting as the CLI) on first use, never at import.
"""

from __future__ import annotations

import streamlit as st

from coalition.errors import USER_ERRORS
from coalition.ui import state

UI = "coalition/ui"
# No page icons: Streamlit fetches Material icons from a font server, and nothing may phone home.

st.set_page_config(page_title="Coalition Mapper", layout="wide")
pages = {
    "Explore": [
        st.Page(f"{UI}/overview.py", title="Overview", default=True),
        st.Page(f"{UI}/map.py", title="Map"),
        st.Page(f"{UI}/gaps.py", title="Gaps"),
        st.Page(f"{UI}/introductions.py", title="Introductions"),
    ],
    "Edit": [
        st.Page(f"{UI}/organizations.py", title="Organizations"),
        st.Page(f"{UI}/ties.py", title="Ties"),
        st.Page(f"{UI}/import_export.py", title="Import / Export"),
        st.Page(f"{UI}/settings.py", title="Settings"),
    ],
}
page = st.navigation(pages)

try:
    store = state.get_store()
    where = store.describe()
except USER_ERRORS as e:
    st.error(f"Cannot open the map: {e}")
    st.stop()

st.caption(
    f"Map stored in: `{where.replace('`', '')}` · showing what the **{state.audience()}** audience may see (change it in Settings) "
    "· local mode: only this computer can open this page"
)
state.show_flash()
page.run()
