"""The dashboard's language, per session: chosen in the sidebar, remembered per account
on a shared server, and laid out right to left for Arabic.

A session starts in the language of its link (``?lang=es``, so a coordinator can send a
Spanish link), else its account's saved choice, else the server's (``COALITION_LANG``,
else the system locale). Every rerun sets it for its own thread (``coalition.i18n`` keeps
it in a context variable): two people on one server may read two languages.

Streamlit has no setting for the page's direction, so a right-to-left language gets a
style sheet that turns the main area and the sidebar around; data (names, notes) keeps
its own direction inside, as browsers do for ``dir=auto`` text.
"""

from __future__ import annotations

import streamlit as st

from coalition.auth import accounts
from coalition.auth.accounts import User
from coalition.domain.settings import Settings
from coalition.i18n import LANGUAGES, _, current_language, is_rtl, language_or_none, set_language
from coalition.ui.state import SIGNED_IN_USER, Keys

__all__ = ["PICK", "picker", "start", "use_account_choice"]

#: The session's language, once chosen (by link, account or picker).
CHOSEN = "language"
PICK = Keys.LANGUAGE_PICK
#: What a new sign-in keeps of the session before it (everything else is forgotten).
KEPT_AT_SIGN_IN = frozenset({CHOSEN, PICK})

RIGHT_TO_LEFT_CSS = """<style>
[data-testid="stMain"], [data-testid="stSidebar"], [data-testid="stHeader"] { direction: rtl; text-align: right; }
[data-testid="stSidebar"] { left: auto; right: 0; }
</style>"""


def start(settings: Settings) -> str:
    """This run's language (link, then earlier choice, then the server's), set for the
    thread, with the page turned around when it reads right to left."""
    linked = language_or_none(st.query_params.get("lang"))
    if linked and CHOSEN not in st.session_state:
        st.session_state[CHOSEN] = linked
    code = st.session_state.get(CHOSEN) or settings.language
    set_language(code)
    if is_rtl(code):
        st.html(RIGHT_TO_LEFT_CSS)
    picker(settings)
    return code


def use_account_choice(user: User) -> None:
    """After sign-in: the account's saved language, unless this session chose already
    (one more run, so the picker and every text start over in it)."""
    saved = user.language
    if saved and CHOSEN not in st.session_state and not user.local:
        st.session_state[CHOSEN] = saved
        if saved != current_language():
            st.rerun()


def picker(settings: Settings) -> None:
    """The sidebar's language list, each language named in itself, offered from the
    first page (sign-in and survey forms too); a signed-in account keeps its choice for
    its next session."""
    current = st.session_state.get(CHOSEN) or settings.language
    codes = list(LANGUAGES)
    if st.session_state.get(PICK, current) != current:  # chosen elsewhere (a link, the account)
        st.session_state[PICK] = current

    def chosen() -> None:
        code = st.session_state[PICK]
        st.session_state[CHOSEN] = code
        user = st.session_state.get(SIGNED_IN_USER)
        if isinstance(user, User) and not user.local and accounts.accounts_configured(settings.accounts_path):
            accounts.set_language(settings.accounts_path, user.name, code)

    st.sidebar.selectbox(
        _("Language"),
        codes,
        index=codes.index(current),
        format_func=LANGUAGES.__getitem__,
        key=PICK,
        on_change=chosen,
    )
