"""Charts and tables the pages share, each chart with a table of the same data.

Text from the map (names, reasons) is shown in tables, which render it as text, or
escaped with ``md`` before it goes into markdown: a name like ``![x](http://...)`` must
not become an image that calls a server.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from coalition.i18n import N_, _, current_language

__all__ = ["gap_lines", "introduction_table", "md", "movement_matrix", "rounded", "show_introductions"]

#: The matrix cell of two movements with no tie at all: apart from the blue scale of
#: tied pairs, so an empty pair never reads as a merely pale one.
NO_TIE_COLOUR = "#f4a582"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def md(text: Any) -> str:
    """Text safe to put in markdown: every markdown character backslash-escaped."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def movement_matrix(matrix: dict[str, dict[str, dict[str, Any]]], names: dict[str, str], key: str) -> None:
    """The movement gap matrix as a heatmap (ties per pair, written in each cell) and as a
    table. Colour is never the only cue: every cell carries its number."""
    if not matrix:
        st.write(_("No movements with organizations yet."))
        return
    ids = list(matrix)
    rows = tuple(
        (
            names.get(a, a),
            names.get(b, b),
            int(matrix[a][b].get("ties", 0)),
            matrix[a][b].get("ratio"),
            _cell_label(matrix[a][b]),
        )
        for a in ids
        for b in ids
    )
    order = [names.get(m, m) for m in ids]
    st.vega_lite_chart(_matrix_spec(rows, tuple(order), current_language()), key=f"{key}_chart")
    st.caption(
        _(
            "Each cell: ties between organizations of the two movements, and (in brackets) how that compares with "
            'random mixing by movement size (1 = as expected, 0 = none). Orange cells marked "no tie" are '
            "movements that never work together; pale cells are the other gaps."
        )
    )
    # drawn only when opened (on_change="rerun"): a hidden table still costs the browser
    as_table = st.expander(_("The same matrix as a table"), on_change="rerun", key=f"{key}_table_open")
    if as_table.open:
        table = pd.DataFrame(
            [[_cell_label(matrix[a][b]) for b in ids] for a in ids],
            index=order,
            columns=order,
        )
        as_table.dataframe(table, key=f"{key}_table")


@st.cache_data(max_entries=16, show_spinner=False)
def _matrix_spec(
    rows: tuple[tuple[str, str, int, float | None, str], ...], order: tuple[str, ...], language: str
) -> dict[str, Any]:
    """The heatmap's Vega-Lite spec, built with altair once per matrix and ``language``
    (its tooltips' words are the session's, and the cache is the process's): altair checks
    a chart against the Vega-Lite schema as it builds it, which took 0.2-0.4 s on every run
    of the Overview and Gaps pages."""
    import altair as alt  # here, not at the top: half a second the first page need not wait for

    data = pd.DataFrame(rows, columns=["from", "to", "ties", "ratio", "label"])
    base = alt.Chart(data).encode(
        x=alt.X("to:N", sort=list(order), title=None, axis=alt.Axis(labelAngle=-30, labelLimit=200)),
        y=alt.Y("from:N", sort=list(order), title=None, axis=alt.Axis(labelLimit=200)),
    )
    top = max(int(data["ties"].max()), 1)
    tooltip = [
        # TRANSLATORS: the two movements of a cell of the movement matrix, "from" one "to" the other
        alt.Tooltip("from:N", title=_("from")),
        alt.Tooltip("to:N", title=_("to")),
        alt.Tooltip("ties:Q", title=_("ties")),
        alt.Tooltip("ratio:Q", format=".2f", title=_("observed / expected")),
    ]
    cells = (
        base.mark_rect(stroke="#1a1a1a", strokeWidth=0.5)
        .encode(
            color=alt.Color("ties:Q", scale=alt.Scale(scheme="blues", domain=[1, top]), title=_("ties")),
            tooltip=tooltip,
        )
        .transform_filter(alt.datum.ties > 0)
    )
    empty = (
        base.mark_rect(stroke="#1a1a1a", strokeWidth=0.5, color=NO_TIE_COLOUR)
        .encode(tooltip=tooltip)
        .transform_filter(alt.datum.ties == 0)
    )
    text = base.mark_text(fontSize=13).encode(
        text="label:N",
        color=alt.condition(alt.datum.ties > top * 0.55, alt.value("#ffffff"), alt.value("#1a1a1a")),
    )
    return (cells + empty + text).properties(height=60 + 48 * len(order)).to_dict()


def gap_lines(gaps: dict[str, Any], movements: dict[str, str], orgs: dict[str, str]) -> list[str]:
    """The most telling gaps as short sentences, already escaped for markdown."""

    def mov(m: str) -> str:
        return md(movements.get(m, m))

    lines = [
        _("**{movement}** and **{other_movement}** have no tie at all").format(movement=mov(a), other_movement=mov(b))
        for a, b in gaps.get("missing_movement_pairs", [])
    ]
    lines += [md(item["explanation"]) for item in gaps.get("single_points_of_failure", [])[:3]]
    lines += [
        # TRANSLATORS: an organization on the edge of the map, then why
        _("{organization}: {why}").format(organization=md(orgs.get(item["org"], item["org"])), why=md(item["why"]))
        for item in gaps.get("isolated_community_led", [])[:3]
    ]
    return lines


#: A table row tall enough for three lines: Streamlit's grid wraps text only in rows
#: taller than 4rem, and cuts it otherwise.
WRAPPED_ROW_HEIGHT = 72
#: The introduction table's columns and their headings (read through ``_()`` when shown).
INTRODUCTION_HEADINGS = {
    "rank": N_("rank"),
    # TRANSLATORS: a heading of the introductions table: "introduce" A "to" B
    "introduce": N_("introduce"),
    "to": N_("to"),
    # TRANSLATORS: a heading of the introductions table: the gap an introduction closes
    "closes": N_("closes"),
    "movements": N_("movements"),
    "broker": N_("broker"),
    "score": N_("score"),
    "status": N_("status"),
    "why": N_("why"),
}


def rounded(value: Any, digits: int) -> float | None:
    """A measure as people read it: a few digits, not the six a float prints."""
    return None if value is None else round(float(value), digits)


def show_introductions(rows: list[dict[str, Any]], orgs: dict[str, str], movements: dict[str, str], key: str) -> None:
    """``introduction_table`` drawn with its sentences wrapped and its columns sized."""
    st.dataframe(
        introduction_table(rows, orgs, movements),
        hide_index=True,
        key=key,
        row_height=WRAPPED_ROW_HEIGHT,
        column_config=_introduction_columns(),
    )


def _introduction_columns() -> dict[str, Any]:
    """Widths of the introduction table's columns, the sentences widest, by their headings
    in the session's language."""

    def heading(column: str) -> str:
        return _(INTRODUCTION_HEADINGS[column])

    return {
        heading("rank"): st.column_config.NumberColumn(width=50),
        heading("closes"): st.column_config.TextColumn(width="medium"),
        heading("score"): st.column_config.TextColumn(
            width="small",
            help=_("How likely the introduction is to work times how much it bridges; none when picked by hand."),
        ),
        heading("why"): st.column_config.TextColumn(width="large"),
    }


def introduction_table(rows: list[dict[str, Any]], orgs: dict[str, str], movements: dict[str, str]) -> pd.DataFrame:
    """Introductions as a readable table, best first, its headings in the session's language."""

    def name(org_id: str | None) -> str:
        return orgs.get(org_id, org_id) if org_id else ""

    columns = ["rank", "introduce", "to", "closes", "movements", "broker", "score", "status", "why"]
    # TRANSLATORS: separates the reasons for an introduction, one after the other
    separator = _("; ")
    table = pd.DataFrame(
        [
            {
                "rank": i,
                "introduce": name(row["a"]),
                "to": name(row["b"]),
                "movements": " – ".join(movements.get(m, m) for m in row.get("movements") or []),
                "broker": name(row.get("broker")) or _("none: a cold introduction"),
                "score": f"{float(row['score']):.3f}" if row.get("score") is not None else _("not scored"),
                "status": row.get("status", ""),
                "closes": (row.get("gap") or {}).get("text", ""),
                "why": separator.join(row.get("reasons") or []),
            }
            for i, row in enumerate(rows, start=1)
        ],
        columns=columns,
    )
    table.columns = [_(INTRODUCTION_HEADINGS[column]) for column in columns]
    return table


def _cell_label(cell: dict[str, Any]) -> str:
    if not cell.get("ties"):
        # TRANSLATORS: a cell of the movement matrix: two movements with no tie at all
        return _("no tie")
    ratio = cell.get("ratio")
    shown = f"{ratio:.2f}" if isinstance(ratio, int | float) else "–"
    return f"{int(cell.get('ties', 0))} ({shown})"
