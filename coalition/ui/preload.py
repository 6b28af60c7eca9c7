"""Load the dashboard's libraries before the server answers anyone.

Streamlit imports what a page needs when a session first runs it, so the first person
to open a freshly started dashboard waited for pandas, altair, scikit-learn, igraph,
matplotlib and pyvis to load (about five seconds on the development machine) before
seeing anything. The server (``coalition.auth.server``) calls ``load`` in its main
thread before it starts listening: the wait moves to the start, where ``coalition
serve`` says the dashboard is starting, and the first page runs with everything loaded.
Nothing else runs yet, so no other thread can be importing the same package at that
moment (the import deadlock described in ``coalition.ui.ahead``).

Each name is one the pages import at the top or load on first use (``state`` and
``charts`` import their analyses and altair lazily so that the CLI stays quick). Some
libraries load more of themselves on first use (altair its pandas adapter and schema
validator, pyarrow its pandas conversion): ``load`` draws one tiny chart and table to
have that done too. ``tests/test_server_start.py`` runs every page after ``load`` and
fails if a page still imports a library.

Streamlit then collects garbage in full after every script run (``runner.postScriptGC``),
which with all of this loaded held the interpreter for 0.15 s after each page; ``load``
ends with ``gc.freeze()``, which keeps what was loaded until then (none of it garbage:
modules, their functions and tables) out of every later collection.
"""

from __future__ import annotations

import gc
import importlib
import logging

__all__ = ["MODULES", "load"]

#: The modules the pages load, heaviest dependencies included.
MODULES = (
    "pandas",
    "altair",
    "sklearn.linear_model",
    "sklearn.model_selection",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "coalition.analysis.gaps",
    "coalition.introductions.recommend",
    "coalition.maps.tracking",
    "coalition.maps.profile",
    "coalition.maps.audit",
    "coalition.maps.transfer",
    "coalition.formats",
    "coalition.formats.pdf_brief",
    "coalition.formats.image_format",
    "graph.render",
    "graph.sqlite.store",
    "coalition.ui.state",
    "coalition.ui.charts",
    "coalition.ui.mapview",
    "coalition.ui.forms",
    "coalition.ui.actions",
    "coalition.ui.ahead",
    "coalition.ui.login",
)


def load() -> None:
    """Import every module of ``MODULES`` (each once per process), use them once, and
    leave what they loaded out of later garbage collections.

    Streamlit's ``st.cache_data`` checks its options when a function is decorated and
    warns "No runtime found" when that happens before the server has started; the
    storage itself is chosen when the function is first called, in a session, so the
    warning says nothing here and is kept out of the server's log.
    """
    cache_log = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    cache_log.disabled = True
    try:
        for name in MODULES:
            importlib.import_module(name)
    finally:
        cache_log.disabled = False
    _first_use()
    gc.collect()
    gc.freeze()


def _first_use() -> None:
    """What the pages do with the libraries that loads more of them: a chart checked
    against Vega-Lite's schema, and a table converted for Streamlit (Arrow) and as text."""
    import altair as alt
    import pandas as pd
    import pyarrow as pa

    table = pd.DataFrame({"count": [1], "name": ["a"]})
    alt.Chart(table).mark_rect().encode(x="count", y="name").to_dict()  # types inferred, as charts.py tooltips are
    pa.Table.from_pandas(table)
    str(table)
