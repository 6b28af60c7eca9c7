"""The Introductions and Gaps pages as an organizer reads them (issue 15): after an action
nothing stays picked or typed for another pair (bug 3); a planned introduction keeps the
score it was suggested with (bug 7); the pages count ties in the same words (bug 10);
movements with no tie stand out; the brokers' measures wait behind "Advanced"."""

from __future__ import annotations

import pytest

from coalition.ui.state import Tables
from graph.store import Store

from .test_app_pages import open_app, pick_first_introduction, table

PAGE = "coalition/ui/pages/introductions.py"


def test_after_planning_no_pair_is_picked_and_the_note_is_gone(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, PAGE)
    assert app.selectbox(key="intro_pick").value is None  # nothing is acted on before someone picks
    app.selectbox(key="intro_pick").select_index(2).run()
    a, b = app.selectbox(key="intro_pick").value.split("|")
    app.text_input(key=f"intro_note:{a}|{b}").input("call in March").run()
    app.button(key="intro_plan").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.selectbox(key="intro_pick").value is None
    assert not [t for t in app.text_input if str(t.key).startswith("intro_note")]  # no note field left waiting
    assert not [b for b in app.button if b.key == "intro_plan"]
    stored = {(i["a"], i["b"]): i for i in demo_store.snapshot()["introductions"]}
    assert stored[(a, b)]["note"] == "call in March"


def test_a_note_belongs_to_its_pair(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, PAGE)
    a, b = pick_first_introduction(app)
    app.text_input(key=f"intro_note:{a}|{b}").input("only for the first pair").run()
    app.selectbox(key="intro_pick").select_index(1).run()
    c, d = app.selectbox(key="intro_pick").value.split("|")
    assert app.text_input(key=f"intro_note:{c}|{d}").value == ""


def test_a_planned_introduction_keeps_its_score(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, PAGE)
    suggested = table(app, "introduce", "score")
    a, b = pick_first_introduction(app)
    app.button(key="intro_plan").click().run()
    app.selectbox(key="intro_status").set_value("planned").run()
    planned = table(app, "introduce", "score")
    assert len(planned) == 1
    assert planned["score"].iloc[0] == suggested["score"].iloc[0]
    assert "None" not in planned.to_csv()
    stored = {(i["a"], i["b"]): i for i in demo_store.snapshot()["introductions"]}
    assert stored[(a, b)]["score"] == pytest.approx(float(suggested["score"].iloc[0]), abs=5e-4)


def test_the_overview_and_the_gaps_page_count_ties_in_the_same_words(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bug 10: 77 ties on the Overview and 71 on Gaps, with nothing saying why."""
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/overview.py")
    overview = " ".join(c.value for c in app.caption)
    app.switch_page("coalition/ui/pages/gaps.py").run()
    gaps = " ".join(c.value for c in app.caption)
    words = "77 ties: 71 working now (the ones gaps and introductions count), 1 conflict, 5 ended"
    assert words in overview and words in gaps


def test_movements_that_never_work_together_stand_out_in_the_matrix(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/gaps.py")
    spec = str(app.get("vega_lite_chart")[0].proto.spec)
    assert "#f4a582" in spec  # the no-tie colour, apart from the blue scale
    assert not any("Disability rights" in d.value.columns for d in app.dataframe)  # drawn when opened
    app.session_state[f"{Tables.GAPS_MATRIX}_table_open"] = True  # "The same matrix as a table"
    app.run()
    matrix = next(d.value for d in app.dataframe if "Disability rights" in d.value.columns)
    assert matrix.loc["Disability rights", "Migrant rights"] == "no tie"


def test_broker_measures_are_rounded_behind_advanced(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/gaps.py")
    plain = table(app, "organization", "sits between others")
    assert "betweenness" not in plain.columns
    assert any(e.label == "Advanced measures" for e in app.expander)
    measures = table(app, "organization", "betweenness", "constraint", "effective size")
    for column, digits in (("betweenness", 3), ("constraint", 2), ("effective size", 1)):
        values = measures[column].dropna()
        assert len(values) and all(round(v, digits) == v for v in values)
