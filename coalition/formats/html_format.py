"""HTML: the dashboard's interactive map as one self-contained page (``graph.render``),
with a banner naming the audience and the date, the note of what was withheld, and
the organizations and ties as tables below the map (for screen readers and print).

The page loads nothing from the network (vis-network is inlined and a
Content-Security-Policy forbids every request). Everything added here is escaped with
``html.escape``; the map's own labels and tooltips are escaped by its template. Names
lose bidi controls and are cut to 200 characters for display.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from coalition.formats.common import banner, display_view, today_text, withheld_note
from coalition.formats.files import atomic_path
from graph.render import render_map

__all__ = ["write", "page"]

MAX_TABLE_ROWS = 2000
BANNER = (
    '<header role="note" style="margin:0 0 8px 0;padding:8px 12px;background:#1a1a1a;color:#ffffff;'
    'font-size:16px"><strong>{banner}</strong> &middot; {title} &middot; {date}'
    '<div style="font-size:14px;margin-top:2px">{note}</div></header>\n'
)


def write(view: dict[str, Any], path: Path) -> list[Path]:
    with atomic_path(path) as tmp:
        tmp.write_text(page(view), encoding="utf-8")
    return [path]


def page(view: dict[str, Any]) -> str:
    """The page as text."""
    shown = display_view(view, limit=200)
    title = f"Coalition map for the {view['audience']} audience"
    rendered = render_map(shown["movements"], shown["organizations"], shown["ties"], title=title)
    text = rendered.html
    head_end = text.index("</head>")
    body = text.index("<body>", head_end) + len("<body>")
    top = BANNER.format(
        banner=html.escape(banner(view["audience"])),
        title=html.escape(title),
        date=html.escape(today_text()),
        note=html.escape(withheld_note(view)),
    )
    tables = _table("Organizations", rendered.nodes) + _table("Ties", rendered.edges)
    end = text.rindex("</body>")
    return text[:body] + "\n" + top + text[body:end] + tables + text[end:]


def _table(caption: str, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    columns = list(rows[0])
    shown = rows[:MAX_TABLE_ROWS]
    more = f" (first {MAX_TABLE_ROWS:,} of {len(rows):,})" if len(rows) > MAX_TABLE_ROWS else ""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(row.get(c, '')))}</td>" for c in columns) + "</tr>\n" for row in shown
    )
    return (
        f'<details style="margin-top:12px"><summary>{html.escape(caption)} as a table{html.escape(more)}</summary>\n'
        f'<table style="border-collapse:collapse;font-size:14px"><thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}</tbody></table></details>\n"
    )
