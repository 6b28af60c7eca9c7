"""Accounts (admins only): who may sign in, with which role and audience; add, change,
reset a password, remove. The same functions as ``coalition user ...``, each checked
against the signed-in admin (``coalition.ui.actions``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition.auth import accounts, permissions
from coalition.auth.accounts import MIN_PASSWORD_LENGTH, ROLE_AUDIENCES, ROLES
from coalition.ui import actions, state
from coalition.ui.charts import md
from coalition.ui.state import Keys, Tables

st.title("Accounts")
user = state.current_user()
permissions.require(user, permissions.MANAGE_USERS)
settings = state.settings()
path = settings.accounts_path

ROLE_HELP = {
    "viewer": "viewer: sees one audience (public or coalition), changes nothing",
    "editor": "editor: changes organizations and ties up to the coalition audience, never private ones",
    "admin": "admin: everything, private data and accounts included",
}

rows = accounts.list_users(path)
st.dataframe(
    pd.DataFrame(rows, columns=["name", "role", "audience", "password", "created_at", "last_login_at", "locked_until"]),
    hide_index=True,
    key=Tables.ACCOUNTS_TABLE,
)
st.caption(
    f"Accounts are kept in {md(path)}, apart from the map. Passwords are stored as argon2 hashes; "
    f"a sign-in ends after {settings.session.describe()}."
)

add_tab, change_tab = st.tabs(["Add an account", "Change or remove an account"])
with add_tab:
    role = st.selectbox("Role", ROLES, format_func=ROLE_HELP.get, key=Keys.ACCOUNT_ADD_ROLE)
    with st.form(Keys.ACCOUNT_ADD_FORM, clear_on_submit=True):
        name = st.text_input(
            "Name (an email address works, and signs in through an identity provider)", key=Keys.ACCOUNT_ADD_NAME
        )
        audience = st.selectbox("Audience", ROLE_AUDIENCES[role], key=Keys.ACCOUNT_ADD_AUDIENCE)
        password = st.text_input(
            f"Password (at least {MIN_PASSWORD_LENGTH} characters; empty: identity provider only)",
            type="password",
            autocomplete="new-password",
            key=Keys.ACCOUNT_ADD_PASSWORD,
        )
        repeat = st.text_input(
            "Password again", type="password", autocomplete="new-password", key=Keys.ACCOUNT_ADD_REPEAT
        )
        submitted = st.form_submit_button("Add account", type="primary", key=Keys.ACCOUNT_ADD_SUBMIT)
    if submitted:
        if password != repeat:
            st.error("The two passwords differ.")
        else:
            ok, added = state.attempt(lambda: actions.add_account(user, path, name, role, password or None, audience))
            if ok:
                state.flash(f"Added {added.name} ({added.role}, {added.audience}).")
                st.rerun()

with change_tab:
    names = [row["name"] for row in rows]
    picked = st.selectbox("Account", names, index=None, placeholder="Pick an account", key=Keys.ACCOUNT_PICK)
    if picked:
        current = next(row for row in rows if row["name"] == picked)
        new_role = st.selectbox(
            "Role",
            ROLES,
            index=ROLES.index(current["role"]),
            format_func=ROLE_HELP.get,
            key=f"{Keys.ACCOUNT_ROLE}:{picked}",
        )
        levels = ROLE_AUDIENCES[new_role]
        new_audience = st.selectbox(
            "Audience",
            levels,
            index=levels.index(current["audience"]) if current["audience"] in levels else 0,
            key=f"{Keys.ACCOUNT_AUDIENCE}:{picked}",
        )
        if st.button("Save role", key=Keys.ACCOUNT_ROLE_SAVE):
            ok, changed = state.attempt(lambda: actions.set_account_role(user, path, picked, new_role, new_audience))
            if ok:
                state.flash(f"{changed.name} is now {changed.role} ({changed.audience}).")
                st.rerun()
        st.divider()
        with st.form(f"{Keys.ACCOUNT_PASSWORD}_form", clear_on_submit=True):
            new_password = st.text_input(
                "New password", type="password", autocomplete="new-password", key=Keys.ACCOUNT_PASSWORD
            )
            new_repeat = st.text_input(
                "New password again", type="password", autocomplete="new-password", key=Keys.ACCOUNT_PASSWORD_REPEAT
            )
            reset = st.form_submit_button("Set password", key=Keys.ACCOUNT_PASSWORD_SAVE)
        if reset:
            if new_password != new_repeat:
                st.error("The two passwords differ.")
            else:
                ok, _ = state.attempt(lambda: actions.set_account_password(user, path, picked, new_password))
                if ok:
                    state.flash(f"Set a new password for {picked}; its open sessions have ended.")
                    st.rerun()
        st.divider()
        sure = st.checkbox(f"Yes, remove the account {picked}", key=Keys.ACCOUNT_REMOVE_CONFIRM)
        if st.button("Remove account", disabled=not sure, key=Keys.ACCOUNT_REMOVE):
            ok, _ = state.attempt(lambda: actions.remove_account(user, path, picked))
            if ok:
                state.flash(f"Removed the account {picked}.")
                state.forget(Keys.ACCOUNT_PICK, Keys.ACCOUNT_REMOVE_CONFIRM)
                st.rerun()

st.subheader("Recent account changes")
log = accounts.account_log(path, limit=50)
st.dataframe(
    pd.DataFrame(
        [
            {
                "at": entry["at"],
                "by": entry["actor"],
                "change": entry["action"],
                "account": entry["name"],
                "role before": (entry["before"] or {}).get("role"),
                "role after": (entry["after"] or {}).get("role"),
            }
            for entry in log
        ],
        columns=["at", "by", "change", "account", "role before", "role after"],
    ),
    hide_index=True,
    key=Tables.ACCOUNT_LOG,
)
