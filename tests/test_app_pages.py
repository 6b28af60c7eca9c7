"""Every dashboard page, driven by Streamlit's AppTest (no browser, no JavaScript).

Each page renders on the demo coalition and on an empty map; forms write through the
same use cases as the CLI; errors are shown, not raised; the map's iframe holds a
self-contained, escaped page with nothing the chosen audience may not see.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coalition.analysis import gaps
from coalition.domain.models import Organization, Tie
from coalition.introductions import recommend
from coalition.maps import services
from coalition.ui import ahead, login, state
from graph.sqlite.store import SQLiteStore
from graph.store import Store

from .conftest import ROOT

PAGES = {
    "coalition/ui/pages/overview.py": "Overview",
    "coalition/ui/pages/map.py": "Map",
    "coalition/ui/pages/gaps.py": "Gaps",
    "coalition/ui/pages/introductions.py": "Introductions",
    "coalition/ui/pages/organizations.py": "Organizations",
    "coalition/ui/pages/ties.py": "Ties",
    "coalition/ui/pages/import_export.py": "Import / Export",
    "coalition/ui/pages/settings.py": "Settings",
}
HOSTILE = "<img src=x onerror=alert(1)>"
PRIVATE_ORG = "Kitchen Table Mutual Aid"  # visibility private in the demo
CDN_HOSTS = ("cdn.jsdelivr", "cdnjs", "unpkg.com", "bootstrapcdn", "googleapis", "code.jquery", "visjs.org")


def from_this_computer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand in for a browser on this computer: AppTest sends no request headers, and
    local mode refuses a request it cannot tell comes from here."""
    monkeypatch.setattr(login, "request_headers", lambda: {"Host": "localhost:8501"})


def open_app(url: str, monkeypatch: pytest.MonkeyPatch, page: str | None = None) -> AppTest:
    monkeypatch.setenv("COALITION_DB", url)
    from_this_computer(monkeypatch)
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    if page:
        app.switch_page(page).run()
    return app


def map_srcdoc(app: AppTest) -> str:
    frames = app.get("iframe")
    assert len(frames) == 1
    return frames[0].proto.srcdoc


def everything_shown(app: AppTest) -> str:
    """All text the page sends: markdown, captions, tables, the map's page."""
    parts = [e.value for kind in ("markdown", "caption", "title", "subheader") for e in getattr(app, kind)]
    parts += [frame.to_csv() for frame in (d.value for d in app.dataframe)]
    parts += [f.proto.srcdoc for f in app.get("iframe")]
    return "\n".join(str(p) for p in parts)


def table(app: AppTest, *columns: str):
    """The first table on the page with these columns (AppTest does not expose table keys)."""
    for element in app.dataframe:
        if set(columns) <= set(element.value.columns):
            return element.value
    raise AssertionError(f"no table with columns {columns}")


def pick_first_introduction(app: AppTest) -> tuple[str, str]:
    """Pick the first listed introduction (nothing is picked until someone does)."""
    picker = app.selectbox(key="intro_pick")
    picker.select_index(0).run()
    return tuple(app.selectbox(key="intro_pick").value.split("|"))


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_on_the_demo(demo_store: Store, page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, page)
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == PAGES[page]
    assert not app.error, [e.value for e in app.error]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_on_an_empty_map(empty_url: str, page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(empty_url, monkeypatch, page)
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == PAGES[page]


def test_every_page_shows_the_store_and_local_mode(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch)
    banner = app.caption[0].value
    assert "map.db" in banner and "local mode: only this computer can open this page" in banner
    assert "coalition" in banner  # the default audience


def test_overview_counts_what_the_coalition_audience_may_see(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch)
    visible = len(services.list_organizations(demo_store, "coalition"))
    assert app.metric[0].label == "Organizations" and app.metric[0].value == str(visible)
    assert visible < len(services.list_organizations(demo_store, "private"))


def test_switching_the_audience_in_settings_changes_every_page(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/settings.py")
    app.radio(key="settings_audience").set_value("private").run()
    app.switch_page("coalition/ui/pages/overview.py").run()
    assert app.metric[0].value == str(len(services.list_organizations(demo_store, "private")))
    assert "**private**" in app.caption[0].value


def test_hidden_organizations_never_reach_the_page(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch)
    for page in PAGES:
        app.switch_page(page).run()
        assert PRIVATE_ORG not in everything_shown(app), page
        assert "kitchen_table_mutual_aid" not in everything_shown(app), page


def test_adding_an_organization_through_the_form_stores_it(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/organizations.py")
    app.text_input(key="org_add_name").input("Harbor Renters Network")
    app.multiselect(key="org_add_movements").set_value(["housing"])
    app.checkbox(key="org_add_community_led").check()
    app.text_input(key="org_add_region").input("harbor")
    app.text_input(key="org_add_languages").input("English; Tagalog")
    app.button(key="org_add_submit").click().run()
    assert not app.exception
    stored = demo_store.get_organization("harbor_renters_network")
    assert stored is not None
    assert stored["movements"] == ["housing"] and stored["community_led"] is True
    assert stored["languages"] == ["English", "Tagalog"] and stored["region"] == "harbor"
    assert any("Added Harbor Renters Network" in s.value for s in app.success)
    assert "Harbor Renters Network" in set(app.dataframe[0].value["name"])  # the table shows it at once
    assert app.text_input(key="org_add_name").value == ""  # the form starts empty again


def test_a_validation_error_is_shown_not_raised(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    before = demo_store.counts()["organizations"]
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/organizations.py")
    app.text_input(key="org_add_name").input("No Movement Group")
    app.button(key="org_add_submit").click().run()
    assert not app.exception
    assert any("movements" in e.value for e in app.error), [e.value for e in app.error]
    assert demo_store.counts()["organizations"] == before
    assert app.text_input(key="org_add_name").value == "No Movement Group"  # nothing typed is lost


def test_a_duplicate_organization_is_refused_with_a_message(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/organizations.py")
    app.text_input(key="org_add_name").input("Riverside Tenants Union")
    app.multiselect(key="org_add_movements").set_value(["housing"])
    app.button(key="org_add_submit").click().run()
    assert not app.exception
    assert any("already exists" in e.value for e in app.error)


def test_editing_keeps_a_contact_the_audience_may_not_see(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    org_id = "riverside_tenants_union"
    contact = demo_store.get_organization(org_id)["contact"]
    assert contact  # private contact, hidden from the coalition audience
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/organizations.py")
    app.selectbox(key="org_edit_pick").set_value(org_id).run()
    app.text_input(key=f"org_edit_region:{org_id}").input("riverside north")
    app.button(key="org_edit_submit").click().run()
    assert not app.exception
    stored = demo_store.get_organization(org_id)
    assert stored["region"] == "riverside north" and stored["contact"] == contact and stored["version"] == 2


def test_removing_an_organization_needs_a_confirmation(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/organizations.py")
    app.selectbox(key="org_remove_pick").set_value("night_shift_collective").run()
    assert app.button(key="org_remove_button").disabled
    app.checkbox(key="org_remove_confirm").check().run()
    app.button(key="org_remove_button").click().run()
    assert not app.exception
    assert demo_store.get_organization("night_shift_collective") is None


def test_a_profile_shows_ties_needs_and_offers(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/organizations.py")
    app.selectbox(key="org_profile").set_value("riverside_tenants_union").run()
    assert not app.exception
    details = app.table[0].value.set_index("field")  # a table, not a grid: long notes wrap
    assert "Meeting space" in details.loc["offers", "value"]  # by label, as people write it
    assert len(table(app, "with", "kind", "strength")) >= 1


def test_adding_and_removing_a_tie_between_organizations_picked_by_name(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/ties.py")
    app.selectbox(key="tie_add_source").set_value("night_shift_collective")
    app.selectbox(key="tie_add_target").set_value("riverside_tenants_union")
    app.selectbox(key="tie_add_kind").set_value("referral")
    app.slider(key="tie_add_strength").set_value(2)
    app.button(key="tie_add_submit").click().run()
    assert not app.exception
    ties = services.list_ties(demo_store, "private", org="night_shift_collective")
    assert [(t["target"], t["kind"], t["strength"]) for t in ties] == [("riverside_tenants_union", "referral", 2)]
    app.selectbox(key="tie_remove_pick").set_value("night_shift_collective|riverside_tenants_union|referral").run()
    app.button(key="tie_remove_button").click().run()
    assert not app.exception
    assert services.list_ties(demo_store, "private", org="night_shift_collective") == []


def test_a_tie_to_itself_is_an_error_shown_on_the_page(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/ties.py")
    app.selectbox(key="tie_add_source").set_value("night_shift_collective")
    app.selectbox(key="tie_add_target").set_value("night_shift_collective")
    app.button(key="tie_add_submit").click().run()
    assert not app.exception
    assert any("two different organizations" in e.value for e in app.error)


def test_the_map_is_self_contained_and_escapes_names(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    services.add_organization(demo_store, {"id": "hostile", "name": HOSTILE, "movements": ["housing"]})
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/map.py")
    assert not app.exception
    html = map_srcdoc(app)
    assert HOSTILE not in html and "<img src=x" not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html  # there, as JSON-escaped text
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", html, re.I) and "@import" not in html
    assert not any(host in html for host in CDN_HOSTS)
    assert "innerHTML" not in html.split("<script>")[-1]  # our own script never parses HTML
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "new vis.Network" in html and '"physics": {"enabled": false}' in html
    assert HOSTILE in set(table(app, "shape", "community-led")["organization"])  # the table alternative


def test_map_filters_and_focus_narrow_the_map(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/map.py")
    everyone = len(table(app, "shape", "community-led"))
    app.multiselect(key="map_movements").set_value(["disability"]).run()
    disability = table(app, "shape", "community-led")
    assert 0 < len(disability) < everyone and all("Disability" in m for m in disability["movements"])
    app.multiselect(key="map_movements").set_value([]).run()
    app.selectbox(key="map_focus").set_value("night_shift_collective").run()
    focused = table(app, "shape", "community-led")
    assert list(focused["organization"]) == ["Night Shift Collective"]  # no ties: only itself
    app.selectbox(key="map_focus").set_value("riverside_tenants_union").run()
    one_step = len(table(app, "shape", "community-led"))
    app.number_input(key="map_steps").set_value(2).run()
    assert len(table(app, "shape", "community-led")) > one_step > 1
    assert not app.exception


def test_the_map_groups_a_large_map_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SQLiteStore(tmp_path / "big.db")
    services.init_map(store)
    movements = ["housing", "migrant", "disability", "queer_trans", "sex_work"]
    store.write_map(
        organizations=[
            Organization(
                id=f"org{i}", name=f"Group {i}", movements=[movements[i % 5]], community_led=i % 3 == 0
            ).to_record()
            for i in range(1600)
        ],
        ties=[Tie(source=f"org{i}", target=f"org{(i * 7 + 1) % 1600}").to_record() for i in range(1600)],
    )
    app = open_app(store.url, monkeypatch, "coalition/ui/pages/map.py")
    assert not app.exception
    assert any("grouped by movement" in w.value for w in app.warning)
    assert len(table(app, "shape", "community-led")) <= 10
    app.multiselect(key="map_movements").set_value(["housing"]).run()
    assert not app.warning and len(table(app, "shape", "community-led")) == 320


def test_import_export_offers_every_export_format_for_an_audience(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/import_export.py")
    assert set(app.selectbox(key="export_format").options) >= {"csv", "json"}
    app.selectbox(key="export_audience").set_value("public").run()
    assert not app.exception
    assert any("For the public audience" in c.value for c in app.caption)


def test_gaps_page_explains_the_demo_gaps(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/gaps.py")
    assert not app.exception
    assert len(table(app, "movements", "gap")) >= 1
    assert len(table(app, "organization", "betweenness")) >= 1


def test_introductions_page_lists_suggestions_with_reasons(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/introductions.py")
    assert not app.exception
    suggestions = table(app, "introduce", "why")
    assert len(suggestions) >= 1 and all(suggestions["why"])


def test_pages_share_one_analysis_per_store_version(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dashboard's cache (``coalition.ui.state``) is the only one: every page asking
    for the gaps or the introductions of one map version gets one computation."""
    ahead.wait()  # a big map's background analyses from an earlier test must not count here
    analysed, ranked = [], []
    analyse, rank = gaps.analyse_gaps, recommend.recommend
    monkeypatch.setattr(gaps, "analyse_gaps", lambda view, **kw: analysed.append(1) or analyse(view, **kw))
    monkeypatch.setattr(recommend, "recommend", lambda *a, **kw: ranked.append(1) or rank(*a, **kw))
    app = open_app(demo_store.url, monkeypatch)
    for page in ("gaps.py", "map.py", "introductions.py", "overview.py"):
        app.switch_page(f"coalition/ui/pages/{page}").run()
        assert not app.exception, (page, [e.value for e in app.exception])
    assert (len(analysed), len(ranked)) == (1, 1)
    services.add_organization(demo_store, {"name": "Harbor Renters Network", "movements": ["housing"]})
    app.run()
    assert (len(analysed), len(ranked)) == (2, 2)


def test_page_links_point_at_registered_pages(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/map.py")
    app.selectbox(key="map_focus").set_value("riverside_tenants_union").run()
    assert not app.exception
    app.switch_page("coalition/ui/pages/organizations.py").run()
    assert app.selectbox(key="org_profile").value == "riverside_tenants_union"  # the focus carries over


def test_the_profile_opens_on_an_organization_just_added(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/organizations.py")
    app.selectbox(key="org_profile").set_value("riverside_tenants_union").run()
    app.text_input(key="org_add_name").input("Harbor Renters Network")
    app.multiselect(key="org_add_movements").set_value(["housing"])
    app.button(key="org_add_submit").click().run()
    assert app.selectbox(key="org_profile").value == "harbor_renters_network"


def test_planning_an_introduction_from_the_page_is_stored(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/introductions.py")
    a, b = pick_first_introduction(app)
    app.text_input(key=f"intro_note:{a}|{b}").input("call in March")
    app.button(key="intro_plan").click().run()
    assert not app.exception, [e.value for e in app.exception]
    stored = {(i["a"], i["b"]): i for i in demo_store.snapshot()["introductions"]}
    assert stored[(a, b)]["status"] == "planned"


def test_an_introduction_asked_agreed_then_made_records_the_tie(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/introductions.py")
    a, b = pick_first_introduction(app)
    app.button(key="intro_made").click().run()  # not agreed yet: refused, in one sentence
    assert not app.exception and "have not both agreed to meet" in app.error[0].value
    app.button(key="intro_ask").click().run()
    app.selectbox(key="intro_status").select("asking").run()
    assert pick_first_introduction(app) == (a, b)
    for side in (a, b):
        app.selectbox(key=f"intro_answer:{side}").select("yes").run()
    app.button(key="intro_answer_save").click().run()
    assert not app.exception, [e.value for e in app.exception]
    app.selectbox(key="intro_status").select("agreed").run()
    assert pick_first_introduction(app) == (a, b)
    app.button(key="intro_made").click().run()
    assert not app.exception, [e.value for e in app.exception]
    ties = services.list_ties(demo_store, "private", org=a)
    assert any(b in (t["source"], t["target"]) for t in ties)


def test_an_admin_marks_made_without_both_yeses_with_a_reason(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/introductions.py")
    a, b = pick_first_introduction(app)  # the person at this computer is an admin
    app.text_input(key="intro_override").input("they met at the spring assembly").run()
    app.button(key="intro_made").click().run()
    assert not app.exception and not app.error
    assert demo_store.audit(kind="introduction", key=f"consent|{min(a, b)}|{max(a, b)}|(override)")


def test_a_declined_introduction_is_not_suggested_again(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/introductions.py")
    a, b = pick_first_introduction(app)
    pair = {demo_store.get_organization(a)["name"], demo_store.get_organization(b)["name"]}

    def shown() -> list[set[str]]:
        return [{row["introduce"], row["to"]} for _, row in table(app, "introduce", "to").iterrows()]

    assert pair in shown()
    app.button(key="intro_decline").click().run()
    assert not app.exception
    assert pair not in shown()
    app.selectbox(key="intro_status").set_value("declined").run()
    assert shown() == [pair]


def test_the_audit_trail_page_shows_who_changed_what(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    services.edit_organization(demo_store, "night_shift_collective", {"region": "riverside"}, actor="cli:tester")
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/audit.py")
    assert not app.exception
    assert PRIVATE_ORG not in everything_shown(app)  # the default coalition audience sees no entry
    app.switch_page("coalition/ui/pages/settings.py").run()
    app.radio(key="settings_audience").set_value("private").run()
    app.switch_page("coalition/ui/pages/audit.py").run()
    assert not app.exception
    entries = table(app, "when", "who", "what")
    assert entries.iloc[0]["who"] == "cli:tester"
    assert "night_shift_collective" in entries.iloc[0]["what"] and "riverside" in entries.iloc[0]["what"]


@pytest.mark.parametrize(
    ("page", "columns", "noun", "total"),
    [
        ("coalition/ui/pages/ties.py", ("from", "to"), "ties", 77),
        ("coalition/ui/pages/organizations.py", ("name", "kind"), "organizations", 44),
    ],
)
def test_a_long_list_sends_only_its_first_rows_and_says_so(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch, page: str, columns: tuple[str, ...], noun: str, total: int
) -> None:
    """On a big map a list page's table holds the first ``state.TABLE_ROWS`` rows (here
    made 5, so the demo counts as big) and its caption says how to see the rest."""
    monkeypatch.setattr(state, "TABLE_ROWS", 5)
    app = open_app(demo_store.url, monkeypatch, page)
    assert len(table(app, *columns)) == 5
    caption = " ".join(c.value for c in app.caption)
    assert f"{total} {noun} the coalition audience may see; the table holds the first 5: search to narrow it" in caption
