"""The dashboard's own server: Streamlit's, with a guard in front of it.

``coalition serve`` (and so ``make run``) starts ``python -m coalition.auth.server``,
which serves ``streamlit_app.py`` through ``st.App`` with one ASGI middleware,
``Guard``, ahead of every Streamlit route. Plain ``streamlit run`` has no such guard, and
the app refuses to serve shared mode under it (``coalition.ui.login``).

What the guard does, on every request:

- gives each browser a random ``coalition_browser`` cookie (HttpOnly, SameSite=Lax; Secure
  over HTTPS) the first time it loads anything. Scripts in the page cannot read it, and
  it is what binds a session and its downloads to that browser
  (``coalition.auth.browsers``);
- ``/media/<file>``: a download only to the browser whose session made it, while its
  sign-in lasts; other media only to a browser with a session that lasts; 404 otherwise;
  the same answer as for a file that does not exist;
- ``/_stcore/upload_file/<session>/...``: only from the browser that holds the session;
  so no upload before sign-in, and none into another browser's session;
- ``/_stcore/stream`` (the websocket): a reconnect that names a session held by another
  browser is given a fresh session instead (the id is dropped from the request), so a
  session id read before sign-in, or from a log, resumes nothing;
- the dashboard's page itself: ``Link: rel=modulepreload`` headers naming the scripts of
  the widgets later pages show (``coalition.ui.chunks``), loaded while the first page is;
- ``/_stcore/metrics``, ``/_stcore/agent/...`` and ``/_stcore/script-health-check``:
  404 to everyone. They are Streamlit's internal endpoints and nothing here needs them;
  ``/_stcore/health`` still answers, for a load balancer.

The server also keeps session ids and other long hex ids out of its log
(``redact_logs``): Streamlit writes them in warnings about reconnects.

Nothing is downloaded at runtime; every option is set here, on the command line of the
child process, or in ``.streamlit/config.toml``.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser

from coalition.auth import browsers
from coalition.ui import chunks

__all__ = ["APP_PATH", "Guard", "redact_logs", "run", "main"]

APP_PATH = Path(__file__).resolve().parents[2] / "streamlit_app.py"
#: Streamlit paths nobody is served (relative to the base URL path).
CLOSED = ("_stcore/metrics", "_stcore/agent/", "_stcore/script-health-check")
MEDIA = "media/"
UPLOAD = "_stcore/upload_file/"
STREAM = "_stcore/stream"
#: The dashboard's page (every other path is a script, style, font or API call).
PAGE = ("", "index.html")
#: Options the server always runs with, whatever the environment or a config file says:
#: the agent API and static serving off, and no watching of source files. Streamlit's
#: watcher (a developer's convenience: rerun on save) walked every loaded module's path
#: after each script run, about 3,000 of them once the libraries are loaded, which made
#: every page wait a second or more on this machine.
FIXED_OPTIONS = {
    "server.headless": True,
    "browser.gatherUsageStats": False,
    "server.enableAgentApi": False,
    "server.enableStaticServing": False,
    "server.scriptHealthCheckEnabled": False,
    "server.fileWatcherType": "none",
    "server.runOnSave": False,
}
#: A session id (a UUID) or another long hex id (a deferred download's, a file's).
SECRET_ID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|(?<![0-9a-fA-F])[0-9a-fA-F]{32,}")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Guard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app
        self.registry = browsers.REGISTRY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = _relative(scope.get("path", ""))
        browser = _cookie(scope, browsers.COOKIE)
        if scope["type"] == "websocket":
            if path == STREAM:
                scope = self._fresh_unless_held(scope, browser)
            await self.app(scope, receive, send)
            return
        if path.startswith(CLOSED) or not await self._may_fetch(path, browser):
            await _not_found(send)
            return
        if path in PAGE:
            send = _with_headers(send, chunks.preload_links(_base()))
        if browser:
            await self.app(scope, receive, send)
            return

        cookie = f"{browsers.COOKIE}={secrets.token_urlsafe(32)}; Path=/; HttpOnly; SameSite=Lax"
        if _https(scope):
            cookie += "; Secure"
        await self.app(scope, receive, _with_headers(send, [(b"set-cookie", cookie.encode("latin-1"))]))

    async def _may_fetch(self, path: str, browser: str) -> bool:
        if path.startswith(MEDIA):
            return await run_in_threadpool(self._may_fetch_media, path[len(MEDIA) :], browser)
        if path.startswith(UPLOAD):
            session_id = path[len(UPLOAD) :].split("/", 1)[0]
            return await run_in_threadpool(self.registry.may_use, browser, session_id)
        return True

    def _may_fetch_media(self, name: str, browser: str) -> bool:
        """A download to its own browser while its sign-in lasts; other media (none on
        our pages today) to a browser with a lasting session."""
        from streamlit import runtime
        from streamlit.runtime.media_file_storage import MediaFileKind

        if not browser or not runtime.exists():
            return False
        file = runtime.get_instance().media_file_mgr.read_file(name)
        if file is None:
            return False
        if file.kind == MediaFileKind.DOWNLOADABLE:
            return self.registry.may_download(browser, file.content)
        return self.registry.signed_in(browser)

    def _fresh_unless_held(self, scope: Scope, browser: str) -> Scope:
        """Drop the session id a reconnect names when another browser holds that session
        (Streamlit then starts a fresh session, and the holder stays connected)."""
        headers = list(scope.get("headers", []))
        for index, (name, value) in enumerate(headers):
            if name.lower() != b"sec-websocket-protocol":
                continue
            entries = [entry.strip() for entry in value.decode("latin-1").split(",")]
            holder = self.registry.browser_of(entries[2]) if len(entries) >= 3 and entries[2] else None
            if holder is not None and holder != browser:
                headers[index] = (name, ", ".join(entries[:2]).encode("latin-1"))
                return {**scope, "headers": headers}
        return scope


def _relative(path: str) -> str:
    """The request path without the server's base URL path and leading slash."""
    base = _base().lstrip("/")
    path = path.lstrip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :].lstrip("/")
    return path


def _base() -> str:
    """The server's base URL path: "" or "/prefix"."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _with_headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    """``send`` that adds ``headers`` to the response's start."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *headers]
        await send(message)

    return sending


def _cookie(scope: Scope, name: str) -> str:
    """The cookie's value, read as Starlette reads cookies ("" when there is none)."""
    for key, value in scope.get("headers", []):
        if key.lower() == b"cookie":
            found = cookie_parser(value.decode("latin-1")).get(name)
            if found:
                return found
    return ""


def _https(scope: Scope) -> bool:
    forwarded = dict(scope.get("headers", [])).get(b"x-forwarded-proto", b"").decode("latin-1").lower()
    return scope.get("scheme") in ("https", "wss") or forwarded == "https"


async def _not_found(send: Send) -> None:
    body = b"Not Found"
    await send({
        "type": "http.response.start",
        "status": 404,
        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})


# the log -------------------------------------------------------------------------------------------
def redact_logs() -> None:
    """Replace session ids and other long hex ids in every log record of this process,
    whichever logger or handler writes it (Streamlit gives each logger its own handler)."""
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: left as it is
            return record
        cleaned = SECRET_ID.sub("[id]", message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = SECRET_ID.sub("[id]", logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return record

    logging.setLogRecordFactory(factory)


# starting it ---------------------------------------------------------------------------------------
def run(address: str, port: int) -> None:
    """Serve the dashboard on ``address:port`` behind the guard (blocks until stopped)."""
    import streamlit as st
    from starlette.middleware import Middleware

    from coalition.ui import preload

    preload.load()  # before listening: the first page need not wait for the libraries
    redact_logs()
    browsers.mark_served()
    app = st.App(str(APP_PATH), middleware=[Middleware(Guard)])
    # st.App takes the launcher's folder as the app's (for .streamlit/config.toml and
    # secrets.toml): name the app itself, as `streamlit run streamlit_app.py` would.
    sys.argv = [str(APP_PATH)]
    app.run(config={**FIXED_OPTIONS, "server.address": address, "server.port": port})


def stop_with(parent: int, every: float = 1.0) -> threading.Thread:
    """Stop this server (SIGTERM, Streamlit's own clean stop) once ``parent`` is gone.

    ``coalition serve`` passes on the signals it can catch, but nothing can catch SIGKILL,
    and a closed terminal may reach only the parent: without this watch, killing
    ``coalition serve`` by its process id left the dashboard serving the map.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os.kill(os.getpid(), signal.SIGTERM)

    watcher = threading.Thread(target=watch, name="stop-with-parent", daemon=True)
    watcher.start()
    return watcher


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m coalition.auth.server", description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="127.0.0.1", help="Address to listen on.")
    parser.add_argument("--port", type=int, default=8501, help="Port to listen on.")
    parser.add_argument("--stop-with", type=int, metavar="PID", help="Stop when the parent process PID ends.")
    options = parser.parse_args(argv)
    if options.stop_with:
        stop_with(options.stop_with)
    run(options.address, options.port)


if __name__ == "__main__":
    main()
