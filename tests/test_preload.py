"""The browser loads the widgets' scripts with the first page, not when a page first shows
those widgets: the dashboard's page names them in ``Link: rel=modulepreload`` headers
(``coalition.ui.chunks``), and after the first page the Map page's filters and frame
load no script over the network."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest
import streamlit

from coalition.ui import chunks

from .conftest import open_page, wait_for_page

STATIC = Path(streamlit.__file__).resolve().parent / "static"


def test_the_chunks_are_the_widgets_and_what_they_import_less_the_page_itself() -> None:
    names = chunks.chunk_names()
    entries = {name.split(".", 1)[0] for name in names}
    assert set(chunks.WIDGETS) <= entries, set(chunks.WIDGETS) - entries
    assert all((STATIC / "static" / "js" / name).is_file() for name in names)
    up_front = set(re.findall(r'"\./static/js/([\w.-]+\.js)"', (STATIC / "index.html").read_text(encoding="utf-8")))
    assert up_front and not up_front & set(names)
    imported = set(
        chunks.IMPORT.findall(
            (STATIC / "static" / "js" / next(n for n in names if n.startswith("Multiselect."))).read_text()
        )
    )
    assert imported - up_front <= set(names) and imported - up_front


@pytest.mark.browser
def test_the_page_names_the_chunks_and_the_map_then_loads_none(page, app_url: str) -> None:
    with urllib.request.urlopen(f"{app_url}/") as answer:
        links = answer.headers.get_all("link") or []
    assert len(links) == len(chunks.chunk_names()) and all(link.endswith("; rel=modulepreload") for link in links)
    with urllib.request.urlopen(f"{app_url}/_stcore/health") as answer:
        assert not answer.headers.get_all("link")

    open_page(page, app_url, "", "Overview")
    loaded = "performance.getEntriesByType('resource').filter(e => e.responseEnd > 0).map(e => e.name)"
    names = [f"/static/js/{name}" for name in chunks.chunk_names()]
    page.wait_for_function(
        f"names => {{ const seen = {loaded}; return names.every(n => seen.some(s => s.endsWith(n))); }}",
        arg=names,
        timeout=60_000,
    )
    page.evaluate("performance.clearResourceTimings()")
    page.locator(".st-key-sidebar_pages").get_by_role("link", name="Map", exact=True).click()
    wait_for_page(page, "Map")
    page.frame_locator("iframe[title^='Network map']").first.locator("body[data-drawn]").wait_for(state="attached")
    fetched = page.evaluate(
        "performance.getEntriesByType('resource').filter(e => e.name.includes('/static/js/') && e.transferSize > 0)"
        ".map(e => e.name)"
    )
    assert fetched == []  # without the headers: the 36 scripts of the Map's filters and frame
