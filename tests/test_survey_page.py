"""The Surveys page (issue 16): a coordinator starts a round, follows it and reviews the
answers from the dashboard, within what the account may see (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from coalition.auth import accounts
from coalition.domain.errors import NotFound
from coalition.maps.transfer import load_demo
from coalition.survey import answers, links
from coalition.ui import actions
from graph.sqlite.store import SQLiteStore

from .test_app_pages import everything_shown, open_app

PAGE = "coalition/ui/pages/surveys.py"
ME, OTHER = "cielo_abierto_collective", "eastport_eviction_defense"
PRIVATE_ORG = "Kitchen Table Mutual Aid"


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    store = SQLiteStore(tmp_path / "map.db")
    load_demo(store)
    store.close()
    return f"sqlite:///{tmp_path / 'map.db'}"


def test_a_round_started_followed_and_reviewed_from_the_dashboard(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_url, monkeypatch, PAGE)
    assert not app.exception
    app.text_input(key="surveys_new_round").set_value("spring")
    app.multiselect(key="surveys_orgs").set_value([ME, OTHER])
    app.button(key="FormSubmitter:surveys_start-Make the links").click().run()
    assert not app.exception and not app.error
    messages = [c.value for c in app.code]
    assert len(messages) == 2 and all("?survey=" in m for m in messages)

    token = next(m for m in messages if "Hola" in m).split("survey=")[1].split()[0]  # Cielo Abierto's, in Spanish
    store = SQLiteStore(tmp_path / "map.db")
    form = answers.form_for(store, links.open_link(store, token))
    answers.save_answer(store, token, {"record": form["record"], "partners": [{"org": OTHER, "kind": "mou"}]})

    app.run()
    shown = everything_shown(app)
    assert "new tie with Eastport Eviction Defense Brigade (mou)" in shown.replace("\\", "")
    assert "Not answered yet: Eastport Eviction Defense Brigade" in shown.replace("\\", "")
    app.button(key=f"surveys_accept:{ME}").click().run()
    assert not app.exception
    assert store.get_tie(ME, OTHER, "mou") is not None
    entry = store.audit(kind="tie", key=f"{ME}|{OTHER}|mou")[0]
    assert entry["actor"] == f"survey:spring:{ME}"
    assert store.side_records("answer", "spring")[0]["body"]["reviewed_by"].startswith("dashboard:")
    assert PRIVATE_ORG not in everything_shown(app)
    store.close()


def test_a_spreadsheet_answer_sent_by_email_is_taken_back_within_the_editors_audience(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "map.db")
    load_demo(store)
    editor = accounts.User("eve", "editor", "coalition")
    (made,) = actions.start_survey(editor, store, "spring", [OTHER], None, "https://map.example.org")
    with pytest.raises(NotFound):
        actions.start_survey(editor, store, "spring", ["kitchen_table_mutual_aid"], None, "x")  # private: as if missing
    form = tmp_path / "form.xlsx"
    form.write_bytes(actions.survey_sheet(editor, store, "spring", OTHER))
    workbook = load_workbook(form)  # a second reader: the file a group gets by email
    workbook["Partners"].append([ME, "", "", "", "mou", 4, "2025-01-01", "coalition"])
    workbook.save(form)
    link = actions.survey_sheet_answer(editor, store, made["url"], "form.xlsx", form.read_bytes())
    assert link.org == OTHER
    items, hidden = actions.survey_queue(editor, store, "spring")
    assert hidden == 0 and items[0]["changes"]["ties"][-1]["partner"] == ME
    assert store.audit(kind="survey", key=f"answer|spring|{OTHER}")[0]["actor"] == f"survey:spring:{OTHER}"
    with pytest.raises(NotFound):
        actions.survey_sheet(editor, store, "spring", "kitchen_table_mutual_aid")
    store.close()


def test_the_page_never_shows_a_group_above_the_audience_shown(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SQLiteStore(tmp_path / "map.db")
    links.start_round(store, "all", None)  # an admin surveyed every group, private ones too
    store.close()
    app = open_app(demo_url, monkeypatch, PAGE)  # the person at this computer: an admin, coalition audience shown
    assert not app.exception
    assert PRIVATE_ORG not in everything_shown(app).replace("\\", "")
