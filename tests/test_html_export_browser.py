"""The exported HTML map, opened from disk in real headless Chromium: the canvas is drawn,
the audience banner is shown, hostile names run nothing, and the page makes no request
at all (file:// is the only scheme it may use).

Without Chromium the tests fail in CI (CI=true) and are skipped loudly elsewhere
(``scripts/setup-chromium.sh`` installs it), as in ``test_browser.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coalition.formats import html_format
from coalition.maps.transfer import export_map
from graph.store import Store

from .conftest import ARTIFACTS
from .test_hostile_names import hostile_view

pytestmark = pytest.mark.browser

DRAWN_PIXELS = """() => {
  const canvas = document.querySelector('#map canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200)) drawn++;
  }
  return drawn;
}"""


@pytest.fixture
def opened(browser) -> Iterator:
    """A fresh page that records every request other than the file itself, and dialogs."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    page.requests, page.dialogs = [], []
    context.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:", "blob:", "about:")) else page.requests.append(r.url),
    )
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def open_map(page, path: Path) -> None:
    page.goto(path.resolve().as_uri())
    page.wait_for_function("() => document.body.dataset.drawn && window.coalitionMap", timeout=60_000)
    page.wait_for_timeout(300)


def test_the_exported_map_draws_offline_for_its_audience(opened, demo_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "coalition-map.html"
    export_map(demo_store, path, audience="coalition")
    open_map(opened, path)
    ids = opened.evaluate("() => window.coalitionMap.nodes.getIds()")
    assert len(ids) == 44 and "kitchen_table_mutual_aid" not in ids
    assert opened.evaluate(DRAWN_PIXELS) > 2000  # nodes and ties are on the canvas
    banner = opened.locator("header").inner_text()
    assert "Coalition only \u2014 do not forward" in banner and "withheld (counts only): 2 organizations" in banner
    ARTIFACTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / "export-map-coalition.png"), full_page=True)
    assert opened.requests == [] and opened.dialogs == []


def test_hostile_names_in_the_exported_map_run_nothing(opened, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(html_format.page(hostile_view()), encoding="utf-8")
    open_map(opened, path)
    assert opened.evaluate("() => window.coalitionMap.nodes.length") == 14
    assert opened.evaluate(DRAWN_PIXELS) > 500
    opened.locator("details summary").first.click()
    assert "<script>alert('owned')</script>" in opened.locator("table").first.inner_text()
    assert opened.evaluate("() => document.querySelectorAll('img, iframe, object, a[href]').length") == 0
    assert opened.requests == [] and opened.dialogs == []
