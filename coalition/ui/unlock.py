"""The unlock step of an encrypted map: asked once per dashboard process, on this
computer only.

A shared server reads the passphrase from its configured file (COALITION_PASSPHRASE_FILE):
a form on a page anyone on the network can reach would let them guess at it. In local
mode (the person at this computer) the dashboard asks, keeps the passphrase in the
server's memory (``state.map_passphrase``) and forgets the typed value at once.
"""

from __future__ import annotations

import streamlit as st

from coalition.auth import accounts
from coalition.auth.accounts import User
from coalition.domain.settings import Settings
from coalition.i18n import _
from coalition.ui import state
from coalition.ui.state import Keys
from graph.sqlite.cipher import Passphrase, WrongPassphrase

__all__ = ["gate", "key_accounts"]


def key_accounts(current: Settings) -> None:
    """Before the sign-in gate reads the accounts file: an encrypted map's accounts file
    is encrypted with the same passphrase, once the dashboard knows it."""
    if state.map_is_encrypted(current):
        accounts.use_passphrase(current.accounts_path, state.map_passphrase(current))


def gate(current: Settings, user: User) -> None:
    """Return when the map can be opened; otherwise show the unlock form (or, on a shared
    server, what to configure) and stop the page."""
    if not state.map_is_encrypted(current) or state.map_passphrase(current) is not None:
        return
    if not user.local:
        st.error(
            _(
                "The map is encrypted and this server has no passphrase for it: start it with "
                "COALITION_PASSPHRASE_FILE naming the file that holds it."
            )
        )
        st.stop()
    st.title(_("Open the encrypted map"))
    st.write(
        _(
            "`{file}` is encrypted. Type its passphrase to open it: "
            "it stays in this dashboard's memory until the dashboard stops, and is never written down."
        ).format(file=str(current.map_file).replace("`", ""))
    )
    with st.form("unlock", clear_on_submit=True):
        st.text_input(_("Passphrase"), type="password", key=Keys.UNLOCK_PASSPHRASE)
        submitted = st.form_submit_button(_("Open the map"), key=Keys.UNLOCK_BUTTON)
    typed = st.session_state.pop(Keys.UNLOCK_PASSPHRASE, "") if submitted else ""
    if typed:
        try:
            state.unlock(current, Passphrase(typed))
        except (WrongPassphrase, ValueError):
            st.error(_("Wrong passphrase, or the map file is damaged. Nothing was changed."))
            st.stop()
        st.rerun()
    st.stop()
