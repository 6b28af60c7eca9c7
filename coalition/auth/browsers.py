"""Which browser holds which dashboard session, and which downloads each session made.

Streamlit alone serves a download (``/media/<id>``) to any request that names its
address, with or without a sign-in, until it gets round to deleting the file; and it
lets any websocket that names a session id take that session over. The dashboard's own
server (``coalition.auth.server``) therefore gives every browser a random cookie it
cannot read from a script (``COOKIE``), and asks this registry before it serves:

- a download, only to the browser whose session made it, while that session's sign-in
  lasts (``may_download``): not to another client, not after sign-out or expiry;
- a session's upload address, only to the browser that holds the session (``may_use``);
- a reconnect to a session, only from the browser that holds it (``browser_of``).

The app (``coalition.ui.login``) fills it in: a session is bound to its browser when
someone signs in (or, in local mode, when the page opens), a download is added when it
is made, and the binding is released at sign-out. Whether a sign-in still lasts is asked
of its ``Live`` (the session's ``SessionGuard``) at every request, so expiry needs no
timer and no click.

One registry per server process: the app's script threads and the server's event loop
share it. It lives in memory only, and nothing in it is ever logged.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import NamedTuple, Protocol

__all__ = ["COOKIE", "Live", "FOREVER", "Registry", "REGISTRY", "mark_served", "served"]

#: The cookie that names a browser: random, HttpOnly, set by ``coalition.auth.server``.
COOKIE = "coalition_browser"
#: How often ``bind`` forgets bindings whose sign-in has ended.
PRUNE_EVERY = 60.0


class Live(Protocol):
    """A sign-in that may end (``coalition.ui.login.SessionGuard``)."""

    def expired(self) -> str | None:
        """Why it has ended, or None while it lasts."""


class _Forever:
    """The local owner's session (local mode): it ends with the server."""

    def expired(self) -> str | None:
        return None


FOREVER: Live = _Forever()


class _Binding(NamedTuple):
    browser: str
    live: Live


class Registry:
    """Sessions bound to browsers, and the downloads each session made (by digest)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, _Binding] = {}
        self._downloads: dict[str, set[str]] = {}  # sha256 of the content -> session ids
        self._pruned = time.monotonic()

    def bind(self, session_id: str, browser: str, live: Live) -> None:
        """``session_id`` belongs to ``browser`` for as long as ``live`` lasts."""
        with self._lock:
            self._sessions[session_id] = _Binding(browser, live)
            due = time.monotonic() - self._pruned > PRUNE_EVERY
            if due:
                self._pruned = time.monotonic()
                bindings = list(self._sessions.items())
        if due:
            for ended, binding in bindings:
                if ended != session_id and binding.live.expired():
                    self.release(ended)

    def release(self, session_id: str) -> None:
        """Forget the session and every download it made (sign-out)."""
        with self._lock:
            self._sessions.pop(session_id, None)
            for digest in [d for d, owners in self._downloads.items() if session_id in owners]:
                owners = self._downloads[digest]
                owners.discard(session_id)
                if not owners:
                    del self._downloads[digest]

    def browser_of(self, session_id: str) -> str | None:
        """The browser holding this session, if it is bound."""
        with self._lock:
            binding = self._sessions.get(session_id)
        return binding.browser if binding else None

    def add_download(self, session_id: str, content: bytes) -> None:
        """Record that this session made a download with this content (only a bound
        session can: its browser is the one that may fetch it)."""
        digest = hashlib.sha256(content).hexdigest()
        with self._lock:
            if session_id in self._sessions:
                self._downloads.setdefault(digest, set()).add(session_id)

    def may_download(self, browser: str, content: bytes) -> bool:
        """True when a session of this browser made this download and is still signed in."""
        if not browser:
            return False
        digest = hashlib.sha256(content).hexdigest()
        with self._lock:
            owners = [self._sessions.get(s) for s in self._downloads.get(digest, ())]
        return any(b is not None and b.browser == browser and not b.live.expired() for b in owners)

    def may_use(self, browser: str, session_id: str) -> bool:
        """True when this browser holds this session and its sign-in lasts."""
        with self._lock:
            binding = self._sessions.get(session_id)
        return bool(browser) and binding is not None and binding.browser == browser and not binding.live.expired()

    def signed_in(self, browser: str) -> bool:
        """True when some session of this browser is signed in (or is the local owner's)."""
        if not browser:
            return False
        with self._lock:
            mine = [b for b in self._sessions.values() if b.browser == browser]
        return any(not b.live.expired() for b in mine)


#: The server process's registry.
REGISTRY = Registry()
_served = False


def mark_served() -> None:
    """Record that this process is the dashboard's own server, which consults the
    registry before serving (``coalition.auth.server``)."""
    global _served  # noqa: PLW0603
    _served = True


def served() -> bool:
    """True in the dashboard's own server; False under plain ``streamlit run`` (and in
    AppTest), where nothing checks the registry."""
    return _served
