"""The dashboard reads its settings once, at its edge (``streamlit_app.py`` through
``coalition.ui.state.settings``): a bad one is one error line and nothing else, the
session limits and the accounts file come from them, a session keeps the settings it
started with, and nothing in the dashboard or in sign-in reads the environment itself.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coalition.auth import accounts
from coalition.ui import state
from graph.store import Store

from .conftest import ROOT
from .test_access_control import CHEAP, PASSWORD, plain, sign_in
from .test_app_pages import from_this_computer

READS_ENVIRONMENT = re.compile(r"\bos\.environ\b|\bgetenv\b|\bfrom os import [^\n]*\benviron\b")


def open_app(store: Store, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("COALITION_DB", store.url)
    from_this_computer(monkeypatch)
    return AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("COALITION_SESSION_IDLE_MINUTES", "soon", "COALITION_SESSION_IDLE_MINUTES must be a number, not 'soon'"),
        ("COALITION_SESSION_MAX_HOURS", "0", "COALITION_SESSION_MAX_HOURS must be more than 0, not '0'"),
        ("COALITION_MAX_IMPORT_ROWS", "lots", "COALITION_MAX_IMPORT_ROWS must be a whole number, not 'lots'"),
    ],
)
def test_a_bad_setting_is_one_error_line_and_nothing_else(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    monkeypatch.setenv(variable, value)
    app = open_app(demo_store, monkeypatch)
    assert not app.exception, [e.value for e in app.exception]
    assert [plain(e.value) for e in app.error] == [f"Cannot start the dashboard: {said}"]
    assert not app.title and not app.metric and not app.dataframe and not app.get("form")
    assert state.SIGNED_IN_USER not in app.session_state  # not even local mode's owner


def test_session_limits_come_from_the_settings(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "_hasher", lambda: CHEAP)
    monkeypatch.setattr(accounts, "_dummy_hash", functools.cache(lambda: CHEAP.hash("dummy")))
    path = tmp_path / "team-accounts.db"
    accounts.add_user(path, "vic", "viewer", PASSWORD, "coalition")
    monkeypatch.setenv("COALITION_ACCOUNTS", str(path))
    monkeypatch.setenv("COALITION_SESSION_IDLE_MINUTES", "5")
    app = sign_in(open_app(demo_store, monkeypatch), "vic")
    assert app.session_state[state.SIGNED_IN_USER].name == "vic"  # the accounts file the settings name
    assert "a sign-in ends after 5 minutes without a click or 8 hours in all" in app.caption[0].value
    moment = datetime.now(UTC) - timedelta(minutes=6)
    app.session_state[state.LAST_ACTIVITY] = app.session_state[state.SESSION_GUARD].last_activity = moment
    app.run()
    assert [t.value for t in app.title] == ["Sign in"]
    assert any("nothing happened for 5 minutes" in i.value for i in app.info), [i.value for i in app.info]


def test_a_session_keeps_the_settings_it_started_with(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COALITION_ACCOUNTS", str(tmp_path / "no-accounts.db"))
    app = open_app(demo_store, monkeypatch)
    assert "map.db" in app.caption[0].value
    monkeypatch.setenv("COALITION_DB", f"sqlite:///{tmp_path / 'other.db'}")
    app.run()
    assert "map.db" in app.caption[0].value and "other.db" not in app.caption[0].value
    fresh = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    assert "other.db" in fresh.caption[0].value  # a new session reads the settings afresh


def test_nothing_in_the_dashboard_or_sign_in_reads_the_environment() -> None:
    files = [ROOT / "streamlit_app.py", *(ROOT / "coalition" / "ui").rglob("*.py")]
    files += (ROOT / "coalition" / "auth").rglob("*.py")
    readers = [f.relative_to(ROOT) for f in files if READS_ENVIRONMENT.search(f.read_text())]
    assert not readers
