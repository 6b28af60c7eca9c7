"""The organization and tie forms as an organizer meets them (Streamlit's AppTest): words
picked from the map's own lists by label, new words shown as they will be stored before
they are, field-level messages in plain words, the broker measures rounded behind
"Advanced measures", and the Ties page opened from the map with both organizations picked.
"""

from __future__ import annotations

import pytest

from graph.store import Store

from .test_app_pages import open_app, table

ORGS = "coalition/ui/pages/organizations.py"


def _fill_new_group(app, name: str) -> None:
    app.text_input(key="org_add_name").input(name)
    app.multiselect(key="org_add_movements").set_value(["migrant"])


def test_a_new_need_is_never_a_known_one_that_starts_alike_and_is_shown_before_it_is_stored(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, ORGS)
    _fill_new_group(app, "Mam Speakers Circle")
    app.text_input(key="org_add_needs").input("interpretation; Mam interpretation")
    app.button(key="org_add_submit").click().run()
    assert not app.exception
    shown = "\n".join(i.value for i in app.info)
    assert "New need: 'Interpretation' (stored as `interpretation`)" in shown
    assert "New need: 'Mam interpretation' (stored as `mam_interpretation`)" in shown
    assert demo_store.get_organization("mam_speakers_circle") is None  # nothing stored yet

    app.button(key="org_add_submit").click().run()  # confirmed
    stored = demo_store.get_organization("mam_speakers_circle")
    assert stored["needs"] == ["interpretation", "mam_interpretation"]  # never interpretation_asl


def test_a_known_need_typed_by_its_label_is_that_need_without_asking(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, ORGS)
    _fill_new_group(app, "Label Typists")
    app.text_input(key="org_add_offers").input("Legal advice")
    app.button(key="org_add_submit").click().run()
    assert not app.info
    assert demo_store.get_organization("label_typists")["offers"] == ["legal_advice"]


def test_pick_lists_show_labels_and_list_a_region_once_whatever_its_capitals(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, ORGS)
    _fill_new_group(app, "Capital Letters Collective")
    app.text_input(key="org_add_region").input("EASTPORT")
    app.button(key="org_add_submit").click().run()
    assert demo_store.get_organization("capital_letters_collective")["region"] == "eastport"

    app = open_app(demo_store.url, monkeypatch, ORGS)
    regions = app.selectbox(key="org_add_region_pick")
    assert [o.casefold() for o in regions.options].count("eastport") == 1
    assert "Eastport" in regions.options  # shown by label
    assert "Legal advice" in app.multiselect(key="org_add_offers_pick").options


@pytest.mark.parametrize(
    ("name", "expected"),
    [("", "Name: give the organization a name."), ("!!!", "Name: use at least one letter or digit")],
)
def test_an_empty_or_symbol_name_is_one_plain_message_by_the_field(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch, name: str, expected: str
) -> None:
    app = open_app(demo_store.url, monkeypatch, ORGS)
    app.text_input(key="org_add_name").input(name)
    app.button(key="org_add_submit").click().run()
    assert not app.exception
    errors = "\n".join(e.value for e in app.error).replace("\\", "")  # markdown escapes aside
    assert expected in errors
    assert "Movements: pick one or more movements." in errors
    for validator_words in ("field id", "after validation", "is not an id", "Value error"):
        assert validator_words not in errors


def test_the_profile_keeps_broker_measures_rounded_behind_advanced(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, ORGS)
    app.selectbox(key="org_profile").set_value("riverside_tenants_union").run()
    assert not app.exception
    assert set(table(app, "measure", "value")["measure"]) == {"ties", "summed strength"}
    advanced = next(e for e in app.expander if e.label.startswith("Advanced measures"))
    rows = advanced.table[0].value.set_index("measure")
    assert {"betweenness", "constraint", "effective size"} <= set(rows.index)
    assert len(rows.loc["betweenness", "value"].split(".")[1]) == 3  # not 6 decimals
    assert "shortest paths" in rows.loc["betweenness", "what it means"]


def test_the_ties_page_opened_from_the_map_has_both_organizations_picked(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/ties.py")
    app.query_params["add_source"] = "night_shift_collective"
    app.query_params["add_target"] = "riverside_tenants_union"
    app.run()
    assert app.selectbox(key="tie_add_source").value == "night_shift_collective"
    assert app.selectbox(key="tie_add_target").value == "riverside_tenants_union"
    assert any("From the map" in c.value for c in app.caption)


def test_a_link_naming_a_group_the_audience_may_not_see_picks_nothing(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/ties.py")
    app.query_params["add_source"] = "kitchen_table_mutual_aid"  # private in the demo
    app.query_params["add_target"] = "riverside_tenants_union"
    app.run()
    assert app.selectbox(key="tie_add_source").value is None
    assert not any("From the map" in c.value for c in app.caption)
