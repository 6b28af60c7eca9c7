"""Organizations: a searchable table, a profile, and add / edit / remove with validation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition.auth import permissions
from coalition.domain.privacy import can_see
from coalition.domain.vocabulary import region_label, term_label
from coalition.maps.profile import SUGGESTIONS, profile_from_view
from coalition.ui import actions, charts, forms, mapview, state
from coalition.ui.charts import md
from coalition.ui.state import Keys, Tables

#: The brokerage measures, how they are rounded and what they mean in one plain line.
ADVANCED_MEASURES = (
    ("betweenness", 3, "Share of the shortest paths between other organizations that pass through this one (0 to 1)."),
    ("constraint", 2, "How much its partners already work with each other: lower means it links groups apart."),
    ("effective_size", 1, "How many of its partners are not tied to each other: the separate circles it reaches."),
)
#: What each broker role counts: pairs of its partners that have no tie, by movements.
BROKER_ROLES = {
    "coordinator": "both partners in its own movement",
    "consultant": "both partners in one other movement",
    "gatekeeper": "brings a partner from another movement to its own",
    "representative": "takes a partner from its own movement to another",
    "liaison": "partners of two other, different movements",
    "total": "all the pairs of partners it stands between",
}


def labelled(values: list[str]) -> str:
    """A list of needs, offers or issues as people read it."""
    return ", ".join(term_label(v) for v in values)


def advanced_measures(broker: dict) -> pd.DataFrame:
    """The brokerage measures of the gap report's row for an organization, rounded, each
    with what it means (the row, not the profile, also holds the effective size)."""
    rows = []
    for name, digits, meaning in ADVANCED_MEASURES:
        value = broker.get(name)
        shown = f"{value:.{digits}f}" if isinstance(value, int | float) else "not defined (no ties)"
        rows.append({"measure": name.replace("_", " "), "value": shown, "what it means": meaning})
    for role, count in broker["roles"].items():
        rows.append(
            {"measure": f"broker role: {role}", "value": str(count), "what it means": BROKER_ROLES.get(role, "")}
        )
    return pd.DataFrame(rows, columns=["measure", "value", "what it means"])


store, user, audience, view, movements, names = state.open_page("Organizations")
by_id = {o["id"]: o for o in view["organizations"]}

left, right = st.columns([3, 2])
search = left.text_input("Search by name", key=Keys.ORG_SEARCH, placeholder="Part of a name")
movement = right.selectbox(
    "Movement", list(movements), index=None, format_func=movements.get, key=Keys.ORG_MOVEMENT, placeholder="All"
)
shown, _ = mapview.filter_map(view, movements=[movement] if movement else [], search=search)
st.dataframe(
    pd.DataFrame(
        [
            {
                "name": o["name"],
                "movements": ", ".join(movements.get(m, m) for m in o["movements"]),
                "kind": o["kind"],
                "community-led": o["community_led"],
                "region": region_label(o["region"]),
                "languages": ", ".join(o["languages"]),
                "visibility": o["visibility"],
            }
            for o in sorted(shown, key=lambda o: o["name"].lower())[: state.TABLE_ROWS]
        ],
        columns=["name", "movements", "kind", "community-led", "region", "languages", "visibility"],
    ),
    hide_index=True,
    key=Keys.ORG_TABLE,
    height=300,
)
st.caption(state.listed(len(shown), len(view["organizations"]), "organizations", audience))
found = [o["id"] for o in shown]  # on a big map, the pickers below list what the search finds

may_edit = permissions.allowed(user, permissions.EDIT)
visibilities = permissions.allowed_audiences(user)
if may_edit:
    profile_tab, add_tab, edit_tab, remove_tab = st.tabs(["Profile", "Add", "Edit", "Remove"])
else:
    (profile_tab,) = st.tabs(["Profile"])
    st.caption(f"A {user.role} account can look but not change: ask an editor or an admin for changes.")

with profile_tab:
    remembered = st.session_state.get(state.PROFILE_ORG)
    if remembered in names and st.session_state.get(Keys.ORG_PROFILE) != remembered:
        st.session_state[Keys.ORG_PROFILE] = remembered  # just added, or focused on the map
    listed = state.pickable(names, found, keep=(remembered, st.session_state.get(Keys.ORG_PROFILE)))
    chosen = st.selectbox(
        "Organization",
        list(listed),
        index=None,
        format_func=names.get,
        key=Keys.ORG_PROFILE,
        placeholder=state.pick_placeholder(listed, names, "an organization"),
    )
    if chosen:
        st.session_state[state.PROFILE_ORG] = chosen
        st.subheader(md(by_id[chosen]["name"]))
        details_box = st.container()  # filled once the profile is built, below its toggle
        st.markdown("**Measures**")
        analyse = st.toggle(
            "Brokerage, gaps and suggested introductions (analyses the whole map)",
            value=len(view["organizations"]) <= state.ANALYSE_PROFILE_UP_TO,
            key=Keys.ORG_PROFILE_ANALYSES,
        )
        gap_report = state.gaps(store, audience) if analyse else None
        profile = profile_from_view(
            view,
            chosen,
            gaps=gap_report,
            suggested=state.introductions(store, audience, top=SUGGESTIONS) if analyse else None,
        )
        org = profile["organization"]
        details = {
            "movements": ", ".join(movements.get(m, m) for m in org["movements"]),
            "kind": org["kind"],
            "community-led": "yes" if org["community_led"] else "no",
            "region": region_label(org["region"]),
            "languages": ", ".join(org["languages"]),
            "issues": labelled(org["issues"]),
            "offers": labelled(org["offers"]),
            "needs": labelled(org["needs"]),
            "access": org["access"],
            "contact": org["contact"] or "(hidden for this audience or none)",
            "visible to": org["visibility"],
            "agrees to introductions": "yes" if org["consent_to_introductions"] else "no",
            "introductions per month": org["intro_capacity_per_month"],
            "notes": org["notes"],
            "last changed": (org.get("updated_at") or "").replace("T", " ")[:16],
        }
        details_box.table(  # a table, not a grid: long access notes and notes wrap
            pd.DataFrame({"field": list(details), "value": [str(v) for v in details.values()]}), hide_index=True
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "measure": ["ties", "summed strength"],
                    "value": [str(profile["measures"]["ties"]), str(profile["measures"]["summed_strength"])],
                }
            ),
            hide_index=True,
            key=Tables.ORG_PROFILE_MEASURES,
        )
        if profile["brokerage"]:
            broker = next(b for b in gap_report["brokers"] if b["org"] == chosen)
            with st.expander("Advanced measures: how this organization bridges the map"):
                st.table(advanced_measures(broker), hide_index=True)
        for line in profile["findings"][:12]:
            st.markdown(f"- {md(line)}")
        st.markdown("**Ties**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "with": names.get(t["partner"], t["partner_name"]),
                        "kind": t["kind"],
                        "strength": t["strength"],
                        "since": t.get("since") or "",
                        "until": t.get("until") or "",
                    }
                    for t in profile["ties"]
                ],
                columns=["with", "kind", "strength", "since", "until"],
            ),
            hide_index=True,
            key=Tables.ORG_PROFILE_TIES,
        )
        st.markdown("**Introductions**")
        if profile["introductions"]:
            st.dataframe(
                charts.introduction_table(profile["introductions"], names, movements),
                hide_index=True,
                key=Tables.ORG_PROFILE_INTROS,
            )
        else:
            st.write("None tracked or suggested.")

if not may_edit:
    st.stop()

words = forms.map_words(view["organizations"])
with add_tab:
    with st.form(Keys.ORG_ADD_FORM):
        data = forms.organization_fields(Keys.ORG_ADD_PREFIX, movements, words, visibilities=visibilities)
        submitted = st.form_submit_button("Add organization", type="primary", key=Keys.ORG_ADD_SUBMIT)
    if submitted and forms.confirm_new_words(Keys.ORG_ADD_PREFIX, data, words, "Add organization"):
        ok, org = forms.attempt(lambda: actions.add_organization(user, store, data))
        if ok:
            state.flash(f"Added {org.name}.")
            state.forget(*[k for k in st.session_state if str(k).startswith(Keys.ORG_ADD_PREFIX + "_")])
            st.session_state[state.PROFILE_ORG] = org.id
            st.rerun()

with edit_tab:
    listed = state.pickable(names, found, keep=[st.session_state.get(Keys.ORG_EDIT_PICK)])
    editing = st.selectbox(
        "Organization to edit",
        list(listed),
        index=None,
        format_func=names.get,
        key=Keys.ORG_EDIT_PICK,
        placeholder=state.pick_placeholder(listed, names, "an organization"),
    )
    if editing:
        current = state.started_from("organization", editing, by_id[editing])
        if current["version"] != by_id[editing]["version"]:
            st.caption(f"Someone saved a newer version ({by_id[editing]['version']}) since you opened this form.")
        with st.form(Keys.ORG_EDIT_FORM):
            data = forms.organization_fields(
                Keys.ORG_EDIT_PREFIX,
                movements,
                words,
                current=current,
                suffix=editing,
                show_contact=can_see(audience, current.get("contact_visibility", "private")),
                visibilities=visibilities,
            )
            saved = st.form_submit_button("Save changes", type="primary", key=Keys.ORG_EDIT_SUBMIT)
        if saved:
            changes = forms.changed_fields(current, data)
            if not changes:
                st.info("Nothing changed.")
            elif forms.confirm_new_words(Keys.ORG_EDIT_PREFIX, changes, words, "Save changes", suffix=editing):
                ok, org = forms.attempt(
                    lambda: actions.edit_organization(
                        user, store, editing, changes, expected_version=current["version"]
                    ),
                    edit=("organization", editing, Keys.ORG_EDIT_PREFIX),
                )
                if ok:
                    hidden = (
                        "" if can_see(audience, org.visibility) else f" It is now hidden from the {audience} audience."
                    )
                    state.flash(f"Saved {org.name} (version {org.version}).{hidden}")
                    st.rerun()

with remove_tab:
    listed = state.pickable(names, found, keep=[st.session_state.get(Keys.ORG_REMOVE_PICK)])
    removing = st.selectbox(
        "Organization to remove",
        list(listed),
        index=None,
        format_func=names.get,
        key=Keys.ORG_REMOVE_PICK,
        placeholder=state.pick_placeholder(listed, names, "an organization"),
    )
    if removing:
        tie_count = sum(1 for t in view["ties"] if removing in (t["source"], t["target"]))
        sure = st.checkbox(
            f"Yes, remove {names[removing]} and its {tie_count} ties (introductions with it go too)",
            key=Keys.ORG_REMOVE_CONFIRM,
        )
        if st.button("Remove", disabled=not sure, key=Keys.ORG_REMOVE_BUTTON):
            ok, removed = state.attempt(lambda: actions.remove_organization(user, store, removing))
            if ok:
                state.flash(f"Removed {names[removing]} and {removed} ties.")
                state.forget(Keys.ORG_REMOVE_PICK, Keys.ORG_REMOVE_CONFIRM)
                if st.session_state.get(state.PROFILE_ORG) == removing:
                    del st.session_state[state.PROFILE_ORG]
                st.rerun()
