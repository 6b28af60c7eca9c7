"""Which of Streamlit's script chunks the dashboard's widgets need, so the browser can
fetch and compile them after the first page instead of when a page first shows them.

Streamlit's frontend loads the code of each kind of widget the first time a page shows
one: the Map page's filters (multiselect, radio, slider, date, text, select and number
inputs) and its map frame made the browser fetch 36 small scripts there, six at a time
over HTTP/1.1, and compile them, before it could draw the page. The server names them in
``Link: rel=modulepreload`` headers of the dashboard's page
(``coalition.auth.server.Guard``): the browser fetches and compiles them while it works on
the first page. Measured on the demo in a freshly started Chromium
(``bench/bench_dashboard.py --demo --browser --runs 5``): the first visit to the Map
1.1-1.2 s -> 0.83-0.88 s until the browser is idle, the first page 0.2 s later (2.3 s);
``rel=prefetch`` (fetched into the cache, compiled on use) gave 0.97 s.

The chunk names carry content hashes that change with each Streamlit release, so they
are found in the installed package: the entry chunk of each widget (``WIDGETS``) and
every chunk it imports, read from the scripts' own ``import`` statements.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

__all__ = ["WIDGETS", "chunk_names", "preload_links"]

#: Streamlit's entry chunks for the widgets and frames the dashboard's pages show after
#: the first page.
WIDGETS = (
    "Multiselect", "Radio", "Slider", "DateInput", "TextInput", "Selectbox", "NumberInput", "IFrame",
    "Checkbox", "TextArea", "Button", "DownloadButton", "FileUploader",
)  # fmt: skip
IMPORT = re.compile(r'(?:from|import)\s*"\./([\w.-]+\.js)"')
PAGE_SCRIPT = re.compile(r'"\./static/js/([\w.-]+\.js)"')


@cache
def chunk_names() -> tuple[str, ...]:
    """The file names (in ``static/js``) of ``WIDGETS``' entry chunks and everything
    they import, less what the dashboard's page loads up front anyway; sorted; empty
    when the installed Streamlit lays its files out otherwise."""
    import streamlit

    static = Path(streamlit.__file__).resolve().parent / "static"
    folder = static / "static" / "js"
    if not folder.is_dir() or not (static / "index.html").is_file():
        return ()
    entries = {path.name.split(".", 1)[0]: path.name for path in folder.glob("*.js")}
    up_front = _closure(folder, PAGE_SCRIPT.findall((static / "index.html").read_text(encoding="utf-8")))
    return tuple(sorted(_closure(folder, [entries[name] for name in WIDGETS if name in entries]) - up_front))


def _closure(folder: Path, names: list[str]) -> set[str]:
    """``names`` and every chunk they import, directly or not."""
    found: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in found or not (folder / name).is_file():
            continue
        found.add(name)
        todo += IMPORT.findall((folder / name).read_text(encoding="utf-8", errors="replace"))
    return found


def preload_links(base: str) -> list[tuple[bytes, bytes]]:
    """``Link`` headers that ask the browser to load the chunks ahead; ``base`` is the
    server's base URL path ("" or "/prefix")."""
    return [(b"link", f"<{base}/static/js/{name}>; rel=modulepreload".encode("latin-1")) for name in chunk_names()]
