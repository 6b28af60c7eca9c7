"""HTML: the dashboard's interactive map as one self-contained page (``graph.render``),
with a banner naming the audience and the date, the note of what was withheld, and
the organizations and ties as styled tables below the map (for screen readers and print;
regions, offers and needs as people read them, ``coalition.domain.vocabulary``).
Ties nobody has confirmed for the months ``view["freshness"]`` gives (12 without it) are
drawn faded (``coalition.domain.freshness``). The words of the page (its title, the
map's legend, tooltips and buttons, the tables' headings) are in the language of the run
or session (``coalition.i18n``, handed to the map as ``map_words``), right to left in
Arabic; names and notes stay as typed.

The page loads nothing from the network (vis-network is inlined and a
Content-Security-Policy forbids every request). Everything added here is escaped with
``html.escape``; the map's own labels and tooltips are escaped by its template. Names
lose bidi controls and are cut to 200 characters for display.
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from typing import Any

from coalition.domain.freshness import mark_stale
from coalition.domain.vocabulary import movement_label, region_label, term_label
from coalition.formats.common import banner, display_view, today_text, withheld_note
from coalition.formats.files import atomic_path
from coalition.i18n import N_, _, current_language, direction, ngettext
from graph.render import Words, render_map

__all__ = ["map_words", "page", "write"]

MAX_TABLE_ROWS = 2000
#: The tables' headings, by column (the organization rows' and the map's tie rows'),
#: read through ``_()`` when shown; another column is headed by its name, capitalized.
HEADINGS = {
    "organization": N_("Organization"),
    "movements": N_("Movements"),
    # TRANSLATORS: a heading of the exported map's tables: the kind of organization or of tie
    "kind": N_("Kind"),
    "community-led": N_("Community-led"),
    "region": N_("Region"),
    "offers": N_("Offers"),
    "needs": N_("Needs"),
    "ties": N_("Ties"),
    # TRANSLATORS: a heading of the exported map's table of ties: the tie goes "from" one organization "to" another
    "from": N_("From"),
    "to": N_("To"),
    "strength": N_("Strength"),
    "since": N_("Since"),
    "until": N_("Until"),
    # TRANSLATORS: a heading of the exported map's table of ties: the day the tie was last confirmed
    "confirmed": N_("Confirmed"),
    # TRANSLATORS: a heading of the exported map's table of ties: how its line is drawn (solid, dashed, faded)
    "line": N_("Line"),
}
#: The tables' look, inside the file (the page loads nothing): ruled rows, padded cells,
#: a header that stays in view while scrolling, and long words that wrap.
TABLE_STYLE = """<style>
  details.data { margin: 12px 0 0 0; }
  details.data summary { cursor: pointer; font-weight: 600; padding: 4px 0; }
  table.data { border-collapse: collapse; font-size: 14px; line-height: 1.35; margin-top: 6px; width: 100%; }
  table.data caption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.data th, table.data td { border: 1px solid #c4c4c4; padding: 4px 8px; text-align: start;
    vertical-align: top; overflow-wrap: break-word; }
  table.data thead th { position: sticky; top: 0; background: #e8e8e8; color: #1a1a1a; }
  table.data tbody tr:nth-child(even) { background: #f6f6f6; }
</style>
"""
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
    # TRANSLATORS: {audience} is public, coalition or private
    title = _("Coalition map for the {audience} audience").format(audience=view["audience"])
    organizations = [{**o, "region": region_label(o.get("region") or "")} for o in shown["organizations"]]
    ties = mark_stale(shown["ties"], view.get("freshness"))  # drawn faded, as on the dashboard
    movements = [{**m, "name": movement_label(m)} for m in shown["movements"]]
    rendered = render_map(
        movements, organizations, ties, sizes=_ties_per_organization(shown), title=title, words=map_words()
    )
    text = rendered.html
    head_end = text.index("</head>")
    body = text.index("<body>", head_end) + len("<body>")
    top = BANNER.format(
        banner=html.escape(banner(view["audience"])),
        title=html.escape(title),
        date=html.escape(today_text()),
        note=html.escape(withheld_note(view)),
    )
    tables = _table(_("Organizations"), _organization_rows(shown)) + _table(_("Ties"), rendered.edges)
    end = text.rindex("</body>")
    return text[:head_end] + TABLE_STYLE + text[head_end:body] + "\n" + top + text[body:end] + tables + text[end:]


def _organization_rows(view: dict[str, Any]) -> list[dict[str, Any]]:
    """One readable row per organization: regions, offers and needs as people read them."""
    movements = {m["id"]: movement_label(m) for m in view["movements"]}
    ties = _ties_per_organization(view)
    return [
        {
            "organization": org["name"],
            "movements": ", ".join(movements.get(m, m) for m in org.get("movements", [])),
            "kind": term_label(org["kind"]) if org.get("kind") else "",
            "community-led": _("yes") if org.get("community_led") else _("no"),
            "region": region_label(org.get("region") or ""),
            "offers": ", ".join(term_label(t) for t in org.get("offers") or []),
            "needs": ", ".join(term_label(t) for t in org.get("needs") or []),
            "ties": int(ties[org["id"]]),
        }
        for org in sorted(view["organizations"], key=lambda o: o["name"].casefold())
    ]


def _table(caption: str, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    columns = list(rows[0])
    shown = rows[:MAX_TABLE_ROWS]
    if len(rows) > MAX_TABLE_ROWS:
        # TRANSLATORS: {table} is "Organizations" or "Ties"; the table holds only the first rows
        summary = ngettext(
            "{table} as a table (first {shown:,} of {count:,})",
            "{table} as a table (first {shown:,} of {count:,})",
            len(rows),
        ).format(table=caption, shown=MAX_TABLE_ROWS, count=len(rows))
    else:
        # TRANSLATORS: {table} is "Organizations" or "Ties"
        summary = _("{table} as a table").format(table=caption)
    head = "".join(f'<th scope="col">{html.escape(_heading(c))}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(row.get(c, '')))}</td>" for c in columns) + "</tr>\n" for row in shown
    )
    return (
        f'<details class="data"><summary>{html.escape(summary)}</summary>\n'
        f'<table class="data"><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}</tbody></table></details>\n"
    )


def map_words() -> Words:
    """The interactive map's own words (legend, tooltips, buttons) in this thread's
    language, for ``graph.render``, which cannot read the catalogues itself."""
    return Words(gettext=_, ngettext=ngettext, term=term_label, language=current_language(), direction=direction())


def _heading(column: Any) -> str:
    """A column's heading in the reader's language."""
    return _(HEADINGS[column]) if column in HEADINGS else str(column).capitalize()


def _ties_per_organization(view: dict[str, Any]) -> dict[str, float]:
    """How many ties each organization has: the map draws better connected ones larger
    and labels them first."""
    counts: Counter = Counter()
    for tie in view["ties"]:
        counts[tie["source"]] += 1
        counts[tie["target"]] += 1
    return {o["id"]: float(counts[o["id"]]) for o in view["organizations"]}
