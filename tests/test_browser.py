"""End to end in real headless Chromium: the dashboard as a person uses it.

Starts ``coalition serve`` (as ``make run`` does: local mode, no accounts, our server in
front of Streamlit) on a free 127.0.0.1 port over a temporary demo map, then drives Debian's Chromium (``/usr/bin/chromium``; ``playwright install``
cannot download browsers here) with Playwright: the pages load, the map is drawn by
vis-network (node ids read inside its iframe), an organization added through the form
appears on the map, and the browser makes no request outside the app. Screenshots of
every page go to ``test-artifacts/``.

Without Chromium the tests fail in CI (CI=true) and are skipped loudly elsewhere;
``scripts/setup-chromium.sh`` installs it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from coalition.maps.transfer import load_demo
from coalition.ui.pages import EXPLORE, WORK
from graph.sqlite.store import SQLiteStore

from .conftest import ROOT, wait_for_health

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = ROOT / "test-artifacts"
PAGES = {("" if stem == "overview" else stem): title for stem, title in (*EXPLORE, *WORK)}  # url path: title
PRIVATE_ORG = "kitchen_table_mutual_aid"


def _require_chromium() -> str:
    if Path(CHROMIUM).exists() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    message = (
        f"Chromium is missing: no executable at {CHROMIUM}. Run scripts/setup-chromium.sh "
        "(apt-get install chromium) or set CHROMIUM=/path/to/chromium."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    warnings.warn(message, stacklevel=2)
    print(f"\n*** SKIPPING BROWSER TESTS: {message}", file=sys.stderr)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard served by a real Streamlit server over a fresh demo map."""
    _require_chromium()
    folder = tmp_path_factory.mktemp("browser")
    store = SQLiteStore(folder / "demo.db")
    load_demo(store)
    store.close()
    port = _free_port()
    env = {**os.environ, "COALITION_DB": f"sqlite:///{folder / 'demo.db'}"}
    env["COALITION_ACCOUNTS"] = str(folder / "no-accounts.db")  # local mode: nobody signs in
    log = (folder / "streamlit.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "coalition", "serve", "--address", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        log.flush()
        wait_for_health(url, server, folder / "streamlit.log")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    executable = _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, app_url: str) -> Iterator:
    """A fresh browser page that records every request leaving the app."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.external_requests = []

    def record(request) -> None:
        if not request.url.startswith((app_url, "data:", "blob:", "about:")):
            opened.external_requests.append(request.url)

    context.on("request", record)
    yield opened
    context.close()


def _open(page, app_url: str, path: str, title: str) -> None:
    page.goto(f"{app_url}/{path}")
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )  # the script run has finished
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"]')]
                 .every(e => e.querySelector('canvas, svg, table'))""",
        timeout=60_000,
    )  # tables and charts are drawn, not placeholders
    page.wait_for_timeout(1500)  # let the grids paint their canvases before a screenshot


def _map_node_ids(page) -> list[str]:
    frame_element = page.locator("iframe[title^='Network map']").first
    frame_element.wait_for(timeout=60_000)
    frame = frame_element.element_handle().content_frame()
    frame.wait_for_function("() => window.coalitionMap && document.body.dataset.drawn", timeout=60_000)
    return frame.evaluate("() => window.coalitionMap.nodes.getIds()")


def test_every_page_loads_and_is_captured(page, app_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for path, title in PAGES.items():
        _open(page, app_url, path, title)
        if path == "map":
            _map_node_ids(page)
        assert not page.get_by_test_id("stException").count(), f"{title} raised an exception"
        page.screenshot(path=str(ARTIFACTS / f"page-{path or 'overview'}.png"), full_page=True)
    assert page.external_requests == []


def test_the_map_is_drawn_for_the_audience_only(page, app_url: str) -> None:
    _open(page, app_url, "map", "Map")
    ids = _map_node_ids(page)
    assert "riverside_tenants_union" in ids and "night_shift_collective" in ids
    assert PRIVATE_ORG not in ids  # private: never sent to a coalition audience
    assert len(ids) >= 40
    assert page.external_requests == []


def test_an_organization_added_in_the_form_appears_on_the_map(page, app_url: str) -> None:
    _open(page, app_url, "organizations", "Organizations")
    page.get_by_role("tab", name="Add").click()
    form = page.get_by_test_id("stForm").first
    form.get_by_label("Name", exact=True).fill("Harbor Renters Network")
    form.get_by_label("Region", exact=True).fill("harbor")
    movements = form.get_by_test_id("stMultiSelect").first
    movements.click()
    page.get_by_role("option", name="Housing justice").click()
    page.keyboard.press("Escape")
    form.get_by_role("button", name="Add organization").click()
    page.get_by_text("Added Harbor Renters Network.").wait_for(timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "organization-added.png"), full_page=True)

    _open(page, app_url, "map", "Map")
    assert "harbor_renters_network" in _map_node_ids(page)
    page.screenshot(path=str(ARTIFACTS / "map-with-new-organization.png"), full_page=True)
    assert page.external_requests == []


def test_an_upload_is_checked_then_imported_on_confirmation(page, app_url: str, tmp_path: Path) -> None:
    header = "id,name,movements,kind,community_led,region\n"
    bad = tmp_path / "bad" / "organizations.csv"
    bad.parent.mkdir()
    bad.write_text(
        header + "lantern_house,Lantern House,housing,collective,true,harbor\nx,Nowhere,no_such_movement,,,\n"
    )
    good = tmp_path / "good" / "organizations.csv"
    good.parent.mkdir()
    good.write_text(header + "lantern_house,Lantern House,housing,collective,true,harbor\n")

    _open(page, app_url, "import_export", "Import / Export")
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(bad))
    page.get_by_text("problem: fix them in the file").wait_for(timeout=60_000)
    assert page.get_by_role("button", name="Import", exact=True).is_disabled()
    page.screenshot(path=str(ARTIFACTS / "import-with-problems.png"), full_page=True)

    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(good))
    page.get_by_text("No problems found.").wait_for(timeout=60_000)
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("imported 1 organizations").wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "import-done.png"), full_page=True)

    _open(page, app_url, "map", "Map")
    assert "lantern_house" in _map_node_ids(page)
    assert page.external_requests == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        (
            "huge_number.json",
            '{"format": "coalition-map", "version": 1, "organizations": [{"id": ' + "9" * 5000 + "}]}",
        ),
        ("wide_cell.csv", "id,name,movements\nx," + "y" * 140_000 + ",housing\n"),
    ],
)
def test_a_hostile_upload_is_one_message_on_the_page_never_a_traceback(
    page, app_url: str, tmp_path: Path, name: str, content: str
) -> None:
    hostile = tmp_path / name
    hostile.write_text(content, encoding="utf-8")
    _open(page, app_url, "import_export", "Import / Export")
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(hostile))
    page.locator("[data-testid='stAlertContentError']").first.wait_for(timeout=60_000)
    shown = page.locator("[data-testid='stMain']").inner_text()
    assert "Traceback" not in shown and 'File "' not in shown and "/work/" not in shown
    assert page.locator("[data-testid='stException']").count() == 0
    assert (
        page.get_by_role("button", name="Import", exact=True).count() == 0
        or page.get_by_role("button", name="Import", exact=True).is_disabled()
    )


def test_an_export_downloads_only_what_its_audience_may_see(page, app_url: str, tmp_path: Path) -> None:
    _open(page, app_url, "import_export", "Import / Export")
    with page.expect_download(timeout=60_000) as started:
        page.get_by_role("button", name="Download coalition-map.zip (coalition)").click()
    saved = tmp_path / started.value.suggested_filename
    started.value.save_as(saved)
    assert saved.name == "coalition-map-coalition.zip"
    with zipfile.ZipFile(saved) as archive:
        organizations = archive.read("organizations.csv").decode()
    assert "riverside_tenants_union" in organizations and PRIVATE_ORG not in organizations
    assert page.external_requests == []
