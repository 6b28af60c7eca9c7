"""Every page shares one cached view of the map (``state.view`` is an ``st.cache_resource``,
not a copy per page), so no page may change it: after every page has run, with a focus,
filters, the tables' other tabs and the exports, the cached view is still what the store
holds, and so are the names handed out with it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coalition.domain.privacy import read_view
from coalition.ui import state
from coalition.ui.pages import EXPLORE, WORK
from coalition.ui.state import Keys
from graph.store import Store

from .test_app_pages import open_app


def test_no_page_changes_the_shared_view(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch, downloads: list[Callable[[], bytes]]
) -> None:
    app = open_app(demo_store.url, monkeypatch)
    for stem, _ in (*EXPLORE, *WORK):
        app.switch_page(f"coalition/ui/pages/{stem}.py").run()
        assert not app.exception, (stem, [e.value for e in app.exception])
    app.switch_page("coalition/ui/pages/map.py").run()
    app.selectbox(key=Keys.MAP_FOCUS).set_value("riverside_tenants_union")
    app.multiselect(key=Keys.MAP_MOVEMENTS).set_value(["housing", "disability"])
    app.session_state[Keys.MAP_SHARE] = True
    app.run()
    for tab, column in (("Ties on the map", "from"), ("Legend", "meaning")):
        app.session_state[Keys.MAP_TABLE_TABS] = tab
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        assert len(app.dataframe) == 1 and column in app.dataframe[0].value, f"{tab}: only its own table is drawn"
    app.switch_page("coalition/ui/pages/organizations.py").run()
    for made in downloads:
        made()
    assert downloads, "the map's exports were not offered"
    shared = state._seen(demo_store, state._key(demo_store), "coalition")  # what every page was handed
    fresh = read_view(demo_store, "coalition")
    assert shared.view == fresh
    assert shared.names == state.org_names(fresh) and shared.movements == state.movement_names(fresh)
