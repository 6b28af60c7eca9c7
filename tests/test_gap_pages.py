"""The dashboard links each gap to the introduction that would close it, and the
Introductions page has the boldness control and says when a gap has none."""

from __future__ import annotations

import pytest

from graph.store import Store

from .test_app_pages import open_app, table


def test_the_gaps_page_names_an_introduction_for_each_missing_movement_pair(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/gaps.py")
    assert not app.exception
    pairs = table(app, "movements", "gap", "suggested")
    missing = pairs[pairs["gap"] == "no tie at all"]
    assert len(missing) == 4
    assert all(text.startswith("introduce ") for text in missing["suggested"])


def test_the_introductions_page_labels_the_gaps_and_moves_with_boldness(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(demo_store.url, monkeypatch, "coalition/ui/pages/introductions.py")
    assert not app.exception
    shown = table(app, "introduce", "closes")
    assert sum("closes the gap between" in text and "no tie at all" in text for text in shown["closes"]) == 4
    app.slider(key="intro_boldness").set_value(0.0).run()
    assert not app.exception
    careful = table(app, "introduce", "closes")
    assert sum("no tie at all" in text for text in careful["closes"]) == 4  # the slate keeps its places
    assert list(careful["introduce"]) != list(shown["introduce"])
