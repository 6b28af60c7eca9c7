"""Settings: which store is in use and which audience the pages show (only the audiences
the signed-in account may use are offered)."""

from __future__ import annotations

import streamlit as st

from coalition.auth import permissions
from coalition.i18n import N_, _
from coalition.ui import state
from coalition.ui.forms import audience_label
from coalition.ui.state import Keys, Tables

#: How the counts table names each kind of record the store counts (``Store.counts``).
RECORDS = {
    "movements": N_("movements"),
    "organizations": N_("organizations"),
    "ties": N_("ties"),
    "introductions": N_("introductions"),
}
#: Each audience the radio offers, with what it is for.
EXPLAIN = {
    "public": N_("public: what anyone may see (for a public website or a press pack)"),
    "coalition": N_("coalition: what coalition members may see (for a planning meeting or a projector)"),
    "private": N_("private: everything, contacts included (only for your own screen)"),
}

st.title(_("Settings"))
store = state.get_store()
user = state.current_user()
choices = permissions.allowed_audiences(user)

st.subheader(_("Store in use"))
if permissions.allowed(user, permissions.SEE_PRIVATE):
    st.write(store.describe())
    st.caption(
        _("Set COALITION_DB (or `coalition --db URL serve`) to use another map: sqlite:///FILE or a Neo4j URL.")
        + " "
        + (
            _("This dashboard runs in local mode: it listens on 127.0.0.1, so only this computer can open it.")
            if user.local
            else _("This dashboard is shared: everyone signs in, and each account sees what its role allows.")
        )
    )
    counts = store.counts()
    records, stored = _("records"), _("stored (all visibilities)")
    st.dataframe(
        [{records: _(RECORDS[kind]) if kind in RECORDS else kind, stored: n} for kind, n in counts.items()],
        hide_index=True,
        key=Tables.SETTINGS_COUNTS,
    )
else:
    # TRANSLATORS: {role} is the account's role as the CLI spells it (viewer, editor, admin)
    signed_in = _("The shared coalition map. You are signed in as {account} ({role}).")
    st.write(signed_in.format(account=user.name, role=user.role))

st.subheader(_("Audience"))
if st.session_state.get(Keys.SETTINGS_AUDIENCE, choices[0]) not in choices:
    del st.session_state[Keys.SETTINGS_AUDIENCE]  # chosen under a role this account no longer has
st.radio(
    _("Show the map as this audience may see it"),
    choices,
    index=choices.index(state.audience()),
    format_func=lambda a: _(EXPLAIN[a]),
    key=Keys.SETTINGS_AUDIENCE,
    on_change=lambda: state.set_audience(st.session_state[Keys.SETTINGS_AUDIENCE]),
)
reads = _(
    "Every page reads the map through this audience: organizations, ties and contacts it may not see are "
    "left out on the server and never sent to the browser."
)
if len(choices) != len(EXPLAIN):
    # TRANSLATORS: {role} is viewer or editor, as the CLI spells it; {audiences} lists public, coalition...
    reads += " " + _("Your {role} account may use: {audiences}.").format(
        role=user.role, audiences=", ".join(audience_label(a) for a in choices)
    )
st.caption(reads)
