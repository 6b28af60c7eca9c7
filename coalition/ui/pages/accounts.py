"""Accounts (admins only): who may sign in, with which role and audience; add, change,
reset a password, remove. The same functions as ``coalition user ...``, each checked
against the signed-in admin (``coalition.ui.actions``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition.auth import accounts, permissions
from coalition.auth.accounts import MIN_PASSWORD_LENGTH, ROLE_AUDIENCES, ROLES
from coalition.i18n import N_, _, ngettext
from coalition.ui import actions, state
from coalition.ui.charts import md
from coalition.ui.forms import audience_label
from coalition.ui.state import Keys, Tables

#: Each role with what it may do, as the role pickers show it (the role is stored as it is).
ROLE_HELP = {
    "viewer": N_("viewer: sees one audience (public or coalition), changes nothing"),
    "editor": N_("editor: changes organizations and ties up to the coalition audience, never private ones"),
    "admin": N_("admin: everything, private data and accounts included"),
}


def role_help(role: str) -> str:
    return _(ROLE_HELP[role])


st.title(_("Accounts"))
user = state.current_user()
permissions.require(user, permissions.MANAGE_USERS)
settings = state.settings()
path = settings.accounts_path

rows = accounts.list_users(path)
st.dataframe(
    pd.DataFrame(
        rows,
        columns=[
            N_("name"),
            N_("role"),
            N_("audience"),
            N_("password"),
            N_("created_at"),
            N_("last_login_at"),
            N_("locked_until"),
        ],
    ).rename(columns=_),  # headings marked N_, shown in the session's language
    hide_index=True,
    key=Tables.ACCOUNTS_TABLE,
)
st.caption(
    # TRANSLATORS: {duration} is e.g. "30 minutes without a click or 8 hours in all"
    _(
        "Accounts are kept in {path}, apart from the map. Passwords are stored as argon2 hashes; "
        "a sign-in ends after {duration}."
    ).format(path=md(path), duration=settings.session.describe())
)

add_tab, change_tab = st.tabs([_("Add an account"), _("Change or remove an account")])
with add_tab:
    role = st.selectbox(_("Role"), ROLES, format_func=role_help, key=Keys.ACCOUNT_ADD_ROLE)
    with st.form(Keys.ACCOUNT_ADD_FORM, clear_on_submit=True):
        name = st.text_input(
            _("Name (an email address works, and signs in through an identity provider)"), key=Keys.ACCOUNT_ADD_NAME
        )
        audience = st.selectbox(
            _("Audience"), ROLE_AUDIENCES[role], format_func=audience_label, key=Keys.ACCOUNT_ADD_AUDIENCE
        )
        password = st.text_input(
            ngettext(
                "Password (at least {count} character; empty: identity provider only)",
                "Password (at least {count} characters; empty: identity provider only)",
                MIN_PASSWORD_LENGTH,
            ).format(count=MIN_PASSWORD_LENGTH),
            type="password",
            autocomplete="new-password",
            key=Keys.ACCOUNT_ADD_PASSWORD,
        )
        repeat = st.text_input(
            _("Password again"), type="password", autocomplete="new-password", key=Keys.ACCOUNT_ADD_REPEAT
        )
        submitted = st.form_submit_button(_("Add account"), type="primary", key=Keys.ACCOUNT_ADD_SUBMIT)
    if submitted:
        if password != repeat:
            st.error(_("The two passwords differ."))
        else:
            ok, added = state.attempt(lambda: actions.add_account(user, path, name, role, password or None, audience))
            if ok:
                # TRANSLATORS: {role} is viewer, editor or admin, as the CLI spells it
                added_text = _("Added {account} ({role}, {audience}).")
                state.flash(
                    added_text.format(account=added.name, role=added.role, audience=audience_label(added.audience))
                )
                st.rerun()

with change_tab:
    names = [row["name"] for row in rows]
    picked = st.selectbox(_("Account"), names, index=None, placeholder=_("Pick an account"), key=Keys.ACCOUNT_PICK)
    if picked:
        current = next(row for row in rows if row["name"] == picked)
        new_role = st.selectbox(
            _("Role"),
            ROLES,
            index=ROLES.index(current["role"]),
            format_func=role_help,
            key=f"{Keys.ACCOUNT_ROLE}:{picked}",
        )
        levels = ROLE_AUDIENCES[new_role]
        new_audience = st.selectbox(
            _("Audience"),
            levels,
            index=levels.index(current["audience"]) if current["audience"] in levels else 0,
            format_func=audience_label,
            key=f"{Keys.ACCOUNT_AUDIENCE}:{picked}",
        )
        if st.button(_("Save role"), key=Keys.ACCOUNT_ROLE_SAVE):
            ok, changed = state.attempt(lambda: actions.set_account_role(user, path, picked, new_role, new_audience))
            if ok:
                # TRANSLATORS: {role} is viewer, editor or admin, as the CLI spells it
                now = _("{account} is now {role} ({audience}).")
                state.flash(
                    now.format(account=changed.name, role=changed.role, audience=audience_label(changed.audience))
                )
                st.rerun()
        st.divider()
        with st.form(f"{Keys.ACCOUNT_PASSWORD}_form", clear_on_submit=True):
            new_password = st.text_input(
                _("New password"), type="password", autocomplete="new-password", key=Keys.ACCOUNT_PASSWORD
            )
            new_repeat = st.text_input(
                _("New password again"), type="password", autocomplete="new-password", key=Keys.ACCOUNT_PASSWORD_REPEAT
            )
            reset = st.form_submit_button(_("Set password"), key=Keys.ACCOUNT_PASSWORD_SAVE)
        if reset:
            if new_password != new_repeat:
                st.error(_("The two passwords differ."))
            else:
                ok, _ignored = state.attempt(lambda: actions.set_account_password(user, path, picked, new_password))
                if ok:
                    state.flash(
                        _("Set a new password for {account}; its open sessions have ended.").format(account=picked)
                    )
                    st.rerun()
        st.divider()
        sure = st.checkbox(
            _("Yes, remove the account {account}").format(account=picked), key=Keys.ACCOUNT_REMOVE_CONFIRM
        )
        if st.button(_("Remove account"), disabled=not sure, key=Keys.ACCOUNT_REMOVE):
            ok, _ignored = state.attempt(lambda: actions.remove_account(user, path, picked))
            if ok:
                state.flash(_("Removed the account {account}.").format(account=picked))
                state.forget(Keys.ACCOUNT_PICK, Keys.ACCOUNT_REMOVE_CONFIRM)
                st.rerun()

st.subheader(_("Recent account changes"))
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
        columns=[N_("at"), N_("by"), N_("change"), N_("account"), N_("role before"), N_("role after")],
    ).rename(columns=_),
    hide_index=True,
    key=Tables.ACCOUNT_LOG,
)
