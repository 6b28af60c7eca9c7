"""The dashboard in real Chromium in Spanish and in Arabic (issue 19): the main pages
render with no English left in the interface text, and Arabic turns the page right to
left. Data (names, notes, regions) stays as typed and is taken out before the check.

The language comes from the link (``?lang=es``), as a coordinator would send it; one
test switches with the sidebar's picker. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re

import pytest

from coalition.i18n import _, use_language
from graph.sqlite.store import SQLiteStore

from .conftest import ARTIFACTS, NODE_ON_SCREEN, wait_for_page

pytestmark = pytest.mark.browser

MAIN_PAGES = [
    ("", "Overview"),
    ("map", "Map"),
    ("organizations", "Organizations"),
    ("ties", "Ties"),
    ("gaps", "Gaps"),
    ("introductions", "Introductions"),
    ("import_export", "Import / Export"),
    ("settings", "Settings"),
]
#: Words only English uses (none is a Spanish or an Arabic word): one of them in the
#: interface text means a message nobody translated.
ENGLISH = frozenset(
    "the and with this that these your which from have has are will who what when where "
    "organization organizations ties tie movements movement introductions introduction gaps "
    "map add show export import settings overview search download edit save none not yet "
    "there their they them been would could should about between "
    "selected legend strength dashed solid faded line fit opens click kind zoom".split()
)
WORD = re.compile(r"[A-Za-z]+")
#: File names (organizations.csv, coalition-map.zip) are names, the same in every language.
FILE_NAME = re.compile(r"[\w.-]+\.(?:csv|zip|json|xlsx|graphml|gexf|cypher|html|png|svg|pdf|db)\b")


def _data_strings(app_map) -> list[str]:
    """Every string the map stores (names, notes, regions, the reasons a planned
    introduction was saved with...), longest first: data is shown as typed in every
    language, so it is taken out of the text checked. Movements are not: the demo's are
    the default ones, whose names are read in the interface's language."""
    store = SQLiteStore(app_map)
    try:
        snapshot = store.snapshot()
        values: set[str] = set()

        def collect(value) -> None:
            if isinstance(value, str):
                values.add(value)
            elif isinstance(value, dict):
                for item in value.values():
                    collect(item)
            elif isinstance(value, list | tuple | set):
                for item in value:
                    collect(item)

        collect([snapshot[part] for part in ("organizations", "ties", "introductions", "former_names")])
    finally:
        store.close()
    return sorted((v for v in values if len(v) > 1), key=len, reverse=True)


def _english_left(text: str, data: list[str]) -> list[str]:
    text = FILE_NAME.sub(" ", text)
    for value in data:
        text = text.replace(value, " ")
    return sorted({word for word in WORD.findall(text) if word.lower() in ENGLISH})


#: The interactive map's own words, read inside its iframe: what the page shows (legend,
#: buttons, the "add a tie" panel), what it says to screen readers (aria labels) and the
#: tooltips vis-network shows on hover (the nodes' and edges' titles).
MAP_TEXT = """() => [
  document.body.innerText,
  ...[...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label')),
  ...window.coalitionMap.nodes.get().map(n => n.title),
  ...window.coalitionMap.edges.get().map(e => e.title),
].join('\\n')"""


def _map_text(page) -> tuple[str, str, str]:
    """The map iframe's own text once two organizations are clicked (so the panel that
    offers a tie between them shows its words), with its ``lang`` and ``dir``."""
    element = page.locator('[data-testid="stMain"] iframe').first
    element.evaluate("element => element.scrollIntoView()")
    frame = element.element_handle().content_frame()
    frame.wait_for_function("() => window.coalitionMap && document.body.dataset.drawn", timeout=60_000)
    box = element.bounding_box()
    for node in frame.evaluate("() => window.coalitionMap.nodes.getIds()")[:2]:
        x, y = frame.evaluate(NODE_ON_SCREEN, node)
        page.mouse.click(box["x"] + x, box["y"] + y)
    frame.locator("#pair:not([hidden])").wait_for(timeout=10_000)
    html = frame.evaluate("() => [document.documentElement.lang, document.documentElement.dir]")
    return frame.evaluate(MAP_TEXT), html[0], html[1]


def _open(page, app_url: str, path: str, title: str, code: str) -> None:
    page.goto(f"{app_url}/{path}?lang={code}")
    with use_language(code):
        wait_for_page(page, _(title))


@pytest.mark.parametrize("code", ["es", "ar"])
def test_the_main_pages_have_no_english_left(page, app_url: str, app_map, code: str) -> None:
    data = _data_strings(app_map)
    ARTIFACTS.mkdir(exist_ok=True)
    for path, title in MAIN_PAGES:
        _open(page, app_url, path, title, code)
        text = (
            page.locator('[data-testid="stMain"]').inner_text()
            + "\n"
            + page.locator('[data-testid="stSidebar"]').inner_text()
        )
        if path == "map":
            inside, language, direction = _map_text(page)
            assert (language, direction) == (code, "rtl" if code == "ar" else "ltr"), (
                f"{code} map: {language} {direction}"
            )
            text += "\n" + inside
        left = _english_left(text, data)
        context = [line for line in text.splitlines() if any(re.search(rf"\b{w}\b", line) for w in left)]
        assert not left, f"{code} /{path}: English left in the interface: {left} in {context[:5]}"
        page.screenshot(path=str(ARTIFACTS / f"{code}-{path or 'overview'}.png"), full_page=True)
        direction = page.evaluate(
            "() => getComputedStyle(document.querySelector('[data-testid=\"stMain\"]')).direction"
        )
        assert direction == ("rtl" if code == "ar" else "ltr"), f"{code} /{path}: page direction {direction}"
    assert page.external_requests == []


def test_the_sidebar_picker_switches_the_language(page, app_url: str) -> None:
    page.goto(f"{app_url}/")
    wait_for_page(page, "Overview")
    page.get_by_test_id("stSidebar").get_by_label("Language").click()
    page.get_by_role("option", name="Español").click()
    with use_language("es"):
        wait_for_page(page, _("Overview"))
        page.get_by_test_id("stSidebar").get_by_role("link", name=_("Organizations")).click()
        wait_for_page(page, _("Organizations"))  # the choice holds on the next page
