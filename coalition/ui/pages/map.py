"""Map: the network coloured by movement and sized by a measure, with filters, search, a
focus on one organization, a legend, and the same data as tables.

What the map shows is a saved view: its filters and focus are written to the page's
address (``?movements=housing&focus=...``) as they change, so the address is a link to
this view that can be shared, and a page opened with one starts from it. The link only
ever narrows the map the opener's own audience may see (``mapview.filters_from_link``).
"What I see" can be downloaded as the HTML map and the PNG image the Import / Export
page makes, holding only what is shown.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from coalition.auth import permissions
from coalition.domain.freshness import mark_stale
from coalition.domain.models import TIE_KINDS
from coalition.domain.vocabulary import movement_label
from coalition.formats import FORMATS
from coalition.formats.html_format import map_words
from coalition.i18n import N_, _, ngettext
from coalition.ui import login, mapview, state
from coalition.ui.charts import md
from coalition.ui.forms import audience_label, tie_kind_label
from coalition.ui.state import Keys, Tables
from graph.render import AGGREGATE_ABOVE, render_map

#: Each measure a node's size can show: its name (in the tooltips and the nodes table) and
#: how the picker explains it, both read through ``_()`` where shown.
SIZE_NAMES = {"ties": N_("ties"), "strength": N_("strength"), "betweenness": N_("betweenness")}
SIZE_HELP = {
    "ties": N_("ties: how many ties an organization has"),
    "strength": N_("strength: the sum of its ties' strengths"),
    "betweenness": N_("betweenness: how often it lies on the shortest path between others (top brokers)"),
}
#: How the community-led radio shows its choices (``mapview.COMMUNITY_CHOICES``, which a
#: link stores as they are), read through ``_()``.
COMMUNITY_LABELS = dict(
    zip(
        mapview.COMMUNITY_CHOICES,
        (N_("all organizations"), N_("community-led only"), N_("allies and others only")),
        strict=True,
    )
)
#: The widget holding each part of a saved view (``mapview.MapFilters``).
WIDGETS = {
    "movements": Keys.MAP_MOVEMENTS,
    "regions": Keys.MAP_REGIONS,
    "community_led": Keys.MAP_COMMUNITY_LED,
    "tie_kinds": Keys.MAP_TIE_KINDS,
    "min_strength": Keys.MAP_MIN_STRENGTH,
    "active_from": Keys.MAP_ACTIVE_FROM,
    "active_until": Keys.MAP_ACTIVE_UNTIL,
    "search": Keys.MAP_SEARCH,
    "focus": Keys.MAP_FOCUS,
    "steps": Keys.MAP_STEPS,
    "size_by": Keys.MAP_SIZE_BY,
}
PAGE_PATH = "/map"  # where st.navigation serves this page, for a link when the browser's address is unknown
#: What "export what I see" offers: the interactive map and an image, by their download key.
EXPORTS = {"html": Keys.MAP_DOWNLOAD_HTML, "png": Keys.MAP_DOWNLOAD_PNG}


#: The columns of the map's tables (``graph.render``'s row keys), read through ``_()``.
TABLE_COLUMNS = frozenset(
    {
        N_("organization"),
        N_("movements"),
        N_("movement"),
        N_("kind"),
        N_("community-led"),
        # TRANSLATORS: a column of the map's table: the shape an organization is drawn with (diamond, dot...)
        N_("shape"),
        N_("region"),
        N_("ties"),
        # TRANSLATORS: a column of the table of a map too big to draw one by one: a group of organizations
        N_("group"),
        N_("organizations"),
        N_("ties within"),
        # TRANSLATORS: a column of the map's table of ties: the tie goes "from" one organization "to" another
        N_("from"),
        N_("to"),
        N_("strength"),
        N_("since"),
        N_("until"),
        # TRANSLATORS: a column of the map's table of ties: the day the tie was last confirmed
        N_("confirmed"),
        # TRANSLATORS: a column of the map's table of ties: how its line is drawn (solid, dashed, faded)
        N_("line"),
    }
)


def _mark(item: dict) -> str:
    if item["type"] == "colour":
        return _("colour {color}").format(color=item["color"])
    if item["type"] == "line":
        return _("faded line") if item.get("faded") else _("dashed line") if item["dashed"] else _("solid line")
    return item["glyph"]


def _table(rows: list[dict]) -> pd.DataFrame:
    """The map's rows with headings in the reader's language (``graph.render`` keys them
    in English). The measure's column comes named in the reader's language: sized by
    ties, it is the ties column twice once translated, and is kept once, as in English."""
    table = pd.DataFrame(rows).rename(columns=lambda column: _(column) if column in TABLE_COLUMNS else column)
    return table.loc[:, ~table.columns.duplicated(keep="last")]


def _show(filters: mapview.MapFilters) -> None:
    """Set the widgets to a view (before they are drawn, or from a button's callback)."""
    for field, key in WIDGETS.items():
        value = getattr(filters, field)
        st.session_state[key] = list(value) if isinstance(value, tuple) else value


def _open_saved_view() -> None:
    """Start from the view the address asks for when it is new to this session (a link
    opened, or typed); when coming back from another page (which drops the address and
    the widgets), from the view last shown."""
    link = {name: st.query_params[name] for name in mapview.LINK_NAMES if name in st.query_params}
    written = st.session_state.get(Keys.MAP_LINK)
    if link and link != written:
        _show(mapview.filters_from_link(link, view))
    elif written and not any(key in st.session_state for key in WIDGETS.values()):
        _show(mapview.filters_from_link(written, view))


def _save_view(filters: mapview.MapFilters) -> str:
    """Write the view to the address (only the parameters that changed) and return the
    link to it."""
    link = mapview.link_of(filters)
    for name in mapview.LINK_NAMES:
        if name not in link and name in st.query_params:
            del st.query_params[name]
    for name, value in link.items():
        if st.query_params.get(name) != value:
            st.query_params[name] = value
    st.session_state[Keys.MAP_LINK] = link
    address = st.context.url or PAGE_PATH
    return f"{address}?{urlencode(link, safe=',')}" if link else address


store, user, audience, view, movements, names = state.open_page(_("Map"))
_open_saved_view()
region_labels = mapview.regions(view)

with st.sidebar:
    st.header(_("Map filters"))
    chosen_movements = st.multiselect(
        _("Movements"),
        list(movements),
        format_func=movements.get,
        key=Keys.MAP_MOVEMENTS,
        placeholder=_("All movements"),
    )
    chosen_regions = st.multiselect(
        _("Regions"),
        list(region_labels),
        format_func=region_labels.get,
        key=Keys.MAP_REGIONS,
        placeholder=_("All regions"),
    )
    community = st.radio(
        _("Organizations"),
        mapview.COMMUNITY_CHOICES,
        format_func=lambda c: _(COMMUNITY_LABELS[c]),
        key=Keys.MAP_COMMUNITY_LED,
    )
    kinds = st.multiselect(
        _("Tie kinds"),
        TIE_KINDS,
        format_func=tie_kind_label,
        key=Keys.MAP_TIE_KINDS,
        placeholder=_("All kinds"),
    )
    min_strength = st.slider(_("Weakest tie shown"), 1, 5, key=Keys.MAP_MIN_STRENGTH)
    active_from = st.date_input(_("Ties active from"), value=None, key=Keys.MAP_ACTIVE_FROM)
    active_until = st.date_input(_("Ties active until"), value=None, key=Keys.MAP_ACTIVE_UNTIL)

top = st.columns([2, 2, 1, 2])
search = top[0].text_input(_("Search organizations"), key=Keys.MAP_SEARCH, placeholder=_("Part of a name"))
found = [o["id"] for o in mapview.filter_map(view, search=search)[0]] if search.strip() else []
listed = state.pickable(names, found, keep=[st.session_state.get(Keys.MAP_FOCUS)])
focus = top[1].selectbox(
    _("Focus on"),
    list(listed),
    index=None,
    format_func=names.get,
    key=Keys.MAP_FOCUS,
    placeholder=_("Everyone (no focus)") if len(listed) == len(names) else _("Everyone (search to focus on one)"),
)
steps = top[2].number_input(_("Steps around it"), 1, mapview.MAX_STEPS, key=Keys.MAP_STEPS, disabled=focus is None)
size_by = top[3].selectbox(
    _("Size by"), mapview.SIZE_CHOICES, format_func=lambda s: _(SIZE_HELP[s]), key=Keys.MAP_SIZE_BY
)
if size_by == "betweenness":  # the gap analysis: on a big map, only worth waiting for when asked
    sizes = {b["org"]: float(b.get("betweenness") or 0) for b in state.gaps(store, audience)["brokers"]}
else:
    sizes = mapview.measures(view)[size_by]

filters = mapview.MapFilters(
    movements=tuple(chosen_movements),
    regions=tuple(chosen_regions),
    tie_kinds=tuple(kinds),
    min_strength=int(min_strength),
    active_from=active_from,
    active_until=active_until,
    community_led=community,
    search=search,
    focus=focus,
    steps=int(steps),
    size_by=size_by,
)
link = _save_view(filters)
orgs, ties = mapview.shown(view, filters)
hint = mapview.focus_hint(view, filters, ties)
if hint:
    st.info(md(hint))
    if filters.cleared() != filters:
        st.button(_("Clear the filters"), key=Keys.MAP_CLEAR_FILTERS, on_click=_show, args=(filters.cleared(),))
positions = state.layout(orgs, ties) if len(orgs) <= AGGREGATE_ABOVE else None
freshness = state.settings().freshness
ties = mark_stale(ties, freshness)  # drawn faded: nobody has confirmed them for freshness.months
page = render_map(
    [{**m, "name": movement_label(m)} for m in view["movements"]],  # the default ones in the reader's language
    orgs,
    ties,
    sizes=sizes,
    size_label=_(SIZE_NAMES[size_by]),
    positions=positions,
    focus=focus,
    # TRANSLATORS: {audience} is public, coalition or private
    title=_("Coalition map for the {audience} audience").format(audience=audience_label(audience)),
    links=permissions.allowed(user, permissions.EDIT),  # "Add a tie between A and B" for editors
    words=map_words(),
)
st.caption(md(mapview.counts_sentence(view, filters, orgs, ties)))
how_to_read = ngettext(
    "Colour shows the movement, shape whether a group is community-led (diamond) or not (dot), "
    "size the chosen measure; dashed lines are conflicts, faded lines ties nobody has confirmed for "
    "{months} month. Drag to move, scroll or +/- to zoom, click the map then use the arrow keys to pan.",
    "Colour shows the movement, shape whether a group is community-led (diamond) or not (dot), "
    "size the chosen measure; dashed lines are conflicts, faded lines ties nobody has confirmed for "
    "{months} months. Drag to move, scroll or +/- to zoom, click the map then use the arrow keys to pan.",
    freshness.months,
).format(months=freshness.months)
if permissions.allowed(user, permissions.EDIT):
    how_to_read += " " + _("Click two organizations to add a tie between them.")
st.caption(how_to_read)
if page.message:
    st.warning(page.message)
alt = ngettext(
    "Network map of {count} organization; the tables below hold the same data",
    "Network map of {count} organizations; the tables below hold the same data",
    len(orgs),
)
st.iframe(page.html, height=760, alt=alt.format(count=len(orgs)))

# The expander and the tables' tabs run their contents only when open (on_change="rerun"):
# three tables and the download buttons drawn hidden made the page's first visit slower.
share = st.expander(_("Share or save this view"), on_change="rerun", key=Keys.MAP_SHARE)
if share.open:
    share.markdown(
        _("**Link to this view** (its filters and focus; it shows each person only what their audience may see)")
    )
    # A plain link, not st.code: Streamlit's code block loads a 1.5 MB syntax highlighter,
    # which made the first visit to this page half a second slower in the browser.
    target = link.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    share.markdown(f"[{md(link)}]({target})")
    if permissions.allowed(user, permissions.EXPORT):
        buttons = share.columns(len(EXPORTS))
        for column, (fmt, key) in zip(buttons, EXPORTS.items(), strict=True):
            saved_as = mapview.file_name(filters, audience, fmt)
            column.download_button(
                _("Download {file}").format(file=saved_as),
                data=login.guarded(
                    # the file fades the ties this page fades (the settings' months, not the default)
                    lambda fmt=fmt: mapview.export_bytes({**view, "freshness": freshness}, orgs, ties, fmt)
                ),
                file_name=saved_as,
                mime=FORMATS[fmt].mime_type,
                on_click="ignore",
                key=key,
                # TRANSLATORS: {audience} is public, coalition or private
                help=_(
                    "What is shown, made for the {audience} audience: only the organizations and ties on the map."
                ).format(audience=audience_label(audience)),
            )

nodes_tab, ties_tab, legend_tab = st.tabs(
    [_("Organizations on the map"), _("Ties on the map"), _("Legend")], on_change="rerun", key=Keys.MAP_TABLE_TABS
)
if nodes_tab.open:
    nodes_tab.dataframe(_table(page.nodes), hide_index=True, key=Tables.MAP_NODES_TABLE)
if ties_tab.open:
    ties_tab.dataframe(_table(page.edges), hide_index=True, key=Tables.MAP_EDGES_TABLE)
if legend_tab.open:
    legend_tab.dataframe(
        pd.DataFrame([{_("mark"): _mark(item), _("meaning"): item["label"]} for item in page.legend]),
        hide_index=True,
        key=Tables.MAP_LEGEND_TABLE,
    )
if focus:
    st.session_state[state.PROFILE_ORG] = focus
    st.page_link("coalition/ui/pages/organizations.py", label=_("Open this organization's profile"))
