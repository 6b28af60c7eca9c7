"""Overview: the map in numbers, the movement gap matrix, the top gaps and introductions,
what changed lately, and since the last meeting (a snapshot, ``coalition.maps.changes``).

The numbers and recent changes come from the audience's view alone; the matrix, gaps and
introductions need the whole-map analyses, which on a big map are worked out in the
background and fill in when ready, so the first page never waits for them.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from coalition.i18n import N_, _, ngettext
from coalition.maps import services
from coalition.maps.changes import list_snapshots, summary_lines
from coalition.ui import ahead, charts, state
from coalition.ui.charts import md
from coalition.ui.state import Keys, Tables

store, user, audience, view, movements, org_names = state.open_page(_("Overview"))
figures = services.view_stats(view)  # counted on the view already read: no second read of the map

total = figures["organizations"]
share = f"{figures['community_led'] / total:.0%}" if total else "–"
tie_words = services.ties_in_words(figures["working_ties"], figures["conflict_ties"], figures["ended_ties"])
columns = st.columns(4)
led = ngettext("{count} of {total} organization", "{count} of {total} organizations", total)
columns[0].metric(_("Organizations"), total, border=True)
columns[1].metric(_("Community-led"), share, help=led.format(count=figures["community_led"], total=total), border=True)
columns[2].metric(_("Ties"), figures["ties"], help=f"{tie_words}.", border=True)
columns[3].metric(
    _("Cross-movement ties"),
    figures["cross_movement_ties"],
    help=_("Ties between organizations that share no movement (conflicts not counted)."),
    border=True,
)
st.caption(f"{tie_words}.")
if not total:
    st.info(_("This map is empty. Add organizations on the Organizations page, or import a file on Import / Export."))

# The tables' headings are marked N_ where listed and shown through _() (rename).
st.subheader(_("Organizations by movement"))
st.dataframe(
    pd.DataFrame(
        [{"movement": movements.get(m, m), "organizations": n} for m, n in figures["movements"].items()],
        columns=[N_("movement"), N_("organizations")],
    ).rename(columns=_),
    hide_index=True,
    key=Tables.OVERVIEW_MOVEMENTS,
)

st.subheader(_("Recent changes"))
recent = sorted(view["organizations"], key=lambda o: o.get("updated_at") or "", reverse=True)[:200]
st.dataframe(
    pd.DataFrame(
        [
            {
                "name": o["name"],
                "movements": ", ".join(movements.get(m, m) for m in o["movements"]),
                "community-led": o["community_led"],
                "changed": (o.get("updated_at") or "").replace("T", " ")[:16],
                "version": o.get("version", 1),
            }
            for o in recent
        ],
        columns=[N_("name"), N_("movements"), N_("community-led"), N_("changed"), N_("version")],
    ).rename(columns=_),
    hide_index=True,
    key=Tables.OVERVIEW_RECENT,
    height=260,
)

snapshots = list_snapshots(store)
if snapshots:
    st.subheader(_("Since the last meeting"))
    named = {s["name"]: s for s in reversed(snapshots)}  # the latest first
    since = st.selectbox(
        _("Since the snapshot"),
        list(named),
        index=None if ahead.big(total) else 0,  # on a big map, worked out only when asked
        format_func=lambda n: f"{n} ({named[n]['at'][:10]}{': ' + named[n]['note'] if named[n]['note'] else ''})",
        key=Keys.OVERVIEW_SINCE,
        placeholder=_("Pick a snapshot to see what changed since"),
    )
    if since:
        ok, found = state.attempt(lambda: state.changes(store, audience, since))
        if ok:
            for line in summary_lines(found):
                st.markdown(f"- {md(line)}")


def analyses() -> None:
    """The sections that need the whole-map analyses (gaps and introductions)."""
    gaps = state.gaps(store, audience)
    st.subheader(_("Which movements work together"))
    charts.movement_matrix(gaps.get("movement_matrix", {}), movements, key=Tables.OVERVIEW_MATRIX)
    st.subheader(_("Top gaps"))
    for line in charts.gap_lines(gaps, movements, org_names)[:6]:
        st.markdown(f"- {line}")
    st.page_link("coalition/ui/pages/gaps.py", label=_("All gaps, explained →"))

    st.subheader(_("Top introductions"))
    top = state.introductions(store, audience)[:5]  # the default list's first five (one computation)
    if not top:
        st.write(_("No introduction to suggest for this audience."))
    else:
        charts.show_introductions(top, org_names, movements, key=Tables.OVERVIEW_INTRODUCTIONS)
        st.page_link("coalition/ui/pages/introductions.py", label=_("Plan introductions →"))


@st.fragment(run_every=timedelta(seconds=1))
def analyses_when_ready() -> None:
    """The numbers above come first; the analyses, worked out in the background
    (``coalition.ui.ahead``), take their place once they are done."""
    ahead.start(store, audience)
    if ahead.ready(store, audience):
        st.rerun()  # the whole page again: this fragment stops asking
    st.info(
        ngettext(
            "Working out the gaps and introductions of this {count:,} organization; they appear here "
            "when ready (this can take a minute on a big map). The other pages can be opened meanwhile.",
            "Working out the gaps and introductions of these {count:,} organizations; they appear here "
            "when ready (this can take a minute on a big map). The other pages can be opened meanwhile.",
            total,
        ).format(count=total)
    )


if ahead.big(total) and not ahead.ready(store, audience):
    analyses_when_ready()
else:
    analyses()
