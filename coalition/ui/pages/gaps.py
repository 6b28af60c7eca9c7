"""Gaps: where the coalition is thin (``coalition.analysis.gaps``), each part explained, each as a
table.

The tables' headings are listed in English, marked ``N_``, and shown through ``_()``
(``table``); the sentences of the report come translated from the analysis.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition.domain.vocabulary import term_label
from coalition.i18n import N_, _, ngettext
from coalition.maps import services
from coalition.ui import charts, state
from coalition.ui.forms import audience_label
from coalition.ui.state import Tables

#: What a single point of failure is (the report's ``kind``), as the table shows it.
FAILURE_KINDS = {"organization": N_("organization"), "tie": N_("tie")}

store, user, audience, view, movements, names = state.open_page(_("Gaps"))
gaps = state.gaps(store, audience)


def name(org_id: str) -> str:
    return names.get(org_id, org_id)


def table(rows: list[dict], key: str, columns: list[str], wrap: bool = False) -> None:
    """``columns``: the rows' keys, English headings shown through ``_()``; ``wrap``: rows
    tall enough for sentences to wrap rather than be cut."""
    if rows:
        height = charts.WRAPPED_ROW_HEIGHT if wrap else None
        shown = pd.DataFrame(rows, columns=columns).rename(columns=_)
        st.dataframe(shown, hide_index=True, key=key, row_height=height)
    else:
        st.write(_("None found."))


summary = gaps.get("summary", {})
tie_words = services.ties_in_words(
    summary.get("ties", 0), summary.get("conflict_ties", 0), summary.get("ended_ties_left_out", 0)
)
counted = summary.get("organizations", 0)
st.caption(
    # TRANSLATORS: {audience} is public, coalition or private; {ties} counts the ties, e.g. "12 ties, 1 conflict"
    ngettext(
        "For the {audience} audience: {count} organization; {ties}. Conflicts are never paths; ended ties are history.",
        "For the {audience} audience: {count} organizations; {ties}. Conflicts are never paths; ended ties are "
        "history.",
        counted,
    ).format(audience=audience_label(audience), count=counted, ties=tie_words)
)

st.subheader(_("Movements that work together, and those that do not"))
st.write(
    _(
        "How many ties join organizations of each pair of movements. A gap is a pair with no tie, or far fewer "
        "than if organizations picked partners at random."
    )
)
charts.movement_matrix(gaps.get("movement_matrix", {}), movements, key=Tables.GAPS_MATRIX)
closing = {
    tuple(row["gap"]["movements"]): row
    for row in reversed(state.introductions(store, audience))
    if row.get("gap") and row["gap"]["movements"]
}
why_not = {
    tuple(u["gap"]["movements"]): u["why"]
    for u in state.gaps_without_introduction(store, audience)
    if u["gap"]["movements"]
}


def suggestion(a: str, b: str) -> str:
    """The introduction the slate proposes for this gap, or why there is none."""
    row = closing.get((a, b))
    if row is not None:
        return _("introduce {first} and {second}").format(first=name(row["a"]), second=name(row["b"]))
    # TRANSLATORS: {why} says why no introduction closes this gap now
    return _("none now: {why}").format(why=why_not[(a, b)]) if (a, b) in why_not else ""


def both(a: str, b: str) -> str:
    """A pair of movements, by name."""
    return _("{first} and {second}").format(first=movements.get(a, a), second=movements.get(b, b))


def few_ties(a: str, b: str) -> str:
    cell = gaps["movement_matrix"][a][b]
    return _("few ties: {count} ({ratio:.2f} of the expected density)").format(count=cell["ties"], ratio=cell["ratio"])


pairs = [
    {"movements": both(a, b), "gap": _("no tie at all"), "suggested": suggestion(a, b)}
    for a, b in gaps.get("missing_movement_pairs", [])
] + [
    {"movements": both(a, b), "gap": few_ties(a, b), "suggested": suggestion(a, b)}
    for a, b in gaps.get("weak_movement_pairs", [])
]
table(pairs, Tables.GAPS_PAIRS, [N_("movements"), N_("gap"), N_("suggested")], wrap=True)
if pairs:
    st.page_link("coalition/ui/pages/introductions.py", label=_("Plan the introductions that close these gaps"))

st.subheader(_("Single points of failure"))
st.write(
    _(
        "Organizations and ties whose loss would cut some organizations off from the rest of the coalition. "
        "Spread these relationships so the coalition does not hang on one group."
    )
)
table(
    [
        {
            "who": name(i["org"]) if i.get("org") else " – ".join(name(x) for x in i.get("tie") or []),
            "kind": _(FAILURE_KINDS[i["kind"]]) if i.get("kind") in FAILURE_KINDS else i.get("kind", ""),
            "cut off": (i.get("separates") or {}).get("count", ""),
            "what happens": i["explanation"],
        }
        for i in gaps.get("single_points_of_failure", [])
    ],
    Tables.GAPS_SPOF,
    [N_("who"), N_("kind"), N_("cut off"), N_("what happens")],
    wrap=True,
)
if gaps.get("local_bridges"):
    with st.expander(_("Ties between movements with no short way round")):
        bridges = [{"tie": i["explanation"]} for i in gaps["local_bridges"]]
        table(bridges, Tables.GAPS_LOCAL_BRIDGES, [N_("tie")], wrap=True)

st.subheader(_("Brokers"))
st.write(
    _(
        "Organizations that connect others who are not connected themselves. Brokers are often allies: check "
        "that community-led groups are not only reached through them."
    )
)
brokers = gaps.get("brokers", [])
table(
    [
        {
            "organization": name(b["org"]),
            "movement": movements.get(b.get("movement"), b.get("movement")),
            "community-led": _("yes") if b.get("community_led") else _("no"),
            "ties": b.get("ties"),
            "sits between others": (b.get("roles") or {}).get("total", 0),
        }
        for b in brokers
    ],
    Tables.GAPS_BROKERS,
    [N_("organization"), N_("movement"), N_("community-led"), N_("ties"), N_("sits between others")],
)
with st.expander(_("Advanced measures")):
    st.markdown(
        _(
            "- **Betweenness**: the share of shortest paths between other organizations that go through this one.\n"
            "- **Constraint** (Burt): from 0 to 1; low means its partners are not tied to each other, so it "
            "holds a structural hole.\n"
            "- **Effective size**: how many of its partners bring ties the others do not.\n"
            "- **Roles** (Gould and Fernandez): how often it sits between two others, by their movements: "
            "coordinator (all three in one movement), consultant (the two others in one movement, it in another), "
            "gatekeeper and representative (it controls the way into or out of its own movement), liaison "
            "(all three in different movements)."
        )
    )
    table(
        [
            {
                "organization": name(b["org"]),
                "betweenness": charts.rounded(b.get("betweenness"), 3),
                "constraint": charts.rounded(b.get("constraint"), 2),
                "effective size": charts.rounded(b.get("effective_size"), 1),
                **{role: n for role, n in (b.get("roles") or {}).items() if role != "total"},
            }
            for b in brokers
        ],
        Tables.GAPS_BROKER_MEASURES,
        [
            N_("organization"),
            N_("betweenness"),
            N_("constraint"),
            N_("effective size"),
            # TRANSLATORS: brokerage roles (Gould and Fernandez)
            N_("coordinator"),
            N_("consultant"),
            N_("gatekeeper"),
            N_("representative"),
            N_("liaison"),
        ],  # fmt: skip
    )

st.subheader(_("Community-led groups on the edge"))
st.write(_("Community-led groups with no tie, tied only to allies, or only within their own movement."))
table(
    [{"organization": name(i["org"]), "why": i["why"]} for i in gaps.get("isolated_community_led", [])],
    Tables.GAPS_ISOLATED,
    [N_("organization"), N_("why")],
    wrap=True,
)

st.subheader(_("Needs another member could meet"))
table(
    [
        {
            "needs": name(m["needs"]),
            "resource": term_label(m["resource"]),
            "offered by": name(m["offers"]),
            "how near": _(m["nearness"]) if m.get("nearness") else "",  # one of the analysis's NEARNESS_WORDS
        }
        for m in gaps.get("needs_offers", [])
    ],
    Tables.GAPS_NEEDS,
    [N_("needs"), N_("resource"), N_("offered by"), N_("how near")],
)

st.subheader(_("Silos"))
st.write(_("Communities of organizations that mostly work together and hold a single movement."))
table(
    [
        {
            "movement": movements.get(s["movement"], s["movement"]),
            "organizations": len(s["organizations"]),
            "from that movement": f"{s['share']:.0%}",
            "ties out": s.get("ties_out"),
            "members": ", ".join(name(o) for o in s["organizations"]),
        }
        for s in gaps.get("silos", [])
    ],
    Tables.GAPS_SILOS,
    [N_("movement"), N_("organizations"), N_("from that movement"), N_("ties out"), N_("members")],
)
st.page_link("coalition/ui/pages/introductions.py", label=_("Introductions that would close these gaps"))
