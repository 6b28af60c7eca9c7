"""The dashboard renders the map of the configured store (Streamlit AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coalition.transfer import load_demo
from graph.sqlite_store import SQLiteStore

from .conftest import ROOT


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    store = SQLiteStore(tmp_path / "demo.db")
    load_demo(store)
    store.close()
    return f"sqlite:///{tmp_path / 'demo.db'}"


def test_dashboard_shows_store_stats_and_organizations(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COALITION_DB", demo_url)
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    assert not app.exception
    assert "demo.db" in app.caption[0].value
    assert app.metric[0].value == "46"
    table = app.dataframe[1].value
    assert len(table) == 46 and "Night Shift Collective" in set(table["name"])


def test_dashboard_on_an_empty_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COALITION_DB", f"sqlite:///{tmp_path / 'empty.db'}")
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    assert not app.exception
    assert app.metric[0].value == "0"
