"""Organizations: a searchable table, a profile, and add / edit / remove with validation.

The tables' headings are listed in English, marked ``N_``, and shown through ``_()``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition.auth import permissions
from coalition.domain.privacy import can_see
from coalition.domain.vocabulary import region_label, term_label
from coalition.i18n import N_, _, ngettext
from coalition.maps.profile import SUGGESTIONS, profile_from_view
from coalition.ui import actions, charts, forms, mapview, state
from coalition.ui.charts import md
from coalition.ui.forms import audience_label, org_kind_label
from coalition.ui.state import Keys, Tables

#: The brokerage measures, how they are rounded, named and what they mean in one plain line.
ADVANCED_MEASURES = (
    (
        "betweenness",
        3,
        N_("betweenness"),
        N_("Share of the shortest paths between other organizations that pass through this one (0 to 1)."),
    ),
    (
        "constraint",
        2,
        N_("constraint"),
        N_("How much its partners already work with each other: lower means it links groups apart."),
    ),
    (
        "effective_size",
        1,
        N_("effective size"),
        N_("How many of its partners are not tied to each other: the separate circles it reaches."),
    ),
)
#: Each broker role (Gould and Fernandez's) as the table names it, and what it counts:
#: pairs of its partners that have no tie, by movements.
BROKER_ROLES = {
    "coordinator": (N_("broker role: coordinator"), N_("both partners in its own movement")),
    "consultant": (N_("broker role: consultant"), N_("both partners in one other movement")),
    "gatekeeper": (N_("broker role: gatekeeper"), N_("brings a partner from another movement to its own")),
    "representative": (N_("broker role: representative"), N_("takes a partner from its own movement to another")),
    "liaison": (N_("broker role: liaison"), N_("partners of two other, different movements")),
    "total": (N_("broker role: total"), N_("all the pairs of partners it stands between")),
}


def labelled(values: list[str]) -> str:
    """A list of needs, offers or issues as people read it."""
    return ", ".join(term_label(v) for v in values)


def advanced_measures(broker: dict) -> pd.DataFrame:
    """The brokerage measures of the gap report's row for an organization, rounded, each
    with what it means (the row, not the profile, also holds the effective size)."""
    rows = []
    for key, digits, label, meaning in ADVANCED_MEASURES:
        value = broker.get(key)
        shown = f"{value:.{digits}f}" if isinstance(value, int | float) else _("not defined (no ties)")
        rows.append({"measure": _(label), "value": shown, "what it means": _(meaning)})
    for role, count in broker["roles"].items():
        label, meaning = BROKER_ROLES[role]
        rows.append({"measure": _(label), "value": str(count), "what it means": _(meaning)})
    return pd.DataFrame(rows, columns=[N_("measure"), N_("value"), N_("what it means")]).rename(columns=_)


store, user, audience, view, movements, names = state.open_page(_("Organizations"))
by_id = {o["id"]: o for o in view["organizations"]}

left, right = st.columns([3, 2])
search = left.text_input(_("Search by name"), key=Keys.ORG_SEARCH, placeholder=_("Part of a name"))
movement = right.selectbox(
    _("Movement"),
    list(movements),
    index=None,
    format_func=movements.get,
    key=Keys.ORG_MOVEMENT,
    # TRANSLATORS: every movement (no movement picked)
    placeholder=_("All"),
)
shown, _ties = mapview.filter_map(view, movements=[movement] if movement else [], search=search)
st.dataframe(
    pd.DataFrame(
        [
            {
                "name": o["name"],
                "movements": ", ".join(movements.get(m, m) for m in o["movements"]),
                "kind": org_kind_label(o["kind"]),
                "community-led": o["community_led"],
                "region": region_label(o["region"]),
                "languages": ", ".join(o["languages"]),
                "visibility": audience_label(o["visibility"]),
            }
            for o in sorted(shown, key=lambda o: o["name"].lower())[: state.TABLE_ROWS]
        ],
        columns=[
            N_("name"),
            N_("movements"),
            N_("kind"),
            N_("community-led"),
            N_("region"),
            N_("languages"),
            N_("visibility"),
        ],
    ).rename(columns=_),
    hide_index=True,
    key=Keys.ORG_TABLE,
    height=300,
)
st.caption(state.listed(len(shown), len(view["organizations"]), "organizations", audience))
found = [o["id"] for o in shown]  # on a big map, the pickers below list what the search finds

may_edit = permissions.allowed(user, permissions.EDIT)
visibilities = permissions.allowed_audiences(user)
if may_edit:
    profile_tab, add_tab, edit_tab, remove_tab = st.tabs([_("Profile"), _("Add"), _("Edit"), _("Remove")])
else:
    (profile_tab,) = st.tabs([_("Profile")])
    # TRANSLATORS: {role} is the account's role as the CLI spells it (viewer)
    look = _("A {role} account can look but not change: ask an editor or an admin for changes.")
    st.caption(look.format(role=user.role))

with profile_tab:
    remembered = st.session_state.get(state.PROFILE_ORG)
    if remembered in names and st.session_state.get(Keys.ORG_PROFILE) != remembered:
        st.session_state[Keys.ORG_PROFILE] = remembered  # just added, or focused on the map
    listed = state.pickable(names, found, keep=(remembered, st.session_state.get(Keys.ORG_PROFILE)))
    chosen = st.selectbox(
        _("Organization"),
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
        st.markdown(_("**Measures**"))
        analyse = st.toggle(
            _("Brokerage, gaps and suggested introductions (analyses the whole map)"),
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
        yes, no = _("yes"), _("no")
        details = {  # each field's name, marked N_, shown through _() below
            N_("movements"): ", ".join(movements.get(m, m) for m in org["movements"]),
            N_("kind"): org_kind_label(org["kind"]),
            N_("community-led"): yes if org["community_led"] else no,
            N_("region"): region_label(org["region"]),
            N_("languages"): ", ".join(org["languages"]),
            N_("issues"): labelled(org["issues"]),
            N_("offers"): labelled(org["offers"]),
            N_("needs"): labelled(org["needs"]),
            N_("access"): org["access"],
            N_("contact"): org["contact"] or _("(hidden for this audience or none)"),
            N_("visible to"): audience_label(org["visibility"]),
            N_("agrees to introductions"): yes if org["consent_to_introductions"] else no,
            N_("introductions per month"): org["intro_capacity_per_month"],
            N_("notes"): org["notes"],
            N_("last changed"): (org.get("updated_at") or "").replace("T", " ")[:16],
        }
        details_box.table(  # a table, not a grid: long access notes and notes wrap
            pd.DataFrame(
                {N_("field"): [_(f) for f in details], N_("value"): [str(v) for v in details.values()]}
            ).rename(columns=_),
            hide_index=True,
        )
        st.dataframe(
            pd.DataFrame(
                {
                    N_("measure"): [_("ties"), _("summed strength")],
                    N_("value"): [str(profile["measures"]["ties"]), str(profile["measures"]["summed_strength"])],
                }
            ).rename(columns=_),
            hide_index=True,
            key=Tables.ORG_PROFILE_MEASURES,
        )
        if profile["brokerage"]:
            broker = next(b for b in gap_report["brokers"] if b["org"] == chosen)
            with st.expander(_("Advanced measures: how this organization bridges the map")):
                st.table(advanced_measures(broker), hide_index=True)
        for line in profile["findings"][:12]:
            st.markdown(f"- {md(line)}")
        st.markdown(_("**Ties**"))
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
                columns=[N_("with"), N_("kind"), N_("strength"), N_("since"), N_("until")],
            ).rename(columns=_),
            hide_index=True,
            key=Tables.ORG_PROFILE_TIES,
        )
        st.markdown(_("**Introductions**"))
        if profile["introductions"]:
            st.dataframe(
                charts.introduction_table(profile["introductions"], names, movements),
                hide_index=True,
                key=Tables.ORG_PROFILE_INTROS,
            )
        else:
            st.write(_("None tracked or suggested."))

if not may_edit:
    st.stop()

words = forms.map_words(view["organizations"])
with add_tab:
    with st.form(Keys.ORG_ADD_FORM):
        data = forms.organization_fields(Keys.ORG_ADD_PREFIX, movements, words, visibilities=visibilities)
        submitted = st.form_submit_button(_("Add organization"), type="primary", key=Keys.ORG_ADD_SUBMIT)
    if submitted and forms.confirm_new_words(Keys.ORG_ADD_PREFIX, data, words, _("Add organization")):
        ok, org = forms.attempt(lambda: actions.add_organization(user, store, data))
        if ok:
            state.flash(_("Added {organization}.").format(organization=org.name))
            state.forget(*[k for k in st.session_state if str(k).startswith(Keys.ORG_ADD_PREFIX + "_")])
            st.session_state[state.PROFILE_ORG] = org.id
            st.rerun()

with edit_tab:
    listed = state.pickable(names, found, keep=[st.session_state.get(Keys.ORG_EDIT_PICK)])
    editing = st.selectbox(
        _("Organization to edit"),
        list(listed),
        index=None,
        format_func=names.get,
        key=Keys.ORG_EDIT_PICK,
        placeholder=state.pick_placeholder(listed, names, "an organization"),
    )
    if editing:
        current = state.started_from("organization", editing, by_id[editing])
        if current["version"] != by_id[editing]["version"]:
            newer = _("Someone saved a newer version ({version}) since you opened this form.")
            st.caption(newer.format(version=by_id[editing]["version"]))
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
            saved = st.form_submit_button(_("Save changes"), type="primary", key=Keys.ORG_EDIT_SUBMIT)
        if saved:
            changes = forms.changed_fields(current, data)
            if not changes:
                st.info(_("Nothing changed."))
            elif forms.confirm_new_words(Keys.ORG_EDIT_PREFIX, changes, words, _("Save changes"), suffix=editing):
                ok, org = forms.attempt(
                    lambda: actions.edit_organization(
                        user, store, editing, changes, expected_version=current["version"]
                    ),
                    edit=("organization", editing, Keys.ORG_EDIT_PREFIX),
                )
                if ok:
                    saved = _("Saved {organization} (version {version}).").format(
                        organization=org.name, version=org.version
                    )
                    if not can_see(audience, org.visibility):
                        # TRANSLATORS: {audience} is public or coalition
                        hidden = _("It is now hidden from the {audience} audience.")
                        saved += " " + hidden.format(audience=audience_label(audience))
                    state.flash(saved)
                    st.rerun()

with remove_tab:
    listed = state.pickable(names, found, keep=[st.session_state.get(Keys.ORG_REMOVE_PICK)])
    removing = st.selectbox(
        _("Organization to remove"),
        list(listed),
        index=None,
        format_func=names.get,
        key=Keys.ORG_REMOVE_PICK,
        placeholder=state.pick_placeholder(listed, names, "an organization"),
    )
    if removing:
        tie_count = sum(1 for t in view["ties"] if removing in (t["source"], t["target"]))
        sure = st.checkbox(
            ngettext(
                "Yes, remove {organization} and its {count} tie (introductions with it go too)",
                "Yes, remove {organization} and its {count} ties (introductions with it go too)",
                tie_count,
            ).format(organization=names[removing], count=tie_count),
            key=Keys.ORG_REMOVE_CONFIRM,
        )
        if st.button(_("Remove"), disabled=not sure, key=Keys.ORG_REMOVE_BUTTON):
            ok, removed = state.attempt(lambda: actions.remove_organization(user, store, removing))
            if ok:
                removed_text = ngettext(
                    "Removed {organization} and {count} tie.", "Removed {organization} and {count} ties.", removed
                )
                state.flash(removed_text.format(organization=names[removing], count=removed))
                state.forget(Keys.ORG_REMOVE_PICK, Keys.ORG_REMOVE_CONFIRM)
                if st.session_state.get(state.PROFILE_ORG) == removing:
                    del st.session_state[state.PROFILE_ORG]
                st.rerun()
