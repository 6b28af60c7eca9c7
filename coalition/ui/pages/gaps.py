"""Gaps: where the coalition is thin (``coalition.analysis.gaps``), each part explained, each as a
table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition.domain.vocabulary import term_label
from coalition.maps import services
from coalition.ui import charts, state
from coalition.ui.state import Tables

store, user, audience, view, movements, names = state.open_page("Gaps")
gaps = state.gaps(store, audience)


def name(org_id: str) -> str:
    return names.get(org_id, org_id)


def table(rows: list[dict], key: str, columns: list[str], wrap: bool = False) -> None:
    """``wrap``: rows tall enough for sentences to wrap rather than be cut."""
    if rows:
        height = charts.WRAPPED_ROW_HEIGHT if wrap else None
        st.dataframe(pd.DataFrame(rows, columns=columns), hide_index=True, key=key, row_height=height)
    else:
        st.write("None found.")


summary = gaps.get("summary", {})
tie_words = services.ties_in_words(
    summary.get("ties", 0), summary.get("conflict_ties", 0), summary.get("ended_ties_left_out", 0)
)
st.caption(
    f"For the {audience} audience: {summary.get('organizations', 0)} organizations; {tie_words}. "
    "Conflicts are never paths; ended ties are history."
)

st.subheader("Movements that work together, and those that do not")
st.write(
    "How many ties join organizations of each pair of movements. A gap is a pair with no tie, or far fewer "
    "than if organizations picked partners at random."
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
        return f"introduce {name(row['a'])} and {name(row['b'])}"
    return f"none now: {why_not[(a, b)]}" if (a, b) in why_not else ""


pairs = [
    {
        "movements": f"{movements.get(a, a)} and {movements.get(b, b)}",
        "gap": "no tie at all",
        "suggested": suggestion(a, b),
    }
    for a, b in gaps.get("missing_movement_pairs", [])
] + [
    {
        "movements": f"{movements.get(a, a)} and {movements.get(b, b)}",
        "gap": f"few ties: {gaps['movement_matrix'][a][b]['ties']} "
        f"({gaps['movement_matrix'][a][b]['ratio']:.2f} of the expected density)",
        "suggested": suggestion(a, b),
    }
    for a, b in gaps.get("weak_movement_pairs", [])
]
table(pairs, Tables.GAPS_PAIRS, ["movements", "gap", "suggested"], wrap=True)
if pairs:
    st.page_link("coalition/ui/pages/introductions.py", label="Plan the introductions that close these gaps")

st.subheader("Single points of failure")
st.write(
    "Organizations and ties whose loss would cut some organizations off from the rest of the coalition. "
    "Spread these relationships so the coalition does not hang on one group."
)
table(
    [
        {
            "who": name(i["org"]) if i.get("org") else " – ".join(name(x) for x in i.get("tie") or []),
            "kind": i.get("kind", ""),
            "cut off": (i.get("separates") or {}).get("count", ""),
            "what happens": i["explanation"],
        }
        for i in gaps.get("single_points_of_failure", [])
    ],
    Tables.GAPS_SPOF,
    ["who", "kind", "cut off", "what happens"],
    wrap=True,
)
if gaps.get("local_bridges"):
    with st.expander("Ties between movements with no short way round"):
        table([{"tie": i["explanation"]} for i in gaps["local_bridges"]], Tables.GAPS_LOCAL_BRIDGES, ["tie"], wrap=True)

st.subheader("Brokers")
st.write(
    "Organizations that connect others who are not connected themselves. Brokers are often allies: check "
    "that community-led groups are not only reached through them."
)
brokers = gaps.get("brokers", [])
table(
    [
        {
            "organization": name(b["org"]),
            "movement": movements.get(b.get("movement"), b.get("movement")),
            "community-led": "yes" if b.get("community_led") else "no",
            "ties": b.get("ties"),
            "sits between others": (b.get("roles") or {}).get("total", 0),
        }
        for b in brokers
    ],
    Tables.GAPS_BROKERS,
    ["organization", "movement", "community-led", "ties", "sits between others"],
)
with st.expander("Advanced measures"):
    st.markdown(
        "- **Betweenness**: the share of shortest paths between other organizations that go through this one.\n"
        "- **Constraint** (Burt): from 0 to 1; low means its partners are not tied to each other, so it "
        "holds a structural hole.\n"
        "- **Effective size**: how many of its partners bring ties the others do not.\n"
        "- **Roles** (Gould and Fernandez): how often it sits between two others, by their movements: "
        "coordinator (all three in one movement), consultant (the two others in one movement, it in another), "
        "gatekeeper and representative (it controls the way into or out of its own movement), liaison "
        "(all three in different movements)."
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
            "organization",
            "betweenness",
            "constraint",
            "effective size",
            "coordinator",
            "consultant",
            "gatekeeper",
            "representative",
            "liaison",
        ],  # fmt: skip
    )

st.subheader("Community-led groups on the edge")
st.write("Community-led groups with no tie, tied only to allies, or only within their own movement.")
table(
    [{"organization": name(i["org"]), "why": i["why"]} for i in gaps.get("isolated_community_led", [])],
    Tables.GAPS_ISOLATED,
    ["organization", "why"],
    wrap=True,
)

st.subheader("Needs another member could meet")
table(
    [
        {
            "needs": name(m["needs"]),
            "resource": term_label(m["resource"]),
            "offered by": name(m["offers"]),
            "how near": m.get("nearness", ""),
        }
        for m in gaps.get("needs_offers", [])
    ],
    Tables.GAPS_NEEDS,
    ["needs", "resource", "offered by", "how near"],
)

st.subheader("Silos")
st.write("Communities of organizations that mostly work together and hold a single movement.")
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
    ["movement", "organizations", "from that movement", "ties out", "members"],
)
st.page_link("coalition/ui/pages/introductions.py", label="Introductions that would close these gaps")
