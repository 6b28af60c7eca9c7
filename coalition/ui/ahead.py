"""The whole-map analyses, worked out ahead in the background on big maps.

On a map of ten thousand organizations the gap analysis takes seconds and the
introductions longer (most of it fitting the introductions model), so the first page
cannot wait for them, and the pages that show them should not make someone wait once
they have read the first page. So once a page has been sent, one worker thread per
server process works them out for the store version and audience that session looks at,
through the very cached functions the pages call (``state.gaps`` and
``state.introductions``): the results land in the one cache, and a page that asks while
the work is under way waits for it (Streamlit computes each cached value once) instead
of starting it again. Nothing here holds a result, only which work was started.

The audience is always the session's own (``state.audience``, capped by the account), so
the work is exactly what that session's pages would compute and nothing reaches a
session that its pages could not show. Small maps are analysed when a page asks: their
analyses take a fraction of a second once the analysis libraries are loaded, and the
dashboard's server loads those before it answers anyone (``coalition.ui.preload``).
Loading them in this thread instead, while a page imported the same packages, made
Python's import system report a deadlock (seen in the suite with narwhals, which altair
and Streamlit's tables both import).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from datetime import date
from typing import NamedTuple

import streamlit as st

from coalition.i18n import current_language, use_language
from coalition.ui import state
from graph.store import Store

__all__ = ["ANALYSE_AHEAD_ABOVE", "big", "ready", "start", "wait"]

#: Maps with more organizations than this are analysed ahead, in the background.
ANALYSE_AHEAD_ABOVE = 500
#: How long the work waits for the page that started it to be sent.
GRACE_SECONDS = 1.0
#: Work remembered per process (each entry is one store version and audience).
REMEMBERED = 32


class _Worker(NamedTuple):
    pool: ThreadPoolExecutor
    started: dict[tuple, Future]
    lock: threading.Lock


@st.cache_resource(show_spinner=False)
def _worker() -> _Worker:
    """One worker thread for the process: with two cores, two analyses at once would
    only make both late, and the pages of every session share the one result."""
    return _Worker(ThreadPoolExecutor(max_workers=1, thread_name_prefix="coalition-analyses"), {}, threading.Lock())


def big(organizations: int) -> bool:
    """Whether a map this size is analysed ahead rather than when a page asks."""
    return organizations > ANALYSE_AHEAD_ABOVE


def start(store: Store, audience: str) -> None:
    """Begin working out the analyses of the store's current version for ``audience``,
    unless that has begun already."""
    worker = _worker()
    key = _work_key(store, audience)
    with worker.lock:
        if key in worker.started:
            return
        worker.started[key] = worker.pool.submit(_analyse, store, audience, current_language())
        for old in list(worker.started)[:-REMEMBERED]:
            if worker.started[old].done():
                del worker.started[old]


def ready(store: Store, audience: str) -> bool:
    """Whether the analyses of the store's current version for ``audience`` are done (a
    failed one counts as done: the page that asks shows its error)."""
    work = _worker().started.get(_work_key(store, audience))
    return work is not None and work.done()


def wait(timeout: float | None = None) -> None:
    """Wait until every analysis begun so far has finished (for tests and benchmarks)."""
    worker = _worker()
    with worker.lock:
        begun = list(worker.started.values())
    wait_for(begun, timeout=timeout)


def _work_key(store: Store, audience: str) -> tuple:
    return store.url, store.version(), audience, date.today(), current_language()


def _analyse(store: Store, audience: str, language: str) -> None:
    """What the Overview, Map, Gaps and Introductions pages ask for by default, after
    letting the page just run reach the browser: begun at once, the analyses held
    Python's lock while the first page was being sent, and it showed two seconds later."""
    time.sleep(GRACE_SECONDS)
    with use_language(language):  # the worker thread reads the language of the session that began it
        state.gaps(store, audience)
        state.introductions(store, audience)
