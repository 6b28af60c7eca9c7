"""Audit trail (admins only): who changed what, when, from which values to which.

The entries hold private values (contacts, notes of private groups), so the page refuses
anyone without the right to see them, on the server, before reading anything; and an
admin sees them only with the private audience chosen, so a page on a projector shows none.
"""

from __future__ import annotations

import json

import streamlit as st

from coalition.auth import permissions
from coalition.maps.audit import audit_document, describe_entry, list_audit
from coalition.ui import login, state
from coalition.ui.state import Keys, Tables
from graph.store import AUDIT_KINDS

st.title("Audit trail")
user = state.current_user()
permissions.require(user, permissions.SEE_AUDIT)
if state.audience() != "private":
    st.info("The audit trail holds private values. Switch the audience to private in Settings to see it.")
    st.stop()
store = state.get_store()

left, right = st.columns(2)
kind = left.selectbox("What changed", ["everything", *AUDIT_KINDS], key=Keys.AUDIT_KIND)
limit = right.number_input(
    "How many entries (newest first)", min_value=1, max_value=10_000, value=200, key=Keys.AUDIT_LIMIT
)
entries = list_audit(store, limit=int(limit), kind=None if kind == "everything" else kind)
st.caption(f"{len(entries)} entries. They include private values: do not share this page or its download.")
st.dataframe(
    [{"when": e["at"], "who": e["actor"], "what": describe_entry(e)} for e in entries],
    hide_index=True,
    key=Tables.AUDIT_ENTRIES,
)
st.download_button(  # made on click, for this session's browser only (login.guarded)
    "Download these entries (JSON)",
    data=login.guarded(lambda: json.dumps(audit_document(entries, store), ensure_ascii=False, indent=2).encode()),
    file_name="coalition-audit.json",
    mime="application/json",
    on_click="ignore",
    key=Keys.AUDIT_DOWNLOAD,
)
