"""Shared fixtures. ``store`` runs a test against every store backend: the embedded
SQLite file always, and a real Neo4j server when one is configured (``make test``
starts one and sets COALITION_TEST_NEO4J). In CI (CI=true) a missing Neo4j fails the
run instead of skipping it.

The real-browser tests (``test_browser.py``, ``test_accessibility.py``) share one
dashboard: ``app_url`` starts ``coalition serve`` once per run over a fresh demo map, and
``browser`` launches Debian's Chromium once; each test gets a fresh ``page``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from coalition.maps import services
from coalition.maps.transfer import load_demo
from graph.sqlite.cipher import Passphrase
from graph.sqlite.store import SQLiteStore
from graph.store import Store

ROOT = Path(__file__).resolve().parent.parent
# The tests read the English interface whatever the machine's locale; the translation
# tests (test_translations.py, test_browser_languages.py) choose their languages themselves.
os.environ["COALITION_LANG"] = "en"
BACKENDS = ["sqlite", "neo4j"]


def _neo4j_store() -> Store:
    url = os.environ.get("COALITION_TEST_NEO4J")
    if not url:
        message = "no Neo4j test server: COALITION_TEST_NEO4J is not set (make test starts one with tools/neo4j-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from coalition.domain.settings import Settings
    from graph.neo4j.store import Neo4jStore

    store = Neo4jStore.from_url(url, Settings.from_env().neo4j)
    store.init(())
    store.clear()
    return store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Store:
    """An empty, initialized store of each backend."""
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def neo4j_store() -> Iterator[Store]:
    """The Neo4j test server's database, emptied before and after the test."""
    backend = _neo4j_store()
    services.init_map(backend)
    yield backend
    backend.clear()
    backend.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """An empty, initialized SQLite store, for tests about the domain rather than backends."""
    backend = SQLiteStore(tmp_path / "map.db")
    services.init_map(backend)
    yield backend
    backend.close()


@pytest.fixture
def encrypted_sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """An empty, initialized SQLite store encrypted at rest (SQLCipher)."""
    backend = SQLiteStore(tmp_path / "encrypted.db", passphrase=Passphrase("a test passphrase"))
    services.init_map(backend)
    yield backend
    backend.close()


@pytest.fixture
def demo_store(sqlite_store: Store) -> Store:
    """A SQLite store holding the demo coalition."""
    load_demo(sqlite_store)
    return sqlite_store


def local_map_env(folder: Path, demo: bool = False) -> dict[str, str]:
    """The environment of a dashboard in local mode over a new SQLite map in ``folder``
    (the demo coalition when ``demo``; no accounts file)."""
    store = SQLiteStore(folder / "map.db")
    if demo:
        load_demo(store)
    else:
        services.init_map(store)
    store.close()
    return {
        **os.environ,
        "COALITION_DB": f"sqlite:///{folder / 'map.db'}",
        "COALITION_ACCOUNTS": str(folder / "no-accounts.db"),
    }


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m coalition`` as a user would, capturing both streams."""
    full_env = {k: v for k, v in os.environ.items() if k != "COALITION_DB"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "coalition", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, input=stdin, timeout=120,
    )  # fmt: skip


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[Callable[[], bytes]]:
    """The deferred downloads the pages offer (``st.download_button`` with a callable),
    to be fetched as a browser would."""
    offered: list[Callable[[], bytes]] = []
    register = MediaFileManager.add_deferred

    def capture(self, data_callable, *args, **kwargs):
        offered.append(data_callable)
        return register(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    return offered


@contextmanager
def serving(command: list[str], env: dict[str, str], cwd: Path, log_path: Path, seconds: float = 60) -> Iterator[str]:
    """Run a dashboard server (``command`` then a free port) until its health check
    answers; yield its URL; stop it afterwards."""
    port = _free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen([*command, str(port)], cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(url, process, log_path, seconds=seconds)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for_health(url: str, process: subprocess.Popen, log_path: Path, seconds: float = 60) -> None:
    """Wait until a dashboard server answers its health check; fail with its log when it
    exits or does not answer in time."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the dashboard server did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)


# real Chromium ----------------------------------------------------------------------------
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1400, "height": 900}  # the docs' screenshots are taken at this size
ARTIFACTS = ROOT / "test-artifacts"


def _require_chromium() -> str:
    """Debian's Chromium (``playwright install`` cannot download browsers here): a missing
    one fails the run in CI (CI=true) and skips the browser tests loudly elsewhere."""
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


@pytest.fixture(scope="session")
def app_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo map file the shared dashboard (``app_url``) serves; a test may add to it
    (a survey round, for one)."""
    folder = tmp_path_factory.mktemp("browser")
    store = SQLiteStore(folder / "demo.db")
    load_demo(store)
    store.close()
    return folder / "demo.db"


@pytest.fixture(scope="session")
def app_url(app_map: Path) -> Iterator[str]:
    """The dashboard as ``make run`` serves it (``coalition serve``: local mode, no
    accounts, our server in front of Streamlit) on a free 127.0.0.1 port over a fresh demo
    map; started once for every browser test, as it takes seconds."""
    _require_chromium()
    folder = app_map.parent
    env = {**os.environ, "COALITION_DB": f"sqlite:///{app_map}"}
    env["COALITION_ACCOUNTS"] = str(folder / "no-accounts.db")  # local mode: nobody signs in
    command = [sys.executable, "-m", "coalition", "serve", "--address", "127.0.0.1", "--port"]
    with serving(command, env, ROOT, folder / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
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
    context = browser.new_context(viewport=VIEWPORT)
    opened = context.new_page()
    opened.external_requests = []

    def record(request) -> None:
        if not request.url.startswith((app_url, "data:", "blob:", "about:")):
            opened.external_requests.append(request.url)

    context.on("request", record)
    yield opened
    context.close()


def open_page(page, app_url: str, path: str, title: str) -> None:
    """Open a dashboard page by its address and wait until it is finished."""
    page.goto(f"{app_url}/{path}")
    wait_for_page(page, title)


def wait_for_page(page, title: str) -> None:
    """Wait until the page titled ``title`` is finished: its script has run, and its
    tables and charts are drawn rather than placeholders."""
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
    if title == "Overview":  # a fresh server works its analyses out in the background first
        page.get_by_role("heading", name="Top introductions", exact=True).wait_for(timeout=120_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )  # the script run has finished (the analyses worked out in the background, if any, included)
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"]')]
                 .every(e => e.querySelector('canvas, svg, table'))""",
        timeout=60_000,
    )
    page.wait_for_timeout(1500)  # let the grids paint their canvases before a screenshot


#: Where a node of the map (``graph.render``'s page) is on the screen, for a mouse click.
NODE_ON_SCREEN = """(id) => {
  const net = window.coalitionMap.network, at = net.canvasToDOM(net.getPositions([id])[id]);
  const box = document.querySelector('#map canvas').getBoundingClientRect();
  return [box.left + at.x, box.top + at.y];
}"""


def map_node_ids(page) -> list[str]:
    """The organizations vis-network has drawn in the map's iframe (waits for the drawing)."""
    frame_element = page.locator("iframe[title^='Network map']").first
    frame_element.wait_for(timeout=60_000)
    frame = frame_element.element_handle().content_frame()
    frame.wait_for_function("() => window.coalitionMap && document.body.dataset.drawn", timeout=60_000)
    return frame.evaluate("() => window.coalitionMap.nodes.getIds()")
