"""A shared server, attacked as issue 12 did, through a real ``coalition serve``.

Starts ``coalition serve`` on a free 127.0.0.1 port with an accounts file (so everyone
signs in) over a temporary demo map, signs in as an admin in headless Chromium, and checks:

- Streamlit's internal endpoints (``/_stcore/metrics``, the agent API) answer nobody;
- a second client that reconnects with the session id read from the sign-in page's
  websocket, after the admin signed in, gets a fresh session (the sign-in form), not the
  admin's pages, and the admin stays signed in; no session id is written to the log;
- the audit trail's JSON download and a private JSON export go only to the browser that
  made them (a request with no cookies gets 404 even while the admin is signed in), and
  die at sign-out (404 for that browser too, and for everyone once it is closed);
- an upload into the admin's session from another client is refused;
- after sign-out the sidebar lists none of the admin's pages, and the page signed out
  from is not "not found".

Plain ``streamlit run`` with accounts refuses to serve (seen over its websocket). Then the
pieces behind it, without a server: the registry of browsers and downloads (expiry,
sign-out, another browser) and the log redaction. Without Chromium the browser test
fails in CI (CI=true) and is skipped loudly elsewhere, as in ``test_browser.py``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from coalition.auth import accounts, browsers, server
from coalition.maps.transfer import load_demo
from graph.sqlite.store import SQLiteStore

from .conftest import ROOT, serving

PASSWORD = "correct horse battery"
PRIVATE_ORG = "kitchen_table_mutual_aid"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


# the server -------------------------------------------------------------------------------------
def _map_with_an_admin(folder: Path) -> dict[str, str]:
    """A demo map and an accounts file with the admin ``ana`` in ``folder``: the environment
    that names them."""
    store = SQLiteStore(folder / "demo.db")
    load_demo(store)
    store.close()
    with pytest.MonkeyPatch.context() as patch:  # a cheap hash: the server only verifies it
        patch.setattr(accounts, "_hasher", lambda: CHEAP)
        patch.setattr(accounts, "_dummy_hash", functools.cache(lambda: CHEAP.hash("dummy")))
        accounts.add_user(folder / "accounts.db", "ana", "admin", PASSWORD)
    return {
        **os.environ,
        "COALITION_DB": f"sqlite:///{folder / 'demo.db'}",
        "COALITION_ACCOUNTS": str(folder / "accounts.db"),
    }


@contextmanager
def _serve(command: list[str], env: dict[str, str], folder: Path) -> Iterator[tuple[str, Path]]:
    """Run ``command`` (given the port) in ``folder`` until it answers: its URL and log."""
    with serving(command, env, folder, folder / "server.log", seconds=30) as url:
        yield url, folder / "server.log"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``coalition serve`` on 127.0.0.1 with an admin account: the URL and the server's log."""
    folder = tmp_path_factory.mktemp("served")
    env = _map_with_an_admin(folder)
    with _serve(
        [sys.executable, "-m", "coalition", "serve", "--address", "127.0.0.1", "--port"], env, folder
    ) as server:
        yield server


def status_without_cookies(url: str | urllib.request.Request) -> tuple[int, bytes]:
    """What a plain client (curl, another person) gets for ``url``: no cookie, no session."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_internal_endpoints_answer_nobody(served: tuple[str, Path]) -> None:
    url, _ = served
    for path in ("/_stcore/metrics", "/_stcore/agent/openapi.json", "/_stcore/agent/interact"):
        status, body = status_without_cookies(url + path)
        assert status == 404, (path, status, body[:200])
    assert status_without_cookies(url + "/_stcore/health")[0] == 200  # what a load balancer needs still answers


# the browser ------------------------------------------------------------------------------------
def _session_ids(page) -> list[str]:
    """Collect the session ids Streamlit hands this page over its websocket."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    found: list[str] = []

    def frame(payload) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "new_session" and msg.new_session.initialize.session_id:
                found.append(msg.new_session.initialize.session_id)

    page.on("websocket", lambda socket: socket.on("framereceived", frame))
    return found


def _wait_idle(page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def _go(page, title: str) -> None:
    """Open a page through the sidebar, as a person does (a new address is a new session)."""
    page.locator(".st-key-sidebar_pages").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title, exact=True).wait_for()
    _wait_idle(page)


def _choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    _wait_idle(page)


def _download_url(page, button: str) -> tuple[str, bytes]:
    with page.expect_download(timeout=30_000) as started:
        page.get_by_role("button", name=button).click()
    download = started.value
    return download.url, Path(download.path()).read_bytes()


def _as_another_client(url: str, session_id: str = "") -> list[str]:
    """Connect as a client with no cookies (reconnecting to ``session_id`` if given, as
    Streamlit's frontend does after a dropped connection), ask for a run, and return
    every message received, as text."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    back = BackMsg()
    back.rerun_script.query_string = ""
    back.rerun_script.page_script_hash = ""
    received: list[str] = []
    offered = ["streamlit", "noxsrf", session_id] if session_id else ["streamlit", "noxsrf"]
    with connect(ws_url, subprotocols=offered, open_timeout=10) as socket:
        socket.send(back.SerializeToString())
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                data = socket.recv(timeout=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                break
            if not isinstance(data, bytes):
                continue
            msg = ForwardMsg()
            msg.ParseFromString(data)
            received.append(str(msg))
            if msg.WhichOneof("type") == "script_finished":
                break
    return received


@pytest.mark.browser
def test_downloads_sessions_and_the_sidebar_on_a_shared_server(
    served: tuple[str, Path], browser, tmp_path: Path
) -> None:
    url, log_path = served

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    session_ids = _session_ids(page)
    page.goto(url)
    page.get_by_role("heading", name="Sign in").wait_for()
    assert session_ids, "the sign-in page's websocket named no session id"
    before_sign_in = session_ids[0]

    page.get_by_label("Account name", exact=True).fill("ana")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name="Overview").wait_for()

    # session fixation: the pre-sign-in id, presented by another client, does not resume the admin's session
    seen = "\n".join(_as_another_client(url, before_sign_in))
    assert "Audit trail" not in seen and "Accounts" not in seen and "signed in as" not in seen
    assert "Sign in" in seen  # a fresh session: the sign-in form

    # the audit trail's JSON download: only this browser
    _go(page, "Settings")
    page.get_by_text("private:", exact=False).first.click()
    _wait_idle(page)
    _go(page, "Audit trail")
    audit_url, audit = _download_url(page, "Download these entries (JSON)")
    assert "/media/" in audit_url and audit.startswith(b"{")
    assert status_without_cookies(audit_url)[0] == 404  # another client, even while signed in
    assert context.request.get(audit_url).status == 200  # the browser that made it

    # a private JSON export: only this browser, and only until sign-out
    _go(page, "Import / Export")
    _choose(page, "For whom", "private")
    _choose(page, "Format", "json")
    export_url, export = _download_url(page, "Download coalition-map-private.json")
    assert "/media/" in export_url and PRIVATE_ORG.encode() in export
    assert status_without_cookies(export_url)[0] == 404
    assert context.request.get(export_url).status == 200

    upload = urllib.request.Request(f"{url}/_stcore/upload_file/{before_sign_in}/x", data=b"x", method="PUT")
    assert status_without_cookies(upload)[0] == 404  # nothing goes into another browser's session

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    _wait_idle(page)
    assert not page.get_by_text("Page not found").count()  # the address signed out from is still known
    page.locator(".st-key-sidebar_pages").wait_for(state="detached")  # the signed-out run has finished
    sidebar = page.get_by_test_id("stSidebar")
    shown = sidebar.inner_text() if sidebar.count() else ""
    for title in ("Audit trail", "Accounts", "Import / Export", "Overview"):
        assert title not in shown, (title, shown)
    for media in (export_url, audit_url):  # dead for the browser that made it
        assert context.request.get(media).status == 404
    context.close()  # the browser is closed, as in the issue

    for media in (export_url, audit_url):  # and for everyone else
        status, body = status_without_cookies(media)
        assert status == 404 and PRIVATE_ORG.encode() not in body, (media, status)

    log = log_path.read_text()
    assert before_sign_in not in log, "the server log names a session id"
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", log), log[-2000:]


def test_plain_streamlit_run_refuses_a_shared_map(tmp_path: Path) -> None:
    """Streamlit alone checks no download or session against its browser: with accounts,
    the app refuses to serve under it and names the command that guards them."""
    env = _map_with_an_admin(tmp_path)
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        "--server.port",
    ]  # fmt: skip
    with _serve(command, env, tmp_path) as (url, _):
        seen = "\n".join(_as_another_client(url))
    assert "Not served" in seen and "coalition serve" in seen
    assert "Account name" not in seen and "Riverside" not in seen  # no sign-in form, nothing of the map


# without a server ---------------------------------------------------------------------------------
class Guard:
    def __init__(self) -> None:
        self.reason: str | None = None

    def expired(self) -> str | None:
        return self.reason


def test_a_download_goes_only_to_its_browser_while_its_sign_in_lasts() -> None:
    registry = browsers.Registry()
    guard, other = Guard(), Guard()
    registry.bind("session-a", "browser-a", guard)
    registry.bind("session-b", "browser-b", other)
    registry.add_download("session-a", b"the private map")
    assert registry.may_download("browser-a", b"the private map")
    assert not registry.may_download("browser-b", b"the private map")  # signed in, but not its download
    assert not registry.may_download("", b"the private map")
    assert registry.browser_of("session-a") == "browser-a" and registry.may_use("browser-a", "session-a")
    assert not registry.may_use("browser-b", "session-a")
    guard.reason = "nothing happened for 30 minutes"  # expiry, with nobody clicking
    assert not registry.may_download("browser-a", b"the private map") and not registry.signed_in("browser-a")
    guard.reason = None
    registry.release("session-a")  # sign-out
    assert not registry.may_download("browser-a", b"the private map") and registry.browser_of("session-a") is None
    registry.add_download("session-b", b"x")
    assert registry.may_download("browser-b", b"x")


def test_log_records_never_carry_a_session_id(caplog: pytest.LogCaptureFixture) -> None:
    session_id = "0f1e2d3c-4b5a-4697-8877-665544332211"
    before = logging.getLogRecordFactory()
    server.redact_logs()
    try:
        logger = logging.getLogger("streamlit.runtime.websocket_session_manager")
        with caplog.at_level(logging.WARNING):
            logger.warning("Session with id %s is already connected! Reconnecting to existing session.", session_id)
            try:
                raise KeyError(session_id)
            except KeyError:
                logger.exception("Error for file %s", "a" * 32)
        text = caplog.text + "".join(r.getMessage() for r in caplog.records)
        assert session_id not in text and "a" * 32 not in text and "already connected" in text
    finally:
        logging.setLogRecordFactory(before)


def test_served_by_coalition_serve_not_by_plain_streamlit() -> None:
    from coalition.cli import serving

    assert serving.server_command("127.0.0.1", 8501)[1:3] == ["-m", "coalition.auth.server"]
    assert server.APP_PATH == ROOT / "streamlit_app.py"
