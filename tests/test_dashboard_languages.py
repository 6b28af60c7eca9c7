"""The dashboard's language (issue 19), driven by AppTest: the sidebar's picker turns
every page's text, a link's ``?lang=`` opens in that language, Arabic turns the page
right to left, and on a shared server an account's choice is kept for its next session.
Names stay as typed in every language. (Real Chromium: test_browser_languages.py.)"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from coalition.auth import accounts
from coalition.i18n import _, use_language
from coalition.ui import language, state
from coalition.ui.state import Keys
from graph.store import Store

from .conftest import ROOT
from .test_access_control import accounts_path, open_app, sign_in  # noqa: F401 (a fixture)
from .test_app_pages import from_this_computer

NAME = "Riverside Tenants Union"


def local_app(store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path, query: str | None = None) -> AppTest:
    monkeypatch.setenv("COALITION_DB", store.url)
    monkeypatch.setenv("COALITION_ACCOUNTS", str(tmp_path / "no-accounts.db"))
    from_this_computer(monkeypatch)
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    if query:
        app.query_params["lang"] = query
    return app.run()


def titles(app: AppTest) -> list[str]:
    return [t.value for t in app.title]


def test_the_picker_turns_the_pages_and_keeps_names_as_typed(demo_store, monkeypatch, tmp_path) -> None:
    app = local_app(demo_store, monkeypatch, tmp_path)
    assert titles(app) == ["Overview"]
    app.sidebar.selectbox(key=Keys.LANGUAGE_PICK).set_value("es").run()
    assert not app.exception, [e.value for e in app.exception]
    with use_language("es"):
        assert titles(app) == [_("Overview")] != ["Overview"]
        app.switch_page("coalition/ui/pages/organizations.py").run()
        assert titles(app) == [_("Organizations")]
    shown = " ".join(str(e.value) for e in app.dataframe) + " ".join(str(s.options) for s in app.selectbox)
    assert NAME in shown  # data: never translated


def test_a_link_opens_in_its_language_and_arabic_reads_right_to_left(demo_store, monkeypatch, tmp_path) -> None:
    app = local_app(demo_store, monkeypatch, tmp_path, query="ar")
    with use_language("ar"):
        assert titles(app) == [_("Overview")]
    styles = [h.proto.body for h in app.get("html")] if hasattr(app, "get") else []
    assert any("direction: rtl" in s for s in styles), styles
    spanish = local_app(demo_store, monkeypatch, tmp_path, query="es")
    assert not any("direction: rtl" in h.proto.body for h in spanish.get("html"))


def test_an_account_keeps_its_language_for_its_next_session(demo_store, monkeypatch, accounts_path) -> None:  # noqa: F811
    app = sign_in(open_app(demo_store, monkeypatch), "vic")
    assert app.session_state[state.SIGNED_IN_USER].name == "vic" and titles(app) == ["Overview"]
    app.sidebar.selectbox(key=Keys.LANGUAGE_PICK).set_value("fr").run()
    assert accounts.get_user(accounts_path, "vic").language == "fr"
    assert language.CHOSEN in app.session_state
    later = sign_in(open_app(demo_store, monkeypatch), "vic")  # a new session, another day
    with use_language("fr"):
        assert titles(later) == [_("Overview")] != ["Overview"]
    other = sign_in(open_app(demo_store, monkeypatch), "eda")
    assert titles(other) == ["Overview"]  # another account: the server's language


def test_coalition_lang_sets_the_servers_language(demo_store, monkeypatch, tmp_path) -> None:
    """``COALITION_LANG=es make run``: the demo opens in Spanish."""
    monkeypatch.setenv("COALITION_LANG", "es")
    app = local_app(demo_store, monkeypatch, tmp_path)
    with use_language("es"):
        assert titles(app) == [_("Overview")] != ["Overview"]
        assert app.sidebar.selectbox(key=Keys.LANGUAGE_PICK).value == "es"
