"""Audit trail (admins only): who changed what, when, from which values to which.

The entries hold private values (contacts, notes of private groups), so the page refuses
anyone without the right to see them, on the server, before reading anything; and an
admin sees them only with the private audience chosen, so a page on a projector shows none.
"""

from __future__ import annotations

import json

import streamlit as st

from coalition.auth import permissions
from coalition.i18n import N_, _, ngettext
from coalition.maps.audit import audit_document, describe_entry, list_audit
from coalition.ui import login, state
from coalition.ui.state import Keys, Tables
from graph.store import AUDIT_KINDS

#: How the kind picker names each choice; the choice itself is the kind as stored.
KIND_LABELS = {
    "everything": N_("everything"),
    # TRANSLATORS: what an audit entry is about
    "movement": N_("movement"),
    "organization": N_("organization"),
    "tie": N_("tie"),
    "introduction": N_("introduction"),
    "map": N_("map"),
    "survey": N_("survey"),
    "snapshot": N_("snapshot"),
}

st.title(_("Audit trail"))
user = state.current_user()
permissions.require(user, permissions.SEE_AUDIT)
if state.audience() != "private":
    st.info(_("The audit trail holds private values. Switch the audience to private in Settings to see it."))
    st.stop()
store = state.get_store()

left, right = st.columns(2)
kind = left.selectbox(
    _("What changed"),
    ["everything", *AUDIT_KINDS],
    format_func=lambda k: _(KIND_LABELS[k]) if k in KIND_LABELS else k,
    key=Keys.AUDIT_KIND,
)
limit = right.number_input(
    _("How many entries (newest first)"), min_value=1, max_value=10_000, value=200, key=Keys.AUDIT_LIMIT
)
entries = list_audit(store, limit=int(limit), kind=None if kind == "everything" else kind)
st.caption(
    ngettext(
        "{count} entry. It includes private values: do not share this page or its download.",
        "{count} entries. They include private values: do not share this page or its download.",
        len(entries),
    ).format(count=len(entries))
)
when, who, what = _("when"), _("who"), _("what")  # the table's headings; the entries stay as stored
st.dataframe(
    [{when: e["at"], who: e["actor"], what: describe_entry(e)} for e in entries],
    hide_index=True,
    key=Tables.AUDIT_ENTRIES,
)
st.download_button(  # made on click, for this session's browser only (login.guarded)
    _("Download these entries (JSON)"),
    data=login.guarded(lambda: json.dumps(audit_document(entries, store), ensure_ascii=False, indent=2).encode()),
    file_name="coalition-audit.json",
    mime="application/json",
    on_click="ignore",
    key=Keys.AUDIT_DOWNLOAD,
)
