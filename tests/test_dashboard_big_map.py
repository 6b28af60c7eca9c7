"""The dashboard on a map big enough that the analyses are worked out in the background
(``coalition.ui.ahead``): the first page shows the numbers at once and the analyses when
they are done, every page opens in the same session, and nothing hidden from the
audience reaches a page, the background work included.

Not a timed test: ``bench/bench_dashboard.py`` measures the speed. The map (2,000
organizations from ``bench/shapes.py``) is built once for the module.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from coalition.domain.privacy import read_view
from coalition.maps import services
from coalition.maps.transfer import import_map
from coalition.ui import ahead, state
from graph.sqlite.store import SQLiteStore

from .conftest import ROOT
from .test_app_pages import PAGES, everything_shown, from_this_computer

sys.path.insert(0, str(ROOT / "bench"))
from shapes import Shape, write_shape  # noqa: E402

ORGANIZATIONS = 2_000
WAITING = "Working out the gaps and introductions"


@pytest.fixture(scope="module")
def big_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("big")
    write_shape(folder / "map", Shape(ORGANIZATIONS, 4.0, "issue"))
    store = SQLiteStore(folder / "big.db")
    services.init_map(store)
    import_map(store, folder / "map")
    store.close()
    yield f"sqlite:///{folder / 'big.db'}"
    ahead.wait()  # no work left running into other tests


@pytest.fixture(scope="module")
def coalition_view(big_url: str) -> dict:
    """The big map as the coalition audience sees it."""
    store = SQLiteStore(big_url.removeprefix("sqlite:///"))
    try:
        return read_view(store, "coalition")
    finally:
        store.close()


@pytest.fixture(scope="module")
def coalition_org(coalition_view: dict) -> dict:
    """An organization the coalition audience may see."""
    return next(o for o in coalition_view["organizations"] if o["visibility"] == "coalition")


@pytest.fixture
def app(big_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("COALITION_DB", big_url)
    from_this_computer(monkeypatch)
    yield AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    ahead.wait()


def test_the_map_is_big_enough_to_be_analysed_ahead(big_url: str) -> None:
    assert ahead.big(ORGANIZATIONS) and not ahead.big(ahead.ANALYSE_AHEAD_ABOVE)


def test_the_first_page_shows_the_numbers_then_the_analyses(big_url: str, app: AppTest) -> None:
    store = SQLiteStore(big_url.removeprefix("sqlite:///"))
    visible = len(read_view(store, "coalition")["organizations"])
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Overview"
    assert app.metric[0].label == "Organizations" and app.metric[0].value == str(visible)
    if not ahead.ready(store, "coalition"):  # another test of this module may have done the work
        assert any(WAITING in i.value for i in app.info)
    ahead.wait()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not any(WAITING in i.value for i in app.info)
    assert "Top introductions" in [s.value for s in app.subheader]
    assert app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")  # the movement matrix
    store.close()


def test_every_page_opens_in_the_same_session(app: AppTest) -> None:
    app.run()
    for page, title in PAGES.items():
        app.switch_page(page).run()
        assert not app.exception, (title, [e.value for e in app.exception])
        assert not app.error, (title, [e.value for e in app.error])
        assert app.title[0].value == title
    ahead.wait()
    app.switch_page("coalition/ui/pages/overview.py").run()
    assert "Top introductions" in [s.value for s in app.subheader]


def test_nothing_private_reaches_a_page_nor_the_analyses(big_url: str, app: AppTest) -> None:
    store = SQLiteStore(big_url.removeprefix("sqlite:///"))
    everyone = store.snapshot()["organizations"]
    store.close()
    names = Counter(o["name"] for o in everyone)
    private = [o for o in everyone if o["visibility"] == "private"]
    assert private
    app.run()
    ahead.wait()  # the overview then shows the gaps and introductions worked out in the background
    for page in PAGES:
        app.switch_page(page).run()
        shown = everything_shown(app)
        for org in private:
            assert org["id"] not in shown, (page, org["id"])
            if names[org["name"]] == 1:  # a name shared with a visible organization may be shown for it
                assert org["name"] not in shown, (page, org["name"])


def test_on_a_big_map_a_tie_is_picked_after_a_search(coalition_view: dict, coalition_org: dict, app: AppTest) -> None:
    view, org = coalition_view, coalition_org
    its_ties = [t for t in view["ties"] if org["id"] in (t["source"], t["target"])]
    assert its_ties and len(view["ties"]) > state.PICK_UP_TO
    app.run()
    app.switch_page("coalition/ui/pages/ties.py").run()
    assert app.selectbox(key="tie_remove_pick").options == []  # thousands of ties: not sent whole
    app.text_input(key="tie_search").input(org["name"]).run()
    assert not app.exception, [e.value for e in app.exception]
    options = app.selectbox(key="tie_remove_pick").options
    assert 0 < len(options) <= state.PICK_UP_TO and len(options) >= len(its_ties)


def test_on_a_big_map_the_ends_of_a_new_tie_are_picked_after_a_search(
    coalition_view: dict, coalition_org: dict, app: AppTest
) -> None:
    """The add form's two pickers list what the page's search finds (they sent 10,000 names
    each, which made the Ties page take seconds in the browser); editing a tie sends its
    two ends only."""
    org = coalition_org
    app.run()
    app.switch_page("coalition/ui/pages/ties.py").run()
    for end in ("source", "target"):
        picker = app.selectbox(key=f"tie_add_{end}")
        assert picker.options == [] and "Search above" in picker.placeholder, end
    app.text_input(key="tie_search").input(org["name"]).run()
    for end in ("source", "target"):
        assert org["name"] in app.selectbox(key=f"tie_add_{end}").options, end
    tie = next(t for t in coalition_view["ties"] if org["id"] in (t["source"], t["target"]))
    app.selectbox(key="tie_edit_pick").set_value(f"{tie['source']}|{tie['target']}|{tie['kind']}").run()
    edit_pickers = [box for box in app.selectbox if str(box.key).startswith("tie_edit_source")]
    assert edit_pickers and len(edit_pickers[0].options) == 2
    assert not app.exception, [e.value for e in app.exception]


def test_on_a_big_map_an_organization_is_picked_after_a_search(coalition_org: dict, app: AppTest) -> None:
    org = coalition_org
    app.run()
    app.switch_page("coalition/ui/pages/organizations.py").run()
    for picker in ("org_profile", "org_edit_pick", "org_remove_pick"):
        assert app.selectbox(key=picker).options == [], picker  # thousands of names: not sent whole
    app.text_input(key="org_search").input(org["name"]).run()
    for picker in ("org_profile", "org_edit_pick", "org_remove_pick"):
        assert org["name"] in app.selectbox(key=picker).options, picker
    app.selectbox(key="org_profile").set_value(org["id"]).run()
    app.text_input(key="org_search").input("").run()  # the pick stays when the search is cleared
    assert app.selectbox(key="org_profile").value == org["id"]
    assert not app.exception, [e.value for e in app.exception]


def test_on_a_big_map_the_focus_is_picked_after_a_search(coalition_org: dict, app: AppTest) -> None:
    org = coalition_org
    app.run()
    app.switch_page("coalition/ui/pages/map.py").run()
    assert app.selectbox(key="map_focus").options == []
    app.text_input(key="map_search").input(org["name"]).run()
    app.selectbox(key="map_focus").set_value(org["id"]).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.selectbox(key="map_focus").value == org["id"]
